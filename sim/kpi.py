"""KPIs from a replication's accumulators, and their confidence intervals over replications.

Definitions (the documented contract):
- ``asked``: calls that asked for an agent (entered a skill queue);
- ``answer_rate`` = answered / asked; ``abandon_rate`` = ``queue_abandoned`` / asked, where
  ``queue_abandoned`` = abandoned − ivr_abandoned (the ``abandoned`` outcome also counts
  callers who hung up inside the IVR, who never asked);
- ``service_level`` = answered within ``service_level_s`` / asked (abandoned included);
- ``short_abandons``: queue abandons that waited less than ``short_abandon_s``;
  ``service_level_excl_short`` and ``abandon_rate_excl_short`` leave them out of the
  numerator and the denominator (equal to the plain KPIs when ``short_abandon_s`` is 0);
- ``asa_s``: mean wait of answered calls; ``mean_wait_s``: mean wait of all who asked;
- ``p_wait``: share of those who asked that were not answered at once;
- ``aht_s``: mean talk + after-call work of answered calls;
- ``occupancy``: agent-seconds busy / agent-seconds logged in;
- ``cost_per_call``: staffed cost (front line and second line) / answered calls.
Hotline scenarios add (see README): ``containment``, ``fcr``, ``repeat_rate``,
``resolution_rate``, IVR hang-ups, forced disconnects, work orders, callbacks, per-tier
service level against target, and the customer-value estimate.
Only intervals after the warm-up count.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from typing import cast

import numpy as np

from sim.kpi_specs import kpi_fmt
from sim.model.spec import ModelSpec
from sim.records import Recorder

COUNTS = ("offered", "asked", "answered", "abandoned", "disconnected", "self_served",
          "blocked")
# every whole-number field of call_kpis (the interval tables store them as int64)
CALL_COUNTS = (*COUNTS, "queue_abandoned", "ivr_abandoned", "ivr_hangups", "forced_disconnects",
               "press2_self_served", "outage_informed", "redials", "work_orders",
               "announcements", "virtual_holds", "short_abandons")
OUTCOME_COUNTS = ("answered", "abandoned", "disconnected", "self_served", "blocked")


def _div(a: float, b: float) -> float:
    return float(a / b) if b else math.nan


def call_kpis(s: Mapping[str, float]) -> dict[str, float]:
    """KPIs from summed call fields (any slice: overall, one class, one interval)."""
    out = {k: float(s[k]) for k in COUNTS}
    out.update(
        answer_rate=_div(s["answered"], s["asked"]),
        queue_abandoned=float(s["abandoned"] - s["ivr_abandoned"]),
        abandon_rate=_div(s["abandoned"] - s["ivr_abandoned"], s["asked"]),
        disconnect_rate=_div(s["disconnected"], s["asked"]),
        service_level=_div(s["answered_in_sl"], s["asked"]),
        # industry reports' variants: short abandons (short_abandon_s) left out of both
        # numerator and denominator
        short_abandons=float(s["short_abandoned"]),
        service_level_excl_short=_div(s["answered_in_sl"], s["asked"] - s["short_abandoned"]),
        abandon_rate_excl_short=_div(s["abandoned"] - s["ivr_abandoned"]
                                     - s["short_abandoned"], s["asked"] - s["short_abandoned"]),
        p_wait=_div(s["asked"] - s["answered_no_wait"], s["asked"]),
        asa_s=_div(s["wait_answered_s"], s["answered"]),
        mean_wait_s=_div(s["wait_queued_s"], s["asked"]),
        aht_s=_div(s["talk_s"] + s["acw_s"], s["answered"]),
        talk_s=_div(s["talk_s"], s["answered"]),
        containment=_div(s["self_served"], s["offered"] - s["blocked"]),
        ivr_abandoned=float(s["ivr_abandoned"]),
        ivr_hangups=float(s["ivr_hangups"]),
        forced_disconnects=float(s["forced_disconnects"]),
        press2_self_served=float(s["press2_self_served"]),
        outage_informed=float(s["outage_informed"]),
        resolution_rate=_div(s["resolved"], s["answered"]),
        fcr=_div(s["fcr"], s["answered"]),
        repeat_rate=_div(s["repeats"], s["offered"]),
        redials=float(s["redials"]),
        work_orders=float(s["work_orders"]),
        announcements=float(s["announcements"]),
        virtual_holds=float(s["virtual_holds"]),
    )
    return out


def work_kpis(s: Mapping[str, float], available_s: float) -> dict[str, float]:
    """The agents' own work (``kind: work``): tasks done, agent-hours on them (talk +
    after-call work as recorded: a task dropped for a waiting caller up to the drop) and
    their share of the agents' available time (logged in and not away)."""
    busy_s = s["talk_s"] + s["acw_s"]
    return {"work_tasks": float(s["answered"]), "work_hours": float(busy_s / 3600),
            "work_share": _div(busy_s, available_s)}


def all_fields(rec: Recorder) -> dict[str, np.ndarray]:
    """Every per-(class, interval) array of a replication, by field name."""
    return {**rec.calls, **rec.event_counts()}


def _sum(fields: dict[str, np.ndarray], rows, w: slice) -> dict[str, float]:
    return {f: a[rows, w].sum() for f, a in fields.items()}


def call_rows(spec: ModelSpec) -> slice | list[int]:
    """The record rows of calls: every class but the agents' own work (``kind: work``),
    whose tasks occupy agents but are no calls (all rows as a slice when there is none,
    so the sums stay those of every class)."""
    if not any(c.work for c in spec.classes):
        return slice(None)
    return [c.index for c in spec.classes if not c.work]


def work_queues(spec: ModelSpec) -> list[int]:
    """Queues only the agents' own work waits in (left out of the call queue length)."""
    call_queues = {c.queue for c in spec.classes if not c.work}
    return sorted({c.queue for c in spec.classes if c.work} - call_queues)


def replication_kpis(rec: Recorder, spec: ModelSpec) -> dict[str, dict]:
    """One replication's KPIs: ``{"overall": {...}, "by_class": {..}, "by_group": {..}}``,
    and ``by_work`` when classes are the agents' own work. Call figures count calls only;
    agent figures (occupancy, cost) keep the agents' time on their own work."""
    w = slice(spec.warmup_intervals, None)
    fields = all_fields(rec)
    by_class = {c.name: call_kpis(_sum(fields, c.index, w)) for c in spec.classes
                if not c.work}
    overall = call_kpis(_sum(fields, call_rows(spec), w))
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
    if any(g.availability is not None for g in spec.groups):
        _availability_kpis(by_group, overall, rec, spec, w, busy, staffed)
    horizon = (spec.n_intervals - spec.warmup_intervals) * spec.interval_s
    queue_area, only_work = rec.queue_area[:, w], work_queues(spec)
    if only_work:  # else the array as it is: the same sum, bit for bit
        queue_area = np.delete(queue_area, only_work, axis=0)
    overall.update(
        occupancy=_div(busy.sum(), staffed.sum()),
        staffed_hours=float(staffed.sum() / 3600),
        cost=float(cost.sum()),
        cost_per_call=_div(cost.sum(), overall["answered"]),
        mean_queue_length=float(queue_area.sum() / horizon),
        system_availability=_div(overall["offered"] - overall["blocked"], overall["offered"]),
    )
    out: dict[str, dict] = {"overall": overall, "by_class": by_class, "by_group": by_group}
    work = [c for c in spec.classes if c.work]
    if work:
        available = staffed.sum() - rec.group_away_s[:, w].sum()
        out["by_work"] = {c.name: work_kpis(_sum(fields, c.index, w), available)
                          for c in work}
        overall.update(work_kpis(_sum(fields, [c.index for c in work], w), available))
    if rec.features.sites is not None:
        from sim.kpi_sites import site_kpis

        site_kpis(out, rec.features.sites, spec, w, busy, staffed, cost)
    if spec.has_tiers:
        _hotline_kpis(out, rec, spec, fields, w, cost.sum())
    return out


def _availability_kpis(by_group: dict, overall: dict, rec: Recorder, spec: ModelSpec,
                       w: slice, busy, staffed) -> None:
    """Agent states (groups with ``availability``): scheduled against logged-in time,
    not-ready share (not ready or on break / logged in), available time (logged in and
    not away) against idle time (available, no work), occupancy on available time."""
    away = rec.group_away_s[:, w].sum(axis=1)
    sched = np.array([sum(g.staffing[w]) for g in spec.groups], float) * spec.interval_s

    def states(b, s, a, sc) -> dict:
        avail = s - a
        return {"scheduled_hours": float(sc / 3600), "not_ready_share": _div(a, s),
                "available_hours": float(avail / 3600),
                "idle_hours": float(max(avail - b, 0.0) / 3600),
                "occupancy_available": _div(b, avail),
                "shrinkage": _div(sc - s, sc)}

    for g in spec.groups:
        by_group[g.name].update(states(busy[g.index], staffed[g.index], away[g.index],
                                       sched[g.index]))
    overall.update(states(busy.sum(), staffed.sum(), away.sum(), sched.sum()))


def _hotline_kpis(out: dict, rec: Recorder, spec: ModelSpec, fields, w: slice,
                  front_cost: float) -> None:
    """Tiers, reasons, second line, outbound and customer value."""
    overall = out["overall"]
    out["by_tier"], out["by_reason"] = {}, {}
    met = []
    for t in spec.tiers:
        rows = [c.index for c in spec.classes if c.tier == t.index]
        k = call_kpis(_sum(fields, rows, w))
        k["sl_target"] = t.sl_target
        k["sl_met"] = (math.nan if math.isnan(t.sl_target) or math.isnan(k["service_level"])
                       else float(k["service_level"] >= t.sl_target))
        if not math.isnan(k["sl_met"]):
            met.append(k["sl_met"])
        out["by_tier"][t.name] = k
    for r, name in enumerate(spec.reasons):
        rows = [c.index for c in spec.classes if c.reason == r]
        out["by_reason"][name] = call_kpis(_sum(fields, rows, w))
    overall["tiers_meeting_target"] = float(sum(met))
    ex = rec.features
    second = ex.second_line
    back_cost = 0.0
    if second is not None and spec.second_line is not None:
        pools = spec.second_line.pools
        back_cost = sum(p.cost_per_hour * second.staffed_s[p.index, w].sum() / 3600
                        for p in pools)
        opened, closed = second.opened[:, w].sum(), second.closed[:, w].sum()
        overall.update(
            work_orders_opened=float(opened), work_orders_closed=float(closed),
            mean_time_to_close_h=_div(second.time_to_close_s[:, w].sum(), closed * 3600),
            backlog_end=float(second.backlog[:, -1].sum()),
            backlog_max=float(second.backlog.sum(axis=0).max()),
            second_line_cost=float(back_cost))
    ob = ex.outbound
    if ob is not None:
        overall.update(callbacks_made=float(ob.callbacks_made[w].sum()),
                       callbacks_answered=float(ob.callbacks_answered[w].sum()),
                       campaign_calls=float(ob.campaign_calls[w].sum()),
                       customers_unreachable=float(ob.callbacks_unreachable[w].sum()),
                       callbacks_pending_end=ob.callbacks_pending_end,
                       satisfaction_callbacks=float(ob.satisfaction_made[w].sum()),
                       satisfaction_reached=float(ob.satisfaction_reached[w].sum()))
    _complaint_kpis(overall, out["by_reason"], ex.complaints, spec, w)
    if ex.key_calls is not None:
        overall["key_customer_calls"] = float(ex.key_calls[:, w].sum())
    overall["cost"] = float(front_cost + back_cost)
    overall["cost_per_call"] = _div(front_cost + back_cost, overall["answered"])
    overall["outage_ticket_open_s"] = ex.ticket_open_s
    overall.update(customer_value(ex.episodes, spec))


def _complaint_kpis(overall: dict, by_reason: dict, rec, spec: ModelSpec, w: slice) -> None:
    """Complaint rate (complaint calls / offered), resolved at once, and escalation."""
    c = spec.operations.complaints
    if c is None:
        return
    k = by_reason[spec.reasons[c.reason]]
    overall.update(complaints=k["offered"], complaint_rate=_div(k["offered"],
                                                                 overall["offered"]),
                   complaints_resolved_at_once=k["resolution_rate"])
    if rec is None or not c.levels:
        return
    overall.update(complaint_orders=float(rec.orders[w].sum()),
                   complaint_escalations=float(rec.escalations.sum()),
                   complaints_overdue=rec.overdue,
                   complaints_in_time=_div(rec.closed_in_time, rec.orders.sum()))


def customer_value(tally: np.ndarray, spec: ModelSpec) -> dict[str, float]:
    """Expected retained annual value of the customers whose needs the run saw, from the
    retention rates by how the need ended (domain brief §9: 9/19/54/82 %). ``tally``:
    episodes by (tier, end state), columns in ``VALUE_STATES`` order."""
    from sim.model.customers import VALUE_STATES

    if tally.shape != (len(spec.tiers), len(VALUE_STATES)):  # a record before any run
        tally = np.zeros((len(spec.tiers), len(VALUE_STATES)), dtype=np.int64)
    n = {s: int(tally[:, j].sum()) for j, s in enumerate(VALUE_STATES)}
    kept = math.fsum(float(tally[t, j]) * spec.retention[s] * tier.annual_value
                     for t, tier in enumerate(spec.tiers) for j, s in enumerate(VALUE_STATES))
    at_risk = math.fsum(float(tally[t, j]) * (1 - spec.retention[s]) * tier.annual_value
                        for t, tier in enumerate(spec.tiers)
                        for j, s in enumerate(VALUE_STATES))
    total = sum(n.values())
    out = {f"episodes_{s}": _div(n[s], total) for s in VALUE_STATES}
    lost = sum((1 - spec.retention[s]) * n[s] for s in VALUE_STATES)
    out.update(episodes=float(total), retained_value=kept, value_at_risk=at_risk,
               lost_customer_rate=_div(lost, total))
    return out


def check_conservation(rec: Recorder) -> dict[str, int]:
    """Every call ends in exactly one outcome: offered = sum of outcomes, per class."""
    per_class = {f: rec.calls[f].sum(axis=1) for f in ("offered", *OUTCOME_COUNTS)}
    ended = sum(per_class[f] for f in OUTCOME_COUNTS)
    if not np.array_equal(per_class["offered"], ended):
        raise RuntimeError(f"conservation violated: offered {per_class['offered']} != "
                           f"sum of outcomes {ended}")
    return {f: int(v.sum()) for f, v in per_class.items()}


def share_interval(kpi: str, values: list[float], confidence: float) -> dict:
    """``t_interval``, with ``low``/``high`` clipped to [0, 1] for a share: a t interval
    near 0 % or 100 % otherwise leaves the possible range (``half_width`` stays the t
    half-width, so ``low``/``high`` may sit closer to the mean than it on one side)."""
    st = t_interval(values, confidence)
    if kpi_fmt(kpi) == "pct" and st["low"] is not None:
        # ``low`` and ``high`` are None together (fewer than two values)
        st["low"], st["high"] = max(st["low"], 0.0), min(cast(float, st["high"]), 1.0)
    return st


@functools.cache
def t_quantile(confidence: float, df: int) -> float:
    """Student's t quantile of a two-sided ``confidence`` interval, cached: scipy's ppf
    costs ~1 ms and a run asks for the same few thousands of times (every KPI of every
    scope), which was most of a short sweep task's own cost. ``scipy.special.stdtrit`` is
    the kernel ``scipy.stats.t.ppf`` calls (the same values: tests/test_compare.py),
    without importing scipy.stats (~2 s more per process under load)."""
    from scipy.special import stdtrit

    return stdtrit(df, (1 + confidence) / 2)


def t_interval(values: list[float], confidence: float) -> dict[str, float | None]:
    """Mean and t-based confidence interval over replications (half-width None for n=1)."""
    x = np.asarray([v for v in values if not math.isnan(v)], dtype=float)
    if not len(x):
        return {"mean": None, "half_width": None, "low": None, "high": None, "n": 0}
    mean = float(x.mean())
    if len(x) < 2:
        return {"mean": mean, "half_width": None, "low": None, "high": None, "n": len(x)}
    hw = float(t_quantile(confidence, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x)))
    return {"mean": mean, "half_width": hw, "low": mean - hw, "high": mean + hw, "n": len(x)}


def t_interval_groups(values: np.ndarray, group: np.ndarray, n_groups: int,
                      confidence: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``t_interval`` of many groups at once: (n, mean, half-width) per group code
    ``0..n_groups-1`` over its non-NaN ``values`` in their order (NaN mean with no value,
    NaN half-width under two). Bit-equal to ``t_interval`` group by group: the groups of
    equal size are rows of one C-ordered array, and numpy reduces each row with the same
    pairwise sum as a 1-D array. A sweep's collection compares ~1,000 KPIs per point;
    one call per KPI was most of its serial time."""
    keep = ~np.isnan(values)
    v, g = values[keep], group[keep]
    order = np.argsort(g, kind="stable")  # each group's values stay in their order
    v, g = v[order], g[order]
    n = np.bincount(g, minlength=n_groups)
    starts = np.concatenate([[0], np.cumsum(n)[:-1]])
    mean, hw = np.full(n_groups, np.nan), np.full(n_groups, np.nan)
    for k in np.unique(n[n > 0]):
        idx = np.flatnonzero(n == k)
        rows = v[starts[idx][:, None] + np.arange(k)]
        mean[idx] = rows.mean(axis=1)
        if k >= 2:
            hw[idx] = t_quantile(confidence, int(k) - 1) * rows.std(axis=1, ddof=1) / math.sqrt(k)
    return n, mean, hw


def aggregate(reps: list[dict], confidence: float) -> dict:
    """Combine per-replication KPI dicts into mean/half-width per KPI, same nesting."""
    first = reps[0]
    scopes = [s for s in first if s != "overall"]
    out: dict = {"overall": {}, **{s: {} for s in scopes}}
    for k in first["overall"]:
        out["overall"][k] = share_interval(k, [r["overall"][k] for r in reps], confidence)
    for scope in scopes:
        for name, kpis in first[scope].items():
            out[scope][name] = {k: share_interval(k, [r[scope][name][k] for r in reps],
                                                  confidence) for k in kpis}
    return out
