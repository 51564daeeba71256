"""In what order does the ACD serve its waiting callers, in the log and in the model
(issue 16; FINDINGS item 26)?

The calibration ranks the log's priorities by who overtook whom (``priority_rule``) and
the model serves the ranks strictly: a later caller of a higher priority always goes
first. The log's order is tested directly: for every pair of served ACD callers in
which a caller of priority ``hi`` queued ``h`` seconds after one of priority ``lo`` who
was still waiting (both still waiting ``CONTESTED_S`` after the later one queued, so
both could be answered: the identified callers' answer delay is mostly shorter), the
share in which the later, higher-priority caller was answered first, by ``h``. Strict
priority gives a share near 1 at every head start; FIFO near 0; a priority worth a head
start of H seconds (the later caller ordered as if he had queued H earlier) a share
that falls to 0 at ``h`` = H. Same-priority pairs measure the order within a level.

    python experiments/out_of_sample/queue_order.py [LOG] [RUN_DIR ...] [--day-type T]

(RUN_DIR: a ``ccsim validate`` output, re-simulated with its calls kept, or a run with
``calls.parquet``; its ACD classes are ``p<priority>_TYPE``.)
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import script_cli
from free_agents import log_days, scheduled_presence  # run by path: neighbour scripts
from long_waits import run_calls

CONTESTED_S = 20.0  # both callers still waiting this long after the later one queued
PAIRS = (("2", "1"), ("2", "0"), ("1", "0"), ("2", "2"), ("1", "1"), ("0", "0"))
HEAD_START = (0, 10, 20, 40, 60, 75, 90, 105, 120, 150, 200, np.inf)  # seconds, bins

Day = tuple[np.ndarray, np.ndarray, np.ndarray]  # served callers: queued, answered, priority


def overtakes(days: Iterator[Day], pairs=PAIRS, contested_s: float = CONTESTED_S
              ) -> pd.DataFrame:
    """One row per contested pair (a later caller of priority ``hi`` and an earlier one of
    ``lo``, both served): its pair label, head start (s) and whether the later went first."""
    rows = []
    for t0, t1, pr in days:
        for hi, lo in pairs:
            later, earlier = np.flatnonzero(pr == hi), np.flatnonzero(pr == lo)
            for i in later:
                if t1[i] <= t0[i] + contested_s:
                    continue
                j = earlier[(t0[earlier] < t0[i]) & (t1[earlier] > t0[i] + contested_s)]
                rows += [(f"{hi}>{lo}", t0[i] - t0[k], t1[i] < t1[k]) for k in j]
    return pd.DataFrame(rows, columns=["pair", "head_start", "later_first"])


def order_table(rows: pd.DataFrame) -> pd.DataFrame:
    """Share of contested pairs the later caller won, and their number, by head start."""
    bins = pd.cut(rows["head_start"], HEAD_START)
    g = rows.groupby([bins, "pair"], observed=False)["later_first"]
    return pd.concat({"share": g.mean().unstack("pair").round(2),
                      "pairs": g.size().unstack("pair")}, axis=1)


def log_frames(log: pd.DataFrame) -> Iterator[Day]:
    """Each log day's served ACD callers who queued."""
    q = log[(log["desk"] == "acd") & log["queued"].astype(bool)
            & (log["outcome"] == "served")]
    for _, day in q.groupby("date"):
        t0 = (day["t_arrival"] + day["ivr_s"]).to_numpy(float)
        yield t0, t0 + day["wait_s"].to_numpy(float), day["priority"].astype(str).to_numpy()


def sim_frames(run: Path) -> Iterator[Day]:
    """Each replication's served ACD callers who waited (class ``p<priority>_TYPE``)."""
    queue_of = {c: s.get("queue") for c, s in scheduled_presence(run)[0]["classes"].items()}
    for _, rep in run_calls(run).groupby("rep"):
        q = rep[(rep["class"].map(queue_of) == "acd") & (rep["outcome"] == "answered")
                & (rep["t_answer"] > rep["t_queue"])]
        yield (q["t_queue"].to_numpy(float), q["t_answer"].to_numpy(float),
               q["class"].astype(str).str[1].to_numpy())


def main(argv: list[str] | None = None) -> None:
    p = script_cli.log_runs_parser(__doc__)
    a = p.parse_args(argv)
    tables = {f"log {a.day_type}": order_table(overtakes(log_frames(log_days(
        a.log, a.day_type))))}
    tables |= {f"sim {run.name}": order_table(overtakes(sim_frames(run)))
               for run in a.runs}
    with pd.option_context("display.width", 250, "display.max_columns", 40):
        for name, table in tables.items():
            print(f"{name}: share of contested pairs served later-caller first "
                  f"(pair hi>lo: a priority-hi caller queued after a waiting priority-lo "
                  f"one), by his head start (s)")
            print(table.to_string(), end="\n\n")


if __name__ == "__main__":
    script_cli.run(main)
