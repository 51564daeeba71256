"""A stand-in for SLURM's sbatch, srun, sacct and scancel on one machine, so the
``submitit_slurm`` launcher's real code path (sbatch script with the user's partition,
time and memory keys, job arrays, srun, sacct polling) runs in the tests.

It is not a scheduler: ``sbatch`` runs an array's tasks as local processes, at most the
array's ``%P`` at once, and records each task's state where ``sacct`` reads it
(``FAKE_SLURM_ALWAYS_COMPLETED=1``: COMPLETED even when it failed, as SLURM may show a
failed submitit job). Every
submission's script is kept (``$FAKE_SLURM_SPOOL/JOBID.sbatch``) for the tests to read.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

SPOOL = Path(os.environ.get("FAKE_SLURM_SPOOL", "/tmp/fake_slurm"))


def _next_job_id() -> int:
    SPOOL.mkdir(parents=True, exist_ok=True)
    counter = SPOOL / "next_id"
    job_id = int(counter.read_text()) if counter.exists() else 1000
    counter.write_text(str(job_id + 1))
    return job_id


def _directives(script: str) -> dict[str, str]:
    out = {}
    for line in script.splitlines():
        m = re.match(r"#SBATCH\s+--([\w-]+)(?:=(.*))?", line)
        if m:
            out[m.group(1)] = (m.group(2) or "").strip()
    return out


def _state(job_id: str, index: int, state: str) -> None:
    """Atomic (written aside, then renamed): a ``sacct`` poll reading the file while it
    is rewritten would see an empty state, a race a loaded machine makes likely."""
    path = SPOOL / f"{job_id}_{index}.state"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(state)
    os.replace(tmp, path)


def sbatch(args: list[str]) -> int:
    path = Path(args[-1])
    script = path.read_text()
    job_id = _next_job_id()
    (SPOOL / f"{job_id}.sbatch").write_text(script)
    opts = _directives(script)
    array = opts.get("array", "0-0")
    m = re.fullmatch(r"(\d+)-(\d+)(?:%(\d+))?", array)
    if not m:
        print(f"sbatch: error: unsupported --array={array}", file=sys.stderr)
        return 1
    first, last, limit = int(m.group(1)), int(m.group(2)), int(m.group(3) or 1 << 30)
    for i in range(first, last + 1):
        _state(str(job_id), i, "PENDING")
    # run the array detached, as a scheduler would, and answer at once
    subprocess.Popen([sys.executable, __file__, "_run", str(job_id), str(path), str(first),
                      str(last), str(limit)], start_new_session=True,
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    print(f"Submitted batch job {job_id}")
    return 0


def _submitted(path: str, job_id: str, index: int, patience_s: float = 60.0) -> bool:
    """The task's job file is in place: submitit writes it only once ``sbatch`` has
    answered, so a task started at once on a loaded machine found none and failed (a
    real scheduler keeps it pending longer). False while it is missing, for at most
    ``patience_s`` from the first ask (then True: the task runs and fails as it would)."""
    folder = next((t for t in Path(path).read_text().split() if "%j" in t), None)
    if folder is None:
        return True
    task = f"{job_id}_{index}"
    if (Path(folder.replace("%j", task)) / f"{task}_submitted.pkl").exists():
        return True
    first = _ASKED.setdefault(task, time.monotonic())
    return time.monotonic() - first > patience_s


_ASKED: dict[str, float] = {}


def _run(job_id: str, path: str, first: int, last: int, limit: int) -> int:
    running: dict[int, subprocess.Popen] = {}
    todo = list(range(first, last + 1))
    while todo or running:
        while todo and len(running) < limit and _submitted(path, job_id, todo[0]):
            i = todo.pop(0)
            env = {**os.environ, "SLURM_JOB_ID": f"{job_id}{i:04d}", "SLURM_ARRAY_JOB_ID": job_id,
                   "SLURM_ARRAY_TASK_ID": str(i), "SLURM_NTASKS": "1", "SLURM_PROCID": "0",
                   "SLURM_LOCALID": "0", "SLURM_NODEID": "0", "SLURM_JOB_NUM_NODES": "1",
                   "SLURM_JOB_NODELIST": "localhost"}
            _state(job_id, i, "RUNNING")
            running[i] = subprocess.Popen(["bash", path], env=env)
        for i, proc in list(running.items()):
            if proc.poll() is not None:
                ok = proc.returncode == 0 or os.environ.get("FAKE_SLURM_ALWAYS_COMPLETED")
                _state(job_id, i, "COMPLETED" if ok else "FAILED")
                del running[i]
        time.sleep(0.2)
    return 0


def _expand(pattern: str) -> str:
    env = os.environ
    return (pattern.replace("%A", env.get("SLURM_ARRAY_JOB_ID", env.get("SLURM_JOB_ID", "")))
            .replace("%a", env.get("SLURM_ARRAY_TASK_ID", "0"))
            .replace("%j", env.get("SLURM_JOB_ID", "")).replace("%t", "0"))


def srun(args: list[str]) -> int:
    out = err = None
    while args and args[0].startswith("-"):
        flag = args.pop(0)
        if flag in ("--output", "-o"):
            out = _expand(args.pop(0))
        elif flag in ("--error", "-e"):
            err = _expand(args.pop(0))
    with open(out or os.devnull, "a") as o, open(err or out or os.devnull, "a") as e:
        return subprocess.call(args, stdout=o, stderr=e)


def sacct(args: list[str]) -> int:
    ids = [args[i + 1] for i, a in enumerate(args) if a == "-j"]
    print("JobID|State|NodeList")
    for job_id in ids:
        for f in sorted(SPOOL.glob(f"{job_id}_*.state")):
            print(f"{f.stem}|{f.read_text()}|localhost")
    return 0


def main() -> int:
    tool, args = sys.argv[1], sys.argv[2:]
    if tool == "_run":
        return _run(args[0], args[1], int(args[2]), int(args[3]), int(args[4]))
    return {"sbatch": sbatch, "srun": srun, "sacct": sacct}.get(tool, lambda a: 0)(args)


if __name__ == "__main__":
    sys.exit(main())
