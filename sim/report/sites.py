"""The report's seat-site section (``scenario.sites``): per site what its agents answered,
how fast, how busy and at what cost, and how dialect callers of each region were served."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.report.data import label
from sim.report.page import fmt

if TYPE_CHECKING:
    from sim.report.data import RunData
    from sim.report.page import Page


def _m(kpis: dict, k: str):
    st = kpis.get(k)
    return st.get("mean") if isinstance(st, dict) else st


def sites_section(page: Page, run: RunData, currency: str) -> None:
    """Two tables, by site and by caller region; nothing when the run has no sites."""
    sites = run.summary.get("by_site") or {}
    regions = run.summary.get("by_region") or {}
    if not sites:
        return
    page.heading("Seat sites and dialects")
    page.table(("site", "answered", "answered within SL", "occupancy", "staffed hours",
                f"cost ({currency})", "cost per call", "dialect callers in dialect",
                "dialect callers in Mandarin"),
               [(label(s), fmt(_m(k, "answered"), "count"),
                 fmt(_m(k, "answered_in_sl_share"), "pct"), fmt(_m(k, "occupancy"), "pct"),
                 fmt(_m(k, "staffed_hours"), "num"), fmt(_m(k, "cost"), "money"),
                 fmt(_m(k, "cost_per_call"), "money"), fmt(_m(k, "dialect_in_dialect"), "count"),
                 fmt(_m(k, "dialect_in_mandarin"), "count")) for s, k in sites.items()])
    page.table(("caller region", "asked for an agent", "service level", "needed the dialect",
                "served in dialect", "served in Mandarin (after the fallback)",
                "share served in dialect"),
               [(label(r), fmt(_m(k, "asked"), "count"), fmt(_m(k, "service_level"), "pct"),
                 fmt(_m(k, "dialect_asked"), "count"), fmt(_m(k, "dialect_in_dialect"), "count"),
                 fmt(_m(k, "dialect_in_mandarin"), "count"),
                 fmt(_m(k, "dialect_in_dialect_share"), "pct")) for r, k in regions.items()])
    fallback = (run.scenario.get("sites") or {}).get("dialect_fallback_s")
    page.text("A site's calls are those its agents answered (a waiting call belongs to no "
              "site); a region's service level is answered within the threshold over its "
              "callers who asked for an agent. Dialect callers wait for an agent who speaks "
              f"their dialect for {fallback} s (scenario.sites.dialect_fallback_s), then "
              "any agent may answer them in Mandarin.", "note")
