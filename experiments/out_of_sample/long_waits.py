"""Where the simulated long waits are, against the log's (issue 16; FINDINGS item 13).

Re-runs a ``ccsim validate --day-mix`` output's resolved configuration with the calls
kept, and prints the served callers who waited longer than anything in the log (when
and which class), and the 99th percentile of served waits by class, model against the
log's on the same days (``validation_by_day.csv``).

    python experiments/out_of_sample/long_waits.py OUT [--log LOG]
"""
from __future__ import annotations

import functools
import tempfile
from pathlib import Path

import script_cli


@functools.cache
def run_calls(out: Path):
    """The calls of the run in ``out``: its ``calls.parquet``, or, for a run that did not
    keep them (``ccsim validate`` outputs), its resolved configuration re-simulated with
    calls kept (same seed: the same calls); once per run (read it, do not modify it)."""
    import pandas as pd
    import yaml

    from sim.config import build_model_spec, build_run_spec
    from sim.runner import load_policy, simulate_spec

    if (out / "calls.parquet").is_file():
        return pd.read_parquet(out / "calls.parquet")
    cfg = yaml.safe_load((out / "resolved_config.yaml").read_text())
    cfg["output"] = {"calls": True, "intervals": False, "progress": False}
    with tempfile.TemporaryDirectory() as tmp:
        simulate_spec(build_model_spec(cfg["scenario"]), build_run_spec(cfg),
                      load_policy(cfg["policy"]), Path(tmp), cfg)
        return pd.read_parquet(Path(tmp) / "calls.parquet")


def days_per_rep(run: Path) -> int:
    """Days a replication of the run simulates: its resolved scenario's horizon (a
    ``--day-mix`` run: all the compared days in a row), 1 without the file."""
    import yaml

    path = run / "resolved_config.yaml"
    if not path.exists():
        return 1
    cfg = yaml.safe_load(path.read_text())
    return int(((cfg.get("scenario") or {}).get("horizon") or {}).get("days", 1))


def simulated_waits(out: Path):
    """Served callers' waits of the run in ``out``, re-simulated with calls kept."""
    calls = run_calls(out)
    calls = calls[(calls["class"] != "hidden_work") & (calls["outcome"] == "answered")]
    return calls.assign(wait=calls["t_answer"] - calls["t_queue"],
                        day=(calls["t_arrival"] // 86400).astype(int),
                        hour=(calls["t_arrival"] % 86400) / 3600)


def main(argv: list[str] | None = None) -> None:
    import pandas as pd

    from sim.calibrate import SHIPPED_LOG
    from sim.calibrate.calibration import Options, label_classes
    from sim.calibrate.schema import read_log

    p = script_cli.parser(__doc__)
    p.add_argument("out", type=Path, help="output directory of ccsim validate --day-mix")
    p.add_argument("--log", type=Path, default=SHIPPED_LOG)
    a = p.parse_args(argv)
    dates = sorted(pd.read_csv(a.out / "validation_by_day.csv")["date"].unique())
    df, _ = read_log(a.log)
    df = df.assign(**{"class": label_classes(df, Options().min_class_calls)})
    log = df[df["date"].isin(pd.to_datetime(dates)) & (df["outcome"] == "served")]
    sim = simulated_waits(a.out)
    longest = float(log["wait_s"].max())
    over = sim[sim["wait"] > longest].assign(date=lambda x: [dates[d] for d in x["day"]])
    print(f"served callers waiting longer than the log's {longest:.0f} s: {len(over)} of "
          f"{len(sim)}; hours {over['hour'].min():.2f}-{over['hour'].max():.2f}")
    print(over.sort_values("wait", ascending=False).head(10)[
        ["rep", "class", "date", "hour", "wait"]].round(2).to_string(index=False))
    p99 = pd.DataFrame({"log": log.groupby("class")["wait_s"].quantile(0.99),
                        "sim": sim.groupby("class")["wait"].quantile(0.99)}).round(0)
    print("99th percentile of served waits (s):")
    print(p99.to_string())


if __name__ == "__main__":
    script_cli.run(main)
