"""The planning pipeline: reference run, Erlang A start, simulated rescale, removal pass,
roster and its top-up, verification by ``ccsim check``, outputs."""

from __future__ import annotations

import time
from typing import cast

import numpy as np

from sim.staff.goals import Goals, StaffError


def _compose(overrides):
    from sim.check.runs import build_setup, compose_config
    from sim.check.spec import SLAError

    try:
        return build_setup(compose_config(overrides))
    except SLAError as exc:
        raise StaffError(str(exc)) from None


def staffing_overrides(cfg: dict, model, plan: np.ndarray) -> list[str]:
    """Overrides that give ``ccsim`` (and ``ccsim check``) this plan."""
    out = []
    for g in model.groups:
        out.append(f"scenario.groups.{g.name}.staffing=[{','.join(map(str, plan[g.index]))}]")
        if "extra_agents" in cfg["scenario"]["groups"][g.name]:
            out.append(f"scenario.groups.{g.name}.extra_agents=0")
    return out


def plan(args) -> int:
    """Run ``ccsim staff`` with parsed ``args``; returns the exit code."""
    from sim.check.runs import kpi_template
    from sim.check.spec import SLAError, check_scenario
    from sim.staff import erlang, outputs
    from sim.staff.evaluate import Simulator, staffing_of
    from sim.staff.goals import build_goals, check_feasible, class_volumes, load_spec
    from sim.staff.search import Search, removal_pass, run_search
    from sim.staff.shifts import load_shifts

    t0 = time.perf_counter()
    log = (lambda line: None) if args.quiet else (lambda line: print(line, flush=True))
    setup = _compose(args.overrides)
    model = setup.model
    spec = load_spec(args.sla, args.overrides, model.name, setup)
    try:
        check_scenario(spec, kpi_template(setup) or {}, model.name)
    except SLAError as exc:
        raise StaffError(str(exc)) from None
    check_feasible(model, spec)
    from pathlib import Path

    desk_names = [g.name for g in model.groups]
    shifts = load_shifts(Path(args.shifts), desk_names) if args.shifts else None
    name, out_path, report_dir = outputs.default_paths(args, model.name)
    base = staffing_of(model)
    open_ = base > 0
    if shifts is not None:
        from sim.staff.shifts import check_coverage

        check_coverage(shifts, desk_names, open_, model.interval_s)
    sim = Simulator(model, setup.policy, setup.seed, args.jobs)
    try:
        log(f"reference staffing of {model.name}:")
        # goals come once the reference run has measured the load (below); the reference
        # run is judged by the spec's own checks and never reads them
        st = Search(model, sim, cast(Goals, None), open_,
                    np.array([g.cost_per_hour for g in model.groups]),
                    np.full(len(model.groups), args.max_agents or 10**6), log)
        before = _reference(st, spec, base)
        exact = erlang.exact_load(model)
        load = exact or erlang.measured_load(model, before.runs)
        st.goals = build_goals(model, spec, load.home, before.runs.mean("queued").sum(axis=1)
                               if exact is None else class_volumes(model))
        st.trials.clear()
        log("desk targets (Erlang A start): " + ", ".join(
            f"{n} {t:.2f}" for n, t in zip(desk_names, st.goals.desk_target, strict=True)))
        best = run_search(st, load, exact is not None, args.max_iterations)
        removal = None
        if best.clean and args.removal_trials:
            removal = removal_pass(st, best, args.removal_trials, exact)
            best = removal["trial"]
        requirement, req_trial = best.plan, best
        roster = None
        if shifts is not None:
            roster, best = _roster(st, shifts, requirement, best)
        verify = _verify(setup, args, model, spec, best, sim)
        final_load = exact or erlang.measured_load(model, best.runs)
    finally:
        sim.close()
    summary = outputs.write_all(
        name=name, out_path=out_path, report_dir=report_dir, setup=setup, model=model,
        spec=spec, before=before, after=best, requirement=requirement, req_trial=req_trial,
        load=final_load,
        goals=st.goals, verify=verify, removal=removal, roster=roster, shifts=shifts,
        capped=st.capped, seconds=time.perf_counter() - t0, replications=sim.replications,
        argv=args)
    outputs.print_summary(summary, log)
    return 0 if verify.exit_code == 0 and not summary["unmet_periods"] else 1


def _reference(st, spec, base):
    """The scenario's own staffing judged by the gate (the "before" of the report)."""
    from sim.check.decide import Check
    from sim.check.gate import sequential
    from sim.staff.evaluate import PlanRuns
    from sim.staff.search import Trial

    checks = [Check(t.id, "target", t.key, t.min, t.max, t.bound) for t in spec.targets]
    runs = PlanRuns(st.sim, base)
    outcomes, done, _ = sequential(spec, checks, runs, None, lambda line: None)
    st.log("  " + ", ".join(f"{o.check.id} {o.mean:.3f} {o.verdict}" for o in outcomes
                            if o.mean is not None))
    return Trial(base, runs, outcomes, done[-1])


def _roster(st, shifts, requirement: np.ndarray, best):
    """Cover the requirement by shifts; simulate the roster's own staffing; where a target
    misses, add one on-phone agent to the intervals whose callers miss most and re-solve."""
    from sim.staff.search import shrunk_sl
    from sim.staff.shifts import solve_roster

    model = st.model
    need = requirement.copy()
    trial, rosters = best, []
    for attempt in range(3):
        rosters = [solve_roster(shifts, g.name, need[g.index], st.open_[g.index],
                                model.interval_s) for g in model.groups]
        plan = np.array([r.on_phone for r in rosters])
        st.log(f"roster {attempt + 1}: {sum(r.paid_h for r in rosters):,.1f} paid hours")
        trial = st.judge(plan)
        if trial.clean or any(r.unmet.any() for r in rosters):
            break
        from sim.staff.erlang import measured_load

        home = measured_load(model, trial.runs).home
        for o in trial.outcomes:
            if o.verdict == "pass":
                continue
            t = next(x for x in st.goals.spec.targets if x.id == o.check.id)
            for g in st.goals.desks[t.id]:
                _, per_k = shrunk_sl(trial.runs, st.goals.classes[t.id], model, g, home)
                worst = np.argsort(per_k + (~st.open_[g]) * 9)[:max(1, model.n_intervals // 8)]
                need[g, worst] = np.maximum(need[g, worst], plan[g, worst]) + 1
    return {"rosters": rosters, "need": need}, trial


def _verify(setup, args, model, spec, trial, sim):
    """``ccsim check`` on the plan (its overrides), replications shared with the search."""
    from sim.check.gate import run_check
    from sim.check.runs import Replications

    overrides = list(args.overrides) + staffing_overrides(setup.cfg, model, trial.plan)
    vsetup = _compose(overrides)
    cache = {}
    try:  # the search's replications are the gate's (same model, seed, indices)
        reps = Replications(vsetup, args.jobs)
        reps.values = [d.kpis for d in trial.runs.data]
        cache[f"{vsetup.hash}:{vsetup.seed}"] = reps
    except Exception:  # the gate's internals moved: it runs its own replications
        cache = {}
    return run_check(overrides, spec, jobs=args.jobs, cache=cache)
