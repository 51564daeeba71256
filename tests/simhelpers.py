"""Shared helpers for tests: tiny scenarios built as plain dicts, run in memory."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd

from sim.config import RunSpec, build_model_spec
from sim.model.calls import OUTCOMES
from sim.runner import load_policy, run_replication

POLICIES = {
    "strict_priority": "sim.policies.strict_priority.StrictPriority",
    "fifo": "sim.policies.fifo.Fifo",
    "dedicated": "sim.policies.dedicated.Dedicated",
    "pooled": "sim.policies.pooled.Pooled",
    "overflow": "sim.policies.overflow.Overflow",
    "reservation": "sim.policies.reservation.Reservation",
    "dynamic_priority": "sim.policies.dynamic_priority.DynamicPriority",
    "virtual_hold": "sim.policies.virtual_hold.VirtualHold",
}


def log_call(server: str, t_answer: float, service_s: float, **kw) -> dict:
    """One row of a read bank log (``sim.calibrate`` columns): a PS call answered at once
    by ``server`` on the direct line, with ``kw`` changed."""
    row = {"date": pd.Timestamp("1999-01-04"), "server": server, "t_arrival": t_answer,
           "ivr_s": 0.0, "wait_s": 0.0, "t_answer": t_answer, "service_s": service_s,
           "outcome": "served", "desk": "direct", "priority": 0, "queued": False,
           "type": "PS"}
    return {**row, **kw}


def experiment_script(name: str):
    """``experiments/out_of_sample/NAME.py`` imported as a module (the scripts are run
    by path, not installed)."""
    import importlib.util
    import sys
    from pathlib import Path

    folder = Path(__file__).resolve().parent.parent / "experiments" / "out_of_sample"
    if str(folder) not in sys.path:  # a script imports its neighbours as a script would
        sys.path.insert(0, str(folder))
    path = folder / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def make_policy(name: str, **params):
    return load_policy({"name": name, "class": POLICIES[name], "params": params})

TINY = {
    "name": "tiny",
    "horizon": {"days": 1, "interval_s": 100, "intervals_per_day": 10, "drain_s": None},
    "arrivals": {"trace": []},
    "classes": {
        "a": {"mix": 0.5, "priority": 0, "queue": "q", "patience": None,
              "handle_time": 50},
        "b": {"mix": 0.5, "priority": 1, "queue": "q", "patience": 45, "handle_time": 50},
    },
    "queues": {"q": {"groups": ["g"]}},
    "groups": {"g": {"staffing": 1}},
}


def scenario(base: dict | None = None, **changes) -> dict:
    """A deep copy of ``base`` (default TINY) with dotted-path changes applied."""
    scn = copy.deepcopy(base or TINY)
    for path, value in changes.items():
        node = scn
        *parents, leaf = path.split("__")
        for p in parents:
            node = node.setdefault(p, {})
        node[leaf] = value
    return scn


def run_calls(scn: dict, policy: str | object = "strict_priority", seed: int = 1,
              rep: int = 0, engine: str = "auto"):
    """Simulate one replication and return (calls DataFrame sorted by id, recorder).
    ``policy`` is a name in POLICIES or a factory from :func:`policy`; ``engine="simpy"``
    where a test looks inside the reference model (``auto`` may pick the compiled one)."""
    spec = build_model_spec(scn)
    chunks = []
    factory = make_policy(policy) if isinstance(policy, str) else policy
    rec = run_replication(spec, factory, seed, rep, call_sink=chunks.append, engine=engine)
    if not chunks:
        return pd.DataFrame(), rec
    cols = {k: np.concatenate([c[k] for c in chunks]) for k in chunks[0]}
    df = pd.DataFrame(cols).sort_values("call_id").reset_index(drop=True)
    df["class"] = [spec.classes[i].name for i in df["class_idx"]]
    df["outcome"] = [OUTCOMES[i] for i in df["outcome_code"]]
    df["group"] = [spec.groups[i].name if i >= 0 else None for i in df["group_idx"]]
    return df, rec


def run_spec(scn: dict, n_reps: int = 1, seed: int = 1, policy: str | object = "strict_priority",
             confidence: float = 0.99):
    from sim.runner import simulate_spec

    spec = build_model_spec(scn)
    run = RunSpec(seed=seed, n_reps=n_reps, confidence=confidence, write_calls=False,
                  write_intervals=False, progress=False)
    factory = make_policy(policy) if isinstance(policy, str) else policy
    return simulate_spec(spec, run, factory)


def calibrate_options(*args: str):
    """``ccsim calibrate``'s Options from command-line arguments (its own parser)."""
    import argparse

    from sim.calibrate import _common, _options

    p = argparse.ArgumentParser()
    _common(p)
    return _options(p.parse_args(list(args)), "x")
