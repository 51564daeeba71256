"""From a canonical call log to a calibrated scenario and the evidence for each choice.

The model the log supports (everything is reported in ``calibration.json``):

1. **Classes** are priority x type; a class with fewer than ``min_class_calls`` calls
   that asked for an agent joins ``p<priority>_other``. Calls that ended in the IVR are
   counted, not modelled (a simple scenario has no IVR abandonment).
2. **Routes.** A class served at once (no queue record) at least ``direct_share`` of the
   time is a *direct-line* class: its callers get an agent at once or are lost (queue
   ``direct_line`` with ``max_wait_s`` 1 s). Every other class waits in the ``acd`` queue.
3. **One pool of agents** answers both. The log shows direct-line callers answered at once
   even while ACD callers wait, so the routing policy is ``reservation``: ``reserve``
   agents are kept free for the direct line, from ``reserve_from`` agents on duty (0: at
   every headcount; ``None``: the headcount read off the log, ``sim.calibrate.direct_line``).
4. **Priority rule** of the ACD queue from overtaking: when a call is answered while an
   earlier caller still waits, the answered call's priority beat the other's.
5. **Arrivals**: expected calls per interval, per class and day type (IVR entry times).
6. **Times**: handle time per type, IVR time and patience per class, after-call work
   (``sim.calibrate.fit``). **Staffing** and **hidden work** (``sim.calibrate.staffing``):
   the agents' time outside logged calls is a lowest-priority class whose volume is a
   share ``hidden_fill`` of that time, fitted by simulation (``sim.calibrate.tune``).
7. **Answer delay** of classes never answered at once (``sim.calibrate.delay``): time in
   the queue before an agent may pick up, fitted before the hidden-work fill.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from sim.calibrate.hidden import HIDDEN, hidden_volume
from sim.calibrate.staffing import SESSION_GAP_S

DIRECT_QUEUE, ACD_QUEUE, AGENTS = "direct_line", "acd", "agents"
DIRECT_MAX_WAIT_S = 1.0  # the direct line has no queue: a caller finding it busy is lost
GENERIC_DAY_TYPES = {"Monday": "weekday", "Tuesday": "weekday", "Wednesday": "weekday",
                     "Thursday": "weekday", "Friday": "weekday", "Saturday": "saturday",
                     "Sunday": "sunday"}
MIN_ABANDONS = 20  # fewer abandonments in a class: patience pooled over its priority
MIN_SAMPLE = 10  # fewer positive times: a pooled or deterministic law instead of a fit
ASKED = ("served", "abandoned")  # outcomes of calls that asked for an agent


@dataclass
class Options:
    """Calibration choices; the defaults are the documented method."""

    day_type: str = "weekday"
    day_types: dict[str, str] | None = None  # weekday name -> day type; None: adapter's
    interval_s: int = 1800
    min_class_calls: int = 30
    direct_share: float = 0.95
    reserve: int = 1  # agents kept free for the direct line (reservation policy)
    reserve_from: int | None = None  # fewest agents on duty keeping it; None: from the log
    hidden_fill: float | None = None  # share of unlogged agent time that is busy; None: fit
    hidden_task_s: float | None = None  # None: method-of-moments estimate
    staffing_factor: float = 1.0
    service_level_s: float = 20.0
    name: str = "calibrated"
    fit_reps: int = 4
    seed: int = 1
    answer_delay: bool = True  # estimate classes' answer delays (False: none)
    availability: bool = True  # fractional presence and on-call agents (False: rounded
    # headcount, every present agent available: the method before issue 16)
    states: bool = False  # agents not ready after calls, read off the log's gaps after
    # hang-ups while callers waited (availability.not_ready); hidden work keeps the rest
    not_ready: bool = False  # the not-ready share measured at congested moments (an upper
    # bound: README) instead of leaving that time to hidden work
    days: str = "all"  # which days of the day type: all, first-half, second-half, odd, even
    holidays: str = "auto"  # holiday table (sim.forecast.holidays.table; auto: the bank's
    # israel_1999 for anonymous_bank logs, none for generic ones)
    last_agent_stays: bool = True  # the last agent present serves the callers waiting
    # before logging out (availability.last_agent_stays_for; needs availability)
    reaction: bool = True  # agents in hidden work come back for a caller who waited a
    # reaction time read off the log (availability.reaction_time; sim.calibrate.reaction;
    # needs availability); False: the model before it (hidden tasks by moments)
    fill_by: str = "day"  # one hidden-work fill for the day, or one per hour ("hour")
    hidden_base: str = "unlogged"  # the fill is a share of the unlogged agent time, or of
    # the available agent time ("available", capped by the unlogged time)
    direct_reaction: bool = False  # an agent in hidden work takes a direct-line caller at
    # once (availability.reaction_time_by_queue, the direct line's law 0; needs reaction)
    hold_freed: bool = True  # the reserve holds an agent who frees himself while ACD
    # callers wait (False: he takes the caller; the reserve keeps only idle agents back)
    fit_on: str = "mean-day"  # what the fill's simulations run: one mean day, or the
    # calibration's own days in a row, each with its volumes and staffing ("day-mix")

    def resolved_reserve_from(self) -> int:
        """``reserve_from`` once ``_reserve`` has set it (from the log when ``None``)."""
        if self.reserve_from is None:
            raise RuntimeError("reserve_from used before the weekday evidence resolved it")
        return self.reserve_from


@dataclass
class Calibration:
    scenario: dict
    policy: dict  # the routing policy config (``policy`` node) the model needs
    report: dict
    arrivals: object  # DataFrame: day_type, class, interval, start, calls, days
    log: object  # the selected days' calls (canonical columns + class, desk)
    days: list = field(default_factory=list)


def day_types_of(fmt: str) -> dict[str, str]:
    """Which weekday is which day type: the adapter's working week, else Monday–Friday."""
    if fmt == "anonymous_bank":
        from sim.calibrate.anonymous_bank import DAY_TYPES

        return dict(DAY_TYPES)
    return dict(GENERIC_DAY_TYPES)


def label_classes(df, min_calls: int):
    """``p<priority>_<type>``; rare ones (by calls that asked for an agent) pooled."""
    cls = "p" + df["priority"].astype(str) + "_" + df["type"].astype(str)
    counts = cls[df["outcome"].isin(ASKED)].value_counts()
    rare = counts.index[counts < min_calls]
    return cls.where(~cls.isin(rare), "p" + df["priority"].astype(str) + "_other")


def holiday_table(opts: Options, fmt: str) -> tuple[str, dict]:
    """``--holidays``: the table's name (``auto`` resolved) and its days, date
    (YYYY-MM-DD) -> Holiday (``sim.forecast.holidays``)."""
    from sim.forecast.holidays import resolve, table

    name = resolve(opts.holidays, fmt == "anonymous_bank")
    return name, table(name, False)


def date_day_types(dates, types: dict[str, str], holidays: dict):
    """Day type of each date: its weekday's, or for a day of the holiday table the day
    type of the weekday it behaves like (``like``); a special day with no ``like`` (e.g.
    Passover's intermediate days) gets none: it is left out of every day type."""
    dtype = dates.dt.day_name().map(types)
    if holidays:
        key = dates.dt.strftime("%Y-%m-%d")
        listed = key.isin(list(holidays))
        like = key[listed].map(lambda d: types.get(holidays[d].like or ""))
        dtype = dtype.where(~listed, like)
    return dtype


def calendar_report(df, dtype, holidays: dict, table: str) -> dict:
    """What the calendar did to the log's days: holidays met and their day type, the
    years the table does not cover, and days whose volume is below half of their day
    type's median day (an unlisted holiday, or a partial day: taken at their weekday),
    and the dates between the first and the last without any call (e.g. 11-12 January)."""
    import pandas as pd

    dates = sorted({str(d)[:10] for d in df["date"].unique()})
    day_type = {d: t for d, t in dtype.groupby(df["date"].dt.strftime("%Y-%m-%d"))
                .first().items() if isinstance(t, str)}
    met = [{"date": d, "name": holidays[d].name, "like": holidays[d].like,
            "day_type": day_type.get(d)} for d in dates if d in holidays]
    covered = {d[:4] for d in holidays}
    asked = df["outcome"].isin(ASKED) & dtype.notna()
    per_day = df[asked].groupby([dtype[asked], df["date"][asked]]).size()
    low = []
    for typ, n in per_day.groupby(level=0):
        median = float(n.median())
        low += [{"date": str(d)[:10], "day_type": typ, "calls": int(v),
                 "median_of_day_type": median}
                for (_, d), v in n.items() if v < median / 2]
    span = pd.date_range(dates[0], dates[-1]).strftime("%Y-%m-%d") if dates else []
    return {"holiday_table": table, "holidays_in_log": met,
            "dates_without_calls": [d for d in span if d not in set(dates)],
            "years_not_in_table": sorted({d[:4] for d in dates} - covered) if holidays
            else [],
            "low_volume_days": sorted(low, key=lambda r: r["date"])}


def select_days(df, opts: Options, dtype):
    """Calls of the days of ``opts.day_type`` (``dtype``: each call's day type, from
    ``date_day_types``); raises ValueError naming what exists."""
    known = sorted(set(dtype.dropna()))
    if opts.day_type not in known:
        raise ValueError(f"--day-type {opts.day_type!r}: no such days in the log; "
                         f"allowed: {', '.join(known) or '(none)'}")
    keep = pick_days(sorted(df.loc[dtype == opts.day_type, "date"].unique()), opts.days)
    dtype = dtype.where(df["date"].isin(keep) | (dtype != opts.day_type))
    return df[dtype == opts.day_type].copy(), dtype


DAY_SELECTIONS = ("all", "first-half", "second-half", "odd", "even")


def pick_days(days: list, which: str) -> list:
    """Days of the selection: ``first-half``/``second-half`` of the sorted days (the first
    gets the extra day), ``odd``/``even`` days of the month, or ``all``."""
    import pandas as pd

    if which not in DAY_SELECTIONS:
        raise ValueError(f"--days {which!r}: allowed: {', '.join(DAY_SELECTIONS)}")
    half = (len(days) + 1) // 2
    picked = {"all": days, "first-half": days[:half], "second-half": days[half:],
              "odd": [d for d in days if pd.Timestamp(d).day % 2 == 1],
              "even": [d for d in days if pd.Timestamp(d).day % 2 == 0]}[which]
    if not picked:
        raise ValueError(f"--days {which}: no such days of this day type in the log")
    return picked


def _num_key(p: str):
    try:
        return (0, float(p), p)
    except ValueError:
        return (1, 0.0, p)


def priority_rule(asked) -> dict:
    """Ranks of the logged priorities from who overtook whom in the ACD queue.

    ``rank`` maps each logged priority to its rank (0 served first); ``consistent`` is the
    share of overtakes across priorities that agree with the ranking."""
    import numpy as np

    wins: dict[tuple[str, str], int] = {}
    q = asked[asked["queued"] & (asked["desk"] == "acd")]
    for _, day in q.groupby("date"):
        t0 = (day["t_arrival"] + day["ivr_s"]).to_numpy(float)
        t1 = t0 + day["wait_s"].to_numpy(float)
        pr = day["priority"].astype(str).to_numpy()
        for i in np.flatnonzero(day["outcome"].to_numpy() == "served"):
            later = (t0 < t0[i] - 1) & (t1 > t1[i] + 1)  # earlier callers still waiting
            for p in set(pr[later]):
                wins[(pr[i], p)] = wins.get((pr[i], p), 0) + 1
    levels = sorted({str(p) for p in asked["priority"]}, key=_num_key)
    score = {p: sum(v for (a, b), v in wins.items() if a == p != b)
             - sum(v for (a, b), v in wins.items() if b == p != a) for p in levels}
    order = sorted(levels, key=lambda p: (-score[p], _num_key(p)))
    rank = {p: i for i, p in enumerate(order)}
    across = {k: v for k, v in wins.items() if k[0] != k[1]}
    agree = sum(v for (a, b), v in across.items() if rank[a] < rank[b])
    return {"rank": rank, "order": order,
            "overtakes": {f"{a} over {b}": v for (a, b), v in sorted(wins.items())},
            "consistent": agree / sum(across.values()) if across else math.nan,
            "overtakes_within_priority": sum(v for (a, b), v in wins.items() if a == b)}


def arrival_table(df, dtype, interval_s: int):
    """Mean calls per interval by day type and class (calls that asked for an agent)."""
    import pandas as pd

    per_day = 86400 // interval_s
    asked = df["outcome"].isin(ASKED)
    frame = pd.DataFrame({"day_type": dtype, "class": df["class"], "date": df["date"],
                          "k": (df["t_arrival"] // interval_s).clip(0, per_day - 1)
                          .astype(int)})[asked & dtype.notna()]
    n_days = frame.groupby("day_type")["date"].nunique()
    counts = frame.groupby(["day_type", "class", "k"]).size()
    full = pd.MultiIndex.from_product([sorted(n_days.index), sorted(set(frame["class"])),
                                       range(per_day)], names=["day_type", "class", "k"])
    out = counts.reindex(full, fill_value=0).rename("n").reset_index()
    out["days"] = out["day_type"].map(n_days)
    out["calls"] = out["n"] / out["days"]
    out["start"] = [f"{k * interval_s // 3600:02d}:{k * interval_s % 3600 // 60:02d}"
                    for k in out["k"]]
    return out.rename(columns={"k": "interval"})[
        ["day_type", "class", "interval", "start", "calls", "days"]]


def calibrate(df, dq, opts: Options, fmt: str = "generic",
              simulated: Callable[[Calibration], dict] | None = None) -> Calibration:
    """The whole calibration: the scenario mapping, its policy and the evidence report.
    ``simulated``: what each step of the hidden-work fit simulates at the step's fill
    (``--fit-on day-mix``: the calibration days in a row, ``sim.calibrate._days_in_a_row``);
    None, the mean day."""
    import numpy as np

    if 3600 % opts.interval_s:
        raise ValueError(f"--interval-s {opts.interval_s}: must divide an hour (hourly "
                         "validation); allowed e.g. 600, 900, 1200, 1800, 3600")
    if "class" not in df.columns:  # set by the caller: one day of a log labelled whole
        df = df.assign(**{"class": label_classes(df, opts.min_class_calls)})
    table_name, holidays = holiday_table(opts, fmt)
    all_types = date_day_types(df["date"], opts.day_types or day_types_of(fmt), holidays)
    log, dtype = select_days(df, opts, all_types)
    arrivals = arrival_table(df, dtype, opts.interval_s)
    asked = log[log["outcome"].isin(ASKED)]
    at_once = ((asked["outcome"] == "served") & ~asked["queued"]).groupby(
        asked["class"]).mean()
    direct = sorted(c for c, s in at_once.items() if s >= opts.direct_share)
    log["desk"] = np.where(log["class"].isin(direct), "direct", "acd")
    asked = log[log["outcome"].isin(ASKED)]
    rule = priority_rule(asked)
    reserve = _reserve(asked, log[log["outcome"] == "served"], opts)
    fits = _fit_times(log, asked)
    delays = _answer_delays(log, asked, at_once, opts)
    days = sorted(log["date"].unique())
    staff = _staffing(log, len(days), opts, fits["after_call_work"]["mean"])
    avail = _availability(log, asked, staff, opts, fits["after_call_work"]["mean"])
    away = None
    if opts.reaction and avail is not None:
        from sim.calibrate.reaction import away_task_length, fit_reaction

        served = log[log["outcome"] == "served"]
        avail["reaction"] = fit_reaction(asked, served, sorted(delays["classes"]))
        if opts.direct_reaction:  # docs/calibration.md, What limits the levels, 4
            avail["reaction"]["direct_line_s"] = 0.0
        away = away_task_length(served, fits["after_call_work"]["mean"])
    hidden = _hidden_work(asked, staff, opts, avail, away)
    a = arrivals[arrivals["day_type"] == opts.day_type]
    present = set(asked["class"])  # a class with no call on these days is left out
    volumes = {c: g.sort_values("interval")["calls"].to_numpy(float)
               for c, g in a.groupby("class") if c in present}
    scenario = _scenario(opts, volumes, rule, direct, fits, staff, hidden, delays, avail)
    policy = policy_for(scenario, opts.reserve, opts.resolved_reserve_from(),
                        opts.hold_freed)
    report = {
        "day_type": opts.day_type, "days": [str(d)[:10] for d in days],
        "interval_s": opts.interval_s, "classes": sorted(volumes),
        "served_at_once_share": {c: float(v) for c, v in at_once.items()},
        "answered_share": float((asked["outcome"] == "served").mean()) if len(asked) else 1.0,
        "direct_line_classes": direct, "priority_rule": rule, "policy": policy,
        "ivr_abandoned_not_modelled": int((log["outcome"] == "ivr_abandoned").sum()),
        "fits": fits,
        "staffing": {d: [round(float(x), 3) for x in staff[d]["headcount"]]
                     for d in ("pool", "direct", "acd")},
        "staffing_method": "agents present from the first to the last call of each session "
                           f"(sessions split at pauses > {SESSION_GAP_S:g} s), time-weighted, "
                           "mean over the days; split by desk (most of the agent's talk "
                           "time) for information only: one pool is simulated",
        "answer_delay": delays, "availability": avail, "hidden_work": hidden,
        "direct_line_reserve": reserve,
        "calendar": calendar_report(df, all_types, holidays, table_name),
        "data_quality": dq.to_dict()}
    cal = Calibration(scenario, policy, report, arrivals, log, days)
    if opts.hidden_fill is None:
        from sim.calibrate.tune import fit_hidden_fill, fit_hidden_fill_by_hour

        fit = fit_hidden_fill_by_hour if opts.fill_by == "hour" else fit_hidden_fill
        fit(cal, opts, simulated)
    report["hidden_work"]["remaining"] = hidden_remaining(report)
    return cal


def _reserve(asked, served, opts: Options) -> dict:
    """The weekday evidence of a reserve by headcount; ``opts.reserve_from`` resolved (set
    to the identified headcount when ``None``) before staffing and availability use it."""
    from sim.calibrate.direct_line import reserve_evidence

    ev = reserve_evidence(asked, served, opts.reserve)
    if opts.reserve_from is None:
        opts.reserve_from = ev["reserve_from"]
    ev["used"] = opts.reserve_from
    return ev


def _fit_times(log, asked) -> dict:
    """Handle time per type, IVR time and patience per class, after-call work."""
    from sim.calibrate.fit import fit_complete
    from sim.calibrate.staffing import wrap_up_gaps

    served = log[log["outcome"] == "served"]
    out: dict = {"handle_time": {}, "ivr_time": {}, "patience": {}}
    pooled = fit_complete(served["service_s"]).to_dict()
    pooled["pooled_over"] = "all types (too few calls of this one)"
    for typ, x in served.groupby("type"):
        out["handle_time"][typ] = (fit_complete(x["service_s"]).to_dict()
                                   if (x["service_s"] > 0).sum() >= MIN_SAMPLE else pooled)
    for cls, x in asked.groupby("class"):
        own = x.loc[x["outcome"] == "served", "service_s"]
        if cls.endswith("_other") or cls.split("_", 1)[1] not in out["handle_time"]:
            # a pooled class (or one never served): its own sample, or all if too small
            out["handle_time"][cls] = (fit_complete(own).to_dict()
                                       if (own > 0).sum() >= MIN_SAMPLE else pooled)
        ivr = x["ivr_s"]
        out["ivr_time"][cls] = (fit_complete(ivr).to_dict() if (ivr > 0).sum() >= MIN_SAMPLE else
                                {"spec": {"dist": "deterministic", "value": float(ivr.mean())}})
        out["patience"][cls] = _patience(asked, cls)
    gaps = wrap_up_gaps(served)
    gaps = gaps[(gaps > 0) & (gaps <= 60)]
    acw = fit_complete(gaps).to_dict() if len(gaps) >= MIN_SAMPLE else {
        "spec": {"dist": "deterministic", "value": 0.0}}
    acw.update(mean=float(gaps.mean()) if len(gaps) else 0.0,
               method="gaps in (0, 60] s between an agent's hang-up and his next answer "
                      "when that call was already waiting")
    out["after_call_work"] = acw
    return out


def _answer_delays(log, asked, at_once, opts: Options) -> dict:
    """Answer-delay laws where the log supports them (``sim.calibrate.delay``)."""
    if not opts.answer_delay:
        return {"method": "off (--answer-delay off)", "classes": {}}
    from sim.calibrate.delay import fit_answer_delays

    return fit_answer_delays(asked, log[log["outcome"] == "served"],
                             {c: float(v) for c, v in at_once.items()})


def _patience(asked, cls: str) -> dict:
    """Censored fit on the class's queued calls; pooled when abandonments are few."""
    from sim.calibrate.fit import fit_censored

    q = asked[asked["queued"]]
    prio = asked.loc[asked["class"] == cls, "priority"].iloc[0]
    for scope, sample in ((cls, q[q["class"] == cls]),
                          (f"priority {prio}", q[q["priority"] == prio]), ("all", q)):
        ab = sample["outcome"] == "abandoned"
        if ab.sum() >= MIN_ABANDONS:
            return {**fit_censored(sample["wait_s"], ab).to_dict(), "pooled_over": scope}
    return {"spec": None, "pooled_over": "none: too few abandonments (never abandons)"}


def _staffing(log, n_days: int, opts: Options, acw_mean: float) -> dict:
    """Headcount by desk and for the pool; talk and wrap-up seconds per interval."""
    from sim.calibrate.staffing import staffing

    per_day = 86400 // opts.interval_s
    served = log[log["outcome"] == "served"]
    st = staffing(served, n_days, opts.interval_s, per_day)
    head = (st["direct"]["headcount"] + st["acd"]["headcount"]) * opts.staffing_factor
    n = served.groupby((served["t_answer"] // opts.interval_s).clip(0, per_day - 1)
                       .astype(int)).size().reindex(range(per_day), fill_value=0)
    st["pool"] = {"headcount": head, "staff": [int(math.floor(h + 0.5)) for h in head],
                  "talk_s": st["direct"]["talk_s"] + st["acd"]["talk_s"],
                  "answered": n.to_numpy(float) / n_days,
                  "wrap_s": n.to_numpy(float) * acw_mean / n_days}
    return st


def _availability(log, asked, staff: dict, opts: Options, acw_mean: float = 0.0
                  ) -> dict | None:
    """Fractional presence, the not-ready share and, with ``states``, not ready after
    calls (``sim.calibrate.availability``)."""
    if not opts.availability:
        return None
    from sim.calibrate.availability import (
        last_agent_evidence,
        not_ready_after_calls,
        not_ready_share,
        schedule,
        with_on_call,
    )

    served = log[log["outcome"] == "served"]
    nr = not_ready_share(asked, served, opts.reserve, opts.interval_s,
                         opts.resolved_reserve_from())
    if not opts.not_ready:  # measured and reported, but left to hidden work
        nr = {**nr, "measured_share": nr["share"], "share": [0.0] * len(nr["share"]),
              "used": False}
    present, on_call = with_on_call(staff["pool"]["headcount"], asked, opts.interval_s,
                                    opts.reserve, opts.resolved_reserve_from())
    staffing, shrink = schedule(present, nr["share"])
    last = last_agent_evidence(asked, served)
    last["used"] = opts.last_agent_stays
    available = [float(p) * (1 - s) for p, s in zip(present, nr["share"], strict=True)]
    after = not_ready_after_calls(asked, served, acw_mean) if opts.states else None
    return {"not_ready": nr, "after_call_not_ready": after, "staffing": staffing,
            "shrinkage": shrink,
            "present": [round(float(p), 3) for p in present], "on_call_intervals": on_call,
            "available": [round(a, 3) for a in available], "last_agent": last,
            "method": "scheduled = ceil(agents present); shrinkage leaves present x "
                      "(1 - not-ready share) available, fractional (partial presence)"}


def _hidden_work(asked, staff: dict, opts: Options, avail: dict | None = None,
                 away: dict | None = None) -> dict:
    """Unlogged agent time per interval (of available agents, when availability is
    modelled), as tasks of the estimated mean length (``away``: read off the agents'
    unlogged stretches, with the reaction rule on; else the method of moments)."""
    import numpy as np

    from sim.calibrate.staffing import hidden_task_estimate

    pool = staff["pool"]
    heads = np.asarray(avail["available"] if avail else pool["staff"], float)
    not_ready_s = np.asarray(pool["answered"], float) * after_call_not_ready_s(avail)
    idle = np.maximum(0.0, heads * opts.interval_s - pool["talk_s"] - pool["wrap_s"]
                      - not_ready_s)
    q = asked[asked["queued"] & (asked["desk"] == "acd")]
    est = hidden_task_estimate(q, staff["acd"]["headcount"], opts.interval_s)
    if away is not None:  # wait x agents assumes the 1/n the reaction rule removes
        est = {**away, "method_of_moments_s": est["task_mean_s"],
               "empty_queue_wait_by_agents": est["empty_queue_wait_by_agents"]}
    task = opts.hidden_task_s or est["task_mean_s"]
    if not task or not math.isfinite(task):
        task = 180.0
    return {"task_mean_s": float(task), "task_estimate": est,
            "unlogged_agent_s": [round(float(x), 1) for x in idle],
            "fill": opts.hidden_fill, "fill_by": opts.fill_by, "base": opts.hidden_base,
            "present_agent_s": [round(float(x) * opts.interval_s, 1)
                                for x in pool["headcount"]],
            "available_agent_s": [round(float(x) * opts.interval_s, 1) for x in heads],
            "not_ready_after_calls_s": [round(float(x), 1) for x in not_ready_s],
            "method": "unlogged agent time = available headcount x interval - talk - "
                      "wrap-up - not ready after the log's calls (with --availability "
                      "states); tasks per interval = fill x unlogged time / task mean"
                      if opts.hidden_base == "unlogged" else
                      "unlogged agent time = available headcount x interval - talk - "
                      "wrap-up - not ready after the log's calls (with --availability "
                      "states); tasks per interval = min(fill x available time, unlogged "
                      "time) / task mean (--hidden-base available)"}


def after_call_not_ready_s(avail: dict | None) -> float:
    """Expected seconds not ready after one call (prob x mean duration; 0 when off)."""
    after = (avail or {}).get("after_call_not_ready")
    if not after or not after.get("spec"):
        return 0.0
    from sim.calibrate.fit import law_mean

    return float(after["prob"]) * law_mean(after["spec"])


def hidden_remaining(report: dict) -> dict:
    """How much of the agents' time the model still leaves to hidden work, and how much
    the not-ready-after-calls state names (agent-hours a day; shares of the available
    agent time, i.e. present with on-call agents, net of any not-ready share)."""
    from sim.calibrate.hidden import hidden_agent_s

    hw = report["hidden_work"]
    available = sum(hw["available_agent_s"])
    hidden = sum(hidden_agent_s(hw)) if hw["fill"] is not None else 0.0
    named = sum(hw["not_ready_after_calls_s"])
    return {"available_agent_hours": round(available / 3600, 1),
            "hidden_agent_hours": round(hidden / 3600, 1),
            "hidden_share_of_available": round(hidden / available, 4) if available else None,
            "not_ready_after_calls_agent_hours": round(named / 3600, 1),
            "not_ready_after_calls_share_of_available":
                round(named / available, 4) if available else None}


def _scenario(opts: Options, volumes: dict, rule: dict, direct: list[str], fits: dict,
              staff: dict, hidden: dict, delays: dict, avail: dict | None = None) -> dict:
    """The simple-scenario mapping that ``sim.config.build_model_spec`` accepts."""
    classes = {}
    for cls in sorted(volumes):
        prio, typ = cls[1:].split("_", 1)
        ht = fits["handle_time"].get(cls) or fits["handle_time"][typ]
        classes[cls] = {
            "calls_per_interval": [round(float(v), 4) for v in volumes[cls]],
            "priority": 0 if cls in direct else 1 + rule["rank"][prio],
            "queue": DIRECT_QUEUE if cls in direct else ACD_QUEUE,
            "patience": fits["patience"][cls]["spec"],
            "ivr_time": fits["ivr_time"][cls]["spec"], "handle_time": ht["spec"],
            "after_call_work": fits["after_call_work"]["spec"]}
        if cls in delays["classes"]:
            classes[cls]["answer_delay"] = delays["classes"][cls]["spec"]
    classes[HIDDEN] = {"calls_per_interval": hidden_volume(hidden),
                       "priority": 2 + len(rule["rank"]), "queue": HIDDEN, "patience": None,
                       "handle_time": {"dist": "exponential",
                                       "mean": round(hidden["task_mean_s"], 3)},
                       "kind": "work"}  # the agents' own work: no call in the KPIs
    queues = {DIRECT_QUEUE: {"groups": [AGENTS], "max_wait_s": DIRECT_MAX_WAIT_S}} \
        if direct else {}
    queues.update({ACD_QUEUE: {"groups": [AGENTS]}, HIDDEN: {"groups": [AGENTS]}})
    return {"name": opts.name,
            "horizon": {"days": 1, "interval_s": opts.interval_s,
                        "intervals_per_day": 86400 // opts.interval_s, "warmup_s": 0,
                        "drain_s": 3600},
            "arrivals": {"calls_per_interval": 0}, "classes": classes, "queues": queues,
            "groups": {AGENTS: _group(staff, avail, list(queues))},
            "service_level_s": opts.service_level_s}


def _group(staff: dict, avail: dict | None, queues: list[str]) -> dict:
    if avail is None:
        return {"staffing": staff["pool"]["staff"], "queues": queues}
    av: dict = {"shrinkage": avail["shrinkage"]}
    after = avail.get("after_call_not_ready")
    if after and after.get("spec"):
        av["not_ready"] = {"prob": after["prob"], "duration": after["spec"]}
    if avail["last_agent"]["used"]:  # the callers' queues, not the hidden work's
        av["last_agent_stays_for"] = [q for q in queues if q != HIDDEN]
    reaction = avail.get("reaction")
    if reaction and reaction.get("spec"):  # agents in hidden work come back for callers
        av["reaction_time"] = reaction["spec"]
        av["away_work"] = [HIDDEN]
        if "direct_line_s" in reaction and DIRECT_QUEUE in queues:
            av["reaction_time_by_queue"] = {DIRECT_QUEUE: reaction["direct_line_s"]}
    return {"staffing": avail["staffing"], "queues": queues, "availability": av}


def policy_for(scenario: dict, reserve: int, reserve_from: int = 0,
               hold_freed: bool = True) -> dict:
    """Reservation keeps ``reserve`` agents free for the direct line (its callers are
    answered at once even while ACD callers wait, as in the log) from ``reserve_from``
    agents on duty (0, at every headcount, is not written), holding a freed agent too
    unless ``hold_freed`` is off (written only then); else strict priority."""
    if DIRECT_QUEUE in scenario["queues"]:
        params: dict = {"reserve": int(reserve), "vip_queue": DIRECT_QUEUE}
        if reserve_from:
            params["reserve_from"] = int(reserve_from)
        if not hold_freed:
            params["hold_freed"] = False
        return {"name": "reservation", "class": "sim.policies.reservation.Reservation",
                "params": params}
    return {"name": "strict_priority",
            "class": "sim.policies.strict_priority.StrictPriority"}
