"""Agent reservation: the VIP desk (home group of ``vip_queue``) also answers every other
queue, but keeps ``reserve`` agents for VIP calls — its agents take other queues' calls
only while more than ``reserve`` of them would still be idle. ``reserve: 0`` is full
pooling of the VIP desk; a large reserve is a dedicated VIP desk.

The reserve never exceeds the desk's agents on duty less one (``GroupView.on_duty``):
trunk reservation protects a class with ``r`` of ``C`` circuits and is defined for
``r < C`` (at ``r >= C`` the other classes get no capacity at all). In a loss network
that class is blocked; in a queue its callers would wait until staffing rises (at night:
until the morning). So with one agent on duty the desk is fully pooled, with two it
keeps at most one, and when the headcount falls the engine re-offers waiting calls to
the idle agents the smaller reserve no longer holds (``holds_idle``).

``reserve_from`` is the fewest agents on duty at which the desk keeps its reserve at all:
below it the desk is fully pooled. A small desk cannot spare an idle agent while
callers wait, a large one can (the bank's log: an agent is held back for the direct line
on weekdays only from some headcount, ``sim/calibrate/direct_line.py``). The default 0
keeps the reserve at every headcount (capped as above).

``hold_freed`` says whether the reserve also holds an agent who frees himself while other
queues' callers wait (default) or only idle agents against arriving callers (false): the
freed agent then takes the waiting caller, and the reserve forms again only once the
queues are empty. The bank's log does the latter: its first agent freed while callers
wait takes one 87 % of the time (FINDINGS item 30)."""

from __future__ import annotations

from pydantic import Field

from sim.policies.base import Policy, best_head
from sim.schema.limits import MAX_AGENTS
from sim.schema.policy import PolicyParams, QueueName


class Reservation(Policy):
    name = "reservation"
    holds_idle = True  # idle agents may be held back: re-offer calls when the desk shrinks

    class Params(PolicyParams):
        reserve: int = Field(2, ge=0, le=MAX_AGENTS, description="VIP-desk agents kept "
                             "idle for VIP calls (agents)")
        vip_queue: str = QueueName("vip", "the VIP queue")
        reserve_from: int = Field(0, ge=0, le=MAX_AGENTS, description="fewest VIP-desk "
                                  "agents on duty at which the reserve applies (agents; "
                                  "0: at every headcount)")
        hold_freed: bool = Field(True, description="an agent who frees himself while "
                                 "other queues' callers wait is held for the reserve too "
                                 "(false: he takes them; the reserve then holds only idle "
                                 "agents against arriving callers)")

    def __init__(self, reserve: int = 2, vip_queue: str = "vip", reserve_from: int = 0,
                 hold_freed: bool = True):
        for key, value in (("reserve", reserve), ("reserve_from", reserve_from)):
            if int(value) != value or value < 0:
                raise ValueError(f"{key} must be an integer >= 0")
        self.reserve = int(reserve)
        self.reserve_from = int(reserve_from)
        self.vip_queue = vip_queue
        self.hold_freed = bool(hold_freed)

    def bind(self, queues, groups, spec, now=lambda: 0.0) -> None:
        super().bind(queues, groups, spec, now)
        vip = [q for q in queues if q.spec.name == self.vip_queue]
        self.vip_index = vip[0].index if vip else -1
        self.vip_home = vip[0].spec.groups[0] if vip else -1
        if self.vip_home >= 0:  # the VIP desk may help every other queue, after its own
            home = groups[self.vip_home]
            self.served[self.vip_home] += [q for q in queues
                                           if q not in self.served[self.vip_home]]
            for q in queues:
                if home not in self.offer_to[q.index]:
                    self.offer_to[q.index].append(home)

    def held(self, group) -> int:
        """Agents of the VIP desk kept idle now: the reserve, at most all but one of the
        agents on duty, and none while fewer than ``reserve_from`` are on duty."""
        if group.on_duty < self.reserve_from:
            return 0
        return max(min(self.reserve, group.on_duty - 1), 0)

    def route(self, call):
        for group in self.offer_to[call.queue]:
            if not group.idle:
                continue
            if (group.index == self.vip_home and call.queue != self.vip_index
                    and group.idle <= self.held(group)):
                continue  # keep the reserved agents idle for VIP callers
            return group
        return None

    def select(self, group):
        if group.index != self.vip_home:
            return super().select(group)
        # the freed agent is not counted idle: others idle = group.idle
        if not self.hold_freed or group.idle >= self.held(group):
            return super().select(group)
        return best_head(self.served[group.index], lambda c: c.queue == self.vip_index)
