"""Sweep throughput benchmark: the same grid of (point, replication) tasks on 1 core (basic
launcher) and on every core (joblib's warm workers; Ray's, with the cluster extra), in
one run so the machine's other load weighs on all of them alike.

    python -m sim.sweep_bench                 # 4 points x 10 replications of telecom10000
    python -m sim.sweep_bench --tasks 10      # one replication per task, every launcher
    python -m sim.sweep_bench --scenario hotline_small --points 8 --reps 5   # overhead-bound
    python -m sim.sweep_bench --points 2 --reps 2 --launchers basic,joblib   # quick look

The default workload is what a researcher runs on the reference scenario: a few points
(here 4 loads) x 10 replications of ``telecom10000`` (one simulated day of the whole
hotline, ~1 s a replication compiled), with ``sweep.tasks=auto`` (the default) for every
launcher: each gets its own sizing — whole points on the 1-core basic launcher (its best:
fewest tasks), about 4 tasks per worker on joblib (8 tasks of 5 replications on 2 cores).
``--tasks N`` gives every launcher the same N tasks per point instead. ``hotline_small``
replications last ~0.05 s: a sweep of them measures the per-task overhead, not the
simulation.

Prints per launcher: wall seconds, replications per second, the ratio to 1 core, that
the sweep tables are identical, and the per-task overhead (wall seconds x cores not spent
simulating, per task); the launching process's own cost per task (a check per point:
sim.sweep_compose.check_batch); the machine's own ceiling for N
CPU-bound processes, measured before and after the sweeps, and each ratio against it; and
a scale note computed from these figures; the 1-core sweep's CPU besides its replications
(serial on any number of cores) and the best ratio it leaves (Amdahl, ``amdahl_bound``).
``--rounds N`` repeats the launchers in turn
(on a shared machine the load moves between runs; each round's ratio is printed).

Each sweep's timeline (``timeline``, from its own records): when each worker process's
first replication started after the launch (everything serial before it: start-up,
imports, compositions, the workers' spawn), the compiled engine's load (CPU seconds of its
first replication beyond its median one), the gaps between its replications (per-task
set-up and records), when its last one ended (the workers' balance), and the tail after
the last replication (collection). These parts, in CPU seconds where it matters, are what
to compare on a loaded machine, where wall-time ratios say little.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def _records(sweep_dir: Path) -> tuple[float, float, int]:
    """Seconds spent simulating (every replication's record: wall, and CPU of its
    process) and the number of tasks."""
    from sim.sweep_tasks import REPS_DIR, TASKS_DIR, read_json

    reps = [read_json(p) or {} for p in sweep_dir.rglob(f"{REPS_DIR}/rep_*.json")]
    sim_s = sum(r.get("seconds", 0.0) for r in reps)
    sim_cpu = sum(r.get("cpu_seconds", 0.0) for r in reps)
    return sim_s, sim_cpu, len(list(sweep_dir.rglob(f"{TASKS_DIR}/task_*.json")))


def timeline(sweep_dir: Path, launched: float, ended: float) -> dict:
    """Where a sweep's wall time went, from its own records: each worker process's first
    replication start after the launch (the serial part before it: start-up, imports,
    compositions, the workers' spawn), the compiled engine's load (its first replication
    less its median one), the gaps between its replications (per-task set-up and records),
    and the tail after the last replication (collection). Times are wall seconds."""
    import statistics

    from sim.sweep_tasks import REPS_DIR, read_json

    starts: dict[int, list[float]] = {}
    for path in sweep_dir.rglob(f"{REPS_DIR}/rep_*.attempts"):
        for line in path.read_text().splitlines():
            att = json.loads(line)
            starts.setdefault(int(att["pid"]), []).append(float(att["time"]))
    runs: dict[int, list[tuple[float, float, float]]] = {}  # pid -> (end, seconds, CPU s)
    for path in sweep_dir.rglob(f"{REPS_DIR}/rep_*.json"):
        rec = read_json(path) or {}
        runs.setdefault(int(rec.get("pid", 0)), []).append((
            path.stat().st_mtime, float(rec.get("seconds", 0.0)),
            float(rec.get("cpu_seconds", 0.0))))
    workers = []
    for pid in sorted(starts, key=lambda q: min(starts[q])):
        secs = [r[1] for r in runs.get(pid, [])] or [0.0]
        first, last = min(starts[pid]), max((r[0] for r in runs.get(pid, [])), default=0.0)
        cpu = [r[2] for r in sorted(runs.get(pid, []))]  # in the order they ended
        load = (cpu[0] - statistics.median(cpu[1:])) if len(cpu) > 1 else 0.0  # CPU: less
        # bound to the machine's other load than wall time
        workers.append({"pid": pid, "first_start_s": first - launched,
                        "engine_load_s": max(load, 0.0), "reps": len(runs.get(pid, [])),
                        "busy_s": sum(secs), "gaps_s": max(last - first - sum(secs), 0.0),
                        "last_end_s": last - launched})
    last_end = max((w["last_end_s"] for w in workers), default=0.0)
    return {"workers": workers, "tail_s": ended - launched - last_end}


def format_timeline(name: str, tl: dict, tasks: int) -> str:
    """The timeline in a few lines."""
    lines = [f"  {name} timeline (wall s after launch): tail after the last replication "
             f"(collection) {tl['tail_s']:.1f}"]
    for w in tl["workers"]:
        lines.append(f"    worker {w['pid']}: first replication starts at "
                     f"{w['first_start_s']:.1f}, engine load {w['engine_load_s']:.1f} CPU-s, "
                     f"{w['reps']} replications {w['busy_s']:.1f}, gaps between them "
                     f"{w['gaps_s']:.1f}, last ends at {w['last_end_s']:.1f}")
    gaps = sum(w["gaps_s"] for w in tl["workers"])
    lines.append(f"    gaps per task (set-up, records): {gaps / max(tasks, 1) * 1000:.0f} ms")
    return "\n".join(lines)


def format_master(m: dict) -> str:
    return (f"  launching process CPU outside replications {m['outside_reps_s']:.2f} s: while "
            f"the jobs run {m['during_launch_s']:.2f}, serial {m['serial_s']:.2f} (start-up "
            f"{m['startup_s']:.2f}, collection {m['collect_s']:.2f}, exit {m['exit_s']:.2f}); "
            f"checking and composing points {m['points_s']:.2f} in all "
            f"({m['per_point_s'] * 1000:.0f} ms a point); workers' warm-ups "
            f"{m['warm_ups_s']:.2f}; "
            f"per-task overhead (every process's CPU in the multirun besides replications, "
            f"those points and warm-ups) {m['task_overhead_s'] * 1000:.0f} ms")


def amdahl_bound(fixed_s: float, simulating_s: float, ceiling: float) -> float:
    """The best ratio N cores can reach against 1 when only the replications run in
    parallel (at the machine's measured ceiling) and the 1-core sweep's other work
    (``fixed_s``: start-up, imports, the compiled engine's load, composition, collection)
    stays serial: (F + R) / (F + R / ceiling)."""
    return (fixed_s + simulating_s) / (fixed_s + simulating_s / ceiling)


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


def launch_seconds(overrides: list[str], tasks: int, n: int = 5) -> tuple[float, float]:
    """The launching process's cost per task: the sweeper checks each job there before the
    launcher runs it (sim.sweep_compose.check_batch: once per point, by a copy of a
    template composed once per set of group choices, here already composed; the workers
    compose the points). Returns (CPU seconds per point, per task)."""
    from hydra import initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra
    from hydra.types import RunMode

    from sim import sweep_compose
    from sim.paths import CONFIG_DIR

    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(config_dir=CONFIG_DIR, version_base="1.3"):
            hydra = GlobalHydra.instance().hydra
            assert hydra is not None
            master = hydra.compose_config("config", overrides, run_mode=RunMode.MULTIRUN)
            check = sweep_compose.TaskConfigs(hydra.config_loader, "bench").check
            check(master, ["sweep.task=0", *overrides, "seed=0"])  # the template
            cpu0 = time.process_time()
            for point in range(1, n + 1):
                for task in range(tasks):
                    check(master, [f"sweep.task={task}", *overrides, f"seed={point}"])
            per_point = (time.process_time() - cpu0) / n
    finally:
        GlobalHydra.instance().clear()
    return per_point, per_point / tasks


def _cpu_children() -> float:
    import resource

    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


_LAUNCHED: dict[str, tuple[float, float]] = {}  # sweep dir -> (launched, ended), epoch s


def _sweep(base: list[str], name: str, cores: int, sweep_dir: Path) -> tuple[float, float]:
    """Wall seconds and CPU seconds of one sweep (every process of it: the launching one
    and its workers, reaped by it; less sensitive to other load than wall time). The
    launching process writes its own CPU by phase next to the sweep (``master_cpu``)."""
    import subprocess

    from sim.sweep_profile import CPU_FILE_ENV

    env = {**os.environ, CPU_FILE_ENV: str(_cpu_file(sweep_dir))}
    cpu0, t0, launched = _cpu_children(), time.perf_counter(), time.time()
    proc = subprocess.run([*base, *_launcher_args(name, cores), f"hydra.sweep.dir={sweep_dir}"],
                          capture_output=True, text=True, env=env)
    wall, cpu = time.perf_counter() - t0, _cpu_children() - cpu0
    _LAUNCHED[str(sweep_dir)] = (launched, launched + wall)
    if proc.returncode != 0:
        print(proc.stderr[-3000:], file=sys.stderr)
        raise SystemExit(f"sweep_bench: error: the {name} sweep failed "
                         f"(exit {proc.returncode})")
    return wall, cpu


def _cpu_file(sweep_dir: Path) -> Path:
    return sweep_dir.with_name(f"{sweep_dir.name}.cpu.json")


def master_cpu(sweep_dir: Path, cpu_s: float, sim_cpu_s: float, n_tasks: int,
               points: int) -> dict:
    """The launching process's CPU seconds (sim.sweep_profile), load-independent:
    ``outside_reps_s`` all of it outside replications, of which ``during_launch_s`` while
    the launcher's jobs run (beside the workers: the jobs' hand-out, collection's imports;
    under the basic launcher the tasks' set-up) and ``serial_s`` the rest, before and
    after the jobs (the serial part on N cores), of which ``startup_s`` before the multirun,
    ``points_s`` checking and composing the points there (``per_point_s`` each),
    ``collect_s`` collection and ``exit_s`` after it; and ``task_overhead_s``: every
    process's CPU inside the multirun besides replications and the launching process's
    point work and the workers' warm-ups (``warm_ups_s``: imports, the engine's load), per
    task (Hydra's job set-up and hand-out, the task's records and assembly, a worker's
    composition of a point; the basic launcher's imports and engine load)."""
    from sim.sweep_tasks import REPS_DIR, read_json

    prof = json.loads(_cpu_file(sweep_dir).read_text())
    marks, timed, pid = prof["marks"], prof["timed"], int(prof["pid"])
    recs = [read_json(p) or {} for p in sweep_dir.rglob(f"{REPS_DIR}/rep_*.json")]
    own_reps = sum(float(r.get("cpu_seconds", 0.0)) for r in recs if r.get("pid") == pid)
    point_work = sum(timed.get("compose", [])) + sum(timed.get("check", []))
    startup = marks["multirun_start"]
    after = marks["exit"] - marks.get("multirun_end", marks["exit"])
    warm_ups = sum({r.get("pid"): float(r.get("warm_cpu_seconds", 0.0)) for r in recs}.values())
    inside = cpu_s - startup - after - sim_cpu_s - point_work - warm_ups  # every process's
    launch = marks.get("launch", marks["multirun_start"])
    during = marks.get("multirun_end", marks["exit"]) - launch - own_reps
    return {"outside_reps_s": marks["exit"] - own_reps, "during_launch_s": during,
            "serial_s": marks["exit"] - own_reps - during, "startup_s": startup,
            "points_s": point_work, "per_point_s": point_work / max(points, 1),
            "collect_s": marks.get("collected", marks["exit"]) - marks.get("multirun_end",
                                                                             marks["exit"]),
            "exit_s": marks["exit"] - marks.get("collected", marks["exit"]),
            "warm_ups_s": warm_ups, "task_overhead_s": inside / max(n_tasks, 1)}


def serial_bound(one_cpu_s: float, serial_s: float, cpu_s: float, ceiling: float) -> float:
    """The best ratio a parallel sweep can reach against the 1-core one (``one_cpu_s``:
    its CPU, its wall time on an idle core) when its launching process's ``serial_s``
    stays serial and the rest of its ``cpu_s`` runs at the machine's ceiling."""
    return one_cpu_s / (serial_s + (cpu_s - serial_s) / ceiling)


def run(points: int, reps: int, tasks: str, launchers: list[str], scenario: str,
        rounds: int = 1) -> dict:
    """``tasks``: ``sweep.tasks`` for every launcher alike (``auto``: each launcher's own
    sizing, whole points on the 1-core basic launcher)."""
    import statistics

    import pandas as pd

    from sim.bench import parallel_ceiling

    cores = os.cpu_count() or 1
    loads = ",".join(f"{0.8 + 0.4 * i / max(points - 1, 1):.3f}" for i in range(points))
    base = [sys.executable, "-m", "sim", "-m", f"scenario={scenario}", f"n_reps={reps}",
            f"sweep.tasks={tasks}", "output.calls=false", "output.intervals=false",
            "output.report=false", f"scenario.load={loads}"]
    print(f"{points} points x {reps} replications of {scenario}, sweep.tasks={tasks}; "
          f"{cores} cores; load average {os.getloadavg()[0]:.1f}", flush=True)
    ceilings = [parallel_ceiling(cores)]
    print(f"ceiling for {cores} CPU-bound processes (before): {ceilings[0]:.2f}", flush=True)
    walls: dict[str, list[float]] = {name: [] for name in launchers}
    rows: dict[str, dict] = {}
    tables: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for rnd in range(rounds):
            for name in launchers:
                workers = 1 if name == "basic" else cores
                sweep_dir = Path(tmp) / f"{name}{rnd}"
                wall, cpu = _sweep(base, name, cores, sweep_dir)
                walls[name].append(wall)
                sim_s, sim_cpu, n_tasks = _records(sweep_dir)
                tables[name] = pd.read_parquet(sweep_dir / "sweep.parquet")
                rows.setdefault(name, {"cores": workers, "simulating_s": [], "overhead": [],
                                       "cpu_s": [], "simulating_cpu_s": [], "timelines": []})
                rows[name]["timelines"].append(timeline(sweep_dir, *_LAUNCHED[str(sweep_dir)]))
                rows[name]["simulating_s"].append(sim_s)
                rows[name]["simulating_cpu_s"].append(sim_cpu)
                rows[name]["cpu_s"].append(cpu)
                rows[name]["overhead"].append((wall * workers - sim_s) / n_tasks)
                rows[name]["tasks"] = n_tasks
                rows[name].setdefault("master", []).append(
                    master_cpu(sweep_dir, cpu, sim_cpu, n_tasks, points))
                print(f"round {rnd + 1}: {name:7} {workers} core(s)  wall {wall:7.1f} s  "
                      f"{points * reps / wall:6.2f} replications/s  CPU {cpu:.1f} s  "
                      f"(replications {sim_s:.1f} s, {sim_cpu:.1f} CPU-s, in {n_tasks} tasks; "
                      f"ratio to 1 core "
                      f"{walls[launchers[0]][rnd] / wall:.2f})", flush=True)
                print(format_timeline(name, rows[name]["timelines"][-1], n_tasks), flush=True)
                print(format_master(rows[name]["master"][-1]), flush=True)
    ceilings.append(parallel_ceiling(cores))
    ceiling = statistics.mean(ceilings)
    for name, row in rows.items():
        wall = statistics.median(walls[name])
        row.update(wall_s=wall, walls_s=walls[name], reps_per_s=points * reps / wall,
                   simulating_s=statistics.median(row["simulating_s"]),
                   cpu_s=statistics.median(row["cpu_s"]),
                   simulating_cpu_s=statistics.median(row["simulating_cpu_s"]),
                   overhead_per_task_s=statistics.median(row.pop("overhead")),
                   master={k: statistics.median(m[k] for m in row["master"])
                           for k in row["master"][0]})
    one = rows[launchers[0]]
    # the 1-core sweep's CPU not spent in replications: what stays serial on N cores
    fixed_s = one["cpu_s"] - one["simulating_cpu_s"]
    for name, row in rows.items():
        row["ratio"] = row["reps_per_s"] / one["reps_per_s"]
        row["round_ratios"] = [a / b for a, b in zip(walls[launchers[0]], walls[name],
                                                     strict=True)]
        row["of_ceiling"] = row["ratio"] / ceiling if row["cores"] > 1 else 1.0
        row["same_table"] = tables[name].equals(tables[launchers[0]])
        row["serial_bound"] = serial_bound(one["cpu_s"], row["master"]["serial_s"],
                                           row["cpu_s"], ceiling) if row["cores"] > 1 else 1.0
    # the launching process's cost and the scale note: at the parallel launcher's sizing
    parallel = [row for row in rows.values() if row["cores"] > 1] or [one]
    per_point = max(1, round(parallel[0]["tasks"] / points))
    check_s, launch_s = launch_seconds([f"scenario={scenario}", f"n_reps={reps}",
                                          f"sweep.tasks={per_point}"], per_point)
    return {"points": points, "reps": reps, "tasks_per_point": per_point, "tasks": tasks,
            "scenario": scenario,
            "cores": cores, "launchers": rows, "check_s": check_s, "launch_s": launch_s,
            "ceiling": ceiling, "ceilings": ceilings, "fixed_cpu_s": fixed_s,
            "amdahl_bound": amdahl_bound(fixed_s, one["simulating_cpu_s"], ceiling),
            "rep_s": one["simulating_s"] / (points * reps),
            "load_average": os.getloadavg()[0]}


def one_cpu(res: dict) -> float:
    return next(iter(res["launchers"].values()))["cpu_s"]


def scale_note(res: dict, nodes: int, cores: int) -> str:
    """Replications per hour on ``nodes`` x ``cores``: every core busy with tasks of
    ``reps/tasks`` replications, each paying the measured per-task overhead, at the
    measured parallel efficiency; capped by what the launching process can hand out
    (its measured cost per task: a check per point)."""
    rep_s, per_task = res["rep_s"], res["reps"] / res["tasks_per_point"]
    overhead = res["launchers"]["basic"]["overhead_per_task_s"]
    parallel = [r for r in res["launchers"].values() if r["cores"] > 1]
    best = max(parallel, key=lambda r: r["ratio"]) if parallel else {"ratio": 1, "cores": 1}
    efficiency = best["ratio"] / best["cores"]
    task_s = per_task * rep_s + overhead
    by_cores = 3600 * nodes * cores * efficiency / task_s * per_task
    by_launcher = 3600 / res["launch_s"] * per_task
    return (f"{nodes} nodes x {cores} cores: {min(by_cores, by_launcher):,.0f} replications/h "
            f"(cores: {by_cores:,.0f} at {rep_s:.2f} s per replication, {overhead:.2f} s "
            f"overhead per task of {per_task:g} replications, efficiency {efficiency:.2f}; "
            f"launching process: {by_launcher:,.0f} at {res['launch_s'] * 1000:.0f} ms per "
            f"task) = {min(by_cores, by_launcher) / res['reps']:,.0f} points x "
            f"{res['reps']} replications per hour")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m sim.sweep_bench", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--points", type=int, default=4)
    ap.add_argument("--reps", type=int, default=10, help="replications per point")
    ap.add_argument("--rounds", type=int, default=1, help="runs of every launcher, in turn")
    ap.add_argument("--tasks", default="auto",
                    help="tasks per point, every launcher alike (sweep.tasks: a number, or "
                         "auto, the default: each launcher's own sizing)")
    ap.add_argument("--scenario", default="telecom10000")
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
    if args.tasks != "auto" and not (args.tasks.isdigit() and int(args.tasks) >= 1):
        ap.error("--tasks: auto or a whole number >= 1")
    res = run(args.points, args.reps, args.tasks, launchers, args.scenario, args.rounds)
    print(f"this machine's ceiling for {res['cores']} CPU-bound processes: "
          f"{res['ceiling']:.2f} (before {res['ceilings'][0]:.2f}, after "
          f"{res['ceilings'][1]:.2f}); load average {res['load_average']:.1f}")
    for name, row in res["launchers"].items():
        print(f"{name:7} {row['cores']} core(s)  {row['tasks']} tasks  median wall "
              f"{row['wall_s']:.1f} s  CPU "
              f"{row['cpu_s']:.1f} s  ratio to "
              f"1 core {row['ratio']:.2f} ({row['of_ceiling']:.0%} of the ceiling; rounds: "
              f"{', '.join(f'{r:.2f}' for r in row['round_ratios'])})  per-task overhead "
              f"{row['overhead_per_task_s'] * 1000:.0f} ms  same sweep.parquet: "
              f"{'yes' if row['same_table'] else 'NO'}")
        if row["cores"] > 1:
            print(f"{name:7} its launching process's serial {row['master']['serial_s']:.2f} "
                  f"CPU-s ({row['master']['per_point_s'] * 1000:.0f} ms a point), the rest of "
                  f"its {row['cpu_s']:.1f} CPU-s at the ceiling: best ratio "
                  f"{row['serial_bound']:.2f} (1-core sweep {one_cpu(res):.1f} CPU-s)")
    one = res["launchers"][launchers[0]]
    print(f"1-core sweep: {one['simulating_cpu_s']:.1f} CPU-s in replications, "
          f"{res['fixed_cpu_s']:.1f} CPU-s besides (start-up, imports, the engine's load, "
          f"composition, task records, collection: serial); best ratio with that serial, "
          f"replications at the ceiling: {res['amdahl_bound']:.2f}")
    print(f"launching process per task: {res['launch_s'] * 1000:.0f} CPU-ms (a check "
          f"{res['check_s'] * 1000:.0f} CPU-ms per point, joblib's and submitit's jobs "
          f"compose it; Ray's launcher composes each point there instead)")
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
