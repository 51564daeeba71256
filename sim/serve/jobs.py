"""Running what-ifs off the request thread: a pool of worker processes, one folder per
browser session and job, progress and cancel through files in that folder.

A job's folder (``OUT/sessions/SESSION/JOB``) is a small sweep: ``0_baseline/`` and
``1_edited/`` hold each point's run outputs and ``point.json`` (override
``what_if=baseline|edited``), and ``sim.sweep.collect`` gathers them into
``sweep.parquet`` and ``sweep_differences.parquet`` — the paired differences of the
edited point against the baseline, replication by replication on the same seeds (common
random numbers). ``status.json`` says where the job is; a ``cancel`` file stops it at the
next replication. A baseline that ran before (the same resolved run config) is copied
from ``OUT/cache`` instead of simulated again (sim.serve.cache; ``baseline.json`` says
which). The worker is the only writer of its job folder, the session id is the
browser tab's own, so two tabs never share a folder.
"""

from __future__ import annotations

import json
import re
import secrets
import sys
import time
from pathlib import Path

SESSION_ID = re.compile(r"^[0-9a-f]{32}$")
JOB_ID = re.compile(r"^[0-9]{8}-[0-9]{6}-[0-9a-f]{6}$")
POINTS = ("baseline", "edited")
DONE = ("done", "failed", "cancelled")
PROGRESS_LINE = re.compile(r"replication (\d+)/(\d+) done")
CACHE_DIR = "cache"  # OUT/cache: baselines that ran (sim.serve.cache)


class Cancelled(Exception):
    """The user cancelled the job (raised at a replication boundary)."""


def new_session_id() -> str:
    return secrets.token_hex(16)


def job_dir(out_dir: Path, session: str, job: str) -> Path:
    """The folder of a job; refuses ids that are not the app's own (no path escapes)."""
    if not (SESSION_ID.match(str(session)) and JOB_ID.match(str(job))):
        raise ValueError("unknown session or job id")
    return out_dir / "sessions" / session / job


def read_status(folder: Path) -> dict:
    try:
        return json.loads((folder / "status.json").read_text())
    except (OSError, ValueError):
        return {"state": "queued", "done": 0, "total": 1, "message": "waiting for a worker"}


def _write_status(folder: Path, **status) -> None:
    tmp = folder / ".status.json.tmp"
    tmp.write_text(json.dumps(status))
    tmp.replace(folder / "status.json")  # atomic: the page never reads half a file


class _ProgressStream:
    """Stands in for stderr while a point runs: the runner prints one ``replication k/N
    done`` line per replication there (not a terminal); each line updates status.json,
    and a cancel file ends the run at that boundary."""

    def __init__(self, folder: Path, point: int, n_reps: int):
        self.folder, self.point, self.n_reps = folder, point, n_reps
        self.buffer = ""

    def isatty(self) -> bool:
        return False

    def flush(self) -> None:
        pass

    def write(self, text: str) -> int:
        self.buffer += text
        while "\n" in self.buffer:
            line, self.buffer = self.buffer.split("\n", 1)
            found = PROGRESS_LINE.search(line)
            if found:
                self.progress(int(found.group(1)))
        return len(text)

    def progress(self, reps_done: int) -> None:
        total = len(POINTS) * self.n_reps
        done = self.point * self.n_reps + reps_done
        _write_status(self.folder, state="running", done=done, total=total,
                      message=f"{POINTS[self.point]}: replication {reps_done}/{self.n_reps}")
        if (self.folder / "cancel").exists():
            raise Cancelled(f"at {POINTS[self.point]} replication {reps_done}/{self.n_reps}")


def run_job(folder: str, configs: list[dict], cache_dir: str | None = None) -> str:
    """A worker's job: the baseline (reused from ``cache_dir`` when it ran before), the
    edited point, the paired comparison. Returns the final state; never raises (a failure
    is one line in status.json)."""
    from sim.errors import ConfigError
    from sim.sweep import collect, write_point

    root = Path(folder)
    n_reps = int(configs[0].get("n_reps", 1))
    try:
        _baseline(root, configs[0], n_reps, Path(cache_dir) if cache_dir else None)
        write_point(root / f"0_{POINTS[0]}", [f"what_if={POINTS[0]}"], "ok", None, 0)
        _simulate_point(root, 1, configs[1], n_reps)
        write_point(root / f"1_{POINTS[1]}", [f"what_if={POINTS[1]}"], "ok", None, 1)
        _write_status(root, state="running", done=2 * n_reps, total=2 * n_reps,
                      message="comparing")
        collect(root, None, float(configs[0].get("confidence", 0.95)))
        _write_status(root, state="done", done=2 * n_reps, total=2 * n_reps,
                      message="done")
        return "done"
    except Cancelled as exc:
        _write_status(root, state="cancelled", done=0, total=1,
                      message=f"stopped {exc}; nothing compared")
        return "cancelled"
    except ConfigError as exc:
        _write_status(root, state="failed", done=0, total=1, message=" ".join(str(exc).split()))
        return "failed"
    except Exception as exc:  # one line for the page, never a traceback
        _write_status(root, state="failed", done=0, total=1,
                      message=f"the run failed: {type(exc).__name__}: "
                              f"{' '.join(str(exc).split())[:300]}")
        return "failed"


def _simulate_point(root: Path, i: int, cfg: dict, n_reps: int) -> Path:
    """Run point ``i`` into its folder, progress and cancel through the job folder."""
    from sim.runner import simulate

    point = root / f"{i}_{POINTS[i]}"
    stream = _ProgressStream(root, i, n_reps)
    stream.progress(0)
    err = sys.stderr
    sys.stderr = stream
    try:
        simulate(cfg, point, cfg)
    finally:
        sys.stderr = err
    return point


def _baseline(root: Path, cfg: dict, n_reps: int, cache_dir: Path | None) -> None:
    """The baseline point: copied from the cache when this very run config ran before,
    else simulated and then cached. ``baseline.json`` says which."""
    if cache_dir is None:
        _simulate_point(root, 0, cfg, n_reps)
        return
    from sim.serve import cache

    key = cache.key(cfg)
    point = root / f"0_{POINTS[0]}"
    hit = cache.restore(cache_dir, key, point)
    if hit is None:
        _simulate_point(root, 0, cfg, n_reps)
        cache.store(cache_dir, key, point, root.name)
    else:
        _write_status(root, state="running", done=n_reps, total=2 * n_reps,
                      message=f"baseline: {n_reps} replications reused from the cache")
    (root / cache.REUSE_FILE).write_text(json.dumps(
        {"key": key, "reused": hit is not None,
         "from_job": hit.get("job") if hit else root.name}))


def run_config(cfg: dict) -> dict:
    """What a point runs: the edited config with outputs a comparison needs (interval
    tables for occupancy over the day; no call file) and per-replication progress lines.
    None of these change the numbers."""
    out = dict(cfg)
    out["output"] = {**(cfg.get("output") or {}), "calls": False, "intervals": True,
                     "progress": True, "report": False}
    out["n_jobs"] = 1  # the pool runs jobs side by side; a job's replications in turn
    out.pop("hydra", None)
    return out


class Runner:
    """The worker pool and the jobs it holds (by session and job id)."""

    def __init__(self, out_dir: Path, workers: int = 2):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        self.out_dir = Path(out_dir)
        self.pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
        self.futures: dict[str, object] = {}

    def submit(self, session: str, baseline: dict, edited: dict) -> str:
        job = time.strftime("%Y%m%d-%H%M%S") + "-" + secrets.token_hex(3)
        folder = job_dir(self.out_dir, session, job)
        folder.mkdir(parents=True)
        n = int(edited.get("n_reps", 1))
        _write_status(folder, state="queued", done=0, total=2 * n,
                      message="waiting for a worker")
        self.futures[f"{session}/{job}"] = self.pool.submit(
            run_job, str(folder), [run_config(baseline), run_config(edited)],
            str(self.out_dir / CACHE_DIR))
        return job

    def submit_call(self, func, *args):
        """Any other work (the planner) in the pool."""
        return self.pool.submit(func, *args)

    def cancel(self, session: str, job: str) -> None:
        folder = job_dir(self.out_dir, session, job)
        fut = self.futures.get(f"{session}/{job}")
        if fut is not None and fut.cancel():  # type: ignore[attr-defined]
            _write_status(folder, state="cancelled", done=0, total=1,
                          message="stopped before a worker took it")
            return
        (folder / "cancel").touch()

    def status(self, session: str, job: str) -> dict:
        return read_status(job_dir(self.out_dir, session, job))

    def baseline_reused(self, session: str, job: str) -> bool:
        from sim.serve.cache import reuse_info

        return bool((reuse_info(job_dir(self.out_dir, session, job)) or {}).get("reused"))

    def close(self) -> None:
        """Stop the workers too (a running simulation included): none outlives the app."""
        procs = list((getattr(self.pool, "_processes", None) or {}).values())
        self.pool.shutdown(wait=False, cancel_futures=True)
        for p in procs:
            p.terminate()
