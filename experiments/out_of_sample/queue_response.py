"""How the agents respond to a queue, in the log and in the model (issue 16; FINDINGS
item 14).

The day-level load response (``load_response.py``) mixes many causes. This is its
moment-level form, needing no model: at each moment an ACD caller reaches the queue
(callers arrive as Poisson, so they see time averages), count the ACD callers already
waiting ahead of him, the agents present (in a session) and the agents not talking
(no call within ``ACW_SLACK_S`` of its hang-up). With a queue, an agent not talking is
not free: held for the direct line, in unlogged work, away. If the log's agents come
back as the queue builds, its agents not talking fall with the queue ahead; the model's
follow its availability mechanism (hidden work taken by an agent with nobody waiting,
the reaction rule, the reserve). The same table of a run with ``calls.parquet`` shows
which. Also each cell's mean wait of the served and share abandoned.

**Arrivals by state.** Callers who arrive independently of the centre's state arrive,
within an hour of the day, at the same rate whatever the queue. ``arrival_ratio`` splits
each day into stretches of constant state (ACD callers waiting, agents free: present, in
no call nor its after-call slack), and sets each group of callers' arrivals (at their
IVR entry) in a state against the count the hour's own rate predicts for the time spent
in it (observed / expected: 1 means no dependence). ACD callers' own arrivals make the
queue, so theirs rise with it by construction; the direct line's do not.

    python experiments/out_of_sample/queue_response.py [LOG] [RUN_DIR ...] [--day-type T]

(RUN_DIR: a run with ``calls.parquet``, or a ``ccsim validate`` output, re-simulated
with its calls kept.)
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import script_cli
from free_agents import log_days, scheduled_presence  # run by path: neighbour scripts
from long_waits import run_calls

from sim.calibrate.availability import ACW_SLACK_S
from sim.calibrate.delay import _covering

AHEAD = (0, 1, 2, 3, 5, 8, 1000)
QUEUE = (0, 1, 2, 1000)  # ACD callers waiting, bins [lo, hi), for the arrival ratio
FREE = (0, 1, 2, 3, 1000)  # agents free, bins [lo, hi)
FREE_FINE = (0, 1, 2, 3, 4, 6, 1000)  # the same, for the unidentified share
PRESENT = (1, 4, 7, 99)  # agents present, bins [lo, hi)
MIN_MOMENTS = 30


def _log_days(log):
    """Each day of the log: the day's rows, its ACD queue (entries, exits, served), the
    agents' sessions (start, end) and named calls (answer, hang-up)."""
    from sim.calibrate.staffing import sessions

    served = log[log["outcome"] == "served"]
    named = served[served["server"] != ""]
    sess = sessions(served)
    for date, day in log.groupby("date"):
        q = _queued(day)
        qs = (q["t_arrival"] + q["ivr_s"]).to_numpy(float)
        s, c = sess[sess["date"] == date], named[named["date"] == date]
        ts = c["t_answer"].to_numpy(float)
        yield day, (qs, qs + q["wait_s"].to_numpy(float), (q["outcome"] == "served").to_numpy()), \
            (s["t_answer"].to_numpy(float), s["end"].to_numpy(float)), \
            (ts, ts + np.maximum(c["service_s"].to_numpy(float), 1.0))


def _queued(day: pd.DataFrame) -> pd.DataFrame:
    """The day's ACD callers who reached the queue (the log's ``queued``), served or not."""
    return day[(day["desk"] == "acd") & day["queued"].astype(bool)
               & day["outcome"].isin(["served", "abandoned"])]


def log_moments(log) -> pd.DataFrame:
    """One row per ACD caller reaching the queue in the log: callers ahead, agents
    present and not talking, his wait, whether he was served and identified (priority
    above 0)."""
    rows = []
    for day, (qs, qe, served), (ps, pe), (ts, te) in _log_days(log):
        t = qs - 0.5  # just before he arrives
        ident = _queued(day)["priority"].astype(str).to_numpy() != "0"
        rows.append(_moments(t, qs, qe, _covering(ps, pe, t), ts, te, served, ident))
    return pd.concat(rows, ignore_index=True)


def sim_moments(run: Path) -> pd.DataFrame:
    """The same rows from a simulation run (every replication; presence from the
    scenario's schedule, fractional presence as the engine keeps it). As in the log
    (``queued``), only callers who waited: one answered as he asked is no queue entry
    (before 2026-12-05 they were counted, with wait 0; FINDINGS item 17)."""
    scn, interval, present = scheduled_presence(run)
    acd = [c for c, spec in scn["classes"].items() if spec.get("queue") == "acd"]
    calls = run_calls(run)
    rows = []
    for _, rep in calls.groupby("rep"):
        real = rep[(rep["class"] != "hidden_work") & rep["t_answer"].notna()]
        q = rep[sim_queued(rep, rep["class"].isin(acd))]
        start = q["t_queue"].to_numpy(float)
        t = start - 1e-6
        k = np.minimum((t // interval).astype(int), len(present) - 1)
        frac = present[k] - np.floor(present[k])  # one more agent for the interval's start
        rows.append(_moments(
            t, start, q["t_left_queue"].to_numpy(float),
            np.floor(present[k]) + ((t - k * interval) < frac * interval),
            real["t_answer"].to_numpy(float), real["t_end"].to_numpy(float),
            (q["outcome"] == "answered").to_numpy(),
            ~q["class"].astype(str).str.startswith("p0_").to_numpy()))
    return pd.concat(rows, ignore_index=True)


def sim_queued(rep: pd.DataFrame, acd: pd.Series) -> pd.Series:
    """A replication's callers (``acd``: of the ACD queue) who reached the queue as the
    log marks it (``queued``): abandoned there, or answered after waiting — one answered
    as he asked is no queue entry."""
    return acd & rep["t_queue"].notna() & (
        (rep["outcome"] == "abandoned")
        | ((rep["outcome"] == "answered") & (rep["t_left_queue"] > rep["t_queue"])))


def _moments(t, start, end, present, talk_start, talk_end, served, identified
             ) -> pd.DataFrame:
    """The row of each arrival at ``t``: callers in [start, end) ahead of him, agents
    present, talking (call + after-call slack), his wait, outcome and identification."""
    return pd.DataFrame({
        "ahead": _covering(start, end, t), "present": present,
        "talking": _covering(talk_start, talk_end + ACW_SLACK_S, t),
        "wait": end - start, "served": served, "identified": identified})


NOT_TALKING = (0, 1, 2, 3, 5, 1000)  # agents present and not talking, bins [lo, hi)


PRESENT_FINE = (1, 2, 3, 4, 5, 6, 7, 10, 1000)  # agents present, bins [lo, hi)


def _served_at_empty_queue(m: pd.DataFrame) -> pd.DataFrame:
    return m[(m["ahead"] == 0) & (m["present"] > 0) & m["served"]]


def empty_queue_by_present(m: pd.DataFrame, source: str) -> pd.DataFrame:
    """Waits of the served callers who queued at an empty ACD queue, by agents present
    (issue 16: in the log they hardly depend on the headcount)."""
    m = _served_at_empty_queue(m)
    present = pd.cut(m["present"], list(PRESENT_FINE), right=False)
    return pd.DataFrame([{"source": source, "present": _label(p), "callers": len(g),
                          "mean_s": round(float(g["wait"].mean()), 1)}
                         for p, g in m.groupby(present, observed=True)])


def empty_queue_waits(m: pd.DataFrame, source: str) -> pd.DataFrame:
    """Waits of the served callers who queued at an empty ACD queue with agents present,
    by identification and agents not talking (item 17): agents away on their own clocks
    give waits that fall with more agents not talking; the log's do not."""
    m = _served_at_empty_queue(m)
    free = pd.cut((m["present"] - m["talking"]).clip(lower=0), list(NOT_TALKING), right=False)
    rows = []
    for (ident, f), g in m.groupby([m["identified"], free], observed=True):
        rows.append({"source": source, "identified": bool(ident), "not_talking": _label(f),
                     "callers": len(g), "mean_s": round(float(g["wait"].mean()), 1),
                     "median_s": round(float(g["wait"].median()), 1)})
    return pd.DataFrame(rows)


def response_table(m: pd.DataFrame, source: str) -> pd.DataFrame:
    """Mean agents not talking (and as a share of those present), the served callers'
    mean wait and the share abandoned, by callers ahead and agents present."""
    m = m[m["present"] > 0]
    m = m.assign(not_talking=(m["present"] - m["talking"]).clip(lower=0),
                 ahead_bin=pd.cut(m["ahead"], list(AHEAD), right=False),
                 present_bin=pd.cut(m["present"], list(PRESENT), right=False))
    rows = []
    for (p, a), g in m.groupby(["present_bin", "ahead_bin"], observed=True):
        if len(g) < MIN_MOMENTS:
            continue
        rows.append({
            "source": source, "present": _label(p), "ahead": _label(a),
            "moments": len(g), "not_talking": round(float(g["not_talking"].mean()), 2),
            "not_talking_share": round(float((g["not_talking"] / g["present"]).mean()), 3),
            "wait_served": round(float(g.loc[g["served"], "wait"].mean()), 1),
            "abandoned": round(1 - float(g["served"].mean()), 3)})
    return pd.DataFrame(rows)


WAITED = (0, 30, 60, 120, 240, 1e9)  # seconds waited, bins of the abandonment hazard
AHEAD_COARSE = (0, 1, 3, 5, 8, 1000)


def abandonment_hazard(m: pd.DataFrame, source: str) -> pd.DataFrame:
    """Abandonments per minute of waiting, by seconds waited and ACD callers ahead at
    arrival (item 17): callers whose patience ignores the queue they find abandon at
    the same rate whatever is ahead (up to who waits when); each caller is exposed in a
    bin for the part of his wait that falls in it (a served caller is censored)."""
    rows = []
    ahead = pd.cut(m["ahead"], list(AHEAD_COARSE), right=False)
    for a, g in m.groupby(ahead, observed=True):
        w, left = g["wait"].to_numpy(float), ~g["served"].to_numpy(bool)
        for lo, hi in zip(WAITED, WAITED[1:], strict=False):
            exposure = float(np.clip(w - lo, 0, hi - lo).sum())
            n = int(((w >= lo) & (w < hi) & left).sum())
            rows.append({"source": source, "ahead": _label(a),
                         "waited_s": f"{lo:g}+" if hi > 1e8 else f"{lo:g}-{hi:g}",
                         "abandoned": n, "per_min": round(60 * n / exposure, 3)
                         if exposure else np.nan})
    return pd.DataFrame(rows)


def log_waiters(log) -> pd.DataFrame:
    """One row per ACD caller reaching the queue in the log: his type and priority
    (``cls``), the ACD callers ahead, his wait (at least 0.5 s) and whether served."""
    rows = []
    for day, (qs, qe, served), _, _ in _log_days(log):
        q = _queued(day)
        rows.append(pd.DataFrame({
            "cls": q["type"].astype(str).to_numpy() + q["priority"].astype(str).to_numpy(),
            "ahead": _covering(qs, qe, qs - 0.5), "wait": np.maximum(qe - qs, 0.5),
            "served": served}))
    return pd.concat(rows, ignore_index=True)


def patience_scales(m: pd.DataFrame) -> dict:
    """Item 18's joint fit: log patience = the class's log median at an empty queue +
    the log scale of the callers-ahead bin (``AHEAD_COARSE``; 0 for nobody ahead) +
    sigma x standard normal, one sigma; abandoned callers' waits are patiences, served
    callers' are right-censored (maximum likelihood). Returns the scales by bin, sigma
    and each class's median at an empty queue."""
    from scipy import optimize, stats

    names = sorted(m["cls"].unique())
    ci = m["cls"].map({c: i for i, c in enumerate(names)}).to_numpy()
    bi = pd.cut(m["ahead"], list(AHEAD_COARSE), right=False, labels=False).to_numpy(int)
    y, left = np.log(m["wait"].to_numpy(float)), ~m["served"].to_numpy(bool)
    nc, nb = len(names), len(AHEAD_COARSE) - 1

    def nll(p):
        shift = np.concatenate([[0.0], p[nc:nc + nb - 1]])[bi]
        sd = np.exp(p[-1])
        z = (y - p[:nc][ci] - shift) / sd
        return -np.where(left, stats.norm.logpdf(z) - np.log(sd), stats.norm.logsf(z)).sum()

    x = optimize.minimize(nll, np.concatenate([np.full(nc, np.median(y)), np.zeros(nb),
                                               ]), method="L-BFGS-B").x
    labels = [_label(pd.Interval(lo, hi, closed="left"))
              for lo, hi in zip(AHEAD_COARSE, AHEAD_COARSE[1:], strict=False)]
    scales = [1.0, *(round(float(v), 3) for v in np.exp(x[nc:nc + nb - 1]))]
    return {"scales": dict(zip(labels, scales, strict=True)),
            "sigma": round(float(np.exp(x[-1])), 3),
            "median_s": {c: round(float(np.exp(x[i])), 1) for i, c in enumerate(names)},
            "abandoned": {c: int(left[ci == i].sum()) for i, c in enumerate(names)}}


def joint_scenario(scn: dict, fit: dict) -> tuple[dict, str]:
    """``scn`` with each ACD class's patience the joint fit's law at an empty queue
    (lognormal: the class's median, the fit's sigma; classes ``p<priority>_<type>``, the
    fit's ``<type><priority>``; a class the fit lacks, or without an abandonment, whose
    median the likelihood does not bound, keeps its own), and the scales as
    the prototype patch reads them (``CCSIM_PROTO_AHEAD``, bins ``AHEAD_COARSE``): item
    18's run, from a command."""
    sigma = fit["sigma"]
    for name, c in scn["classes"].items():
        prio, _, ty = name.partition("_")
        key = f"{ty}{prio[1:]}"
        median = fit["median_s"].get(key)
        if c.get("queue") != "acd" or median is None or not fit["abandoned"].get(key):
            continue
        mean = median * np.exp(sigma ** 2 / 2)
        c["patience"] = {"dist": "lognormal", "mean": round(float(mean), 1),
                         "sd": round(float(mean * np.sqrt(np.expm1(sigma ** 2))), 1)}
    return scn, " ".join(str(v) for v in fit["scales"].values())


def _label(interval: pd.Interval) -> str:
    lo, hi = int(interval.left), int(interval.right)
    return str(lo) if hi == lo + 1 else (f"{lo}+" if hi >= 99 else f"{lo}-{hi - 1}")


def timeline(qs, qe, ts, te, ps, pe, day_s: float = 86400.0) -> pd.DataFrame:
    """One day as stretches of constant state: start, duration, ACD callers waiting
    (queue entries ``qs`` to exits ``qe``), agents present (sessions ``ps``-``pe``) and
    free (present, not talking: calls ``ts``-``te`` plus ``ACW_SLACK_S``)."""
    ev = [(qs, 1, 0, 0), (qe, -1, 0, 0), (ts, 0, 1, 0), (te + ACW_SLACK_S, 0, -1, 0),
          (ps, 0, 0, 1), (pe, 0, 0, -1)]
    t = np.concatenate([np.asarray(e[0], float) for e in ev] + [[0.0]])
    d = np.concatenate([np.tile(np.array(e[1:], float), (len(e[0]), 1)) for e in ev]
                       + [np.zeros((1, 3))])
    order = np.argsort(t, kind="stable")
    t, level = t[order], np.cumsum(d[order], axis=0)
    return pd.DataFrame({"t": t, "dur": np.diff(np.append(t, max(day_s, t[-1]))),
                         "queue": level[:, 0], "present": level[:, 2],
                         "free": np.clip(level[:, 2] - level[:, 1], 0, None)})


def state_at(tl: pd.DataFrame, t) -> pd.DataFrame:
    """The timeline's state at each time in ``t`` (just before any event at it)."""
    i = np.searchsorted(tl["t"].to_numpy(), np.asarray(t, float), side="left") - 1
    return tl.iloc[np.clip(i, 0, None)].reset_index(drop=True)


def waiting_clock(tl: pd.DataFrame, least: int = 1):
    """x -> seconds of the timeline ``tl`` up to x with at least ``least`` ACD callers
    waiting (vectorised over x)."""
    t = tl["t"].to_numpy(float)
    on = (tl["queue"].to_numpy() >= least).astype(float)
    cum = np.concatenate([[0.0], np.cumsum(tl["dur"].to_numpy(float) * on)])

    def waited(x):
        i = np.clip(np.searchsorted(t, x, side="right") - 1, 0, None)
        return cum[i] + on[i] * (x - t[i])
    return waited


def arrival_ratio(days: list[tuple[pd.DataFrame, dict]], by: str, edges: tuple,
                  source: str) -> pd.DataFrame:
    """Observed / expected arrivals of each group of callers by bins of the state ``by``
    (``queue`` or ``free``), with agents present; expected from each hour of the day's
    own rate over the days (``days``: a timeline and the groups' arrival times)."""
    segs, arr = [], []
    for tl, groups in days:
        segs.append(tl.assign(hour=(tl["t"] // 3600).astype(int)))
        for name, t in groups.items():
            st = state_at(tl, t)
            arr.append(st.assign(hour=(np.asarray(t) // 3600).astype(int), group=name))
    seg, arr_all = pd.concat(segs), pd.concat(arr)
    seg, arr_all = seg[seg["present"] > 0], arr_all[arr_all["present"] > 0]
    seg = seg.assign(bin=pd.cut(seg[by], list(edges), right=False))
    arr_all = arr_all.assign(bin=pd.cut(arr_all[by], list(edges), right=False))
    time = seg.groupby(["hour", "bin"], observed=False)["dur"].sum()
    hour_time = time.groupby(level="hour").sum()
    rows = []
    for name, a in arr_all.groupby("group"):
        n = a.groupby(["hour", "bin"], observed=False).size().reindex(time.index, fill_value=0)
        rate = (n.groupby(level="hour").sum() / hour_time.replace(0, np.nan)).fillna(0)
        expected = (time * rate.reindex(time.index.get_level_values("hour")).to_numpy()
                    ).groupby(level="bin", observed=False).sum()
        observed = n.groupby(level="bin", observed=False).sum()
        for b in observed.index:
            rows.append({"source": source, "group": name, by: _label(b),
                         "hours": round(float(time.xs(b, level="bin").sum()) / 3600, 1),
                         "arrivals": int(observed[b]),
                         "ratio": round(float(observed[b] / expected[b]), 3)
                         if expected[b] > 0 else np.nan})
    return pd.DataFrame(rows)


def log_timelines(log) -> list[tuple[pd.DataFrame, dict]]:
    """Each day of the log: its timeline and the arrival times (IVR entry) of the
    direct line, the ACD callers but TT, and TT (customers called back)."""
    out = []
    for day, (qs, qe, _), (ps, pe), (ts, te) in _log_days(log):
        tl = timeline(qs, qe, ts, te, ps, pe)
        tt = day["type"] == "TT"
        out.append((tl, {g: day.loc[m, "t_arrival"].to_numpy(float) for g, m in (
            ("direct", day["desk"] == "direct"), ("acd", (day["desk"] == "acd") & ~tt),
            ("TT", tt))}))
    return out


def sim_timelines(run: Path) -> list[tuple[pd.DataFrame, dict]]:
    """Each replication of a run: the same (presence from the scenario's schedule, one
    more agent for the fractional part at the interval's start; hidden work not a call)."""
    scn, interval, present = scheduled_presence(run)
    whole = np.floor(present).astype(int)
    k = np.arange(len(present))
    ps = np.concatenate([np.repeat(k * interval, whole), k * interval])
    pe = np.concatenate([np.repeat((k + 1) * interval, whole),
                         (k + present - whole) * interval])
    queue_of = {c: spec.get("queue") for c, spec in scn["classes"].items()}
    calls = run_calls(run)
    out = []
    for _, rep in calls.groupby("rep"):
        queue = rep["class"].map(queue_of)
        real = rep[(queue != "hidden_work") & rep["t_answer"].notna()]
        q = rep[(queue == "acd") & rep["outcome"].isin(["answered", "abandoned"])
                & rep["t_queue"].notna()]
        tl = timeline(q["t_queue"].to_numpy(float), q["t_left_queue"].to_numpy(float),
                      real["t_answer"].to_numpy(float), real["t_end"].to_numpy(float),
                      ps, pe)
        # a direct-line attempt the 1 s wait disconnects is a busy tone: not in a log
        logged = rep["outcome"] != "disconnected"
        out.append((tl, {g: rep.loc[m, "t_arrival"].to_numpy(float) for g, m in (
            ("direct", (queue == "direct_line") & logged), ("acd", queue == "acd"))}))
    return out


def type_timelines(log, days: list, types: tuple[str, ...] = ("PS", "NE")
                   ) -> list[tuple[pd.DataFrame, dict]]:
    """The log's timelines with the arrivals of each type split by identification:
    ``PS`` (every priority), ``PS p0`` (unidentified: the direct line) and ``PS p1-2``
    (``days``: ``log_timelines(log)``)."""
    out = []
    for (tl, _), (_, day) in zip(days, log.groupby("date"), strict=True):
        p0 = day["priority"].astype(str) == "0"
        groups = {}
        for ty in types:
            is_ty = day["type"] == ty
            for name, m in ((ty, is_ty), (f"{ty} p0", is_ty & p0), (f"{ty} p1-2", is_ty & ~p0)):
                groups[name] = day.loc[m, "t_arrival"].to_numpy(float)
        out.append((tl, groups))
    return out


def unidentified_share(log, days: list, types: tuple[str, ...] = ("PS", "NE"),
                       free: tuple = FREE, present: tuple | None = None) -> pd.DataFrame:
    """Share of the types' callers who arrive unidentified (priority 0), by ACD callers
    waiting and agents free at their IVR entry (agents present; ``days``:
    ``log_timelines(log)``; ``free``: the bins of agents free; ``present``: also by
    these bins of agents present)."""
    arrivals = []
    for (tl, _), (_, day) in zip(days, log.groupby("date"), strict=True):
        d = day[day["type"].isin(types)]
        arrivals.append((tl, d["t_arrival"].to_numpy(float),
                         (d["priority"].astype(str) == "0").to_numpy()))
    return share_by_state(arrivals, free, present)


def sim_unidentified_share(run: Path, types: tuple[str, ...] = ("PS", "NE"),
                           free: tuple = FREE, present: tuple | None = None
                           ) -> pd.DataFrame:
    """The same for a run whose types arrive as classes ``p0_TYPE`` (unidentified),
    ``p1_TYPE`` and ``p2_TYPE`` (a direct-line attempt the 1 s wait disconnects is a busy
    tone, which a log does not show)."""
    classes = {f"p{k}_{ty}": k for ty in types for k in range(3)}
    arrivals = []
    for (tl, _), (_, rep) in zip(sim_timelines(run), run_calls(run).groupby("rep"),
                                 strict=True):
        d = rep[rep["class"].isin(list(classes)) & (rep["outcome"] != "disconnected")]
        arrivals.append((tl, d["t_arrival"].to_numpy(float),
                         (d["class"].map(classes) == 0).to_numpy()))
    return share_by_state(arrivals, free, present)


def share_by_state(arrivals: list[tuple[pd.DataFrame, np.ndarray, np.ndarray]],
                   free: tuple = FREE, present: tuple | None = None) -> pd.DataFrame:
    """Mean of a flag over arrivals by the state each finds (``arrivals``: a timeline,
    the arrival times and their flags, per day or replication; with ``present``, also
    by those bins of agents present)."""
    rows = []
    for tl, t, flag in arrivals:
        st = state_at(tl, t)
        rows.append(pd.DataFrame({
            "queue": pd.cut(st["queue"], list(QUEUE), right=False).map(_label),
            "free": pd.cut(st["free"], list(free), right=False).map(_label),
            "present": st["present"].to_numpy(), "unidentified": flag}))
    m = pd.concat(rows)
    m = m[m["present"] > 0]
    by = ["queue", "free"]
    if present is not None:
        m["agents"] = pd.cut(m["present"], list(present), right=False).map(_label)
        by = ["agents", *by]
    return m.groupby(by, observed=True)["unidentified"].agg(
        callers="size", unidentified="mean").round(3).reset_index()


def write_joint_scenario(log, src: Path, out: Path) -> None:
    """``joint_scenario`` of the log's joint fit on ``src``, written to ``out`` with a
    header saying how to run it."""
    import yaml

    text = src.read_text()
    head = "".join(line for line in text.splitlines(True) if line.startswith("#"))
    scn, scales = joint_scenario(yaml.safe_load(text), patience_scales(log_waiters(log)))
    note = (f"# queue_response.py --joint-scenario: ACD patience at an empty queue from the "
            f"joint fit (FINDINGS item 18); run it with the prototype patch applied and\n"
            f"#   CCSIM_PROTO_AHEAD=\"{scales}\" ccsim validate --scenario {out} ...\n")
    out.write_text(head + note + yaml.safe_dump(scn, sort_keys=False))
    print(f"{out}: CCSIM_PROTO_AHEAD=\"{scales}\"")


def main(argv: list[str] | None = None) -> None:
    p = script_cli.log_runs_parser(__doc__)
    p.add_argument("--joint-scenario", type=Path, nargs=2, metavar=("IN.yaml", "OUT.yaml"),
                   help="write IN with the joint fit's patience laws at an empty queue "
                        "(item 18) to OUT, print the scales for the prototype patch, stop")
    a = p.parse_args(argv)
    log = log_days(a.log, a.day_type)
    if a.joint_scenario:
        write_joint_scenario(log, *a.joint_scenario)
        return
    moments = [(log_moments(log), f"log {a.day_type}")]
    moments += [(sim_moments(run), f"sim {run.name}") for run in a.runs]
    t = pd.concat([response_table(m, src) for m, src in moments], ignore_index=True)
    hz = pd.concat([abandonment_hazard(m, src) for m, src in moments], ignore_index=True)
    days = log_timelines(log)
    lines = [(days, f"log {a.day_type}")]
    lines += [(sim_timelines(run), f"sim {run.name}") for run in a.runs]
    with pd.option_context("display.width", 250, "display.max_columns", 60):
        for value in ("not_talking", "not_talking_share", "wait_served", "abandoned",
                      "moments"):
            print(f"\n{value}, by agents present and ACD callers ahead:")
            print(t.pivot_table(index=["present", "ahead"], columns="source", values=value,
                                sort=False).to_string())
        ep = pd.concat([empty_queue_by_present(m, src) for m, src in moments],
                       ignore_index=True)
        print("\nserved callers who queued at an empty queue: mean wait (s) and callers, by "
              "agents present:")
        print(ep.pivot_table(index="present", columns="source", values=["mean_s", "callers"],
                             sort=False).to_string())
        ew = pd.concat([empty_queue_waits(m, src) for m, src in moments], ignore_index=True)
        print("\nserved callers who queued at an empty queue: mean wait (s) by "
              "identification and agents not talking:")
        print(ew.pivot_table(index=["identified", "not_talking"], columns="source",
                             values="mean_s", sort=False).to_string())
        print("\nabandonments per minute waited, by ACD callers ahead at arrival and "
              "seconds waited:")
        print(hz.pivot_table(index=["ahead", "source"], columns="waited_s", values="per_min",
                             sort=False).to_string())
        fit = patience_scales(log_waiters(log))
        print("\npatience scale by ACD callers ahead (the log, joint with the classes):",
              fit["scales"], "sigma", fit["sigma"])
        r = arrival_ratio(type_timelines(log, days), "queue", QUEUE, f"log {a.day_type}")
        print("\narrivals observed / expected by ACD callers waiting, by type and "
              "identification (the log):")
        print(r.pivot_table(index="queue", columns="group", values=["ratio", "arrivals"],
                            sort=False).to_string())
        shares = [unidentified_share(log, days, free=FREE_FINE).assign(source=lines[0][1])]
        shares += [sim_unidentified_share(run, free=FREE_FINE).assign(source=f"sim {run.name}")
                   for run in a.runs]
        print("\nshare of PS and NE callers arriving unidentified (the direct line), by ACD "
              "callers waiting and agents free:")
        print(pd.concat(shares).pivot_table(
            index=["queue", "source"], columns="free", values=["unidentified", "callers"],
            sort=False).to_string())
        shares = [unidentified_share(log, days, free=FREE, present=PRESENT)
                  .assign(source=lines[0][1])]
        shares += [sim_unidentified_share(run, free=FREE, present=PRESENT)
                   .assign(source=f"sim {run.name}") for run in a.runs]
        empty = pd.concat(shares)
        print("\nthe same at an empty queue, by agents present (FINDINGS item 21):")
        print(empty[empty["queue"] == "0"].pivot_table(
            index=["agents", "source"], columns="free", values=["unidentified", "callers"],
            sort=False).to_string())
        for by, edges in (("queue", QUEUE), ("free", FREE)):
            r = pd.concat([arrival_ratio(days, by, edges, src) for days, src in lines])
            print(f"\narrivals observed / expected from the hour's rate, by {by}:")
            print(r.pivot_table(index=by, columns=["source", "group"],
                                values=["ratio", "arrivals"], sort=False).to_string())


if __name__ == "__main__":
    script_cli.run(main)
