"""Outbound work for blended agents: callbacks after work orders, care and retention calls.

The simple threshold rule: an idle agent of a blended group takes outbound work only
when no more than ``max_inbound_waiting`` inbound calls wait in the queues it serves.
Callbacks go before campaign calls. Inbound calls always come first (a freed agent looks
at its inbound queues before outbound work).
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
    from sim.model.second_line import WorkOrder
    from sim.records import Recorder

CALLBACK = -1  # campaign index of a work-order callback


class Outbound(Component):
    def __init__(self, spec: OutboundSpec, core: Core):
        self.spec = spec
        self.model = core.spec
        self.core = core
        self.blended = set(spec.groups)
        # callbacks, campaign calls: (campaign or None for a callback, keyed stream)
        self.tasks: tuple[deque[tuple[CampaignSpec | None, int]], ...] = (deque(), deque())
        self.record = OutboundRecord.zeros(self.model.n_intervals)

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
        self.tasks[0].append((None, wo.key))
        self.on_agents_idle(now)

    def _on_task(self, event) -> None:
        self.tasks[1].append(event.value)
        self.on_agents_idle(self.core.now)

    def on_agents_idle(self, now: float) -> None:
        """Idle blended agents take outbound work while the rule allows."""
        for g in self.spec.groups:
            group = self.core.groups[g]
            while group.idle and self.has_work() and self.allowed(group):
                self.start(group, group.take(now, AgentState.OUTBOUND), now)

    def offer_agent(self, group: AgentGroup, agent: int, now: float) -> bool:
        if self.has_work() and self.allowed(group):
            group.keep_busy(agent, now, AgentState.OUTBOUND)
            self.start(group, agent, now)
            return True
        return False

    def has_work(self) -> bool:
        """Outbound work stops when the horizon ends (the day's outbound shift is over)."""
        return bool(self.tasks[0] or self.tasks[1]) and (
            self.core.now < self.model.horizon_s)

    def allowed(self, group: AgentGroup) -> bool:
        if group.index not in self.blended:
            return False
        waiting = sum(q.n for q in self.core.policy.served[group.index])
        return waiting <= self.spec.max_inbound_waiting

    def start(self, group: AgentGroup, agent: int, now: float) -> None:
        """``agent`` of ``group`` (already in OUTBOUND) makes the next outbound call."""
        campaign, key = (self.tasks[0] or self.tasks[1]).popleft()
        k = min(int(now // self.model.interval_s), self.model.n_intervals - 1)
        rec = self.record
        if campaign is None:  # callbacks come from work orders: a second line exists
            sl = cast(SecondLineSpec, self.model.second_line)
            answered = draw(key, 10) < sl.callback_answer_prob
            t = sl.callback_time.sample1(draw(key, 11)) if answered else 30.0  # ring, no answer
            rec.callbacks_made[k] += 1
            rec.callbacks_answered[k] += answered
        else:
            t = campaign.handle_time.sample1(draw(key, 11))
            rec.campaign_calls[k] += 1
        self.core.at(t, self._on_call_done, (group, agent))

    def _on_call_done(self, event) -> None:
        group, agent = event.value
        self.core.agent_free(group, agent, self.core.now)

    def finish(self, rec: Recorder) -> None:
        rec.features.outbound = self.record
