"""The SLA spec file (``sla/*.yaml``, ``ccsim check --sla``): targets on KPIs, how
replications are spent, how a verdict is reached, baseline tolerances."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from sim.schema import limits
from sim.schema.common import Int, KeyedError, Section

Number = float  # finite (the strict config refuses inf and nan)


class TargetEntry(Section):
    """``min <= KPI <= max`` in a scope; ``name`` may list several names (one target each)."""

    id: str | None = Field(None, description="the target's id (default kpi[scope=name])")
    kpi: str = Field(min_length=1, description="the KPI name (e.g. service_level, asa_s)")
    scope: Literal["overall", "class", "group", "tier", "reason", "site", "region",
                   "work"] = Field("overall", description="where the KPI is taken (site, "
                                   "region: with scenario.sites; work: a class of the "
                                   "agents' own work) [checked: in the scenario]")
    name: str | list[str] | None = Field(None, description="the class, group, tier, "
                                         "reason, site, region or own-work class (or a "
                                         "list of them) [checked: scenario]")
    min: Number | None = Field(None, description="lower bound (a share: in [0, 1])")
    max: Number | None = Field(None, description="upper bound (a share: in [0, 1])")
    tolerance: Number | None = Field(None, ge=0, description="degradation allowed against "
                                     "a baseline")

    @model_validator(mode="after")
    def _consistent(self) -> TargetEntry:
        from sim.kpi_specs import names as kpi_names

        if self.scope == "overall":
            if self.name is not None:
                raise KeyedError("name", "only with a scope other than overall")
        else:
            names = self.name if isinstance(self.name, list) else [self.name]
            if not names or not all(isinstance(n, str) and n for n in names):
                raise KeyedError("name", f"required with scope {self.scope}: the "
                                         f"{self.scope}'s name (or a list of names)")
        bounds = {b: v for b, v in (("min", self.min), ("max", self.max)) if v is not None}
        if not bounds:
            raise KeyedError("", f"needs min and/or max (a bound on {self.kpi})")
        if self.kpi in kpi_names(fmt="pct"):  # a share: its bounds lie in [0, 1]
            for b, v in bounds.items():
                if not 0 <= v <= 1:
                    raise KeyedError(b, f"must be in [0, 1] ({self.kpi} is a share); got {v!r}")
        if len(bounds) == 2 and bounds["min"] > bounds["max"]:
            raise KeyedError("min", f"must be <= max ({bounds['max']:g}); got "
                                    f"{bounds['min']:g}")
        if self.id is not None and isinstance(self.name, list) and len(self.name) > 1:
            raise KeyedError("id", "only for a target with one name")
        return self


class Decision(Section):
    policy: Literal["ci", "mean"] = Field("ci", description="ci: the confidence interval "
                                          "clear of the bound; mean: the mean alone")
    warn: Literal["pass", "fail"] = Field("pass", description="how a close call is decided")
    adjust: Literal["looks", "none"] = Field("looks", description="correct the confidence "
                                             "level for repeated looks (or not)")


class Replications(Section):
    initial: Int = Field(5, ge=1, le=limits.MAX_REPS, description="replications first run")
    max: Int = Field(20, ge=1, le=limits.MAX_REPS, description="at most this many")
    step: Int = Field(5, ge=1, le=limits.MAX_REPS, description="added while undecided")

    @model_validator(mode="after")
    def _ordered(self) -> Replications:
        if self.max < self.initial:
            raise KeyedError("max", f"must be >= replications.initial ({self.initial}); "
                                    f"got {self.max}")
        return self


class Baseline(Section):
    tolerance: dict[str, Number] | None = Field(None, description="degradation allowed per "
                                                "KPI against a baseline run (>= 0)")

    @model_validator(mode="after")
    def _non_negative(self) -> Baseline:
        for kpi, v in (self.tolerance or {}).items():
            if v < 0:
                raise KeyedError(f"tolerance.{kpi}", f"must be >= 0; got {v!r}")
        return self


class SLAFile(Section):
    """One SLA file."""

    description: str | None = Field(None, description="free text")
    scenario: str | None = Field(None, description="the scenario the SLA is for")
    confidence: float = Field(0.95, gt=0, lt=1, description="confidence level of verdicts")
    decision: Decision = Field(default_factory=Decision)
    replications: Replications = Field(default_factory=Replications)
    targets: list[TargetEntry] = Field(min_length=1, description="the targets (at least one)")
    baseline: Baseline | None = Field(None, description="comparison with a baseline run")

    @model_validator(mode="after")
    def _enough_replications(self) -> SLAFile:
        if self.decision.policy == "ci" and self.replications.initial < 2:
            raise KeyedError("replications.initial", "must be >= 2 with decision.policy: ci "
                             "(a confidence interval needs two replications)")
        return self
