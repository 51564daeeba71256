"""Figures a scenario does not model, so that a report never shows them as 0.

A scenario of call classes (a calibrated one) has no customers with needs and no second
line, and its staff hours have no price: the KPI tables keep 0 for first-contact
resolution, work orders and cost (a stable contract), but a reader takes 0 % FCR for
"nobody resolved" and cost 0 for free staff, so the reports say *not modelled* or *not
priced* instead."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
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


def point_scenarios(sweep_dir: Path) -> Iterator[dict]:
    """The points' resolved scenarios, read one at a time (unreadable ones left out)."""
    import yaml

    for path in sorted(sweep_dir.glob("*/resolved_config.yaml")):
        try:
            scenario = yaml.safe_load(path.read_text()).get("scenario")
        except (OSError, yaml.YAMLError, AttributeError):
            continue
        if isinstance(scenario, dict):
            yield scenario


def not_shown(sweep_dir: Path, overall) -> dict[str, str]:
    """The sweep table's KPIs that no point of ``sweep_dir`` models or prices, each with
    why (``overall``: the sweep table's overall rows of completed points)."""
    from sim.kpi_specs import TABLE_KPIS as KPIS

    left: dict[str, str] | None = None  # unmodelled in every point read so far
    for scenario in point_scenarios(sweep_dir):  # stops at a point that models them all
        left = {k: why for k in (NEEDS if left is None else left)
                if k in KPIS and (why := unmodelled(scenario, k))}
        if not left:
            break
    out = dict(left or {})
    wide = overall.pivot_table(index="job", columns="kpi", values="mean")
    if {"cost", "staffed_hours"} <= set(wide.columns) and len(wide) and all(
            unpriced(r.cost, r.staffed_hours, getattr(r, "second_line_cost", None))
            for r in wide.itertuples()):
        out.update({k: UNPRICED for k in COSTS if k in KPIS})
    return out


def not_shown_note(hidden: Mapping[str, str]) -> str:
    """The one line that names the KPIs left out of a sweep's tables, and why."""
    from sim.kpi_specs import title

    return "not shown, 0 in every point: " + "; ".join(
        f"{title(k)}: {why}" for k, why in hidden.items())
