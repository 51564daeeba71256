"""``scenario.outage``: a network fault that multiplies one reason's calls; a trouble
ticket opens once enough calls came, and the IVR then plays a notice."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from sim.errors import ConfigError
from sim.schema import limits
from sim.schema.common import Int, Seconds, Section
from sim.schema.scenario import register_section


class Outage(Section):
    enabled: bool = Field(False, description="switch the outage on")
    reason: str | None = Field(None, description="the reason whose calls surge "
                               "[checked: reason]")
    start_s: Seconds | None = Field(None, description="start, s from the horizon's start")
    duration_s: Seconds | None = Field(None, description="length, s")
    multiplier: float = Field(3.0, ge=1, le=limits.MAX_LOAD,
                              description="the reason's calls x this during the outage")
    ticket_threshold: Int = Field(50, ge=0, le=limits.MAX_POPULATION,
        description="calls of the reason before a ticket opens")
    notice_node: str | None = Field(None, description="IVR node playing the notice "
                                    "[checked: IVR node]")
    menu_node: str | None = Field(None, description="IVR menu the notice precedes "
                                  "[checked: IVR node]")


def check_outage(scn: Any) -> None:
    o = scn.outage
    if o is None or not o.enabled or scn.reasons is None:
        return
    reasons = list(scn.reasons)
    if o.reason not in reasons:
        raise ConfigError("scenario.outage.reason", f"unknown reason; allowed: "
                                                    f"{', '.join(reasons)}")
    for k in ("start_s", "duration_s"):
        if getattr(o, k) is None:
            raise ConfigError(f"scenario.outage.{k}", "is required when enabled")


register_section("outage", Outage | None, None, "a network outage (hotline)", check_outage)
