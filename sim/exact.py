"""Simulation beside exact theory for the theory experiments (``experiment=erlang_c``,
``erlang_a``, ``cobham``): each KPI's estimate, its confidence interval, the exact value
from :mod:`sim.theory`, and whether the exact value lies inside the interval.

The exact values are computed from the run's own resolved scenario (one class or the
cobham classes, one agent group, constant volume, exponential laws), so a changed
documented key (``params.agents=15``) or ``scenario.load`` is compared with its own theory.
A scenario outside the formulas' assumptions gets no comparison (None), never a wrong one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import cast

EXPERIMENTS = ("erlang_c", "erlang_a", "cobham")


@dataclass(frozen=True)
class Row:
    """One KPI compared with theory."""

    kpi: str  # summary.json name
    scope: str  # "overall" or "by_class"
    name: str | None
    what: str  # what the figure is, for a reader
    exact: float
    mean: float | None
    low: float | None
    high: float | None

    @property
    def inside(self) -> bool | None:
        """Whether the exact value lies in the CI (None without an interval)."""
        if self.low is None or self.high is None:
            return None
        return self.low <= self.exact <= self.high


def _single(scenario: dict) -> tuple[float, list[tuple[str, float, dict]], int, float] | None:
    """Total arrival rate (per s), classes (name, share, class config), agents and T —
    or None when the scenario is not a constant-rate, one-group, exponential one."""
    try:
        groups = scenario["groups"]
        (group,) = groups.values()
        agents = group["staffing"] + group.get("extra_agents", 0)
        volume = scenario["arrivals"]["calls_per_interval"]
        interval_s = scenario["horizon"]["interval_s"]
        classes = [(n, float(c.get("mix", 1.0)), c) for n, c in scenario["classes"].items()
                   if c is not None]
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    if not isinstance(agents, int) or not isinstance(volume, int | float):
        return None
    for _, _, c in classes:
        if _exp_mean(c.get("handle_time")) is None or c.get("after_call_work"):
            return None
    rate = float(volume) * float(scenario.get("load", 1.0)) / float(interval_s)
    return rate, classes, agents, float(scenario.get("service_level_s", 20))


def _exp_mean(dist) -> float | None:
    if isinstance(dist, dict) and dist.get("dist") == "exponential":
        return float(dist["mean"])
    return None


def _handle_mean(c: dict) -> float:
    """Mean handle time of a class ``_single`` accepted: its law is exponential there."""
    return cast(float, _exp_mean(c["handle_time"]))


def compare(summary: dict, config: dict) -> list[Row] | None:
    """Rows of simulation vs exact theory for a theory experiment's run, else None."""
    scenario = config.get("scenario") or {}
    kind = scenario.get("name")
    if kind not in EXPERIMENTS:
        return None
    base = _single(scenario)
    if base is None:
        return None
    try:
        return _ROWS[kind](summary, *base)
    except (ValueError, KeyError, ZeroDivisionError):  # e.g. load >= agents: no steady state
        return None


def _row(summary: dict, kpi: str, what: str, exact: float, scope: str = "overall",
         name: str | None = None) -> Row:
    block = summary.get(scope, {})
    st = (block.get(name, {}) if name is not None else block).get(kpi) or {}
    return Row(kpi, scope, name, what, float(exact), st.get("mean"), st.get("low"),
               st.get("high"))


def _erlang_c(summary, rate, classes, agents, t) -> list[Row] | None:
    from sim.theory import erlang_c

    ((_, _, c),) = classes
    if c.get("patience") not in (None, {"dist": "none"}):
        return None
    ec = erlang_c(rate, _handle_mean(c), agents)
    return [
        _row(summary, "p_wait", "P(wait): share of callers not answered at once", ec.p_wait),
        _row(summary, "service_level", f"service level: answered within {t:g} s",
             ec.service_level(t)),
        _row(summary, "mean_wait_s", "mean wait of all callers, s (= ASA: nobody abandons)",
             ec.asa),
        _row(summary, "occupancy", "agent occupancy", ec.occupancy),
    ]


def _erlang_a(summary, rate, classes, agents, t) -> list[Row] | None:
    from sim.theory import erlang_a

    ((_, _, c),) = classes
    patience = _exp_mean(c.get("patience"))
    if patience is None:
        return None
    ea = erlang_a(rate, _handle_mean(c), patience, agents)
    return [
        _row(summary, "abandon_rate", "P(abandon): share of callers who hang up", ea.p_abandon),
        _row(summary, "p_wait", "P(wait): share of callers not answered at once", ea.p_wait),
        _row(summary, "service_level", f"service level: answered within {t:g} s",
             ea.service_level(t)),
        _row(summary, "mean_wait_s", "mean wait of all callers, s (abandoners included)",
             ea.mean_wait),
        _row(summary, "asa_s", "ASA: mean wait of answered callers, s",
             ea.mean_wait_answered),
        _row(summary, "occupancy", "agent occupancy", ea.occupancy),
    ]


def _cobham(summary, rate, classes, agents, t) -> list[Row] | None:
    from sim.theory import cobham_priority_waits, erlang_c

    means = {_handle_mean(c) for _, _, c in classes}
    if len(means) != 1 or any(c.get("patience") not in (None, {"dist": "none"})
                              for _, _, c in classes):
        return None
    (es,) = means
    ordered = sorted(classes, key=lambda x: x[2].get("priority", 0))
    waits = cobham_priority_waits([rate * share for _, share, _ in ordered], es, agents)
    rows = [_row(summary, "mean_wait_s", f"mean wait of class {name} (priority "
                 f"{c.get('priority', 0)}), s", w, "by_class", name)
            for (name, _, c), w in zip(ordered, waits, strict=True)]
    rows.append(_row(summary, "p_wait", "P(wait), all classes", erlang_c(rate, es,
                                                                           agents).p_wait))
    return rows


_ROWS = {"erlang_c": _erlang_c, "erlang_a": _erlang_a, "cobham": _cobham}


def fmt_value(kpi: str, x: float | None) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    return f"{x:.2f}" if kpi.endswith("_s") else f"{100 * x:.2f}%"


def format_rows(rows: list[Row], confidence: float) -> str:
    """The terminal table: what, simulation, CI, exact, inside the CI."""
    head = ("figure (summary.json name)", "simulation", f"{confidence:.0%} CI", "exact",
            "exact in CI")
    body = []
    for r in rows:
        ci = "-" if r.low is None else f"[{fmt_value(r.kpi, r.low)}, {fmt_value(r.kpi, r.high)}]"
        inside = {True: "yes", False: "NO", None: "-"}[r.inside]
        body.append((f"{r.what} ({r.kpi})", fmt_value(r.kpi, r.mean), ci,
                     fmt_value(r.kpi, r.exact), inside))
    widths = [max(len(x[i]) for x in (head, *body)) for i in range(len(head))]
    lines = ["simulation vs exact theory (sim.theory):"]
    lines += ["  " + "  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                               for i, (c, w) in enumerate(zip(x, widths, strict=True)))
              for x in (head, *body)]
    return "\n".join(lines)
