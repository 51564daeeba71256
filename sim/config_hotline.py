"""Hotline scenarios (tiers × reasons, IVR tree, redials, second line, outbound, outage)
compiled into the same model spec as simple scenarios: one engine, two front-ends.

A call class is a (tier, reason) pair, named ``tier/reason``: priority, patience and IVR
entry come from the tier; handle time, after-call work and resolution from the reason.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
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
from sim.schema import limits
from sim.schema.distribution import parse as parse_distribution
from sim.schema.operations import build_operations

HOTLINE_KEYS = {"customers", "tiers", "reasons", "reason_share_by_tier", "ivr", "redial",
                "second_line", "outbound", "outage", "fcr_window_s", "value",
                "operations"}
TIER_KEYS = {"share", "priority", "sl_target", "patience", "entry", "annual_value",
             "agent_service", "vip"}
REASON_KEYS = {"share", "handle_time", "handle_time_by_group", "after_call_work",
               "after_call_work_by_group", "resolution", "resolution_by_group", "second_line"}
REDIAL_KINDS = ("abandoned", "disconnected", "unresolved")


def _map(key: str, v: Any) -> Mapping:
    if not isinstance(v, Mapping):
        raise ConfigError(key, f"must be a mapping, got {type(v).__name__}")
    return v


def _keys(key: str, v: Mapping, allowed: set[str]) -> None:
    for k in v:
        if k not in allowed:
            raise ConfigError(f"{key}.{k}", f"unknown key; allowed: {', '.join(sorted(allowed))}")


def _prob(key: str, v: Any) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= 1:
        raise ConfigError(key, f"must be a probability in [0, 1], got {v!r}")
    return float(v)


def _nonneg(key: str, v: Any, *, integer: bool = False) -> float:
    ok = isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0 and math.isfinite(v)
    if not ok or (integer and not float(v).is_integer()) or v > limits.MAX_TIME_S:
        raise ConfigError(key, f"must be {'an integer' if integer else 'a number'} >= 0 and "
                               f"<= {limits.MAX_TIME_S:g}, got {v!r}")
    return float(v)


def _flag(key: str, v: Any) -> bool:
    """Strictly true or false: a string such as 'false' or 'no' is not a switch."""
    if not isinstance(v, bool):
        raise ConfigError(key, f"must be true or false (not a string or number), got {v!r}")
    return v


def _shares(key: str, items: Mapping[str, Any], field: str = "share") -> dict[str, float]:
    out = {n: _prob(f"{key}.{n}.{field}" if field else f"{key}.{n}",
                    (v.get(field) if field else v)) for n, v in items.items()}
    total = sum(out.values())
    if abs(total - 1) > 1e-9:
        raise ConfigError(f"{key}.*.{field}" if field else key,
                          f"shares must sum to 1, got {total:.6g}")
    return out


def build_hotline(scn: Mapping, queues: tuple[QueueSpec, ...], groups: tuple[GroupSpec, ...],
                  per_interval) -> dict[str, Any]:
    """ModelSpec fields for a hotline scenario (``classes`` included)."""
    reasons_cfg = _map("scenario.reasons", scn.get("reasons"))
    tiers_cfg = _map("scenario.tiers", scn.get("tiers"))
    reasons = list(reasons_cfg)
    qnames = [q.name for q in queues]
    gnames = [g.name for g in groups]
    if not reasons or not tiers_cfg:
        raise ConfigError("scenario.tiers", "a hotline scenario needs tiers and reasons")
    ivr = parse_ivr(scn.get("ivr"), reasons, qnames)
    names = [n.name for n in ivr.nodes]
    tiers = _tiers(tiers_cfg, ivr, names)
    reason_share = _shares("scenario.reasons", {r: _map(f"scenario.reasons.{r}", v)
                                                for r, v in reasons_cfg.items()})
    by_tier = _map("scenario.reason_share_by_tier", scn.get("reason_share_by_tier") or {})
    classes = []
    for t in tiers:
        shares = reason_share
        if t.name in by_tier:
            shares = _shares(f"scenario.reason_share_by_tier.{t.name}",
                             _map(f"scenario.reason_share_by_tier.{t.name}", by_tier[t.name]),
                             field="")
            for r in shares:
                if r not in reasons:
                    raise ConfigError(f"scenario.reason_share_by_tier.{t.name}.{r}",
                                      f"unknown reason; allowed: {', '.join(reasons)}")
        tier_cfg = tiers_cfg[t.name]
        patience = parse_distribution(f"scenario.tiers.{t.name}.patience",
                                      tier_cfg.get("patience"))
        for ri, r in enumerate(reasons):
            mix = t.share * shares.get(r, 0.0)
            if mix <= 0:
                continue
            ht, acw, res = _reason_laws(r, reasons_cfg[r], gnames)
            classes.append(CallClass(
                name=f"{t.name}/{r}", index=len(classes), mix=mix, priority=t.priority,
                queue=0, patience=patience, ivr_time=Deterministic(0.0), handle_time=ht,
                after_call_work=acw, tier=t.index, reason=ri,
                entry=ivr.index(tier_cfg["entry"]), resolution=res))
    queues = _queue_extras(scn, queues, names)
    second_line = _second_line(scn.get("second_line"), reasons_cfg, reasons, per_interval)
    outbound = _outbound(scn.get("outbound"), gnames, per_interval)
    out = {
        "classes": tuple(classes), "tiers": tiers, "reasons": tuple(reasons), "ivr": ivr,
        "queues": queues,
        "population": int(_nonneg("scenario.customers.population", _map(
            "scenario.customers", scn.get("customers", {})).get("population", 0),
            integer=True)),
        "redial": _redial(scn.get("redial")),
        "second_line": second_line,
        "outbound": outbound,
        "outage": _outage(scn.get("outage"), reasons, names),
        "fcr_window_s": _nonneg("scenario.fcr_window_s", scn.get("fcr_window_s", 259200)),
        "retention": _retention(scn.get("value")),
        "tier_of_vip": _vip_tiers(tiers_cfg),
        "operations": build_operations(
            scn.get("operations"),
            [p.name for p in second_line.pools] if second_line is not None else [],
            outbound is not None, reasons, tuple(classes), tiers),
    }
    return out


def _tiers(cfg: Mapping, ivr: IvrSpec, names: list[str]) -> tuple[TierSpec, ...]:
    shares = _shares("scenario.tiers", {t: _map(f"scenario.tiers.{t}", v)
                                        for t, v in cfg.items()})
    out = []
    for i, (name, t) in enumerate(cfg.items()):
        key = f"scenario.tiers.{name}"
        _keys(key, t, TIER_KEYS)
        if t.get("entry") not in names:
            raise ConfigError(f"{key}.entry", f"unknown IVR node {t.get('entry')!r}; allowed: "
                                              f"{', '.join(names)}")
        agent = _flag(f"{key}.agent_service", t.get("agent_service", True))
        if not agent:
            check_no_agent_path(ivr, names.index(t["entry"]), f"{key}.entry")
        target = t.get("sl_target")
        target = math.nan if target is None else _prob(f"{key}.sl_target", target)
        out.append(TierSpec(name, i, shares[name],
                            int(_nonneg(f"{key}.priority", t.get("priority", 0), integer=True)),
                            target, _nonneg(f"{key}.annual_value", t.get("annual_value", 0)),
                            agent))
    return tuple(out)


def _vip_tiers(cfg: Mapping) -> tuple[bool, ...]:
    """Per tier: a VIP (the second line's green channel). ``tiers.NAME.vip``; by default
    the 10000 rule: diamond, gold and silver customers are VIPs (domain brief)."""
    return tuple(_flag(f"scenario.tiers.{name}.vip", t.get("vip", name in DEFAULT_VIP_TIERS))
                 for name, t in cfg.items())


def _reason_laws(r: str, cfg: Mapping, gnames: list[str]):
    key = f"scenario.reasons.{r}"
    _keys(key, cfg, REASON_KEYS)
    if "handle_time" not in cfg:
        raise ConfigError(f"{key}.handle_time", "is required")
    out = []
    for field, default in (("handle_time", None), ("after_call_work", 0)):
        base = parse_distribution(f"{key}.{field}", cfg.get(field, default), finite=True)
        over = _map(f"{key}.{field}_by_group", cfg.get(f"{field}_by_group") or {})
        for g in over:
            if g not in gnames:
                raise ConfigError(f"{key}.{field}_by_group.{g}",
                                  f"unknown group; allowed: {', '.join(gnames)}")
        laws = tuple(parse_distribution(f"{key}.{field}_by_group.{g}", over[g]) if g in over
                     else base for g in gnames)
        if any(d.mean == math.inf for d in laws):
            raise ConfigError(f"{key}.{field}", "must be finite (not none)")
        out.append(laws)
    base = _prob(f"{key}.resolution", cfg.get("resolution", 1.0))
    over = _map(f"{key}.resolution_by_group", cfg.get("resolution_by_group") or {})
    for g in over:
        if g not in gnames:
            raise ConfigError(f"{key}.resolution_by_group.{g}",
                              f"unknown group; allowed: {', '.join(gnames)}")
    res = tuple(_prob(f"{key}.resolution_by_group.{g}", over[g]) if g in over else base
                for g in gnames)
    return out[0], out[1], res


def _queue_extras(scn: Mapping, queues: tuple[QueueSpec, ...], names: list[str]):
    out = []
    for q in queues:
        key = f"scenario.queues.{q.name}"
        cfg = scn["queues"][q.name]
        node = cfg.get("press2_node")
        if node is not None and node not in names:
            raise ConfigError(f"{key}.press2_node", f"unknown IVR node {node!r}; allowed: "
                                                    f"{', '.join(names)}")
        prob = _prob(f"{key}.press2_prob", cfg.get("press2_prob", 0.0))
        if prob > 0 and node is None:
            raise ConfigError(f"{key}.press2_node", "is required when press2_prob > 0")
        out.append(dataclasses.replace(q, press2_prob=prob,
                                       press2_node=names.index(node) if node else -1))
    return tuple(out)


def _redial(cfg: Any) -> RedialSpec | None:
    if cfg is None:
        return None
    cfg = _map("scenario.redial", cfg)
    _keys("scenario.redial", cfg, set(REDIAL_KINDS) | {"max_attempts"})
    prob, delay = {}, {}
    for kind in REDIAL_KINDS:
        c = _map(f"scenario.redial.{kind}", cfg.get(kind, {"prob": 0.0, "delay": 600}))
        _keys(f"scenario.redial.{kind}", c, {"prob", "delay"})
        prob[kind] = _prob(f"scenario.redial.{kind}.prob", c.get("prob", 0.0))
        delay[kind] = parse_distribution(f"scenario.redial.{kind}.delay", c.get("delay", 600),
                                         finite=True)
    attempts = int(_nonneg("scenario.redial.max_attempts", cfg.get("max_attempts", 10),
                           integer=True))
    return RedialSpec(prob, delay, attempts)


def _second_line(cfg: Any, reasons_cfg: Mapping, reasons: list[str], per_interval):
    if cfg is None:
        return None
    cfg = _map("scenario.second_line", cfg)
    _keys("scenario.second_line", cfg, {"pools", "callback"})
    pools_cfg = _map("scenario.second_line.pools", cfg.get("pools"))
    pools = []
    for i, (name, p) in enumerate(pools_cfg.items()):
        key = f"scenario.second_line.pools.{name}"
        p = _map(key, p)
        _keys(key, p, {"staffing", "processing_time", "green_channel", "cost_per_hour"})
        pools.append(PoolSpec(
            name, i, per_interval(f"{key}.staffing", p.get("staffing", 0), integer=True),
            parse_distribution(f"{key}.processing_time", p.get("processing_time"), finite=True),
            _flag(f"{key}.green_channel", p.get("green_channel", False)),
            _nonneg(f"{key}.cost_per_hour", p.get("cost_per_hour", 0))))
    pnames = [p.name for p in pools]
    by_reason = []
    for r in reasons:
        target = reasons_cfg[r].get("second_line", pnames[0] if pnames else None)
        if target not in pnames:
            raise ConfigError(f"scenario.reasons.{r}.second_line",
                              f"unknown pool {target!r}; allowed: {', '.join(pnames)}")
        by_reason.append(pnames.index(target))
    cb = _map("scenario.second_line.callback", cfg.get("callback", {}))
    _keys("scenario.second_line.callback", cb, {"handle_time", "answer_prob"})
    return SecondLineSpec(
        tuple(pools), tuple(by_reason),
        parse_distribution("scenario.second_line.callback.handle_time",
                           cb.get("handle_time", 120), finite=True),
        _prob("scenario.second_line.callback.answer_prob", cb.get("answer_prob", 1.0)))


def _outbound(cfg: Any, gnames: list[str], per_interval) -> OutboundSpec | None:
    if cfg is None:
        return None
    key = "scenario.outbound"
    cfg = _map(key, cfg)
    _keys(key, cfg, {"groups", "max_inbound_waiting", "campaigns"})
    groups = cfg.get("groups") or []
    for g in groups:
        if g not in gnames:
            raise ConfigError(f"{key}.groups", f"unknown group {g!r}; allowed: "
                                               f"{', '.join(gnames)}")
    campaigns = []
    for name, c in _map(f"{key}.campaigns", cfg.get("campaigns") or {}).items():
        ck = f"{key}.campaigns.{name}"
        c = _map(ck, c)
        _keys(ck, c, {"tasks_per_interval", "handle_time"})
        campaigns.append(CampaignSpec(
            name, per_interval(f"{ck}.tasks_per_interval", c.get("tasks_per_interval", 0),
                               integer=False),
            parse_distribution(f"{ck}.handle_time", c.get("handle_time", 180), finite=True)))
    return OutboundSpec(tuple(gnames.index(g) for g in groups),
                        int(_nonneg(f"{key}.max_inbound_waiting",
                                    cfg.get("max_inbound_waiting", 0), integer=True)),
                        tuple(campaigns))


def _outage(cfg: Any, reasons: list[str], names: list[str]) -> OutageSpec | None:
    key = "scenario.outage"
    if cfg is None:
        return None
    cfg = _map(key, cfg)
    _keys(key, cfg, {"enabled", "reason", "start_s", "duration_s", "multiplier",
                     "ticket_threshold", "notice_node", "menu_node"})
    if not _flag(f"{key}.enabled", cfg.get("enabled", False)):
        return None
    if cfg.get("reason") not in reasons:
        raise ConfigError(f"{key}.reason", f"unknown reason; allowed: {', '.join(reasons)}")
    for k in ("notice_node", "menu_node"):
        if cfg.get(k) not in names:
            raise ConfigError(f"{key}.{k}", f"unknown IVR node {cfg.get(k)!r}; allowed: "
                                            f"{', '.join(names)}")
    mult = _nonneg(f"{key}.multiplier", cfg.get("multiplier", 3.0))
    if mult < 1:
        raise ConfigError(f"{key}.multiplier", f"must be >= 1, got {mult:g}")
    return OutageSpec(reasons.index(cfg["reason"]), _nonneg(f"{key}.start_s", cfg.get("start_s")),
                      _nonneg(f"{key}.duration_s", cfg.get("duration_s")), mult,
                      int(_nonneg(f"{key}.ticket_threshold", cfg.get("ticket_threshold", 50),
                                  integer=True)),
                      names.index(cfg["notice_node"]), names.index(cfg["menu_node"]))


def _retention(cfg: Any) -> dict[str, float]:
    cfg = _map("scenario.value", cfg or {})
    _keys("scenario.value", cfg, {"retention"})
    ret = _map("scenario.value.retention", cfg.get("retention") or {})
    _keys("scenario.value.retention", ret, set(RETENTION_DEFAULT))
    return {k: _prob(f"scenario.value.retention.{k}", ret.get(k, v))
            for k, v in RETENTION_DEFAULT.items()}
