"""``scenario.groups.NAME.availability``: agent states inside the scheduled headcount.

Scheduled headcount (``staffing``) stays the input; what agents can take calls follows
from the states (issue 15, item 1; issue 16's availability model):

- ``shrinkage`` (default 0): share of the scheduled agents absent (absence, training,
  meetings), a number or one per interval. Present = staffing x (1 - shrinkage); a
  fractional present headcount n + f means n agents for the whole interval and one more
  for its first f x interval_s seconds (fractional presence is kept, never rounded away:
  0.2 agents at night is an agent present 6 minutes of a half hour).
- ``not_ready`` (default off): after each call (and its after-call work) the agent goes
  not ready (置忙) with probability ``prob`` for a time drawn from ``duration``; the draws
  come from the call's own keyed stream, so the same call decides the same under every
  policy.
  With ``yields: true`` (default false) the spell is a wrap-up that yields: taken only
  when no caller waits in the group's queues (its away work aside) and ended by the next
  caller of them who may be answered (a queued caller past his answer delay). Why: in
  call logs an agent just off a call is available to the routing less often than a
  minute later, yet a caller already waiting is taken within seconds (FINDINGS items
  15-16).
- ``away_when_idle`` (default off): ``{after, duration}``: an agent idle for ``after``
  (drawn per idle spell, from his hang-up, return or log-in) steps away for
  ``duration``; the next caller of the group's queues (its away work aside) who may be
  answered calls him back at once. The routing sees him away (``classes.NAME.when_busy``
  callers find no agent free). Why: the share of callers put through at an empty queue
  falls with fewer agents not talking faster than agents away on their own clocks give
  (FINDINGS item 17). Draws from the agent's own stream (group, agent, spell). With
  ``min_present`` (default 0) he steps away only while at least that many of the
  group's agents are logged in, himself included (checked when his idle time is up;
  fewer: he stays for the rest of that idle spell). Why: in the bank's log an agent not
  talking is put through at an empty queue more often the fewer agents are present
  (FINDINGS item 21).
- ``breaks`` (default none): ``[{start_s, duration_s, share}]``, each day: at ``start_s``
  (seconds after midnight) a share of the present agents goes on break for
  ``duration_s`` -- idle agents at once, working ones when their call is done.
- ``last_agent_stays_for`` (default none: off): queues whose waiting callers (queued or
  in their answer delay) keep the group's last agent logged in when its headcount falls
  to 0; he serves them (and any caller who joins them meanwhile) and logs out when none
  waits. Why: a call log measures presence from an agent's first to his last call, so
  the last agent of a session has, by that measure, served the callers waiting when he
  left; without the rule a fractional presence ends at a fixed time and strands them.
- ``reaction_time`` (default null: off) with ``away_work`` (queues the group serves whose
  tasks are its agents' away work, e.g. ``hidden_work``): a caller of another queue the
  group serves who has waited ``reaction_time`` (drawn from his own keyed stream; counted
  from queue entry, so a caller in his answer delay is taken at the later of the two) and
  is still waiting makes the agent of the group longest in away work drop that task and
  answer him. Why: in call logs the wait at an empty queue with agents present and not
  talking hardly depends on how many they are (docs/calibration.md, *What limits the hourly waits*),
  where agents away on their own clocks give waits that fall as 1/k with k agents away.
  Agents not ready or on break are not called back: the not-ready state is read off the
  gaps of agents who stayed away while callers waited.
- ``reaction_time_by_queue`` (default null): a queue's own reaction time in place of
  ``reaction_time``, e.g. 0 for a direct line whose calls an agent in away work takes at
  once (the bank's log: direct-line callers answered at once while ACD callers waited,
  docs/calibration.md, *What limits the levels*).

The keys are pydantic models (:class:`Availability`, a field of the groups section):
strict types, shares in [0, 1], finite seconds, unknown keys refused, ``duration``
required when ``prob`` > 0. What needs the horizon (one shrinkage per interval, breaks
inside the day) is checked by :func:`parse`, which builds the engine's spec.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from pydantic import Field, model_validator

from sim.errors import ConfigError
from sim.model.distributions import Distribution
from sim.schema.common import KeyedError, Law, Probability, Seconds, Section
from sim.schema.limits import MAX_AGENTS


class NotReady(Section):
    """Not ready (置忙) after a call, drawn from the call's own stream."""

    prob: Probability = Field(0.0, description="probability an agent goes not ready after "
                                               "a call (and its after-call work)")
    duration: Law = Field(None, description="time not ready, s (finite; required when "
                                            "prob > 0)")

    yields: bool = Field(False, description="taken only when no caller of the group's queues "
                                            "waits, ended by the next one who may be "
                                            "answered")

    @model_validator(mode="after")
    def _duration_given(self) -> NotReady:
        if self.prob > 0 and self.duration is None:
            raise KeyedError("duration", "required when prob > 0 (a distribution of seconds)")
        return self


class AwayWhenIdle(Section):
    """Agents idle for a while step away until a caller may be answered."""

    after: Law = Field(description="idle time before the agent steps away, s (finite)")
    duration: Law = Field(description="time away unless called back, s (finite)")
    min_present: int = Field(0, ge=0, le=MAX_AGENTS, description="steps away only while at "
                             "least this many of the group's agents are logged in, himself "
                             "included (agents; 0: whatever the headcount)")


class Break(Section):
    """A daily break of a share of the agents present."""

    start_s: Seconds = Field(description="seconds after midnight, every day (before the "
                                         "day's end)")
    duration_s: Seconds = Field(description="length of the break, s (at most a day)")
    share: Probability = Field(description="share of the agents present at start_s")


class Availability(Section):
    """A group's agent states inside its scheduled headcount."""

    shrinkage: Probability | list[Probability] = Field(
        0.0, description="share of scheduled agents absent: a number or one per interval "
                         "of the day")
    not_ready: NotReady | None = Field(None, description="not ready after calls; null: off")
    breaks: list[Break] | None = Field(None, description="daily breaks; null: none")
    away_when_idle: AwayWhenIdle | None = Field(
        None, description="agents idle for `after` step away for `duration` or until a "
                          "caller may be answered; null: off")
    last_agent_stays_for: list[str] | None = Field(
        None, description="queues (served by the group) whose waiting callers, queued or in "
                          "their answer delay, keep its last agent logged in when its "
                          "headcount falls to 0, until none waits; null: off")
    reaction_time: Law = Field(
        None, description="s a caller waits (still waiting, from queue entry) before an agent "
                          "of the group in away work drops it and answers him (finite; "
                          "requires away_work); null: off")
    away_work: list[str] | None = Field(
        None, description="queues (served by the group) whose tasks are its agents' away "
                          "work, left for a caller who waited reaction_time; null: none")
    reaction_time_by_queue: dict[str, Law] | None = Field(
        None, description="queue -> its callers' reaction time, s, in place of "
                          "reaction_time (e.g. a direct line answered at once: "
                          "{dist: deterministic, value: 0}; requires reaction_time); "
                          "null: reaction_time for every queue")

    @model_validator(mode="after")
    def _reaction_pairs(self) -> Availability:
        if self.reaction_time is not None and not self.away_work:
            raise KeyedError("away_work", "required when reaction_time is set (queues the "
                                          "group serves whose tasks are its away work)")
        if (self.away_work or self.reaction_time_by_queue) and self.reaction_time is None:
            raise KeyedError("reaction_time", "required when away_work or "
                                              "reaction_time_by_queue is set (a "
                                              "distribution of seconds)")
        return self


@dataclass(frozen=True)
class BreakSpec:
    start_s: float  # seconds after midnight, every day
    duration_s: float
    share: float  # of the agents present at start_s


@dataclass(frozen=True)
class AvailabilitySpec:
    """A group's agent states: presence per interval, not-ready after calls, breaks."""

    full: tuple[int, ...]  # agents present for the whole interval, per interval of horizon
    partial_s: tuple[float, ...]  # seconds one more agent is present from interval start
    shrinkage: tuple[float, ...]
    not_ready_prob: float = 0.0
    not_ready: Distribution | None = None
    breaks: tuple[BreakSpec, ...] = ()
    stay_for: tuple[int, ...] = ()  # queue indices whose waiting callers keep the last agent
    reaction: Distribution | None = None  # a waiting caller's reaction time (None: off)
    away_work: tuple[int, ...] = ()  # queue indices whose tasks an agent drops for him
    reaction_by_queue: tuple[tuple[int, Distribution], ...] = ()  # (queue, its own law)
    not_ready_yields: bool = False  # not ready only when nobody waits, ended by a caller
    idle_after: Distribution | None = None  # away_when_idle.after (None: off)
    idle_away: Distribution | None = None  # away_when_idle.duration
    idle_min_present: int = 0  # away_when_idle.min_present

    @property
    def yields(self) -> bool:
        """Agents of the group have spells a caller who may be answered ends."""
        return self.not_ready_yields or self.idle_after is not None

    def reaction_for(self, queue: int) -> Distribution | None:
        """The reaction time of ``queue``'s callers: its own law, else the group's."""
        for q, law in self.reaction_by_queue:
            if q == queue:
                return law
        return self.reaction

    def head_at_start(self, k: int) -> int:
        """Agents logged in at the start of interval ``k``."""
        return self.full[k] + (1 if self.partial_s[k] > 0 else 0)


def parse(key: str, value: Availability | None, staffing: Sequence[int], per_day: int,
          interval_s: float, queues: dict[str, int] | None = None
          ) -> AvailabilitySpec | None:
    """The group's availability for the engine, or None when the key is absent or null
    (off: every scheduled agent present and ready, as before the key existed). ``value``
    is validated (:class:`Availability`); checked here: what needs the horizon, and that
    ``last_agent_stays_for`` names queues the group serves (``queues``: name -> index)."""
    if value is None:
        return None
    from sim.schema.distribution import parse as parse_distribution

    n = len(staffing)
    shrink = value.shrinkage
    if isinstance(shrink, list):
        if len(shrink) not in (per_day, n):
            raise ConfigError(f"{key}.shrinkage", f"has {len(shrink)} values; allowed: a "
                                                  f"number or {per_day} (one per interval)")
        shares = (list(shrink) * (n // len(shrink)))[:n]
    else:
        shares = [shrink] * n
    full, partial = presence(staffing, shares, interval_s)
    prob, dur = 0.0, None
    nr = value.not_ready
    if nr is not None and nr.prob > 0:
        prob = nr.prob
        dur = parse_distribution(f"{key}.not_ready.duration", nr.duration, finite=True)
    day_s = per_day * interval_s
    breaks = []
    for i, b in enumerate(value.breaks or ()):
        for name in ("start_s", "duration_s"):
            if getattr(b, name) > day_s or (name == "start_s" and b.start_s >= day_s):
                raise ConfigError(f"{key}.breaks[{i}].{name}", f"must be before the end of "
                                                               f"the day ({day_s:g} s)")
        breaks.append(BreakSpec(b.start_s, b.duration_s, b.share))
    reaction = None
    if value.reaction_time is not None:
        reaction = parse_distribution(f"{key}.reaction_time", value.reaction_time,
                                      finite=True)
    served = queues or {}
    away = _served(f"{key}.away_work", value.away_work, served)
    idle = value.away_when_idle
    return AvailabilitySpec(full, partial, tuple(float(x) for x in shares), prob, dur,
                            tuple(breaks),
                            _served(f"{key}.last_agent_stays_for",
                                    value.last_agent_stays_for, served),
                            reaction, away, _by_queue(key, value, served, away),
                            not_ready_yields=prob > 0 and nr is not None and nr.yields,
                            idle_after=None if idle is None else parse_distribution(
                                f"{key}.away_when_idle.after", idle.after, finite=True),
                            idle_away=None if idle is None else parse_distribution(
                                f"{key}.away_when_idle.duration", idle.duration,
                                finite=True),
                            idle_min_present=0 if idle is None else idle.min_present)


def _by_queue(key: str, value: Availability, served: dict[str, int],
              away: tuple[int, ...]) -> tuple[tuple[int, Distribution], ...]:
    """``reaction_time_by_queue`` as (queue index, law), sorted: queues the group serves
    that are not its away work."""
    from sim.schema.distribution import parse as parse_distribution

    out = []
    for name, law in (value.reaction_time_by_queue or {}).items():
        k = f"{key}.reaction_time_by_queue.{name}"
        if name not in served or served[name] in away:
            callers = ", ".join(n for n, i in served.items() if i not in away) or "none"
            raise ConfigError(k, f"unknown queue {name!r}; allowed: queues the group serves "
                                 f"that are not its away work ({callers})")
        out.append((served[name], parse_distribution(k, law, finite=True)))
    return tuple(sorted(out, key=lambda x: x[0]))


def presence(staffing: Sequence[int], shares: Sequence[float], interval_s: float
             ) -> tuple[tuple[int, ...], tuple[float, ...]]:
    """Present = staffing x (1 - shrinkage), per interval: the agents present for the
    whole interval and the seconds one more is present from its start."""
    present = [s * (1 - x) for s, x in zip(staffing, shares, strict=True)]
    full = tuple(int(math.floor(p + 1e-9)) for p in present)
    partial = tuple(round((p - f) * interval_s, 6) if p - f > 1e-9 else 0.0
                    for p, f in zip(present, full, strict=True))
    return full, partial


def restaffed(av: AvailabilitySpec, staffing: Sequence[int], interval_s: float
              ) -> AvailabilitySpec:
    """``av`` for another staffing of its group (``ccsim staff``'s plans): presence is
    derived from the staffing, so it is recomputed with the same shrinkage."""
    full, partial = presence(staffing, av.shrinkage, interval_s)
    return replace(av, full=full, partial_s=partial)


def _served(key: str, names: list[str] | None, queues: dict[str, int]) -> tuple[int, ...]:
    """Indices of the queues ``names`` (each one the group serves), sorted."""
    out = []
    for i, name in enumerate(names or ()):
        if name not in queues:
            raise ConfigError(f"{key}[{i}]", f"unknown queue {name!r}; allowed: queues the "
                                             f"group serves ({', '.join(queues) or 'none'})")
        out.append(queues[name])
    return tuple(sorted(set(out)))
