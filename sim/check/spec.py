"""The SLA spec (``sla/*.yaml``): loaded and validated once, every error one line.

A spec names targets (a KPI with a ``min`` and/or ``max`` in a scope), how replications
are spent (``replications: {initial, max, step}``), how a verdict is reached
(``decision: {policy, warn, adjust}``) and the tolerances of a baseline comparison.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sim.kpi_specs import names as _kpi_names

SCOPES = {"overall": "overall", "class": "by_class", "group": "by_group", "tier": "by_tier",
          "reason": "by_reason"}
TOP_KEYS = ("description", "scenario", "confidence", "decision", "replications", "targets",
            "baseline")
TARGET_KEYS = ("id", "kpi", "scope", "name", "min", "max", "tolerance")
DECISION = {"policy": ("ci", "mean"), "warn": ("pass", "fail"), "adjust": ("looks", "none")}
REPLICATION_KEYS = ("initial", "max", "step")
BASELINE_KEYS = ("tolerance",)
DEFAULT_REPS = {"initial": 5, "max": 20, "step": 5}
# KPIs that are shares: their bounds must lie in [0, 1].
RATES = _kpi_names(fmt="pct")
# Which way is better, for baseline comparisons of a KPI that no target gives a direction
# (the KPI registry). Neutral KPIs (occupancy, handle time, volumes): a baseline tolerance
# on them needs a target that says which way.
HIGHER_BETTER = _kpi_names("high")
LOWER_BETTER = _kpi_names("low")


class SLAError(ValueError):
    """Bad input to the gate (spec, baseline, options): one line naming the key."""


@dataclass(frozen=True)
class Target:
    """A bound on one KPI in one scope: ``min <= KPI <= max`` (either may be absent)."""

    id: str
    kpi: str
    scope: str = "overall"
    name: str | None = None
    min: float | None = None
    max: float | None = None
    tolerance: float | None = None  # allowed degradation against a baseline
    origin: str = field(default="", compare=False)  # where in the file: targets[i]

    @property
    def key(self) -> tuple[str, str | None, str]:
        """Where the value sits in a replication's KPI dict: (scope key, name, kpi)."""
        return SCOPES[self.scope], self.name, self.kpi

    @property
    def bound(self) -> str:
        if self.min is not None and self.max is not None:
            return f"in [{self.min:g}, {self.max:g}]"
        return f">= {self.min:g}" if self.min is not None else f"<= {self.max:g}"

    @property
    def higher_better(self) -> bool | None:
        """The direction the bound implies (None for a range or no bound)."""
        if (self.min is None) == (self.max is None):
            return None
        return self.min is not None


@dataclass(frozen=True)
class SLASpec:
    source: str
    targets: tuple[Target, ...]
    confidence: float = 0.95
    policy: str = "ci"
    warn: str = "pass"
    adjust: str = "looks"
    initial: int = DEFAULT_REPS["initial"]
    max_reps: int = DEFAULT_REPS["max"]
    step: int = DEFAULT_REPS["step"]
    tolerance: Mapping[str, float] = field(default_factory=dict)
    scenario: str | None = None
    description: str = ""


def better(kpi: str, higher: bool | None, where: str) -> bool:
    """Whether a higher ``kpi`` is better: from the target's bound, else from what ccsim
    knows of the KPI; unknown is bad input."""
    if higher is None:
        higher = True if kpi in HIGHER_BETTER else False if kpi in LOWER_BETTER else None
    if higher is None:
        raise SLAError(f"{where}: ccsim does not know whether a higher {kpi} is better; give "
                       f"a target for {kpi} with only min (higher is better) or only max "
                       f"(lower is better)")
    return higher


def target_id(kpi: str, scope: str, name: str | None) -> str:
    return kpi if scope == "overall" else f"{kpi}[{scope}={name}]"


def load_spec(path: Path) -> SLASpec:
    """Read and validate an SLA file."""
    import yaml

    try:
        data = yaml.safe_load(path.read_text())
    except OSError as exc:
        raise SLAError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise SLAError(f"{path}: not a text file; allowed: an SLA spec in YAML "
                       f"(see configs/sla)") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise SLAError(f"{path}: invalid YAML: {where}{getattr(exc, 'problem', '') or exc}"
                       ) from None
    return parse_spec(data, str(path))


def parse_spec(data: object, source: str = "<sla>") -> SLASpec:
    """Validate a spec given as plain containers (from YAML, or a dict in a test)."""
    p = _Parser(source)
    top = p.mapping("", data, TOP_KEYS)
    dec = p.mapping("decision", top.get("decision", {}), tuple(DECISION))
    choice = {k: p.choice(f"decision.{k}", dec.get(k, opts[0]), opts)
              for k, opts in DECISION.items()}
    reps = p.replications(top.get("replications", {}), choice["policy"])
    base = p.mapping("baseline", top.get("baseline", {}) or {}, BASELINE_KEYS)
    tol = p.mapping("baseline.tolerance", base.get("tolerance", {}) or {}, None)
    tolerance = {str(k): p.number(f"baseline.tolerance.{k}", v, low=0.0)
                 for k, v in tol.items()}
    targets = p.all_targets(top.get("targets"))
    _check_directions(targets, tolerance, source)
    scenario = top.get("scenario")
    if scenario is not None and not isinstance(scenario, str):
        p.fail("scenario", "must be a scenario name (string)")
    return SLASpec(source, tuple(targets), p.confidence(top.get("confidence", 0.95)),
                   choice["policy"], choice["warn"], choice["adjust"], **reps,
                   tolerance=tolerance, scenario=scenario,
                   description=str(top.get("description") or ""))


def _check_directions(targets: list[Target], tolerance: Mapping[str, float],
                      source: str) -> None:
    """Every KPI compared with a baseline must have a known better direction."""
    for kpi in tolerance:
        if not any(t.kpi == kpi for t in targets):
            better(kpi, None, f"{source}: baseline.tolerance.{kpi}")
    for t in targets:
        if t.tolerance is not None or t.kpi in tolerance:
            better(t.kpi, t.higher_better, f"{source}: {t.origin}")


class _Parser:
    """Validation helpers that fail with ``SOURCE: KEY: what is allowed``."""

    def __init__(self, source: str):
        self.source = source

    def fail(self, key: str, message: str):
        raise SLAError(f"{self.source}: {key or 'top level'}: {message}")

    def mapping(self, key: str, value: object, allowed: tuple[str, ...] | None) -> Mapping:
        if not isinstance(value, Mapping):
            self.fail(key, f"must be a mapping, got {_kind(value)}")
        for k in value:
            if allowed is not None and k not in allowed:
                where = f"{key}.{k}" if key else str(k)
                self.fail(where, f"unknown key; allowed: {', '.join(allowed)}")
        return value

    def choice(self, key: str, value: object, options: tuple[str, ...]) -> str:
        if value not in options:
            self.fail(key, f"must be one of {', '.join(options)}; got {value!r}")
        return value

    def number(self, key: str, value: object, low: float | None = None,
               high: float | None = None) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) \
                or not math.isfinite(value):
            self.fail(key, f"must be a finite number, got {value!r}")
        if (low is not None and value < low) or (high is not None and value > high):
            span = f"[{low:g}, {high:g}]" if high is not None else f">= {low:g}"
            self.fail(key, f"must be {'in ' if high is not None else ''}{span}; got {value!r}")
        return float(value)

    def integer(self, key: str, value: object, low: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            self.fail(key, f"must be an integer >= {low}, got {value!r}")
        return value

    def confidence(self, value: object) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) \
                or not 0 < value < 1:
            self.fail("confidence", f"must be a number in (0, 1), got {value!r}")
        return float(value)

    def replications(self, value: object, policy: str) -> dict[str, int]:
        reps = {**DEFAULT_REPS, **self.mapping("replications", value, REPLICATION_KEYS)}
        out = {"initial": self.integer("replications.initial", reps["initial"], 1),
               "max_reps": self.integer("replications.max", reps["max"], 1),
               "step": self.integer("replications.step", reps["step"], 1)}
        if out["max_reps"] < out["initial"]:
            self.fail("replications.max", f"must be >= replications.initial "
                                          f"({out['initial']}); got {out['max_reps']}")
        if policy == "ci" and out["initial"] < 2:
            self.fail("replications.initial", "must be >= 2 with decision.policy: ci (a "
                                              "confidence interval needs two replications)")
        return out

    def all_targets(self, raw: object) -> list[Target]:
        if not isinstance(raw, list) or not raw:
            self.fail("targets", "must be a non-empty list of {kpi, min and/or max, scope, "
                                 "name}")
        targets = [t for i, item in enumerate(raw) for t in self.targets(i, item)]
        seen: set[str] = set()
        for t in targets:
            if t.id in seen:
                self.fail("targets", f"duplicate target {t.id!r}; give one of them an id")
            seen.add(t.id)
        return targets

    def targets(self, i: int, item: object) -> list[Target]:
        """One entry of ``targets``; ``name`` may list several names (one target each)."""
        key = f"targets[{i}]"
        t = self.mapping(key, item, TARGET_KEYS)
        kpi = t.get("kpi")
        if not isinstance(kpi, str) or not kpi:
            self.fail(f"{key}.kpi", "required: the KPI name (e.g. service_level, asa_s)")
        scope = self.choice(f"{key}.scope", t.get("scope", "overall"), tuple(SCOPES))
        names = self._names(key, scope, t.get("name"))
        bounds = {}
        for b in ("min", "max"):
            if t.get(b) is not None:
                rate = kpi in RATES  # a share: its bound must lie in [0, 1]
                bounds[b] = self.number(f"{key}.{b}", t[b], low=0.0 if rate else None,
                                        high=1.0 if rate else None)
        if not bounds:
            self.fail(key, f"needs min and/or max (a bound on {kpi})")
        if len(bounds) == 2 and bounds["min"] > bounds["max"]:
            self.fail(f"{key}.min", f"must be <= max ({bounds['max']:g}); got "
                                    f"{bounds['min']:g}")
        tol = t.get("tolerance")
        tol = None if tol is None else self.number(f"{key}.tolerance", tol, low=0.0)
        given = t.get("id")
        if given is not None and (not isinstance(given, str) or len(names) > 1):
            self.fail(f"{key}.id", "must be a string, and only for a target with one name")
        return [Target(given or target_id(kpi, scope, n), kpi, scope, n, bounds.get("min"),
                       bounds.get("max"), tol, key) for n in names]

    def _names(self, key: str, scope: str, name: object) -> list[str | None]:
        if scope == "overall":
            if name is not None:
                self.fail(f"{key}.name", "only with a scope other than overall")
            return [None]
        names = name if isinstance(name, list) else [name]
        if not names or not all(isinstance(n, str) and n for n in names):
            self.fail(f"{key}.name", f"required with scope {scope}: the {scope}'s name "
                                     f"(or a list of names)")
        return names


def _kind(value: object) -> str:
    return "nothing (empty)" if value is None else type(value).__name__


def check_scenario(spec: SLASpec, template: Mapping, scenario: str) -> None:
    """Every target's scope, name and KPI exist in the scenario; ``template`` is a
    replication's KPI dict of it (``{"overall": {...}, "by_tier": {name: {...}}, ...}``)."""
    if spec.scenario is not None and spec.scenario != scenario:
        raise SLAError(f"{spec.source}: scenario: this SLA is for scenario {spec.scenario!r}, "
                       f"the config runs {scenario!r}; allowed: {spec.scenario} (or pass "
                       f"--sla for the scenario)")
    for t in spec.targets:
        where = f"{spec.source}: {t.origin or t.id}"
        scope_key = SCOPES[t.scope]
        if scope_key not in template:
            have = [s for s, k in SCOPES.items() if k in template]
            raise SLAError(f"{where}.scope: scenario {scenario} has no {t.scope} scope; "
                           f"allowed: {', '.join(have)}")
        kpis = template["overall"]
        if t.scope != "overall":
            names = template[scope_key]
            if t.name not in names:
                raise SLAError(f"{where}.name: scenario {scenario} has no {t.scope} "
                               f"{t.name!r}; allowed: {', '.join(names)}")
            kpis = names[t.name]
        if t.kpi not in kpis:
            raise SLAError(f"{where}.kpi: unknown KPI {t.kpi!r} in scope {t.scope}; allowed: "
                           f"{', '.join(sorted(kpis))}")
    for kpi in spec.tolerance:
        if kpi not in template["overall"] and not any(t.kpi == kpi for t in spec.targets):
            raise SLAError(f"{spec.source}: baseline.tolerance.{kpi}: unknown KPI (no target "
                           f"names it and the overall scope has no such KPI); allowed: "
                           f"{', '.join(sorted(template['overall']))}")
