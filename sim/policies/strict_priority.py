"""Strict tier priority (the source documents' rule).

A freed agent takes, among the queues its group serves, the waiting call with the
highest priority (smallest number: diamond before gold before silver ...); within a
priority level the one that has waited longest (FIFO); ties go to the group's preferred
queue.
"""

from __future__ import annotations

from sim.model.calls import Call
from sim.policies.base import Policy


class StrictPriority(Policy):
    name = "strict_priority"

    def select(self, group) -> Call | None:
        best = None
        for queue in self.served[group.index]:
            call = queue.head()
            if call is not None and (best is None or call.priority < best.priority or (
                    call.priority == best.priority and call.t_queue < best.t_queue)):
                best = call
        return best
