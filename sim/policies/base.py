"""The routing-policy interface: the two decisions a contact centre's router makes.

1. ``route(call)`` — a call asks for an agent: which group with an idle agent takes it
   now (or none: the call waits in its queue).
2. ``select(group)`` — an agent of ``group`` becomes free: which waiting call it takes
   (or none: the agent stays idle).

A policy sees the centre's queues and groups (``bind``) and must not draw random numbers
of its own except through the centre's keyed streams, so that common random numbers hold.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.model.agents import AgentGroup
    from sim.model.calls import Call
    from sim.model.queues import CallQueue


class Policy:
    """Base policy: offer a new call to the first group (in the queue's preference order)
    with an idle agent; subclasses decide which waiting call a freed agent takes."""

    name = "base"

    def bind(self, queues: list[CallQueue], groups: list[AgentGroup]) -> None:
        self.queues = queues
        self.groups = groups
        # for each group, the queues it serves in its preference order
        self.served = [[queues[q] for q in g.spec.queues] for g in groups]
        self.offer_to = [[groups[g] for g in q.spec.groups] for q in queues]

    def route(self, call: Call) -> AgentGroup | None:
        for group in self.offer_to[call.queue]:
            if group.free:
                return group
        return None

    def select(self, group: AgentGroup) -> Call | None:
        raise NotImplementedError
