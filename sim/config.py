"""Config → validated model spec. Validation happens here, once, when config is loaded.

Every problem is a :class:`ConfigError` naming the full key and what is allowed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sim.errors import ConfigError
from sim.model.distributions import Deterministic, Distribution
from sim.model.spec import CallClass, GroupSpec, ModelSpec, QueueSpec
from sim.schema import limits
from sim.schema.distribution import parse as parse_distribution
from sim.schema.trust import check_name

SCENARIO_KEYS = {
    "name", "description", "horizon", "arrivals", "classes", "queues", "groups", "lines",
    "service_level_s", "load", "currency",
}
HORIZON_KEYS = {"days", "interval_s", "intervals_per_day", "warmup_s", "drain_s"}
ARRIVAL_KEYS = {"calls_per_interval", "day_volume_cv", "trace"}
CLASS_KEYS = {
    "mix", "priority", "queue", "patience", "ivr_time", "handle_time", "handle_time_by_group",
    "after_call_work", "after_call_work_by_group", "calls_per_interval", "answer_delay",
}
QUEUE_KEYS = {"groups", "max_wait_s", "announce_s", "press2_prob", "press2_node"}
GROUP_KEYS = {"staffing", "cost_per_hour", "queues", "extra_agents", "availability"}


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


def _mapping(key: str, value: Any) -> Mapping:
    if not isinstance(value, Mapping):
        raise ConfigError(key, f"must be a mapping, got {type(value).__name__}")
    return value


def _check_keys(key: str, value: Mapping, allowed: set[str], required: set[str] = frozenset()):
    for k in value:
        if k not in allowed:
            where = f"{key}.{k}" if key else str(k)
            raise ConfigError(where, f"unknown key; allowed: {', '.join(sorted(allowed))}")
    for k in sorted(required):
        if k not in value:
            raise ConfigError(f"{key}.{k}" if key else k, "is required")


def _num(key: str, value: Any, *, low: float = 0.0, strict: bool = False,
         integer: bool = False, allow_inf: bool = False,
         high: float = limits.MAX_TIME_S) -> float:
    if value is None and allow_inf:
        return math.inf
    ok_type = isinstance(value, (int, float)) and not isinstance(value, bool)
    if integer:
        ok_type = ok_type and float(value).is_integer()
    what = "an integer" if integer else "a number"
    bound = f"> {low:g}" if strict else f">= {low:g}"
    if not ok_type:
        raise ConfigError(key, f"must be {what} {bound}, got {value!r}")
    x = float(value)
    if (strict and not x > low) or (not strict and not x >= low) or (
        math.isinf(x) and not allow_inf) or math.isnan(x) or (
        x > high and not (allow_inf and math.isinf(x))):
        extra = " (or null for none)" if allow_inf else ""
        raise ConfigError(key, f"must be {what} {bound} and <= {high:g}{extra}, got {value!r}")
    return x


def _per_interval(key: str, value: Any, per_day: int, days: int, *, integer: bool
                  ) -> tuple[float, ...]:
    """... integers are agents (at most limits.MAX_AGENTS), numbers expected calls."""
    """A scalar, one value per interval of the day (repeated daily), or one per interval."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        values = [value] * per_day
    elif isinstance(value, Sequence) and not isinstance(value, str):
        values = list(value)
    else:
        raise ConfigError(key, f"must be a number or a list of {per_day} (or {per_day * days}) "
                               "numbers")
    if len(values) not in (per_day, per_day * days):
        allowed = f"{per_day}" + (f" or {per_day * days}" if days > 1 else "")
        raise ConfigError(key, f"has {len(values)} values; allowed: a scalar or {allowed} "
                               f"(one per interval)")
    high = limits.MAX_AGENTS if integer else limits.MAX_CALLS_PER_INTERVAL
    scalar = not isinstance(value, Sequence)
    out = [_num(key if scalar else f"{key}[{i}]", v, integer=integer, high=high)
           for i, v in enumerate(values)]
    if len(out) == per_day:
        out = out * days
    return tuple(int(v) if integer else v for v in out)


def _names(key: str, value: Any) -> list[str]:
    """Entry names in order; an entry set to null is removed (how a config file deletes an
    inherited class, queue or group)."""
    m = _mapping(key, value)
    names = [str(k) for k, v in m.items() if v is not None]
    if not names:
        raise ConfigError(key, "must define at least one entry")
    return names


def build_model_spec(scn: Mapping) -> ModelSpec:
    """Validate a scenario mapping (the ``scenario`` config node) into a :class:`ModelSpec`."""
    scn = _mapping("scenario", scn)
    from sim.config_hotline import HOTLINE_KEYS, build_hotline

    hotline = "tiers" in scn
    _check_keys("scenario", scn, SCENARIO_KEYS | HOTLINE_KEYS,
                {"arrivals", "queues", "groups", "tiers" if hotline else "classes"})
    if hotline and "classes" in scn:
        raise ConfigError("scenario.classes", "give either classes (a simple scenario) or "
                                              "tiers and reasons (a hotline), not both")
    if not isinstance(scn.get("currency", ""), str):  # a label for reports only
        raise ConfigError("scenario.currency", f"must be a currency name such as CNY, got "
                                               f"{scn['currency']!r}")
    hz = _mapping("scenario.horizon", scn.get("horizon", {}))
    _check_keys("scenario.horizon", hz, HORIZON_KEYS)
    days = int(_num("scenario.horizon.days", hz.get("days", 1), low=1, integer=True,
                    high=limits.MAX_DAYS))
    interval_s = _num("scenario.horizon.interval_s", hz.get("interval_s", 1800),
                      low=limits.MIN_INTERVAL_S, high=limits.MAX_INTERVAL_S)
    per_day = int(_num("scenario.horizon.intervals_per_day", hz.get("intervals_per_day", 48),
                       low=1, integer=True, high=limits.MAX_INTERVALS_PER_DAY))
    if days * per_day * interval_s > limits.MAX_HORIZON_S:
        raise ConfigError("scenario.horizon", f"days x intervals_per_day x interval_s must be "
                                              f"<= {limits.MAX_HORIZON_S:g} s (a year), got "
                                              f"{days * per_day * interval_s:g}")
    warmup_s = _num("scenario.horizon.warmup_s", hz.get("warmup_s", 0))
    warmup_intervals = math.ceil(warmup_s / interval_s - 1e-9)
    if warmup_intervals >= per_day * days:
        raise ConfigError("scenario.horizon.warmup_s", "must be shorter than the horizon")
    drain_s = _num("scenario.horizon.drain_s", hz.get("drain_s", 86400.0), allow_inf=True)
    load = _num("scenario.load", scn.get("load", 1.0), high=limits.MAX_LOAD)

    arr = _mapping("scenario.arrivals", scn["arrivals"])
    _check_keys("scenario.arrivals", arr, ARRIVAL_KEYS)
    if ("calls_per_interval" in arr) == ("trace" in arr):
        raise ConfigError("scenario.arrivals", "give exactly one of calls_per_interval "
                                               "(Poisson arrivals) or trace (fixed arrivals)")
    volume = _per_interval("scenario.arrivals.calls_per_interval",
                           arr.get("calls_per_interval", 0), per_day, days, integer=False)
    volume = tuple(v * load for v in volume)
    limits.check_volume("scenario.arrivals.calls_per_interval", volume, " (x load)")
    day_cv = _num("scenario.arrivals.day_volume_cv", arr.get("day_volume_cv", 0.0))

    queue_names = _names("scenario.queues", scn["queues"])
    group_names = _names("scenario.groups", scn["groups"])
    queues = _build_queues(scn["queues"], queue_names, group_names)
    groups = _build_groups(scn["groups"], group_names, queues, per_day, days, interval_s)
    extra: dict[str, Any] = {}
    if hotline:
        def per_interval(key, value, *, integer):
            return _per_interval(key, value, per_day, days, integer=integer)

        extra = build_hotline(scn, queues, groups, per_interval)
        classes = extra.pop("classes")
        queues = extra.pop("queues")
    else:
        for q in queue_names:
            for k in ("press2_prob", "press2_node"):
                if scn["queues"][q].get(k):
                    raise ConfigError(f"scenario.queues.{q}.{k}", "needs an IVR to send the "
                                      "caller to: only in hotline scenarios (tiers, reasons, ivr)")
        class_names = _names("scenario.classes", scn["classes"])

        def class_volume(key: str, value: Any) -> tuple[float, ...]:
            out = tuple(v * load for v in _per_interval(key, value, per_day, days,
                                                        integer=False))
            limits.check_volume(key, out, " (x load)")
            return out

        classes = _build_classes(scn["classes"], class_names, queue_names, queues, group_names,
                                 class_volume)
    trace = _build_trace(arr.get("trace"), [c.name for c in classes],
                         per_day * days * interval_s)

    lines = scn.get("lines")
    if lines is not None:
        lines = int(_num("scenario.lines", lines, low=1, integer=True))
    sl = _num("scenario.service_level_s", scn.get("service_level_s", 20.0))
    return ModelSpec(
        name=check_name("scenario.name", scn.get("name", "scenario")), interval_s=interval_s,
        intervals_per_day=per_day,
        days=days, warmup_intervals=warmup_intervals, calls_per_interval=volume,
        day_volume_cv=day_cv, classes=classes, queues=queues, groups=groups, lines=lines,
        service_level_s=sl, drain_s=drain_s, trace=trace, **extra,
    )


def _build_trace(value: Any, class_names: list[str], horizon_s: float
                 ) -> tuple[tuple[float, int], ...] | None:
    """Fixed arrivals ``[[t_seconds, class], ...]``: replayed logs and exact-trace tests."""
    if value is None:
        return None
    key = "scenario.arrivals.trace"
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise ConfigError(key, "must be a list of [t_seconds, class] pairs")
    out = []
    for i, item in enumerate(value):
        if (isinstance(item, str) or not isinstance(item, Sequence) or len(item) != 2):
            raise ConfigError(f"{key}[{i}]", "must be a [t_seconds, class] pair")
        t = _num(f"{key}[{i}][0]", item[0])
        if t >= horizon_s:
            raise ConfigError(f"{key}[{i}][0]", f"must be < the horizon ({horizon_s:g} s)")
        if item[1] not in class_names:
            raise ConfigError(f"{key}[{i}][1]", f"unknown class {item[1]!r}; allowed: "
                                                f"{', '.join(class_names)}")
        out.append((t, class_names.index(item[1])))
    return tuple(sorted(out, key=lambda x: x[0]))


def _build_queues(cfg: Mapping, names: list[str], group_names: list[str]) -> tuple[QueueSpec, ...]:
    out = []
    for i, name in enumerate(names):
        key = f"scenario.queues.{name}"
        q = _mapping(key, cfg[name])
        _check_keys(key, q, QUEUE_KEYS, {"groups"})
        gl = q["groups"]
        if isinstance(gl, str) or not isinstance(gl, Sequence) or not gl:
            raise ConfigError(f"{key}.groups", "must be a non-empty list of group names")
        for g in gl:
            if g not in group_names:
                raise ConfigError(f"{key}.groups", f"unknown group {g!r}; allowed: "
                                                   f"{', '.join(group_names)}")
        if len(set(gl)) != len(gl):
            raise ConfigError(f"{key}.groups", "lists a group twice")
        max_wait = _num(f"{key}.max_wait_s", q.get("max_wait_s"), strict=True, allow_inf=True)
        announce = q.get("announce_s") or []
        if isinstance(announce, str) or not isinstance(announce, Sequence):
            raise ConfigError(f"{key}.announce_s", "must be a list of seconds, e.g. [20, 40]")
        announce = tuple(sorted(_num(f"{key}.announce_s", a, strict=True) for a in announce))
        out.append(QueueSpec(name, i, tuple(group_names.index(g) for g in gl), max_wait,
                             announce))
    return tuple(out)


def _build_groups(cfg: Mapping, names: list[str], queues: tuple[QueueSpec, ...], per_day: int,
                  days: int, interval_s: float = 1800.0) -> tuple[GroupSpec, ...]:
    out = []
    qnames = [q.name for q in queues]
    for i, name in enumerate(names):
        key = f"scenario.groups.{name}"
        g = _mapping(key, cfg[name])
        _check_keys(key, g, GROUP_KEYS, {"staffing"})
        staffing = _per_interval(f"{key}.staffing", g["staffing"], per_day, days, integer=True)
        extra = g.get("extra_agents", 0)
        if isinstance(extra, bool) or not isinstance(extra, int):
            raise ConfigError(f"{key}.extra_agents", f"must be an integer (agents added to "
                                                     f"every open interval), got {extra!r}")
        if extra:  # what-if: "five more agents on the VIP desk" while the desk is open
            staffing = tuple(max(0, s + extra) if s > 0 else 0 for s in staffing)
        cost = _num(f"{key}.cost_per_hour", g.get("cost_per_hour", 0.0))
        served = [q.index for q in queues if i in q.groups]
        order = g.get("queues")
        if order is not None:  # the group's own preference between the queues it serves
            if isinstance(order, str) or not isinstance(order, Sequence):
                raise ConfigError(f"{key}.queues", "must be a list of queue names")
            if sorted(qnames.index(q) if q in qnames else -1 for q in order) != sorted(served):
                allowed = ", ".join(qnames[j] for j in served) or "(none)"
                raise ConfigError(f"{key}.queues", f"must list exactly the queues that name "
                                                   f"this group: {allowed}")
            served = [qnames.index(q) for q in order]
        from sim.schema.availability import parse as parse_availability

        avail = parse_availability(f"{key}.availability", g.get("availability"), staffing,
                                   per_day, interval_s)
        out.append(GroupSpec(name, i, staffing, tuple(served), cost, avail))
    return tuple(out)


def _build_classes(cfg: Mapping, names: list[str], queue_names: list[str],
                   queues: tuple[QueueSpec, ...], group_names: list[str], class_volume
                   ) -> tuple[CallClass, ...]:
    """A class takes a share ``mix`` of the scenario's volume or has its own
    ``calls_per_interval`` (its own daily shape, e.g. calibrated from a log)."""
    out = []
    mixes = []
    for i, name in enumerate(names):
        key = f"scenario.classes.{name}"
        c = _mapping(key, cfg[name])
        own = "calls_per_interval" in c
        _check_keys(key, c, CLASS_KEYS, {"queue", "handle_time"} | (set() if own else {"mix"}))
        if own and "mix" in c:
            raise ConfigError(f"{key}.mix", "give either mix (a share of arrivals."
                                            "calls_per_interval) or calls_per_interval, not both")
        volume = class_volume(f"{key}.calls_per_interval", c["calls_per_interval"]) if own else ()
        mix = _num(f"{key}.mix", c.get("mix", 0.0))
        if mix > 1:
            raise ConfigError(f"{key}.mix", f"must be a probability in [0, 1], got {mix:g}")
        if not own:
            mixes.append(mix)
        qn = c["queue"]
        if qn not in queue_names:
            raise ConfigError(f"{key}.queue", f"unknown queue {qn!r}; allowed: "
                                              f"{', '.join(queue_names)}")
        queue = queues[queue_names.index(qn)]
        priority = int(_num(f"{key}.priority", c.get("priority", 0), integer=True))
        patience = parse_distribution(f"{key}.patience", c.get("patience"))
        ivr = parse_distribution(f"{key}.ivr_time", c.get("ivr_time", 0), finite=True)
        ht = _by_group(key, "handle_time", c, queue, group_names, required=True)
        acw = _by_group(key, "after_call_work", c, queue, group_names, required=False)
        out.append(CallClass(name, i, mix, priority, queue.index, patience, ivr, ht, acw,
                             volume=volume, answer_delay=_answer_delay(key, c)))
    total = sum(mixes)
    if mixes and abs(total - 1.0) > 1e-9:
        each = ", ".join(f"{c.name}={c.mix:g}" for c in out if not c.volume)
        raise ConfigError("scenario.classes.*.mix", f"mix probabilities must sum to 1, got "
                                                    f"{total:.6g} ({each})")
    return tuple(out)


def _answer_delay(key: str, c: Mapping) -> Distribution | None:
    """Time in the queue before a call may be answered (e.g. a mandatory in-queue
    announcement); absent, null, none or 0: off (None keeps the model as it was)."""
    dist = parse_distribution(f"{key}.answer_delay", c.get("answer_delay"))
    if dist.mean == math.inf or (dist.mean == 0 and dist.var == 0):
        return None
    return dist


def _by_group(key: str, field: str, c: Mapping, queue: QueueSpec, group_names: list[str],
              *, required: bool) -> tuple[Distribution | None, ...]:
    """A class's time law for every group: the class default unless overridden by group (a
    policy may route a call to any group: pooling, reservation)."""
    default = parse_distribution(f"{key}.{field}", c.get(field, 0)) if (
        required or field in c) else Deterministic(0.0)
    overrides = _mapping(f"{key}.{field}_by_group", c.get(f"{field}_by_group") or {})
    for g in overrides:
        if g not in group_names:
            raise ConfigError(f"{key}.{field}_by_group.{g}", f"unknown group; allowed: "
                                                             f"{', '.join(group_names)}")
    out: list[Distribution | None] = [None] * len(group_names)
    for gi, gname in enumerate(group_names):
        out[gi] = (parse_distribution(f"{key}.{field}_by_group.{gname}", overrides[gname])
                   if gname in overrides else default)
        if out[gi].mean == math.inf:
            raise ConfigError(f"{key}.{field}", "must be finite (not none)")
    return tuple(out)


def build_run_spec(cfg: Mapping) -> RunSpec:
    """Validate the top-level run keys (seed, replications, outputs) against the schema."""
    from sim.schema.errors import validate
    from sim.schema.run import RunConfig

    run = validate(RunConfig, cfg, "")
    out = run.output
    return RunSpec(run.seed, run.n_reps, run.confidence, out.calls, out.intervals,
                   out.progress, out.report, run.n_jobs, run.engine)
