"""Benchmark of ``ccsim staff`` on the reference scenario: plan telecom10000 for the business
targets with the example shift file, timed, and set beside the reference staffing and the
per-interval Erlang C and Erlang A plans per desk, each judged by ``ccsim check``'s rule::

    python -m sim.staff.bench                       # writes outputs/staff_bench/
    python -m sim.staff.bench --no-shifts --removal-trials 0

Prints a Markdown table (agent-hours, cost, member / ordinary service level, check verdict)
and writes bench.json. Wall time depends on the machine's other load: the load average is
recorded before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

SLA = "telecom10000_targets"
SHIFTS = Path(__file__).resolve().parents[2] / "shifts" / "telecom10000.yaml"


def _verdict(outcomes: list[dict]) -> str:
    v = [o["verdict"] for o in outcomes]
    if "fail" in v:
        return "fails"
    return "passes with warnings" if "warn" in v else "passes"


def _sl(outcomes: list[dict], tier: str) -> float | None:
    return next((o["estimate"] for o in outcomes
                 if o["id"] == f"service_level[tier={tier}]"), None)


def _judge_column(column: str, table, jobs: int) -> dict:
    """``ccsim check`` on the staffing of one column of staffing.csv."""
    import numpy as np

    from sim.check.gate import run_check
    from sim.check.runs import build_setup, compose_config
    from sim.staff.plan import staffing_overrides

    setup = build_setup(compose_config([]))
    model = setup.model
    plan = np.array([table[table["group"] == g.name].sort_values("interval")[column].to_numpy()
                     for g in model.groups])
    report = run_check(staffing_overrides(setup.cfg, model, plan), SLA, jobs=jobs)
    outcomes = [{"id": o.check.id, "estimate": o.mean, "verdict": o.verdict}
                for o in report.outcomes]
    cost = sum(plan[g.index].sum() * g.cost_per_hour for g in model.groups) \
        * model.interval_s / 3600
    return {"agent_hours": float(plan.sum() * model.interval_s / 3600), "cost": float(cost),
            "outcomes": outcomes}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m sim.staff.bench", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", default="outputs/staff_bench", help="output directory")
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--removal-trials", type=int, default=2)
    p.add_argument("--no-shifts", action="store_true", help="plan without the shift file")
    args = p.parse_args(argv)
    out = Path(args.out)
    import pandas as pd

    from sim.staff.cli import main as staff

    load0 = os.getloadavg()
    t0 = time.perf_counter()
    argv_staff = ["--sla", SLA, "--report-dir", str(out / "plan"), "--out",
                  str(out / "scenario" / "telecom10000_plan.yaml"), "--jobs", str(args.jobs),
                  "--removal-trials", str(args.removal_trials)]
    if not args.no_shifts:
        argv_staff += ["--shifts", str(SHIFTS)]
    code = staff(argv_staff)
    seconds = time.perf_counter() - t0
    load1 = os.getloadavg()
    plan = json.loads((out / "plan" / "plan.json").read_text())
    table = pd.read_csv(out / "plan" / "staffing.csv")
    rows = {"reference staffing": {"agent_hours": plan["agent_hours"]["before"],
                                   "cost": plan["cost"]["before"],
                                   "outcomes": plan["targets_before"]}}
    for col, name in (("erlang_c", "Erlang C per interval"), ("erlang_a", "Erlang A per interval")):
        rows[name] = _judge_column(col, table, args.jobs)
    if plan.get("roster"):
        rows["planner: requirement"] = {"agent_hours": plan["roster"]["requirement_agent_hours"],
                                        "cost": None, "outcomes": plan["targets_requirement"]}
        rows["planner: roster (on the phones)"] = {
            "agent_hours": plan["agent_hours"]["after"], "cost": plan["cost"]["after"],
            "outcomes": plan["targets_after"]}
    else:
        rows["planner"] = {"agent_hours": plan["agent_hours"]["after"],
                           "cost": plan["cost"]["after"], "outcomes": plan["targets_after"]}
    lines = ["| plan | agent-hours | cost (CNY/day) | member / ordinary SL | ccsim check |",
             "|---|---:|---:|---|---|"]
    for name, r in rows.items():
        m, o = _sl(r["outcomes"], "member"), _sl(r["outcomes"], "ordinary")
        cost = "—" if r["cost"] is None else f"{r['cost']:,.0f}"
        lines.append(f"| {name} | {r['agent_hours']:,.1f} | {cost} | "
                     f"{m:.1%} / {o:.1%} | {_verdict(r['outcomes'])} |")
    roster = plan.get("roster")
    notes = [f"ccsim staff exit code {code}; planning took {seconds:.0f} s wall clock with "
             f"--jobs {args.jobs} ({plan['replications_simulated']} replications); load "
             f"average {load0[0]:.1f} before, {load1[0]:.1f} after."]
    if roster:
        notes.append(f"roster: {roster['shifts']} shifts, {roster['paid_hours']:,.1f} paid hours "
                     f"(shrinkage {roster['shrinkage']:.0%}), {roster['agents_per_week']} agents "
                     f"to employ per week.")
    text = "\n".join(lines + [""] + notes)
    print(text)
    (out / "bench.md").write_text(text + "\n")
    (out / "bench.json").write_text(json.dumps({"rows": rows, "seconds": seconds,
                                                "exit_code": code, "load": [load0, load1],
                                                "plan": plan}, indent=2, default=str) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
