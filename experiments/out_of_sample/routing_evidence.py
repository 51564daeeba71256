"""The log's figures behind FINDINGS items 15–16 (issue 16): the share of PS and NE callers
identified at an empty ACD queue by agents not talking (where it levels off is
``when_free``), the waits of those identified with 3+ agents not talking (the answer
delay), the tail of the after-call work's own sample, and (item 17) the handle times by
ACD callers waiting at the answer: whether agents speed up under load.

    python experiments/out_of_sample/routing_evidence.py [LOG]
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
from free_agents import log_days  # run by path: neighbour scripts
from queue_response import log_timelines, state_at, unidentified_share

FREE_EACH = (0, 1, 2, 3, 4, 5, 6, 7, 8, 1000)
WAITING = (0, 1, 2, 4, 7, 11, 1000)  # ACD callers waiting at an answer, bins [lo, hi)


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


def main(argv: list[str] | None = None) -> None:
    from sim.calibrate import SHIPPED_LOG
    from sim.calibrate.staffing import wrap_up_gaps

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("log", type=Path, nargs="?", default=SHIPPED_LOG)
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


if __name__ == "__main__":
    main()
