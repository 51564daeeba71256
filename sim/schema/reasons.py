"""``scenario.reasons``: why customers call a hotline (billing, faults, ...): share, laws
of handling, resolution at the front line, the second-line pool of unresolved needs."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from sim.errors import ConfigError
from sim.schema.classes import Handling, by_group_names
from sim.schema.common import Probability
from sim.schema.scenario import register_section
from sim.schema.tiers import shares_sum_to_one


class Reason(Handling):
    """One reason for calling."""

    share: Probability = Field(description="share of calls (reasons sum to 1)")
    resolution: Probability = Field(1.0, description="share resolved by the agent")
    resolution_by_group: dict[str, Probability] | None = Field(
        None, description="resolution by group [checked: group]")
    second_line: str | None = Field(None, description="pool taking unresolved needs "
                                    "(default: the first) [checked: pool]")


def check_reasons(scn: Any) -> None:
    """Reason shares sum to 1; overrides by group and by tier name what exists."""
    if scn.reasons is None:
        return
    if scn.tiers is None:
        raise ConfigError("scenario.tiers", "is required with reasons (a hotline scenario)")
    for name, r in scn.reasons.items():
        by_group_names(scn, f"scenario.reasons.{name}", r, (
            "handle_time_by_group", "after_call_work_by_group", "resolution_by_group"))
    shares_sum_to_one("scenario.reasons.*.share", {n: r.share for n, r in scn.reasons.items()})
    reasons = list(scn.reasons)
    for tier, shares in (scn.reason_share_by_tier or {}).items():
        key = f"scenario.reason_share_by_tier.{tier}"
        if tier not in scn.tiers:
            raise ConfigError(key, f"unknown tier; allowed: {', '.join(scn.tiers)}")
        shares_sum_to_one(key, shares)
        for r in shares:
            if r not in reasons:
                raise ConfigError(f"{key}.{r}", f"unknown reason; allowed: {', '.join(reasons)}")


register_section("reasons", dict[str, Reason] | None, None,
                 "reasons for calling by name (a hotline scenario)", check_reasons)
register_section("reason_share_by_tier", dict[str, dict[str, Probability]] | None, None,
                 "reason shares of a tier, where they differ from reasons.*.share")
