"""The SLA spec (``sla/*.yaml``): loaded and validated once, every error one line.

A spec names targets (a KPI with a ``min`` and/or ``max`` in a scope), how replications
are spent (``replications: {initial, max, step}``), how a verdict is reached
(``decision: {policy, warn, adjust}``) and the tolerances of a baseline comparison.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.kpi_specs import names as _kpi_names

SCOPES = {"overall": "overall", "class": "by_class", "group": "by_group", "tier": "by_tier",
          "reason": "by_reason", "site": "by_site", "region": "by_region", "work": "by_work"}
DEFAULT_REPS = {"initial": 5, "max": 20, "step": 5}
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
    """Validate a spec given as plain containers (from YAML, or a dict in a test) against
    the schema (:mod:`sim.schema.sla`)."""
    from sim.errors import ConfigError
    from sim.schema.errors import validate
    from sim.schema.sla import SLAFile

    try:
        f = validate(SLAFile, data, "")
    except ConfigError as exc:
        raise SLAError(f"{source}: {exc.key or 'top level'}: {exc.message}") from None
    targets = [t for i, entry in enumerate(f.targets) for t in _targets(i, entry)]
    seen: set[str] = set()
    for t in targets:
        if t.id in seen:
            raise SLAError(f"{source}: targets: duplicate target {t.id!r}; give one of them "
                           f"an id")
        seen.add(t.id)
    tolerance = dict((f.baseline.tolerance or {}) if f.baseline else {})
    _check_directions(targets, tolerance, source)
    dec, reps = f.decision, f.replications
    return SLASpec(source, tuple(targets), f.confidence, dec.policy, dec.warn, dec.adjust,
                   reps.initial, reps.max, reps.step, tolerance=tolerance,
                   scenario=f.scenario, description=f.description or "")


def _targets(i: int, t: Any) -> list[Target]:
    """One entry of ``targets``: one target per name it lists."""
    names: list[str | None] = ([None] if t.scope == "overall" else
                               list(t.name) if isinstance(t.name, list) else [t.name])
    return [Target(t.id or target_id(t.kpi, t.scope, n), t.kpi, t.scope, n, t.min, t.max,
                   t.tolerance, f"targets[{i}]") for n in names]


def _check_directions(targets: list[Target], tolerance: Mapping[str, float],
                      source: str) -> None:
    """Every KPI compared with a baseline must have a known better direction."""
    for kpi in tolerance:
        if not any(t.kpi == kpi for t in targets):
            better(kpi, None, f"{source}: baseline.tolerance.{kpi}")
    for t in targets:
        if t.tolerance is not None or t.kpi in tolerance:
            better(t.kpi, t.higher_better, f"{source}: {t.origin}")


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
