"""Pooled agents: every group answers every queue (strict priority across them), as if
all agents had every skill — the upper bound of what pooling buys."""

from __future__ import annotations

from sim.policies.base import Policy


class Pooled(Policy):
    name = "pooled"

    def bind(self, queues, groups, spec, now=lambda: 0.0) -> None:
        super().bind(queues, groups, spec, now)
        # each queue: its own groups first, then all others; each group: all queues
        self.offer_to = [[groups[g] for g in q.spec.groups]
                         + [g for g in groups if g.index not in q.spec.groups] for q in queues]
        self.served = [[queues[q] for q in g.spec.queues]
                       + [q for q in queues if q.index not in g.spec.queues] for g in groups]
