"""The hotline's parts, one module each: arrivals, queues, agents, calls, the center."""
