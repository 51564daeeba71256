"""Outbound work for blended agents: callbacks after work orders, care and retention calls.

The simple threshold rule: an idle agent of a blended group takes outbound work only
when no more than ``max_inbound_waiting`` inbound calls wait in the queues it serves.
Callbacks go before campaign calls. Inbound calls always come first (a freed agent looks
at its inbound queues before outbound work).
"""

from __future__ import annotations

from collections import deque

import numpy as np

from sim.model.agents import AgentState
from sim.model.arrivals import poisson_times
from sim.model.spec import ModelSpec, OutboundSpec
from sim.sampling import derive_key, draw, stream_key

CALLBACK = -1  # campaign index of a work-order callback


class Outbound:
    def __init__(self, spec: OutboundSpec, model: ModelSpec, center):
        self.spec = spec
        self.model = model
        self.center = center
        self.blended = set(spec.groups)
        self.tasks: tuple[deque, deque] = (deque(), deque())  # callbacks, campaign calls
        n = model.n_intervals
        self.callbacks_made = np.zeros(n)
        self.callbacks_answered = np.zeros(n)
        self.campaign_calls = np.zeros(n)
        self.talk_s = np.zeros(n)

    def load_day(self, day: int, seed: int, rep: int) -> None:
        """Schedule the day's campaign tasks (their own keyed streams)."""
        per_day = self.model.intervals_per_day
        for c in self.spec.campaigns:
            volumes = np.asarray(c.tasks_per_interval[day * per_day:(day + 1) * per_day])
            key = stream_key(seed, rep, "campaign", c.name, day)
            times = poisson_times(volumes, self.model.interval_s, key) + day * self.model.day_s
            for j, t in enumerate(times.tolist()):
                self.center._at(t - self.center.env.now, self._on_task,
                                (c, derive_key(key, j)))

    def add_callback(self, wo, now: float) -> None:
        self.tasks[0].append((None, wo.key))
        self._offer(now)

    def _on_task(self, event) -> None:
        self.tasks[1].append(event._value)
        self._offer(self.center.env.now)

    def _offer(self, now: float) -> None:
        for g in self.spec.groups:
            group = self.center.groups[g]
            while group.idle and self.has_work() and self.allowed(group):
                self.start(group, group.take(now, AgentState.OUTBOUND), now)

    def has_work(self) -> bool:
        """Outbound work stops when the horizon ends (the day's outbound shift is over)."""
        return bool(self.tasks[0] or self.tasks[1]) and (
            self.center.env.now < self.model.horizon_s)

    def allowed(self, group) -> bool:
        if group.index not in self.blended:
            return False
        waiting = sum(q.n for q in self.center.policy.served[group.index])
        return waiting <= self.spec.max_inbound_waiting

    def start(self, group, agent: int, now: float) -> None:
        """``agent`` of ``group`` (already counted busy) makes the next outbound call."""
        campaign, key = (self.tasks[0] or self.tasks[1]).popleft()
        k = min(int(now // self.model.interval_s), self.model.n_intervals - 1)
        if campaign is None:
            sl = self.model.second_line
            answered = draw(key, 10) < sl.callback_answer_prob
            t = sl.callback_time.sample1(draw(key, 11)) if answered else 30.0  # ring, no answer
            self.callbacks_made[k] += 1
            self.callbacks_answered[k] += answered
        else:
            t = campaign.handle_time.sample1(draw(key, 11))
            self.campaign_calls[k] += 1
        self.talk_s[k] += t
        self.center._at(t, self.center._on_agent_free, (group, agent))
