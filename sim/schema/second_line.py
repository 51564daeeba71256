"""``scenario.second_line``: back-office pools that process work orders of needs the front
line did not resolve, and the callback that closes them."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from sim.errors import ConfigError
from sim.schema.common import Law, Money, PerIntervalAgents, Probability, Section
from sim.schema.scenario import register_section


class Pool(Section):
    staffing: PerIntervalAgents = Field(0, description="back-office staff: a scalar or one "
                                        "per interval")
    processing_time: Law = Field(None, description="time to process a work order, s "
                                 "(finite; required)")
    green_channel: bool = Field(False, description="VIP work orders go first")
    cost_per_hour: Money = Field(0.0, description="cost of a staff hour (currency)")


class Callback(Section):
    handle_time: Law = Field(120, description="an agent's callback call, s (finite)")
    answer_prob: Probability = Field(1.0, description="share of callbacks answered")


class SecondLine(Section):
    pools: dict[str, Pool] = Field(description="pools by name")
    callback: Callback = Field(default_factory=Callback)


def check_second_line(scn: Any) -> None:
    """Each reason's pool exists."""
    if scn.second_line is None or scn.reasons is None:
        return
    pools = list(scn.second_line.pools)
    for name, r in scn.reasons.items():
        target = r.second_line if r.second_line is not None else (pools[0] if pools else None)
        if target not in pools:
            raise ConfigError(f"scenario.reasons.{name}.second_line",
                              f"unknown pool {target!r}; allowed: {', '.join(pools)}")


register_section("second_line", SecondLine | None, None,
                 "work orders and callbacks (hotline; null: none)", check_second_line)
