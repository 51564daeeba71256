"""Config → validated model spec, built once when config is loaded.

Validation (types, limits, unknown keys, name references) is the schema's
(:mod:`sim.schema`, one module per scenario section); every problem is a
:class:`ConfigError` naming the full key and what is allowed. This module turns the
validated scenario into the :class:`ModelSpec` the simulation runs.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sim.errors import ConfigError
from sim.model.distributions import Distribution
from sim.model.spec import CallClass, GroupSpec, ModelSpec, QueueSpec
from sim.schema import limits
from sim.schema.common import PerInterval, expand
from sim.schema.distribution import by_group
from sim.schema.distribution import parse as parse_distribution
from sim.schema.queues import live
from sim.schema.scenario import validate_scenario
from sim.schema.sites import build_sites
from sim.schema.trust import check_name


@dataclass(frozen=True)
class RunSpec:
    """How to run: seed, replications, what to write."""

    seed: int
    n_reps: int
    confidence: float
    write_calls: bool
    write_intervals: bool
    progress: bool
    write_report: bool = False
    n_jobs: int = 1  # processes running replications (the numbers do not depend on it)
    engine: str = "auto"  # simpy | fast | auto (fast where supported; same numbers)


def build_model_spec(scn: Mapping) -> ModelSpec:
    """Validate a scenario mapping (the ``scenario`` config node) into a :class:`ModelSpec`."""
    from sim.config_hotline import build_hotline, build_redial

    s = validate_scenario(scn)
    hz = s.horizon
    days, interval_s, per_day = hz.days, hz.interval_s, hz.intervals_per_day
    warmup_intervals = math.ceil(hz.warmup_s / interval_s - 1e-9)
    drain_s = math.inf if hz.drain_s is None else hz.drain_s
    load = s.load

    def per_interval(key: str, value: Any, *, integer: bool) -> tuple:
        return expand(key, value, per_day, days, integer=integer)

    arr = s.arrivals
    volume = per_interval("scenario.arrivals.calls_per_interval",
                          arr.calls_per_interval if arr.trace is None else 0, integer=False)
    volume = tuple(v * load for v in volume)
    limits.check_volume("scenario.arrivals.calls_per_interval", volume, " (x load)")

    queue_names = live(s.queues)
    group_names = live(s.groups)
    queues = _build_queues(s, queue_names, group_names)
    groups = _build_groups(s, group_names, queues, per_interval, per_day, interval_s)
    extra: dict[str, Any] = {}
    if s.tiers is not None:
        extra = build_hotline(s, queues, groups, per_interval)
        classes = extra.pop("classes")
        queues = extra.pop("queues")
    else:
        _no_hotline_sections(s)
        extra = {"redial": build_redial(s.redial)}

        def class_volume(key: str, value: Any) -> tuple[float, ...]:
            out = tuple(v * load for v in per_interval(key, value, integer=False))
            limits.check_volume(key, out, " (x load)")
            return out

        classes = _build_classes(s, queues, group_names, class_volume)
    sites, groups = build_sites(s, groups, classes, extra.get("tiers", ()))
    if sites is not None:
        _no_reaction_with_sites(groups)
    trace = _build_trace(arr.trace, [c.name for c in classes], per_day * days * interval_s)
    return ModelSpec(
        name=check_name("scenario.name", s.name), interval_s=interval_s,
        intervals_per_day=per_day,
        days=days, warmup_intervals=warmup_intervals, calls_per_interval=volume,
        day_volume_cv=arr.day_volume_cv, classes=classes, queues=queues, groups=groups,
        lines=s.lines, service_level_s=s.service_level_s, drain_s=drain_s, trace=trace,
        short_abandon_s=s.short_abandon_s, sites=sites,
        **extra,
    )


HOTLINE_SECTIONS = ("customers", "value", "reasons", "reason_share_by_tier", "ivr",
                    "second_line", "outbound", "outage", "operations")


def _no_hotline_sections(s: Any) -> None:
    """A scenario of call classes has no tiers, reasons or IVR tree for these sections to
    act on: refused rather than silently ignored."""
    for name in HOTLINE_SECTIONS:
        if name in s.model_fields_set and getattr(s, name) is not None:
            raise ConfigError(f"scenario.{name}", "needs a hotline scenario (scenario.tiers); "
                                                  "allowed with scenario.classes: null")


def _no_reaction_with_sites(groups: tuple[GroupSpec, ...]) -> None:
    """An agent called back from away work answers his caller directly, which would
    bypass the dialect rule of seat sites: refused rather than silently ignored."""
    for g in groups:
        if g.availability is not None and g.availability.reaction is not None:
            raise ConfigError(f"scenario.groups.{g.name}.availability.reaction_time",
                              "not available with scenario.sites (the dialect rule); "
                              "allowed: null")


def _build_trace(value: list[tuple[float, str]] | None, class_names: list[str],
                 horizon_s: float) -> tuple[tuple[float, int], ...] | None:
    """Fixed arrivals ``[[t_seconds, class], ...]``: replayed logs and exact-trace tests."""
    if value is None:
        return None
    key = "scenario.arrivals.trace"
    out = []
    for i, (t, cls) in enumerate(value):
        if t >= horizon_s:
            raise ConfigError(f"{key}[{i}][0]", f"must be < the horizon ({horizon_s:g} s)")
        if cls not in class_names:
            raise ConfigError(f"{key}[{i}][1]", f"unknown class {cls!r}; allowed: "
                                                f"{', '.join(class_names)}")
        out.append((t, class_names.index(cls)))
    return tuple(sorted(out, key=lambda x: x[0]))


def _build_queues(s: Any, names: list[str], group_names: list[str]) -> tuple[QueueSpec, ...]:
    out = []
    for i, name in enumerate(names):
        q = s.queues[name]
        max_wait = math.inf if q.max_wait_s is None else q.max_wait_s
        announce = tuple(sorted(q.announce_s or ()))
        out.append(QueueSpec(name, i, tuple(group_names.index(g) for g in q.groups), max_wait,
                             announce))
    return tuple(out)


def _build_groups(s: Any, names: list[str], queues: tuple[QueueSpec, ...],
                  per_interval: PerInterval, per_day: int,
                  interval_s: float) -> tuple[GroupSpec, ...]:
    from sim.schema.availability import parse as parse_availability

    out = []
    qnames = [q.name for q in queues]
    for i, name in enumerate(names):
        g = s.groups[name]
        staffing = per_interval(f"scenario.groups.{name}.staffing", g.staffing, integer=True)
        if g.extra_agents:  # what-if: "five more agents on the VIP desk" while it is open
            staffing = tuple(max(0, n + g.extra_agents) if n > 0 else 0 for n in staffing)
        served = [q.index for q in queues if i in q.groups]
        if g.queues is not None:  # the group's own preference between the queues it serves
            served = [qnames.index(q) for q in g.queues]
        avail = parse_availability(f"scenario.groups.{name}.availability", g.availability,
                                   staffing, per_day, interval_s,
                                   {qnames[q]: q for q in served})
        out.append(GroupSpec(name, i, staffing, tuple(served), g.cost_per_hour, avail))
    return tuple(out)


def _build_classes(s: Any, queues: tuple[QueueSpec, ...], group_names: list[str],
                   class_volume: Callable[[str, Any], tuple[float, ...]]
                   ) -> tuple[CallClass, ...]:
    """A class takes a share ``mix`` of the scenario's volume or has its own
    ``calls_per_interval`` (its own daily shape, e.g. calibrated from a log)."""
    out = []
    queue_names = [q.name for q in queues]
    names = live(s.classes)
    for i, name in enumerate(names):
        key = f"scenario.classes.{name}"
        c = s.classes[name]
        own = c.calls_per_interval is not None
        volume = class_volume(f"{key}.calls_per_interval", c.calls_per_interval) if own else ()
        queue = queues[queue_names.index(c.queue)]
        patience = parse_distribution(f"{key}.patience", c.patience)
        ivr = parse_distribution(f"{key}.ivr_time", c.ivr_time, finite=True)
        ht = by_group(key, "handle_time", c.handle_time, c.handle_time_by_group, group_names)
        acw = by_group(key, "after_call_work", c.after_call_work,
                        c.after_call_work_by_group, group_names)
        out.append(CallClass(name, i, c.mix if c.mix is not None else 0.0, c.priority,
                             queue.index, patience, ivr, ht, acw, volume=volume,
                             answer_delay=_answer_delay(key, c.answer_delay),
                             work=c.kind == "work",
                             when_busy=_switch(names, c.when_busy),
                             when_free=_switch(names, c.when_free)))
    return tuple(out)


def _switch(names: list[str], switch: dict[str, float] | None) -> tuple[tuple[int, float], ...]:
    return tuple((names.index(n), p) for n, p in (switch or {}).items())


def _answer_delay(key: str, value: Any) -> Distribution | None:
    """Time in the queue before a call may be answered (e.g. a mandatory in-queue
    announcement); absent, null, none or 0: off (None keeps the model as it was)."""
    dist = parse_distribution(f"{key}.answer_delay", value)
    if dist.mean == math.inf or (dist.mean == 0 and dist.var == 0):
        return None
    return dist


def build_run_spec(cfg: Mapping) -> RunSpec:
    """Validate the top-level run keys (seed, replications, outputs) against the schema."""
    from sim.schema.errors import validate
    from sim.schema.run import RunConfig

    run = validate(RunConfig, cfg, "")
    out = run.output
    return RunSpec(run.seed, run.n_reps, run.confidence, out.calls, out.intervals,
                   out.progress, out.report, run.n_jobs, run.engine)
