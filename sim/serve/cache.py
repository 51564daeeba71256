"""The baseline cache: a what-if run against the same baseline as an earlier one (same
scenario, seed, replications, policy: the same resolved run config) reuses that baseline's
replications instead of simulating them again.

An entry is ``OUT/cache/KEY/``: the baseline point's run outputs (summary.json,
replications.csv, the interval tables, resolved_config.yaml) and ``entry.json``. KEY hashes
the baseline's resolved run config together with the simulator's own files (``sim/``), so
a changed model never serves old numbers. Same config and seed give bit-identical outputs
(the project's reproducibility rule), so a copied entry is exactly what simulating again
would write. An entry is written to a temporary folder and renamed into place: a reader
sees a whole entry or none, and of two workers finishing the same baseline at once the
first rename wins. Job folders get copies, never links: no job shares a file with another.
"""

from __future__ import annotations

import functools
import hashlib
import json
import secrets
import shutil
import time
from collections.abc import Mapping
from pathlib import Path

ENTRY = "entry.json"
REUSE_FILE = "baseline.json"  # in a job folder: which entry, reused or stored


@functools.cache
def code_fingerprint() -> str:
    """Hash of every file of the simulator package (sources and shipped data)."""
    import sim

    root = Path(sim.__file__).resolve().parent
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file() and "__pycache__" not in p.parts:
            h.update(str(p.relative_to(root)).encode())
            h.update(p.read_bytes())
    return h.hexdigest()


def key(run_cfg: Mapping) -> str:
    """The cache key of a point's resolved run config (seed and n_reps are keys of it)."""
    text = json.dumps({"config": run_cfg, "code": code_fingerprint()}, sort_keys=True,
                      default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def restore(cache_dir: Path, k: str, point: Path) -> dict | None:
    """Copy entry ``k`` into the (new) point folder; its entry.json, or None on a miss."""
    entry = cache_dir / k
    try:
        meta = json.loads((entry / ENTRY).read_text())
    except (OSError, ValueError):
        return None
    if not (entry / "summary.json").is_file():
        return None
    shutil.copytree(entry, point, ignore=shutil.ignore_patterns(ENTRY))
    return meta


def store(cache_dir: Path, k: str, point: Path, job: str) -> bool:
    """Publish a simulated point as entry ``k``; False when another worker already did."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    if (cache_dir / k).exists():
        return False
    tmp = cache_dir / f".{k}.{secrets.token_hex(4)}.tmp"
    shutil.copytree(point, tmp)
    (tmp / ENTRY).write_text(json.dumps({"key": k, "job": job,
                                         "stored": time.strftime("%Y-%m-%d %H:%M:%S")}))
    try:
        tmp.rename(cache_dir / k)
    except OSError:  # the same baseline finished first in another worker
        shutil.rmtree(tmp, ignore_errors=True)
        return False
    return True


def reuse_info(job_folder: Path) -> dict | None:
    """A job's baseline.json: the entry's key, reused or not, the job that first ran it."""
    try:
        return json.loads((job_folder / REUSE_FILE).read_text())
    except (OSError, ValueError):
        return None


def reuse_note(job_folder: Path) -> str | None:
    """One line for the page: was the job's baseline reused or simulated (and cached)?"""
    info = reuse_info(job_folder)
    if info is None:
        return None
    if info.get("reused"):
        return (f"Baseline reused from the cache (key {info['key'][:12]}, first run in job "
                f"{info.get('from_job')}): the same scenario, seed, replications and policy, "
                "so its replications were not simulated again.")
    return (f"Baseline simulated and cached (key {info['key'][:12]}): a what-if against the "
            "same baseline reuses it.")
