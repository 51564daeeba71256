"""``scenario.sites`` (issue 15, item 2): seat sites with their own headcount, cost and
dialects, callers by region, dialect routing with a fallback to any Mandarin agent.

The 10000 rules (seed 002): inbound seats are concentrated in one city, but "considering
floor space, cost, dialect and volume, a province may set up several seat sites". A
site's headcount is that of the groups that name it (``groups.NAME.site``); its agents
speak Mandarin and the site's ``dialects``. A caller of a region with a ``dialect`` needs
dialect service with probability ``dialect_share``: it is offered only to agents who speak
the dialect until it has waited ``dialect_fallback_s``, then to any agent.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from sim.errors import ConfigError
from sim.schema.common import Probability, Seconds, Section
from sim.schema.queues import live
from sim.schema.scenario import register_section

DEFAULT_FALLBACK_S = 30.0  # ASSUMPTION: the sources give no figure; see README, Sites


class Site(Section):
    """A seat site: its groups name it (``groups.NAME.site``)."""

    cost_factor: float = Field(1.0, ge=0, le=100, description="multiplies the cost_per_hour "
                               "of the site's groups (cheaper seats outside the capital)")
    dialects: list[str] = Field(default_factory=list, description="dialects its agents speak "
                                "besides Mandarin (every agent speaks Mandarin)")


class Region(Section):
    """Callers of one region (city / local network)."""

    share: Probability = Field(description="share of the callers from this region (the "
                               "shares sum to 1)")
    dialect: str | None = Field(None, description="the dialect its callers may need (null: "
                                "Mandarin only)")
    dialect_share: Probability = Field(0.0, description="share of this region's callers "
                                       "who need service in its dialect")
    dialect_share_by_tier: dict[str, Probability] | None = Field(
        None, description="hotline scenarios: dialect_share by tier (tiers not named use "
                          "dialect_share)")
    dialect_share_by_class: dict[str, Probability] | None = Field(
        None, description="dialect_share by call class (before by tier; hotline classes "
                          "are named tier/reason)")


class Sites(Section):
    """Seat sites, caller regions and the dialect fallback; null (default): one
    undivided centre, no dialects."""

    dialect_fallback_s: Seconds = Field(DEFAULT_FALLBACK_S, description="wait (s) after "
                                        "which a dialect caller may be answered by any "
                                        "Mandarin agent (0: no dialect preference)")
    dialect_first: bool = Field(True, description="a freed agent takes a waiting caller "
                                "of its dialect (before the fallback) ahead of longer-waiting "
                                "callers of the same priority; false: in queue order")
    sites: dict[str, Site] = Field(description="site name -> cost factor, dialects")
    regions: dict[str, Region] = Field(description="region name -> caller share, dialect")


def check_sites(scn: Any) -> None:
    """Groups name known sites (all of them, once sites are on); dialects are spoken
    somewhere; region shares sum to 1; tiers named exist."""
    cfg = scn.sites
    groups = live(scn.groups)
    if cfg is None:
        for g in groups:
            if scn.groups[g].site is not None:
                raise ConfigError(f"scenario.groups.{g}.site", "needs scenario.sites")
        return
    key = "scenario.sites"
    if not cfg.sites:
        raise ConfigError(f"{key}.sites", "needs at least one site")
    names = list(cfg.sites)
    for g in groups:
        site = scn.groups[g].site
        if site not in names:
            raise ConfigError(f"scenario.groups.{g}.site", f"unknown site {site!r}; allowed: "
                                                           f"{', '.join(names)}")
    spoken = {d for s in cfg.sites.values() for d in s.dialects}
    if not cfg.regions:
        raise ConfigError(f"{key}.regions", "needs at least one region")
    total = sum(r.share for r in cfg.regions.values())
    if abs(total - 1) > 1e-9:
        raise ConfigError(f"{key}.regions", f"shares must sum to 1, got {total:g}")
    tiers = list(scn.tiers or {}) if hasattr(scn, "tiers") else []
    for name, r in cfg.regions.items():
        rk = f"{key}.regions.{name}"
        if r.dialect is not None and r.dialect not in spoken:
            raise ConfigError(f"{rk}.dialect", f"no site speaks {r.dialect!r}; spoken: "
                                               f"{', '.join(sorted(spoken)) or '(none)'}")
        needs = (r.dialect_share or any((r.dialect_share_by_tier or {}).values())
                 or any((r.dialect_share_by_class or {}).values()))
        if r.dialect is None and needs:
            raise ConfigError(f"{rk}.dialect_share", "needs a dialect")
        for t in r.dialect_share_by_tier or {}:
            if t not in tiers:
                raise ConfigError(f"{rk}.dialect_share_by_tier", f"unknown tier {t!r}; "
                                  f"allowed: {', '.join(tiers) or '(no tiers)'}")


def build_sites(scn: Any, groups: tuple, classes: tuple, tiers: tuple):
    """The :class:`sim.model.spec.SitesSpec` of ``scenario.sites`` (None when off), and
    the groups with their site and the site's cost factor applied."""
    import dataclasses

    from sim.model.spec import SitesSpec

    cfg = scn.sites
    if cfg is None:
        return None, groups
    names = list(cfg.sites)
    dialects = sorted({d for s in cfg.sites.values() for d in s.dialects})
    out = []
    for g in groups:
        site = scn.groups[g.name].site
        i = names.index(site)
        out.append(dataclasses.replace(g, site=i, cost_per_hour=g.cost_per_hour
                                       * cfg.sites[site].cost_factor))
    tier_names = [t.name for t in tiers]
    regions = list(cfg.regions.values())
    # per region, per class: P(a caller of this class from this region needs the dialect)
    need = [_need(f"scenario.sites.regions.{name}", r, classes, tier_names)
            for name, r in cfg.regions.items()]
    spec = SitesSpec(
        names=tuple(names), dialects=tuple(dialects),
        site_dialects=tuple(frozenset(dialects.index(d) for d in s.dialects)
                            for s in cfg.sites.values()),
        regions=tuple(cfg.regions), region_share=tuple(r.share for r in regions),
        region_dialect=tuple(-1 if r.dialect is None else dialects.index(r.dialect)
                             for r in regions),
        dialect_need=tuple(need), fallback_s=cfg.dialect_fallback_s,
        dialect_first=cfg.dialect_first)
    return spec, tuple(out)


def _need(key: str, r: Region, classes: tuple, tier_names: list[str]) -> tuple[float, ...]:
    """Per class: the share of the region's callers of that class who need the dialect."""
    by_class = r.dialect_share_by_class or {}
    names = [c.name for c in classes]
    for c in by_class:
        if c not in names:
            raise ConfigError(f"{key}.dialect_share_by_class", f"unknown class {c!r}; "
                                                               f"allowed: {', '.join(names)}")
    by_tier = r.dialect_share_by_tier or {}
    return tuple(by_class.get(c.name, by_tier.get(tier_names[c.tier], r.dialect_share)
                              if c.tier >= 0 else r.dialect_share) for c in classes)


register_section("sites", Sites | None, None, "seat sites, caller regions and dialect "
                 "routing (null: one undivided centre)", check_sites)
