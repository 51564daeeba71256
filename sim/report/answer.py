"""The one-sentence answer on top of a run report: who misses their target, by how much,
and where the agents ran out — what a manager reads before any table."""

from __future__ import annotations

import math

from sim.report.checks import overloaded_intervals
from sim.report.data import RunData, label


def _names(items: list[str]) -> str:
    items = [label(x) for x in items]
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " and " + items[-1]


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _points(a: float, b: float) -> str:
    lo, hi = sorted((round(a), round(b)))
    return f"{lo} points" if lo == hi else f"{lo}–{hi} points"


def target_clause(run: RunData) -> str | None:
    """Tiers missing their service-level target (grouped by target), else that all meet."""
    missed: dict[float, list[tuple[str, float]]] = {}
    met = []
    for tier in run.summary.get("by_tier") or {}:
        target = run.kpi("sl_target", "by_tier", tier).get("mean")
        sl = run.kpi("service_level", "by_tier", tier).get("mean")
        if target is None or sl is None or math.isnan(target) or math.isnan(sl):
            continue
        if sl < target:
            missed.setdefault(target, []).append((tier, 100 * (target - sl)))
        else:
            met.append(tier)
    if not missed:
        return "every tier meets its service-level target" if met else None
    parts = []
    for target, tiers in missed.items():
        gaps = [g for _, g in tiers]
        verb = "misses its" if len(tiers) == 1 else "miss their"
        parts.append(f"{_names([t for t, _ in tiers])} callers {verb} {target:.0%} target by "
                     f"{_points(min(gaps), max(gaps))}")
    return "; ".join(parts)


def overload_clause(run: RunData) -> str | None:
    """The most overloaded skill group: in how many of its open intervals."""
    over = {g: (len(s), n) for g, (s, n) in overloaded_intervals(run).items() if s}
    if not over:
        return None
    group, (k, n) = max(over.items(), key=lambda x: x[1][0] / x[1][1])
    others = len(over) - 1
    more = f" ({others} other desk{'s' if others > 1 else ''} too)" if others else ""
    return f"the {label(group)} is overloaded in {k} of its {n} open intervals{more}"


def service_clause(run: RunData) -> str | None:
    """Without tiers: the overall service level and abandon rate."""
    sl, ab = run.kpi("service_level").get("mean"), run.kpi("abandon_rate").get("mean")
    if sl is None or math.isnan(sl):
        return None
    t = f'{run.summary.get("service_level_s", 20):g}'
    text = f"{sl:.0%} of callers who asked for an agent were answered within {t} s"
    if ab is not None and not math.isnan(ab):
        text += f" and {ab:.0%} abandoned in queue"
    return text


def answer(run: RunData) -> str:
    """One sentence: targets first, then overload."""
    clauses = [c for c in (target_clause(run) or service_clause(run), overload_clause(run))
               if c]
    if not clauses:
        return "No calls asked for an agent in this run."
    if overloaded_intervals(run) and not any("overloaded" in c for c in clauses):
        clauses.append("no desk is overloaded")  # only said when the table was written
    return _capital("; ".join(clauses)) + "."
