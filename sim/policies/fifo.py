"""FIFO across tiers: a freed agent takes the call that has waited longest, whatever its
tier — the baseline against which tier priority is judged."""

from __future__ import annotations

from sim.model.calls import Call, State
from sim.policies.base import Policy


class Fifo(Policy):
    name = "fifo"

    def select(self, group) -> Call | None:
        best = None
        for queue in self.served[group.index]:
            if not queue.n:
                continue
            for p in queue.prios:  # the oldest live call of each level is its head
                level = queue.levels[p]
                while level and level[0].state != State.WAITING:
                    level.popleft()
                if level and (best is None or level[0].t_queue < best.t_queue):
                    best = level[0]
        return best
