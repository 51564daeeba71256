"""The contact centre as SimPy events: arrivals, IVR, queues, agents, second line.

Calls are plain objects moved by event callbacks rather than one generator process per
call: the same SimPy event queue and clock, with a third of the events and no coroutine
switches. Per call: an arrival, one event per IVR node, a wait timer if it has to wait
(announcements add one each), and the agent's completion.
"""

from __future__ import annotations

import math
from typing import cast

import numpy as np

from sim.model.agents import AgentGroup, AgentState
from sim.model.arrivals import DayArrivals, generate_day
from sim.model.calls import Call, Draw, Ending, Outcome, State
from sim.model.queues import CallQueue
from sim.model.spec import ModelSpec
from sim.policies.base import Policy
from sim.records import Recorder
from sim.sampling import call_keys, derive_key, draw, stream_key, uniforms

VIP_TIERS = ("diamond", "gold", "silver")


class Episode:
    """One customer's need (customer, reason) across contacts: for repeat-call, FCR and
    customer-value KPIs."""

    __slots__ = ("tier", "last_seen", "asked", "resolved", "quick", "fcr_cls",
                 "fcr_interval", "fcr_t")

    def __init__(self, tier: int, now: float):
        self.tier = tier
        self.last_seen = now
        self.asked = False  # asked for an agent at least once
        self.resolved = False
        self.quick = False  # resolved at the first contact
        self.fcr_cls = -1  # where the pending first-contact resolution was counted
        self.fcr_interval = -1
        self.fcr_t = math.nan


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
        keys = np.zeros(n, dtype=np.uint64)
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
            keys[idx] = call_keys(stream_key(seed, rep, "call", c.name, arrivals.day), seq)
        self.delay = self._answer_delays(spec, seed, rep, arrivals)
        self.patience = patience.tolist()
        self.ivr = ivr.tolist()
        self.service = service.tolist()
        self.acw = acw.tolist()
        self.keys = keys.tolist()
        self.n = n

    @staticmethod
    def _answer_delays(spec: ModelSpec, seed: int, rep: int, arrivals: DayArrivals
                       ) -> list[float] | None:
        """Each call's answer delay from its own stream (purpose "answer_delay"), so adding
        the feature changes no other draw; None when no class has one."""
        if all(c.answer_delay is None for c in spec.classes):
            return None
        delay = np.zeros(len(arrivals.t))
        for c in spec.classes:
            idx = np.flatnonzero(arrivals.cls == c.index)
            if c.answer_delay is None or not len(idx):
                continue
            key = stream_key(seed, rep, "answer_delay", c.name, arrivals.day)
            delay[idx] = c.answer_delay.ppf(uniforms(key, arrivals.seq[idx]))
        return delay.tolist()


class Center:
    """One replication of the centre under one policy."""

    def __init__(self, spec: ModelSpec, policy: Policy, seed: int, rep: int,
                 recorder: Recorder, progress: bool = False):
        import simpy

        from sim.model.outbound import Outbound
        from sim.model.second_line import SecondLine

        self.spec = spec
        self.env = simpy.Environment()
        self.policy = policy
        self.seed = seed
        self.rep = rep
        self.rec = recorder
        self.queues = [CallQueue(q) for q in spec.queues]
        self.groups = [AgentGroup(g) for g in spec.groups]
        policy.bind(self.queues, self.groups, spec, lambda: self.env.now)
        self.classes = spec.classes
        self.next_id = 0
        self.in_system = 0
        self.day: DayCalls | None = None
        self.day_index = -1
        self.pos = 0
        self._last_busy = np.zeros(len(self.groups))
        self._last_staffed = np.zeros(len(self.groups))
        self._last_qarea = np.zeros(len(self.queues))
        self.progress = progress
        self.hot = spec.has_tiers
        self._interval_s = spec.interval_s
        self._last_interval = spec.n_intervals - 1
        self.nodes = spec.ivr.nodes if spec.ivr else ()
        self.second = (SecondLine(spec.second_line, self, spec.n_intervals)
                       if spec.second_line else None)
        self.outbound = Outbound(spec.outbound, spec, self) if spec.outbound else None
        self.vip = tuple(t.name in VIP_TIERS for t in spec.tiers)
        self.contacts: dict[tuple[int, int], Episode] = {}  # (customer, reason) -> episode
        self.past_episodes: list[Episode] = []
        self.ticket_open_s = math.nan
        self.outage_calls = 0
        self._held: dict[int, Call] = {}  # calls in their answer delay, by id

    # -- scheduling helpers -------------------------------------------------------------
    def _at(self, delay: float, callback, value) -> None:
        self.env.timeout(delay, value).callbacks.append(callback)

    def run(self) -> Recorder:
        import gc

        self._next_day()
        self._schedule_arrival()
        self._on_tick_at(0)
        # The event loop makes no reference cycles worth collecting, but millions of small
        # objects make Python's cyclic collector walk the heap again and again (a third of
        # the run time, measured by sim.bench): pause it while the loop runs.
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            self._run_loop()
        finally:
            if was_enabled:
                gc.enable()
        self._close()
        self.rec.flush()
        return self.rec

    def _run_loop(self) -> None:
        """Run to the end; on a terminal, with a progress bar over simulated days/intervals.
        Stopping at interval boundaries changes nothing: SimPy resumes in the same order."""
        if not self.progress:
            self.env.run()
            return
        from tqdm import tqdm

        n = self.spec.n_intervals
        with tqdm(total=n, desc=f"replication {self.rep}", unit="interval", leave=False,
                  disable=None) as bar:
            for k in range(1, n + 1):
                self.env.run(until=k * self.spec.interval_s)
                bar.update(1)
        self.env.run()

    def interval_of(self, t: float) -> int:
        return min(int(t // self._interval_s), self._last_interval)

    # -- arrivals ------------------------------------------------------------------------
    def _next_day(self) -> bool:
        while self.day_index + 1 < self.spec.days:
            self.day_index += 1
            arrivals = generate_day(self.spec, self.seed, self.rep, self.day_index)
            self.day = DayCalls(self.spec, self.seed, self.rep, arrivals)
            if self.outbound is not None:
                self.outbound.load_day(self.day_index, self.seed, self.rep)
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
        call = Call(self.next_id, c.index, c.priority, c.queue, now, self.interval_of(now),
                    d.patience[i], d.ivr[i], d.service[i], d.acw[i], d.keys[i])
        if d.delay is not None:
            call.answer_delay = d.delay[i]
        self.pos = i + 1
        self._schedule_arrival()
        self._admit(call, now)

    def _admit(self, call: Call, now: float) -> None:
        """A call attempt (first call or redial) reaches the centre."""
        self.next_id += 1
        call.id = self.next_id - 1
        c = self.classes[call.cls]
        if self.hot:
            self._identify(call, c, now)
        if self.spec.lines is not None and self.in_system >= self.spec.lines:
            self._end(call, Outcome.BLOCKED, Ending.NO_LINE, now)
            return
        self.in_system += 1
        if c.entry >= 0:
            self._ivr_enter(call, c.entry)
        elif call.ivr_time > 0:
            self._at(call.ivr_time, self._on_ivr_time_done, call)
        else:
            self._ask_agent(call, now)

    def _identify(self, call: Call, c, now: float) -> None:
        """Caller-ID lookup: customer, tier and reason; repeat contacts and outage counts."""
        call.tier, call.reason = c.tier, c.reason
        if call.customer < 0:
            pop = self.spec.population
            call.customer = (int(draw(call.key, Draw.CUSTOMER) * pop) if pop
                             else (1 << 40) + call.id)
        ep = self.contacts.get((call.customer, call.reason))
        if ep is not None and now - ep.last_seen > self.spec.fcr_window_s:
            self.past_episodes.append(ep)  # a new need, long after the last contact
            ep = None
        if ep is None:
            self.contacts[(call.customer, call.reason)] = Episode(call.tier, now)
        else:
            call.repeat = True
            ep.last_seen = now
            if ep.fcr_cls >= 0 and now - ep.fcr_t <= self.spec.fcr_window_s:
                # a repeat within the window: the earlier contact did not resolve it after all
                self.rec.fcr[ep.fcr_cls, ep.fcr_interval] -= 1
                ep.fcr_cls = -1
                ep.quick = False
        o = self.spec.outage
        if (o is not None and call.reason == o.reason and o.start_s <= now
                < o.start_s + o.duration_s):
            self.outage_calls += 1
            if self.outage_calls == o.ticket_threshold and math.isnan(self.ticket_open_s):
                self.ticket_open_s = now

    def _outage_notice_on(self, now: float) -> bool:
        o = self.spec.outage
        return (not math.isnan(self.ticket_open_s)) and now < o.start_s + o.duration_s

    # -- IVR -----------------------------------------------------------------------------
    def _on_ivr_time_done(self, event) -> None:
        self._ask_agent(event._value, self.env.now)

    def _ivr_enter(self, call: Call, index: int) -> None:
        o = self.spec.outage
        if (o is not None and index == o.menu_node and not call.noticed
                and self._outage_notice_on(self.env.now)):
            call.noticed = True
            index = o.notice_node
        call.node = index
        call.k += 1
        self._at(self.nodes[index].time.sample1(draw(call.key, call.k)), self._on_ivr_node,
                 call)

    def _on_ivr_node(self, event) -> None:
        call = event._value
        now = self.env.now
        node = self.nodes[call.node]
        if node.abandon_prob:
            call.k += 1
            if draw(call.key, call.k) < node.abandon_prob:
                self._leave(call, Outcome.ABANDONED, Ending.IVR_ABANDON, now)
                return
        kind = node.kind
        if kind == "transfer":
            call.queue = node.queue
            self._ask_agent(call, now)
            return
        if kind == "hangup":
            self._leave(call, Outcome.DISCONNECTED, Ending.IVR_HANGUP, now)
            return
        call.k += 1
        u = draw(call.key, call.k)
        if kind == "menu":
            if node.by_reason is not None:
                nxt = node.by_reason[call.reason]
            else:
                nxt = next(n for n, cum in node.branches if u < cum)
        elif kind == "self_service":
            if u < node.resolve_prob:
                ending = (Ending.OUTAGE_NOTICE if call.node == getattr(
                    self.spec.outage, "notice_node", -2) else Ending.PRESS2_SELF_SERVICE
                    if call.pressed2 else Ending.SELF_SERVICE)
                self._leave(call, Outcome.SELF_SERVED, ending, now)
                return
            nxt = node.next
        else:  # verification
            if u < node.fail_prob:
                call.failures += 1
                nxt = node.on_fail if call.failures > node.max_failures else node.index
            else:
                nxt = node.next
        self._ivr_enter(call, nxt)

    # -- queueing ------------------------------------------------------------------------
    def _ask_agent(self, call: Call, now: float) -> None:
        call.t_queue = now
        call.t_left_queue = math.nan
        if self.hot:
            self.contacts[(call.customer, call.reason)].asked = True
        if call.answer_delay > 0:
            self._hold(call, now)
            return
        group = self._routed(call)
        if group is not None:
            self._answer(call, group, group.take(now), now)
            return
        queue = self.queues[call.queue]
        call.state = State.WAITING
        queue.push(call, now)
        self._wait_timer(call, queue.spec, 0.0)
        for wait in self.policy.wakeups(call):
            self._at(wait, self._on_wakeup, call)

    def _hold(self, call: Call, now: float) -> None:
        """The call waits in its queue (patience and wait clock running) but no policy
        sees it until its answer delay ends."""
        queue = self.queues[call.queue]
        call.state = State.WAITING
        call.pending = True
        self._held[call.id] = call
        queue.hold(call, now)
        self._wait_timer(call, queue.spec, 0.0)
        self._at(call.answer_delay, self._on_eligible, call)

    def _on_eligible(self, event) -> None:
        """The answer delay is over: the call is offered as a fresh queue entry would be,
        but keeps its place by queue entry time (policy wake-ups count from entry too)."""
        call = event._value
        if call.state != State.WAITING:
            return  # abandoned (or closed) during the delay
        now = self.env.now
        queue = self.queues[call.queue]
        call.pending = False
        del self._held[call.id]
        queue.release(call, now)
        group = self._routed(call)
        if group is not None:
            self._answer(call, group, group.take(now), now)
            return
        queue.insert(call, now)
        for wait in self.policy.wakeups(call):
            if wait > call.answer_delay:
                self._at(wait - call.answer_delay, self._on_wakeup, call)

    def _unqueue(self, call: Call, now: float) -> None:
        """A waiting call leaves its queue without an agent (in its delay or not)."""
        if call.pending:
            call.pending = False
            del self._held[call.id]
            self.queues[call.queue].leave(now, pending=True)
        else:
            self.queues[call.queue].leave(now)

    def _on_wakeup(self, event) -> None:
        """The policy asked to look again at a waiting call (e.g. overflow after a delay)."""
        call = event._value
        if call.state != State.WAITING:
            return
        group = self._routed(call)
        if group is not None:
            now = self.env.now
            self.queues[call.queue].leave(now)  # its queue entry is skipped from now on
            self._answer(call, group, group.take(now), now)

    def _wait_timer(self, call: Call, q, waited: float) -> None:
        """The next thing that happens to a waiting call: announcement, abandonment or
        forced disconnect, whichever comes first."""
        if call.virtual:
            return  # holds its place without waiting on the line
        limit = min(call.patience, q.max_wait_s)
        if call.announced < len(q.announce_s) and q.announce_s[call.announced] < limit:
            self._at(q.announce_s[call.announced] - waited, self._on_announce, call)
        elif limit < math.inf:
            self._at(limit - waited, self._on_wait_timer, call)

    def _on_announce(self, event) -> None:
        call = event._value
        if call.state != State.WAITING:
            return
        now = self.env.now
        q = self.queues[call.queue].spec
        self.rec.announcements[call.cls, call.interval] += 1
        call.announced += 1
        if self.policy.offer_callback(call, call.announced):
            call.virtual = True
            self.rec.virtual_holds[call.cls, call.interval] += 1
            return
        if q.press2_prob and draw(call.key, Draw.PRESS2 + call.announced) < q.press2_prob:
            self._unqueue(call, now)
            call.t_left_queue = now
            self.rec.press2[call.cls, call.interval] += 1
            call.state = State.IVR
            call.pressed2 = True
            self._ivr_enter(call, q.press2_node)
            return
        self._wait_timer(call, q, now - call.t_queue)

    def _on_wait_timer(self, event) -> None:
        call = event._value
        if call.state != State.WAITING:
            return  # answered before its patience ran out
        now = self.env.now
        self._unqueue(call, now)
        call.t_left_queue = now
        if call.patience < self.queues[call.queue].spec.max_wait_s:
            self._leave(call, Outcome.ABANDONED, Ending.QUEUE_ABANDON, now)
        else:
            self._leave(call, Outcome.DISCONNECTED, Ending.FORCED_DISCONNECT, now)

    def _leave(self, call: Call, outcome: Outcome, ending: Ending, now: float) -> None:
        """A call in the system ends without an agent."""
        self.in_system -= 1
        self._end(call, outcome, ending, now)

    def _end(self, call: Call, outcome: Outcome, ending: Ending, now: float) -> None:
        call.state = State.DONE
        call.outcome = outcome
        call.ending = ending
        call.t_end = now
        self.rec.add(call)
        if self.hot:
            if outcome == Outcome.SELF_SERVED:
                self._resolved(call, now)
            else:
                self._maybe_redial(call, outcome, now)

    # -- service -------------------------------------------------------------------------
    def _answer(self, call: Call, group: AgentGroup, agent: int, now: float) -> None:
        g = group.index
        talk = call.service[g]
        if talk != talk:  # NaN: no handle time for this group
            raise RuntimeError(f"policy {self.policy.name} routed a "
                               f"{self.classes[call.cls].name} call to group "
                               f"{group.spec.name}, which has no handle time for it")
        call.state = State.SERVING
        call.t_answer = call.t_left_queue = now
        call.group = g
        call.agent = agent
        call.outcome = Outcome.ANSWERED
        call.ending = Ending.AGENT
        call.t_end = now + talk
        group.talking_until(agent, call.t_end)
        if self.hot:
            self._resolve(call, g, now)
        self.rec.add(call)
        self._at(talk + call.acw[g], self._on_agent_free, (group, agent))
        if self.spec.lines is not None:
            self._at(talk, self._on_hangup, call)
        else:
            self.in_system -= 1

    def _resolve(self, call: Call, g: int, now: float) -> None:
        res = self.classes[call.cls].resolution
        call.resolved = int(not res or draw(call.key, Draw.RESOLUTION) < res[g])
        if call.resolved:
            self._resolved(call, now)
        elif self.second is not None:
            self._at(call.t_end - now, self._on_open_order, call)

    def episodes(self) -> list[Episode]:
        return self.past_episodes + list(self.contacts.values())

    def _resolved(self, call: Call, now: float) -> None:
        """The need was met by this contact (agent or self-service)."""
        ep = self.contacts[(call.customer, call.reason)]
        if not ep.resolved and not call.repeat:
            ep.quick = True
            if call.outcome == Outcome.ANSWERED:
                self.rec.fcr[call.cls, call.interval] += 1
                ep.fcr_cls, ep.fcr_interval, ep.fcr_t = call.cls, call.interval, now
        ep.resolved = True

    def _on_open_order(self, event) -> None:
        call = event._value
        now = self.env.now
        self.rec.work_orders[call.cls, call.interval] += 1
        wo = self.second.open(call, self.vip[call.tier], now)
        r = self.spec.redial
        if r is not None and draw(call.key, Draw.CHASE) < r.prob["unresolved"]:
            delay = r.delay["unresolved"].sample1(draw(call.key, Draw.CHASE_DELAY))
            self._at(delay, self._on_chase, (call, wo))

    def _on_chase(self, event) -> None:
        """A work-order customer calls again if the order is still open."""
        call, wo = event._value
        if math.isnan(wo.t_done):
            self._redial(call, self.env.now)

    def order_done(self, wo, now: float) -> None:
        ep = self.contacts.get((wo.customer, wo.reason))
        if ep is not None:
            ep.resolved = True
        if self.outbound is not None:
            self.outbound.add_callback(wo, now)

    def _on_hangup(self, event) -> None:
        self.in_system -= 1

    def _on_agent_free(self, event) -> None:
        group, agent = event._value
        now = self.env.now
        if not group.release(agent, now):
            return
        call = self._selected(group, now)
        if call is not None:
            group.keep_busy(agent, now)
            self._answer(call, group, agent, now)
            return
        ob = self.outbound
        if ob is not None and ob.has_work() and ob.allowed(group):
            group.keep_busy(agent, now, AgentState.OUTBOUND)
            ob.start(group, agent, now)
            return
        group.make_idle(agent)

    def _fill(self, group: AgentGroup, now: float) -> None:
        """Idle agents of ``group`` take waiting calls while there are any."""
        while group.idle:
            call = self._selected(group, now)
            if call is None:
                break
            self._answer(call, group, group.take(now), now)
        if self.outbound is not None:
            self.outbound._offer(now)

    def _routed(self, call: Call) -> AgentGroup | None:
        """The group with an idle agent the policy chose for ``call``, or None."""
        view = self.policy.route(call)
        if view is None:
            return None
        group = self.groups[view.index]
        if not group.idle:
            raise RuntimeError(f"policy {self.policy.name} routed call {call.id} to group "
                               f"{group.spec.name}, which has no idle agent")
        return group

    def _selected(self, group: AgentGroup, now: float) -> Call | None:
        """The waiting call the policy chose for a free agent of ``group``, taken out of
        its queue (that very call, wherever it waits), or None."""
        call = cast("Call | None", self.policy.select(group))
        if call is None:
            return None
        if call.state != State.WAITING or call.pending:
            raise RuntimeError(f"policy {self.policy.name} chose call {call.id}, which is "
                               f"not waiting for an agent")
        self.queues[call.queue].take(call, now)
        return call

    # -- redials -------------------------------------------------------------------------
    def _maybe_redial(self, call: Call, outcome: Outcome, now: float) -> None:
        r = self.spec.redial
        if r is None or call.attempt >= r.max_attempts or call.ending == Ending.CLOSED:
            return
        kind = "abandoned" if outcome == Outcome.ABANDONED else "disconnected"
        if draw(call.key, Draw.REDIAL) < r.prob[kind]:
            delay = r.delay[kind].sample1(draw(call.key, Draw.REDIAL_DELAY))
            self._at(delay, self._on_redial, call)

    def _on_redial(self, event) -> None:
        self._redial(event._value, self.env.now)

    def _redial(self, prev: Call, now: float) -> None:
        """The same customer calls again (same tier and reason); its own random stream."""
        if now >= self.spec.horizon_s:
            return
        c = self.classes[prev.cls]
        key = derive_key(prev.key, "redial", prev.attempt + 1)
        u_ht, u_acw = draw(key, Draw.HANDLE), draw(key, Draw.ACW)
        delay = (c.answer_delay.sample1(draw(key, Draw.ANSWER_DELAY))
                 if c.answer_delay is not None else 0.0)
        call = Call(-1, c.index, c.priority, c.queue, now, self.interval_of(now),
                    c.patience.sample1(draw(key, Draw.PATIENCE)), 0.0,
                    [d.sample1(u_ht) if d else math.nan for d in c.handle_time],
                    [d.sample1(u_acw) if d else math.nan for d in c.after_call_work],
                    key, prev.customer, prev.attempt + 1, delay)
        self._admit(call, now)

    # -- staffing and interval statistics --------------------------------------------------
    def _on_tick_at(self, k: int) -> None:
        now = self.env.now
        if k > 0:
            self._close_interval(k - 1, now)
        if k < self.spec.n_intervals:
            for group in self.groups:
                if group.set_target(group.spec.staffing[k], now):
                    self._fill(group, now)
            if self.second is not None:
                self.second.set_staffing(k, now)
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
            queue.account(now)
            rec.queue_area[queue.index, k] = queue.area - self._last_qarea[queue.index]
            self._last_qarea[queue.index] = queue.area
        if self.second is not None:
            self.second.close_interval(k, now)

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
                        call.t_left_queue = now
                        self._leave(call, Outcome.DISCONNECTED, Ending.CLOSED, now)
        for call in list(self._held.values()):  # still in their answer delay
            self._unqueue(call, now)
            call.t_left_queue = now
            self._leave(call, Outcome.DISCONNECTED, Ending.CLOSED, now)
