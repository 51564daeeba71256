"""``scenario.tiers``: customer tiers of a hotline (diamond ... blacklist): share of
callers, priority, patience, IVR entry, value, who is a VIP."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from sim.errors import ConfigError
from sim.schema import limits
from sim.schema.common import Int, Law, Money, Probability, Section
from sim.schema.scenario import register_section


class Tier(Section):
    """One tier of customers."""

    share: Probability = Field(description="share of callers (tiers sum to 1)")
    priority: Int = Field(0, ge=0, le=limits.MAX_PRIORITY, description="0 is served first")
    sl_target: Probability | None = Field(None, description="service level target "
                                          "(reports; null: none)")
    patience: Law = Field(None, description="time before abandoning, s (null: never)")
    entry: str = Field(description="IVR node the tier's calls enter [checked: IVR node]")
    annual_value: Money = Field(0.0, description="a customer's value per year (currency)")
    agent_service: bool = Field(True, description="false: never reaches an agent (e.g. "
                                "blacklist; its IVR path must have no agent exit)")
    vip: bool | None = Field(None, description="a VIP for the green channel (default: "
                             "diamond, gold, silver)")


def shares_sum_to_one(key: str, shares: dict[str, float]) -> None:
    total = sum(shares.values())
    if abs(total - 1) > 1e-9:
        raise ConfigError(key, f"shares must sum to 1, got {total:.6g}")


def check_tiers(scn: Any) -> None:
    """A hotline has tiers and reasons; tier shares sum to 1."""
    if scn.tiers is None:
        return
    if not scn.tiers or not scn.reasons:
        raise ConfigError("scenario.tiers", "a hotline scenario needs tiers and reasons")
    shares_sum_to_one("scenario.tiers.*.share", {n: t.share for n, t in scn.tiers.items()})


register_section("tiers", dict[str, Tier] | None, None,
                 "customer tiers by name (a hotline scenario)", check_tiers)
