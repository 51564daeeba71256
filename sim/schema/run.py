"""The top-level run keys of ``configs/config.yaml``: seed, replications, outputs."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from sim.schema.limits import MAX_JOBS, MAX_REPS, MAX_SEED

STRICT = ConfigDict(strict=True, extra="forbid", allow_inf_nan=False)


class Output(BaseModel):
    """What a run writes."""

    model_config = STRICT
    calls: bool = Field(True, description="write calls.parquet (one row per call attempt)")
    intervals: bool = Field(True, description="write intervals.* and groups_intervals.*")
    progress: bool = Field(False, description="progress bar over replications (terminal)")
    report: bool = Field(True, description="write report.html (a run) or the comparison "
                                           "report (a sweep)")


class Sweep(BaseModel):
    """Multirun settings."""

    model_config = STRICT
    name: str = Field("sweep", description="multirun results go to multirun/NAME")
    baseline: str | None = Field(None, description="override string of the baseline point")
    tasks: Annotated[int, Field(ge=1, le=MAX_REPS)] | Literal["auto"] = Field(
        "auto", description="units of work per point (its replications split among them); "
                            "auto: sized from the sweep and the launcher's workers")
    task: int = Field(0, ge=0, le=MAX_REPS, description="which unit a multirun job runs "
                                                        "(set by ccsim)")
    order: int | None = Field(None, ge=0, description="the point's place in the command line's "
                                                      "grid, whatever order the jobs run in "
                                                      "(set by ccsim)")
    retries: int = Field(2, ge=0, le=100, description="reruns for replications lost with a "
                                                      "worker")


PackageName = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")]


class RunConfig(BaseModel):
    """The composed config's top level (``scenario`` and ``policy`` have their own
    schemas; ``params`` is free for experiment files; ``hydra`` is Hydra's)."""

    model_config = STRICT
    scenario: Any = Field(description="the model (see scenario.*)")
    policy: Any = Field(None, description="routing policy: name, class, params")
    seed: int = Field(1, ge=0, le=MAX_SEED, description="base seed of every random stream")
    n_reps: int = Field(1, ge=1, le=MAX_REPS, description="independent replications")
    n_jobs: int = Field(1, ge=1, le=MAX_JOBS,
                        description="processes running replications (same numbers)")
    confidence: float = Field(0.95, gt=0, lt=1, description="confidence level of the CIs")
    output: Output = Field(default_factory=Output)
    params: dict[str, Any] = Field(default_factory=dict,
                                   description="free keys experiment files interpolate")
    policy_packages: list[PackageName] = Field(
        default_factory=list, description="packages whose Policy classes policy.class may name")
    sweep: Sweep = Field(default_factory=Sweep)
    engine: Literal["auto", "simpy", "fast"] = Field(
        "auto", description="simpy (the reference), fast (compiled, the same calls; refused "
                            "for what it lacks) or auto (fast where supported)")
    hydra: Any = Field(None, description="Hydra's own settings")
