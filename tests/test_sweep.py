"""Sweeps: a grid runs to the end past a bad point, resumes, and lands in one tidy table."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

CCSIM = str(Path(sys.executable).with_name("ccsim"))
BASE = ["scenario=hotline_small", "n_reps=2", "output.calls=false"]


def sweep(tmp_path: Path, name: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([CCSIM, "-m", *BASE, f"hydra.sweep.dir={tmp_path / name}", *args],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def grid(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("sweep")
    proc = sweep(tmp, "grid", "policy=strict_priority,overflow", "scenario.load=0.9,-1,1.1")
    return tmp, proc


def test_a_bad_point_is_recorded_and_the_others_complete(grid):
    tmp, proc = grid
    assert proc.returncode == 1, proc.stderr  # the sweep ran, but not every point
    table = pd.read_parquet(tmp / "grid" / "sweep.parquet")
    points = table.groupby("point")["status"].first()
    assert (points == "ok").sum() == 4 and (points == "failed").sum() == 2
    failed = table[table["status"] == "failed"]
    assert failed["error"].str.contains("scenario.load").all()
    assert "Traceback" not in proc.stderr


def test_table_is_tidy_with_overrides_as_columns(grid):
    tmp, _ = grid
    table = pd.read_parquet(tmp / "grid" / "sweep.parquet")
    for col in ("job", "policy", "scenario.load", "scope", "name", "kpi", "mean",
                "half_width", "low", "high", "n", "status", "error"):
        assert col in table.columns
    ok = table[(table["status"] == "ok") & (table["scope"] == "overall")
               & (table["kpi"] == "service_level")]
    assert set(ok["policy"]) == {"strict_priority", "overflow"}
    assert set(ok["scenario.load"]) == {0.9, 1.1}  # typed: a number, not the string
    assert table["scenario.load"].dtype == "float64" and table["n_reps"].dtype == "int64"
    assert (ok["n"] == 2).all() and (ok["low"] <= ok["mean"]).all()
    assert pd.read_csv(tmp / "grid" / "sweep.csv").shape[0] == len(table)
    reps = pd.read_parquet(tmp / "grid" / "sweep_replications.parquet")
    assert set(reps["rep"]) == {0, 1}


def test_paired_differences_against_the_baseline(grid):
    tmp, proc = grid
    diffs = pd.read_parquet(tmp / "grid" / "sweep_differences.parquet")
    base_job = diffs["baseline_job"].iloc[0]
    table = pd.read_parquet(tmp / "grid" / "sweep.parquet")
    base = table[table["job"] == base_job].iloc[0]
    assert (base["policy"], base["scenario.load"]) == ("strict_priority", 0.9)
    # each point is paired with the baseline policy at its own load
    pairs = diffs.drop_duplicates("job").set_index("job")["baseline_job"]
    points = table.drop_duplicates("job").set_index("job")
    for job, b in pairs.items():
        assert points.loc[b, "policy"] == "strict_priority"
        assert points.loc[b, "scenario.load"] == points.loc[job, "scenario.load"]
    assert len(set(pairs)) == 2
    reps = pd.read_parquet(tmp / "grid" / "sweep_replications.parquet")
    overall = reps[reps["scope"] == "overall"].pivot_table(
        index=["policy", "scenario.load", "rep"], columns="kpi", values="value")
    # same seed, same load: overflow sees exactly the same first calls as the baseline
    first = overall["offered"] - overall["redials"]
    assert (first.loc["overflow", 0.9] == first.loc["strict_priority", 0.9]).all()
    # the difference is taken replication by replication
    sl = overall["service_level"]
    want = (sl.loc["overflow", 0.9] - sl.loc["strict_priority", 0.9]).mean()
    d = diffs[(diffs["scope"] == "overall") & (diffs["kpi"] == "service_level")
              & (diffs["policy"] == "overflow") & (diffs["scenario.load"] == 0.9)]
    assert d["diff_mean"].iloc[0] == pytest.approx(want, rel=1e-12)
    assert "paired differences, each point minus its own baseline" in proc.stdout
    assert "overflow · 1.1 vs strict_priority · 1.1" in proc.stdout


def test_rerunning_the_sweep_skips_points_already_done(grid):
    tmp, _ = grid
    proc = sweep(tmp, "grid", "policy=strict_priority,overflow", "scenario.load=0.9,-1,1.1")
    # each of the 4 good points ran as 1 task (sweep.tasks=auto on the basic launcher:
    # whole points): all 4 skipped
    assert proc.stdout.count("done before, skipped") == 4
    assert proc.returncode == 1  # the bad points are tried again, and fail again


def test_parallel_launcher_gives_the_same_numbers(tmp_path):
    args = ("scenario.load=0.9,1.1",)
    serial = sweep(tmp_path, "serial", *args)
    parallel = sweep(tmp_path, "parallel", *args, "hydra/launcher=joblib",
                     "hydra.launcher.n_jobs=2")
    assert serial.returncode == parallel.returncode == 0, parallel.stderr
    a = pd.read_parquet(tmp_path / "serial" / "sweep.parquet").sort_values(
        ["scenario.load", "scope", "name", "kpi"]).reset_index(drop=True)
    b = pd.read_parquet(tmp_path / "parallel" / "sweep.parquet").sort_values(
        ["scenario.load", "scope", "name", "kpi"]).reset_index(drop=True)
    cols = ["scenario.load", "scope", "name", "kpi", "mean", "half_width"]
    pd.testing.assert_frame_equal(a[cols], b[cols])


def test_a_sweep_of_single_replications_reports_without_intervals(tmp_path):
    """One replication per point has no confidence intervals: the comparison table and
    report show the differences without them instead of failing to collect."""
    proc = subprocess.run([CCSIM, "-m", "scenario=basic", "n_reps=1", "scenario.load=0.9,1.1",
                           "output.calls=false", f"hydra.sweep.dir={tmp_path / 'one'}"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Warning" not in proc.stderr and "raised" not in proc.stderr, proc.stderr[-2000:]
    assert "1.1 vs 0.9" in proc.stdout and "±" not in proc.stdout.split("1.1 vs 0.9")[1]
    assert (tmp_path / "one" / "report.html").exists()
