"""KPIs from a replication's accumulators, and their confidence intervals over replications.

Definitions (the documented contract):
- ``asked``: calls that asked for an agent (entered a skill queue);
- ``answer_rate`` = answered / asked; ``abandon_rate`` = abandoned / asked;
- ``service_level`` = answered within ``service_level_s`` / asked (abandoned included);
- ``asa_s``: mean wait of answered calls; ``mean_wait_s``: mean wait of all who asked;
- ``p_wait``: share of those who asked that were not answered at once;
- ``aht_s``: mean talk + after-call work of answered calls;
- ``occupancy``: agent-seconds busy / agent-seconds logged in;
- ``cost_per_call``: staffed cost / answered calls.
Only intervals after the warm-up count.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from sim.model.spec import ModelSpec
from sim.records import Recorder

COUNTS = ("offered", "asked", "answered", "abandoned", "disconnected", "self_served",
          "blocked")
OUTCOME_COUNTS = ("answered", "abandoned", "disconnected", "self_served", "blocked")


def _div(a: float, b: float) -> float:
    return float(a / b) if b else math.nan


def call_kpis(s: Mapping[str, float]) -> dict[str, float]:
    """KPIs from summed call fields (any slice: overall, one class, one interval)."""
    out = {k: float(s[k]) for k in COUNTS}
    out.update(
        answer_rate=_div(s["answered"], s["asked"]),
        abandon_rate=_div(s["abandoned"], s["asked"]),
        disconnect_rate=_div(s["disconnected"], s["asked"]),
        service_level=_div(s["answered_in_sl"], s["asked"]),
        p_wait=_div(s["asked"] - s["answered_no_wait"], s["asked"]),
        asa_s=_div(s["wait_answered_s"], s["answered"]),
        mean_wait_s=_div(s["wait_queued_s"], s["asked"]),
        aht_s=_div(s["talk_s"] + s["acw_s"], s["answered"]),
        talk_s=_div(s["talk_s"], s["answered"]),
    )
    return out


def replication_kpis(rec: Recorder, spec: ModelSpec) -> dict[str, dict[str, dict[str, float]]]:
    """One replication's KPIs: ``{"overall": {...}, "by_class": {..}, "by_group": {..}}``."""
    w = slice(spec.warmup_intervals, None)
    by_class = {c.name: call_kpis({f: a[c.index, w].sum() for f, a in rec.calls.items()})
                for c in spec.classes}
    overall = call_kpis({f: a[:, w].sum() for f, a in rec.calls.items()})
    busy = rec.group_busy_s[:, w].sum(axis=1)
    staffed = rec.group_staffed_s[:, w].sum(axis=1)
    cost = np.array([g.cost_per_hour for g in spec.groups]) * staffed / 3600
    by_group = {}
    for g in spec.groups:
        answered = rec.group_answered[g.index, w].sum()
        by_group[g.name] = {
            "answered": float(answered),
            "aht_s": _div(rec.group_handle_s[g.index, w].sum(), answered),
            "occupancy": _div(busy[g.index], staffed[g.index]),
            "staffed_hours": float(staffed[g.index] / 3600),
            "busy_hours": float(busy[g.index] / 3600),
            "cost": float(cost[g.index]),
        }
    horizon = (spec.n_intervals - spec.warmup_intervals) * spec.interval_s
    overall.update(
        occupancy=_div(busy.sum(), staffed.sum()),
        staffed_hours=float(staffed.sum() / 3600),
        cost=float(cost.sum()),
        cost_per_call=_div(cost.sum(), overall["answered"]),
        mean_queue_length=float(rec.queue_area[:, w].sum() / horizon),
    )
    return {"overall": overall, "by_class": by_class, "by_group": by_group}


def check_conservation(rec: Recorder) -> dict[str, int]:
    """Every call ends in exactly one outcome: offered = sum of outcomes, per class."""
    per_class = {f: rec.calls[f].sum(axis=1) for f in ("offered", *OUTCOME_COUNTS)}
    ended = sum(per_class[f] for f in OUTCOME_COUNTS)
    if not np.array_equal(per_class["offered"], ended):
        raise RuntimeError(f"conservation violated: offered {per_class['offered']} != "
                           f"sum of outcomes {ended}")
    return {f: int(v.sum()) for f, v in per_class.items()}


def t_interval(values: list[float], confidence: float) -> dict[str, float | None]:
    """Mean and t-based confidence interval over replications (half-width None for n=1)."""
    x = np.asarray([v for v in values if not math.isnan(v)], dtype=float)
    if not len(x):
        return {"mean": None, "half_width": None, "low": None, "high": None, "n": 0}
    mean = float(x.mean())
    if len(x) < 2:
        return {"mean": mean, "half_width": None, "low": None, "high": None, "n": len(x)}
    from scipy.stats import t

    hw = float(t.ppf((1 + confidence) / 2, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x)))
    return {"mean": mean, "half_width": hw, "low": mean - hw, "high": mean + hw, "n": len(x)}


def aggregate(reps: list[dict], confidence: float) -> dict:
    """Combine per-replication KPI dicts into mean/half-width per KPI, same nesting."""
    first = reps[0]
    out: dict = {"overall": {}, "by_class": {}, "by_group": {}}
    for k in first["overall"]:
        out["overall"][k] = t_interval([r["overall"][k] for r in reps], confidence)
    for scope in ("by_class", "by_group"):
        for name, kpis in first[scope].items():
            out[scope][name] = {k: t_interval([r[scope][name][k] for r in reps], confidence)
                                for k in kpis}
    return out
