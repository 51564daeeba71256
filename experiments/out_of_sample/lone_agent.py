"""The VRU's view of one agent's availability, in the log and in the model (issue 16;
FINDINGS item 15).

The bank's VRU puts a PS or NE caller through unidentified when an agent is available
and nobody waits (FINDINGS item 14). So at an empty ACD queue with exactly one agent in
a session and not talking, the share of callers put through is, up to the routing's own
shares (3 % identified when free, 10 % left unidentified when not), the probability that
this agent is available — which no log records directly. Set against how long he has
been idle (since his last hang-up), it shows when agents are away: right after a call
(wrap-up) or after a long idle spell (a break the sessions do not show). The same
statistic of a run, agents' sessions inferred from their calls as in the log (hidden
work is no call), tests a model's availability mechanism on evidence no parameter was
fitted to.

    python experiments/out_of_sample/lone_agent.py [LOG] [RUN_DIR ...] [--day-type T]

(RUN_DIR: a ``ccsim validate`` output, re-simulated with its calls kept, or a run with
``calls.parquet``; its PS and NE callers arrive as classes ``p0_TYPE`` .. ``p2_TYPE``.)
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import script_cli
from free_agents import log_days  # run by path: neighbour scripts
from long_waits import run_calls
from queue_response import log_timelines, sim_timelines, state_at

from sim.calibrate.availability import ACW_SLACK_S

IDLE = (0, 30, 60, 120, 300, 600, 1e9)  # seconds since the lone agent's hang-up, bins
TYPES = ("PS", "NE")

Frame = tuple[pd.DataFrame, pd.DataFrame, np.ndarray, np.ndarray]


def lone_agent(frames: Iterator[Frame]) -> pd.DataFrame:
    """Share put through (``unidentified``) of the callers who arrive at an empty ACD
    queue with exactly one agent in a session and not talking, by his idle time (each
    frame: a day's timeline, its named calls ``server, t_answer, service_s``, the
    callers' arrival times and whether each arrived unidentified)."""
    from sim.calibrate.staffing import sessions

    rows = []
    for tl, calls, t, unid in frames:
        empty = state_at(tl, t)["queue"].to_numpy() == 0
        t, unid = t[empty], unid[empty]
        sess = sessions(calls.assign(date=0))
        free, idle = np.zeros(len(t), int), np.full(len(t), np.nan)
        for server, c in calls.sort_values("t_answer").groupby("server"):
            start = c["t_answer"].to_numpy(float)
            end = start + np.maximum(c["service_s"].to_numpy(float), 1.0)
            s = sess[sess["server"] == server]
            present = ((s["t_answer"].to_numpy()[:, None] <= t)
                       & (s["end"].to_numpy()[:, None] > t)).any(axis=0)
            last = np.searchsorted(end + ACW_SLACK_S, t, side="right") - 1
            talking = np.searchsorted(start, t, side="right") - 1 > last
            away = present & ~talking & (last >= 0)
            free += away
            idle = np.where(away, t - end[np.clip(last, 0, None)], idle)
        one = free == 1
        rows.append(pd.DataFrame({"idle": idle[one], "unidentified": unid[one]}))
    m = pd.concat(rows, ignore_index=True)
    m["idle"] = pd.cut(m["idle"], list(IDLE), right=False).map(_label)
    return m.groupby("idle", observed=True, sort=False)["unidentified"].agg(
        callers="size", unidentified="mean").round(3).reindex(
        [_label(b) for b in pd.IntervalIndex.from_breaks(IDLE, closed="left")]).dropna()


def _label(b: pd.Interval) -> str:
    return f"{int(b.left)}+ s" if b.right >= 1e9 else f"{int(b.left)}-{int(b.right)} s"


def log_frames(log) -> Iterator[Frame]:
    named = log[(log["outcome"] == "served") & (log["server"] != "")]
    for (tl, _), (date, day) in zip(log_timelines(log), log.groupby("date"), strict=True):
        d = day[day["type"].isin(TYPES)]
        yield (tl, named.loc[named["date"] == date, ["server", "t_answer", "service_s"]],
               d["t_arrival"].to_numpy(float), (d["priority"].astype(str) == "0").to_numpy())


def sim_frames(run: Path) -> Iterator[Frame]:
    classes = {f"p{k}_{ty}": k for ty in TYPES for k in range(3)}
    calls = run_calls(run)
    for (tl, _), (_, rep) in zip(sim_timelines(run), calls.groupby("rep"), strict=True):
        real = rep[(rep["class"] != "hidden_work") & rep["t_answer"].notna()
                   & (rep["agent"] >= 0)]
        named = pd.DataFrame({"server": real["agent"].astype(str),
                              "t_answer": real["t_answer"].astype(float),
                              "service_s": real["t_end"] - real["t_answer"]})
        d = rep[rep["class"].isin(list(classes)) & (rep["outcome"] != "disconnected")]
        yield (tl, named, d["t_arrival"].to_numpy(float),
               (d["class"].map(classes) == 0).to_numpy())


def main(argv: list[str] | None = None) -> None:
    p = script_cli.log_runs_parser(__doc__)
    a = p.parse_args(argv)
    log = log_days(a.log, a.day_type)
    tables = {f"log {a.day_type}": lone_agent(log_frames(log))}
    tables |= {f"sim {run.name}": lone_agent(sim_frames(run)) for run in a.runs}
    print("share of PS and NE callers put through (unidentified) at an empty ACD queue "
          "with one agent not talking, by his time since his last hang-up:")
    with pd.option_context("display.width", 250):
        print(pd.concat(tables, axis=1).to_string())


if __name__ == "__main__":
    script_cli.run(main)
