"""Sweep throughput benchmark: the same grid of (point, replication) tasks on 1 core (basic
launcher) and on every core (joblib's warm workers; Ray's, with the cluster extra), in
one run so the machine's other load weighs on all of them alike.

    python -m sim.sweep_bench                 # 8 points x 10 replications of hotline_small
    python -m sim.sweep_bench --points 4 --reps 4 --launchers basic,joblib   # quick look

Prints per launcher: wall seconds, replications per second, the ratio to 1 core, that
the sweep tables are identical; the per-task overhead (wall seconds of the 1-core run not
spent simulating, per task; and the launching process's own cost per task: composing the
task's config); the machine's own ceiling for N CPU-bound processes; and a scale note
computed from these figures.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path


def _records(sweep_dir: Path) -> tuple[float, int]:
    """Seconds spent simulating (every replication's record) and the number of tasks."""
    from sim.sweep_tasks import REPS_DIR, TASKS_DIR, read_json

    sim_s = sum((read_json(p) or {}).get("seconds", 0.0)
                for p in sweep_dir.rglob(f"{REPS_DIR}/rep_*.json"))
    return sim_s, len(list(sweep_dir.rglob(f"{TASKS_DIR}/task_*.json")))


def _launcher_args(name: str, cores: int) -> list[str]:
    if name == "basic":
        return []
    if name == "joblib":
        return ["hydra/launcher=joblib", f"hydra.launcher.n_jobs={cores}"]
    if name == "ray":  # a private local Ray started by the launcher, cores CPUs
        return ["hydra/launcher=ray", "hydra.launcher.ray.init.address=local",
                f"+hydra.launcher.ray.init.num_cpus={cores}",
                "+hydra.launcher.ray.init.include_dashboard=false"]
    raise SystemExit(f"sweep_bench: error: --launchers: unknown {name!r}; allowed: basic, "
                     f"joblib, ray")


def compose_seconds(overrides: list[str], n: int = 20) -> float:
    """The launching process's cost per task: Hydra composes every task's config there
    (the sweeper checks each batch; the Ray launcher composes each task before it
    submits it)."""
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    from sim.paths import CONFIG_DIR

    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=CONFIG_DIR, version_base="1.3"):
        compose("config", overrides=overrides)
        t0 = time.perf_counter()
        for _ in range(n):
            compose("config", overrides=overrides)
        seconds = (time.perf_counter() - t0) / n
    GlobalHydra.instance().clear()
    return seconds


def run(points: int, reps: int, tasks: int, launchers: list[str], scenario: str) -> dict:
    import subprocess

    import pandas as pd

    from sim.bench import parallel_ceiling

    cores = os.cpu_count() or 1
    loads = ",".join(f"{0.8 + 0.4 * i / max(points - 1, 1):.3f}" for i in range(points))
    base = [sys.executable, "-m", "sim", "-m", f"scenario={scenario}", f"n_reps={reps}",
            f"sweep.tasks={tasks}", "output.calls=false", "output.intervals=false",
            "output.report=false", f"scenario.load={loads}"]
    print(f"{points} points x {reps} replications of {scenario} in {points * tasks} tasks; "
          f"{cores} cores; load average {os.getloadavg()[0]:.1f}", flush=True)
    rows, tables = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in launchers:
            workers = 1 if name == "basic" else cores
            sweep_dir = Path(tmp) / name
            t0 = time.perf_counter()
            proc = subprocess.run([*base, *_launcher_args(name, cores),
                                   f"hydra.sweep.dir={sweep_dir}"], capture_output=True,
                                  text=True)
            wall = time.perf_counter() - t0
            if proc.returncode != 0:
                print(proc.stderr[-3000:], file=sys.stderr)
                raise SystemExit(f"sweep_bench: error: the {name} sweep failed "
                                 f"(exit {proc.returncode})")
            sim_s, n_tasks = _records(sweep_dir)
            tables[name] = pd.read_parquet(sweep_dir / "sweep.parquet")
            rows[name] = {"cores": workers, "wall_s": wall, "reps_per_s": points * reps / wall,
                          "simulating_s": sim_s, "tasks": n_tasks,
                          "overhead_per_task_s": (wall * workers - sim_s) / n_tasks}
            print(f"{name:7} {workers} core(s)  wall {wall:7.1f} s  "
                  f"{points * reps / wall:6.2f} replications/s  (simulating {sim_s:.1f} s "
                  f"of CPU in {n_tasks} tasks)", flush=True)
    one = rows[launchers[0]]
    for name, row in rows.items():
        row["ratio"] = row["reps_per_s"] / one["reps_per_s"]
        row["same_table"] = tables[name].equals(tables[launchers[0]])
    compose_s = compose_seconds([f"scenario={scenario}", f"n_reps={reps}"])
    ceiling = parallel_ceiling(cores)
    return {"points": points, "reps": reps, "tasks_per_point": tasks, "scenario": scenario,
            "cores": cores, "launchers": rows, "compose_s": compose_s, "ceiling": ceiling,
            "rep_s": one["simulating_s"] / (points * reps),
            "load_average": os.getloadavg()[0]}


def scale_note(res: dict, nodes: int, cores: int) -> str:
    """Replications per hour on ``nodes`` x ``cores``: every core busy with tasks of
    ``reps/tasks`` replications, each paying the measured per-task overhead, at the
    measured parallel efficiency; capped by what the launching process can hand out
    (one config composition per task)."""
    rep_s, per_task = res["rep_s"], res["reps"] / res["tasks_per_point"]
    overhead = res["launchers"]["basic"]["overhead_per_task_s"]
    best = max(res["launchers"].values(), key=lambda r: r["ratio"])
    efficiency = best["ratio"] / best["cores"]
    task_s = per_task * rep_s + overhead
    by_cores = 3600 * nodes * cores * efficiency / task_s * per_task
    by_launcher = 3600 / res["compose_s"] * per_task
    return (f"{nodes} nodes x {cores} cores: {min(by_cores, by_launcher):,.0f} replications/h "
            f"(cores: {by_cores:,.0f} at {rep_s:.2f} s per replication, {overhead:.2f} s "
            f"overhead per task of {per_task:g} replications, efficiency {efficiency:.2f}; "
            f"launching process: {by_launcher:,.0f} at {res['compose_s'] * 1000:.0f} ms per "
            f"task) = {min(by_cores, by_launcher) / res['reps']:,.0f} points x "
            f"{res['reps']} replications per hour")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m sim.sweep_bench", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--points", type=int, default=8)
    ap.add_argument("--reps", type=int, default=10, help="replications per point")
    ap.add_argument("--tasks", type=int, default=None,
                    help="tasks per point (sweep.tasks; default: one per replication)")
    ap.add_argument("--scenario", default="hotline_small")
    ap.add_argument("--launchers", default=None,
                    help="comma-separated, the first is the 1-core reference (default: "
                         "basic,joblib and ray when the cluster extra is installed)")
    ap.add_argument("--scale", default="1x2,10x32,100x32", help="NODESxCORES,... for the note")
    ap.add_argument("--json", type=Path, default=None, help="write the figures as JSON")
    args = ap.parse_args(argv)
    import importlib.util

    launchers = (args.launchers.split(",") if args.launchers else
                 ["basic", "joblib"] + (["ray"] if importlib.util.find_spec(
                     "hydra_plugins.hydra_ray_launcher") else []))
    if launchers[0] != "basic":
        ap.error("--launchers: the first must be basic (the 1-core reference)")
    res = run(args.points, args.reps, args.tasks or args.reps, launchers, args.scenario)
    for name, row in res["launchers"].items():
        print(f"{name:7} ratio to 1 core {row['ratio']:.2f}  same sweep.parquet: "
              f"{'yes' if row['same_table'] else 'NO'}")
    print(f"per-task overhead (1 core, not simulating): "
          f"{res['launchers']['basic']['overhead_per_task_s'] * 1000:.0f} ms; launching "
          f"process (composing a task's config): {res['compose_s'] * 1000:.0f} ms")
    print(f"this machine's ceiling for {res['cores']} CPU-bound processes: "
          f"{res['ceiling']:.2f}; load average {res['load_average']:.1f}")
    notes = []
    for spec in args.scale.split(","):
        nodes, cores = (int(x) for x in spec.lower().split("x"))
        notes.append(scale_note(res, nodes, cores))
        print("scale: " + notes[-1])
    res["scale"] = notes
    if args.json is not None:
        args.json.write_text(json.dumps(res, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
