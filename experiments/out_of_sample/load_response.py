"""How a day's mean wait grows with its load, in the log and in the model (issue 16;
FINDINGS items 11 and 13).

Reads a ``ccsim validate --day-mix`` output (``validation_by_day.csv``: each day's mean
wait of served callers, log and simulation) and the log, and sets both against the day's
offered load per agent present between 10 and 19 h (calls that asked for an agent x the
day's mean handle time, over the agent-seconds present, as the day mix's calibrations
measure presence). Prints the days sorted by load, the least-squares slope of each mean
wait on the load (seconds of wait per 0.1 of load), the mean of sim/log by load
tercile (whether the model's waits rise with the load faster than the log's), the
log's handle time by callers waiting at the answer (whether agents speed up), and each
day's talk index (``talk_index``: its talk time 10-19 h over what the days' class means
give its served callers, with the index's sampling sd): how much of the days' spread
in talk time is beyond sampling noise, and whether the model's misses follow it (a
day's talk speed is not among what a prediction is given).

    python experiments/out_of_sample/load_response.py OUT/validation_by_day.csv \\
        [--log LOG] [--day-type weekday] [--reserve-from 4]
"""
from __future__ import annotations

from pathlib import Path

import script_cli

BUSY = (10, 19)  # hours of the day whose load is compared


def day_loads(log_path: Path, day_type: str, reserve_from: int, dates: list) -> dict:
    """Offered load per agent present, 10-19 h, for each date."""
    from sim.calibrate.calibration import ASKED, Options
    from sim.calibrate.day_mix import day_calibrations
    from sim.calibrate.schema import read_log, sniff

    df, dq = read_log(log_path)
    opts = Options(day_type=day_type, reserve_from=reserve_from, hidden_fill=1.0)
    days = day_calibrations(df, dq, opts, sniff(log_path), dates)
    out = {}
    for date, cal in zip(dates, days, strict=True):
        log = cal.log
        hour = log["t_arrival"] // 3600
        busy = log[(hour >= BUSY[0]) & (hour < BUSY[1])]
        asked = busy[busy["outcome"].isin(ASKED)]
        served = log[(log["outcome"] == "served") & (log["service_s"] > 0)]
        present = cal.report["availability"]["present"]
        per = 3600 // cal.report["interval_s"]
        agent_s = sum(present[BUSY[0] * per:BUSY[1] * per]) * cal.report["interval_s"]
        out[str(date)[:10]] = len(asked) * served["service_s"].mean() / agent_s
    return out


def waiting_at_answer(df):
    """The log's served callers (handle time > 0), each with ``waiting``: the ACD callers
    still waiting when he was answered (not counting him)."""
    import numpy as np
    import pandas as pd

    out = []
    for _, d in df.groupby("date"):
        q = d[d["queued"].astype(bool) & d["outcome"].isin(["served", "abandoned"])]
        start = np.sort((q["t_arrival"] + q["ivr_s"]).to_numpy())
        end = np.sort((q["t_arrival"] + q["ivr_s"] + q["wait_s"]).to_numpy())
        s = d[(d["outcome"] == "served") & (d["service_s"] > 0)]
        t = (s["t_arrival"] + s["ivr_s"] + s["wait_s"]).to_numpy()
        out.append(s.assign(waiting=np.searchsorted(start, t, side="right")
                            - np.searchsorted(end, t, side="right")))
    return pd.concat(out)


WAITING_BINS = ([-1, 0, 2, 5, 10, 1000], ["0", "1-2", "3-5", "6-10", ">10"])


def handle_by_waiting(df):
    """The log's mean handle time by type and by ACD callers waiting at the answer: do
    agents speed up when the queue is long?"""
    import pandas as pd

    s = waiting_at_answer(df)
    bucket = pd.cut(s["waiting"], WAITING_BINS[0], labels=WAITING_BINS[1])
    return s.groupby([s["type"], bucket], observed=True)["service_s"].agg(
        ["count", "mean"]).round(1).unstack(0)


def talk_index(df, dates: list):
    """Per date: its served callers' talk time (answered 10-19 h) over the sum of their
    classes' mean talk times over all ``dates`` (``index``), and the index's sampling
    sd were each call drawn from its class's law (``sd``: the classes' variances summed
    over the day's calls, rooted, over the same sum of means)."""
    import pandas as pd

    from sim.calibrate.calibration import label_classes

    d = df[df["date"].isin(dates)]
    d = d.assign(**{"class": label_classes(d, 30)})
    hour = (d["t_arrival"] + d["ivr_s"] + d["wait_s"]) // 3600
    s = d[(d["outcome"] == "served") & (d["service_s"] > 0) & (hour >= BUSY[0])
          & (hour < BUSY[1])]
    law = s.groupby("class")["service_s"].agg(["mean", "var"]).fillna(0.0)
    s = s.assign(mean=s["class"].map(law["mean"]), var=s["class"].map(law["var"]))
    g = s.groupby("date")[["service_s", "mean", "var"]].sum()
    return pd.DataFrame({"index": g["service_s"] / g["mean"],
                         "sd": g["var"] ** 0.5 / g["mean"]})


def main(argv: list[str] | None = None) -> None:
    import numpy as np
    import pandas as pd

    from sim.calibrate import SHIPPED_LOG

    p = script_cli.parser(__doc__)
    p.add_argument("by_day", type=Path, help="validation_by_day.csv of a --day-mix run")
    p.add_argument("--log", type=Path, default=SHIPPED_LOG)
    p.add_argument("--day-type", default="weekday")
    p.add_argument("--reserve-from", type=int, default=4)
    a = p.parse_args(argv)
    t = pd.read_csv(a.by_day)
    t = t[t["metric"] == "mean_wait_served_s"].set_index("date")[["log", "sim"]]
    dates = [pd.Timestamp(d) for d in t.index]
    load = day_loads(a.log, a.day_type, a.reserve_from, dates)
    t["load"] = [load[d] for d in t.index]
    t = t.sort_values("load")
    t["sim/log"] = t["sim"] / t["log"]
    print(t.round(3).to_string())
    for col in ("log", "sim"):
        slope = np.polyfit(t["load"], t[col], 1)[0] / 10
        print(f"{col}: mean wait +{slope:.1f} s per 0.1 of load")
    t["tercile"] = pd.qcut(t["load"], 3, labels=["light", "middle", "heavy"])
    print(t.groupby("tercile", observed=True)[["load", "log", "sim", "sim/log"]]
          .mean().round(3).to_string())
    from sim.calibrate.schema import read_log

    df, _ = read_log(a.log)
    print("the log's mean handle time (s) by ACD callers waiting at the answer, those days:")
    print(handle_by_waiting(df[df["date"].isin(dates)]).to_string())
    talk = talk_index(df, dates)
    t["talk"] = [talk.loc[pd.Timestamp(d), "index"] for d in t.index]
    spread, noise = float(talk["index"].std(ddof=1)), float((talk["sd"] ** 2).mean() ** 0.5)
    print(f"talk index over the days: sd {spread:.3f}, of which sampling {noise:.3f}, "
          f"beyond it {max(spread ** 2 - noise ** 2, 0.0) ** 0.5:.3f}; r with the load "
          f"{t['talk'].corr(t['load']):+.2f}, with the log's mean wait "
          f"{t['talk'].corr(t['log']):+.2f}, with sim/log {t['talk'].corr(t['sim/log']):+.2f}")
    slope, at_one = np.polyfit(t["talk"] - 1.0, t["sim/log"], 1)
    print(f"sim/log against the talk index (least squares): {at_one:.3f} at index 1, "
          f"{slope / 10:+.3f} per +0.1 of index")


if __name__ == "__main__":
    script_cli.run(main)
