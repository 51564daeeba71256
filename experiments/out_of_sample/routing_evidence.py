"""The log's figures behind FINDINGS items 15–16 (issue 16): the share of PS and NE callers
identified at an empty ACD queue by agents not talking (where it levels off is
``when_free``), the waits of those identified with 3+ agents not talking (the answer
delay), the tail of the after-call work's own sample, (item 17) the handle times by
ACD callers waiting at the answer: whether agents speed up under load, and (item 20) the
hazard of a call in progress ending, by whether an ACD caller waits meanwhile: whether
agents cut calls short once someone waits (runs given: the same from each run, whose
handle times do not react by construction, so what differs there is the mix).

    python experiments/out_of_sample/routing_evidence.py [LOG] [RUN ...]
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import script_cli
from free_agents import log_days, scheduled_presence  # run by path: neighbour scripts
from long_waits import run_calls
from queue_response import (
    log_timelines,
    sim_timelines,
    state_at,
    unidentified_share,
    waiting_clock,
)

FREE_EACH = (0, 1, 2, 3, 4, 5, 6, 7, 8, 1000)
WAITING = (0, 1, 2, 4, 7, 11, 1000)  # ACD callers waiting at an answer, bins [lo, hi)
ELAPSED = (0, 30, 60, 120, 240, 480, np.inf)  # seconds into a call, bins [lo, hi)


def identified_waits(log, days: list, min_free: int = 3) -> dict:
    """Waits of the PS and NE callers who arrive identified at an empty ACD queue with
    ``min_free`` or more agents not talking."""
    waits = []
    for (tl, _), (_, day) in zip(days, log.groupby("date"), strict=True):
        d = day[day["type"].isin(("PS", "NE")) & (day["priority"].astype(str) != "0")]
        st = state_at(tl, d["t_arrival"].to_numpy(float))
        ok = ((st["queue"] == 0) & (st["free"] >= min_free) & (st["present"] > 0)).to_numpy()
        waits.append(d["wait_s"].to_numpy(float)[ok])
    w = np.concatenate(waits)
    q = np.percentile(w, [10, 50, 90])
    return {"callers": len(w), "at_once": round(float((w == 0).mean()), 4),
            "p10_s": float(q[0]), "median_s": float(q[1]), "p90_s": float(q[2])}


def handle_by_queue(log, days: list, types: tuple[str, ...] = ("PS", "NE")) -> pd.DataFrame:
    """Handle times of the named served calls of ``types`` (service time > 0) by the ACD
    callers still waiting when each was answered: agents who sped up under load (the
    model's handle laws do not depend on it) would show shorter calls as the queue grows."""
    rows = []
    for (tl, _), (_, day) in zip(days, log.groupby("date"), strict=True):
        s = day[(day["outcome"] == "served") & (day["server"] != "")
                & (day["service_s"] > 0) & day["type"].isin(types)]
        st = state_at(tl, s["t_answer"].to_numpy(float) + 1e-3)  # himself left the queue
        rows.append(pd.DataFrame({"type": s["type"].to_numpy(), "queue": st["queue"].to_numpy(),
                                  "service_s": s["service_s"].to_numpy(float)}))
    m = pd.concat(rows, ignore_index=True)
    labels = [f"{lo}" if hi == lo + 1 else f"{lo}+" if hi >= 1000 else f"{lo}-{hi - 1}"
              for lo, hi in zip(WAITING, WAITING[1:], strict=False)]
    m["waiting"] = pd.cut(m["queue"], WAITING, right=False, labels=labels)
    return (m.groupby(["type", "waiting"], observed=True)["service_s"]
            .agg(calls="count", mean_s="mean", median_s="median").round(1).reset_index())


def end_exposure(tl: pd.DataFrame, answer, end) -> pd.DataFrame:
    """Seconds of calls in progress and calls ending, by seconds into the call
    (``ELAPSED``) and whether an ACD caller was waiting (the timeline ``tl``; an end
    counts in the state just before it)."""
    a, e = np.asarray(answer, float), np.asarray(end, float)
    t = tl["t"].to_numpy(float)
    on = tl["queue"].to_numpy() > 0
    waited = waiting_clock(tl)
    rows = []
    for lo, hi in zip(ELAPSED, ELAPSED[1:], strict=False):
        s0, s1 = np.minimum(a + lo, e), np.minimum(a + hi, e)
        w = waited(s1) - waited(s0)
        ends = (e - a >= lo) & (e - a < hi)
        i = np.clip(np.searchsorted(t, e[ends], side="left") - 1, 0, None)
        busy = on[i]
        for flag, exp, n in ((True, w.sum(), busy.sum()), (False, (s1 - s0 - w).sum(),
                                                           (~busy).sum())):
            rows.append({"elapsed": lo, "waiting": flag, "seconds": float(exp), "ends": int(n)})
    return pd.DataFrame(rows)


def end_hazard(parts: list[pd.DataFrame], source: str) -> pd.DataFrame:
    """Calls ending per minute in progress, by seconds into the call and whether a caller
    waits, and their ratio (waiting / not): above 1, agents end calls sooner once someone
    waits."""
    m = pd.concat(parts).groupby(["elapsed", "waiting"])[["seconds", "ends"]].sum()
    m["per_min"] = 60 * m["ends"] / m["seconds"].replace(0, np.nan)
    h = m["per_min"].unstack("waiting")
    n = m["ends"].unstack("waiting")
    return pd.DataFrame({"source": source, "elapsed": h.index,
                         "ends_waiting": n[True].to_numpy(), "ends_not": n[False].to_numpy(),
                         "per_min_waiting": h[True].round(3).to_numpy(),
                         "per_min_not": h[False].round(3).to_numpy(),
                         "ratio": (h[True] / h[False]).round(3).to_numpy()})


def log_end_parts(log, days: list) -> list[pd.DataFrame]:
    """``end_exposure`` of each log day's named served calls (service time > 0)."""
    parts = []
    for (tl, _), (_, day) in zip(days, log.groupby("date"), strict=True):
        s = day[(day["outcome"] == "served") & (day["server"] != "") & (day["service_s"] > 0)]
        a = s["t_answer"].to_numpy(float)
        parts.append(end_exposure(tl, a, a + s["service_s"].to_numpy(float)))
    return parts


def sim_end_parts(run: Path) -> list[pd.DataFrame]:
    """The same for each replication of a run (its calls; hidden work is no call)."""
    queue_of = {c: spec.get("queue") for c, spec in scheduled_presence(run)[0]["classes"].items()}
    parts = []
    calls = run_calls(run)
    for (tl, _), (_, rep) in zip(sim_timelines(run), calls.groupby("rep"), strict=True):
        real = rep[(rep["class"].map(queue_of) != "hidden_work") & rep["t_answer"].notna()
                   & (rep["t_end"] > rep["t_answer"])]
        parts.append(end_exposure(tl, real["t_answer"].to_numpy(float),
                                  real["t_end"].to_numpy(float)))
    return parts


def main(argv: list[str] | None = None) -> None:
    from sim.calibrate import SHIPPED_LOG
    from sim.calibrate.staffing import wrap_up_gaps

    p = script_cli.parser(__doc__)
    p.add_argument("log", type=Path, nargs="?", default=SHIPPED_LOG)
    p.add_argument("runs", type=Path, nargs="*", help="run directories with calls.parquet")
    a = p.parse_args(argv)
    log = log_days(a.log, "weekday")
    days = log_timelines(log)
    q = unidentified_share(log, days, free=FREE_EACH)
    q = q[q["queue"] == "0"].set_index("free")
    print("identified share at an empty ACD queue, by agents not talking (weekdays):")
    print(pd.DataFrame({"callers": q["callers"], "identified": (1 - q["unidentified"])
                        .round(3)}).T.to_string())
    print("\nwaits of those identified with 3+ agents not talking:", identified_waits(log, days))
    g = np.asarray(wrap_up_gaps(log[log["outcome"] == "served"]), float)
    g = g[(g > 0) & (g <= 60)]
    print(f"\nafter-call work's sample (gaps in (0, 60] s): {len(g)}, mean {g.mean():.1f} s, "
          f"over 30 s {(g > 30).mean():.3f}")
    h = handle_by_queue(log, days).set_index(["type", "waiting"])
    print("\nhandle times by ACD callers waiting at the answer (named calls, weekdays):")
    print(h.unstack("waiting").to_string())
    hz = [end_hazard(log_end_parts(log, days), "log weekday")]
    hz += [end_hazard(sim_end_parts(run), f"sim {run.name}") for run in a.runs]
    print("\ncalls ending per minute in progress, by seconds into the call and whether an "
          "ACD caller waits:")
    with pd.option_context("display.width", 200):
        print(pd.concat(hz).to_string(index=False))


if __name__ == "__main__":
    script_cli.run(main)
