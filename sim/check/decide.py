"""Verdicts on confidence bounds, and the sequential plan of replications.

A check (an SLA target, or a baseline comparison) is judged on the t confidence interval
of its KPI over the replications run so far:

- ``pass``: the whole interval is on the allowed side of the bound;
- ``fail``: the whole interval is on the wrong side;
- ``undecided``: the interval straddles the bound. The gate adds replications; at the
  budget an undecided check becomes ``warn`` when its estimate meets the bound and
  ``decision.warn: pass`` (the default: it does not fail the gate), else ``fail`` — a
  target whose estimate is on the wrong side of its bound never passes.

Every outcome names the ``rule`` that decided it, for the table and the JSON/JUnit files.

With ``decision.adjust: looks`` (default) every look at the data uses the confidence level
``1 - (1 - confidence) / L`` for the L looks the plan may take (Bonferroni), so stopping
as soon as the verdict is clear does not inflate the chance of a wrong clear verdict.
``decision.policy: mean`` judges the point estimate alone (no interval, no warning zone).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import cast

PASS, FAIL, WARN, UNDECIDED = "pass", "fail", "warn", "undecided"


@dataclass(frozen=True)
class Check:
    """One thing to judge: ``min <= value <= max``. For a baseline comparison the value is
    the degradation ``sign * (new - baseline)``, paired replication by replication."""

    id: str
    kind: str  # "target" or "baseline"
    key: tuple[str, str | None, str]  # (scope key, name, kpi) in a replication's KPI dict
    min: float | None
    max: float | None
    bound: str
    sign: float = 0.0  # baseline: +1 when an increase degrades the KPI, -1 when a decrease


@dataclass
class Outcome:
    check: Check
    n: int
    mean: float | None
    low: float | None
    high: float | None
    verdict: str
    message: str = ""
    rule: str = ""  # which rule decided: see the module docstring
    extra: dict = field(default_factory=dict)  # baseline: means before and after

    def as_dict(self) -> dict:
        scope, name, kpi = self.check.key
        return {"id": self.check.id, "kind": self.check.kind, "kpi": kpi,
                "scope": scope.removeprefix("by_"), "name": name, "min": self.check.min,
                "max": self.check.max,
                "bound": self.check.bound, "estimate": self.mean, "low": self.low,
                "high": self.high, "n": self.n, "verdict": self.verdict,
                "rule": self.rule, "message": self.message, **self.extra}


def kpi_value(rep: Mapping, key: tuple[str, str | None, str]) -> float:
    scope, name, kpi = key
    node = rep["overall"] if scope == "overall" else rep[scope][name]
    value = node.get(kpi)
    return math.nan if value is None else float(value)


def has_key(rep: object, key: tuple[str, str | None, str]) -> bool:
    scope, name, kpi = key
    node = rep.get(scope) if isinstance(rep, Mapping) else None
    if scope != "overall":
        node = node.get(name) if isinstance(node, Mapping) else None
    return isinstance(node, Mapping) and kpi in node


def check_values(check: Check, reps: Sequence[Mapping],
                 base: Sequence[Mapping] | None = None) -> list[float]:
    """The per-replication values a check judges (paired degradations for a baseline)."""
    now = [kpi_value(r, check.key) for r in reps]
    if check.kind != "baseline":
        return now
    return [check.sign * (a - kpi_value(b, check.key))
            for a, b in zip(now, cast(Sequence[Mapping], base), strict=False)]


def plan(initial: int, max_reps: int, step: int) -> list[int]:
    """Replication counts at which the gate looks: initial, +step, ..., max."""
    counts = list(range(initial, max_reps, step))
    return [*counts, max_reps] if not counts or counts[-1] != max_reps else counts


def look_level(confidence: float, looks: int, adjust: str) -> float:
    return 1 - (1 - confidence) / looks if adjust == "looks" and looks > 1 else confidence


def judge(check: Check, values: Sequence[float], level: float, policy: str) -> Outcome:
    """The verdict on one check from its per-replication values."""
    from sim.kpi import share_interval, t_interval

    # a target's share KPI gets an interval inside [0, 1]; a baseline judges differences
    st = (share_interval(check.key[2], list(values), level) if check.kind == "target"
          else t_interval(list(values), level))
    out = Outcome(check, cast(int, st["n"]), st["mean"], st["low"], st["high"], UNDECIDED)
    if st["mean"] is None:
        out.verdict, out.rule = FAIL, "no estimate"
        out.message = "no estimate: the KPI is undefined in every replication (no calls?)"
        return out
    lo, hi = (st["mean"], st["mean"]) if policy == "mean" else (st["low"], st["high"])
    if lo is None or hi is None:  # one replication: no interval yet
        return out
    below = check.min is not None and hi < check.min
    above = check.max is not None and lo > check.max
    inside = (check.min is None or lo >= check.min) and (check.max is None or hi <= check.max)
    out.verdict = FAIL if below or above else PASS if inside else UNDECIDED
    what = "estimate" if policy == "mean" else "whole CI"
    if out.verdict == FAIL:
        out.message = _miss_message(out, policy, level)
        out.rule = f"{what} misses bound"
    elif out.verdict == PASS:
        out.rule = f"{what} meets bound"
    return out


def meets(check: Check, value: float | None) -> bool:
    """Whether a point estimate lies on the allowed side of the check's bound(s)."""
    return value is not None and not math.isnan(value) and (
        check.min is None or value >= check.min) and (check.max is None or value <= check.max)


def _miss_message(out: Outcome, policy: str, level: float) -> str:
    c = out.check
    what = "degraded by" if c.kind == "baseline" else "is"
    where = ("the estimate" if policy == "mean"
             else f"its whole {level * 100:.4g}% CI [{out.low:.4g}, {out.high:.4g}]")
    return f"{c.id} {what} {out.mean:.4g}: {where} misses {c.bound}"


def settle(outcomes: list[Outcome], warn: str, n: int) -> None:
    """At the budget: an undecided check becomes a warning (``warn: pass`` and an estimate
    that meets the bound) or a failure (otherwise)."""
    for o in outcomes:
        if o.verdict != UNDECIDED:
            continue
        straddle = (f"{o.check.id}: CI [{_fmt(o.low)}, {_fmt(o.high)}] still straddles "
                    f"{o.check.bound} after {n} replications (the budget)")
        ok = meets(o.check, o.mean)
        side = "meets" if ok else "misses"
        o.verdict = WARN if warn == "pass" and ok else FAIL
        if warn == "pass":
            o.rule = f"CI straddles at budget, estimate {side} bound"
            o.message = (f"{straddle}; the estimate {_fmt(o.mean)} {side} it, so "
                         f"decision.warn: pass makes it a {o.verdict}")
        else:
            o.rule = "CI straddles at budget, decision.warn: fail"
            o.message = f"{straddle}; decision.warn: fail"


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.4g}"
