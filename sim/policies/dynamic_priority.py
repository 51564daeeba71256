"""Dynamic priority: a freed agent takes the waiting call with the highest score
``wait × weight[tier priority]`` — long-waiting ordinary callers eventually overtake
fresh VIP callers, unlike strict priority. ``weights`` maps priority level → weight
(default 1 + 3/(1 + level): level 0 weighs 4, level 3 weighs 1.75)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field, PositiveFloat

from sim.policies.base import Policy
from sim.schema.policy import PolicyParams

if TYPE_CHECKING:
    from sim.policies.view import CallView, GroupView


class DynamicPriority(Policy):
    name = "dynamic_priority"

    class Params(PolicyParams):
        weights: dict[int, PositiveFloat] | None = Field(None, description="priority "
                                                         "level -> weight (> 0)")

    def __init__(self, weights: dict | None = None):
        self.weights = {int(k): float(v) for k, v in (weights or {}).items()}
        if any(v <= 0 for v in self.weights.values()):
            raise ValueError("weights must be > 0")

    def _weight(self, level: int) -> float:
        return self.weights.get(level, 1 + 3 / (1 + level))

    def select(self, group: GroupView) -> CallView | None:
        now = self.now()
        best, best_score = None, -1.0
        for queue in self.served[group.index]:
            for call in queue.heads():  # the longest waiting of each level scores highest
                score = (now - call.t_queue) * self._weight(call.priority)
                if score > best_score:
                    best, best_score = call, score
        return best
