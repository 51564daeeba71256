"""``ccsim forecast``: its options, the holiday tables it reads (``sim/data/holidays``,
``--holidays FILE``) and the scenario it writes (checked against the scenario schema
before it is written, so a forecast never leaves a file ``ccsim`` would refuse)."""

from __future__ import annotations

import datetime
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field

from sim.schema import limits
from sim.schema.common import Int, Section

Weekday = Literal["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
                  "Sunday"]


def _iso_date(v: Any) -> Any:
    """YAML reads ``1999-04-01`` as a date; a quoted one is text: both are the date."""
    if isinstance(v, str):
        try:
            return datetime.date.fromisoformat(v)
        except ValueError:
            raise ValueError(f"must be a date YYYY-MM-DD, got {v!r}") from None
    if isinstance(v, datetime.datetime):
        raise ValueError(f"must be a date YYYY-MM-DD (no time), got {v!r}")
    return v


class HolidayDay(Section):
    date: Annotated[datetime.date, BeforeValidator(_iso_date)] = Field(
        description="the day, YYYY-MM-DD")
    name: str = Field("", description="what the day is")
    like: Weekday | None = Field(None, description="the ordinary weekday it behaves like "
                                 "(null: only left out of the model fits)")


class HolidayTable(Section):
    """A holiday table: days left out of the fits and forecast like another weekday."""

    name: str | None = Field(None, description="the table's name")
    description: str | None = Field(None, description="free text")
    days: list[HolidayDay] = Field(description="the special days")


class ForecastOptions(Section):
    """The numeric options of ``ccsim forecast`` (as the command line gives them)."""

    days: Int = Field(7, ge=1, le=limits.MAX_DAYS, description="days to forecast (--days)")
    weeks: Int = Field(8, ge=1, le=520, description="weeks of history the model fits "
                       "(--weeks)")
    origins: Int = Field(24, ge=0, le=1000, description="backtest origins (--origins)")
    agent_share: float = Field(1.0, gt=0, le=1, description="share of calls that reach an "
                               "agent queue (--agent-share)")
