"""Per-replication time of the SimPy engine on a shipped scenario, with a digest of every
number it produced, so that a speed-up can be shown to change nothing::

    python -m sim.bench_simpy                          # telecom10000, seed 1, replication 0
    python -m sim.bench_simpy --baseline /tmp/base     # same, alternated with the code
                                                       # checked out in /tmp/base (git worktree)

The digest is a SHA-256 over every finished call (each column of every chunk the call sink
receives, in order) and every array of the replication's record: equal digests mean
bit-identical output. With ``--baseline`` both codes run in the same invocation, alternated
``--rounds`` times in fresh processes, so the ratio is taken under the same machine load.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path


def _digest_record(h, rec) -> None:
    import numpy as np

    def feed(name: str, value) -> None:
        if isinstance(value, np.ndarray):
            h.update(name.encode())
            h.update(np.ascontiguousarray(value).tobytes())
        elif isinstance(value, (int, float)):
            h.update(f"{name}={value!r}".encode())

    for name, arr in sorted(rec.calls.items()):
        feed(f"calls.{name}", arr)
    for name, value in sorted(vars(rec).items()):
        feed(name, value)
    for fname, feat in sorted(vars(rec.features).items()):
        feed(fname, feat)
        for name, value in sorted(getattr(feat, "__dict__", {}).items()):
            feed(f"{fname}.{name}", value)


def measure(scenario: str, seed: int, rep: int) -> dict:
    """Time one replication (engine simpy) of ``scenario``; spec building is not timed."""
    import sim
    from sim.check.runs import build_setup, compose_config
    from sim.runner import run_replication

    assert Path(sim.__file__).resolve().parents[1] == Path.cwd().resolve() or "--child" \
        not in sys.argv, f"child imported {sim.__file__}"
    setup = build_setup(compose_config([f"scenario={scenario}"]))
    h = hashlib.sha256()

    def sink(cols: dict) -> None:
        for name in sorted(cols):
            h.update(name.encode())
            h.update(memoryview(cols[name]).tobytes())

    cpu0, t0 = time.process_time(), time.perf_counter()
    rec = run_replication(setup.model, setup.policy, seed, rep, call_sink=sink, engine="simpy")
    seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    _digest_record(h, rec)
    return {"seconds": seconds, "cpu_seconds": cpu, "calls": int(rec.calls["offered"].sum()),
            "digest": h.hexdigest()}


def _child(code: Path, scenario: str, seed: int, rep: int) -> dict:
    """This file's measurement run on the ``sim`` package found in ``code``."""
    env = dict(os.environ, PYTHONPATH=str(code))
    run_me = f"import runpy; runpy.run_path({str(Path(__file__).resolve())!r}, " \
             "run_name='__main__')"
    out = subprocess.run([sys.executable, "-c", run_me, "--child", "--scenario", scenario,
                          "--seed", str(seed), "--rep", str(rep)], cwd=code, env=env,
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m sim.bench_simpy", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--scenario", default="telecom10000")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--rep", type=int, default=0)
    p.add_argument("--rounds", type=int, default=2, help="alternations with --baseline")
    p.add_argument("--baseline", type=Path, help="a checkout of the code to compare with")
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child or args.baseline is None:
        print(json.dumps(measure(args.scenario, args.seed, args.rep)))
        return 0
    here = Path(__file__).resolve().parents[1]
    runs: dict[str, list[dict]] = {"baseline": [], "this": []}
    load0 = os.getloadavg()[0]
    for _ in range(args.rounds):
        for name, code in (("baseline", args.baseline.resolve()), ("this", here)):
            runs[name].append(_child(code, args.scenario, args.seed, args.rep))
            print(name, json.dumps(runs[name][-1]), flush=True)
    load1 = os.getloadavg()[0]
    best = {k: min(r["cpu_seconds"] for r in v) for k, v in runs.items()}
    same = {r["digest"] for v in runs.values() for r in v}
    print(f"{args.scenario} seed {args.seed} rep {args.rep}, {runs['this'][0]['calls']} calls: "
          f"baseline {best['baseline']:.1f} s CPU, this {best['this']:.1f} s CPU "
          f"(best of {args.rounds}), speed-up x{best['baseline'] / best['this']:.2f}; "
          f"output {'bit-identical' if len(same) == 1 else 'DIFFERS'}; "
          f"load average {load0:.1f} -> {load1:.1f}")
    return 0 if len(same) == 1 else 1


if __name__ == "__main__":
    raise SystemExit(main())
