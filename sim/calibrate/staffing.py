"""Staffing and agents' unlogged time, estimated from who served whom and when.

Why this estimator: a call log records agents only while they talk. An agent is taken to
be present from the start of the first to the end of the last call of a *session* (calls
less than ``SESSION_GAP_S`` apart); the headcount of an interval is the time-weighted
number of agents present, averaged over the days of the day type. Counting every agent
who served a call in the interval instead would count both the leaving and the arriving
agent at a shift change for the whole interval. Present agents talk only part of the
time; what they do otherwise is not in the log: it becomes *hidden work*
(``sim.calibrate.calibration``).
"""

from __future__ import annotations

DESKS = ("direct", "acd")


def _pieces(served, interval_s: float, per_day: int):
    """Each service split into its pieces per interval: date, server, desk, k, seconds."""
    import numpy as np
    import pandas as pd

    start = served["t_answer"].to_numpy(float)
    end = start + np.maximum(served["service_s"].to_numpy(float), 1.0)
    k0 = np.minimum((start // interval_s).astype(np.int64), per_day - 1)
    k1 = np.minimum(((end - 1e-9) // interval_s).astype(np.int64), per_day - 1)
    k1 = np.maximum(k1, k0)
    reps = (k1 - k0 + 1).astype(np.int64)
    idx = np.repeat(np.arange(len(served)), reps)
    k = k0[idx] + (np.arange(len(idx)) - np.repeat(np.cumsum(reps) - reps, reps))
    lo = np.maximum(start[idx], k * interval_s)
    hi = np.where(k == per_day - 1, end[idx], np.minimum(end[idx], (k + 1) * interval_s))
    return pd.DataFrame({"date": served["date"].to_numpy()[idx],
                         "server": served["server"].to_numpy()[idx],
                         "desk": served["desk"].to_numpy()[idx], "k": k,
                         "seconds": np.maximum(hi - lo, 0.0)})


SESSION_GAP_S = 1800.0  # a longer pause between two calls of an agent ends his session


def presence(served, interval_s: float, per_day: int, gap_s: float = SESSION_GAP_S):
    """Agent-seconds present per (date, k, server): an agent is present from the start of
    his first call to the end of his last call of a session (calls less than ``gap_s``
    apart), so an agent leaving and one arriving at a shift change are not both counted
    for the whole interval."""
    sess = sessions(served, gap_s)
    sess["service_s"] = sess["end"] - sess["t_answer"]
    sess["desk"] = ""
    return _pieces(sess, interval_s, per_day).groupby(["date", "k", "server"])[
        "seconds"].sum()


def sessions(served, gap_s: float = SESSION_GAP_S):
    """One row per agent session (date, server, t_answer = start, end): his calls less
    than ``gap_s`` apart, from the start of the first to the end of the last."""
    import numpy as np
    import pandas as pd

    s = served[served["server"] != ""].sort_values(["date", "server", "t_answer"])
    start = s["t_answer"].to_numpy(float)
    end = start + np.maximum(s["service_s"].to_numpy(float), 1.0)
    key = (s["date"].astype(str) + "|" + s["server"]).to_numpy()
    # latest end so far of this agent's calls that day only: another agent's (or day's)
    # late end must not bridge this agent's pause
    prev_end = pd.Series(end).groupby(key).cummax().groupby(key).shift().to_numpy(float)
    new = np.ones(len(s), bool)
    new[1:] = (key[1:] != key[:-1]) | (start[1:] - prev_end[1:] > gap_s)
    sid = np.cumsum(new)
    sess = pd.DataFrame({"sid": sid, "date": s["date"].to_numpy(), "server": s["server"]
                         .to_numpy(), "t_answer": start, "end": end})
    return sess.groupby("sid").agg(date=("date", "first"), server=("server", "first"),
                                   t_answer=("t_answer", "min"), end=("end", "max"))


def staffing(served, n_days: int, interval_s: float, per_day: int) -> dict:
    """Mean headcount (agents present, time-weighted) and mean talk seconds per interval,
    by desk. ``served`` needs date, server ('' unknown), desk, t_answer, service_s; calls
    without a server count for talk time but name no agent. An agent counts for the desk
    of most of his talk time in the interval (or that day, if he talked in no call of
    it)."""
    import numpy as np
    import pandas as pd

    pieces = _pieces(served, interval_s, per_day)
    named = pieces[pieces["server"] != ""]
    talk = named.groupby(["date", "k", "server", "desk"])["seconds"].sum().unstack(
        "desk", fill_value=0.0).reindex(columns=list(DESKS), fill_value=0.0)
    day = named.groupby(["date", "server", "desk"])["seconds"].sum().unstack(
        "desk", fill_value=0.0).reindex(columns=list(DESKS), fill_value=0.0)
    present = presence(served, interval_s, per_day).rename("present")
    agents = talk.join(present, how="outer").fillna(0.0).reset_index()
    daily = day.reindex(pd.MultiIndex.from_frame(agents[["date", "server"]])).to_numpy()
    direct = np.where(agents[list(DESKS)].sum(axis=1) > 0,
                      agents["direct"] > agents["acd"], daily[:, 0] > daily[:, 1])
    agents["home"] = np.where(direct, "direct", "acd")
    agents["w"] = agents["present"] / interval_s
    counts = agents.groupby(["k", "home"])["w"].sum()
    busy = pieces.groupby(["desk", "k"])["seconds"].sum()
    out = {}
    for d in DESKS:
        head = np.zeros(per_day)
        talk_s = np.zeros(per_day)
        if d in counts.index.get_level_values("home"):
            c = counts.xs(d, level="home")
            head[c.index.to_numpy()] = c.to_numpy() / n_days
        if d in busy.index.get_level_values("desk"):
            b = busy.xs(d, level="desk")
            talk_s[b.index.to_numpy()] = b.to_numpy() / n_days
        out[d] = {"headcount": head, "talk_s": talk_s}
    return out


def wrap_up_gaps(served):
    """Seconds between an agent's hang-up and his next answer, when that next call was
    already waiting: the agent went straight to it, so the gap is his after-call work."""
    import numpy as np

    s = served[served["server"] != ""].sort_values(["date", "server", "t_answer"])
    end = s["t_answer"] + s["service_s"]
    prev_end = end.groupby([s["date"], s["server"]]).shift()
    q_entry = s["t_arrival"] + s["ivr_s"]
    waiting = s["queued"] & (prev_end > q_entry)
    gap = (s["t_answer"] - prev_end)[waiting].to_numpy(float)
    return gap[np.isfinite(gap)]


def hidden_task_estimate(queued, headcount_acd, interval_s: float) -> dict:
    """Mean length of an agent's unlogged task, by the method of moments.

    A call that enters an empty ACD queue while every agent is busy waits for the first of
    n agents to finish: with tasks of mean T, about T / n. So T ~ mean(wait x n) over the
    served calls that found nobody waiting ahead of them."""
    import numpy as np

    rows, by_n = [], []
    for _, day in queued.groupby("date"):
        t0 = (day["t_arrival"] + day["ivr_s"]).to_numpy(float)
        t1 = t0 + day["wait_s"].to_numpy(float)
        ahead = ((t0[None, :] < t0[:, None]) & (t1[None, :] > t0[:, None])).sum(axis=1)
        k = np.minimum((t0 // interval_s).astype(int), len(headcount_acd) - 1)
        n = np.asarray(headcount_acd)[k]
        ok = (ahead == 0) & (day["outcome"].to_numpy() == "served") & (n >= 0.5)
        rows.append(day["wait_s"].to_numpy(float)[ok] * np.round(n[ok]))
        by_n.append(np.column_stack((np.round(n[ok]), day["wait_s"].to_numpy(float)[ok])))
    x = np.concatenate(rows) if rows else np.empty(0)
    w = np.concatenate(by_n) if by_n else np.empty((0, 2))
    # evidence: the wait at an empty queue hardly depends on how many agents are present
    waits = {int(k): {"calls": int((w[:, 0] == k).sum()),
                      "mean_wait_s": round(float(w[w[:, 0] == k, 1].mean()), 1)}
             for k in np.unique(w[:, 0])}
    return {"task_mean_s": float(x.mean()) if len(x) else float("nan"), "n": int(len(x)),
            "median_s": float(np.median(x)) if len(x) else float("nan"),
            "empty_queue_wait_by_agents": waits}
