"""Outbound work for blended agents: callbacks after work orders, care and retention calls.

The simple threshold rule: an idle agent of a blended group takes outbound work only
when no more than ``max_inbound_waiting`` inbound calls wait in the queues it serves
(calls it may be offered: with seat sites a dialect caller before its fallback does not
count for an agent who does not speak the dialect).
Callbacks go before campaign calls. Inbound calls always come first (a freed agent looks
at its inbound queues before outbound work).

With ``operations.callbacks`` the loop closes only when a callback reaches the customer:
an unanswered callback is tried again after ``retry_delay`` up to ``max_attempts``, then
the customer counts as unreachable; a repair order's callback is the satisfaction
callback (its own talk time, counted apart).
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, cast

import numpy as np

from sim.model.agents import AgentGroup, AgentState
from sim.model.arrivals import poisson_times
from sim.model.component import Component, Core
from sim.model.spec import CampaignSpec, OutboundSpec, SecondLineSpec
from sim.records import OutboundRecord
from sim.sampling import derive_key, draw, stream_key

if TYPE_CHECKING:
    from sim.model.center import Center
    from sim.model.queues import CallQueue
    from sim.model.second_line import WorkOrder
    from sim.records import Recorder

_OUTBOUND = int(AgentState.OUTBOUND)
CALLBACK = -1  # campaign index of a work-order callback
RING_S = 30.0  # an unanswered outbound call rings this long
DRAWS_PER_ATTEMPT = 10  # keyed draws of one callback attempt: answered, talk, retry delay


class Callback:
    """A callback owed after work order ``wo``; ``attempt`` counts from 0."""

    __slots__ = ("wo", "attempt")

    def __init__(self, wo: WorkOrder, attempt: int = 0):
        self.wo = wo
        self.attempt = attempt


class Outbound(Component):
    def __init__(self, spec: OutboundSpec, core: Core):
        self.spec = spec
        self.model = core.spec
        self.core = core
        self.blended = set(spec.groups)
        self.callbacks: deque[Callback] = deque()
        self.campaign_tasks: deque[tuple[CampaignSpec, int]] = deque()  # (campaign, stream)
        self.record = OutboundRecord.zeros(self.model.n_intervals)
        self.loop = core.spec.operations.callbacks
        self.open_loops: set[int] = set()  # work orders whose customer is not reached yet
        self.reserved = core.spec.operations.outbound_reserved_share

    def on_day(self, day: int, now: float) -> None:
        """Schedule the day's campaign tasks (their own keyed streams)."""
        model, core = self.model, self.core
        per_day = model.intervals_per_day
        for c in self.spec.campaigns:
            volumes = np.asarray(c.tasks_per_interval[day * per_day:(day + 1) * per_day])
            key = stream_key(core.seed, core.rep, "campaign", c.name, day)
            times = poisson_times(volumes, model.interval_s, key) + day * model.day_s
            for j, t in enumerate(times.tolist()):
                core.at(t - now, self._on_task, (c, derive_key(key, j)))

    def on_order_done(self, wo: WorkOrder, now: float) -> None:
        """A finished work order: call the customer back."""
        self.callbacks.append(Callback(wo))
        if self.loop is not None:
            self.open_loops.add(wo.id)
        self.on_agents_idle(now)

    def _on_task(self, event) -> None:
        self.campaign_tasks.append(event.value)
        self.on_agents_idle(self.core.now)

    def _on_retry(self, event) -> None:
        self.callbacks.append(event.value)
        self.on_agents_idle(self.core.now)

    def on_agents_idle(self, now: float) -> None:
        """Idle blended agents take outbound work while the rule allows."""
        for g in self.spec.groups:
            group = self.core.groups[g]
            while group.idle and self.has_work() and self.allowed(group):
                self.start(group, group.take(now, AgentState.OUTBOUND), now)

    def claim_agent(self, group: AgentGroup, agent: int, now: float) -> bool:
        """Reserved outbound capacity: a freed blended agent goes to outbound work, even
        with inbound calls waiting, while fewer than ``outbound_reserved_share`` of the
        group's logged-in agents are on outbound calls (not counting itself)."""
        if not self.reserved or group.index not in self.blended or not self.has_work():
            return False
        others = group.count[_OUTBOUND] - (group.state[agent] == AgentState.OUTBOUND)
        if others >= int(self.reserved * group.present):
            return False
        group.keep_busy(agent, now, AgentState.OUTBOUND)
        self.start(group, agent, now)
        return True

    def offer_agent(self, group: AgentGroup, agent: int, now: float) -> bool:
        if self.has_work() and self.allowed(group):
            group.keep_busy(agent, now, AgentState.OUTBOUND)
            self.start(group, agent, now)
            return True
        return False

    def has_work(self) -> bool:
        """Outbound work stops when the horizon ends (the day's outbound shift is over)."""
        return bool(self.callbacks or self.campaign_tasks) and (
            self.core.now < self.model.horizon_s)

    def allowed(self, group: AgentGroup) -> bool:
        """The threshold rule, or a free place in the reserved outbound capacity. Only the
        inbound calls the group's agents may be offered count: a dialect caller before
        its fallback does not hold back an agent who cannot serve it (seat sites)."""
        if group.index not in self.blended:
            return False
        core = cast("Center", self.core)
        waiting = sum(core.waiting_seen(group, cast("CallQueue", q))
                      for q in core.policy.served[group.index])
        return waiting <= self.spec.max_inbound_waiting or (
            group.count[_OUTBOUND] < int(self.reserved * group.present))

    def start(self, group: AgentGroup, agent: int, now: float) -> None:
        """``agent`` of ``group`` (already in OUTBOUND) makes the next outbound call."""
        k = min(int(now // self.model.interval_s), self.model.n_intervals - 1)
        if self.callbacks:
            t = self._call_back(self.callbacks.popleft(), k, now)
        else:
            campaign, key = self.campaign_tasks.popleft()
            t = campaign.handle_time.sample1(draw(key, 11))
            self.record.campaign_calls[k] += 1
        self.core.at(t, self._on_call_done, (group, agent))

    def _call_back(self, cb: Callback, k: int, now: float) -> float:
        """One callback attempt; how long it keeps the agent. Attempt ``a`` uses draws
        ``10a + 10`` (answered), ``+ 11`` (talk) and ``+ 12`` (delay to the next try)."""
        sl = cast(SecondLineSpec, self.model.second_line)  # callbacks come from work orders
        wo, base, rec = cb.wo, DRAWS_PER_ATTEMPT * (cb.attempt + 1), self.record
        answered = draw(wo.key, base) < sl.callback_answer_prob
        loop = self.loop
        satisfaction = loop is not None and wo.pool in loop.satisfaction_pools
        law = (loop.satisfaction_time if satisfaction and loop is not None
               and loop.satisfaction_time is not None else sl.callback_time)
        t = law.sample1(draw(wo.key, base + 1)) if answered else RING_S
        rec.callbacks_made[k] += 1
        rec.callbacks_answered[k] += answered
        if satisfaction:
            rec.satisfaction_made[k] += 1
            rec.satisfaction_reached[k] += answered
        if loop is None:
            return t
        if answered:
            self.open_loops.discard(wo.id)
            self.core.callback_reached(wo, now)
        elif cb.attempt + 1 < loop.max_attempts:
            delay = loop.retry_delay.sample1(draw(wo.key, base + 2))
            self.core.at(RING_S + delay, self._on_retry, Callback(wo, cb.attempt + 1))
        else:
            self.open_loops.discard(wo.id)
            rec.callbacks_unreachable[k] += 1
        return t

    def _on_call_done(self, event) -> None:
        group, agent = event.value
        self.core.agent_free(group, agent, self.core.now)

    def finish(self, rec: Recorder) -> None:
        self.record.callbacks_pending_end = float(len(self.open_loops))
        rec.features.outbound = self.record
