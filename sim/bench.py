"""Throughput benchmark: ccsim engine vs. a bare, idiomatic SimPy M/M/c+M model.

Both run the same Erlang-A workload (offered load 45 Erlangs, 48 agents, exponential
service with mean 60 s, exponential patience with mean 120 s) and are timed in one process,
so the ratio engine/bare is comparable across machines. Usage::

    python -m sim.bench                 # 1,000,000 calls
    python -m sim.bench --quick         # ~100,000 calls
    python -m sim.bench --calls 500000 --json bench.json

The ccsim side times ``run_replication`` (arrival generation, the event loop and streaming
KPI accumulation; no call file) plus ``replication_kpis``, after a tiny warm-up run so that
one-off Numba compilation is not counted.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

AGENTS = 48
MEAN_SERVICE_S = 60.0
MEAN_PATIENCE_S = 120.0
LOAD_ERLANGS = 45.0
ARRIVAL_RATE = LOAD_ERLANGS / MEAN_SERVICE_S  # 0.75 calls/s
INTERVAL_S = 1800.0
DEFAULT_CALLS = 1_000_000
QUICK_CALLS = 100_000


@dataclass
class Result:
    """One model's figures."""

    model: str
    calls: int
    seconds: float  # wall clock
    cpu_seconds: float  # this process's CPU time (robust to other load on the machine)
    abandon_fraction: float

    @property
    def rate(self) -> float:
        return self.calls / self.seconds if self.seconds > 0 else math.nan

    @property
    def cpu_rate(self) -> float:
        return self.calls / self.cpu_seconds if self.cpu_seconds > 0 else math.nan


# --------------------------------------------------------------------------- ccsim


def scenario(calls: int) -> dict[str, Any]:
    """A single-queue Erlang-A scenario (plain dict) with enough intervals for ``calls``.

    The horizon is padded by five Poisson standard deviations so that at least ``calls``
    arrive in practice, not just in expectation.
    """
    per_interval = ARRIVAL_RATE * INTERVAL_S
    target = calls + 5.0 * math.sqrt(calls)
    intervals = max(1, math.ceil(target / per_interval))
    return {
        "name": "bench_erlang_a",
        "horizon": {"days": 1, "interval_s": INTERVAL_S, "intervals_per_day": intervals,
                    "warmup_s": 0},
        "arrivals": {"calls_per_interval": per_interval},
        "classes": {"calls": {
            "mix": 1.0, "priority": 0, "queue": "main",
            "patience": {"dist": "exponential", "mean": MEAN_PATIENCE_S},
            "handle_time": {"dist": "exponential", "mean": MEAN_SERVICE_S},
        }},
        "queues": {"main": {"groups": ["agents"]}},
        "groups": {"agents": {"staffing": AGENTS, "cost_per_hour": 0}},
    }


def run_engine(calls: int, seed: int) -> Result:
    """Time one ccsim replication of the benchmark workload (streaming KPIs only)."""
    from sim.config import RunSpec, build_model_spec
    from sim.kpi import replication_kpis
    from sim.policies.strict_priority import StrictPriority
    from sim.runner import run_replication

    run = RunSpec(seed=seed, n_reps=1, confidence=0.95, write_calls=False,
                  write_intervals=False, progress=False)
    # warm-up: compile / load the Numba kernels and import SimPy outside the timed region
    small = scenario(200)
    small["horizon"]["intervals_per_day"] = 1
    run_replication(build_model_spec(small), StrictPriority, run.seed, 0, engine="simpy")

    spec = build_model_spec(scenario(calls))
    t0, c0 = time.perf_counter(), time.process_time()
    rec = run_replication(spec, StrictPriority, run.seed, 0, None, engine="simpy")
    kpis = replication_kpis(rec, spec)["overall"]
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    offered = int(round(kpis["offered"]))
    return Result("ccsim engine", offered, seconds, cpu, kpis["abandoned"] / kpis["offered"])


# --------------------------------------------------------------------------- bare SimPy


def run_bare(calls: int, seed: int) -> Result:
    """Time the textbook SimPy M/M/c+M model: one process per call, ``simpy.Resource``."""
    import numpy as np
    import simpy

    rng = np.random.default_rng(seed)
    env = simpy.Environment()
    agents = simpy.Resource(env, capacity=AGENTS)
    counts = {"answered": 0, "abandoned": 0}

    def customer(env: simpy.Environment):
        patience = rng.exponential(MEAN_PATIENCE_S)
        with agents.request() as req:
            result = yield req | env.timeout(patience)
            if req in result:
                yield env.timeout(rng.exponential(MEAN_SERVICE_S))
                counts["answered"] += 1
            else:
                counts["abandoned"] += 1

    def source(env: simpy.Environment, n: int):
        for _ in range(n):
            yield env.timeout(rng.exponential(1.0 / ARRIVAL_RATE))
            env.process(customer(env))

    t0, c0 = time.perf_counter(), time.process_time()
    env.process(source(env, calls))
    env.run()
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    done = counts["answered"] + counts["abandoned"]
    return Result("bare SimPy", done, seconds, cpu, counts["abandoned"] / done)


# --------------------------------------------------------------------------- report


def environment() -> dict[str, Any]:
    """Versions and machine the figures were measured on."""
    from importlib.metadata import PackageNotFoundError, version

    def ver(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "n/a"

    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((ln.split(":", 1)[1].strip() for ln in f
                        if ln.startswith("model name")), cpu)
    except OSError:
        pass
    try:
        load = [round(x, 2) for x in os.getloadavg()]
    except (AttributeError, OSError):
        load = []
    return {
        "python": platform.python_version(), "implementation": platform.python_implementation(),
        "simpy": ver("simpy"), "numpy": ver("numpy"), "numba": ver("numba"),
        "ccsim": ver("ccsim"), "platform": platform.platform(), "cpu": cpu or "unknown",
        "cpu_count": os.cpu_count(), "load_avg_1_5_15": load,
    }


def report(engine: Result, bare: Result, p_theory: float, env: dict[str, Any]) -> str:
    """The result table as text."""
    lines = [f"{'model':<14}{'calls':>11}{'wall s':>9}{'cpu s':>9}{'calls/s':>11}"
             f"{'P(abandon)':>12}"]
    for r in (engine, bare):
        lines.append(f"{r.model:<14}{r.calls:>11,}{r.seconds:>9.2f}{r.cpu_seconds:>9.2f}"
                     f"{r.rate:>11,.0f}{r.abandon_fraction:>12.4%}")
    lines.append(f"{'Erlang A':<14}{'':>40}{p_theory:>12.4%}")
    lines.append(f"ratio engine/bare: {engine.rate / bare.rate:.2f} wall clock, "
                 f"{engine.cpu_rate / bare.cpu_rate:.2f} CPU time  (target >= 1.0)")
    lines.append(f"abandonment vs theory: engine {100 * (engine.abandon_fraction - p_theory):+.2f}"
                 f" pp, bare {100 * (bare.abandon_fraction - p_theory):+.2f} pp")
    lines.append(f"Python {env['python']} ({env['implementation']}), simpy {env['simpy']}, "
                 f"numpy {env['numpy']}, numba {env['numba']}, ccsim {env['ccsim']}")
    lines.append(f"machine: {env['platform']}, {env['cpu']}, {env['cpu_count']} CPUs")
    if env["load_avg_1_5_15"]:
        load = " ".join(f"{x:.2f}" for x in env["load_avg_1_5_15"])
        lines.append(f"load average (1/5/15 min): {load}  (other work skews the ratio)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point (``python -m sim.bench``)."""
    ap = argparse.ArgumentParser(prog="python -m sim.bench", description=__doc__.split("\n")[0])
    ap.add_argument("--calls", type=int, default=DEFAULT_CALLS,
                    help=f"calls to simulate per model (default {DEFAULT_CALLS:,})")
    ap.add_argument("--quick", action="store_true", help=f"~{QUICK_CALLS:,} calls")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--json", type=Path, metavar="PATH", help="write the figures as JSON")
    ap.add_argument("--sweep", action="store_true",
                    help="instead: sweep throughput on 1 core vs all cores (joblib launcher)")
    ap.add_argument("--points", type=int, default=8, help="sweep points (with --sweep)")
    ap.add_argument("--reps", type=int, default=20,
                    help="replications per sweep point (with --sweep; default 20)")
    args = ap.parse_args(argv)
    if args.sweep:
        return sweep_benchmark(args.points, args.json, args.reps)
    calls = QUICK_CALLS if args.quick else args.calls
    if calls < 1:
        ap.error("--calls must be positive")

    from sim.theory import erlang_a

    p_theory = erlang_a(ARRIVAL_RATE, MEAN_SERVICE_S, MEAN_PATIENCE_S, AGENTS).p_abandon
    print(f"Erlang-A benchmark: {LOAD_ERLANGS:g} Erlangs, {AGENTS} agents, service "
          f"{MEAN_SERVICE_S:g} s, patience {MEAN_PATIENCE_S:g} s, >= {calls:,} calls",
          flush=True)
    engine = run_engine(calls, args.seed)
    bare = run_bare(engine.calls, args.seed)  # the same number of calls as the engine ran
    env = environment()
    print(report(engine, bare, p_theory, env))
    if args.json is not None:
        figures = {
            "workload": {"load_erlangs": LOAD_ERLANGS, "agents": AGENTS,
                         "mean_service_s": MEAN_SERVICE_S, "mean_patience_s": MEAN_PATIENCE_S,
                         "arrival_rate_per_s": ARRIVAL_RATE, "requested_calls": calls,
                         "seed": args.seed},
            "engine": {**asdict(engine), "calls_per_s": engine.rate,
                       "calls_per_cpu_s": engine.cpu_rate},
            "bare_simpy": {**asdict(bare), "calls_per_s": bare.rate,
                           "calls_per_cpu_s": bare.cpu_rate},
            "ratio_engine_over_bare": engine.rate / bare.rate,
            "ratio_engine_over_bare_cpu": engine.cpu_rate / bare.cpu_rate,
            "p_abandon_theory": p_theory,
            "environment": env,
        }
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


def _burn(n: int) -> int:
    total = 0
    for i in range(n):
        total += i * i
    return total


def parallel_ceiling(cores: int, n: int = 20_000_000) -> float:
    """Speed-up of ``cores`` pure-Python CPU-bound processes over one: what the machine
    itself allows (shared caches, SMT, a busy host), the yardstick for the sweep ratio."""
    from concurrent.futures import ProcessPoolExecutor

    t0 = time.perf_counter()
    for _ in range(cores):
        _burn(n)
    serial = time.perf_counter() - t0
    with ProcessPoolExecutor(cores) as pool:
        list(pool.map(_burn, [1] * cores))  # start the workers before timing
        t0 = time.perf_counter()
        list(pool.map(_burn, [n] * cores))
        parallel = time.perf_counter() - t0
    return serial / parallel


def sweep_benchmark(points: int, json_path: Path | None, reps: int = 20) -> int:
    """Points per second of a Hydra multirun (hotline_small, ``reps`` replications per
    point) with the basic launcher (1 core) and the joblib launcher on every core, in one
    run. Each joblib worker pays its own start-up (imports, Numba compilation), so points
    must be long enough for the comparison to measure the sweep rather than the start-up."""
    import subprocess
    import tempfile

    loads = ",".join(f"{0.8 + 0.4 * i / max(points - 1, 1):.3f}" for i in range(points))
    cores = os.cpu_count() or 1
    base = [sys.executable, "-m", "sim", "-m", "scenario=hotline_small", f"n_reps={reps}",
            "output.calls=false", "output.intervals=false", "output.report=false",
            f"scenario.load={loads}"]
    rates: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for label, extra in (("1 core (basic launcher)", []),
                             (f"{cores} cores (joblib launcher)",
                              ["hydra/launcher=joblib", f"hydra.launcher.n_jobs={cores}"])):
            t0 = time.perf_counter()
            proc = subprocess.run([*base, *extra, f"hydra.sweep.dir={tmp}/{len(rates)}"],
                                  capture_output=True, text=True)
            wall = time.perf_counter() - t0
            if proc.returncode != 0:
                print(proc.stderr[-2000:], file=sys.stderr)
                return 1
            rates[label] = points / wall
            print(f"{label:28} {points} points in {wall:6.1f} s  {points / wall:6.2f} points/s",
                  flush=True)
    one, many = rates.values()
    ceiling = parallel_ceiling(cores)
    print(f"ratio all cores / 1 core: {many / one:.2f}  (ideal {cores}; this machine's "
          f"ceiling for {cores} CPU-bound processes: {ceiling:.2f})")
    if json_path is not None:
        json_path.write_text(json.dumps({"points": points, "reps": reps, "cores": cores,
                                         "rates": rates, "ratio": many / one,
                                         "ceiling": ceiling}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
