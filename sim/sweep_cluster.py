"""Sweeps beyond one process: split points into tasks for any Hydra launcher, and refuse
an unreachable cluster before any work starts.

Hydra's launchers (basic, joblib, Ray, submitit/SLURM) schedule what the sweeper hands
them; ccsim hands them tasks (``sweep.task`` of ``sweep.tasks`` per point, see
sim.sweep_tasks) and trusts none of their statuses: what finished is what the point
directories record. Lost workers are retried by sim.sweep_retry.
"""

from __future__ import annotations

import math
import os
import shutil
import socket
import sys
from pathlib import Path

from sim.sweep_tasks import ORDER_KEY

RAY_LAUNCHER = "hydra_plugins.hydra_ray_launcher.ray_launcher.RayLauncher"
SLURM_LAUNCHER = "hydra_plugins.hydra_submitit_launcher.submitit_launcher.SlurmLauncher"
LOCAL_SUBMITIT_LAUNCHER = "hydra_plugins.hydra_submitit_launcher.submitit_launcher.LocalLauncher"
JOBLIB_LAUNCHER = "hydra_plugins.hydra_joblib_launcher.joblib_launcher.JoblibLauncher"
BASIC_LAUNCHER = "hydra._internal.core_plugins.basic_launcher.BasicLauncher"
TASKS_KEY = "sweep.tasks"
AUTO = "auto"
TASKS_PER_WORKER = 4  # sweep.tasks=auto: tasks per worker over the whole sweep
CONNECT_TIMEOUT_S = 5.0
SETTINGS: dict = {}  # the running multirun's sweep settings, for the retry loop
SET_BY_CCSIM = ("sweep.task", ORDER_KEY)  # never on the command line


def fail(message: str) -> None:
    """Bad input found while the multirun starts: one line, exit 2, nothing run. (A
    SystemExit: Hydra turns a callback's Exception into a mere warning.)"""
    print(f"ccsim: error: {' '.join(message.split())}", file=sys.stderr)
    raise SystemExit(2)


def check_launcher(config) -> None:
    """The cluster the launcher names must answer before any task is submitted."""
    from omegaconf import OmegaConf

    target = str(OmegaConf.select(config, "hydra.launcher._target_") or "")
    if target == RAY_LAUNCHER:
        address = OmegaConf.select(config, "hydra.launcher.ray.init.address")
        if address and address != "local":
            check_ray_address(str(address))
            _no_object_store_default(config)
    elif target == SLURM_LAUNCHER and shutil.which("sbatch") is None:
        fail("hydra/launcher=submitit_slurm: no SLURM here (sbatch is not on the PATH); "
              "allowed: run on a SLURM login node, or hydra/launcher=submitit_local, ray, "
              "joblib or basic")


def _no_object_store_default(config) -> None:
    """hydra-ray-launcher 1.2.2 sets ``object_store_memory`` unless given, and Ray refuses
    it when connecting to an existing cluster: give it as null (Ray's own default)."""
    from omegaconf import open_dict, read_write

    init = config.hydra.launcher.ray.init
    if "object_store_memory" not in init:
        with read_write(init), open_dict(init):
            init.object_store_memory = None


def check_ray_address(address: str) -> None:
    """``auto`` (a cluster started on this machine with ``ray start --head``),
    ``HOST:PORT`` or ``ray://HOST:PORT``: the address must accept a connection."""
    key = "hydra.launcher.ray.init.address"
    allowed = ("allowed: auto (a cluster started here with ray start --head), HOST:PORT or "
               "ray://HOST:PORT of a running Ray cluster, or local (a private local Ray)")
    if address == "local":  # Ray starts a new local instance: nothing to reach
        return
    if address == "auto":
        found = _local_ray_address()
        if found is None:
            fail(f"{key}: auto finds no running Ray cluster on this machine; {allowed}")
        address = str(found)
    host, sep, port = address.removeprefix("ray://").rpartition(":")
    if not sep or not port.isdigit():
        fail(f"{key}: {address!r} is not HOST:PORT; {allowed}")
    try:
        with socket.create_connection((host, int(port)), timeout=CONNECT_TIMEOUT_S):
            pass
    except OSError as exc:
        fail(f"{key}: no Ray cluster answers at {address!r} "
              f"({exc.strerror or type(exc).__name__}); {allowed}")


def _local_ray_address() -> str | None:
    """The address ``ray start --head`` on this machine wrote down, if its GCS is up."""
    try:
        from ray._private.services import canonicalize_bootstrap_address
    except ImportError:
        return None
    try:
        return canonicalize_bootstrap_address("auto")
    except (ConnectionError, ValueError, RuntimeError):
        return None


def split_points(config, points: int = 0) -> int:
    """Add the task key to the sweep: every point becomes ``sweep.tasks`` tasks (Hydra's
    product puts the task first, so every point's first replications go out first), the
    number resolved here (``auto``: ``auto_tasks``) and given to every job as an override.
    ``points``: the sweep's points (0 if unknown). Returns the number of tasks per point."""
    from omegaconf import open_dict, read_write

    sweep = config.get("sweep") or {}
    SETTINGS.clear()
    SETTINGS.update(sweep_dir=str(config.hydra.sweep.dir), retries=int(sweep.get("retries", 0)),
                    config=config)
    given = [str(o) for o in config.hydra.overrides.task]
    for key in SET_BY_CCSIM:
        if any(o.lstrip("+~").partition("=")[0] == key for o in given):
            fail(f"{key}: set by ccsim for each unit of work; allowed: sweep.tasks=N "
                 f"(tasks per point) or sweep.tasks=auto")
    tasks = tasks_per_point(sweep.get("tasks", AUTO), int(config.get("n_reps", 1)), points,
                            launcher_workers(config))
    _clear_task_records(Path(config.hydra.sweep.dir))
    overrides = config.hydra.overrides
    with read_write(overrides):  # every job runs with the resolved number, not "auto"
        overrides.task = [o for o in given if o.lstrip("+~").partition("=")[0] != TASKS_KEY]
        overrides.task.append(f"{TASKS_KEY}={tasks}")
    sweeper = config.hydra.sweeper
    with read_write(sweeper), open_dict(sweeper):
        params = dict(sweeper.get("params") or {})
        params.pop(TASKS_KEY, None)
        sweeper.params = {"sweep.task": f"range(0,{tasks})", **params}
    return tasks


def rep_weight(config) -> float:
    """A replication's expected cost, relative to the sweep's other points': its offered
    calls grow with ``scenario.load`` and the horizon's days (1 where not numbers). Only
    orders the jobs (``dearest_first``): a wrong guess costs balance, never a number."""
    try:
        scenario = config.get("scenario") or {}
        days = (scenario.get("horizon") or {}).get("days", 1)
        weight = float(scenario.get("load", 1.0)) * float(days)
    except Exception:  # noqa: BLE001 - an interpolation or a value the job itself refuses
        return 1.0
    return weight if math.isfinite(weight) and weight > 0 else 1.0


def task_cost(weight: float, n_reps: int, overrides: list[str]) -> float:
    """A job's expected cost: its task's replications (sim.sweep_tasks.task_reps) x
    ``weight``, each replication's (``rep_weight``)."""
    from sim.sweep_tasks import task_index, task_reps

    task, tasks = task_index(None, overrides)
    return len(task_reps(task, tasks, n_reps)) * weight


def number_points(batch: list, orders: dict) -> list:
    """Each job with its point's place in the command line's grid (``sweep.order=K``),
    numbered as the points first appear in the sweeper's order (Hydra's product puts the
    task first: its first tasks are the grid in order). ``orders``: point -> place, kept
    across the multirun's batches."""
    from sim.sweep_tasks import point_overrides

    out = []
    for job in batch:
        point = tuple(point_overrides(job))
        place = orders.setdefault(point, len(orders))
        out.append([*job, f"{ORDER_KEY}={place}"])
    return out


def dearest_first(batch: list, costs: list[float | None]) -> list:
    """The jobs in descending expected cost (longest processing time first), equal costs in
    the sweeper's order: the launcher's workers take the dearest tasks first and the
    sweep ends on its cheapest, so they finish nearly together. In the sweeper's order the
    dearest points (highest load) of each wave of tasks went last, leaving one of joblib's
    2 workers 4.6 s idle at the end of 8 points x 20 telecom10000 replications. Unknown
    costs: the sweeper's order."""
    known = [c for c in costs if c is not None]
    if len(known) < len(costs):
        return list(batch)
    return [batch[i] for i in sorted(range(len(batch)), key=lambda i: -known[i])]


def tasks_per_point(value, n_reps: int, points: int, workers: int | None) -> int:
    """``sweep.tasks``: a whole number >= 1, or ``auto`` (``auto_tasks``); else exit 2."""
    if str(value).strip() == AUTO:
        return auto_tasks(n_reps, points, workers)
    try:
        tasks = int(str(value).strip())
    except ValueError:
        tasks = 0
    if tasks < 1 or str(value).strip() in ("True", "False"):
        fail(f"{TASKS_KEY}: {value!r} is not a number of tasks; allowed: auto (sized from "
             f"the sweep and the launcher's workers) or a whole number >= 1 (tasks per point)")
    return tasks


def auto_tasks(n_reps: int, points: int, workers: int | None) -> int:
    """Tasks per point for ``sweep.tasks=auto``: about ``TASKS_PER_WORKER`` tasks per worker
    over the whole sweep — enough for every worker to stay busy to the end, few enough that
    each task's fixed cost (Hydra's job set-up, the task's records) is paid for several
    replications — never more than one per replication. One worker: whole points (nothing to
    balance). Unknown workers (a Ray cluster, another launcher): one task per replication,
    the finest split, so that however many workers there are, they all get work."""
    if workers is None:
        return max(n_reps, 1)
    if workers <= 1:
        return 1
    return max(1, min(n_reps, math.ceil(TASKS_PER_WORKER * workers / max(points, 1))))


def jobs_composed_here(config) -> bool:
    """The launcher composes each job's config in the launching process: the basic one
    (it runs them there), Ray's (it composes, then submits), joblib's with one job at a
    time (it runs them there). joblib's workers and submitit's jobs compose their own."""
    from omegaconf import OmegaConf

    target = str(OmegaConf.select(config, "hydra.launcher._target_") or "")
    return target in (BASIC_LAUNCHER, RAY_LAUNCHER) or (
        target == JOBLIB_LAUNCHER and launcher_workers(config) == 1)


def launcher_workers(config) -> int | None:
    """How many tasks the configured launcher runs at once, when ccsim can know it: the
    basic launcher 1; joblib its ``n_jobs`` (-1: every core); a private local Ray its
    ``num_cpus`` (default every core); submitit's local and SLURM launchers their
    ``array_parallelism`` when set, else (local) every core. None otherwise."""
    from omegaconf import OmegaConf

    target = str(OmegaConf.select(config, "hydra.launcher._target_") or "")
    cores = os.cpu_count() or 1
    launcher = OmegaConf.select(config, "hydra.launcher") or {}
    if target == BASIC_LAUNCHER:
        return 1
    if target == JOBLIB_LAUNCHER:
        n = int(launcher.get("n_jobs") or -1)
        return max(1, n if n > 0 else cores + 1 + n)
    if target == RAY_LAUNCHER:
        init = OmegaConf.select(config, "hydra.launcher.ray.init") or {}
        if init.get("address") not in (None, "local"):
            return None  # a running cluster: its size is not known here
        return int(init.get("num_cpus") or cores)
    if target in (SLURM_LAUNCHER, LOCAL_SUBMITIT_LAUNCHER):
        parallel = launcher.get("array_parallelism")
        return int(parallel) if parallel else cores
    return None


def _clear_task_records(sweep_dir: Path) -> None:
    """Task records and the assembled marks say what the *current* run did (replication
    records stay: resume)."""
    from sim.sweep_tasks import FINALIZED, FINALIZING, TASKS_DIR

    if sweep_dir.is_dir():
        for pattern in ("task_*.json", FINALIZING, FINALIZED):
            for p in sweep_dir.rglob(f"{TASKS_DIR}/{pattern}"):
                p.unlink(missing_ok=True)
