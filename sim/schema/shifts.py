"""The shift file (``shifts/*.yaml``, ``ccsim staff --shifts``): shift templates, their
breaks and starts, shrinkage and the working week. Times are ``'H:MM'`` or hours."""

from __future__ import annotations

import math
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, model_validator

from sim.schema.common import Int, KeyedError, Section

DAY_S = 24 * 3600.0


def _clock(value: Any) -> Any:
    """``'H:MM'`` or a number of hours >= 0 → seconds (booleans and other text refused)."""
    if isinstance(value, bool):
        raise ValueError(f"must be a time 'H:MM' or hours, got {value!r}")
    if isinstance(value, (int, float)) and math.isfinite(value) and value >= 0:
        return float(value) * 3600
    if isinstance(value, str):
        h, sep, m = value.strip().partition(":")
        if sep and h.isdigit() and m.isdigit() and len(m) == 2 and int(m) < 60:
            return float(int(h) * 3600 + int(m) * 60)
    raise ValueError(f"must be a time 'H:MM' or a number of hours >= 0, got {value!r}")


# seconds, written as 'H:MM' or hours; at most a week (a start or length within the day is
# checked where it matters)
Clock = Annotated[float, BeforeValidator(_clock), Field(le=7 * DAY_S)]


class StartRange(Section):
    """Starts every ``every`` from ``from`` to ``to`` (both included)."""

    from_: Clock = Field(alias="from", description="first start, H:MM")
    to: Clock = Field(description="last start, H:MM")
    every: Clock = Field(description="step between starts, H:MM (> 0)")

    @model_validator(mode="after")
    def _ordered(self) -> StartRange:
        if self.every <= 0 or self.to < self.from_:
            raise KeyedError("", "needs from <= to and every > 0")
        return self


class BreakEntry(Section):
    length: Clock = Field(description="break length, H:MM")
    after: Clock = Field(description="earliest start, from the shift's start, H:MM")
    before: Clock = Field(description="latest start, from the shift's start, H:MM")
    paid: bool = Field(True, description="a paid break (counts in paid hours)")


class TemplateEntry(Section):
    """A shift template: length, possible starts, breaks, how many, which desks."""

    length: Clock = Field(description="from start to end, breaks included, H:MM (<= 24:00)")
    starts: Annotated[list[Clock], Field(min_length=1)] | StartRange = Field(
        description="start times (H:MM, the day is cyclic) or {from, to, every}")
    breaks: list[BreakEntry] | None = Field(None, description="breaks, each placed by the "
                                            "solver within [after, before]")
    min: Int = Field(0, ge=0, description="shifts of this template at least (per desk)")
    max: Int | None = Field(None, ge=0, description="at most (null: no cap)")
    part_time: bool = Field(False, description="counts against part_time_max_share")
    desks: list[str] | None = Field(None, description="desks it may work at (null: every "
                                    "desk) [checked: groups of the scenario]")

    @model_validator(mode="after")
    def _fits(self) -> TemplateEntry:
        if not 0 < self.length <= DAY_S:
            raise KeyedError("length", "must be in (0, 24:00]")
        for i, b in enumerate(self.breaks or []):
            if b.before < b.after or b.before + b.length > self.length:
                raise KeyedError(f"breaks[{i}]", "needs after <= before and before + length "
                                                 "within the shift's length")
        if self.max is not None and self.max < self.min:
            raise KeyedError("max", f"must be >= min ({self.min}), got {self.max}")
        return self

    def start_times(self) -> tuple[float, ...]:
        """Every start, seconds from midnight."""
        import numpy as np

        if isinstance(self.starts, StartRange):
            s = self.starts
            return tuple(np.arange(s.from_, s.to + 1e-9, s.every))
        return tuple(self.starts)


class Week(Section):
    days: Int = Field(1, ge=1, le=7, description="days a week the centre is open")
    rest_days: Int = Field(0, ge=0, le=6, description="days off an agent has a week")

    @model_validator(mode="after")
    def _rest(self) -> Week:
        if self.days > 1 and self.rest_days >= self.days:
            raise KeyedError("rest_days", f"must be < days ({self.days}), got "
                                          f"{self.rest_days}")
        return self


class ShiftFile(Section):
    """One shift file."""

    description: str | None = Field(None, description="free text")
    shrinkage: float = Field(0.0, ge=0, le=0.95, description="share of rostered time lost "
                             "to absence and training")
    part_time_max_share: float = Field(1.0, ge=0, le=1, description="part-time shifts / all "
                                       "shifts, at most")
    week: Week | None = Field(None, description="the working week (null: one day)")
    templates: dict[str, TemplateEntry] = Field(min_length=1, description="templates by "
                                                "name (at least one)")
