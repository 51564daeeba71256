"""Baseline files: the per-replication KPIs of a previous version, for paired comparisons.

A baseline holds every KPI of every replication (seed, scenario, ccsim version, config
hash alongside). Comparing against it runs the same seed and replication indices, so
replication i of both versions saw the same callers (common random numbers) and the
difference per replication is free of most of the noise.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from sim.check.decide import Check
from sim.check.spec import SLAError, SLASpec, better, target_id

FORMAT = "ccsim-check-baseline"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class Baseline:
    path: str
    meta: dict
    reps: list[dict]


def save(path: Path, meta: Mapping, reps: Sequence[Mapping]) -> None:
    """Write a baseline (NaN stored as null, so the file is standard JSON)."""
    doc = {"format": FORMAT, "format_version": FORMAT_VERSION, **meta,
           "n_reps": len(reps), "replications": [_clean(r) for r in reps]}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, separators=(",", ":"), allow_nan=False) + "\n")


def _clean(node):
    if isinstance(node, Mapping):
        return {str(k): _clean(v) for k, v in node.items()}
    if isinstance(node, float) and not math.isfinite(node):
        return None
    if hasattr(node, "item"):  # numpy scalar
        return _clean(node.item())
    return node


def load(path: Path) -> Baseline:
    """Read a baseline file; anything that is not one is bad input (one line)."""
    try:
        doc = json.loads(path.read_text())
    except OSError as exc:
        raise SLAError(f"--baseline {path}: cannot read: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise SLAError(f"--baseline {path}: not JSON: {exc}") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise SLAError(f"--baseline {path}: not a ccsim check baseline (format {FORMAT!r}); "
                       f"write one with ccsim check --save-baseline FILE")
    reps = doc.get("replications")
    if doc.get("format_version") != FORMAT_VERSION or not isinstance(reps, list) or not reps:
        raise SLAError(f"--baseline {path}: unsupported baseline (format_version "
                       f"{doc.get('format_version')!r}, allowed: {FORMAT_VERSION}) or no "
                       f"replications")
    meta = {k: v for k, v in doc.items() if k != "replications"}
    return Baseline(str(path), meta, reps)


def check_compatible(base: Baseline, seed: int, scenario: str, max_reps: int) -> None:
    """Refuse a baseline that cannot be paired with this run."""
    m = base.meta
    if m.get("seed") != seed:
        raise SLAError(f"--baseline {base.path}: saved with seed {m.get('seed')}, this run "
                       f"uses seed {seed}; allowed: seed={m.get('seed')} (pairs need the "
                       f"same random numbers)")
    if m.get("scenario") != scenario:
        raise SLAError(f"--baseline {base.path}: saved for scenario {m.get('scenario')!r}, "
                       f"this run is {scenario!r}")
    if len(base.reps) < max_reps:
        raise SLAError(f"--baseline {base.path}: holds {len(base.reps)} replications, this "
                       f"check may run {max_reps} (replications.max / --max-reps); allowed: "
                       f"--max-reps {len(base.reps)} or a baseline saved with this budget")


def comparisons(spec: SLASpec) -> list[Check]:
    """What a baseline run compares: every target (tolerance: its own, else
    ``baseline.tolerance[kpi]``, else 0), plus each ``baseline.tolerance`` KPI that no
    target names, in the overall scope."""
    out = []
    for t in spec.targets:
        tol = t.tolerance if t.tolerance is not None else spec.tolerance.get(t.kpi, 0.0)
        out.append(_check(t.id, t.key, t.higher_better, tol, spec.source, t.origin))
    named = {t.kpi for t in spec.targets}
    for kpi, tol in spec.tolerance.items():
        if kpi not in named:
            key = ("overall", None, kpi)
            out.append(_check(target_id(kpi, "overall", None), key, None, tol, spec.source,
                              f"baseline.tolerance.{kpi}"))
    return out


def _check(tid: str, key, higher: bool | None, tol: float, source: str, origin: str) -> Check:
    higher = better(key[2], higher, f"{source}: {origin}")
    return Check(f"{tid} vs baseline", "baseline", key, None, tol,
                 f"degradation <= {tol:g}", -1.0 if higher else 1.0)


def missing_keys(base: Baseline, checks: Sequence[Check]) -> list[str]:
    """Checks whose KPI the baseline does not hold (an older baseline, another scope)."""
    from sim.check.decide import has_key

    return [c.id for c in checks if not all(has_key(r, c.key) for r in base.reps)]
