"""Shift templates (``--shifts FILE``) and the roster that covers a staffing requirement
at least paid hours, by integer programming (HiGHS through ``scipy.optimize.milp``).

A shift is a template, a start time and a placement of each break; its coverage of
interval k is the share of the interval worked (a 15-minute break in a 30-minute interval
leaves 0.5). Shrinkage (absence, training) is applied once: ``(1 - shrinkage) x coverage``
agents are on the phones, and the roster's on-phone headcount is that, rounded down.
The day is cyclic (a shift starting at 22:00 covers the early hours of the same day
pattern). A shift may only work while its desk is open. Intervals the templates cannot
cover within their max counts get slack at a high price: the roster is still returned,
with the unmet periods listed, rather than "infeasible".
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sim.staff.goals import StaffError

UNMET_PRICE = 1000.0  # paid hours per missing on-phone agent-interval
TIME_LIMIT_S = 30.0  # per desk; HiGHS returns its best roster so far
MIP_GAP = 0.005  # relative: within 0.5 % of the least paid hours


@dataclass(frozen=True)
class Break:
    length_s: float
    after_s: float  # earliest start, from the shift's start
    before_s: float  # latest start
    paid: bool


@dataclass(frozen=True)
class Template:
    name: str
    length_s: float
    starts_s: tuple[float, ...]
    breaks: tuple[Break, ...]
    min: int
    max: int | None
    part_time: bool
    desks: tuple[str, ...] | None  # None: every desk

    @property
    def paid_h(self) -> float:
        return (self.length_s - sum(b.length_s for b in self.breaks if not b.paid)) / 3600


@dataclass(frozen=True)
class ShiftSpec:
    source: str
    templates: tuple[Template, ...]
    shrinkage: float
    part_time_max_share: float
    week_days: int
    rest_days: int


def _template(name: str, t: Any, desk_names: list[str]) -> Template:
    """A validated template (:mod:`sim.schema.shifts`) whose desks exist."""
    if t.desks is not None and not all(d in desk_names for d in t.desks):
        raise StaffError(f"templates.{name}.desks: must be a list of desks; allowed: "
                         f"{', '.join(desk_names)}")
    breaks = tuple(Break(b.length, b.after, b.before, b.paid) for b in t.breaks or ())
    return Template(name, t.length, t.start_times(), breaks, t.min, t.max, t.part_time,
                    None if t.desks is None else tuple(t.desks))


def load_shifts(path: Path, desk_names: list[str]) -> ShiftSpec:
    """Read and check a shift file against the schema (one-line errors naming the key)."""
    import yaml

    from sim.errors import ConfigError
    from sim.schema.errors import validate
    from sim.schema.shifts import ShiftFile, Week

    if not path.is_file():
        raise StaffError(f"--shifts: no such file {str(path)!r}")
    try:
        raw = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark else ""
        raise StaffError(f"--shifts {path}: invalid YAML{where}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise StaffError(f"--shifts {path}: cannot read a YAML text file: {exc}") from None
    try:
        f = validate(ShiftFile, raw, "")
    except ConfigError as exc:
        raise StaffError(f"--shifts {path}: {exc.key or 'top level'}: {exc.message}"
                         ) from None
    templates = tuple(_template(str(n), t, desk_names) for n, t in f.templates.items())
    week = f.week or Week()
    return ShiftSpec(str(path), templates, f.shrinkage, f.part_time_max_share, week.days,
                     week.rest_days)


@dataclass
class Column:
    template: int
    start_s: float
    breaks: tuple[float, ...]  # break starts, from the shift's start
    coverage: np.ndarray  # [k] share of interval k worked


def _coverage(t: Template, start: float, breaks: tuple[float, ...], interval_s: float,
              n_k: int) -> np.ndarray:
    day = interval_s * n_k
    cov = np.zeros(n_k)

    def add(a: float, b: float, sign: float) -> None:  # [a, b) seconds from midnight, cyclic
        for k in range(int(a // interval_s), int(math.ceil(b / interval_s))):
            lo, hi = max(a, k * interval_s), min(b, (k + 1) * interval_s)
            if hi > lo:
                cov[k % n_k] += sign * (hi - lo) / interval_s

    add(start, start + t.length_s, 1.0)
    for b, s in zip(t.breaks, breaks, strict=True):
        add(start + s, start + s + b.length_s, -1.0)
    return np.round(cov, 9) if day else cov


def columns(spec: ShiftSpec, desk: str, open_: np.ndarray, interval_s: float) -> list[Column]:
    """Every shift (template, start, break placement) for a desk that works only while the
    desk is open. Breaks start on interval boundaries or their own length's steps."""
    n_k = open_.size
    out = []
    for ti, t in enumerate(spec.templates):
        if t.desks is not None and desk not in t.desks:
            continue
        options = []
        for b in t.breaks:
            step = min(interval_s, b.length_s) if b.length_s > 0 else interval_s
            options.append(tuple(np.arange(b.after_s, b.before_s + 1e-9, step)))
        for start in t.starts_s:
            for placement in itertools.product(*options):
                cov = _coverage(t, start, placement, interval_s, n_k)
                if (cov[~open_] > 1e-9).any():
                    continue
                out.append(Column(ti, float(start), tuple(placement), cov))
    return out


def check_coverage(spec: ShiftSpec, desks: list[str], open_: np.ndarray,
                   interval_s: float) -> None:
    """Every open interval of every desk can be worked by some shift (said before any
    simulation: templates that cannot cover the opening hours are bad input)."""
    day = open_.shape[1] * interval_s
    for t in spec.templates:
        late = [s for s in t.starts_s if s >= day]
        if late:
            raise StaffError(f"templates.{t.name}.starts: {_hhmm(late[0])} is past the end of "
                             f"the scenario's day ({day / 3600:g} h); allowed: starts before "
                             f"{_hhmm(day) if day < 86400 else '24:00'}")
    for g, desk in enumerate(desks):
        if not open_[g].any():
            continue
        cols = columns(spec, desk, open_[g], interval_s)
        covered = np.zeros(open_.shape[1], dtype=bool)
        for c in cols:
            covered |= c.coverage > 0
        gap = np.nonzero(open_[g] & ~covered)[0]
        if gap.size:
            raise StaffError(f"--shifts {spec.source}: the templates cannot cover desk {desk} "
                             f"at {_hhmm(gap[0] * interval_s)} (open; no shift that works "
                             f"then fits the desk's opening hours); allowed: templates whose "
                             f"starts and lengths cover every open interval")


@dataclass
class Roster:
    desk: str
    shifts: list[tuple[Column, int]]  # (shift, headcount)
    on_phone: np.ndarray  # [k] agents on the phones (after shrinkage, rounded down)
    paid_h: float
    unmet: np.ndarray  # [k] on-phone agents the templates could not supply


def solve_roster(spec: ShiftSpec, desk: str, need: np.ndarray, open_: np.ndarray,
                 interval_s: float) -> Roster:
    """Least paid hours covering ``need`` on-phone agents per interval."""
    from scipy.optimize import LinearConstraint, milp
    from scipy.sparse import csr_matrix, hstack, identity

    need = np.asarray(need, dtype=float)
    cols = columns(spec, desk, open_, interval_s)
    uncovered = [k for k in np.nonzero(need > 0)[0]
                 if not any(c.coverage[k] > 0 for c in cols)]
    if uncovered:
        k = int(uncovered[0])
        raise StaffError(f"--shifts {spec.source}: no template can cover desk {desk} at "
                         f"{_hhmm(k * interval_s)} (open, {int(need[k])} agents needed) "
                         f"without working while the desk is closed; allowed: templates "
                         f"whose starts and lengths fit the desk's opening hours")
    if not cols or need.sum() == 0:
        return Roster(desk, [], np.zeros(need.size, dtype=np.int64), 0.0, np.zeros(need.size))
    n_x, n_k = len(cols), need.size
    keep = 1.0 - spec.shrinkage
    cov = csr_matrix(np.array([c.coverage for c in cols]).T * keep)  # [k, x]
    paid = np.array([spec.templates[c.template].paid_h for c in cols])
    c = np.concatenate([paid, np.full(n_k, UNMET_PRICE)])
    rows = [LinearConstraint(hstack([cov, identity(n_k)]), need, np.inf)]
    for ti, t in enumerate(spec.templates):
        sel = np.array([col.template == ti for col in cols], dtype=float)
        if sel.any() and (t.min > 0 or t.max is not None):
            rows.append(LinearConstraint(np.concatenate([sel, np.zeros(n_k)])[None, :],
                                         t.min, np.inf if t.max is None else t.max))
    pt = np.array([spec.templates[col.template].part_time for col in cols], dtype=float)
    if pt.any() and spec.part_time_max_share < 1:
        row = np.concatenate([pt - spec.part_time_max_share, np.zeros(n_k)])
        rows.append(LinearConstraint(row[None, :], -np.inf, 0.0))
    integrality = np.concatenate([np.ones(n_x), np.zeros(n_k)])
    res = milp(c, constraints=rows, integrality=integrality,
               options={"time_limit": TIME_LIMIT_S, "mip_rel_gap": MIP_GAP})
    if res.x is None:
        raise StaffError(f"--shifts {spec.source}: the template min/max counts and "
                         f"part-time share leave no roster for desk {desk}")
    x = np.round(res.x[:n_x]).astype(np.int64)
    on_phone = np.floor(cov @ x + 1e-9).astype(np.int64)
    unmet = np.maximum(0.0, need - on_phone)
    shifts = [(cols[j], int(x[j])) for j in np.nonzero(x)[0]]
    return Roster(desk, shifts, on_phone, float(paid @ x), unmet)


def _hhmm(s: float) -> str:
    s = int(round(s)) % (24 * 3600)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}"


def roster_rows(spec: ShiftSpec, rosters: list[Roster]) -> list[dict]:
    """roster.csv: one row per desk, template, start and break placement."""
    rows = []
    for r in rosters:
        for col, n in r.shifts:
            t = spec.templates[col.template]
            rows.append({"desk": r.desk, "template": t.name, "start": _hhmm(col.start_s),
                         "end": _hhmm(col.start_s + t.length_s),
                         "breaks": " ".join(_hhmm(col.start_s + b) for b in col.breaks),
                         "headcount": n, "paid_hours": round(n * t.paid_h, 2)})
    return rows


def weekly_headcount(spec: ShiftSpec, daily_shifts: int) -> int:
    """Agents to employ so that every day of the week has ``daily_shifts`` shifts when each
    agent works ``days - rest_days`` days (the same day pattern every day)."""
    if spec.week_days <= 1:
        return daily_shifts
    return math.ceil(daily_shifts * spec.week_days / (spec.week_days - spec.rest_days))
