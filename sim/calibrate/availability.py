"""Agents' availability from the log's evidence (issue 16): presence kept fractional, and
the share of present agents who are not ready.

**Presence.** Agents present per interval (``sim.calibrate.staffing``, time-weighted) are
fractional: 0.2 at night is an agent in a session for a fifth of the interval. The
scenario schedules ``ceil(present)`` agents with ``availability.shrinkage`` such that
``scheduled x (1 - shrinkage)`` is the present, then available, headcount; the simulator
keeps the fraction as one agent present for that share of the interval
(:mod:`sim.schema.availability`), never rounding it away while calls arrive.

**Not ready** (identified from the log, not fitted to any validation target). Whenever a
queued ACD caller has already waited ``PAST_DELAY_S`` (longer than the answer delay of
almost every caller), any agent present but neither talking nor in his few seconds of
after-call work would have taken him, unless unavailable. So at those moments

    not ready = max(present - talking - reserve, 0)

(``reserve``: the agents the reservation policy keeps for the direct line) measures the
unavailable agents directly; the share is ``not ready / present``, per hour of the day
(hours with fewer than ``MIN_SAMPLES`` such moments take the all-day share). After-call
work is the separate fitted law (gaps of at most 60 s: ``sim.calibrate.fit``); the gaps
between an agent's hang-up and his next call when that call was already waiting are
5 s at the median and above 60 s in 0.5 % of cases, so not-ready periods do not follow
calls: they are a share of the present agents, modelled as absent from the queue
(``shrinkage``).
"""

from __future__ import annotations

import math
from typing import Any

PAST_DELAY_S = 90.0  # a caller who waited this long is past his answer delay
ACW_SLACK_S = 5.0  # median gap from hang-up to the next waiting call (log)
MIN_SAMPLES = 30


def not_ready_evidence(asked, served, reserve: int, reserve_from: int = 0):
    """One row per moment an ACD caller waited ``PAST_DELAY_S``: date, hour, agents present,
    talking (incl. ``ACW_SLACK_S``), not ready (the reserve subtracted where at least
    ``reserve_from`` agents are present)."""
    import numpy as np
    import pandas as pd

    from sim.calibrate.delay import _covering
    from sim.calibrate.staffing import sessions

    q = asked[asked["queued"] & (asked["desk"] == "acd")]
    named = served[served["server"] != ""]
    sess = sessions(served)
    rows = []
    for date, day in q.groupby("date"):
        t0 = (day["t_arrival"] + day["ivr_s"]).to_numpy(float)
        w = day["wait_s"].to_numpy(float)
        t = t0[w > PAST_DELAY_S + ACW_SLACK_S] + PAST_DELAY_S
        s = sess[sess["date"] == date]
        c = named[named["date"] == date]
        st = c["t_answer"].to_numpy(float)
        en = st + np.maximum(c["service_s"].to_numpy(float), 1.0) + ACW_SLACK_S
        present = _covering(s["t_answer"].to_numpy(float), s["end"].to_numpy(float), t)
        talking = _covering(st, en, t)
        rows.append(pd.DataFrame({"date": date, "hour": (t // 3600).astype(int).clip(0, 23),
                                  "present": present, "talking": talking}))
    if not rows:
        return pd.DataFrame(columns=["date", "hour", "present", "talking", "not_ready"])
    r = pd.concat(rows, ignore_index=True)
    held = np.where(r["present"] >= reserve_from, reserve, 0)
    r["not_ready"] = (r["present"] - r["talking"] - held).clip(lower=0)
    return r


def not_ready_share(asked, served, reserve: int, interval_s: int, reserve_from: int = 0
                    ) -> dict:
    """Share of present agents not ready, per interval of the day, with its evidence."""
    r = not_ready_evidence(asked, served, reserve, reserve_from)
    per_day = 86400 // interval_s
    total = float(r["not_ready"].sum() / r["present"].sum()) if r["present"].sum() else 0.0
    by_hour = {}
    for h, g in r.groupby("hour"):
        ok = len(g) >= MIN_SAMPLES and g["present"].sum() > 0
        by_hour[int(h)] = {"moments": int(len(g)),
                           "present": round(float(g["present"].mean()), 2),
                           "not_ready": round(float(g["not_ready"].mean()), 2),
                           "share": round(float(g["not_ready"].sum() / g["present"].sum()), 4)
                           if ok else None}
    share = []
    for k in range(per_day):
        h = by_hour.get(k * interval_s // 3600)
        share.append(h["share"] if h and h["share"] is not None else round(total, 4))
    return {"share": share, "all_day_share": round(total, 4), "by_hour": by_hour,
            "moments": int(len(r)),
            "method": f"at each moment an ACD caller had waited {PAST_DELAY_S:g} s: agents "
                      f"present (in a session) minus talking (call + {ACW_SLACK_S:g} s) "
                      f"minus the reserve, over present; per hour (all-day share where "
                      f"fewer than {MIN_SAMPLES} moments)"}


def with_on_call(present, asked, interval_s: int, reserve: int = 0, reserve_from: int = 0
                 ) -> tuple[list[float], list[int]]:
    """At least ``reserve + 1`` agents present in every interval in which callers asked
    for one: the on-call agent beyond those the reservation policy keeps free for the
    direct line (with only the reserved agent present, no ACD caller is ever answered,
    while the log answers them at night); one agent when the reserve applies only from
    more than ``reserve + 1`` agents on duty (``reserve_from``).

    Presence is measured from an agent's first to his last call, so where calls are rare
    (the night: 0.1 calls a day) it is the length of the calls themselves, a few
    hundredths of an agent -- yet the log answers those callers within seconds (hourly
    mean waits of 0-48 s between 0 and 6 h) and no caller waits longer than 1,500 s:
    someone is on call. Those intervals get one agent (listed in the evidence), before
    the not-ready share applies; without him, simulated night callers with long patience
    wait until the morning."""
    import numpy as np

    per_day = len(present)
    k = np.minimum((asked["t_arrival"].to_numpy(float) // interval_s).astype(int),
                   per_day - 1)
    asked_k = np.bincount(k, minlength=per_day) > 0
    least = float(reserve + 1 if reserve_from <= reserve + 1 else 1)
    out = [max(float(p), least) if asked_k[i] else float(p) for i, p in enumerate(present)]
    return out, [i for i, p in enumerate(present) if asked_k[i] and p < least]


def schedule(present, not_ready: list[float]) -> tuple[list[int], list[float]]:
    """Scheduled agents (ceil of present) and the shrinkage that leaves the available
    headcount present x (1 - not ready) -- fractional, kept by partial presence."""
    staffing, shrink = [], []
    for p, nr in zip(present, not_ready, strict=True):
        n = int(math.ceil(float(p) - 1e-9)) if p > 1e-9 else 0
        avail = float(p) * (1 - nr)
        staffing.append(n)
        shrink.append(round(1 - avail / n, 4) if n else 0.0)
    return staffing, shrink


def last_agent_evidence(asked, served, samples_per_day: int = 2000, seed: int = 0) -> dict:
    """Do agents leave callers waiting? At the end of each agent session (presence: first
    to last call), whether a queued caller was waiting, for the sessions after which
    nobody was present (the last agent) and for the others, against random moments with
    an agent present (``samples_per_day`` a day, from a seeded generator). Presence by
    sessions says the agent was there until his last call; if the last agent also stays
    for the callers still waiting, fewer of his session ends find a caller waiting than
    other agents' or random moments do: evidence for ``last_agent_stays_for``."""
    import numpy as np

    from sim.calibrate.delay import _covering
    from sim.calibrate.staffing import sessions

    rng = np.random.default_rng(seed)
    q = asked[asked["queued"]]
    sess = sessions(served)
    n = {"last": [0, 0], "other": [0, 0], "random": [0, 0]}  # [moments, caller waiting]
    for date, s in sess.groupby("date"):
        d = q[q["date"] == date]
        t0 = (d["t_arrival"] + d["ivr_s"]).to_numpy(float)
        t1 = t0 + d["wait_s"].to_numpy(float)
        start, end = s["t_answer"].to_numpy(float), s["end"].to_numpy(float)
        after = _covering(start, end, end + 1e-6)
        waiting = _covering(t0, t1, end) > 0
        for key, sel in (("last", after == 0), ("other", after > 0)):
            n[key][0] += int(sel.sum())
            n[key][1] += int(waiting[sel].sum())
        t = rng.uniform(start.min(), end.max(), samples_per_day)
        t = t[_covering(start, end, t) > 0]
        n["random"][0] += len(t)
        n["random"][1] += int((_covering(t0, t1, t) > 0).sum())
    out: dict[str, Any] = {
        k: {"moments": m, "caller_waiting": w, "share": round(w / m, 4) if m else None}
        for k, (m, w) in n.items()}
    out["method"] = ("at each agent session's end, whether a queued caller was waiting: "
                     "'last' = no agent present after it, 'other' = agents still present; "
                     f"'random' = {samples_per_day} random moments a day with an agent "
                     "present (seeded)")
    return out


ACW_MAX_S = 60.0  # a longer gap from hang-up to the next call is not after-call work
MIN_RETURNS = 20  # fewer observed long gaps: no not-ready law (hidden work keeps it)


def waiting_until_empty(asked, date, past_s: float = PAST_DELAY_S):
    """For one day: the step function of ACD callers waiting past ``past_s`` (times, count
    just after each time) and the moments that count falls to 0."""
    import numpy as np

    q = asked[(asked["date"] == date) & asked["queued"] & (asked["desk"] == "acd")]
    t0 = (q["t_arrival"] + q["ivr_s"]).to_numpy(float)
    t1 = t0 + q["wait_s"].to_numpy(float)
    ok = t1 > t0 + past_s
    times = np.concatenate((t0[ok] + past_s, t1[ok]))
    step = np.concatenate((np.ones(ok.sum()), -np.ones(ok.sum())))
    order = np.lexsort((-step, times))  # at a tie, the arrival first
    times, count = times[order], np.cumsum(step[order])
    return times, count, times[count == 0]


def after_call_gaps(asked, served, past_s: float = PAST_DELAY_S):
    """Each named agent's hang-up at which an ACD caller had waited past ``past_s`` (past
    his answer delay: a ready agent would take him after his after-call work), with the
    gap to that agent's next answer in the same session. The gap is observed (``event``)
    when he answered while such callers were still waiting; otherwise it is censored at
    the moment none waited any more (from then on, being idle is not being unavailable).
    Returns arrays (time, event, hour)."""
    import numpy as np

    from sim.calibrate.staffing import SESSION_GAP_S

    named = served[served["server"] != ""].sort_values(["date", "server", "t_answer"])
    out_t, out_e, out_h = [], [], []
    for date, s in named.groupby("date"):
        times, count, empty = waiting_until_empty(asked, date, past_s)
        if not len(times):
            continue
        hang = (s["t_answer"] + s["service_s"]).to_numpy(float)
        nxt = s.groupby("server")["t_answer"].shift(-1).to_numpy(float)
        keep = np.isfinite(nxt) & (nxt - hang <= SESSION_GAP_S)  # not his session's end
        hang, gap = hang[keep], (nxt - hang)[keep]
        i = np.searchsorted(times, hang, side="right") - 1
        waiting = np.where(i >= 0, count[np.maximum(i, 0)], 0) > 0
        hang, gap = hang[waiting], gap[waiting]
        j = np.searchsorted(empty, hang, side="left")
        until = np.where(j < len(empty), empty[np.minimum(j, len(empty) - 1)] - hang, np.inf)
        out_t.append(np.maximum(np.minimum(gap, until), 0.0))
        out_e.append(gap <= until)
        out_h.append((hang // 3600).astype(int))
    if not out_t:
        return np.empty(0), np.empty(0, bool), np.empty(0, int)
    return np.concatenate(out_t), np.concatenate(out_e), np.concatenate(out_h)


def not_ready_after_calls(asked, served, acw_mean_s: float) -> dict:
    """``availability.not_ready`` {prob, duration} read off the agents' gaps after calls.

    After a call at which a caller waited past his answer delay, a ready agent takes a
    call within his after-call work (at most ``ACW_MAX_S``). ``prob`` is the Kaplan-Meier
    probability that the gap exceeds ``ACW_MAX_S`` (the gap is censored when no caller
    waits any more); ``duration`` is the censored maximum-likelihood law (AIC) of those
    longer gaps less the mean after-call work, which the simulator draws before it."""
    import numpy as np

    from sim.calibrate.fit import fit_censored, kaplan_meier, km_survival_at

    t, e, _ = after_call_gaps(asked, served)
    method = (f"hang-ups of named agents while an ACD caller had waited "
              f"{PAST_DELAY_S:g} s; gap to the agent's next answer, censored when no such "
              f"caller waited any more; prob = Kaplan-Meier P(gap > {ACW_MAX_S:g} s); "
              f"duration = censored MLE (AIC) of the longer gaps less the mean after-call "
              f"work ({acw_mean_s:.1f} s)")
    long = t > ACW_MAX_S
    if len(t) == 0 or int((long & e).sum()) < MIN_RETURNS:
        return {"prob": 0.0, "spec": None, "hang_ups": int(len(t)), "method": method,
                "note": f"fewer than {MIN_RETURNS} observed long gaps: none modelled"}
    times, surv = kaplan_meier(np.maximum(t, 0.5), e)
    prob = float(km_survival_at(times, surv, ACW_MAX_S))
    fit = fit_censored(t[long] - acw_mean_s, e[long]).to_dict()
    survival = {int(g): round(float(km_survival_at(times, surv, g)), 4)
                for g in (5, 10, 30, 60, 120, 300, 600, 1200)}
    return {"prob": round(prob, 4), "spec": fit["spec"], "fit": fit,
            "hang_ups": int(len(t)), "returns_observed": int(e.sum()),
            "long_gaps": int(long.sum()), "gap_survival": survival, "method": method}
