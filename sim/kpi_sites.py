"""KPIs of seat sites and caller regions (``scenario.sites``): what each site answered,
how fast, how busy its agents were and what they cost, and how dialect callers were
served — by an agent who speaks their dialect, or in Mandarin after the fallback."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sim.model.spec import ModelSpec
    from sim.records import SiteRecord


def _div(a: float, b: float) -> float:
    return float(a / b) if b else float("nan")


def site_kpis(out: dict, sites: SiteRecord, spec: ModelSpec, w: slice, busy: np.ndarray,
              staffed: np.ndarray, cost: np.ndarray) -> None:
    """Adds ``by_site`` and ``by_region`` scopes and the overall dialect figures.

    A site's ``answered_in_sl_share`` is over the calls its agents answered (a waiting
    call belongs to no site until answered); a region's ``service_level`` is the usual
    one: answered within the threshold / callers of the region who asked for an agent.
    """
    assert spec.sites is not None
    g = {k: v[:, w].sum(axis=1) for k, v in sites.group.items()}
    r = {k: v[:, w].sum(axis=1) for k, v in sites.region.items()}
    by_site = {}
    for i, name in enumerate(spec.sites.names):
        rows = [x.index for x in spec.groups if x.site == i]

        def tot(a: np.ndarray, rows: list[int] = rows) -> float:
            return float(a[rows].sum())

        dialect = tot(g["in_dialect"]) + tot(g["in_mandarin"])
        by_site[name] = {
            "groups": float(len(rows)),
            "answered": tot(g["answered"]),
            "answered_in_sl_share": _div(tot(g["answered_in_sl"]), tot(g["answered"])),
            "occupancy": _div(tot(busy), tot(staffed)),
            "staffed_hours": tot(staffed) / 3600,
            "cost": tot(cost),
            "cost_per_call": _div(tot(cost), tot(g["answered"])),
            "dialect_answered": dialect,
            "dialect_in_dialect": tot(g["in_dialect"]),
            "dialect_in_mandarin": tot(g["in_mandarin"]),
        }
    by_region = {}
    for i, name in enumerate(spec.sites.regions):
        served = r["in_dialect"][i] + r["in_mandarin"][i]
        by_region[name] = {
            "asked": float(r["asked"][i]),
            "answered": float(r["answered"][i]),
            "service_level": _div(r["answered_in_sl"][i], r["asked"][i]),
            "dialect_asked": float(r["dialect_asked"][i]),
            "dialect_in_dialect": float(r["in_dialect"][i]),
            "dialect_in_mandarin": float(r["in_mandarin"][i]),
            "dialect_in_dialect_share": _div(r["in_dialect"][i], served),
        }
    out["by_site"], out["by_region"] = by_site, by_region
    served = r["in_dialect"].sum() + r["in_mandarin"].sum()
    out["overall"].update(
        dialect_asked=float(r["dialect_asked"].sum()),
        dialect_in_dialect=float(r["in_dialect"].sum()),
        dialect_in_mandarin=float(r["in_mandarin"].sum()),
        dialect_in_dialect_share=_div(r["in_dialect"].sum(), served))
