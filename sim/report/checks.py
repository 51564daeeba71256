"""Warnings a report shows before its numbers: what a reader should not over-trust."""

from __future__ import annotations

import math

from sim.report.data import RunData, label

OVERLOAD_OCCUPANCY = 0.98   # a group this busy in an interval has no slack left
LOW_ANSWER_RATE = 0.80      # an interval answering fewer calls than this is flagged
WIDE_CI = 0.05              # a rate's half-width above 5 points is too wide to act on
GOAL_CI = 0.02              # the half-width a reader usually wants


def clock(start_s: float) -> str:
    day, s = divmod(int(start_s), 86400)
    prefix = f"day {day + 1} " if day else ""
    return f"{prefix}{s // 3600:02d}:{s % 3600 // 60:02d}"


def _spans(starts: list[float]) -> str:
    shown = ", ".join(clock(s) for s in starts[:6])
    return shown + (f" and {len(starts) - 6} more" if len(starts) > 6 else "")


def run_warnings(run: RunData) -> list[str]:
    out = _replication_warnings(run) + _overload_warnings(run)
    cons = run.summary.get("conservation") or {}
    if cons:
        parts = sum(v for k, v in cons.items() if k != "offered")
        if parts != cons.get("offered"):
            out.append(f"Calls not accounted for: offered {cons.get('offered')} but outcomes "
                       f"sum to {parts}.")
    return out


def _replication_warnings(run: RunData) -> list[str]:
    n = int(run.summary.get("n_reps", 1))
    if n < 2:
        return ["One replication only: the figures carry no confidence interval. Run with "
                "n_reps=5 or more before acting on a difference."]
    wide = []
    scopes = [("overall", None)] + [("by_tier", t) for t in run.summary.get("by_tier", {})]
    for scope, name in scopes:
        for kpi in ("service_level", "answer_rate"):
            hw = run.kpi(kpi, scope, name).get("half_width")
            if hw is not None and not math.isnan(hw) and hw > WIDE_CI:
                wide.append((hw, f"{label(name) + ' ' if name else ''}"
                                 f"{kpi.replace('_', ' ')} ±{100 * hw:.1f} points"))
    if not wide:
        return []
    wide.sort(reverse=True)
    need = math.ceil(n * (wide[0][0] / GOAL_CI) ** 2)
    return [f"Too few replications for a tight CI (n_reps={n}): "
            + "; ".join(w for _, w in wide[:4]) + (f" and {len(wide) - 4} more" if len(wide) > 4
                                                   else "")
            + f". About {need} replications would give ±{100 * GOAL_CI:.0f} points."]


def overloaded_intervals(run: RunData) -> dict[str, tuple[list[float], int]]:
    """Per group: start times of its overloaded intervals (mean occupancy over replications
    ≥ 98 %) and how many intervals it was open (scheduled: headcount > 0)."""
    g = run.table("groups_intervals")
    if g is None:
        return {}
    # only scheduled intervals: after closing, an agent finishing a call is not overload
    open_ = g[g["headcount"] > 0]
    occ = open_.groupby(["group", "start_s"], sort=False)["occupancy"].mean()
    out = {}
    for group, s in occ.groupby(level=0, sort=False):
        over = s[s >= OVERLOAD_OCCUPANCY]
        out[group] = ([float(x) for x in over.index.get_level_values(1)], len(s))
    return out


def _overload_warnings(run: RunData) -> list[str]:
    out = []
    for group, (starts, _) in overloaded_intervals(run).items():
        if starts:
            out.append(f"Overloaded interval: {label(group)} occupancy ≥ "
                       f"{OVERLOAD_OCCUPANCY:.0%} in {len(starts)} interval(s) starting "
                       f"{_spans(starts)}.")
    iv = run.table("intervals", ["start_s", "class", "asked", "answered"])
    if iv is not None:  # the all-classes rows, summed over replications
        tot = iv[iv["class"] == "ALL"].groupby("start_s")[["asked", "answered"]].sum()
        low = tot[(tot["asked"] > 0) & (tot["answered"] < LOW_ANSWER_RATE * tot["asked"])]
        if len(low):
            out.append(f"Answer rate below {LOW_ANSWER_RATE:.0%} in {len(low)} interval(s) "
                       f"starting {_spans([float(x) for x in low.index])}.")
    return out
