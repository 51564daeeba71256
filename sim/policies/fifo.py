"""FIFO across tiers: a freed agent takes the call that has waited longest, whatever its
tier — the baseline against which tier priority is judged."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.policies.base import Policy

if TYPE_CHECKING:
    from sim.policies.view import CallView, GroupView


class Fifo(Policy):
    name = "fifo"

    def select(self, group: GroupView) -> CallView | None:
        best = None
        for queue in self.served[group.index]:
            for call in queue.heads():  # the oldest live call of each level is its head
                if best is None or call.t_queue < best.t_queue:
                    best = call
        return best
