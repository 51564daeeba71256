"""HTML reports: each run and each sweep writes one that opens offline; every plot renders
in a real browser (headless Chromium) with no JavaScript error and labelled axes; targets
are marked met/missed from the numbers; warnings appear when they should."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from browser import chromium, probe, screenshot

from sim.report import write_run_report
from sim.report.run_report import verdict

CCSIM = shutil.which("ccsim", path=str(Path(sys.executable).parent)) or "ccsim"
REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(os.environ.get("CCSIM_ARTIFACTS", REPO / "tests" / "artifacts"))
needs_browser = pytest.mark.skipif(
    chromium() is None and os.environ.get("CCSIM_SKIP_BROWSER") == "1",
    reason="CCSIM_SKIP_BROWSER=1 and no Chromium")


def ccsim(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    proc = subprocess.run([CCSIM, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    """The hotline scenario, two replications, through the real command."""
    d = tmp_path_factory.mktemp("run") / "out"
    proc = ccsim("scenario=hotline_small", "n_reps=2", f"hydra.run.dir={d}", cwd=d.parent)
    assert f"report: {d / 'report.html'}" in proc.stdout
    return d


@pytest.fixture(scope="module")
def sweep_dir(tmp_path_factory) -> Path:
    """A two-dimensional sweep (policy x load): comparison report with a heatmap."""
    d = tmp_path_factory.mktemp("sweep") / "grid"
    ccsim("-m", "scenario=hotline_small", "policy=strict_priority,overflow",
          "scenario.load=0.9,1.2", "n_reps=2", "output.calls=false",
          "sweep.baseline='policy=strict_priority,scenario.load=0.9'",
          f"hydra.sweep.dir={d}", cwd=d.parent)
    return d


def test_report_is_self_contained(run_dir):
    html = (run_dir / "report.html").read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src=", html), "a script loaded from elsewhere"
    assert "cdn." not in html.split("</script>")[-1]
    s = json.loads((run_dir / "summary.json").read_text())
    for needle in (f"seed {s['seed']}", f"{s['n_reps']} replication", s["ccsim_version"],
                   "ordinary member", "VIP desk"):
        assert needle in html, needle


@needs_browser
def test_run_report_renders_in_browser(run_dir, tmp_path):
    got = probe(run_dir / "report.html", tmp_path)
    assert got["errors"] == []
    assert len(got["plots"]) >= 6
    for p in got["plots"]:
        assert p["rendered"], p
        assert p["points"] > 0, f"empty plot {p}"
        assert p["unlabelled"] == [], f"axes without a title in {p['id']}"
    kinds = {t for p in got["plots"] for t in p["traces"]}
    assert {"bar", "scatter", "sankey"} <= kinds
    assert {"Headline figures", "Service level by tier against target", "The day",
            "Waiting times", "Agents and queues", "Call flow", "Second line",
            "Cost and customer value", "Scenario parameters"} <= set(got["headings"])
    png = screenshot(run_dir / "report.html", ARTIFACTS / "run_report.png", tmp_path)
    assert png.stat().st_size > 50_000  # a blank page is a few kB


@needs_browser
def test_comparison_report_renders_in_browser(sweep_dir, tmp_path):
    report = sweep_dir / "report.html"
    assert report.exists()
    got = probe(report, tmp_path)
    assert got["errors"] == []
    for p in got["plots"]:
        assert p["rendered"] and p["points"] > 0 and p["unlabelled"] == [], p
    kinds = {t for p in got["plots"] for t in p["traces"]}
    assert "heatmap" in kinds  # two swept keys
    assert "Paired differences against the baseline" in got["headings"]
    screenshot(report, ARTIFACTS / "comparison_report.png", tmp_path, height=5000)


def test_tier_verdicts_follow_the_numbers(run_dir):
    s = json.loads((run_dir / "summary.json").read_text())
    html = (run_dir / "report.html").read_text(encoding="utf-8")
    rows = dict(re.findall(r"<tr><td class=\"l\">([a-z ]+)</td>(?:<td[^>]*>[^<]*</td>){4}"
                           r"<td class=\"(met|missed|uncertain)\">", html))
    for tier, k in s["by_tier"].items():
        target = k["sl_target"]["mean"]
        if target is None:
            continue
        name = "ordinary member" if tier == "member" else tier
        assert rows[name] == verdict(k["service_level"], target)[1], tier


def test_verdict_uses_the_confidence_interval():
    assert verdict({"mean": 0.9, "low": 0.85, "high": 0.95}, 0.8) == ("met", "met")
    assert verdict({"mean": 0.7, "low": 0.65, "high": 0.75}, 0.8) == ("missed", "missed")
    assert verdict({"mean": 0.82, "low": 0.7, "high": 0.94}, 0.8)[1] == "uncertain"
    assert verdict({"mean": 0.78, "low": 0.7, "high": 0.86}, 0.8)[0].startswith("missed")


def test_warnings_for_one_replication_and_overload(tmp_path):
    """Cut the general desk to 3 agents: intervals overload, and one replication has no CI."""
    d = tmp_path / "cut"
    ccsim("scenario=basic", "n_reps=1", "scenario.groups.general_desk.staffing=3",
          f"hydra.run.dir={d}", cwd=tmp_path)
    html = (d / "report.html").read_text(encoding="utf-8")
    assert "One replication only" in html
    assert "Overloaded interval: general desk" in html
    assert "Answer rate below 80%" in html
    calm = tmp_path / "calm"
    ccsim("scenario=basic", "n_reps=3", "+scenario.groups.general_desk.extra_agents=30",
          "+scenario.groups.vip_desk.extra_agents=5",
          f"hydra.run.dir={calm}", cwd=tmp_path)
    html = (calm / "report.html").read_text(encoding="utf-8")
    assert "Overloaded interval" not in html and "One replication only" not in html


def test_report_without_call_file_and_with_validation(run_dir, tmp_path):
    """A run without calls.parquet still reports (waits from the streaming histogram, flow
    from the summary); a run with validation tables shows them, failures marked and
    warned."""
    d = tmp_path / "copy"
    shutil.copytree(run_dir, d)
    (d / "calls.parquet").unlink()
    (d / "validation.csv").write_text(
        "metric,log,sim,sim_half_width,difference,tolerance,within\n"
        "abandon_rate,0.15,0.16,0.01,0.01,0.02,True\n"
        "mean_wait_s,100,130,5,0.3,0.15,False\n"
        "longest_wait_s (flag: simulated days beyond the log's longest),336,1126,,790,,False\n")
    (d / "validation_hourly.csv").write_text(
        "hour,metric,log,sim\n7,abandon_rate,0.1,0.12\n8,abandon_rate,0.2,0.18\n")
    html = write_run_report(d).read_text(encoding="utf-8")
    assert "Waiting time in queue" in html and "No queued calls" not in html
    assert "Calibration and validation against the call log" in html
    assert "Validation against the log: mean_wait_s is off" in html
    assert "abandon_rate is off" not in html
    assert ("simulated waits up to 1126 s, longer than anything in the log (336 s), on "
            "more simulated days than a model right in distribution") in html
    assert '"type":"sankey"' in html.replace(" ", "")


def test_wait_histogram_agrees_with_the_call_file(run_dir, tmp_path):
    """The flat-memory wait histogram counts every queued call once, in its 1-s bin; the
    report's curves are the same from either source."""
    import numpy as np
    import pandas as pd

    from sim.report.data import load_run
    from sim.report.run_figures import wait_counts

    calls = pd.read_parquet(run_dir / "calls.parquet")
    q = calls[calls["t_queue"].notna()]
    hist = pd.read_parquet(run_dir / "wait_histogram.parquet")
    assert hist["calls"].sum() == len(q)
    assert hist[hist["answered"]]["calls"].sum() == (q["outcome"] == "answered").sum()
    from_hist = wait_counts(load_run(run_dir))
    d = tmp_path / "nohist"
    shutil.copytree(run_dir, d)
    (d / "wait_histogram.parquet").unlink()
    from_calls = wait_counts(load_run(d))
    pd.testing.assert_series_equal(from_hist.sort_index(), from_calls.sort_index(),
                                   check_dtype=False)
    (d / "calls.parquet").unlink()
    assert wait_counts(load_run(d)) is None
    html = write_run_report(d).read_text(encoding="utf-8")
    assert "No queued calls, or no wait tables written" in html
    assert np.isfinite(from_hist.to_numpy()).all()


def test_conservation_break_is_warned(run_dir, tmp_path):
    d = tmp_path / "broken"
    shutil.copytree(run_dir, d)
    s = json.loads((d / "summary.json").read_text())
    s["conservation"]["answered"] -= 1
    (d / "summary.json").write_text(json.dumps(s))
    assert "Calls not accounted for" in write_run_report(d).read_text(encoding="utf-8")


def test_report_command_rewrites_and_rejects_bad_dirs(run_dir, sweep_dir, tmp_path):
    d = tmp_path / "again"
    shutil.copytree(run_dir, d)
    (d / "report.html").unlink()
    out = ccsim("report", str(d), str(sweep_dir), cwd=tmp_path).stdout
    assert (d / "report.html").exists() and str(sweep_dir / "report.html") in out
    for bad in ([str(tmp_path / "nope")], [str(tmp_path)], [], ["--bogus", str(d)]):
        proc = subprocess.run([CCSIM, "report", *bad], capture_output=True, text=True)
        assert proc.returncode == 2 and "Traceback" not in proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr


def test_report_can_be_switched_off(tmp_path):
    d = tmp_path / "quiet"
    ccsim("experiment=erlang_c", "scenario.horizon.intervals_per_day=4", "output.report=false",
          f"hydra.run.dir={d}", cwd=tmp_path)
    assert (d / "summary.json").exists() and not (d / "report.html").exists()


def test_comparison_report_labels_points_by_value_and_stars_only_clear_bests(sweep_dir):
    """Issue 17 points 5, 8: ★ from the paired rule; labels without "key="; scenario named;
    readable KPI titles."""
    import pandas as pd

    html = (sweep_dir / "report.html").read_text(encoding="utf-8")
    assert "(scenario hotline_small)</h1>" in html
    assert "<th class=l>policy · scenario.load</th>" in html
    assert "ASA: wait of answered (s)" in html and ">asa s<" not in html
    assert "cost units" not in html and '"text":"CNY"' in html.replace(" ", "")  # point 13
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", html)
    assert "overflow · 1.2" in cells and not any(c.startswith("policy=") for c in cells)
    table = pd.read_parquet(sweep_dir / "sweep.parquet")
    stars = sum(c.endswith("★") for c in cells)
    best = table[(table["scope"] == "overall") & table["best"]
                 & table["kpi"].isin(["answer_rate", "service_level", "abandon_rate",
                                      "asa_s", "fcr", "cost_per_call"])]
    assert stars == len(best)
    # never two stars for one KPI among the points of one load
    assert not best.duplicated(["kpi", "scenario.load"]).any()


def test_report_groups_indicators_in_the_four_classes(run_dir):
    """Issue 15 item 9: the headline KPIs in 10000's four indicator classes (002)."""
    html = (run_dir / "report.html").read_text(encoding="utf-8")
    assert "Indicators by class" in html
    for cls in ("service level", "service efficiency", "marketing", "key support"):
        assert f">{cls}</td>" in html, cls
    for indicator in ("answer rate", "system availability (not blocked)",
                      "marketing contacts (campaign calls)", "lost-customer rate"):
        assert indicator in html, indicator
