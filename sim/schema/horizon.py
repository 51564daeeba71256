"""``scenario.horizon``: how long a run is and how it is cut into intervals."""

from __future__ import annotations

import math

from pydantic import Field, model_validator

from sim.schema import limits
from sim.schema.common import Int, KeyedError, Seconds, Section
from sim.schema.scenario import register_section


class Horizon(Section):
    """Days of intervals; warm-up is left out of KPIs, drain lets the last calls end."""

    days: Int = Field(1, ge=1, le=limits.MAX_DAYS, description="days simulated")
    interval_s: float = Field(1800.0, ge=limits.MIN_INTERVAL_S, le=limits.MAX_INTERVAL_S,
                              description="length of an interval (staffing, KPIs), seconds")
    intervals_per_day: Int = Field(48, ge=1, le=limits.MAX_INTERVALS_PER_DAY,
        description="intervals in a day")
    warmup_s: Seconds = Field(0.0, description="start of the horizon left out of KPIs, s")
    drain_s: Seconds | None = Field(86400.0, description="time after the horizon for calls "
                                    "still in the system to end, s (null: until all end)")

    @model_validator(mode="after")
    def _fits(self) -> Horizon:
        total = self.days * self.intervals_per_day * self.interval_s
        if total > limits.MAX_HORIZON_S:
            raise KeyedError("", f"days x intervals_per_day x interval_s must be <= "
                                 f"{limits.MAX_HORIZON_S:g} s (a year), got {total:g}")
        if math.ceil(self.warmup_s / self.interval_s - 1e-9) >= (
                self.days * self.intervals_per_day):
            raise KeyedError("warmup_s", "must be shorter than the horizon")
        return self


register_section("horizon", Horizon, Horizon(), "length and intervals of the run")
