"""Where the mean wait comes from: callers per day by how long they waited, log against
runs (issue 16; FINDINGS item 28).

The model's mean wait on the day mix is ×1.24 the log's (items 24-25). This splits the
served callers' waits (and the abandoned callers') into bins and gives each bin's share
of the served callers' mean wait, so a miss can be read as a level (every bin moved) or
a tail (a few long waits). For a ``--day-mix`` run it also ranks the (day, half-hour)
cells by the simulated wait-seconds in excess of the log's on the same day and
interval: how much of the excess a few congested cells hold. And it sets the log's
talk speed against congestion: the talk index (served callers' handle time over their
classes' mean handle times) by callers waiting at the answer and by the half-hour's
offered load per agent present (calls that asked for an agent x their classes' mean
handle time, over the agent-seconds present): do the log's agents speed up when the
queue is long? The model draws every handle time from its class's law, whatever the
queue.

    python experiments/out_of_sample/wait_bins.py [LOG] RUN_DIR ... [--day-type T]

(RUN_DIR: a ``ccsim validate`` output: its ``wait_histogram.csv``, and for the cells its
``intervals.csv`` and ``validation_by_day.csv``.)
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import script_cli
from free_agents import log_days  # run by path: neighbour scripts
from load_response import WAITING_BINS, waiting_at_answer
from long_waits import days_per_rep

EDGES = (0.0, 2.0, 20.0, 60.0, 120.0, 300.0, 600.0, 1200.0, np.inf)  # seconds; 0 alone
TOP = (10, 20, 50)  # cells whose share of the excess is printed
LOAD_BANDS = (0.0, 0.6, 0.8, 0.95, 1.1, np.inf)  # offered load per agent present
MIN_PRESENT = 2.0  # cells with fewer agents present are left out of the load bands
CELL_S = 1800.0  # the half-hours of the load bands


def bin_labels() -> list[str]:
    """'0', '(0, 2]', ..., '> 1200'."""
    inner = [f"({a:g}, {b:g}]" for a, b in zip(EDGES[:-2], EDGES[1:-1], strict=True)]
    return ["0", *inner, f"> {EDGES[-2]:g}"]


def binned(waits: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted counts per bin (a wait of exactly 0 in the first, 0 < w <= 2 next ...)."""
    k = np.where(waits <= 0, 0, np.searchsorted(EDGES[1:-1], waits, side="left") + 1)
    return np.bincount(k, weights=weights, minlength=len(EDGES))


def wait_table(served: tuple, abandoned: tuple, days: float) -> pd.DataFrame:
    """Per bin: served and abandoned callers per day, and the seconds each bin adds to
    the served callers' mean wait. ``served``/``abandoned``: (waits, weights)."""
    sw, sn = served
    per_day = binned(sw, sn) / days
    seconds = binned(sw, sn * sw) / max(float(np.sum(sn)), 1.0)
    return pd.DataFrame({"served_per_day": per_day,
                         "abandoned_per_day": binned(*abandoned) / days,
                         "mean_wait_s_from_bin": seconds}, index=bin_labels())


def log_table(log: pd.DataFrame) -> pd.DataFrame:
    """The log's table (its queue abandons; IVR hang-ups are not in a queue)."""
    def part(outcome):
        w = log.loc[log["outcome"] == outcome, "wait_s"].to_numpy(float)
        return w, np.ones(len(w))

    return wait_table(part("served"), part("abandoned"), log["date"].nunique())


def run_table(run: Path) -> pd.DataFrame:
    """A run's table, from its 1-s wait histogram (calls, not hidden work)."""
    from sim.calibrate.validate import call_waits

    h = call_waits(pd.read_csv(run / "wait_histogram.csv"))
    days = h["rep"].nunique() * days_per_rep(run)

    def part(answered):
        x = h[h["answered"] == answered]
        return x["wait_s"].to_numpy(float), x["calls"].to_numpy(float)

    return wait_table(part(True), part(False), days)


def cell_excess(log: pd.DataFrame, run: Path) -> pd.DataFrame:
    """Per (day, interval) of a day-mix run: served callers' wait-seconds per run, model
    and log, and the excess; sorted by the excess, largest first."""
    import yaml

    horizon = yaml.safe_load((run / "resolved_config.yaml").read_text())["scenario"][
        "horizon"]
    step, n = float(horizon["interval_s"]), int(horizon["intervals_per_day"])
    dates = sorted(pd.read_csv(run / "validation_by_day.csv")["date"].unique())
    index = {pd.Timestamp(d): i for i, d in enumerate(dates)}
    s = log[(log["outcome"] == "served") & log["date"].isin(list(index))]
    lw = s.groupby([s["date"].map(index).rename("day"),
                    (s["t_arrival"] // step).clip(0, n - 1).astype(int).rename("k")])[
        "wait_s"].sum()
    i = pd.read_csv(run / "intervals.csv")
    i = i[~i["class"].isin(["ALL", "hidden_work"])]
    w = (i["asa_s"].fillna(0.0) * i["answered"]).groupby(
        [(i["interval"] // n).rename("day"), (i["interval"] % n).rename("k")]).sum()
    t = pd.DataFrame({"sim_wait_s": w / i["rep"].nunique(), "log_wait_s": lw}).fillna(0.0)
    t["excess_s"] = t["sim_wait_s"] - t["log_wait_s"]
    t = t.sort_values("excess_s", ascending=False)
    t.index = pd.MultiIndex.from_tuples(
        [(dates[d], f"{int(k * step) // 3600:02d}:{int(k * step) % 3600 // 60:02d}")
         for d, k in t.index], names=["date", "from"])
    return t


def talk_index(served: pd.DataFrame, by: pd.Series) -> pd.DataFrame:
    """Per group of ``by``: served callers, their handle time over their classes' mean
    handle times (the classes' means and variances over all of ``served``), and the
    index's sampling sd were every call drawn from its class's law."""
    law = served.groupby("class")["service_s"].agg(["mean", "var"]).fillna(0.0)
    s = served.assign(mean=served["class"].map(law["mean"]),
                      var=served["class"].map(law["var"]))
    g = s.groupby(by.to_numpy())[["service_s", "mean", "var"]]
    t = g.sum()
    return pd.DataFrame({"served": g.size(), "index": t["service_s"] / t["mean"],
                         "sd": t["var"] ** 0.5 / t["mean"]})


def cell_load(log: pd.DataFrame, step: float = CELL_S) -> pd.DataFrame:
    """Per (date, k): agents present (time-weighted, as calibrate measures them) and the
    offered load per agent present (callers who asked for an agent x their classes' mean
    handle time / agent-seconds present)."""
    from sim.calibrate.staffing import presence

    per_day = int(86400 // step)
    served = log[(log["outcome"] == "served") & (log["service_s"] > 0)]
    present = presence(served, step, per_day).groupby(["date", "k"]).sum() / step
    asked = log[log["outcome"].isin(["served", "abandoned"])]
    mean = served.groupby("class")["service_s"].mean()
    work = asked["class"].map(mean).fillna(0.0)
    k = (asked["t_arrival"] // step).clip(0, per_day - 1).astype(int)
    load = work.groupby([asked["date"], k.rename("k")]).sum() / step
    t = pd.DataFrame({"present": present, "load": load}).fillna(0.0)
    t["per_agent"] = t["load"] / t["present"].where(t["present"] > 0)
    return t


def talk_tables(log: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The log's talk index by callers waiting at the answer and by the half-hour's
    offered load per agent present (cells with more than ``MIN_PRESENT`` agents)."""
    served = waiting_at_answer(log)
    out = {"callers waiting at the answer": talk_index(served, pd.cut(
        served["waiting"], WAITING_BINS[0], labels=WAITING_BINS[1]))}
    cells = cell_load(log)
    cells = cells[cells["present"] > MIN_PRESENT]
    key = pd.MultiIndex.from_arrays([served["date"], (served["t_arrival"] // CELL_S)
                                     .astype(int)])
    rho = cells["per_agent"].reindex(key).to_numpy()
    inside = ~np.isnan(rho)
    band = pd.cut(pd.Series(rho[inside]), LOAD_BANDS)
    out[f"the half-hour's offered load per agent present (> {MIN_PRESENT:g} present)"] = (
        talk_index(served[inside], band))
    return out


def main(argv: list[str] | None = None) -> None:
    a = script_cli.log_runs_parser(__doc__).parse_args(argv)
    log = log_days(a.log, a.day_type)
    tables = {f"log {a.day_type}": log_table(log)}
    tables |= {f"sim {run.name}": run_table(run) for run in a.runs}
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        for name, t in tables.items():
            print(f"{name}: callers per day by wait (s); mean wait of served "
                  f"{t['mean_wait_s_from_bin'].sum():.1f} s, of which from each bin")
            print(t.T.round(2).to_string(), end="\n\n")
        for run in a.runs:
            if days_per_rep(run) < 2:
                continue
            t = cell_excess(log, run)
            share = t["excess_s"].cumsum() / t["excess_s"].sum()
            print(f"sim {run.name}: {len(t)} (day, interval) cells; share of the excess "
                  "wait-seconds in the top " + ", ".join(
                      f"{n}: {share.iloc[min(n, len(t)) - 1]:.2f}" for n in TOP))
            print(t.head(10).round(0).to_string(), end="\n\n")
        for name, t in talk_tables(log).items():
            print(f"log {a.day_type}: talk index by {name}")
            print(t.round(3).to_string(), end="\n\n")


if __name__ == "__main__":
    script_cli.run(main)
