"""Overflow after a delay: a call is offered only to its queue's home (first) group until
it has waited ``delay_s``; after that any group of the queue's list may take it (e.g. VIP
calls to the general desk after 20 s). With ``idle_vip_take_general`` the home group of
``vip_queue`` may also take other queues' calls when it has idle agents (general calls to
idle VIP agents)."""

from __future__ import annotations

from pydantic import Field

from sim.policies.base import Policy, best_head
from sim.schema.limits import MAX_TIME_S
from sim.schema.policy import PolicyParams, QueueName


class Overflow(Policy):
    name = "overflow"

    class Params(PolicyParams):
        delay_s: float = Field(20.0, ge=0, le=MAX_TIME_S, description="wait (s) before "
                               "any group of the queue's list may answer")
        idle_vip_take_general: bool = Field(False, description="idle agents of the VIP "
                                            "queue's home desk take other queues' calls")
        vip_queue: str = QueueName("vip", "the VIP queue")

    def __init__(self, delay_s: float = 20.0, idle_vip_take_general: bool = False,
                 vip_queue: str = "vip"):
        if not delay_s >= 0:
            raise ValueError("delay_s must be >= 0")
        self.delay_s = float(delay_s)
        self.idle_vip_take_general = bool(idle_vip_take_general)
        self.vip_queue = vip_queue

    def bind(self, queues, groups, spec, now=lambda: 0.0) -> None:
        super().bind(queues, groups, spec, now)
        self.home = [q.spec.groups[0] for q in queues]
        vip = [q for q in queues if q.spec.name == self.vip_queue]
        self.vip_home = self.home[vip[0].index] if vip else -1

    def _may_take(self, group_index: int, call) -> bool:
        if self.home[call.queue] == group_index:
            return True
        if self.idle_vip_take_general and group_index == self.vip_home:
            return True
        return self.now() - call.t_queue >= self.delay_s - 1e-9

    def route(self, call):
        for group in self.offer_to[call.queue]:
            if group.idle and self._may_take(group.index, call):
                return group
        return None

    def select(self, group):
        return best_head(self.served[group.index], lambda c: self._may_take(group.index, c))

    def wakeups(self, call):
        return (self.delay_s,) if self.delay_s > 0 else ()
