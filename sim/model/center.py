"""The contact centre's call-flow core as SimPy events: arrivals, waiting, agents.

Calls are plain objects moved by event callbacks rather than one generator process per
call: the same SimPy event queue and clock, with a third of the events and no coroutine
switches. Per call: an arrival, one event per IVR node, a wait timer if it has to wait
(announcements add one each), and the agent's completion.

The core moves a call through admission, the IVR (:mod:`sim.model.ivr_flow`), waiting
(answer delay, announcements, press-2, virtual hold, abandonment and forced disconnect:
:mod:`sim.model.waiting`) and service. Features hook into that flow as components
(:mod:`sim.model.component`): customers and episodes, outage, redials, second line,
outbound. Their hooks run in a fixed order, so SimPy breaks ties between simultaneous
events the same way on every run.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from sim.model.agents import AgentGroup
from sim.model.arrivals import generate_day
from sim.model.calls import Call, Draw, Ending, Outcome, State
from sim.model.component import Component, hooks
from sim.model.day import DayCalls
from sim.model.queues import CallQueue
from sim.model.redial import class_draws
from sim.model.spec import CallClass, GroupSpec, ModelSpec, QueueSpec
from sim.model.waiting import next_wait_event, wait_ending
from sim.policies.base import Policy
from sim.records import Recorder
from sim.sampling import derive_key, draw

if TYPE_CHECKING:
    from simpy.events import Event, EventPriority

NORMAL = cast("EventPriority", 1)  # simpy.events.NORMAL: the priority of every timeout


class Timer:
    """A timed callback on SimPy's event queue: what ``env.timeout(delay, value)`` with one
    callback is, without an Event's bookkeeping (one is made per IVR node, wait and call).
    SimPy's ``Environment.step`` reads ``callbacks`` and ``_ok``; the callbacks ``value``."""

    __slots__ = ("callbacks", "value")
    _ok = True  # a timer never fails

    def __init__(self, callback: Callable[[Any], None], value: Any):
        self.callbacks: list | None = [callback]
        self.value = value


class Center:
    """One replication of the centre under one policy."""

    def __init__(self, spec: ModelSpec, policy: Policy, seed: int, rep: int,
                 recorder: Recorder, progress: bool = False):
        import simpy

        self.spec = spec
        self.env = simpy.Environment()
        self.policy = policy
        self.seed = seed
        self.rep = rep
        self.rec = recorder
        self.queues, self.groups = self._queues_and_groups()
        # by routed class (``when_busy`` / ``when_free``): the queues of its switch classes
        self._switch_queues = {c.index: [self.queues[spec.classes[t].queue] for t in
                                         dict.fromkeys(t for t, _ in c.when_busy + c.when_free)]
                               for c in spec.classes if c.when_busy or c.when_free}
        policy.bind(self.queues, self.groups, spec, lambda: self.env.now)
        self.classes = spec.classes
        self.next_id = 0
        self.in_system = 0  # calls holding a trunk line (``lines``); own work holds none
        self.day: DayCalls | None = None
        self.day_index = -1
        self.pos = 0
        self._last_busy = np.zeros(len(self.groups))
        self._last_staffed = np.zeros(len(self.groups))
        self._last_away = np.zeros(len(self.groups))
        self._last_qarea = np.zeros(len(self.queues))
        self.progress = progress
        self.hot = spec.has_tiers
        self._interval_s = spec.interval_s
        self._last_interval = spec.n_intervals - 1
        self._held: dict[int, Call] = {}  # calls in their answer delay, by id
        self.components = self._components()
        self._hooks = {name: hooks(self.components, name) for name in Component.HOOKS}
        # caller identification (and what hangs on it) only in hotline scenarios
        self._on_admit = self._hooks["on_admit"] if self.hot else ()
        self._on_answer = self._hooks["on_answer"] if self.hot or self._sites else ()
        self._on_end = self._hooks["on_end"]  # customers (hotline), redials
        self._route = self._sites.route if self._sites else policy.route
        self._select = self._sites.select if self._sites else policy.select

    def _queues_and_groups(self) -> tuple[list[CallQueue], list[AgentGroup[GroupSpec]]]:
        """Plain queues and groups; with seat sites, ones that apply the dialect rule."""
        spec = self.spec
        if spec.sites is None:
            return [CallQueue(q) for q in spec.queues], [AgentGroup(g) for g in spec.groups]
        from sim.model.sites import SitedGroup, SitedQueue, Viewer

        self._viewer = Viewer(spec.sites.dialect_first)
        return ([SitedQueue(q, self._viewer) for q in spec.queues],
                [SitedGroup(g) for g in spec.groups])

    def _components(self) -> list[Component]:
        """The features this spec has, in hook order."""
        from sim.model.availability import Availability
        from sim.model.complaints import Complaints
        from sim.model.customers import Customers
        from sim.model.ivr_flow import Ivr
        from sim.model.outage import Outage
        from sim.model.outbound import Outbound
        from sim.model.redial import Redials
        from sim.model.second_line import SecondLine

        spec = self.spec
        out: list[Component] = []
        if self.hot:
            out.append(Customers(self))
        outage = Outage(spec.outage) if spec.outage is not None else None
        if outage is not None:
            out.append(outage)
        self.ivr = Ivr(self, outage)
        out.append(self.ivr)
        if spec.redial is not None:
            out.append(Redials(self, spec.redial))
        if spec.second_line is not None:
            second = SecondLine(spec.second_line, self, spec.n_intervals)
            out.append(second)
            if spec.operations.complaints is not None:
                out.append(Complaints(spec.operations.complaints, self, second))
        if spec.outbound is not None:
            out.append(Outbound(spec.outbound, self))
        self._avail: Availability | None = None
        if any(g.availability is not None for g in spec.groups):
            self._avail = Availability(self)
            out.append(self._avail)
        self._stayers = self._avail is not None and bool(self._avail.stayers)
        # agents with an idle clock (availability.away_when_idle): only then is an agent's
        # becoming idle or logging in reported, a call on every hang-up otherwise
        self._idle_clock = self._avail if self._avail is not None and any(
            g.availability is not None and g.availability.idle_after is not None
            for g in spec.groups) else None
        # agents in away work come back for waiting callers (availability.reaction_time)
        # and agents in yielding spells come back for a caller who may be answered
        self._react = (self._avail if self._avail is not None
                       and (self._avail.away or self._avail.yielding) else None)
        self._sites = None
        if spec.sites is not None:
            from sim.model.sites import Sites

            self._sites = Sites(self, spec.sites, self._viewer)
            out.append(self._sites)
        return out

    # -- scheduling helpers -------------------------------------------------------------
    @property
    def now(self) -> float:
        return self.env.now

    def at(self, delay: float, callback: Callable[[Any], None], value: Any) -> None:
        """Call ``callback(event)`` after ``delay``; ``event.value`` is ``value``.

        Scheduled exactly as ``env.timeout`` schedules itself (``Environment.schedule``:
        time ``now + delay``, priority NORMAL, the next event id), so the (time, id) order
        of events, which the compiled engine mirrors, is SimPy's."""
        if delay < 0:
            raise ValueError(f"Negative delay {delay}")
        self.env.schedule(cast("Event", Timer(callback, value)), NORMAL, delay)

    def start(self) -> None:
        """Schedule the first arrival and the first staffing tick (``run`` calls it)."""
        self._next_day()
        self._schedule_arrival()
        self._on_tick_at(0)

    def run(self) -> Recorder:
        import gc

        self.start()
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
        for c in self.components:
            c.finish(self.rec)
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
            for hook in self._hooks["on_day"]:
                hook(self.day_index, self.env.now)
            self.pos = 0
            if self.day.n:
                return True
        return False

    def _schedule_arrival(self) -> None:
        day = cast(DayCalls, self.day)
        if self.pos >= day.n and not self._next_day():
            return
        day = cast(DayCalls, self.day)
        self.at(day.t[self.pos] - self.env.now, self._on_arrival, self.pos)

    def _on_arrival(self, event) -> None:
        i = event.value
        d = cast(DayCalls, self.day)
        now = self.env.now
        c = self.classes[d.cls[i]]
        call = Call(self.next_id, c.index, c.priority, c.queue, now, self.interval_of(now),
                    d.patience[i], d.ivr[i], d.service[i], d.acw[i], d.keys[i])
        if d.delay is not None:
            call.answer_delay = d.delay[i]
        self.pos = i + 1
        self._schedule_arrival()
        self.admit(call, now)

    def admit(self, call: Call, now: float) -> None:
        """A call attempt (first call or redial) reaches the centre."""
        self.next_id += 1
        call.id = self.next_id - 1
        for hook in self._on_admit:
            hook(call, now)  # caller ID may serve the call as another class (key customers)
        c = self.classes[call.cls]
        if not c.work:  # the agents' own work takes no trunk line
            if self.spec.lines is not None and self.in_system >= self.spec.lines:
                self._end(call, Outcome.BLOCKED, Ending.NO_LINE, now)
                return
            self.in_system += 1
        if c.entry >= 0:
            self.ivr.enter(call, c.entry)
        elif call.ivr_time > 0:
            self.at(call.ivr_time, self._on_ivr_time_done, call)
        else:
            self.ask_agent(call, now)

    def _on_ivr_time_done(self, event) -> None:
        self.ask_agent(event.value, self.env.now)

    # -- queueing ------------------------------------------------------------------------
    def ask_agent(self, call: Call, now: float) -> None:
        """The call asks for an agent: answered at once, or it waits in its queue."""
        call.t_queue = now
        call.t_left_queue = math.nan
        c = self.classes[call.cls]
        if call.visit == 0 and (c.when_busy or c.when_free):
            self._identify(call, c)
        call.visit += 1
        for hook in self._hooks["on_ask"]:
            hook(call, now)
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
            self.at(wait, self._on_wakeup, (call, call.visit))
        if self._react is not None:
            self._react.waiting(call, 0.0)

    def _identify(self, call: Call, c: CallClass) -> None:
        """A caller who finds a caller waiting in his switch classes' queues, or no agent
        free for him, becomes one of ``when_busy``'s classes, and one who finds an agent
        free and nobody waiting one of ``when_free``'s (keyed draws: the same caller, the
        same class under every policy); his patience, answer delay and handle times are
        drawn again from the new class's laws at the same keyed uniforms."""
        queues = self._switch_queues[c.index]
        busy = any(q.n or q.pending for q in queues) or self._routed(call) is None
        u, acc = draw(call.key, Draw.WHEN_BUSY), 0.0
        for t, p in c.when_busy if busy else c.when_free:
            acc += p
            if u < acc:
                self._become(call, self.classes[t])
                return

    def _become(self, call: Call, c: CallClass) -> None:
        call.cls, call.priority, call.queue = c.index, c.priority, c.queue
        call.patience, call.answer_delay, call.service, call.acw = class_draws(
            c, derive_key(call.key, "when_busy"))

    def _hold(self, call: Call, now: float) -> None:
        """The call waits in its queue (patience and wait clock running) but no policy
        sees it until its answer delay ends."""
        queue = self.queues[call.queue]
        call.state = State.WAITING
        call.pending = True
        self._held[call.id] = call
        queue.hold(call, now)
        self._wait_timer(call, queue.spec, 0.0)
        self.at(call.answer_delay, self._on_eligible, call)

    def _on_eligible(self, event) -> None:
        """The answer delay is over: the call is offered as a fresh queue entry would be,
        but keeps its place by queue entry time (policy wake-ups count from entry too)."""
        call = event.value
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
                self.at(wait - call.answer_delay, self._on_wakeup, (call, call.visit))
        if self._react is not None:
            self._react.waiting(call, call.answer_delay)

    def _unqueue(self, call: Call, now: float) -> None:
        """A waiting call leaves its queue without an agent (in its delay or not)."""
        if call.pending:
            call.pending = False
            del self._held[call.id]
            self.queues[call.queue].leave(now, pending=True)
        else:
            self.queues[call.queue].leave(now)
        if self._stayers and self._avail is not None:
            self._avail.caller_left(now)

    def _on_wakeup(self, event) -> None:
        """The policy asked to look again at a waiting call (e.g. overflow after a delay),
        in the queue visit it asked in: a caller who pressed 2 and came back waits anew."""
        call, visit = event.value
        if call.state != State.WAITING or call.visit != visit:
            return
        self.offer_again(call, self.env.now)

    def offer_again(self, call: Call, now: float) -> None:
        """Route a waiting call again (a policy wake-up, the dialect fallback)."""
        group = self._routed(call)
        if group is not None:
            self.queues[call.queue].leave(now)  # its queue entry is skipped from now on
            self._answer(call, group, group.take(now), now)

    def _wait_timer(self, call: Call, q: QueueSpec, waited: float) -> None:
        """Schedule the next thing that happens to a waiting call (:mod:`sim.model.waiting`)."""
        nxt = next_wait_event(call, q)
        if nxt is not None:
            at, announcement = nxt
            self.at(at - waited, self._on_announce if announcement else self._on_wait_end,
                    call)

    def _on_announce(self, event) -> None:
        call = event.value
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
            if not call.pending:  # if it comes back, it queues anew, not at its old place
                self.queues[call.queue].forget(call)
            self._unqueue(call, now)
            call.t_left_queue = now
            self.rec.press2[call.cls, call.interval] += 1
            call.state = State.IVR
            call.pressed2 = True
            self.ivr.enter(call, q.press2_node)
            return
        self._wait_timer(call, q, now - call.t_queue)

    def _on_wait_end(self, event) -> None:
        """The wait reached its limit: the caller abandons or the system disconnects."""
        call = event.value
        if call.state != State.WAITING:
            return  # answered before its patience ran out
        now = self.env.now
        self._unqueue(call, now)
        call.t_left_queue = now
        outcome, ending = wait_ending(call, self.queues[call.queue].spec)
        self.leave(call, outcome, ending, now)

    def leave(self, call: Call, outcome: Outcome, ending: Ending, now: float) -> None:
        """A call in the system ends without an agent."""
        if not self.classes[call.cls].work:
            self.in_system -= 1
        self._end(call, outcome, ending, now)

    def _end(self, call: Call, outcome: Outcome, ending: Ending, now: float) -> None:
        call.state = State.DONE
        call.outcome = outcome
        call.ending = ending
        call.t_end = now
        self.rec.add(call)
        for hook in self._on_end:
            hook(call, now)

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
        for hook in self._on_answer:
            hook(call, now)
        if self._react is None or not self._react.answered(call, group, agent):
            self.rec.add(call)  # away work's record waits for its end (it may be cut)
        self.at(talk + call.acw[g], self._on_agent_free, (group, agent, call))
        if self.classes[call.cls].work:
            return
        if self.spec.lines is not None:
            self.at(talk, self._on_hangup, call)
        else:
            self.in_system -= 1

    def order_opened(self, call: Call, wo, now: float) -> None:
        """The second line opened work order ``wo`` for the unresolved ``call``."""
        for hook in self._hooks["on_order_opened"]:
            hook(call, wo, now)

    def order_done(self, wo, now: float) -> None:
        """The second line completed work order ``wo``."""
        for hook in self._hooks["on_order_done"]:
            hook(wo, now)

    def callback_reached(self, wo, now: float) -> None:
        """The callback after work order ``wo`` reached the customer."""
        for hook in self._hooks["on_callback_reached"]:
            hook(wo, now)

    def _on_hangup(self, event) -> None:
        if self._react is None or self._react.hangs_up(event.value):
            self.in_system -= 1

    def free_line(self) -> None:
        """A trunk line is free before its call's hang-up: an away task dropped for a
        caller (or ended) in its talk ends its call then (``Availability``)."""
        self.in_system -= 1

    def _on_agent_free(self, event) -> None:
        group, agent, call = event.value
        if self._react is not None and self._react.task_cut(group, agent, call):
            return
        self.agent_free(group, agent, self.env.now, call.key)

    def recall(self, group: AgentGroup, agent: int, call: Call, now: float) -> None:
        """``agent`` of ``group`` dropped his away-work task to answer the waiting
        ``call`` (``availability.reaction_time``)."""
        group.keep_busy(agent, now)
        self.queues[call.queue].take(call, now)
        self._answer(call, group, agent, now)

    def agent_free(self, group: AgentGroup, agent: int, now: float,
                   key: int | None = None) -> None:
        """``agent`` finished its work (a call and its after-call work, or an outbound
        call): it goes away (break owed, not ready after the call ``key``), else takes the
        waiting call the policy chooses, else other work, else idles."""
        if not group.release(agent, now):
            return
        if self._avail is not None and self._avail.after_call(group, agent, key, now):
            return
        for claim in self._hooks["claim_agent"]:
            if claim(group, agent, now):
                return
        call = self._selected(group, now)
        if call is not None:
            group.keep_busy(agent, now)
            self._answer(call, group, agent, now)
            return
        for offer in self._hooks["offer_agent"]:
            if offer(group, agent, now):
                return
        group.make_idle(agent)
        if self._idle_clock is not None:
            self._idle_clock.idle_from(group, agent, now)

    def fill(self, group: AgentGroup, now: float) -> None:
        """Idle agents of ``group`` take waiting calls (an agent came back)."""
        self._fill(group, now)

    def reoffer(self, group: AgentGroup, now: float) -> None:
        """A working agent of ``group`` went away (not ready, owed break), so its agents on
        duty fell: under a policy that holds idle agents back (a reserve capped by the
        agents on duty), idle agents it no longer holds take waiting calls. Only this
        drop needs it: a lower headcount or a break takes idle agents first, which lowers
        the idle count at least as much as the reserve."""
        if self.policy.holds_idle:
            self._take_waiting(group, now)

    def waiting_seen(self, group: AgentGroup, queue: CallQueue) -> int:
        """Calls waiting in ``queue`` that ``group``'s agents may be offered now (with seat
        sites, dialect callers before their fallback only to agents who speak it)."""
        if self._sites is None:
            return queue.n
        return queue.n - self._sites.hidden(group, queue)

    def _fill(self, group: AgentGroup, now: float) -> None:
        """Idle agents of ``group`` take waiting calls while there are any."""
        self._take_waiting(group, now)
        for hook in self._hooks["on_agents_idle"]:
            hook(now)

    def _take_waiting(self, group: AgentGroup, now: float) -> None:
        """Idle agents in turn are offered a waiting call. The agent offered one is taken
        out of the idle count while the policy chooses, as a freed agent is: a policy
        that keeps idle agents back (a reserve) counts the others, not him too."""
        while group.idle:
            agent = group.take(now)
            call = self._selected(group, now)
            if call is None:
                group.untake(agent)
                break
            self._answer(call, group, agent, now)

    def _routed(self, call: Call) -> AgentGroup | None:
        """The group with an idle agent the policy chose for ``call``, or None."""
        view = self._route(call)
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
        call = cast("Call | None", self._select(group))
        if call is None:
            return None
        if call.state != State.WAITING or call.pending:
            raise RuntimeError(f"policy {self.policy.name} chose call {call.id}, which is "
                               f"not waiting for an agent")
        self.queues[call.queue].take(call, now)
        return call

    # -- staffing and interval statistics --------------------------------------------------
    def _on_tick_at(self, k: int) -> None:
        now = self.env.now
        if k > 0:
            self._close_interval(k - 1, now)
        if k < self.spec.n_intervals:
            for group in self.groups:
                av = group.spec.availability
                head = group.spec.staffing[k] if av is None else av.head_at_start(k)
                joined = group.set_target(head, now)
                if joined:
                    if self._idle_clock is not None:
                        self._idle_clock.logged_in(group, list(group.free)[-joined:], now)
                    self._fill(group, now)
            for hook in self._hooks["on_interval_start"]:
                hook(k, now)
            self.at(self.spec.interval_s * (k + 1) - now, self._on_tick, k + 1)
        elif math.isfinite(self.spec.drain_s):
            self.at(self.spec.drain_s, self._on_close, None)

    def _on_tick(self, event) -> None:
        self._on_tick_at(event.value)

    def _close_interval(self, k: int, now: float) -> None:
        rec = self.rec
        for group in self.groups:
            group.account(now)
            rec.group_busy_s[group.index, k] = group.busy_area - self._last_busy[group.index]
            rec.group_staffed_s[group.index, k] = (group.staffed_area
                                                   - self._last_staffed[group.index])
            rec.group_away_s[group.index, k] = group.away_area - self._last_away[group.index]
            self._last_away[group.index] = group.away_area
            self._last_busy[group.index] = group.busy_area
            self._last_staffed[group.index] = group.staffed_area
        for queue in self.queues:
            queue.account(now)
            rec.queue_area[queue.index, k] = queue.area - self._last_qarea[queue.index]
            self._last_qarea[queue.index] = queue.area
        for hook in self._hooks["on_interval_end"]:
            hook(k, now)

    def _on_close(self, event) -> None:
        self._close()

    def _close(self) -> None:
        """The centre closes: calls still waiting are disconnected by the system."""
        now = self.env.now
        for queue in self.queues:
            for level in queue.deques():
                while level:
                    call = level.popleft()
                    if call.state == State.WAITING:
                        queue.leave(now)
                        call.t_left_queue = now
                        self.leave(call, Outcome.DISCONNECTED, Ending.CLOSED, now)
        for call in list(self._held.values()):  # still in their answer delay
            self._unqueue(call, now)
            call.t_left_queue = now
            self.leave(call, Outcome.DISCONNECTED, Ending.CLOSED, now)
