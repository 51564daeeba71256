"""Simulation-based staffing: from the Erlang A plan, rescale per desk and interval with
common random numbers until every target passes by ``ccsim check``'s rule, then try to
take single agent-intervals away.

Each desk g and interval k has a formula target tau[g, k] (a service level the Erlang A
formula is asked for, on the load measured in the last simulation, as the iterative
staffing algorithm of Feldman, Mandelbaum, Massey & Whitt re-measures it). Where a
target misses, tau rises by the shortfall of the target's own callers at that desk and
interval (Herzog-style rescale, shrunk towards the day's figure where an interval has few
calls); where every target of a desk passes with room, tau falls back towards the desk's
nominal target, never below it: every interval keeps at least the formula's headcount for
its desk's target, so a plan never starves one half hour to flatter the day.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from sim.model.spec import ModelSpec
from sim.staff.erlang import DeskLoad, formula_plan, measured_load
from sim.staff.evaluate import PlanRuns, Simulator
from sim.staff.goals import SL_KPI, Goals

TAU_MAX = 0.995
TAU_MIN = 0.30
# KPIs that more agents make worse when bounded this way (cost caps, occupancy floors):
# a miss on them lowers the formula targets, below the desks' nominal ones if need be
STAFF_HURTS = {("cost_per_call", "max"), ("cost", "max"), ("occupancy", "min"),
               ("utilisation", "min"), ("utilization", "min")}


def hurts(target) -> bool:
    return ((target.kpi, "max") in STAFF_HURTS and target.max is not None) or \
        ((target.kpi, "min") in STAFF_HURTS and target.min is not None)
PRIOR_CALLS = 50.0  # interval SL shrunk to the day's with this weight (binomial noise)


@dataclass
class Trial:
    """One simulated plan and the gate's verdicts on it."""

    plan: np.ndarray
    runs: PlanRuns
    outcomes: list
    reps: int

    @property
    def clean(self) -> bool:
        return all(o.verdict == "pass" for o in self.outcomes)

    @property
    def passed(self) -> bool:
        return all(o.verdict in ("pass", "warn") for o in self.outcomes)

    @property
    def n_missed(self) -> int:
        return sum(o.verdict not in ("pass", "warn") for o in self.outcomes)


@dataclass
class Search:
    """The planning state shared by the stages."""

    model: ModelSpec
    sim: Simulator
    goals: Goals
    open_: np.ndarray  # [g, k] desk open (staffable) in this interval
    cost: np.ndarray  # [g] cost per agent-hour
    max_agents: np.ndarray  # [g] cap per interval
    log: Callable[[str], None]
    trials: list[Trial] = field(default_factory=list)
    capped: bool = False

    def judge(self, plan: np.ndarray) -> Trial:
        """The gate's sequential verdicts on ``plan`` (more replications while undecided)."""
        from sim.check.gate import sequential

        runs = PlanRuns(self.sim, plan)
        outcomes, done, _ = sequential(self.goals.spec, self.goals.checks, runs, None,
                                       lambda line: None)
        trial = Trial(plan, runs, outcomes, done[-1])
        self.trials.append(trial)
        self.log(f"  plan {agent_hours(plan, self.model):,.1f} agent-hours: "
                 + ", ".join(f"{o.check.id} {o.mean:.3f} {o.verdict}" for o in outcomes
                             if o.mean is not None))
        return trial

    def cost_of(self, plan: np.ndarray) -> float:
        return float((plan * self.cost[:, None]).sum() * self.model.interval_s / 3600)

    def plan_for(self, load: DeskLoad, tau: np.ndarray) -> np.ndarray:
        plan = formula_plan(load, tau, self.model.service_level_s, self.open_)
        capped = np.minimum(plan, self.max_agents[:, None])
        self.capped = self.capped or bool((capped < plan).any())
        return capped

    def price(self, plan: np.ndarray) -> tuple[float, float]:
        """What a plan costs: money, then agent-intervals (a scenario may price agents at 0,
        and equal money must not hide more hours)."""
        return self.cost_of(plan), float(plan.sum())

    def best(self) -> Trial:
        """The cheapest clean pass; else the cheapest pass; else the fewest misses."""
        for ok in (lambda t: t.clean, lambda t: t.passed):
            good = [t for t in self.trials if ok(t)]
            if good:
                return min(good, key=lambda t: self.price(t.plan))
        return min(self.trials, key=lambda t: (t.n_missed, *self.price(t.plan)))


def agent_hours(plan: np.ndarray, model) -> float:
    return float(plan.sum() * model.interval_s / 3600)


def shrunk_sl(runs: PlanRuns, mask: np.ndarray, model, desk: int, home: np.ndarray
              ) -> tuple[float, np.ndarray]:
    """Service level of the target's callers whose home is ``desk``: the day's (after the
    warm-up) and per interval, shrunk towards the day's where an interval has few calls."""
    sel = mask & (home == desk)
    q = runs.mean("queued")[sel].sum(axis=0)
    s = runs.mean("in_sl")[sel].sum(axis=0)
    w = slice(model.warmup_intervals, None)
    day = s[w].sum() / q[w].sum() if q[w].sum() > 0 else 1.0
    return day, (s + PRIOR_CALLS * day) / (q + PRIOR_CALLS)


def floor_plan(st: Search, load: DeskLoad, tau: np.ndarray) -> np.ndarray:
    """The per-interval floor: the formula's headcount on the desk's own calls alone."""
    bare = DeskLoad(load.lam, load.aht, load.patience, np.zeros_like(load.extra), load.home,
                    load.reserve)
    return formula_plan(bare, tau, st.model.service_level_s, st.open_)


def run_search(st: Search, load: DeskLoad, exact: bool, max_iter: int) -> Trial:
    """Rescale until a clean pass, then relax while it stays clean; returns the best trial.
    tau may fall below a desk's nominal target (the formulas miss work that helps, such as
    overflow the other way), but no interval goes below the floor: Erlang A for the desk's
    nominal target on its own calls."""
    goals = st.goals
    floor_tau = np.repeat(goals.desk_target[:, None], st.model.n_intervals, axis=1)
    tau = floor_tau.copy()
    seen: set[bytes] = set()
    clean_tau = short_tau = None  # formula targets of the last clean plan, the last short one
    for it in range(max_iter):
        plan = np.maximum(st.plan_for(load, tau), np.minimum(
            floor_plan(st, load, floor_tau), st.max_agents[:, None]))
        if plan.tobytes() in seen:
            st.log(f"iteration {it + 1}: plan already tried; stopping")
            break
        seen.add(plan.tobytes())
        st.log(f"iteration {it + 1}:")
        trial = st.judge(plan)
        if not exact:
            load = measured_load(st.model, trial.runs)
        if trial.clean:
            clean_tau = tau
        else:
            short_tau = tau
        new, floor_tau = _rescale(st, trial, load, tau, floor_tau)
        if clean_tau is not None and short_tau is not None:
            # bracketed: halve the gap between the last clean and the last short targets
            # (steps from the shortfall alone overshoot where SL is steep in headcount)
            new = (clean_tau + short_tau) / 2
        if np.allclose(new, tau):
            break
        tau = new
    return st.best()


def _rescale(st: Search, trial: Trial, load: DeskLoad, tau: np.ndarray,
             floor_tau: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """tau up where a target misses (by its callers' shortfall at each desk and interval),
    down at desks whose targets all pass with room; a missed cost cap lowers tau and the
    floor. A step down too far fails, and the next steps up again from there."""
    goals, model = st.goals, st.model
    spent = [o for o in trial.outcomes if o.verdict != "pass"
             and hurts(next(x for x in goals.spec.targets if x.id == o.check.id))]
    if spent:
        if all(o.verdict == "pass" or o in spent for o in trial.outcomes):
            return (np.maximum(TAU_MIN, tau - 0.03),
                    np.maximum(TAU_MIN, floor_tau - 0.03))
        return tau, floor_tau  # misses both ways: no staffing moves every target right
    new = tau.copy()
    ok_desk = np.ones(len(model.groups), dtype=bool)
    room = np.full(len(model.groups), np.inf)
    for o in trial.outcomes:
        t = next(x for x in goals.spec.targets if x.id == o.check.id)
        clean = o.verdict == "pass"
        desks = goals.desks[t.id]
        if hurts(t):
            continue
        if t.kpi != SL_KPI or t.min is None:
            if not clean:
                new[desks] = np.minimum(TAU_MAX, new[desks] + 0.02)
                ok_desk[desks] = False
            continue
        half = (o.mean - o.low) if o.low is not None else 0.01
        goal = t.min + max(0.003, 1.2 * half)
        for g in desks:
            day, per_k = shrunk_sl(trial.runs, goals.classes[t.id], model, g, load.home)
            if not clean or day < goal:
                if not clean:
                    ok_desk[g] = False
                up = np.maximum(0.0, goal - per_k) + max(0.0, goal - day) * 0.5
                new[g] = np.minimum(TAU_MAX, new[g] + up * st.open_[g])
            room[g] = min(room[g], (o.low if o.low is not None else o.mean) - goal)
    for gi in np.nonzero(ok_desk & np.isfinite(room) & (room > 0.005))[0]:
        new[gi] = np.maximum(TAU_MIN, new[gi] - 0.8 * room[gi])
    return new, floor_tau


def removal_pass(st: Search, best: Trial, trials: int, load: DeskLoad | None = None) -> dict:
    """Try taking one agent away from single desk-intervals above the formula floor, most
    promising first (largest formula service level left after removal); keep a removal when
    the gate still passes cleanly. Says how many were tried, removed and needed, and how
    far the plan may be from one where no single agent-interval can go."""
    load = load or measured_load(st.model, best.runs)
    plan = best.plan.copy()
    floor = floor_plan(st, load, np.repeat(st.goals.desk_target[:, None], plan.shape[1],
                                           axis=1))
    candidates = [(g, k) for g, k in zip(*np.nonzero(plan > floor), strict=True)]
    # the most over-staffed first: largest surplus over the floor, relative
    candidates.sort(key=lambda gk: -(plan[gk] - floor[gk]) / max(1, plan[gk]))
    tried, removed, needed = 0, [], []
    current = best
    for g, k in candidates[:trials]:
        tried += 1
        cand = current.plan.copy()
        cand[g, k] -= 1
        st.log(f"removal {tried}/{min(trials, len(candidates))}: "
               f"{st.model.groups[g].name} interval {k}")
        t = st.judge(cand)
        if t.clean:
            current = t
            removed.append((int(g), int(k)))
        else:
            needed.append((int(g), int(k)))
    margins = {o.check.id: (None if o.low is None else
                            (o.low - o.check.min) if o.check.min is not None
                            else (o.check.max - o.high))
               for o in current.outcomes}
    return {"trial": current, "tried": tried, "removed": removed, "needed": needed,
            "untested": max(0, len(candidates) - tried),
            "above_formula_floor": int((current.plan - floor).clip(0).sum()),
            "margins": margins,
            "minimal": tried >= len(candidates) and not removed}
