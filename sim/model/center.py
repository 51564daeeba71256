"""The contact centre as SimPy events: arrivals, queues, agents and their interplay.

Calls are plain objects moved by event callbacks rather than one generator process per
call: the same SimPy event queue and clock, with a third of the events and no coroutine
switches. Per call: an arrival, an abandonment timer if it has to wait, and the agent's
completion.
"""

from __future__ import annotations

import math

import numpy as np

from sim.model.agents import AgentGroup
from sim.model.arrivals import DayArrivals, generate_day
from sim.model.calls import Call, Outcome, State
from sim.model.queues import CallQueue
from sim.model.spec import ModelSpec
from sim.policies.base import Policy
from sim.records import Recorder
from sim.sampling import stream_key, uniforms


class DayCalls:
    """One day's calls with every random variate they will need, drawn up front from
    keyed streams (class, day, index within class) so that no policy can change them."""

    def __init__(self, spec: ModelSpec, seed: int, rep: int, arrivals: DayArrivals):
        n, n_groups = len(arrivals.t), len(spec.groups)
        self.t = arrivals.t.tolist()
        self.cls = arrivals.cls.tolist()
        patience = np.empty(n)
        ivr = np.empty(n)
        service = np.full((n, n_groups), np.nan)
        acw = np.full((n, n_groups), np.nan)
        for c in spec.classes:
            idx = np.flatnonzero(arrivals.cls == c.index)
            if not len(idx):
                continue
            seq = arrivals.seq[idx]

            def u(purpose: str, seq=seq, c=c) -> np.ndarray:
                return uniforms(stream_key(seed, rep, purpose, c.name, arrivals.day), seq)

            patience[idx] = c.patience.ppf(u("patience"))
            ivr[idx] = c.ivr_time.ppf(u("ivr_time"))
            u_ht, u_acw = u("handle_time"), u("after_call_work")
            for g, dist in enumerate(c.handle_time):
                if dist is not None:
                    service[idx, g] = dist.ppf(u_ht)
                    acw[idx, g] = c.after_call_work[g].ppf(u_acw)
        self.patience = patience.tolist()
        self.ivr = ivr.tolist()
        self.service = service.tolist()
        self.acw = acw.tolist()
        self.n = n


class Center:
    """One replication of the centre under one policy."""

    def __init__(self, spec: ModelSpec, policy: Policy, seed: int, rep: int,
                 recorder: Recorder):
        import simpy

        self.spec = spec
        self.env = simpy.Environment()
        self.policy = policy
        self.seed = seed
        self.rep = rep
        self.rec = recorder
        self.queues = [CallQueue(q) for q in spec.queues]
        self.groups = [AgentGroup(g) for g in spec.groups]
        policy.bind(self.queues, self.groups)
        self.classes = spec.classes
        self.next_id = 0
        self.in_system = 0
        self.day: DayCalls | None = None
        self.day_index = -1
        self.pos = 0
        self._last_busy = np.zeros(len(self.groups))
        self._last_staffed = np.zeros(len(self.groups))
        self._last_qarea = np.zeros(len(self.queues))

    # -- scheduling helpers -------------------------------------------------------------
    def _at(self, delay: float, callback, value) -> None:
        self.env.timeout(delay, value).callbacks.append(callback)

    def run(self) -> Recorder:
        self._next_day()
        self._schedule_arrival()
        self._on_tick_at(0)
        self.env.run()
        self._close()
        self.rec.flush()
        return self.rec

    # -- arrivals ------------------------------------------------------------------------
    def _next_day(self) -> bool:
        while self.day_index + 1 < self.spec.days:
            self.day_index += 1
            arrivals = generate_day(self.spec, self.seed, self.rep, self.day_index)
            self.day = DayCalls(self.spec, self.seed, self.rep, arrivals)
            self.pos = 0
            if self.day.n:
                return True
        return False

    def _schedule_arrival(self) -> None:
        if self.pos >= self.day.n and not self._next_day():
            return
        self._at(self.day.t[self.pos] - self.env.now, self._on_arrival, self.pos)

    def _on_arrival(self, event) -> None:
        i = event._value
        d = self.day
        now = self.env.now
        c = self.classes[d.cls[i]]
        call = Call(self.next_id, c.index, c.priority, c.queue, now,
                    min(int(now // self.spec.interval_s), self.spec.n_intervals - 1),
                    d.patience[i], d.ivr[i], d.service[i], d.acw[i])
        self.next_id += 1
        self.pos = i + 1
        self._schedule_arrival()
        if self.spec.lines is not None and self.in_system >= self.spec.lines:
            self._finish(call, Outcome.BLOCKED, now)
            return
        self.in_system += 1
        if call.ivr_time > 0:
            self._at(call.ivr_time, self._on_ivr_done, call)
        else:
            self._ask_agent(call, now)

    def _on_ivr_done(self, event) -> None:
        self._ask_agent(event._value, self.env.now)

    # -- queueing ------------------------------------------------------------------------
    def _ask_agent(self, call: Call, now: float) -> None:
        call.t_queue = now
        group = self.policy.route(call)
        if group is not None:
            self._answer(call, group, group.take(now), now)
            return
        queue = self.queues[call.queue]
        call.state = State.WAITING
        queue.push(call, now)
        limit = min(call.patience, queue.spec.max_wait_s)
        if limit < math.inf:
            self._at(limit, self._on_wait_timer, call)

    def _on_wait_timer(self, event) -> None:
        call = event._value
        if call.state != State.WAITING:
            return  # answered before its patience ran out
        now = self.env.now
        self.queues[call.queue].leave(now)
        max_wait = self.queues[call.queue].spec.max_wait_s
        self.in_system -= 1
        self._finish(call, Outcome.ABANDONED if call.patience < max_wait
                     else Outcome.DISCONNECTED, now)

    def _finish(self, call: Call, outcome: Outcome, now: float) -> None:
        call.state = State.DONE
        call.outcome = outcome
        call.t_end = now
        self.rec.add(call)

    # -- service -------------------------------------------------------------------------
    def _answer(self, call: Call, group: AgentGroup, agent: int, now: float) -> None:
        g = group.index
        talk = call.service[g]
        call.state = State.SERVING
        call.t_answer = now
        call.group = g
        call.agent = agent
        call.outcome = Outcome.ANSWERED
        call.t_end = now + talk
        self.rec.add(call)
        self._at(talk + call.acw[g], self._on_agent_free, (group, agent))
        if self.spec.lines is not None:
            self._at(talk, self._on_hangup, call)
        else:
            self.in_system -= 1

    def _on_hangup(self, event) -> None:
        self.in_system -= 1

    def _on_agent_free(self, event) -> None:
        group, agent = event._value
        now = self.env.now
        if not group.release(agent, now):
            return
        call = self.policy.select(group)
        if call is None:
            group.free.append(agent)
            return
        self.queues[call.queue].pop_head(call, now)
        group.keep_busy(now)
        self._answer(call, group, agent, now)

    def _fill(self, group: AgentGroup, now: float) -> None:
        """Idle agents of ``group`` take waiting calls while there are any."""
        while group.free:
            call = self.policy.select(group)
            if call is None:
                return
            self.queues[call.queue].pop_head(call, now)
            self._answer(call, group, group.take(now), now)

    # -- staffing and interval statistics --------------------------------------------------
    def _on_tick_at(self, k: int) -> None:
        now = self.env.now
        if k > 0:
            self._close_interval(k - 1, now)
        if k < self.spec.n_intervals:
            for group in self.groups:
                if group.set_target(group.spec.staffing[k], now):
                    self._fill(group, now)
            self._at(self.spec.interval_s * (k + 1) - now, self._on_tick, k + 1)
        elif math.isfinite(self.spec.drain_s):
            self._at(self.spec.drain_s, self._on_close, None)

    def _on_tick(self, event) -> None:
        self._on_tick_at(event._value)

    def _close_interval(self, k: int, now: float) -> None:
        rec = self.rec
        for group in self.groups:
            group.account(now)
            rec.group_busy_s[group.index, k] = group.busy_area - self._last_busy[group.index]
            rec.group_staffed_s[group.index, k] = (group.staffed_area
                                                   - self._last_staffed[group.index])
            self._last_busy[group.index] = group.busy_area
            self._last_staffed[group.index] = group.staffed_area
        for queue in self.queues:
            queue._account(now)
            rec.queue_area[queue.index, k] = queue.area - self._last_qarea[queue.index]
            self._last_qarea[queue.index] = queue.area

    def _on_close(self, event) -> None:
        self._close()

    def _close(self) -> None:
        """The centre closes: calls still waiting are disconnected by the system."""
        now = self.env.now
        for queue in self.queues:
            for level in queue.levels.values():
                while level:
                    call = level.popleft()
                    if call.state == State.WAITING:
                        queue.leave(now)
                        self.in_system -= 1
                        self._finish(call, Outcome.DISCONNECTED, now)
