"""``scenario.outbound``: blended agents making campaign calls when inbound is quiet."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from sim.errors import ConfigError
from sim.schema import limits
from sim.schema.common import Int, Law, Names, PerIntervalCalls, Section
from sim.schema.queues import live
from sim.schema.scenario import register_section


class Campaign(Section):
    tasks_per_interval: PerIntervalCalls = Field(0, description="outbound tasks per "
                                                 "interval: a scalar or one per interval")
    handle_time: Law = Field(180, description="an outbound call, s (finite)")


class Outbound(Section):
    groups: Names | None = Field(None, description="blended groups [checked: group]")
    max_inbound_waiting: Int = Field(0, ge=0, le=limits.MAX_AGENTS,
        description="outbound only while at most this many inbound calls wait")
    campaigns: dict[str, Campaign] | None = Field(None, description="campaigns by name")


def check_outbound(scn: Any) -> None:
    if scn.outbound is None:
        return
    groups = live(scn.groups)
    for g in scn.outbound.groups or []:
        if g not in groups:
            raise ConfigError("scenario.outbound.groups", f"unknown group {g!r}; allowed: "
                                                          f"{', '.join(groups)}")


register_section("outbound", Outbound | None, None, "outbound campaigns (hotline)",
                 check_outbound)
