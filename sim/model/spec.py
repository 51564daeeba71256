"""The validated model spec: what the simulation runs, built once from config.

Frozen dataclasses with indices resolved, so the event loop never looks up names.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.model.distributions import Distribution


@dataclass(frozen=True)
class CallClass:
    """Callers who share a tier/reason: arrival share, priority, queue and time laws."""

    name: str
    index: int
    mix: float
    priority: int  # smaller is served first
    queue: int
    patience: Distribution
    ivr_time: Distribution
    handle_time: tuple[Distribution | None, ...]  # by group index; None: group can't serve
    after_call_work: tuple[Distribution | None, ...]


@dataclass(frozen=True)
class QueueSpec:
    """A skill queue; ``groups`` may answer it, in preference order."""

    name: str
    index: int
    groups: tuple[int, ...]
    max_wait_s: float  # forced disconnect after this wait (inf: never)


@dataclass(frozen=True)
class GroupSpec:
    """An agent skill group with a headcount per interval of the horizon."""

    name: str
    index: int
    staffing: tuple[int, ...]  # one per interval of the whole horizon
    queues: tuple[int, ...]  # queues it serves, in its own preference order
    cost_per_hour: float


@dataclass(frozen=True)
class ModelSpec:
    """Everything one replication needs, validated."""

    name: str
    interval_s: float
    intervals_per_day: int
    days: int
    warmup_intervals: int
    calls_per_interval: tuple[float, ...]  # one per interval of the whole horizon, load applied
    day_volume_cv: float
    classes: tuple[CallClass, ...]
    queues: tuple[QueueSpec, ...]
    groups: tuple[GroupSpec, ...]
    lines: int | None  # trunk capacity; arrivals beyond it are blocked
    service_level_s: float
    drain_s: float  # how long after the horizon calls in progress may still finish
    trace: tuple[tuple[float, int], ...] | None = None  # fixed arrivals (t, class) instead

    @property
    def n_intervals(self) -> int:
        return self.intervals_per_day * self.days

    @property
    def horizon_s(self) -> float:
        return self.n_intervals * self.interval_s

    @property
    def day_s(self) -> float:
        return self.intervals_per_day * self.interval_s
