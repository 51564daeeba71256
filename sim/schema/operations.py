"""``scenario.operations`` (issue 15): closed-loop callbacks, complaint escalation, key
customers, redials after an IVR hang-up, outbound blending. A section of the scenario
schema (registered below); ``short_abandon_s`` is a top-level key of every scenario
(``sim.schema.scenario.ScenarioBase``). Name references into tiers, reasons and pools are
checked when the hotline is built (:func:`build_operations`).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, ValidationError

from sim.schema.common import STRICT
from sim.schema.errors import config_error
from sim.schema.limits import MAX_TIME_S
from sim.schema.scenario import register_section


def _validated(model: type[BaseModel], value: Any, prefix: str) -> Any:
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        raise config_error(exc, prefix, model) from None


class Callbacks(BaseModel):
    """``operations.callbacks``: closed-loop callbacks after a work order."""

    model_config = STRICT
    max_attempts: int = Field(3, ge=1, le=20, description="callback attempts before the "
                              "customer counts as unreachable")
    retry_delay: Any = Field(3600, description="time between unanswered attempts "
                             "(seconds or a distribution)")
    satisfaction_pools: list[str] = Field(
        default_factory=list, description="second-line pools (e.g. repair) whose callback is "
                                          "the satisfaction callback after the repair")
    satisfaction_handle_time: Any = Field(
        None, description="talk time of a satisfaction callback (default: "
                          "second_line.callback.handle_time)")


class Level(BaseModel):
    model_config = STRICT
    name: str = Field(description="who the order escalates to (e.g. team_leader)")
    after_s: float = Field(gt=0, le=MAX_TIME_S, description="seconds after the order "
                           "opened at which an order still open escalates to this level")


class Complaints(BaseModel):
    """``operations.complaints``: escalation of complaint work orders."""

    model_config = STRICT
    reason: str = Field("complaint", description="the call reason whose calls are complaints")
    levels: list[Level] = Field(default_factory=list,
                                description="escalation levels, in increasing after_s")
    time_limit_s: float = Field(86400, gt=0, le=MAX_TIME_S,
                                description="a complaint order closed later is overdue")


class Grade(BaseModel):
    model_config = STRICT
    share: float = Field(ge=0, le=1, description="share of the eligible callers' customers "
                         "who are key persons of this grade")
    tier: str = Field(description="the VIP tier they are served as (e.g. gold)")


class KeyCustomers(BaseModel):
    """``operations.key_customers``: government/enterprise key persons by caller ID."""

    model_config = STRICT
    from_tiers: list[str] = Field(description="tiers whose callers may be key persons")
    grades: dict[str, Grade] = Field(description="grade name (5A, 1B ...) -> share, tier")


class Redial(BaseModel):
    model_config = STRICT
    prob: float = Field(ge=0, le=1, description="probability of calling again")
    delay: Any = Field(600, description="time to the next attempt (seconds or a distribution)")


class Operations(BaseModel):
    """``scenario.operations`` of a hotline scenario: every feature off unless given."""

    model_config = STRICT
    callbacks: Callbacks | None = Field(None, description="closed-loop callbacks")
    complaints: Complaints | None = Field(None, description="complaint rate and escalation")
    key_customers: KeyCustomers | None = Field(None, description="key persons served as VIPs")
    ivr_hangup_redial: Redial | None = Field(
        None, description="redials of callers the IVR hung up on (failed verification, "
                          "blacklist); default: as redial.disconnected")
    outbound_reserved_share: float = Field(
        0.0, ge=0, le=1, description="share of a blended group's logged-in agents kept for "
        "outbound work (callbacks first, then campaigns) even while inbound calls wait")


def build_operations(cfg: Any, pools: list[str], has_outbound: bool, reasons: list[str],
                     classes: tuple = (), tiers: tuple = ()):
    """The validated :class:`sim.model.spec.OperationsSpec` of ``scenario.operations``."""
    from sim.errors import ConfigError
    from sim.model.spec import CallbackLoopSpec, ComplaintSpec, OperationsSpec
    from sim.schema.distribution import parse as parse_distribution

    key = "scenario.operations"
    ops = cfg if isinstance(cfg, Operations) else _validated(Operations, cfg or {}, key)
    callbacks = None
    if ops.callbacks is not None:
        cb, ck = ops.callbacks, f"{key}.callbacks"
        if not pools or not has_outbound:
            raise ConfigError(ck, "needs second_line (work orders) and outbound (agents who "
                                  "call back)")
        for p in cb.satisfaction_pools:
            if p not in pools:
                raise ConfigError(f"{ck}.satisfaction_pools",
                                  f"unknown pool {p!r}; allowed: {', '.join(pools)}")
        sat = cb.satisfaction_handle_time
        callbacks = CallbackLoopSpec(
            cb.max_attempts,
            parse_distribution(f"{ck}.retry_delay", cb.retry_delay, finite=True),
            tuple(pools.index(p) for p in cb.satisfaction_pools),
            None if sat is None else parse_distribution(f"{ck}.satisfaction_handle_time",
                                                        sat, finite=True))
    complaints = None
    if ops.complaints is not None:
        c, ck = ops.complaints, f"{key}.complaints"
        if c.reason not in reasons:
            raise ConfigError(f"{ck}.reason", f"unknown reason {c.reason!r}; allowed: "
                                              f"{', '.join(reasons)}")
        after = [lv.after_s for lv in c.levels]
        if after != sorted(set(after)):
            raise ConfigError(f"{ck}.levels", f"after_s must increase from level to level, "
                                              f"got {after}")
        if c.levels and not pools:
            raise ConfigError(f"{ck}.levels", "needs second_line (complaint work orders)")
        complaints = ComplaintSpec(reasons.index(c.reason), tuple(lv.name for lv in c.levels),
                                   tuple(after), c.time_limit_s)
    key_customers = None
    if ops.key_customers is not None:
        key_customers = _key_customers(ops.key_customers, f"{key}.key_customers", classes,
                                       tiers)
    if ops.outbound_reserved_share and not has_outbound:
        raise ConfigError(f"{key}.outbound_reserved_share", "needs outbound (blended groups)")
    hangup = None
    if ops.ivr_hangup_redial is not None:
        r = ops.ivr_hangup_redial
        hangup = (r.prob, parse_distribution(f"{key}.ivr_hangup_redial.delay", r.delay,
                                             finite=True))
    return OperationsSpec(callbacks=callbacks, complaints=complaints,
                          key_customers=key_customers, ivr_hangup_redial=hangup,
                          outbound_reserved_share=ops.outbound_reserved_share)


def _key_customers(kc: KeyCustomers, key: str, classes: tuple, tiers: tuple):
    """Per grade, the class each eligible class is served as (same reason, grade's tier)."""
    from sim.errors import ConfigError
    from sim.model.spec import KeyCustomerSpec

    names = [t.name for t in tiers]
    for t in kc.from_tiers:
        if t not in names:
            raise ConfigError(f"{key}.from_tiers", f"unknown tier {t!r}; allowed: "
                                                   f"{', '.join(names)}")
    if sum(g.share for g in kc.grades.values()) > 1 + 1e-9:
        raise ConfigError(f"{key}.grades", "shares must sum to at most 1")
    by_pair = {(c.tier, c.reason): c.index for c in classes}
    eligible = {names.index(t) for t in kc.from_tiers}
    maps = []
    for grade, g in kc.grades.items():
        if g.tier not in names:
            raise ConfigError(f"{key}.grades.{grade}.tier", f"unknown tier {g.tier!r}; "
                                                            f"allowed: {', '.join(names)}")
        to = names.index(g.tier)
        row = []
        for c in classes:
            if c.tier not in eligible:
                row.append(-1)
                continue
            if (to, c.reason) not in by_pair:
                raise ConfigError(f"{key}.grades.{grade}.tier", f"tier {g.tier} has no "
                                  f"class for reason {c.name.split('/')[1]} (share 0)")
            row.append(by_pair[to, c.reason])
        maps.append(tuple(row))
    return KeyCustomerSpec(tuple(kc.grades), tuple(g.share for g in kc.grades.values()),
                           tuple(maps))


register_section("operations", Operations | None, None,
                 "operations features of a hotline scenario (every one off unless given)")
