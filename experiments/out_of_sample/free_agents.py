"""Why the weekday calibration predicts Saturdays too slow (issue 16): are the agents
present and not talking free to answer, by day type, headcount and time of day?

The statistic needs no model: an unidentified ACD caller (priority 0, no answer delay:
``sim.calibrate.delay``) who reaches the queue while ``f`` agents are present (in a
session, ``sim.calibrate.staffing``) and not talking (call + ``ACW_SLACK_S``) is
answered at once (within ``AT_ONCE_S``) if one of them is free: not held back for the
direct line, not in unlogged work, not away. By the arrival theorem (Poisson callers) it
is the share of such moments at which a not-talking agent is free. The same statistic of
a simulation's ``calls.parquet`` (present from the scenario's schedule, fractional
presence as the engine keeps it; hidden-work tasks count as not talking, as in the log)
shows what the model assumes at the same moments.

**Per agent:** if each not-talking agent is free with probability ``a`` independently, a
caller finding ``f`` of them is answered at once with probability ``1 - (1 - a)^f``;
``a`` by part of the day, and by the hour's occupancy (talk / presence), is its
maximum-likelihood estimate (grid, 95 % profile-likelihood interval), ``f`` capped at
``F_CAP``. For comparison, the statistic ``reserve_from`` is
identified by (``sim.calibrate.direct_line``): agents present and not talking at the
moments an ACD caller had waited 90 s, here by part of the day; and what tells a held
agent from an absent one at those moments: direct-line callers arriving then, answered at
once (an agent free for them, not for the waiting ACD caller: held) or not (absent). Also
the tail of the served callers' waits.
Usage: python free_agents.py LOG [RUN_DIR ...] [--slack S]   (RUN_DIR: a run with
calls.parquet and resolved_config.yaml, or a ``ccsim validate`` output, re-simulated with
its calls kept; e.g. the predicted scenario of ``ccsim validate
--predict saturday`` run with ``output.calls=true``; ``--slack``: seconds after a hang-up
an agent still counts as talking, default ``ACW_SLACK_S``; a longer one leaves out the
agents in their after-call work, so ``a`` is then the share free among agents idle that
long)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import script_cli
import yaml
from long_waits import days_per_rep, run_calls  # run by path: a neighbour script

from sim.calibrate.availability import ACW_SLACK_S
from sim.calibrate.delay import _covering

AT_ONCE_S = 2.0  # the log's clock has whole seconds
EVENING_H = 19  # Saturdays open 19-24 h: the weekday evening is the comparable part
DAY_TYPES = ("weekday", "friday", "saturday")
QUANTILES = (0.5, 0.9, 0.95, 0.99, 1.0)
BANDS = (0, 10, 13, 16, 19, 22, 24)  # parts of the day (hours) for the per-agent estimate
LOAD_BANDS = (0.0, 0.4, 0.5, 0.6, 0.7, 0.8)  # occupancy of the hour (talk / presence)
F_CAP = 4
GRID = np.linspace(0.005, 0.995, 199)
CHI2_95 = 3.84  # 95 % profile-likelihood interval: log-likelihood within CHI2_95 / 2


def log_days(path: Path, day_type: str):
    """The day type's calls as the validation reads them (class, desk, no tuning)."""
    from sim.calibrate.calibration import Options, calibrate
    from sim.calibrate.schema import read_log, sniff

    df, dq = read_log(path, "auto")
    return calibrate(df, dq, Options(day_type=day_type, hidden_fill=1.0), sniff(path)).log


def log_moments(log, slack: float = ACW_SLACK_S) -> pd.DataFrame:
    """One row per unidentified ACD caller: hour, agents present, not talking, at once
    (and his class, when the log has one)."""
    from sim.calibrate.staffing import sessions

    served = log[log["outcome"] == "served"]
    named = served[served["server"] != ""]
    sess = sessions(served)
    rows = []
    for date, day in log.groupby("date"):
        q = day[(day["desk"] == "acd") & (day["priority"].astype(str) == "0")
                & day["outcome"].isin(["served", "abandoned"])]
        t = (q["t_arrival"] + q["ivr_s"]).to_numpy(float) - 0.5  # just before he arrives
        s, c = sess[sess["date"] == date], named[named["date"] == date]
        start = c["t_answer"].to_numpy(float)
        end = start + np.maximum(c["service_s"].to_numpy(float), 1.0) + slack
        rows.append(pd.DataFrame({
            "hour": t // 3600,
            "present": _covering(s["t_answer"].to_numpy(float), s["end"].to_numpy(float), t),
            "talking": _covering(start, end, t),
            "at_once": ((q["outcome"] == "served") & (q["wait_s"] <= AT_ONCE_S)).to_numpy(),
            **({"class": q["class"].to_numpy()} if "class" in q else {})}))
    return pd.concat(rows, ignore_index=True)


def scheduled_presence(run: Path) -> tuple[dict, float, np.ndarray]:
    """A run's scenario, interval and agents present by interval (scheduled agents less
    the shrinkage that keeps the calibration's fractional presence)."""
    scn = yaml.safe_load((run / "resolved_config.yaml").read_text())["scenario"]
    group = scn["groups"]["agents"]
    shrink = np.asarray((group.get("availability") or {}).get("shrinkage", 0.0), float)
    present = np.asarray(group["staffing"], float) * (1 - shrink)
    return scn, scn["horizon"]["interval_s"], present


def sim_moments(run: Path, slack: float = ACW_SLACK_S) -> pd.DataFrame:
    """The same rows from a simulation run (every replication)."""
    scn, interval, present = scheduled_presence(run)
    acd = [c for c, spec in scn["classes"].items()
           if c.startswith("p0_") and spec.get("queue") == "acd"]
    calls = run_calls(run)
    rows = []
    for _, rep in calls.groupby("rep"):
        real = rep[(rep["class"] != "hidden_work") & rep["t_answer"].notna()]
        q = rep[rep["class"].isin(acd)]
        t = q["t_queue"].to_numpy(float) - 1e-6
        k = np.minimum((t // interval).astype(int), len(present) - 1)
        frac = present[k] - np.floor(present[k])  # one more agent for the interval's start
        rows.append(pd.DataFrame({
            "hour": t // 3600,
            "present": np.floor(present[k]) + ((t - k * interval) < frac * interval),
            "talking": _covering(real["t_answer"].to_numpy(float),
                                 real["t_end"].to_numpy(float) + slack, t),
            "at_once": ((q["outcome"] == "answered")
                        & (q["t_answer"] - q["t_queue"] <= AT_ONCE_S)).to_numpy()}))
    return pd.concat(rows, ignore_index=True)


def free_table(m: pd.DataFrame, source: str) -> pd.DataFrame:
    """Share answered at once by time of day, agents present and agents not talking (1,
    2 or more); cells of at least 10 callers."""
    m = m[m["present"] > 0]
    m = m.assign(
        part=np.where(m["hour"] >= EVENING_H, f"{EVENING_H}-24 h", f"before {EVENING_H} h"),
        not_talking=np.minimum((m["present"] - m["talking"]).clip(lower=0), 2))
    m = m[m["not_talking"] >= 1]
    t = (m.groupby(["part", "present", "not_talking"])["at_once"].agg(["size", "mean"])
         .rename(columns={"size": "callers", "mean": "at_once"}).reset_index())
    return t[t["callers"] >= 10].assign(source=source)


def free_per_agent(m: pd.DataFrame, source: str, by: str = "hour",
                   edges: tuple = BANDS) -> pd.DataFrame:
    """``a``, the probability that one not-talking agent is free, by bands of ``by`` (part
    of the day by default; ``occupancy`` for the load)."""
    m = m.assign(free=(m["present"] - m["talking"]).clip(lower=0))
    m = m[(m["present"] > 0) & (m["free"] >= 1)]
    m = m.assign(band=pd.cut(m[by], list(edges), right=False))
    rows = []
    for band, g in m.groupby("band", observed=True):
        f = np.minimum(g["free"].to_numpy(), F_CAP)[:, None]
        p = 1 - (1 - GRID[None, :]) ** f
        ll = np.where(g["at_once"].to_numpy()[:, None], np.log(p), np.log1p(-p)).sum(axis=0)
        ok = GRID[ll >= ll.max() - CHI2_95 / 2]
        rows.append({"source": source, "hours" if by == "hour" else by:
                     f"{band.left:g}-{band.right:g}",
                     "callers": len(g), "a": round(float(GRID[ll.argmax()]), 3),
                     "a_95": f"{ok.min():.2f}-{ok.max():.2f}"})
    return pd.DataFrame(rows)


def hourly_occupancy(log) -> pd.Series:
    """Talk time over presence by hour of the day, over the day type's days: how loaded
    the present agents are (what volumes x handle times / staffing imply)."""
    from sim.calibrate.staffing import _pieces, presence

    served = log[log["outcome"] == "served"]
    talk = _pieces(served, 3600, 24).groupby("k")["seconds"].sum()
    return (talk / presence(served, 3600, 24).groupby("k").sum()).rename("occupancy")


def sim_hourly_occupancy(run: Path) -> pd.Series:
    """The same for a simulation run: talk of its calls (hidden work left out) over the
    agents present by its schedule, by hour of the day over the replications."""
    from sim.calibrate.staffing import _pieces

    if days_per_rep(run) > 1:  # its schedule runs over all the days, by hour of the day here
        raise ValueError(f"{run}: a --day-mix run ({days_per_rep(run)} days a replication); "
                         "free_agents.py reads runs of one (mean) day")
    _, interval, present = scheduled_presence(run)
    per_hour = pd.Series(present * interval).groupby(
        np.arange(len(present)) * interval // 3600).sum()
    calls = run_calls(run)
    real = calls[(calls["class"] != "hidden_work") & calls["t_answer"].notna()]
    served = pd.DataFrame({"date": real["rep"], "server": "", "desk": "",
                           "t_answer": real["t_answer"],
                           "service_s": real["t_end"] - real["t_answer"]})
    talk = _pieces(served, 3600, 24).groupby("k")["seconds"].sum().reindex(
        per_hour.index, fill_value=0.0)
    return (talk / (per_hour * calls["rep"].nunique())).rename("occupancy")


def congested_idle(log, source: str) -> pd.DataFrame:
    """Mean agents not talking while an ACD caller had waited ``PAST_DELAY_S``, by part of
    the day and agents present (cells of at least ``MIN_SAMPLES`` moments)."""
    from sim.calibrate.availability import MIN_SAMPLES, not_ready_evidence

    asked = log[log["outcome"].isin(["served", "abandoned"])]
    r = not_ready_evidence(asked, log[log["outcome"] == "served"], 0)
    r = r.assign(idle=(r["present"] - r["talking"]).clip(lower=0),
                 part=np.where(r["hour"] >= EVENING_H, f"{EVENING_H}-24 h",
                               f"before {EVENING_H} h"))
    t = (r.groupby(["part", "present"])["idle"].agg(["size", "mean"])
         .rename(columns={"size": "moments", "mean": "not_talking"}).reset_index())
    return t[t["moments"] >= MIN_SAMPLES].round(2).assign(source=source)


HEADCOUNTS = ((1, 3), (4, 6), (7, 99))  # agents present, for the direct-line table


def direct_during_congestion(log, source: str) -> pd.DataFrame:
    """Direct-line callers by whether an ACD caller had waited ``PAST_DELAY_S`` when they
    reached the queue (``congested``), by agents present: how many, and the share
    answered at once. Poisson arrivals see time averages, so ``share`` is the part of the
    time the ACD queue was congested as the direct line saw it."""
    from sim.calibrate.availability import PAST_DELAY_S
    from sim.calibrate.staffing import sessions

    asked = log[log["outcome"].isin(["served", "abandoned"])]
    sess = sessions(log[log["outcome"] == "served"])
    parts = []
    for date, day in asked.groupby("date"):
        q = day[day["queued"] & (day["desk"] == "acd")]
        t0 = (q["t_arrival"] + q["ivr_s"]).to_numpy(float)
        d = day[day["desk"] == "direct"]
        t = (d["t_arrival"] + d["ivr_s"]).to_numpy(float)
        s = sess[sess["date"] == date]
        parts.append(pd.DataFrame({
            "present": _covering(s["t_answer"].to_numpy(float), s["end"].to_numpy(float), t),
            "congested": _covering(t0 + PAST_DELAY_S, t0 + q["wait_s"].to_numpy(float), t) > 0,
            "at_once": ((d["outcome"] == "served") & (d["wait_s"] <= AT_ONCE_S)).to_numpy()}))
    m = pd.concat(parts, ignore_index=True)
    rows = []
    for lo, hi in HEADCOUNTS:
        g = m[(m["present"] >= lo) & (m["present"] <= hi)]
        for congested, h in g.groupby("congested"):
            rows.append({"source": source, "present": f"{lo}-{hi}" if hi < 99 else f"{lo}+",
                         "acd_waited_90s": bool(congested), "direct_callers": len(h),
                         "share": round(len(h) / max(len(g), 1), 3),
                         "at_once": round(float(h["at_once"].mean()), 3)})
    return pd.DataFrame(rows)


def wait_tail(waits: pd.Series, source: str) -> dict:
    """Quantiles of the served callers' waits."""
    return {"source": source, **{f"q{q:g}": round(float(waits.quantile(q)), 1)
                                 for q in QUANTILES}}


def main(log_path: Path, runs: list[Path], slack: float = ACW_SLACK_S) -> None:
    tables, tails, per_agent, congested, by_load, direct = [], [], [], [], [], []
    for day_type in DAY_TYPES:
        log = log_days(log_path, day_type)
        moments = log_moments(log, slack)
        tables.append(free_table(moments, f"log {day_type}"))
        per_agent.append(free_per_agent(moments, f"log {day_type}"))
        congested.append(congested_idle(log, f"log {day_type}"))
        direct.append(direct_during_congestion(log, f"log {day_type}"))
        loaded = moments.join(hourly_occupancy(log), on="hour")
        by_load.append(free_per_agent(loaded, f"log {day_type}", "occupancy", LOAD_BANDS))
        tails.append(wait_tail(log.loc[log["outcome"] == "served", "wait_s"],
                               f"log {day_type}"))
    for run in runs:
        moments = sim_moments(run, slack)
        tables.append(free_table(moments, f"sim {run.name}"))
        per_agent.append(free_per_agent(moments, f"sim {run.name}"))
        by_load.append(free_per_agent(moments.join(sim_hourly_occupancy(run), on="hour"),
                                      f"sim {run.name}", "occupancy", LOAD_BANDS))
        calls = run_calls(run)
        served = calls[(calls["class"] != "hidden_work") & (calls["outcome"] == "answered")]
        tails.append(wait_tail(served["t_answer"] - served["t_queue"], f"sim {run.name}"))
    free = pd.concat(tables, ignore_index=True)
    free = free.pivot_table(index=["part", "present"], columns=["source", "not_talking"],
                            values=["at_once", "callers"])
    with pd.option_context("display.width", 250, "display.max_columns", 60):
        print("answered at once, unidentified ACD callers, by agents present and not "
              "talking (1, 2+):")
        print(free["at_once"].round(2).to_string())
        print("\ncallers:")
        print(free["callers"].to_string())
        print("\nper not-talking agent: probability free (a), by hours of the day:")
        print(pd.concat(per_agent).pivot(index="hours", columns="source",
                                         values=["a", "a_95", "callers"]).to_string())
        print("\nper not-talking agent: probability free (a), by the hour's occupancy:")
        print(pd.concat(by_load).pivot(index="occupancy", columns="source",
                                       values=["a", "a_95", "callers"]).to_string())
        print("\nnot talking while an ACD caller had waited 90 s (reserve_from's evidence):")
        print(pd.concat(congested).pivot(index=["part", "present"], columns="source",
                                         values=["not_talking", "moments"]).to_string())
        print("\ndirect-line callers while an ACD caller had waited 90 s or not: answered "
              "at once (held agents) or not (absent ones):")
        print(pd.concat(direct).to_string(index=False))
        print("\nwaits of served callers (s):")
        print(pd.DataFrame(tails).to_string(index=False))


def cli(argv: list[str] | None = None) -> None:
    p = script_cli.parser(__doc__)
    p.add_argument("log", type=Path)
    p.add_argument("runs", type=Path, nargs="*", help="run directories")
    p.add_argument("--slack", type=float, default=ACW_SLACK_S,
                   help="seconds an agent counts as talking after his hang-up")
    a = p.parse_args(argv)
    main(a.log, a.runs, a.slack)


if __name__ == "__main__":
    script_cli.run(cli)
