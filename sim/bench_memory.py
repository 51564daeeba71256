"""Peak memory of one replication against its horizon, with no call file
(``output.calls=false``): memory must stay flat in the number of calls.

Each horizon runs in a fresh process (peak resident set size from ``getrusage``; growth:
the peak minus the size after set-up) on the hotline_small scenario repeated over 1, 7 and
112 days (about 3,100 calls a day; redials, work orders) with ``customers.population: 0``
(every call a new customer, so every call opens an episode: the case that grew). With
``--keep-episodes`` every episode is kept to the end, as before episodes were counted and
dropped once their FCR window had passed: the difference is the memory that fix saves.
Usage::

    python -m sim.bench_memory                    # 1, 7, 112 days
    python -m sim.bench_memory --days 1 7 --keep-episodes
    python -m sim.bench_memory --fast --days 4 16 64   # engine=fast on basic
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

SCENARIO = "hotline_small"


def per_interval_bytes(rec, components=()) -> int:
    """Bytes of the per-interval KPI arrays of one replication: every numpy array of the
    Recorder (and of the engine's feature components) whose last axis is the interval —
    memory that grows with the number of intervals by design, stated apart."""
    import numpy as np

    n = rec.n_intervals
    seen: set[int] = set()
    total = 0

    def visit(obj, depth: int = 0) -> None:
        nonlocal total
        if isinstance(obj, np.ndarray):
            if obj.ndim and obj.shape[-1] == n and id(obj) not in seen:
                seen.add(id(obj))
                total += obj.nbytes
        elif isinstance(obj, dict):
            for v in obj.values():
                visit(v, depth)
        elif depth < 3 and hasattr(obj, "__dict__"):
            for v in vars(obj).values():
                visit(v, depth + 1)

    for obj in (rec, *components):
        visit(obj)
    return total


def measure(days: int, keep: bool) -> dict:
    """Run one replication of ``days`` days in this process; its peak memory."""
    import resource
    import time
    from pathlib import Path

    import yaml

    from sim.config import build_model_spec
    from sim.paths import CONFIG_DIR
    from sim.runner import load_policy, run_replication

    scn = yaml.safe_load((Path(CONFIG_DIR) / "scenario" / f"{SCENARIO}.yaml").read_text())
    scn["horizon"]["days"] = days
    scn["customers"] = {"population": 0}
    spec = build_model_spec(scn)
    policy = load_policy({"name": "strict_priority",
                          "class": "sim.policies.strict_priority.StrictPriority"})
    if keep:
        from sim.model.customers import Customers

        Customers.on_interval_end = lambda self, k, now: None  # type: ignore[method-assign]
    warm = dict(scn, horizon={**scn["horizon"], "days": 1}, outage=None,
                arrivals={"calls_per_interval": 1})  # imports and set-up, not counted
    run_replication(build_model_spec(warm), policy, 1, 0, engine="simpy")
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    rec = run_replication(spec, policy, 1, 0, engine="simpy")
    wall = time.perf_counter() - t0
    calls = int(rec.calls["offered"].sum())
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    per_interval = per_interval_bytes(rec)
    return {"days": days, "keep_episodes": keep, "calls": calls, "wall_s": round(wall, 1),
            "intervals": spec.n_intervals, "per_interval_mb": round(per_interval / 2**20, 1),
            "per_interval_bytes_each": round(per_interval / spec.n_intervals),
            "peak_rss_mb": round(rss / 1024, 1), "rss_before_run_mb": round(base / 1024, 1),
            "growth_mb": round((rss - base) / 1024, 1),
            "growth_bytes_per_call": round((rss - base) * 1024 / calls, 1)}


def measure_fast(days: int) -> dict:
    """engine=fast on ``basic`` (the compiled engine runs no hotline): tracemalloc peak of
    one replication in this process, and the part that is per-interval KPI arrays."""
    import gc
    import tracemalloc
    from pathlib import Path

    import yaml

    from sim.config import build_model_spec
    from sim.paths import CONFIG_DIR
    from sim.runner import load_policy, run_replication

    base = yaml.safe_load((Path(CONFIG_DIR) / "scenario" / "basic.yaml").read_text())
    spec = build_model_spec(dict(base, horizon={**base["horizon"], "days": days}))
    policy = load_policy({"name": "strict_priority",
                          "class": "sim.policies.strict_priority.StrictPriority"})
    gc.collect()
    tracemalloc.start()
    rec = run_replication(spec, policy, 1, 0, engine="fast")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    per_interval = per_interval_bytes(rec)
    return {"days": days, "calls": int(rec.calls["offered"].sum()),
            "intervals": spec.n_intervals, "peak_mb": round(peak / 2**20, 2),
            "per_interval_mb": round(per_interval / 2**20, 2),
            "rest_mb": round((peak - per_interval) / 2**20, 2)}


def main_fast(days: list[int]) -> list[dict]:
    """Every horizon in this process, after a 1-day warm-up (JIT load, imports)."""
    measure_fast(1)
    rows = []
    for d in days:
        row = measure_fast(d)
        rows.append(row)
        print(f"fast {row['days']:>4} days  {row['calls']:>9,} calls  tracemalloc peak "
              f"{row['peak_mb']:>6.2f} MB = per-interval KPI arrays {row['per_interval_mb']:>5.2f}"
              f" MB ({row['intervals']:,} intervals) + rest {row['rest_mb']:>6.2f} MB",
              flush=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m sim.bench_memory", description=__doc__)
    p.add_argument("--days", type=int, nargs="+", default=[1, 7, 112])
    p.add_argument("--keep-episodes", action="store_true",
                   help="also measure with every episode kept to the end (before the fix)")
    p.add_argument("--json", help="write the rows to this file")
    p.add_argument("--fast", action="store_true",
                   help="engine=fast on the basic scenario instead (tracemalloc peak)")
    p.add_argument("--one", nargs=2, help=argparse.SUPPRESS)  # child: DAYS KEEP
    args = p.parse_args(argv)
    if args.one:
        print(json.dumps(measure(int(args.one[0]), args.one[1] == "1")))
        return 0
    if args.fast:
        rows = main_fast(args.days)
        if args.json:
            with open(args.json, "w") as f:
                json.dump(rows, f, indent=1)
        return 0
    rows = []
    for keep in ([False, True] if args.keep_episodes else [False]):
        for days in args.days:
            out = subprocess.run([sys.executable, "-m", "sim.bench_memory", "--one",
                                  str(days), str(int(keep))], capture_output=True, text=True,
                                 check=True)
            row = json.loads(out.stdout.strip().splitlines()[-1])
            rows.append(row)
            print(f"{row['days']:>4} days  {row['calls']:>9,} calls  "
                  f"{'kept' if keep else 'dropped':>7} episodes  peak RSS "
                  f"{row['peak_rss_mb']:>7.1f} MB, growth in the run {row['growth_mb']:>6.1f} "
                  f"MB ({row['growth_bytes_per_call']:>5.0f} B/call), of it per-interval KPI "
                  f"arrays {row['per_interval_mb']:>5.1f} MB ({row['per_interval_bytes_each']:,} "
                  f"B x {row['intervals']:,} intervals)  {row['wall_s']:>6.1f} s",
                  flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
