"""What the plan must meet: the SLA spec's targets (judged by ``ccsim check``'s own rule),
tied to the desks whose staffing moves them."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim.check.spec import SLAError, SLASpec

SL_KPI = "service_level"
DEFAULT_DESK_TARGET = 0.80  # a desk no service-level target covers (only other KPIs)


class StaffError(ValueError):
    """Bad input to the planner: one line naming the key and what is allowed (exit 2)."""


@dataclass
class Goals:
    """The spec's targets, the classes each covers, and the desks that serve them."""

    spec: SLASpec  # run options applied
    checks: list  # sim.check.decide.Check, one per target
    classes: dict[str, np.ndarray]  # target id -> bool mask over call classes
    desks: dict[str, list[int]]  # target id -> desks serving its calls
    desk_target: np.ndarray  # [g] nominal service-level target of each desk

    def sl_targets(self):
        return [t for t in self.spec.targets if t.kpi == SL_KPI and t.min is not None]


def target_classes(model, target) -> np.ndarray:
    """Which call classes a target's KPI counts."""
    cls = model.classes
    if target.scope == "overall":
        return np.ones(len(cls), dtype=bool)
    if target.scope == "class":
        return np.array([c.name == target.name for c in cls])
    if target.scope == "tier":
        idx = next(t.index for t in model.tiers if t.name == target.name)
        return np.array([c.tier == idx for c in cls])
    if target.scope == "reason":
        idx = list(model.reasons).index(target.name)
        return np.array([c.reason == idx for c in cls])
    return np.zeros(len(cls), dtype=bool)  # scope group: the desk itself


QUANTILES = 100_000  # grid of a distribution's quantiles: shares exact to 1e-5
ABANDON_GRID_ERROR = 0.002  # the abandonment floor uses a 2,000-point grid of delays


def class_volumes(model) -> np.ndarray:
    """Expected calls of each class over the horizon."""
    base = np.asarray(model.calls_per_interval, dtype=float)
    return np.array([sum(c.volume) if c.volume else base.sum() * c.mix for c in model.classes])


def answer_delay_bound(model, mask: np.ndarray) -> float | None:
    """The highest service level any staffing gives the classes in ``mask``: no call is
    answered before its answer delay, so at most the share of delays within the
    threshold, volume-weighted (None when none of them has an answer delay)."""
    classes = [c for c in model.classes if mask[c.index]]
    if not any(c.answer_delay is not None for c in classes):
        return None
    u = (np.arange(QUANTILES) + 0.5) / QUANTILES
    volumes = class_volumes(model)
    share = [1.0 if c.answer_delay is None
             else float(np.mean(c.answer_delay.ppf(u) <= model.service_level_s))
             for c in classes]
    weights = np.array([volumes[c.index] for c in classes])
    return float(np.average(share, weights=weights)) if weights.sum() > 0 else None


def answer_delay_abandon_bound(model, mask: np.ndarray) -> float | None:
    """The lowest abandonment any staffing gives the classes in ``mask``: a caller whose
    patience runs out before the answer delay abandons even with agents idle, so at least
    P(patience < delay), volume-weighted (None when none of them has an answer delay)."""
    classes = [c for c in model.classes if mask[c.index]]
    if not any(c.answer_delay is not None for c in classes):
        return None
    u = (np.arange(QUANTILES) + 0.5) / QUANTILES
    volumes = class_volumes(model)
    share = []
    for c in classes:
        if c.answer_delay is None or c.patience is None:
            share.append(0.0)
            continue
        patience = np.sort(c.patience.ppf(u))
        delays = c.answer_delay.ppf(u[::QUANTILES // 2000])
        share.append(float(np.searchsorted(patience, delays).mean()) / QUANTILES)
    weights = np.array([volumes[c.index] for c in classes])
    return float(np.average(share, weights=weights)) if weights.sum() > 0 else None


def check_feasible(model, spec) -> None:
    """Targets no staffing can meet are bad input, said before any simulation."""
    for t in spec.targets:
        if t.kpi == SL_KPI and t.min is not None and t.scope != "group":
            bound = answer_delay_bound(model, target_classes(model, t))
            if bound is not None and t.min > bound:
                raise StaffError(f"--sla {t.id}: min {t.min:g} cannot be met by any staffing: "
                                 f"the scenario's answer delay lets at most {bound:.1%} of "
                                 f"these calls be answered within {model.service_level_s:g} "
                                 f"s; allowed: a min up to {bound:.3f}")
        if t.kpi == "abandon_rate" and t.max is not None and t.scope != "group":
            floor = answer_delay_abandon_bound(model, target_classes(model, t))
            if floor is not None and t.max < floor - ABANDON_GRID_ERROR:
                raise StaffError(f"--sla {t.id}: max {t.max:g} cannot be met by any staffing: "
                                 f"{floor:.1%} of these callers run out of patience during "
                                 f"the scenario's answer delay, with agents idle; allowed: a "
                                 f"max of at least {floor:.3f}")
        if t.kpi == SL_KPI and t.min is not None and t.min >= 1.0:
            raise StaffError(f"--sla {t.id}: min {t.min:g} cannot be met by any finite "
                             f"staffing (every caller answered within "
                             f"{model.service_level_s:g} s); allowed: a min below 1")
        if t.kpi in ("abandon_rate", "asa_s", "mean_wait_s", "p_wait") and t.max is not None \
                and t.max <= 0:
            raise StaffError(f"--sla {t.id}: max {t.max:g} cannot be met by any finite "
                             f"staffing; allowed: a max above 0")
        if t.scope == "tier":
            tier = next(x for x in model.tiers if x.name == t.name)
            if not tier.agent_service:
                raise StaffError(f"--sla {t.id}: no desk serves tier {t.name} "
                                 f"(agent_service: false); allowed: tiers agents serve")


def build_goals(model, spec, home: np.ndarray, queued: np.ndarray) -> Goals:
    """Tie each target to desks by where its callers' calls went (``home``: each class's
    home desk; ``queued``: calls per class that asked for an agent)."""
    from sim.check.decide import Check

    n_g = len(model.groups)
    checks = [Check(t.id, "target", t.key, t.min, t.max, t.bound) for t in spec.targets]
    classes, desks = {}, {}
    best = np.full(n_g, -math.inf)
    for t in spec.targets:
        mask = target_classes(model, t)
        classes[t.id] = mask
        if t.scope == "group":
            desks[t.id] = [next(g.index for g in model.groups if g.name == t.name)]
            continue
        calls = np.bincount(home[mask & (home >= 0)], weights=queued[mask & (home >= 0)],
                            minlength=n_g)
        if calls.sum() <= 0:
            raise StaffError(f"--sla {t.id}: no desk serves these callers (none of their "
                             f"calls reached an agent queue); allowed: targets on callers "
                             f"a desk serves")
        desks[t.id] = [g for g in range(n_g) if calls[g] >= 0.01 * calls.sum()]
        if t.kpi == SL_KPI and t.min is not None:
            for g in np.nonzero(calls > 0)[0]:
                best[g] = max(best[g], t.min)
    desk_target = np.where(np.isfinite(best), best, DEFAULT_DESK_TARGET)
    return Goals(spec, checks, classes, desks, desk_target)


def load_spec(sla: str, overrides, model_name: str, setup):
    """The SLA spec as ``ccsim check`` reads it, with its run options applied."""
    from sim.check.gate import _apply_run_options, resolve_sla

    try:
        return _apply_run_options(resolve_sla(sla, model_name), overrides, setup, None)
    except SLAError as exc:
        raise StaffError(str(exc)) from None
