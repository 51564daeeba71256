"""What ``ccsim staff`` writes: the planned scenario (runnable as it is), staffing.csv,
verification.json, plan.json, roster.csv (with shifts) and report.html."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path

import numpy as np

from sim.staff.erlang import erlang_a_agents, erlang_c_agents, with_reserve


def _hhmm(s: float) -> str:
    s = int(round(s))
    return f"{s // 3600 % 24:02d}:{s % 3600 // 60:02d}"


def formula_columns(load, goals, model, open_: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """What per-interval Erlang C and Erlang A give for each desk's nominal target on the
    desk's own calls (the load of the final plan's simulation), with the outbound reserve
    those headcounts carry (an Erlang calculator's user adds it on top)."""
    ec, ea = np.zeros(open_.shape, dtype=np.int64), np.zeros(open_.shape, dtype=np.int64)
    sl_s = model.service_level_s
    for g, k in zip(*np.nonzero(open_), strict=True):
        lam, aht, tgt = float(load.lam[g, k]), float(load.aht[g]), float(goals.desk_target[g])
        ec[g, k] = with_reserve(erlang_c_agents(lam, aht, tgt, sl_s), load.share(g))
        ea[g, k] = with_reserve(erlang_a_agents(lam, aht, float(load.patience[g]), tgt, sl_s),
                                load.share(g))
    return ec, ea


def _reserve_hours(staffing: np.ndarray, share: float, model) -> float:
    """Agent-hours the outbound reserve takes: int(share x n) per interval, as the model."""
    return float(sum(int(share * int(n)) for n in staffing) * model.interval_s / 3600)


def tier_sl(trial, model, goals) -> dict:
    """Service level per SL target's callers per interval (mean over replications)."""
    q, s = trial.runs.mean("queued"), trial.runs.mean("in_sl")
    out = {}
    for t in goals.sl_targets():
        m = goals.classes[t.id]
        qq, ss = q[m].sum(axis=0), s[m].sum(axis=0)
        out[t.id] = [None if n <= 0 else float(x / n) for x, n in zip(ss, qq, strict=True)]
    return out


def scenario_yaml(setup, model, plan: np.ndarray, header: list[str]) -> str:
    import yaml

    class Dumper(yaml.SafeDumper):
        def ignore_aliases(self, data):
            return True

    scn = copy.deepcopy(setup.cfg["scenario"])
    for g in model.groups:
        node = scn["groups"][g.name]
        node["staffing"] = [int(x) for x in plan[g.index]]
        if "extra_agents" in node:
            node["extra_agents"] = 0
    body = yaml.dump(scn, Dumper=Dumper, sort_keys=False, default_flow_style=None, width=96)
    return "".join(f"# {ln}\n" for ln in header) + body


def run_command(out_path: Path) -> str:
    """How to run the written scenario: Hydra finds ``scenario=NAME`` in a ``scenario/``
    folder of a search-path directory."""
    from sim.paths import CONFIG_DIR

    if out_path.parent.resolve() == (Path(CONFIG_DIR) / "scenario").resolve():
        return f"ccsim scenario={out_path.stem}"  # ccsim's own config folder
    if out_path.parent.name == "scenario":
        return (f"ccsim 'hydra.searchpath=[file://{out_path.parent.parent}]' "
                f"scenario={out_path.stem}")
    return (f"ccsim scenario={out_path.stem}  (after copying {out_path} into a scenario/ "
            f"folder on the search path, e.g. configs/scenario/)")


def run_overrides(args, setup) -> str:
    """The overrides the plan was made with that the written scenario does not hold (the
    policy and its parameters, the seed ...): scenario keys are in the file itself."""
    import shlex

    keep = [o for o in getattr(args, "overrides", None) or ()
            if not o.lstrip("+~").startswith(("scenario", "experiment", "hydra"))]
    if not any(o.lstrip("+~").startswith("policy=") for o in keep):
        keep.insert(0, f"policy={setup.policy.name}")
    return " ".join(shlex.quote(o) for o in keep)


def _hours(plan: np.ndarray, model) -> float:
    return float(plan.sum() * model.interval_s / 3600)


def _cost(plan: np.ndarray, model) -> float:
    cost = np.array([g.cost_per_hour for g in model.groups])
    return float((plan * cost[:, None]).sum() * model.interval_s / 3600)


def _outcomes(trial) -> list[dict]:
    return [{"id": o.check.id, "bound": o.check.bound, "estimate": o.mean, "low": o.low,
             "high": o.high, "verdict": o.verdict, "n": o.n} for o in trial.outcomes]


def write_all(*, name, out_path: Path, report_dir: Path, setup, model, spec, before, after,
              requirement, req_trial, load, goals, verify, removal, roster, shifts, capped, seconds,
              replications, argv) -> dict:
    from sim.check.report import write_json
    from sim.staff.shifts import roster_rows, weekly_headcount

    report_dir.mkdir(parents=True, exist_ok=True)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    ec, ea = formula_columns(load, goals, model, before.plan > 0)
    plan = after.plan
    import pandas as pd

    rows = []
    for g in model.groups:
        for k in range(model.n_intervals):
            rows.append({"interval": k, "start": _hhmm(k * model.interval_s), "group": g.name,
                         "agents": int(plan[g.index, k]),
                         "required": int(requirement[g.index, k]),
                         "erlang_c": int(ec[g.index, k]), "erlang_a": int(ea[g.index, k]),
                         "cost": round(plan[g.index, k] * g.cost_per_hour
                                       * model.interval_s / 3600, 2)})
    pd.DataFrame(rows).to_csv(report_dir / "staffing.csv", index=False)
    write_json(verify, report_dir / "verification.json")
    missed = [o for o in verify.outcomes if o.verdict == "fail"]
    unmet = []
    paid = None
    if roster is not None:
        rr = roster_rows(shifts, roster["rosters"])
        pd.DataFrame(rr, columns=["desk", "template", "start", "end", "breaks", "headcount",
                                  "paid_hours"]).to_csv(report_dir / "roster.csv", index=False)
        paid = sum(r.paid_h for r in roster["rosters"])
        for r in roster["rosters"]:
            unmet += [{"desk": r.desk, "start": _hhmm(k * model.interval_s),
                       "agents_missing": float(r.unmet[k])}
                      for k in np.nonzero(r.unmet > 1e-9)[0]]
    summary = {
        "name": name, "scenario": model.name, "sla": spec.source, "policy": setup.policy.name,
        "seed": setup.seed, "scenario_file": str(out_path),
        "run": run_command(out_path),
        "passed": verify.exit_code == 0 and not unmet,
        "missed_targets": [{"id": o.check.id, "message": o.message} for o in missed],
        "warnings": [o.check.id for o in verify.outcomes if o.verdict == "warn"],
        "unmet_periods": unmet, "capped_by_max_agents": bool(capped),
        "agent_hours": {"before": _hours(before.plan, model), "after": _hours(plan, model),
                        "erlang_c": _hours(ec, model), "erlang_a": _hours(ea, model)},
        "cost": {"before": _cost(before.plan, model), "after": _cost(plan, model),
                 "erlang_c": _cost(ec, model), "erlang_a": _cost(ea, model)},
        "by_desk": {g.name: {"agent_hours_before": _hours(before.plan[g.index], model),
                             "agent_hours_after": _hours(plan[g.index], model),
                             "nominal_target": float(goals.desk_target[g.index]),
                             # agents the outbound reserve keeps off inbound calls
                             "reserve_agent_hours_before": _reserve_hours(
                                 before.plan[g.index], load.share(g.index), model),
                             "reserve_agent_hours_after": _reserve_hours(
                                 plan[g.index], load.share(g.index), model)}
                    for g in model.groups},
        "targets_before": _outcomes(before), "targets_after": _outcomes(after),
        "targets_requirement": _outcomes(req_trial),
        "service_level_by_interval": {"before": tier_sl(before, model, goals),
                                      "after": tier_sl(after, model, goals)},
        "removal_pass": None if removal is None else {
            k: v for k, v in removal.items() if k != "trial"},
        "roster": None if roster is None else {
            "paid_hours": paid, "shifts": int(sum(n for r in roster["rosters"]
                                                  for _, n in r.shifts)),
            "shrinkage": shifts.shrinkage,
            "agents_per_week": weekly_headcount(shifts, int(sum(
                n for r in roster["rosters"] for _, n in r.shifts))),
            "requirement_agent_hours": _hours(requirement, model)},
        "replications_simulated": replications, "seconds": round(seconds, 1),
    }
    sla = sla_argument(spec.source)
    header = [f"Staffing plan {name} by ccsim staff (scenario {model.name}, SLA {sla}, "
              f"policy {setup.policy.name}).",
              f"Run it:   {summary['run']} {run_overrides(argv, setup)}",
              f"Check it: ccsim check --sla {sla} "
              + run_command(out_path).removeprefix("ccsim ") + f" {run_overrides(argv, setup)}",
              f"Agent-hours {summary['agent_hours']['after']:,.1f} (reference "
              f"{summary['agent_hours']['before']:,.1f}); cost {summary['cost']['after']:,.0f} "
              f"(reference {summary['cost']['before']:,.0f}); verdict: "
              + ("every target met" if summary["passed"] else "targets MISSED: "
                 + ", ".join(m["id"] for m in summary["missed_targets"])),
              f"Evidence: {report_dir}/ (staffing.csv, verification.json, plan.json, "
              f"report.html)."]
    out_path.write_text(scenario_yaml(setup, model, plan, header))
    (report_dir / "plan.json").write_text(json.dumps(summary, indent=2, default=_json) + "\n")
    from sim.staff.report import write_report

    write_report(report_dir / "report.html", summary, model, before, after, requirement, ec,
                 ea, roster)
    return summary


def _json(o):
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, float) and math.isnan(o):
        return None
    raise TypeError(type(o).__name__)


def print_summary(s: dict, log) -> None:
    ah, c = s["agent_hours"], s["cost"]
    log(f"plan {s['name']}: {ah['after']:,.1f} agent-hours (reference {ah['before']:,.1f}, "
        f"Erlang C {ah['erlang_c']:,.1f}, Erlang A {ah['erlang_a']:,.1f}); cost "
        f"{c['after']:,.0f} (reference {c['before']:,.0f})")
    for o in s["targets_after"]:
        log(f"  {o['id']}: {o['estimate']:.4g} [{o['low']:.4g}, {o['high']:.4g}] "
            f"{o['bound']} {o['verdict']}" if o["low"] is not None else
            f"  {o['id']}: {o['estimate']} {o['verdict']}")
    if s["roster"]:
        log(f"roster: {s['roster']['shifts']} shifts, {s['roster']['paid_hours']:,.1f} paid "
            f"hours, {s['roster']['agents_per_week']} agents to employ per week")
    for u in s["unmet_periods"]:
        log(f"  unmet: {u['desk']} at {u['start']}: {u['agents_missing']:g} agents missing")
    for m in s["missed_targets"]:
        log(f"  missed: {m['message']}")
    log(f"scenario: {s['scenario_file']}  ({s['run']})")
    log(f"{'every target met' if s['passed'] else 'targets NOT met'}; "
        f"{s['replications_simulated']} replications in {s['seconds']:.0f} s")


def default_paths(args, scenario: str) -> tuple[str, Path, Path]:
    name = args.name or f"{scenario}_plan"
    out = Path(args.out) if args.out else Path("outputs/staff/scenario") / f"{name}.yaml"
    report_dir = Path(args.report_dir) if args.report_dir else Path("outputs/staff") / name
    return name, out, report_dir


def sla_argument(source: str) -> str:
    """``--sla`` as a reader of the committed plan types it on any machine: the name of a
    spec in ``sla/``, else the path relative to the working directory (else as given)."""
    import os

    from sim.check.gate import sla_dir

    path = Path(source)
    if path.suffix in (".yaml", ".yml") and path.resolve().parent == sla_dir().resolve():
        return path.stem
    try:
        return os.path.relpath(path) if path.is_absolute() else source
    except ValueError:  # another drive (Windows)
        return source
