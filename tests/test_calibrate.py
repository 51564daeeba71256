"""Calibration from call logs: adapters count every row, the estimators recover known laws,
the calibrated scenario loads, validation on January weekdays meets the targets, and bad
input is one line with exit code 2."""

from __future__ import annotations

import argparse
import gzip
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from sim.calibrate import SHIPPED_LOG, main, validate_main
from sim.calibrate.anonymous_bank import FIELDS
from sim.calibrate.fit import fit_censored, fit_complete, kaplan_meier, km_survival_at
from sim.calibrate.schema import GENERIC_COLUMNS, LogError, read_log
from sim.config import build_model_spec

REPO = Path(__file__).resolve().parent.parent
SCENARIO = REPO / "configs" / "scenario" / "anonymous_bank.yaml"


# -- adapters -----------------------------------------------------------------------------

def test_shipped_log_counts_every_row():
    """Known counts of the January log (independently: 27,060 AGENT, 4,299 HANG of which
    2 of type AA, 240 PHANTOM): nothing vanishes, every category is counted."""
    df, dq = read_log(SHIPPED_LOG)
    assert dq.rows_read == 31599
    assert dq.dropped == {"phantom": 240, "unknown_type": 2}
    assert dq.kept == len(df) == 31357
    assert dq.rows_read == dq.kept + sum(dq.dropped.values())
    assert df["outcome"].value_counts().to_dict() == {
        "served": 27060, "abandoned": 3101, "ivr_abandoned": 1196}
    assert dq.flagged["zero_service_time"] == 277
    assert dq.flagged["served_without_server"] == 490
    assert dq.flagged["past_midnight"] == 24
    assert df["call_id"].is_unique  # vru+line:call_id
    assert (df["ivr_s"] >= 0).all() and (df["wait_s"] >= 0).all()
    served = df[df["outcome"] == "served"]
    assert (served["t_answer"] >= served["t_arrival"]).all()


def _bank_row(**kw) -> str:
    row = {"vru+line": "AA0101", "call_id": "1", "customer_id": "0", "priority": "2",
           "type": "PS", "date": "990104", "vru_entry": "10:00:00", "vru_exit": "10:00:06",
           "vru_time": "6", "q_start": "10:00:06", "q_exit": "10:00:40", "q_time": "34",
           "outcome": "AGENT", "ser_start": "10:00:40", "ser_exit": "10:03:00",
           "ser_time": "140", "server": "DANA"}
    row.update(kw)
    return "\t".join(row[f] for f in FIELDS)


def test_adapter_counts_malformed_rows(tmp_path):
    lines = ["\t".join(FIELDS),
             _bank_row(call_id="1"),                                     # kept
             _bank_row(call_id="2", outcome="PHANTOM", server="NO_SERVER"),  # phantom
             "AA0101\t3\t0\t2\tPS\t990104\t10:00:00",                     # too few fields
             _bank_row(call_id="4", vru_entry="25:99:00"),               # bad time
             _bank_row(call_id="5", outcome="MAYBE"),                    # unknown outcome
             _bank_row(call_id="6", type="ZZ"),                          # unknown type
             _bank_row(call_id="7", vru_entry="23:59:00", vru_exit="23:59:06",  # midnight
                       q_start="23:59:06", q_exit="00:00:30", q_time="84",
                       ser_start="00:00:30", ser_exit="00:02:00", ser_time="90"),
             _bank_row(call_id="8", ser_time="0", ser_exit="10:00:40"),  # zero service
             _bank_row(call_id="9", outcome="HANG", ser_start="0:00:00", ser_exit="0:00:00",
                       ser_time="0", server="NO_SERVER"),                # queue abandon
             _bank_row(call_id="10", outcome="HANG", q_start="0:00:00", q_exit="0:00:00",
                       q_time="0", ser_start="0:00:00", ser_exit="0:00:00", ser_time="0",
                       server="NO_SERVER")]                              # IVR hang-up
    path = tmp_path / "log.txt.gz"
    with gzip.open(path, "wt", newline="") as fh:
        fh.write("\r\n".join(lines) + "\r\n")
    df, dq = read_log(path)
    assert dq.rows_read == 10
    assert dq.dropped == {"malformed": 2, "unknown_outcome": 1, "phantom": 1,
                          "unknown_type": 1}
    assert dq.kept == 5 == len(df)
    assert dq.flagged["past_midnight"] == 1 and dq.flagged["zero_service_time"] == 1
    late = df.set_index("call_id").loc["AA0101:7"]
    assert late["t_answer"] == 86400 + 30 and late["wait_s"] == 84
    assert df.set_index("call_id")["outcome"].to_dict() == {
        "AA0101:1": "served", "AA0101:7": "served", "AA0101:8": "served",
        "AA0101:9": "abandoned", "AA0101:10": "ivr_abandoned"}
    assert "rows conserved" in dq.table()


def test_generic_schema_reads_and_names_a_missing_column(tmp_path):
    good = tmp_path / "calls.csv"
    pd.DataFrame([
        ["c1", "2024-03-04", 1, "billing", "09:00:00", 5, 1, 40, "served", "09:00:45", 120,
         "ann"],
        ["c2", "2024-03-04", 1, "billing", "09:01:00", 5, 1, 75, "abandoned", "", "", ""],
        ["c3", "2024-03-04", 0, "sales", "09:02:00", 4, 0, 0, "served", "", 60, "bob"],
        ["c4", "2024-03-04", 0, "sales", "09:03:00", 4, 0, 0, "lost", "", "", ""],
        ["c5", "2024-03-04", 0, "sales", "23:59:50", 4, 0, 0, "served", "00:00:10", 60,
         "bob"]], columns=list(GENERIC_COLUMNS)).to_csv(good, index=False)
    df, dq = read_log(good)  # sniffed as generic
    assert dq.rows_read == 5 and dq.dropped == {"unknown_outcome": 1} and dq.kept == 4
    assert dq.flagged == {"past_midnight": 1}
    assert df.set_index("call_id").loc["c3", "t_answer"] == 9 * 3600 + 120 + 4
    bad = tmp_path / "bad.csv"
    pd.read_csv(good).drop(columns=["wait_s"]).to_csv(bad, index=False)
    with pytest.raises(LogError, match="missing column 'wait_s'"):
        read_log(bad, "generic")
    with pytest.raises(LogError, match="--format 'acd9': unknown log format; allowed: auto, "
                                       "anonymous_bank, generic"):
        read_log(good, "acd9")


# -- estimators ---------------------------------------------------------------------------

def _censored_sample(n=6000, patience_mean=200.0, wait_mean=100.0, seed=3):
    """Exponential patience, censored by an independent exponential offered wait."""
    rng = np.random.default_rng(seed)
    patience = rng.exponential(patience_mean, n)
    offered_wait = rng.exponential(wait_mean, n)
    return np.minimum(patience, offered_wait), patience < offered_wait


def test_kaplan_meier_recovers_exponential_patience():
    t, abandoned = _censored_sample()
    times, surv = kaplan_meier(t, abandoned)
    grid = np.array([30.0, 100.0, 200.0, 300.0])
    assert np.allclose(km_survival_at(times, surv, grid), np.exp(-grid / 200), atol=0.03)
    rep = fit_censored(t, abandoned).to_dict()
    exp = next(c for c in rep["candidates"] if c["law"] == "exponential")
    assert exp["mean"] == pytest.approx(200, rel=0.08)
    assert rep["km_median"] == pytest.approx(200 * np.log(2), rel=0.1)


def test_mean_of_abandon_times_is_biased_low():
    """Why censoring matters: abandoners are the impatient ones. Here the naive mean is
    E[min(P, W) | P < W] = 1 / (1/200 + 1/100) = 66.7 s, a third of the true 200 s."""
    t, abandoned = _censored_sample()
    rep = fit_censored(t, abandoned).to_dict()
    assert rep["naive_mean_of_abandon_times"] == pytest.approx(66.7, rel=0.08)
    assert rep["naive_mean_of_abandon_times"] < 0.4 * 200


def test_goodness_of_fit_picks_the_true_law():
    rng = np.random.default_rng(7)
    sigma = np.sqrt(np.log1p((150 / 180) ** 2))
    logn = rng.lognormal(np.log(180) - sigma**2 / 2, sigma, 4000)
    rep = fit_complete(logn)
    assert rep.chosen.law == "lognormal"
    assert rep.chosen.mean == pytest.approx(180, rel=0.06)
    assert rep.chosen.gof < 0.03  # KS distance of the chosen law
    gam = rng.gamma(2.0, 90.0, 4000)
    assert fit_complete(gam).chosen.law == "gamma"


# -- calibrate and validate on the shipped log ---------------------------------------------

@pytest.fixture(scope="module")
def calibrated(tmp_path_factory):
    """``ccsim calibrate`` on the shipped log, as the README runs it."""
    out = tmp_path_factory.mktemp("calibrate")
    code = main([str(SHIPPED_LOG), "--name", "anonymous_bank", "--out",
                 str(out / "anonymous_bank.yaml"), "--report-dir", str(out)])
    assert code == 0
    return out


def test_calibrate_writes_a_scenario_that_builds(calibrated):
    scn = yaml.safe_load((calibrated / "anonymous_bank.yaml").read_text())
    spec = build_model_spec(scn)
    classes = {c.name: c for c in spec.classes}
    assert {"p2_PS", "p1_PS", "p0_PS", "p0_NW", "hidden_work"} <= set(classes)
    # the priority rule found in the log: 2 before 1 before 0; direct line first
    assert classes["p0_PS"].priority < classes["p2_PS"].priority < \
        classes["p1_PS"].priority < classes["p0_NW"].priority
    assert [q.name for q in spec.queues] == ["direct_line", "acd", "hidden_work"]
    assert spec.queues[0].max_wait_s == 1.0
    assert max(spec.groups[0].staffing) >= 8
    report = (calibrated / "calibration.json").read_text()
    for key in ("priority_rule", "handle_time", "patience", "km_median", "hidden_work",
                "data_quality"):
        assert key in report
    rates = pd.read_csv(calibrated / "arrival_rates.csv")
    assert set(rates["day_type"]) == {"weekday", "friday", "saturday"}
    weekday = rates[rates["day_type"] == "weekday"]
    assert weekday["calls"].sum() == pytest.approx(27157 / 19, rel=1e-3)


def test_answer_delay_only_where_nobody_is_answered_at_once(calibrated):
    """Identified PS/NE/PE callers are never answered at once in the log: they get an
    answer delay (about half a minute); TT and unidentified classes, answered at once
    often, get none."""
    import json

    scn = yaml.safe_load((calibrated / "anonymous_bank.yaml").read_text())
    delayed = sorted(c for c, v in scn["classes"].items() if "answer_delay" in v)
    assert delayed == ["p1_NE", "p1_PE", "p1_PS", "p1_other", "p2_NE", "p2_PE", "p2_PS",
                       "p2_other"]
    report = json.loads((calibrated / "calibration.json").read_text())["answer_delay"]
    assert "method" in report and set(report["classes"]) == set(delayed)
    for cls in ("p1_PS", "p2_PS"):
        fit = report["classes"][cls]
        assert fit["own_calls"] >= 500 and 25 < fit["spec"]["mean"] < 50
    by_idle = report["wait_by_idle_agents"]["delay_classes"]
    # whatever the idle agents, in every count with enough calls for its mean (standard
    # error <= ~4 s at 100 calls): 6+ idle agents is rare once pauses end sessions
    assert min(v["mean_wait_s"] for v in by_idle.values() if v["calls"] >= 100) > 25


def test_answer_delay_off_writes_none(tmp_path):
    code = main([str(SHIPPED_LOG), "--name", "anonymous_bank", "--answer-delay", "off",
                 "--hidden-fill", "0.7", "--out", str(tmp_path / "off.yaml"),
                 "--report-dir", str(tmp_path)])
    assert code == 0
    scn = yaml.safe_load((tmp_path / "off.yaml").read_text())
    assert not any("answer_delay" in v for v in scn["classes"].values())


def test_committed_scenario_is_the_calibrate_output(calibrated):
    """configs/scenario/anonymous_bank.yaml is exactly what ``ccsim calibrate`` writes
    (comment header aside)."""
    def body(text):
        return [ln for ln in text.splitlines() if not ln.startswith("#")]

    fresh = (calibrated / "anonymous_bank.yaml").read_text()
    assert body(SCENARIO.read_text()) == body(fresh)
    build_model_spec(yaml.safe_load(SCENARIO.read_text()))


@pytest.fixture(scope="module")
def validated(calibrated, tmp_path_factory):
    out = tmp_path_factory.mktemp("validate")
    code = validate_main(["--scenario", str(calibrated / "anonymous_bank.yaml"),
                          "--out", str(out)])
    v = pd.read_csv(out / "validation.csv")
    missed = v.loc[v["within"].astype(str) == "False", "metric"].tolist()
    assert code == (1 if missed else 0), missed  # exit 1 exactly when a target is missed
    return out


def test_validate_exit_code_follows_the_targets(calibrated, tmp_path, monkeypatch, capsys):
    """``ccsim validate`` exits 1 when any target is missed and 0 when all are met (for CI):
    the same run with impossible targets fails, with targets anything meets passes."""
    from sim.calibrate import validate as val

    argv = ["--scenario", str(calibrated / "anonymous_bank.yaml"), "--n-reps", "2"]
    monkeypatch.setattr(val, "TARGETS", dict.fromkeys(val.TARGETS, (0.0, False)))
    assert validate_main([*argv, "--out", str(tmp_path / "strict")]) == 1
    assert "targets missed" in capsys.readouterr().out
    monkeypatch.setattr(val, "TARGETS", dict.fromkeys(val.TARGETS, (1e9, False)))
    monkeypatch.setattr(val, "SHAPE_MIN_R", -1.0)
    monkeypatch.setattr(val, "long_waits", lambda log, hist, days=1: {
        "log_max_s": 1.0, "sim_max_s": 1.0, "sim_longer_per_day": 0.0, "p_value": 1.0})
    assert validate_main([*argv, "--out", str(tmp_path / "loose")]) == 0
    assert "every target met" in capsys.readouterr().out


def test_missed_targets_lists_misses_and_unknowns():
    from sim.calibrate.validate import missed_targets

    t = pd.DataFrame({"metric": ["a", "b", "c", "d"], "within": [True, False, None, False]})
    assert missed_targets(t) == ["b", "d"]


def test_validation_meets_the_acceptance_targets(validated):
    """January weekdays: abandonment within 2 points, share served at once within 3
    points, mean wait of served callers within 15 % (README: the figures)."""
    v = pd.read_csv(validated / "validation.csv").set_index("metric")
    assert list(v.columns) == ["log", "sim", "sim_half_width", "difference", "tolerance",
                               "within", "log_sd", "log_sd_days", "z"]
    assert v.loc["abandon_rate", "log"] == pytest.approx(0.1098, abs=1e-4)
    assert v.loc["answered_at_once_of_requests", "log"] == pytest.approx(0.4199, abs=1e-4)
    assert v.loc["mean_wait_served_s (relative difference)", "log"] == pytest.approx(
        37.60, abs=0.01)
    for m in ("abandon_rate", "answered_at_once_of_requests",
              "mean_wait_served_s (relative difference)"):
        assert bool(v.loc[m, "within"]), (m, v.loc[m].to_dict())
    assert abs(v.loc["answered_per_day", "difference"]) < 0.1 * v.loc["answered_per_day",
                                                                      "log"]


def test_validation_hour_by_hour(validated):
    """Hourly volume, at-once and abandonment curves keep the log's shape (r >= 0.7, the
    tool's target). The mean-wait curve meets it since the reserve applies only from the
    headcount read off the log (4 agents on duty: docs/calibration.md, What limits the hourly waits;
    0.630 and missed with the reserve at every headcount): its seeded value is pinned
    against regressions. The long-wait flag is in the table too: 1,258 s against the log's
    1,500 s (1,778 s with the reserve at every headcount, 24,504 s with night staffing
    rounded to 0)."""
    from sim.calibrate.validate import SHAPE_MIN_R

    table = pd.read_csv(validated / "validation.csv").set_index("metric")
    v, within = table["sim"], table["within"]
    assert v["hourly_shape:answered_per_day (Pearson r)"] >= 0.99
    for m in ("answered_at_once_of_requests", "abandon_rate"):
        assert v[f"hourly_shape:{m} (Pearson r)"] >= SHAPE_MIN_R, m
        assert bool(within[f"hourly_shape:{m} (Pearson r)"])
    wait = "hourly_shape:mean_wait_served_s (Pearson r)"
    assert v[wait] == pytest.approx(0.887, abs=0.005) and bool(within[wait])
    flag = "longest_wait_s (flag: simulated days beyond the log's longest)"
    assert table.loc[flag, "log"] == 1500 and v[flag] == pytest.approx(1258, abs=2)
    assert bool(within[flag])
    # the mean wait's tail (FINDINGS item 28), seeded: the model's waits beyond 5 minutes
    # add 6.9 s to its mean wait, the log's 2.3 s (the mean waits match: 37.2 / 37.6 s)
    tail = "mean_wait_served_s from waits over 300 s"
    assert table.loc[tail, "log"] == pytest.approx(2.32, abs=0.01)
    assert v[tail] == pytest.approx(6.92, abs=0.05) and pd.isna(within[tail])
    hourly = pd.read_csv(validated / "validation_hourly.csv")
    assert list(hourly.columns) == ["hour", "metric", "log", "sim"]
    assert set(hourly["metric"]) >= {"abandon_rate", "mean_wait_served_s",
                                      "answered_per_day"}
    for name in ("summary.json", "data_quality.json", "calibration.json",
                 "validation_by_class.csv"):
        assert (validated / name).exists()


def test_tail_row_is_the_long_waits_share_of_the_mean_wait():
    """Log: served waits 0, 100, 500 (mean 200; 500 / 3 from beyond 300 s), an abandoned
    caller's 900 s left out. Simulation: 2 calls at 0 s, 1 at 400 s, 1 at 350 s of hidden
    work and 1 abandoned at 1000 s left out: 400 / 3."""
    from sim.calibrate.validate import tail_row

    log = pd.DataFrame({"outcome": ["served", "served", "served", "abandoned"],
                        "wait_s": [0.0, 100.0, 500.0, 900.0]})
    hist = pd.DataFrame({"rep": 0, "class": ["a", "a", "hidden_work", "a"],
                         "answered": [True, True, True, False],
                         "wait_s": [0.0, 400.0, 350.0, 1000.0], "calls": [2, 1, 1, 1]})
    row = tail_row(log, hist)
    assert row["log"] == pytest.approx(500 / 3) and row["sim"] == pytest.approx(400 / 3)
    assert row["within"] is None and row["metric"].endswith("over 300 s")
    assert tail_row(log, hist, over_s=600)["sim"] == 0.0


# -- bad input ----------------------------------------------------------------------------

@pytest.mark.parametrize("argv, message", [
    (["no/such/log.txt"], "no/such/log.txt: no such log file"),
    ([str(SHIPPED_LOG), "--format", "acd9"], "--format 'acd9': unknown log format; allowed: auto, "
                                             "anonymous_bank, generic"),
    ([str(SHIPPED_LOG), "--day-type", "holiday"], "--day-type 'holiday': no such days in "
                                                  "the log; allowed: friday, saturday, "
                                                  "weekday"),
    ([str(SHIPPED_LOG), "--hidden-fill", "lots"], "--hidden-fill 'lots': allowed: auto"),
    ([str(SHIPPED_LOG), "--weekdays", "Funday"], "--weekdays 'Funday': unknown day"),
    ([str(SHIPPED_LOG), "--answer-delay", "maybe"], "--answer-delay 'maybe': allowed: "
                                                    "auto, off"),
    ([str(SHIPPED_LOG), "--availability", "moods"], "--availability 'moods': allowed: "
                                                    "auto, states, off"),
    ([str(SHIPPED_LOG), "--reserve-from", "-1"], "--reserve-from '-1': allowed: auto, "
                                                 "scan (ccsim calibrate) or an integer >= 0"),
])
def test_bad_input_is_one_line_exit_2(argv, message, capsys, tmp_path):
    code = main([*argv, "--out", str(tmp_path / "x.yaml"), "--report-dir", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and message in err, err
    assert not (tmp_path / "x.yaml").exists()


def test_bad_input_through_the_ccsim_command(tmp_path):
    bad = tmp_path / "calls.csv"
    bad.write_text("call_id,date\nc1,2024-01-01\n")
    for argv, message in ((["calibrate", str(tmp_path / "nope.csv")], "no such log file"),
                          (["calibrate", str(bad), "--format", "generic"],
                           "missing column 'priority'"),
                          (["validate", "--n-reps", "1"], "--n-reps 1: allowed"),
                          (["calibrate"], "the following arguments are required")):
        proc = subprocess.run([sys.executable, "-m", "sim", *argv], capture_output=True,
                              text=True, cwd=tmp_path, timeout=120)
        assert proc.returncode == 2, (argv, proc.stderr)
        assert proc.stderr.count("\n") == 1 and message in proc.stderr, proc.stderr
        assert "Traceback" not in proc.stderr


def test_per_class_arrival_volumes_are_followed():
    """Each class keeps its own daily shape (the calibrated scenario relies on it)."""
    from sim.calibrate.validate import simulate_scenario

    scn = {"name": "shapes", "horizon": {"days": 1, "interval_s": 3600,
                                         "intervals_per_day": 24, "drain_s": 3600},
           "arrivals": {"calls_per_interval": 0},
           "classes": {"morning": {"calls_per_interval": [40] * 12 + [0] * 12, "queue": "q",
                                   "handle_time": 1},
                       "evening": {"calls_per_interval": [0] * 12 + [20] * 12, "queue": "q",
                                   "handle_time": 1}},
           "queues": {"q": {"groups": ["g"]}}, "groups": {"g": {"staffing": 5}}}
    f = simulate_scenario(scn, {"name": "fifo", "class": "sim.policies.fifo.Fifo"}, 5,
                          1).intervals
    f = f[f["class"] != "ALL"].assign(pm=lambda x: x["interval"] >= 12)
    got = f.groupby(["class", "pm"])["offered"].sum() / 5
    assert got[("morning", True)] == 0 and got[("evening", False)] == 0
    # Poisson volumes: the mean of 5 days lies within 3 standard errors, sqrt(mean / 5)
    for key, expected in ((("morning", False), 480), (("evening", True), 240)):
        assert abs(got[key] - expected) <= 3 * math.sqrt(expected / 5), (key, got[key])


def test_generic_schema_round_trip_calibrates_the_same(tmp_path, calibrated):
    """The January log rewritten in the generic CSV schema calibrates to the same
    scenario: a new format needs one adapter, nothing else."""
    from sim.calibrate.schema import write_generic

    df, _ = read_log(SHIPPED_LOG)
    path = tmp_path / "january.csv"
    write_generic(df, path)
    back, dq = read_log(path)
    assert dq.rows_read == dq.kept == len(df)
    pd.testing.assert_frame_equal(back.reset_index(drop=True), df.reset_index(drop=True),
                                  check_dtype=False)
    fill = [ln for ln in (calibrated / "anonymous_bank.yaml").read_text().splitlines()
            if "fill " in ln][0].split("fill ")[1].split(" ")[0]
    code = main([str(path), "--weekdays", "Sunday,Monday,Tuesday,Wednesday,Thursday",
                 "--name", "anonymous_bank", "--hidden-fill", fill,
                 "--out", str(tmp_path / "g.yaml"), "--report-dir", str(tmp_path)])
    assert code == 0
    a = yaml.safe_load((tmp_path / "g.yaml").read_text())
    b = yaml.safe_load((calibrated / "anonymous_bank.yaml").read_text())
    assert a == b


def test_readme_calibrate_commands_write_under_outputs_not_the_tracked_scenario():
    """Issue 17 point 18: the README's command overwrote configs/scenario/anonymous_bank.yaml."""
    readme = (REPO / "README.md").read_text()
    commands = [ln for ln in readme.splitlines() if ln.startswith(("ccsim calibrate",
                                                                    "ccsim validate"))]
    assert commands and not any("configs/" in ln for ln in commands)
    assert any("--scenario outputs/calibrate/anonymous_bank.yaml" in ln for ln in commands)


def test_predict_keeps_behaviour_and_takes_only_volumes_and_staffing(calibrated):
    """``--predict friday``: the weekday calibration's laws, priorities, answer delays and
    not-ready share stay; calls per interval and agents present come from Fridays; the
    hidden work keeps its share of available agent time."""
    import copy
    import json

    from sim.calibrate.calibration import Options, calibrate
    from sim.calibrate.hidden import HIDDEN
    from sim.calibrate.predict import predict_scenario

    weekday = yaml.safe_load((calibrated / "anonymous_bank.yaml").read_text())
    report = json.loads((calibrated / "calibration.json").read_text())
    df, dq = read_log(SHIPPED_LOG)
    friday = calibrate(df, dq, Options(day_type="friday", hidden_fill=1.0), "anonymous_bank")
    scn, info = predict_scenario(copy.deepcopy(weekday), report, friday)
    assert info["predicted_days"] == friday.report["days"]
    for cls, c in scn["classes"].items():
        for key in ("patience", "handle_time", "answer_delay", "priority", "queue"):
            assert c.get(key) == weekday["classes"][cls].get(key), (cls, key)
        if cls == HIDDEN:
            continue
        own = friday.scenario["classes"].get(cls)
        if own is not None and cls not in info["classes_moved"]:
            assert c["calls_per_interval"] == pytest.approx(own["calls_per_interval"],
                                                            abs=1e-4)
    fri_total = sum(sum(c["calls_per_interval"]) for k, c in
                    friday.scenario["classes"].items() if k != HIDDEN)
    got = sum(sum(c["calls_per_interval"]) for k, c in scn["classes"].items() if k != HIDDEN)
    dropped = [k for k, why in info["classes_moved"].items() if why.startswith("dropped")]
    assert not dropped and got == pytest.approx(fri_total, rel=1e-3)  # every call kept
    present = friday.report["availability"]["present"]
    nr = report["availability"]["not_ready"]["share"]
    group = scn["groups"]["agents"]
    for k, p in enumerate(present):
        avail = group["staffing"][k] * (1 - group["availability"]["shrinkage"][k])
        assert avail == pytest.approx(p * (1 - nr[k]), abs=2e-3 * max(1, p))
    build_model_spec(scn)


@pytest.mark.slow
def test_validate_predict_runs_and_uses_out_of_sample_targets(tmp_path):
    out = tmp_path / "friday"
    code = validate_main(["--scenario", str(SCENARIO), "--predict", "friday", "--n-reps",
                          "2", "--out", str(out)])
    v = pd.read_csv(out / "validation.csv").set_index("metric")
    assert code in (0, 1)
    assert v.loc["abandon_rate", "tolerance"] == pytest.approx(0.015)
    assert v.loc["mean_wait_served_s (relative difference)", "tolerance"] == pytest.approx(0.1)
    import json

    info = json.loads((out / "calibration.json").read_text())["prediction"]
    assert info["day_type"] == "friday" and len(info["predicted_days"]) in (4, 5)


def test_a_scenario_at_its_own_intervals_is_predicted_at_them(tmp_path, capsys):
    """A calibration at 3600-s intervals: ``validate --scenario --predict`` reads the
    predicted days at the file's intervals (it read them at the default 1800 s and
    failed on lists of unequal length); an --interval-s that contradicts the file is one
    line, exit 2."""
    scn = tmp_path / "hourly.yaml"
    assert main([str(SHIPPED_LOG), "--interval-s", "3600", "--hidden-fill", "0.3",
                 "--out", str(scn), "--report-dir", str(tmp_path / "cal")]) == 0
    out = tmp_path / "friday"
    code = validate_main(["--scenario", str(scn), "--predict", "friday", "--n-reps", "2",
                          "--out", str(out)])
    assert code in (0, 1)
    horizon = yaml.safe_load((out / "resolved_config.yaml").read_text())["scenario"][
        "horizon"]
    assert (horizon["interval_s"], horizon["intervals_per_day"]) == (3600, 24)
    capsys.readouterr()
    assert validate_main(["--scenario", str(scn), "--interval-s", "1800", "--out",
                          str(tmp_path / "bad")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--interval-s 1800" in err[0] and "3600" in err[0]


# -- the policy a scenario file is validated under ------------------------------------------

def _with_reserve_from(tmp_path, value: int | None) -> Path:
    """The shipped scenario with its header's reserve_from set to ``value`` (``None``:
    the header's policy line removed, as in a file written by hand)."""
    lines = []
    for line in SCENARIO.read_text().splitlines():
        if "Routing policy:" in line and value is None:
            continue
        lines.append(line.replace("reserve_from=4", f"reserve_from={value}"))
    path = tmp_path / "scenario.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def _policy_args(path: Path, options: list[str]) -> argparse.Namespace:
    """The options ``_scenario_policy`` reads, parsed from ``options``, for ``path``."""
    p = argparse.ArgumentParser()
    p.add_argument("--reserve", type=int, default=None)
    p.add_argument("--reserve-from", default="auto")
    p.add_argument("--hold-freed", default=None)
    args = p.parse_args(options)
    args.scenario = path
    return args


def test_header_policy_reads_what_calibrate_wrote(tmp_path):
    from sim.calibrate.scenario import header_policy

    assert header_policy(SCENARIO) == {"name": "reservation", "params": {
        "reserve": 1, "vip_queue": "direct_line", "reserve_from": 4}}
    assert header_policy(_with_reserve_from(tmp_path, 7))["params"]["reserve_from"] == 7
    assert header_policy(_with_reserve_from(tmp_path, None)) is None


@pytest.mark.parametrize("header, options, expected, note", [
    (7, [], 7, False),                            # the file's own policy, not the log's 4
    (7, ["--reserve-from", "5"], 5, True),        # an explicit option wins, aloud
    (7, ["--reserve-from", "1"], 1, True),        # said as typed (not as a flag's "on")
    (7, ["--reserve-from", "7"], 7, False),       # the same value: nothing to say
    (None, [], 4, False),                         # no header: this log's evidence
])
def test_validate_runs_a_scenario_under_its_header_policy(tmp_path, capsys, header, options,
                                                          expected, note):
    """A scenario calibrated with --reserve-from 7 was validated at the log's 4, silently:
    ``ccsim validate --scenario`` now takes the policy from the file's header."""
    from sim.calibrate import _scenario_policy

    path = _with_reserve_from(tmp_path, header)
    args = _policy_args(path, options)
    report = {"direct_line_reserve": {"used": 4}}
    policy, reserve = _scenario_policy(args, yaml.safe_load(path.read_text()), report)
    assert reserve == {"reserve": 1, "reserve_from": expected, "hold_freed": True}
    assert policy["params"] == {"reserve": 1, "vip_queue": "direct_line",
                                "reserve_from": expected}
    assert report["validated_policy"]["params"]["reserve_from"] == expected
    said = capsys.readouterr().out
    assert ("overrides reserve_from=7" in said) == note
    assert not note or f"--reserve-from {options[1]} overrides" in said


@pytest.mark.parametrize("written, options, expected", [
    (False, [], False),                           # the header's hold_freed=False kept
    (True, ["--hold-freed", "off"], False),       # the option turns it off
    (False, ["--hold-freed", "on"], True),        # and on again
    (True, [], True),                             # the default, written nowhere
])
def test_hold_freed_goes_through_the_header(tmp_path, capsys, written, options,
                                            expected):
    """calibrate --hold-freed off writes hold_freed=False in the header's policy line;
    validating the file runs under it unless the option says otherwise."""
    from sim.calibrate import _scenario_policy
    from sim.calibrate.calibration import policy_for
    from sim.calibrate.scenario import header_policy

    path = tmp_path / "scenario.yaml"
    text = SCENARIO.read_text()
    if not written:
        text = text.replace("reserve_from=4)", "reserve_from=4, hold_freed=False)", 1)
    path.write_text(text)
    assert header_policy(path)["params"].get("hold_freed", True) is written
    args = _policy_args(path, options)
    scenario = yaml.safe_load(text)
    policy, reserve = _scenario_policy(args, scenario, {"direct_line_reserve": {"used": 4}})
    assert reserve["hold_freed"] is expected
    said = capsys.readouterr().out
    assert ("overrides hold_freed" in said) == bool(options)  # said aloud, on or off
    assert not options or f"--hold-freed {options[1]} overrides hold_freed={written}" in said
    assert policy == policy_for(scenario, 1, 4, expected)
    assert policy["params"].get("hold_freed", True) is expected


def test_a_bad_hold_freed_is_one_line(tmp_path, capsys):
    assert validate_main(["--hold-freed", "maybe", "--out", str(tmp_path / "v")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--hold-freed 'maybe'" in err[0] and "on, off" in err[0]


def _scenario_with_header(path: Path, command: str) -> Path:
    path.write_text(f"# Calibrated by ccsim calibrate from a call log (x):\n#   {command}\n"
                    "name: x\nclasses: {}\n")
    return path


def test_validate_scenario_takes_the_calibration_options_its_header_records(tmp_path,
                                                                           capsys):
    """A file calibrated with --not-ready on was predicted without it unless the option
    was given again: the prediction rebuilds presence and the not-ready share from the
    options. The header's options are carried now, aloud; a given option overrides."""
    from sim.calibrate import header_options, validate_parser

    f = _scenario_with_header(tmp_path / "s.yaml", "ccsim calibrate LOG --name x "
                              "--availability states --not-ready on --days odd --seed 3 "
                              "--out s.yaml")
    p = validate_parser()
    argv = ["--scenario", str(f)]
    args = p.parse_args(argv)
    notes = header_options(p, argv, args)
    assert (args.availability, args.not_ready, args.days) == ("states", "on", "odd")
    assert args.seed == 1  # where outputs go and how many runs: the validation's own
    assert notes == ["note: calibrated with --days odd --availability states --not-ready "
                     "on (the scenario file's header): validated as such"]
    assert capsys.readouterr().out.splitlines() == notes
    argv = ["--scenario", str(f), "--not-ready=off", "--days", "odd"]
    args = p.parse_args(argv)
    notes = header_options(p, argv, args)
    assert (args.availability, args.not_ready, args.days) == ("states", "off", "odd")
    assert "note: --not-ready off overrides --not-ready on of the scenario file's " \
           "calibration (its header)" in notes
    plain = _scenario_with_header(tmp_path / "p.yaml", "hand written, no command")
    args = p.parse_args(["--scenario", str(plain)])
    assert header_options(p, ["--scenario", str(plain)], args) == []
    assert args.not_ready == "off"
    odd = _scenario_with_header(tmp_path / "o.yaml", "ccsim calibrate LOG --bogus 1")
    args = p.parse_args(["--scenario", str(odd)])
    assert "is unreadable" in header_options(p, ["--scenario", str(odd)], args)[0]
    assert args.not_ready == "off"


def test_a_prediction_of_a_file_is_the_same_with_or_without_its_options(tmp_path):
    """End to end: a file calibrated with --not-ready on predicts Fridays the same
    whether the option is given again or read off its header (before: 11 % against 44 %
    mean wait on Saturdays for one such file, silently)."""
    f = tmp_path / "nr.yaml"
    assert main([str(SHIPPED_LOG), "--name", "nr", "--hidden-fill", "0.3", "--not-ready",
                 "on", "--out", str(f), "--report-dir", str(tmp_path)]) == 0
    base = ["--scenario", str(f), "--predict", "friday", "--n-reps", "2"]
    validate_main([*base, "--out", str(tmp_path / "given"), "--not-ready", "on"])
    validate_main([*base, "--out", str(tmp_path / "header")])
    validate_main([*base, "--out", str(tmp_path / "off"), "--not-ready", "off"])
    given, header, off = (pd.read_csv(tmp_path / d / "validation.csv")
                          for d in ("given", "header", "off"))
    pd.testing.assert_frame_equal(given, header)
    assert not given["sim"].equals(off["sim"])


def test_validate_names_a_scenario_file_that_is_missing_or_not_text(tmp_path, capsys):
    """Bad --scenario files are one line naming the option, exit 2 (a binary file was a
    UnicodeDecodeError traceback once its header was read for the options)."""
    binary = tmp_path / "s.yaml"
    binary.write_bytes(bytes(range(128, 256)) * 8)
    for path, says in ((binary, "not a text file"), (tmp_path / "none.yaml",
                                                     "no such file")):
        assert validate_main(["--scenario", str(path), "--n-reps", "2",
                              "--out", str(tmp_path / "v")]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith(f"ccsim: error: --scenario {path}: {says}")
