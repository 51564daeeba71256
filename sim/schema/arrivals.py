"""``scenario.arrivals``: Poisson volumes per interval, or a fixed trace of arrivals."""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, Field, model_validator

from sim.schema.common import KeyedError, PerIntervalCalls, Seconds, Section, _listlike
from sim.schema.scenario import register_section


def _pair(v: object) -> object:
    return tuple(v) if isinstance(v, list) else v


TraceItem = Annotated[tuple[Seconds, str], BeforeValidator(_pair)]


class Arrivals(Section):
    """Exactly one of ``calls_per_interval`` (Poisson) or ``trace`` (fixed arrivals)."""

    calls_per_interval: PerIntervalCalls | None = Field(
        None, description="expected calls per interval (x load): a scalar or one per interval")
    day_volume_cv: float = Field(0.0, ge=0, le=10, description="coefficient of variation of "
                                 "a day's volume (a common factor across its intervals)")
    trace: Annotated[list[TraceItem], BeforeValidator(_listlike)] | None = Field(
        None, description="fixed arrivals [[t_seconds, class], ...] (replayed logs, tests)")

    @model_validator(mode="after")
    def _one_source(self) -> Arrivals:
        if (self.calls_per_interval is None) == (self.trace is None):
            raise KeyedError("", "give exactly one of calls_per_interval (Poisson arrivals) "
                                 "or trace (fixed arrivals)")
        return self


register_section("arrivals", Arrivals, ..., "how calls arrive")
