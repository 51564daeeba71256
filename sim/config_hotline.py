"""Hotline scenarios (tiers × reasons, IVR tree, redials, second line, outbound, outage)
compiled into the same model spec as simple scenarios: one engine, two front-ends.

A call class is a (tier, reason) pair, named ``tier/reason``: priority, patience and IVR
entry come from the tier; handle time, after-call work and resolution from the reason.
The scenario arrives validated (:mod:`sim.schema`); what is checked here needs the IVR
tree built first (entries, notice and menu nodes, paths without agents).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from sim.errors import ConfigError
from sim.model.distributions import Deterministic
from sim.model.ivr import IvrSpec, check_no_agent_path, parse_ivr
from sim.model.spec import (
    DEFAULT_VIP_TIERS,
    RETENTION_DEFAULT,
    CallClass,
    CampaignSpec,
    GroupSpec,
    OutageSpec,
    OutboundSpec,
    PoolSpec,
    QueueSpec,
    RedialSpec,
    SecondLineSpec,
    TierSpec,
)
from sim.schema.common import PerInterval
from sim.schema.distribution import by_group
from sim.schema.distribution import parse as parse_distribution
from sim.schema.operations import build_operations

REDIAL_KINDS = ("abandoned", "disconnected", "unresolved")


def build_hotline(s: Any, queues: tuple[QueueSpec, ...], groups: tuple[GroupSpec, ...],
                  per_interval: PerInterval) -> dict[str, Any]:
    """ModelSpec fields for a validated hotline scenario (``classes`` included)."""
    reasons = list(s.reasons)
    qnames = [q.name for q in queues]
    gnames = [g.name for g in groups]
    ivr = parse_ivr(s.ivr, reasons, qnames)
    names = [n.name for n in ivr.nodes]
    tiers = _tiers(s, ivr, names)
    by_tier = s.reason_share_by_tier or {}
    classes: list[CallClass] = []
    for t in tiers:
        shares = by_tier.get(t.name, {r: s.reasons[r].share for r in reasons})
        tier_cfg = s.tiers[t.name]
        patience = parse_distribution(f"scenario.tiers.{t.name}.patience", tier_cfg.patience)
        for ri, r in enumerate(reasons):
            mix = t.share * shares.get(r, 0.0)
            if mix <= 0:
                continue
            ht, acw, res = _reason_laws(r, s.reasons[r], gnames)
            classes.append(CallClass(
                name=f"{t.name}/{r}", index=len(classes), mix=mix, priority=t.priority,
                queue=0, patience=patience, ivr_time=Deterministic(0.0), handle_time=ht,
                after_call_work=acw, tier=t.index, reason=ri,
                entry=ivr.index(tier_cfg.entry), resolution=res))
    retention = (s.value.retention.model_dump() if s.value and s.value.retention
                 else dict(RETENTION_DEFAULT))
    second_line = _second_line(s, reasons, per_interval)
    outbound = _outbound(s.outbound, gnames, per_interval)
    return {
        "classes": tuple(classes), "tiers": tiers, "reasons": tuple(reasons), "ivr": ivr,
        "queues": _queue_extras(s, queues, names),
        "population": s.customers.population,
        "redial": build_redial(s.redial),
        "second_line": second_line,
        "outbound": outbound,
        "operations": build_operations(
            s.operations, [p.name for p in second_line.pools] if second_line is not None
            else [], outbound is not None, reasons, tuple(classes), tiers),
        "outage": _outage(s.outage, reasons, names),
        "fcr_window_s": s.fcr_window_s,
        "retention": {k: retention[k] for k in RETENTION_DEFAULT},
        "tier_of_vip": tuple(name in DEFAULT_VIP_TIERS if t.vip is None else t.vip
                             for name, t in s.tiers.items()),
    }


def _tiers(s: Any, ivr: IvrSpec, names: list[str]) -> tuple[TierSpec, ...]:
    out = []
    for i, (name, t) in enumerate(s.tiers.items()):
        key = f"scenario.tiers.{name}"
        if t.entry not in names:
            raise ConfigError(f"{key}.entry", f"unknown IVR node {t.entry!r}; allowed: "
                                              f"{', '.join(names)}")
        if not t.agent_service:
            check_no_agent_path(ivr, names.index(t.entry), f"{key}.entry")
        target = float("nan") if t.sl_target is None else t.sl_target
        out.append(TierSpec(name, i, t.share, t.priority, target, t.annual_value,
                            t.agent_service))
    return tuple(out)


def _reason_laws(r: str, cfg: Any, gnames: list[str]) -> tuple:
    """Handle time and after-call work (finite) and resolution, for every group."""
    key = f"scenario.reasons.{r}"
    for field in ("handle_time", "after_call_work"):  # null or none: an agent busy forever
        parse_distribution(f"{key}.{field}", getattr(cfg, field), finite=True)
    ht = by_group(key, "handle_time", cfg.handle_time, cfg.handle_time_by_group, gnames)
    acw = by_group(key, "after_call_work", cfg.after_call_work, cfg.after_call_work_by_group,
                   gnames)
    over = cfg.resolution_by_group or {}
    res = tuple(over.get(g, cfg.resolution) for g in gnames)
    return ht, acw, res


def _queue_extras(s: Any, queues: tuple[QueueSpec, ...], names: list[str]
                  ) -> tuple[QueueSpec, ...]:
    out = []
    for q in queues:
        key = f"scenario.queues.{q.name}"
        cfg = s.queues[q.name]
        node = cfg.press2_node
        if node is not None and node not in names:
            raise ConfigError(f"{key}.press2_node", f"unknown IVR node {node!r}; allowed: "
                                                    f"{', '.join(names)}")
        if cfg.press2_prob > 0 and node is None:
            raise ConfigError(f"{key}.press2_node", "is required when press2_prob > 0")
        out.append(dataclasses.replace(q, press2_prob=cfg.press2_prob,
                                       press2_node=names.index(node) if node else -1))
    return tuple(out)


def build_redial(cfg: Any) -> RedialSpec | None:
    if cfg is None:
        return None
    prob, delay = {}, {}
    for kind in REDIAL_KINDS:
        c = getattr(cfg, kind)
        prob[kind] = c.prob
        delay[kind] = parse_distribution(f"scenario.redial.{kind}.delay", c.delay, finite=True)
    return RedialSpec(prob, delay, cfg.max_attempts)


def _second_line(s: Any, reasons: list[str], per_interval: PerInterval
                 ) -> SecondLineSpec | None:
    cfg = s.second_line
    if cfg is None:
        return None
    pools = []
    for i, (name, p) in enumerate(cfg.pools.items()):
        key = f"scenario.second_line.pools.{name}"
        pools.append(PoolSpec(
            name, i, per_interval(f"{key}.staffing", p.staffing, integer=True),
            parse_distribution(f"{key}.processing_time", p.processing_time, finite=True),
            p.green_channel, p.cost_per_hour))
    pnames = [p.name for p in pools]
    by_reason = tuple(pnames.index(s.reasons[r].second_line or pnames[0]) for r in reasons)
    cb = cfg.callback
    return SecondLineSpec(
        tuple(pools), by_reason,
        parse_distribution("scenario.second_line.callback.handle_time", cb.handle_time,
                           finite=True), cb.answer_prob)


def _outbound(cfg: Any, gnames: list[str], per_interval: PerInterval) -> OutboundSpec | None:
    if cfg is None:
        return None
    campaigns = []
    for name, c in (cfg.campaigns or {}).items():
        ck = f"scenario.outbound.campaigns.{name}"
        campaigns.append(CampaignSpec(
            name, per_interval(f"{ck}.tasks_per_interval", c.tasks_per_interval,
                               integer=False),
            parse_distribution(f"{ck}.handle_time", c.handle_time, finite=True)))
    return OutboundSpec(tuple(gnames.index(g) for g in cfg.groups or ()),
                        cfg.max_inbound_waiting, tuple(campaigns))


def _outage(cfg: Any, reasons: list[str], names: list[str]) -> OutageSpec | None:
    if cfg is None or not cfg.enabled:
        return None
    for k in ("notice_node", "menu_node"):
        if getattr(cfg, k) not in names:
            raise ConfigError(f"scenario.outage.{k}", f"unknown IVR node {getattr(cfg, k)!r}; "
                                                      f"allowed: {', '.join(names)}")
    return OutageSpec(reasons.index(cfg.reason), cfg.start_s, cfg.duration_s, cfg.multiplier,
                      cfg.ticket_threshold, names.index(cfg.notice_node),
                      names.index(cfg.menu_node))
