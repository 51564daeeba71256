"""``scenario.groups``: skill groups of agents, their staffing and cost."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from sim.errors import ConfigError
from sim.schema import limits
from sim.schema.availability import Availability
from sim.schema.common import Int, Money, Names, PerIntervalAgents, Section
from sim.schema.queues import live
from sim.schema.scenario import register_section


class Group(Section):
    """Agents answering the queues that name the group."""

    staffing: PerIntervalAgents = Field(description="agents on duty: a scalar or one per "
                                        "interval (of the day or the horizon)")
    cost_per_hour: Money = Field(0.0, description="cost of an agent-hour (currency)")
    queues: Names | None = Field(None, description="this group's own order of the queues "
                                 "that name it")
    extra_agents: Int = Field(0, ge=-limits.MAX_AGENTS, le=limits.MAX_AGENTS,
        description="what-if: agents added to every open interval")
    site: str | None = Field(None, description="the seat site its agents sit at "
                             "(scenario.sites; required once sites are on)")
    availability: Availability | None = Field(
        None, description="agent states: shrinkage, not ready after calls, breaks (README, "
                          "Agent states); null: always available while staffed")


def check_groups(scn: Any) -> None:
    """A group's own queue order lists exactly the queues that name it."""
    queues = live(scn.queues)
    for name in live(scn.groups):
        order = scn.groups[name].queues
        if order is None:
            continue
        served = sorted(j for j, q in enumerate(queues) if name in scn.queues[q].groups)
        if sorted(queues.index(q) if q in queues else -1 for q in order) != served:
            allowed = ", ".join(queues[j] for j in served) or "(none)"
            raise ConfigError(f"scenario.groups.{name}.queues", f"must list exactly the "
                                                                f"queues that name this group: "
                                                                f"{allowed}")


register_section("groups", dict[str, Group | None], ..., "skill groups by name",
                 check_groups)
