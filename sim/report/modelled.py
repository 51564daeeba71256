"""Figures a scenario does not model, so that a report never shows them as 0.

A scenario of call classes (a calibrated one) has no customers with needs and no second
line, and its staff hours have no price: the KPI tables keep 0 for first-contact
resolution, work orders and cost (a stable contract), but a reader takes 0 % FCR for
"nobody resolved" and cost 0 for free staff, so the reports say *not modelled* or *not
priced* instead."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# KPIs whose mechanism a scenario may lack, and the scenario key that brings it
NEEDS = {"fcr": "tiers", "resolution_rate": "tiers", "repeat_rate": "tiers",
         "work_orders": "second_line"}
COSTS = ("cost", "second_line_cost", "cost_per_call")
UNPRICED = "not priced"


def unmodelled(scenario: Mapping[str, Any], k: str) -> str | None:
    """Why ``k`` is not modelled in ``scenario`` (a run's resolved scenario; None: it is)."""
    need = NEEDS.get(k)
    if need is None or scenario.get(need):
        return None
    return f"not modelled (no scenario.{need})"


def unpriced(cost: float | None, staffed_hours: float | None,
             second_line_cost: float | None = None) -> bool:
    """No staff hour has a price (every ``cost_per_hour`` 0): staff present, no cost."""
    return cost == 0 and bool(staffed_hours) and not second_line_cost
