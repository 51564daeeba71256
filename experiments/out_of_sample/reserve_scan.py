"""Identify ``reserve_from`` on the calibration's own days simulated in a row (issue 16).

The weekday evidence fixes that the direct-line reserve starts above 3 agents on duty,
not where (FINDINGS, item 1). This script reads it off the calibration days instead: for
each candidate it calibrates with ``--reserve-from N`` (the hidden-work fill refitted to
the share answered at once, as always) and validates in sample with ``--day-mix`` (each
calibration day with its own volumes and staffing). The hidden-work fill already matches
the at-once share; the mean wait of served callers over the days in a row is what the
mean day cannot see (waits are convex in the load), so the rule is: the candidate whose
day-mix mean wait is nearest the log's. Only the calibration days are read: for the
halves, the first half; for Fridays and Saturdays, the weekdays.

    python experiments/out_of_sample/reserve_scan.py --days first-half --out OUT

writes OUT/reserve_scan.csv (one row per candidate: the in-sample day-mix differences)
and prints the chosen value. ``ccsim calibrate --reserve-from scan`` does the same search
in the product with fewer candidates (``sim.calibrate.reserve_scan``); this script keeps
the full grid for the research record (FINDINGS items 12-13: why it is not the
default). Each candidate is a calibration (~15 s) and a validation of --n-reps runs of
the days (~1 min for the 19 weekdays at 5).
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import script_cli

from sim.calibrate import SHIPPED_LOG

METRICS = {"abandon_rate": "abandonment (pt)",
           "answered_at_once_of_requests": "at once (pt)",
           "mean_wait_served_s (relative difference)": "mean wait (rel.)",
           "hourly_shape:mean_wait_served_s (Pearson r)": "hourly wait r",
           "daily_shape:mean_wait_served_s (Pearson r)": "daily wait r"}


def ccsim(*args: str) -> None:
    """Run one ccsim command; exit code 1 (a target missed) is a result, not a failure."""
    cmd = [str(Path(sys.executable).with_name("ccsim")), *args]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode not in (0, 1):  # its own one line, said once
        last = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]
        raise ValueError(f"ccsim {args[0]}: {last.removeprefix('ccsim: error: ')}")


def candidate(log: str, days: str, reserve_from: int, n_reps: int, seed: int,
              out: Path) -> dict:
    """Calibrate with ``reserve_from``, validate the days in a row; the differences."""
    import pandas as pd

    here = out / f"reserve_from_{reserve_from}"
    scenario = here / "scenario.yaml"
    if not scenario.exists():
        ccsim("calibrate", log, "--name", "scan", "--days", days, "--reserve-from",
              str(reserve_from), "--out", str(scenario), "--report-dir", str(here))
    table = here / "validate" / "validation.csv"
    if not table.exists():
        ccsim("validate", log, "--scenario", str(scenario), "--days", days,
              "--reserve-from", str(reserve_from), "--day-mix", "--n-reps", str(n_reps),
              "--seed", str(seed), "--out", str(here / "validate"))
    rows = pd.read_csv(table).set_index("metric")
    got = {"reserve_from": reserve_from}
    for metric, name in METRICS.items():
        diff = rows.loc[metric, "difference"]
        got[name] = rows.loc[metric, "sim"] if "Pearson" in metric else diff
    return got


def main(argv: list[str] | None = None) -> None:
    import pandas as pd

    p = script_cli.parser(__doc__)
    p.add_argument("log", nargs="?", default=str(SHIPPED_LOG))
    p.add_argument("--days", default="all", help="calibration days (ccsim calibrate --days)")
    p.add_argument("--candidates", default="4,5,6,7,8,9",
                   help="comma-separated reserve_from values to try")
    p.add_argument("--n-reps", type=int, default=5)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", type=Path, default=Path("outputs/reserve_scan"))
    a = p.parse_args(argv)
    if not Path(a.log).is_file():  # before anything is written
        raise FileNotFoundError(2, "No such file or directory", a.log)
    a.out.mkdir(parents=True, exist_ok=True)
    values = [int(v) for v in a.candidates.split(",")]
    table = pd.DataFrame([candidate(a.log, a.days, v, a.n_reps, a.seed, a.out)
                          for v in values]).set_index("reserve_from")
    table.to_csv(a.out / "reserve_scan.csv")
    chosen = int(table["mean wait (rel.)"].abs().idxmin())
    with pd.option_context("display.width", 200):
        print(f"weekday days {a.days}, day mix in sample, {a.n_reps} runs (seed {a.seed}):")
        print(table.round(3).to_string())
    print(f"reserve_from = {chosen} (day-mix mean wait nearest the log's)")


if __name__ == "__main__":
    script_cli.run(main)
