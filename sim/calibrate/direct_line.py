"""From which headcount the centre keeps an agent free for the direct line (weekday
evidence for the reservation policy's ``reserve_from``).

The reservation policy holds ``reserve`` agents idle for direct-line callers while ACD
callers wait. Whether the log's centre does so depends on how many agents are present.
At every moment an ACD caller had waited ``PAST_DELAY_S`` (past his answer delay, so any
agent present and not talking would have taken him unless kept back or not ready:
``sim.calibrate.availability.not_ready_evidence``) the agents present and not talking are
counted, by agents present. A held agent shows as one more idle agent from the headcount
at which the centre starts holding him.

**Identification** (no free threshold): ``reserve_from`` is the fewest agents present
from which the mean number of idle agents, rounded to whole agents, reaches the reserve
-- the agents the log shows idle while ACD callers wait, counted as whole agents held --
beyond the log's sampling noise, with no headcount above it clearly short of it. Each
headcount with at least ``MIN_SAMPLES`` moments has a 95 % confidence interval for its
mean (moments of one day taken together: one long queue gives many of them); it shows
the reserve held when the interval's lower end rounds to it, and clearly not held when
its upper end rounds below it; a headcount whose interval straddles the rounding point
decides nothing. A cell of 30-60 moments knows its mean to about +-0.25 agents: with the
rounded means alone, ``reserve_from`` moved between 2 and 4 over halves of January's
weekdays (a mean of 0.50 from 32 moments at 2 agents made it 2 on the odd days).
Corroboration, not used: the share of direct-line calls answered while an ACD caller
waited, by headcount.
"""

from __future__ import annotations

import math

from sim.calibrate.availability import MIN_SAMPLES, PAST_DELAY_S, not_ready_evidence
from sim.schema.limits import MAX_AGENTS

NEVER = MAX_AGENTS  # no headcount of the log shows the reserve held: never kept


def reserve_evidence(asked, served, reserve: int) -> dict:
    """By agents present: moments an ACD caller waited ``PAST_DELAY_S``, the share with an
    agent present and not talking, the mean such agents (and per agent present); direct-
    line calls answered and the share answered while an ACD caller waited (at all, and
    past ``PAST_DELAY_S``). ``reserve_from`` identified as the module says."""
    r = not_ready_evidence(asked, served, 0)
    r["idle"] = (r["present"] - r["talking"]).clip(lower=0)
    direct = _direct_answers(asked, served)
    table = {}
    for n in sorted(set(r["present"]) | set(direct["present"])):
        g, d = r[r["present"] == n], direct[direct["present"] == n]
        table[int(n)] = {
            "moments": int(len(g)),
            "idle_share": round(float((g["idle"] >= 1).mean()), 3) if len(g) else None,
            "mean_idle": round(float(g["idle"].mean()), 3) if len(g) else None,
            **_interval(g),
            "idle_per_agent": round(float(g["idle"].mean() / n), 3) if len(g) and n else None,
            "direct_answered": int(len(d)),
            "direct_while_acd_waited": round(float(d["waiting"].mean()), 3) if len(d) else None,
            "direct_while_acd_waited_past_delay": round(float(d["waiting_past"].mean()), 3)
            if len(d) else None}
    k = identify_reserve_from(table, reserve)
    ok = r[r["present"] > 0]
    return {"by_agents_present": table, "reserve_from": k,
            "idle_per_agent_all": round(float(ok["idle"].sum() / ok["present"].sum()), 3)
            if len(ok) else None,
            "direct_while_acd_waited_all": round(float(direct["waiting"].mean()), 3)
            if len(direct) else None,
            "method": f"at each moment an ACD caller had waited {PAST_DELAY_S:g} s: agents "
                      f"present minus talking, by agents present; reserve_from = the fewest "
                      f"present whose mean idle agents, rounded to whole agents, reach the "
                      f"reserve ({reserve}) at the lower end of their 95 % confidence "
                      f"interval by day (mean_idle_low), no headcount above it short of it "
                      f"at the upper end (mean_idle_high); headcounts with fewer than "
                      f"{MIN_SAMPLES} moments do not count; {NEVER}: at no headcount"}


Z95 = 1.959964  # two-sided 95 % normal quantile


def _interval(g) -> dict:
    """95 % confidence interval of the mean idle agents over moments ``g``: a ratio of
    sums over the days, its variance by days (the moments of one day are not
    independent); None with fewer than two days."""
    if g["date"].nunique() < 2:
        return {"mean_idle_low": None, "mean_idle_high": None}
    days = g.groupby("date")["idle"].agg(["sum", "count"])
    d, n = len(days), float(days["count"].sum())
    mean = float(days["sum"].sum()) / n
    var = float(((days["sum"] - mean * days["count"]) ** 2).sum()) / n ** 2 * d / (d - 1)
    half = Z95 * math.sqrt(var)
    return {"mean_idle_low": round(mean - half, 3), "mean_idle_high": round(mean + half, 3)}


def identify_reserve_from(table: dict, reserve: int) -> int:
    """The fewest agents present whose idle agents reach ``reserve`` (the lower end of the
    mean's confidence interval, rounded), no headcount above it falling clearly short
    (the upper end, rounded, below ``reserve``); headcounts with fewer than
    ``MIN_SAMPLES`` moments do not count. 0 for no reserve, ``NEVER`` if none."""
    if reserve <= 0:
        return 0
    known = [(n, row["mean_idle_low"], row["mean_idle_high"])
             for n, row in sorted(table.items())
             if n > 0 and row["moments"] >= MIN_SAMPLES]
    k = NEVER
    for n, low, high in reversed(known):
        if high is not None and int(high + 0.5) < reserve:
            break  # clearly no agent held here, so none from any lower headcount
        if low is not None and int(low + 0.5) >= reserve:
            k = n
    return k


def _direct_answers(asked, served):
    """Direct-line calls answered: agents present then, and whether an ACD caller was
    waiting (at all; past ``PAST_DELAY_S``)."""
    import numpy as np
    import pandas as pd

    from sim.calibrate.delay import _covering
    from sim.calibrate.staffing import sessions

    sess = sessions(served)
    rows = []
    for date, day in asked.groupby("date"):
        q = day[day["queued"] & (day["desk"] == "acd")]
        t0 = (q["t_arrival"] + q["ivr_s"]).to_numpy(float)
        w = q["wait_s"].to_numpy(float)
        d = day[(day["desk"] == "direct") & (day["outcome"] == "served")]
        t = d["t_answer"].to_numpy(float)
        s = sess[sess["date"] == date]
        rows.append(pd.DataFrame({
            "present": _covering(s["t_answer"].to_numpy(float), s["end"].to_numpy(float), t),
            "waiting": _covering(t0, t0 + w, t) > 0,
            "waiting_past": _covering(t0 + PAST_DELAY_S, t0 + w, t) > 0}))
    if not rows:
        return pd.DataFrame({"present": np.zeros(0, int), "waiting": [], "waiting_past": []})
    return pd.concat(rows, ignore_index=True)
