"""Agent availability inside the scheduled headcount (``groups.NAME.availability``,
:mod:`sim.schema.availability`): partial presence, not-ready periods after calls and
breaks. Agents who are away are logged in (they count in staffed time) but routing never
sees them: only IDLE agents take calls, so available agents follow from the states.

Agents in *away work* (tasks of the ``away_work`` queues, e.g. the calibration's hidden
work) are BUSY on those tasks; with ``reaction_time`` a caller still waiting once he has
waited his reaction time calls one of them back: the agent longest in away work drops his
task (it is not resumed: the task stands for unlogged time whose only evidence is that it
yields to waiting callers) and answers that caller. The task's record ends then
(ending ``recalled``): it is kept from the answer to the task's end or drop.

*Yielding spells* (``not_ready.yields``, ``away_when_idle``) are NOT_READY spells that
the next caller of the group's queues who may be answered ends at once (the agent away
longest comes back); each spell carries a token, so the end scheduled for a spell cut
short finds a newer token (or none) and does nothing. An agent's idle clock
(``away_when_idle``) restarts at each hang-up, return and log-in, with the same token
rule: a clock whose agent has worked, gone or logged out since does nothing.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from sim.model.agents import AgentGroup, AgentState
from sim.model.calls import Call, Draw, State
from sim.model.component import Component
from sim.sampling import draw, stream_key

if TYPE_CHECKING:
    from sim.model.center import Center


class Availability(Component):
    """Moves agents of groups with an availability spec in and out of NOT_READY and
    BREAK, and ends partial presence inside an interval."""

    def __init__(self, core: Center):
        self.core = core
        self.groups = [g for g in core.groups if g.spec.availability is not None]
        # per group: breaks still owed by agents who were working at the break's start,
        # as [agents, duration_s, window end]
        self.owed: dict[int, deque[list[float]]] = {g.index: deque() for g in self.groups}
        # groups whose last agent stays for callers waiting in some of their queues
        self.stayers = [g for g in self.groups
                        if g.spec.availability is not None and g.spec.availability.stay_for]
        for g in self.stayers:
            assert g.spec.availability is not None
            waiting = [core.queues[i] for i in g.spec.availability.stay_for]
            g.stay = lambda qs=waiting: any(q.n or q.pending for q in qs)
        # by queue: the groups whose agents in away work come back for its callers
        self.reactors: list[list[AgentGroup]] = [
            [g for g in self.groups if _reacts(g, q.index)] for q in core.queues]
        # by reacting group: agent -> his away-work task, longest in away work first
        self.away: dict[int, dict[int, Call]] = {
            g.index: {} for g in self.groups if _reacts(g, -1)}
        self.dropped: set[Call] = set()  # away tasks cut short, their end still scheduled
        # away tasks' records as at the answer, added at the task's end or drop
        self.rows: dict[Call, tuple] = {}
        # (group, agent) -> his last away task whose trunk line is free (``lines``)
        self.hung: dict[tuple[int, int], Call] = {}
        # yielding spells: (group, agent) -> token of his current away spell or idle
        # clock; by group: agents in a yielding spell -> its token, longest away first
        self.token: dict[tuple[int, int], int] = {}
        self.n_tokens = 0
        self.yielding: dict[int, dict[int, int]] = {
            g.index: {} for g in self.groups
            if g.spec.availability is not None and g.spec.availability.yields}
        # (group, agent) -> [his away_when_idle stream, draws taken]
        self.idle_stream: dict[tuple[int, int], list[int]] = {}

    def on_interval_start(self, k: int, now: float) -> None:
        core = self.core
        spec = core.spec
        for g in self.groups:
            av = g.spec.availability
            assert av is not None
            if av.partial_s[k] > 0:
                core.at(av.partial_s[k], self._on_partial_end, (g, av.full[k]))
            day_start = (k - k % spec.intervals_per_day) * spec.interval_s
            for b in av.breaks:
                t = day_start + b.start_s
                if now <= t < now + spec.interval_s:
                    core.at(t - now, self._on_break, (g, b.share, b.duration_s))

    def _on_partial_end(self, event) -> None:
        group, full = event.value
        group.set_target(full, self.core.now)  # fewer agents: nobody joins

    def caller_left(self, now: float) -> None:
        """A waiting caller left without an agent: a last agent who stayed idle for the
        callers in their answer delay logs out once none waits."""
        for g in self.stayers:
            g.leave_if_unneeded(now)

    def _on_break(self, event) -> None:
        group, share, duration = event.value
        now = self.core.now
        n = round(share * (group.present - group.to_leave))
        idle = group.idle_agents()[:n]
        for agent in idle:
            self._away(group, agent, AgentState.BREAK, duration, now)
        if n > len(idle):
            self.owed[group.index].append([n - len(idle), duration, now + duration])

    def after_call(self, group: AgentGroup, agent: int, key: int | None, now: float) -> bool:
        """A released agent takes an owed break or goes not ready; True if so."""
        owed = self.owed.get(group.index)
        if owed is None:
            return False
        while owed and owed[0][2] <= now:  # that break's window is over
            owed.popleft()
        if owed:
            entry = owed[0]
            entry[0] -= 1
            if entry[0] <= 0:
                owed.popleft()
            self._away(group, agent, AgentState.BREAK, entry[1], now)
            self.core.reoffer(group, now)
            return True
        av = group.spec.availability
        assert av is not None
        if key is None or av.not_ready_prob <= 0 or av.not_ready is None:
            return False
        if draw(key, Draw.NOT_READY) >= av.not_ready_prob:
            return False
        if av.not_ready_yields and self._callers_wait(group):
            return False  # a wrap-up that yields is not taken while a caller waits
        self._away(group, agent, AgentState.NOT_READY,
                   av.not_ready.sample1(draw(key, Draw.NOT_READY_TIME)), now,
                   av.not_ready_yields)
        self.core.reoffer(group, now)
        return True

    def _callers_wait(self, group: AgentGroup) -> bool:
        """A caller who may be answered waits in a queue of ``group`` (its away work aside)."""
        av = group.spec.availability
        assert av is not None
        return any(self.core.queues[q].n for q in group.spec.queues if q not in av.away_work)

    def _away(self, group: AgentGroup, agent: int, state: AgentState, duration: float,
              now: float, yields: bool = False) -> None:
        group.pause(agent, now, state)
        token = self._new_token(group, agent)
        if yields:
            self.yielding[group.index][agent] = token
        self.core.at(duration, self._on_back, (group, agent, token))

    def _new_token(self, group: AgentGroup, agent: int) -> int:
        self.n_tokens += 1
        self.token[(group.index, agent)] = self.n_tokens
        return self.n_tokens

    def _on_back(self, event) -> None:
        group, agent, token = event.value
        if self.token.get((group.index, agent)) != token:
            return  # called back earlier by a caller
        self._back(group, agent, self.core.now)

    def _back(self, group: AgentGroup, agent: int, now: float) -> None:
        """``agent`` is back from a spell: idle (his idle clock starts) and offered the
        waiting calls, unless he logs out."""
        del self.token[(group.index, agent)]
        ys = self.yielding.get(group.index)
        if ys is not None:
            ys.pop(agent, None)
        if group.resume(agent, now):
            self.idle_from(group, agent, now)
            self.core.fill(group, now)

    # -- away when idle ------------------------------------------------------------------
    def logged_in(self, group: AgentGroup, agents: list[int], now: float) -> None:
        """``agents`` of ``group`` just logged in: each starts a fresh idle clock (a
        reused agent id drops the clock of the agent who had it)."""
        for agent in agents:
            self.idle_from(group, agent, now)

    def idle_from(self, group: AgentGroup, agent: int, now: float) -> None:
        """``agent`` became idle (hang-up, return or log-in): with ``away_when_idle`` he
        steps away once idle for a time drawn from his own stream."""
        av = group.spec.availability
        if av is None or av.idle_after is None or now >= self.core.spec.horizon_s:
            return
        ga = (group.index, agent)
        stream = self.idle_stream.get(ga)
        if stream is None:
            stream = self.idle_stream[ga] = [stream_key(
                self.core.seed, self.core.rep, "away_when_idle", group.index, agent), 0]
        after = av.idle_after.sample1(draw(stream[0], stream[1]))
        stream[1] += 2  # the next draw (+1) is this spell's time away
        self.core.at(after, self._on_idle_long, (group, agent, self._new_token(group, agent)))

    def _on_idle_long(self, event) -> None:
        group, agent, token = event.value
        ga = (group.index, agent)
        if self.token.get(ga) != token or group.state[agent] != AgentState.IDLE:
            return  # he worked, went away or logged out since
        av = group.spec.availability
        assert av is not None and av.idle_away is not None
        if group.target < av.idle_min_present:
            return  # too few colleagues logged in: he stays for this idle spell
        stream = self.idle_stream[ga]
        self._away(group, agent, AgentState.NOT_READY,
                   av.idle_away.sample1(draw(stream[0], stream[1] - 1)), self.core.now,
                   yields=True)

    # -- agents in away work come back for a caller who waited a reaction time ----------
    def waiting(self, call: Call, waited: float) -> None:
        """``call`` may be answered now but waits (``waited``: its answer delay): each
        group that reacts to its queue calls an agent back once it has waited its
        reaction time since queue entry (at once if its delay was longer). First, an
        agent of a group in a yielding spell comes back for him."""
        if self.yielding:
            self._call_back(call)
        groups = self.reactors[call.queue]
        if not groups:
            return
        u = draw(call.key, Draw.REACTION + call.visit - 1)
        for g in groups:
            av = g.spec.availability
            law = av.reaction_for(call.queue) if av is not None else None
            assert law is not None
            self.core.at(max(law.sample1(u) - waited, 0.0), self._on_reaction,
                         (call, call.visit, g))

    def _call_back(self, call: Call) -> None:
        """The agent away longest in a yielding spell, of the first group serving
        ``call``'s queue (not as away work) that has one, is back and offered calls."""
        for g in self.groups:
            ys = self.yielding.get(g.index)
            av = g.spec.availability
            assert av is not None
            if ys and call.queue in g.spec.queues and call.queue not in av.away_work:
                self._back(g, next(iter(ys)), self.core.now)
                return

    def _on_reaction(self, event) -> None:
        call, visit, group = event.value
        tasks = self.away[group.index]
        if call.state != State.WAITING or call.visit != visit or not tasks:
            return  # answered, left, or nobody of the group is in away work
        agent = next(iter(tasks))
        task = tasks.pop(agent)
        self.dropped.add(task)
        self._free_line(group.index, agent, task)
        rec = self.core.rec
        rec.add_row(rec.cut_short(self.rows.pop(task), self.core.now))
        self.core.recall(group, agent, call, self.core.now)

    def answered(self, call: Call, group: AgentGroup, agent: int) -> bool:
        """``agent`` answered ``call``: note it if it is away work of his group, and keep
        its record for the task's end (True), when it is known whether it was cut."""
        tasks = self.away.get(group.index)
        av = group.spec.availability
        if tasks is not None and av is not None and call.queue in av.away_work:
            tasks[agent] = call
            self.rows[call] = self.core.rec.row(call)
            return True
        return False

    def task_cut(self, group: AgentGroup, agent: int, call: Call) -> bool:
        """The end of ``call``'s service by ``agent`` is due: True if it was an away task
        dropped for a caller (the agent is on that caller now: nothing to do)."""
        if call in self.dropped:
            self.dropped.remove(call)
            return True
        tasks = self.away.get(group.index)
        if tasks is not None and tasks.get(agent) is call:
            del tasks[agent]
            self._free_line(group.index, agent, call)
            self.core.rec.add_row(self.rows.pop(call))
        return False

    def hangs_up(self, call: Call) -> bool:
        """The hang-up of an answered call with ``lines``: True if it frees the line;
        False for an away task dropped (or ended) before it, whose line is free already."""
        tasks = self.away.get(call.group)
        av = self.core.groups[call.group].spec.availability
        if tasks is None or av is None or call.queue not in av.away_work:
            return True
        if tasks.get(call.agent) is not call:
            return False
        self.hung[(call.group, call.agent)] = call
        return True

    def _free_line(self, g: int, agent: int, task: Call) -> None:
        """Away task ``task`` of ``agent`` of group ``g`` was dropped or ended: its call
        ends now, so its trunk line is free unless its hang-up came first."""
        core = self.core
        if core.spec.lines is None or core.spec.classes[task.cls].work:
            return
        if self.hung.get((g, agent)) is not task:
            self.hung[(g, agent)] = task
            core.free_line()


def _reacts(group: AgentGroup, queue: int) -> bool:
    """Agents of ``group`` in away work come back for callers of ``queue`` (-1: of any
    queue it serves that is not its away work)."""
    av = group.spec.availability
    if av is None or av.reaction is None:
        return False
    return queue not in av.away_work and (queue < 0 or queue in group.spec.queues)
