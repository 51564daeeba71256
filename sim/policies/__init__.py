"""Routing policies: one module each, behind the small interface in :mod:`sim.policies.base`."""
