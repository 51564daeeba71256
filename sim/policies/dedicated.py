"""Dedicated desks: each queue is answered only by its first (home) group, and each group
answers only the queues it is home for — no overflow at all. Compare with ``pooled``."""

from __future__ import annotations

from sim.policies.base import Policy


class Dedicated(Policy):
    name = "dedicated"

    def bind(self, queues, groups, spec, now=lambda: 0.0) -> None:
        super().bind(queues, groups, spec, now)
        self.offer_to = [[groups[q.spec.groups[0]]] for q in queues]
        self.served = [[q for q in queues if q.spec.groups[0] == g.index] for g in groups]
