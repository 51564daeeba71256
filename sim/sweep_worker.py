"""A joblib worker's side of the sweep warm-up (``sim.sweep_warm`` starts it).

A leaf module: the task code (``sim.sweep_tasks``) asks it whether its process was warmed,
and the worker imports the task's modules by name, at run time, as Hydra's launcher itself
finds the task function there, so no module of the sweep imports another in a circle.
"""

from __future__ import annotations

import importlib
import os
import time

WARM_LOAD = 0.01  # scenario.load of the warm-up replication: ~1 % of the calls, same types
WARM_SEED = 1
TASK_MODULES = ("sim.cli", "sim.sweep_tasks")  # the task function and what it runs
ENGINE_MODULES = ("sim.config", "sim.runner", "sim.fast.engine", "sim.fast.loop")
_WARMED: list[float] = []  # in a worker: the warm-up's seconds, once it has run
_WARM_CPU: list[float] = []  # and its CPU seconds (the benchmark's per-task overhead omits it)
_IMPORT_CPU: list[float] = []  # CPU seconds of the task's imports, once done (warm_imports)


def warmed() -> bool:
    """This process was warmed before its tasks (recorded with each replication)."""
    return bool(_WARMED)


def warm_cpu() -> float:
    """CPU seconds of this process's warm-up, its imports included (0: none)."""
    if _WARM_CPU:
        return _WARM_CPU[0]
    return _IMPORT_CPU[0] if _IMPORT_CPU else 0.0


def warm_imports() -> int:
    """In a worker started before the sweep's config is known (sim.sweep_warm.prestart):
    import what a task imports, the compiled engine's modules included. Returns the pid."""
    if not _IMPORT_CPU:
        cpu0 = time.process_time()
        import hydra_plugins.hydra_joblib_launcher._core  # noqa: F401 - the job's runner
        import pandas  # noqa: F401 - a task's records and the point's assembly write tables
        import pyarrow.parquet  # noqa: F401

        for name in TASK_MODULES:  # by name, as the launcher's own unpickling finds the task
            importlib.import_module(name)
        for name in ENGINE_MODULES:
            importlib.import_module(name)
        _IMPORT_CPU.append(time.process_time() - cpu0)
    return os.getpid()


def warm(payload: tuple) -> tuple[int, float]:
    """In a worker: import what a task imports (unless ``warm_imports`` did), run a tiny
    replication of the scenario on its engine (which loads the compiled loop), throw it
    away. Returns (pid, seconds); a worker that took both warm-ups does the second in no
    time."""
    if _WARMED:
        return os.getpid(), 0.0
    t0, cpu0 = time.perf_counter(), time.process_time()
    imported_before = _IMPORT_CPU[0] if _IMPORT_CPU else 0.0
    warm_imports()
    from sim.config import build_model_spec
    from sim.fast.engine import resolve_engine
    from sim.runner import load_policy, replicate

    scenario, policy, packages, engine = payload
    spec = build_model_spec({**scenario, "load": float(scenario.get("load", 1.0)) * WARM_LOAD})
    policy_cls = load_policy(policy, packages)
    replicate(spec, policy_cls, WARM_SEED, 0, False,
              engine=resolve_engine(engine or "auto", spec, policy_cls))
    _WARMED.append(time.perf_counter() - t0)
    _WARM_CPU.append(time.process_time() - cpu0 + imported_before)
    return os.getpid(), _WARMED[0]
