"""Sweep tasks: a point's replications split into units of work that any launcher runs.

A multirun job is one *task*: replications ``task_reps(task, tasks, n_reps)`` of one point
(``sweep.task`` of ``sweep.tasks``, added to the sweep by sim.sweep). Every task records
what it did in the point's directory, so collection and resume never trust the scheduler:

- ``reps/rep_RRRR.json``: one finished replication (status, KPIs, totals, seconds, host),
  written atomically when it ends; ``reps/rep_RRRR.NAME.parquet``: its interval tables and
  calls; ``reps/rep_RRRR.attempts``: one line per start (a second line is a retry, after a
  lost worker);
- ``tasks/task_CCCC.json``: the task's outcome (ok/failed, error, the point's header);
- ``tasks/finalized.json``: the point was assembled by the task that finished it last
  (``finalize_when_complete``, in its worker), so collection need not assemble it again.

Replication r of a point draws only from the streams of (seed, r), so where and in which
task it ran changes nothing: ``finalize_point`` assembles the point's outputs
(summary.json, replications.csv, interval tables, calls.parquet, point.json) exactly as a
plain run of the point writes them.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import socket
import sys
import time
from pathlib import Path
from typing import Any

REPS_DIR = "reps"
TASKS_DIR = "tasks"
FINALIZING = ".finalizing"  # in TASKS_DIR: taken by the one task that assembles the point
FINALIZED = "finalized.json"  # in TASKS_DIR: the point is assembled from this run's tasks
ORDER_KEY = "sweep.order"  # the point's place in the command line's grid (set by ccsim)
TASK_KEYS = ("sweep.task", "sweep.tasks", ORDER_KEY)  # not part of a point's identity
# keys that do not change replication r's numbers: resuming with other values keeps it
NOT_IN_REP_KEY = ("n_reps", "n_jobs", "confidence", "sweep")
NOT_IN_REP_KEY_OUTPUT = ("progress", "report")
LOSE_WORKER_ENV = "CCSIM_TEST_LOSE_WORKER"  # fault injection for the tests, see lose_worker


def task_weight(task: int, tasks: int) -> int:
    """Task ``task``'s weight in its point's split: (tasks - task) squared."""
    return (tasks - task) ** 2


def task_reps(task: int, tasks: int, n_reps: int) -> range:
    """Task ``task``'s share of a point's replications, contiguous. Largest first, in
    sizes proportional to tasks², (tasks - 1)², ..., 1, when that still gives every task
    one replication: the launchers hand out every point's task 0 first and the last tasks
    last, so a sweep ends on its smallest tasks and its workers finish nearly together.
    (Equal tasks left one of joblib's 2 workers 4.6-5.7 s idle at the end of 4 points x 25
    telecom10000 replications; linear weights, 16 + 9 replications, still did: the last
    wave's tasks are the most one worker can end behind the other.) Otherwise balanced
    (sizes differ by at most one; with more tasks than replications some are empty): one
    task per replication stays one per replication."""
    weights = [task_weight(t, tasks) for t in range(tasks)]
    total = sum(weights)
    if tasks > 1 and n_reps >= total:
        before = sum(weights[:task])
        return range(n_reps * before // total, n_reps * (before + weights[task]) // total)
    return range(task * n_reps // tasks, (task + 1) * n_reps // tasks)


def point_overrides(overrides: list[str]) -> list[str]:
    """The point's own overrides (the task keys say which unit of work, not which point)."""
    return [o for o in overrides if o.lstrip("+~").partition("=")[0] not in TASK_KEYS]


def rep_key(written: dict) -> str:
    """Fingerprint of everything that decides replication r's numbers and files."""
    cfg = {k: v for k, v in written.items() if k not in NOT_IN_REP_KEY and k != "hydra"}
    if isinstance(cfg.get("output"), dict):
        cfg["output"] = {k: v for k, v in cfg["output"].items()
                         if k not in NOT_IN_REP_KEY_OUTPUT}
    text = json.dumps(cfg, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _json_default(o):
    import numpy as np

    if isinstance(o, np.generic):
        return o.item()
    raise TypeError(type(o).__name__)


def write_json(path: Path, data: dict) -> None:
    """Atomic: a reader (collection, another task's resume) sees all of it or nothing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=1, default=_json_default) + "\n")
    os.replace(tmp, path)


def read_json(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def rep_file(point_dir: Path, rep: int, suffix: str = "json") -> Path:
    return point_dir / REPS_DIR / f"rep_{rep:04d}.{suffix}"


def rep_done(point_dir: Path, rep: int, key: str) -> bool:
    rec = read_json(rep_file(point_dir, rep))
    return bool(rec and rec.get("status") == "ok" and rec.get("key") == key
                and all(rep_file(point_dir, rep, f"{n}.parquet").exists()
                        for n in rec.get("files", [])))


def _attempt(point_dir: Path, rep: int, task: int) -> int:
    """Record a start of replication ``rep``; returns which attempt this is (1 = first)."""
    path = rep_file(point_dir, rep, "attempts")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as f:
        f.write(json.dumps({"task": task, "host": socket.gethostname(), "pid": os.getpid(),
                            "time": time.time()}) + "\n")
    return attempts(point_dir, rep)


def attempts(point_dir: Path, rep: int) -> int:
    try:
        return len(rep_file(point_dir, rep, "attempts").read_text().splitlines())
    except OSError:
        return 0


def lose_worker(point_dir: Path, rep: int) -> None:
    """Fault injection for the tests (``CCSIM_TEST_LOSE_WORKER=FILE``): the first task to
    start a replication while FILE does not exist creates it and kills its own process,
    as a lost node would (no exception, no record: only the attempt line is left)."""
    marker = os.environ.get(LOSE_WORKER_ENV)
    if not marker:
        return
    try:
        fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return
    os.write(fd, f"{point_dir.name} rep {rep} pid {os.getpid()}\n".encode())
    os.close(fd)
    import signal

    os.kill(os.getpid(), signal.SIGKILL)


def task_index(plain: dict | None, overrides: list[str]) -> tuple[int, int]:
    """(task, tasks) of this job: from the config, else from its overrides."""
    sweep = (plain or {}).get("sweep") or {}
    if "task" in sweep and "tasks" in sweep:
        return int(sweep["task"]), int(sweep["tasks"])
    ov = {o.lstrip("+~").partition("=")[0]: o.partition("=")[2] for o in overrides}
    try:
        return int(ov.get("sweep.task", 0)), int(ov.get("sweep.tasks", 1))
    except ValueError:
        return 0, 1


def point_order(plain: dict | None, overrides: list[str]) -> int | None:
    """The job's point's place in the command line's grid (``sweep.order``, set by ccsim
    when the launcher runs the jobs in another order, sim.sweep_cluster.dearest_first):
    from the config, else from its overrides; None when not set."""
    order = ((plain or {}).get("sweep") or {}).get("order")
    if order is None:
        ov = {o.lstrip("+~").partition("=")[0]: o.partition("=")[2] for o in overrides}
        order = ov.get(ORDER_KEY)
    try:
        return None if order in (None, "null") else int(order)
    except (TypeError, ValueError):
        return None


def task_file(point_dir: Path, task: int) -> Path:
    return point_dir / TASKS_DIR / f"task_{task:04d}.json"


def record_failed_task(point_dir: Path, overrides: list[str], message: str, job: int,
                       plain: dict | None = None) -> None:
    """A task that failed before running any replication (bad config, bad policy)."""
    task, tasks = task_index(plain, overrides)
    write_json(task_file(point_dir, task), {
        "task": task, "tasks": tasks, "job": job, "order": point_order(plain, overrides),
        "overrides": point_overrides(overrides), "status": "failed",
        "error": " ".join(message.split()), "host": socket.gethostname()})


def run_task(plain: dict, written: dict, point_dir: Path, overrides: list[str],
             job: int) -> dict:
    """Run this task's replications of the point that are not done yet; record each one
    and the task. A ConfigError propagates (the caller records it as bad input)."""
    import dataclasses

    from sim.config import build_model_spec, build_run_spec
    from sim.fast.engine import resolve_engine
    from sim.runner import load_policy, resolved_yaml, summary_header

    task, tasks = task_index(plain, overrides)
    spec = build_model_spec(plain["scenario"])
    run = build_run_spec(plain)
    policy_cls = load_policy(plain.get("policy") or {}, tuple(plain.get("policy_packages") or ()))
    policy_cls.check(spec)
    run = dataclasses.replace(run, engine=resolve_engine(run.engine, spec, policy_cls))
    key = rep_key(written)
    reps = task_reps(task, tasks, run.n_reps)
    todo = [r for r in reps if not rep_done(point_dir, r, key)]
    record: dict[str, Any] = {
        "task": task, "tasks": tasks, "job": job, "order": point_order(plain, overrides),
        "overrides": point_overrides(overrides),
        "reps": [reps.start, reps.stop], "key": key,
        "header": summary_header(spec, run, policy_cls),
        "run": dataclasses.asdict(run), "config": resolved_yaml(_without_task(written)),
        "host": socket.gethostname()}
    t0 = time.perf_counter()
    outcomes = _run_reps(spec, run, policy_cls, point_dir, todo, key, task)
    failed = [o for o in outcomes if o["status"] != "ok"]
    record.update(status="failed" if failed else "ok",
                  error=failed[0]["error"] if failed else None, ran=todo,
                  skipped=len(reps) - len(todo), seconds=time.perf_counter() - t0)
    write_json(task_file(point_dir, task), record)
    finalize_when_complete(point_dir, tasks)
    return record


def finalize_when_complete(point_dir: Path, tasks: int) -> None:
    """Assemble the point here if every one of its tasks has recorded its outcome: the
    task that finishes a point last does it in its own worker, in parallel with the other
    points' tasks, instead of the launching process doing every point at the end. Two
    tasks finishing together both see every record; the lock file lets one of them do it."""
    tasks_dir = point_dir / TASKS_DIR
    if len(list(tasks_dir.glob("task_*.json"))) < tasks:
        return
    try:
        os.close(os.open(tasks_dir / FINALIZING, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return
    try:
        info = finalize_point(point_dir)
    except Exception:  # noqa: BLE001 - collection assembles it again and says what failed
        return
    if info is not None:
        write_json(tasks_dir / FINALIZED, {"status": info["status"], "pid": os.getpid(),
                                           "host": socket.gethostname()})


def finalized(point_dir: Path) -> bool:
    """Assembled by one of this run's tasks (the markers are cleared when a run starts)."""
    return (point_dir / TASKS_DIR / FINALIZED).exists()


def _without_task(written: dict) -> dict:
    sweep = {k: v for k, v in (written.get("sweep") or {}).items()
             if k not in ("task", "tasks", "order")}
    return {**written, "sweep": sweep}


def _run_reps(spec, run, policy_cls, point_dir: Path, todo: list[int], key: str,
              task: int) -> list[dict]:
    """The replications in this process, or in ``n_jobs`` processes (same numbers)."""
    args = [(spec, run, policy_cls, str(point_dir), r, key, task) for r in todo]
    if run.n_jobs > 1 and len(todo) > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(min(run.n_jobs, len(todo)),
                                 mp_context=multiprocessing.get_context("spawn")) as pool:
            return list(pool.map(_one_rep, args))
    return [_one_rep(a) for a in args]


def _one_rep(args) -> dict:
    """Replication ``rep``: its KPIs, totals and tables go to its own files, then its
    record (last, atomically: a record means every file is complete)."""
    from sim.runner import CallFile, replicate

    spec, run, policy_cls, point_dir, rep, key, task = args
    point_dir = Path(point_dir)
    attempt = _attempt(point_dir, rep, task)
    lose_worker(point_dir, rep)
    t0, cpu0 = time.perf_counter(), time.process_time()
    from sim.sweep_worker import warm_cpu, warmed

    record = {"rep": rep, "key": key, "task": task, "attempt": attempt,
              "host": socket.gethostname(), "pid": os.getpid(), "warmed": warmed(),
              "warm_cpu_seconds": warm_cpu()}
    calls = rep_file(point_dir, rep, "calls.parquet") if run.write_calls else None
    sink = CallFile(calls, spec) if calls is not None else None
    if sink is not None:
        sink.rep = rep
    try:
        try:
            out = replicate(spec, policy_cls, run.seed, rep, run.write_intervals, sink,
                            engine=run.engine)
        finally:
            if sink is not None:
                sink.close()
        files = []
        for name, frame in out.frames.items():
            frame.to_parquet(rep_file(point_dir, rep, f"{name}.parquet"), index=False)
            files.append(name)
        if calls is not None and calls.exists():
            files.append("calls")
        record.update(status="ok", error=None, kpis=out.kpis, totals=out.totals, files=files)
    except Exception as exc:  # one replication's crash must not lose the others
        record.update(status="failed", error=f"replication {rep}: {type(exc).__name__}: "
                                             f"{' '.join(str(exc).split())}")
        print(f"ccsim: error: {point_dir.name}: {record['error']}", file=sys.stderr)
    record["seconds"] = time.perf_counter() - t0
    record["cpu_seconds"] = time.process_time() - cpu0  # this process's: less load-bound
    write_json(rep_file(point_dir, rep), record)
    return record


def finalize_point(point_dir: Path) -> dict | None:
    """Assemble a point from its task and replication records: its outputs when every
    replication is done, and ``point.json`` (status ok, failed or incomplete; retries).
    None when the directory holds no task record (not a point of this kind)."""
    records = [r for p in sorted((point_dir / TASKS_DIR).glob("task_*.json"))
               if (r := read_json(p)) is not None]
    if not records:
        return None
    job = min(int(r.get("job", 0)) for r in records)
    orders = [r["order"] for r in records if r.get("order") is not None]
    overrides = records[0]["overrides"]
    info: dict = {"overrides": overrides, "job": job, "order": min(orders) if orders else None}
    bad = [r for r in records if r.get("status") == "failed" and "header" not in r]
    if bad:  # the point's config is bad: no replication could run
        return _write_point(point_dir, {**info, "status": "failed", "error": bad[0]["error"]})
    first = records[0]
    header, run, key = first["header"], first["run"], first["key"]
    n = int(header["n_reps"])
    reps = [read_json(rep_file(point_dir, r)) for r in range(n)]
    reps = [r if r is not None and r.get("key") == key else None for r in reps]
    retries = {r: a - 1 for r in range(n) if (a := attempts(point_dir, r)) > 1}
    info.update(n_reps=n, key=key, retries=sum(retries.values()),
                retried_reps=sorted(retries), tasks=int(first["tasks"]),
                hosts=sorted({r["host"] for r in reps if r is not None}),
                seconds=sum(r.get("seconds", 0.0) for r in reps if r is not None))
    failed = [r for r in reps if r is not None and r["status"] != "ok"]
    missing = [i for i, r in enumerate(reps) if r is None]
    if failed:
        return _write_point(point_dir, {**info, "status": "failed", "error": failed[0]["error"],
                                        "failed_reps": [r["rep"] for r in failed],
                                        "missing_reps": missing})
    if missing:
        return _write_point(point_dir, {**info, "status": "incomplete", "missing_reps": missing,
                                        "error": f"replications {_ranges(missing)} never "
                                                 f"finished (a lost worker or an interrupted "
                                                 f"run): rerun the sweep to resume them"})
    old = read_json(point_dir / "point.json")
    ran = any(r.get("ran") for r in records)  # replications computed in this run
    if ran or not (old and old.get("status") == "ok" and old.get("key") == key
            and old.get("n_reps") == n and (point_dir / "summary.json").exists()
            and _frozen(old) == _frozen(info)):
        _write_outputs(point_dir, header, run, first["config"], reps)
    return _write_point(point_dir, {**info, "status": "ok", "error": None})


def _frozen(info: dict) -> tuple:
    return tuple(info.get(k) for k in ("n_reps", "key", "overrides", "job"))


def _write_point(point_dir: Path, info: dict) -> dict:
    write_json(point_dir / "point.json", info)
    return info


def _ranges(reps: list[int]) -> str:
    return ", ".join(str(r) for r in reps[:10]) + (" ..." if len(reps) > 10 else "")


def _write_outputs(point_dir: Path, header: dict, run: dict, config: str,
                   reps: list) -> None:
    """The point's outputs from its replication records, as a plain run writes them."""
    import pandas as pd

    from sim.config import RunSpec
    from sim.runner import RepOutput, run_result, write_outputs

    outs = []
    for rec in reps:
        frames = {name: pd.read_parquet(rep_file(point_dir, rec["rep"], f"{name}.parquet"))
                  for name in rec.get("files", []) if name != "calls"}
        outs.append(RepOutput(rec["totals"], _floats(rec["kpis"]), frames))
    spec = RunSpec(**run)
    result = run_result(header, outs, spec)
    write_outputs(result, point_dir, spec, None)
    (point_dir / "resolved_config.yaml").write_text(config)
    calls = [rep_file(point_dir, rec["rep"], "calls.parquet") for rec in reps
             if "calls" in rec.get("files", [])]
    if spec.write_calls:
        _concat_parquet(calls, point_dir / "calls.parquet")


def _floats(kpis):
    """JSON keeps NaN as NaN and every float's exact value; None back to NaN."""
    if isinstance(kpis, dict):
        return {k: _floats(v) for k, v in kpis.items()}
    return math.nan if kpis is None else kpis


def _concat_parquet(parts: list[Path], target: Path) -> None:
    """The replications' call files in replication order, one file (parts are kept: a
    later resume with more replications reuses them)."""
    import pyarrow.parquet as pq

    target.unlink(missing_ok=True)
    writer = None
    try:
        for part in parts:
            table = pq.read_table(part)
            writer = writer or pq.ParquetWriter(target, table.schema)
            writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()
