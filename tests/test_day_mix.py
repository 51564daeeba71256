"""``ccsim validate --day-mix`` (sim/calibrate/day_mix.py) and its experiment script
(experiments/out_of_sample/day_mix.py): the compared days simulated in a row, each with
its own volumes and presence, as one scenario of several days; the day-by-day table
lines the days up with the run; per-day figures are per simulated day, not per run."""

from __future__ import annotations

import copy
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import yaml
from simhelpers import experiment_script

REPO = Path(__file__).resolve().parent.parent
SHIPPED = REPO / "configs" / "scenario" / "anonymous_bank.yaml"


@pytest.fixture(scope="module")
def dm():
    from sim.calibrate import day_mix

    return day_mix


@pytest.fixture(scope="module")
def script():
    return experiment_script("day_mix")


@pytest.fixture(scope="module")
def behaviour():
    return yaml.safe_load(SHIPPED.read_text())


def test_per_interval_keys_are_the_volumes_and_the_schedule(dm, behaviour):
    keys = dm.per_interval_keys(behaviour, 48)
    assert ("groups", "agents", "staffing") in keys
    assert ("groups", "agents", "availability", "shrinkage") in keys
    volumes = [k for k in keys if k[-1] == "calls_per_interval"]
    assert len(volumes) == len(behaviour["classes"])  # hidden work included
    assert len(keys) == len(volumes) + 2


def test_days_in_a_row_keep_each_days_volumes_and_staffing(dm, behaviour, monkeypatch):
    """Day d of the run is exactly the prediction for day d, and the run builds as a
    model of that many days."""
    import sim.calibrate.predict as predict
    from sim.config import build_model_spec

    def fake_predict(b, report, target):  # day "target" = b with volumes x target
        s = copy.deepcopy(b)
        for c in s["classes"].values():
            c["calls_per_interval"] = [v * target for v in c["calls_per_interval"]]
        s["groups"]["agents"]["staffing"] = [target] * 48
        return s, {"classes_moved": {}}

    monkeypatch.setattr(predict, "predict_scenario", fake_predict)
    mix = dm.days_in_a_row(behaviour, {}, [1, 2, 3])
    assert mix["horizon"]["days"] == 3
    staffing = mix["groups"]["agents"]["staffing"]
    assert staffing == [1] * 48 + [2] * 48 + [3] * 48
    base = behaviour["classes"]["p0_PS"]["calls_per_interval"]
    got = mix["classes"]["p0_PS"]["calls_per_interval"]
    assert got == base + [2 * v for v in base] + [3 * v for v in base]
    assert mix["groups"]["agents"]["availability"]["shrinkage"] == \
        behaviour["groups"]["agents"]["availability"]["shrinkage"] * 3
    assert build_model_spec(mix).n_intervals == 3 * 48


def test_smoothed_volumes_keep_each_part_of_the_days_total(script):
    """Each part of the day keeps the day's own calls; within it the mean profile."""
    n = 48
    mean = {"a": [1.0] * n, "b": [float(k % 2) for k in range(n)]}
    own = {"a": [0.0] * 20 + [3.0] * 28}  # class b absent that day
    pooled = SimpleNamespace(scenario={"classes": {c: {"calls_per_interval": v}
                                                   for c, v in mean.items()}})
    day = SimpleNamespace(scenario={"classes": {c: {"calls_per_interval": list(v)}
                                                for c, v in own.items()}})
    script.smooth_volumes(day, pooled)
    got = {c: np.array(day.scenario["classes"][c]["calls_per_interval"]) for c in mean}
    for lo, hi in zip(script.BLOCKS_H, script.BLOCKS_H[1:], strict=False):
        ks = slice(lo * 2, hi * 2)
        assert got["a"][ks].sum() + got["b"][ks].sum() == \
            pytest.approx(np.array(own["a"])[ks].sum())
        if got["a"][ks].sum() > 0:  # the mean profile's shape: b is a's half, alternating
            assert got["b"][ks].sum() == pytest.approx(got["a"][ks].sum() / 2)
    assert got["a"][:20].sum() == 0


def test_by_day_lines_the_days_up_with_the_run(dm):
    """Day i of the run is the i-th date; log and run counted as ccsim validate does."""
    dates = [pd.Timestamp("1999-01-03"), pd.Timestamp("1999-01-04")]
    log = pd.DataFrame({
        "date": [dates[0], dates[0], dates[1]], "t_arrival": [3600.0, 7200.0, 3600.0],
        "class": "p0_NW", "outcome": ["served", "abandoned", "served"],
        "wait_s": [10.0, 30.0, 0.0]})
    iv = pd.DataFrame({  # rep 0: day 0 answers 3 of 4 (wait 20 s), day 1 answers 2 of 2
        "rep": 0, "class": ["p0_NW", "p0_NW", "ALL"],
        "start_s": [3600.0, 86400.0 + 3600.0, 3600.0],
        "asked": [4.0, 2.0, 6.0], "answered": [3.0, 2.0, 5.0], "abandoned": [1.0, 0.0, 1.0],
        "p_wait": [0.5, 0.0, 0.4], "asa_s": [20.0, 0.0, 12.0],
        "service_level": [0.5, 1.0, 0.6]})
    t = dm.by_day(log, iv, dates)
    assert list(t.index) == ["1999-01-03", "1999-01-04"]
    assert t[("log", "abandon_rate")].tolist() == [0.5, 0.0]
    assert t[("log", "mean_wait_served_s")].tolist() == [10.0, 0.0]
    assert t[("sim", "abandon_rate")].tolist() == [0.25, 0.0]
    assert t[("sim", "mean_wait_served_s")].tolist() == [20.0, 0.0]
    assert t[("sim", "answered_at_once_of_requests")].tolist() == [0.5, 1.0]
    assert np.isnan(dm.day_r(t)["abandon_rate"])  # two days: no r
    long = dm.long_table(t)
    assert len(long) == 2 * 3 and set(long.columns) == {"date", "metric", "log", "sim"}
    assert long.set_index(["date", "metric"]).loc[("1999-01-03", "abandon_rate"), "sim"] \
        == 0.25


def test_day_r_is_pearson_over_the_days(dm):
    t = pd.concat({"log": pd.DataFrame({m: [1.0, 2.0, 3.0] for m in dm.DAY_METRICS}),
                   "sim": pd.DataFrame({m: [2.0, 4.0, 7.0] for m in dm.DAY_METRICS})}, axis=1)
    r = dm.day_r(t)
    assert r["mean_wait_served_s"] == pytest.approx(np.corrcoef([1, 2, 3], [2, 4, 7])[0, 1])
    rows = dm.day_rows(t)
    assert [row["within"] for row in rows] == [None] * 3  # reported, not a target


def test_compare_counts_a_run_of_several_days_per_day():
    """answered_per_day and the hourly volumes divide by the simulated days."""
    from sim.calibrate.validate import compare

    log = pd.DataFrame({"date": pd.Timestamp("1999-01-03"), "t_arrival": [3600.0] * 4,
                        "class": "p0_NW", "outcome": "served", "wait_s": 0.0})
    iv = pd.DataFrame({"rep": [0, 0, 1, 1], "class": "p0_NW",
                       "start_s": [3600.0, 86400.0 + 3600.0] * 2, "asked": 4.0,
                       "answered": 4.0, "abandoned": 0.0, "p_wait": 0.0, "asa_s": 0.0,
                       "service_level": 1.0})
    one = compare(log, iv, 20.0).get("overall").set_index("metric")
    two = compare(log, iv, 20.0, days_per_rep=2)
    assert one.loc["answered_per_day", "sim"] == 8.0  # a run counted as one day
    assert two["overall"].set_index("metric").loc["answered_per_day", "sim"] == 4.0
    h = two["hourly"].set_index(["hour", "metric"])
    assert h.loc[(1, "answered_per_day"), "sim"] == 4.0


def test_each_day_keeps_the_classes_of_the_whole_log(dm):
    """A day is calibrated with the classes of the whole log: labelled day by day, a
    Saturday's p0_NW (13 calls) and p1_PS (23) fell under the 30 calls a class needs and
    were pooled into p1_other (another class's patience and delay) or dropped (no
    p0_other in the behaviour), silently; the predicted Saturdays lost a sixth of their
    callers. Every call of every day keeps its class, and nothing is moved."""
    from sim.calibrate import SHIPPED_LOG
    from sim.calibrate.calibration import ASKED, Options, calibrate, label_classes
    from sim.calibrate.schema import read_log

    df, dq = read_log(SHIPPED_LOG)
    opts = Options(day_type="saturday", reserve_from=4)
    saturdays = sorted(d for d in df["date"].unique()
                       if pd.Timestamp(d).day_name() == "Saturday")
    days = dm.day_calibrations(df, dq, opts, "anonymous_bank", saturdays)
    labels = label_classes(df, opts.min_class_calls)
    for date, day in zip(saturdays, days, strict=True):
        asked = labels[(df["date"] == date) & df["outcome"].isin(ASKED)].value_counts()
        got = {c: round(sum(v["calls_per_interval"])) for c, v in day.scenario["classes"].items()
               if c != "hidden_work" and sum(v["calls_per_interval"]) > 0}
        assert got == asked.to_dict(), str(date)[:10]
        assert got["p0_NW"] >= 1 and got["p1_PS"] >= 1
    weekdays = calibrate(df, dq, Options(reserve_from=4, hidden_fill=1.0), "anonymous_bank")
    dm.days_in_a_row(weekdays.scenario, weekdays.report, days)
    assert weekdays.report["day_mix"] == {"days": len(saturdays), "classes_moved": {}}


def test_validate_day_mix_end_to_end(tmp_path):
    """``ccsim validate --predict friday --day-mix``: the 5 Fridays of January in a row,
    figures per simulated day, each Friday against the log."""
    from sim.calibrate import validate_main

    out = tmp_path / "fri"
    code = validate_main(["--scenario", str(SHIPPED), "--predict", "friday", "--day-mix",
                          "--n-reps", "2", "--out", str(out)])
    assert code in (0, 1)
    v = pd.read_csv(out / "validation.csv").set_index("metric")
    log_day, sim_day = v.loc["answered_per_day", ["log", "sim"]]
    assert abs(sim_day / log_day - 1) < 0.25  # per day, not per run of 5 days
    assert v.loc["daily_shape:mean_wait_served_s (Pearson r)", "sim"] > 0.5
    d = pd.read_csv(out / "validation_by_day.csv")
    assert sorted(d["date"].unique()) == ["1999-01-01", "1999-01-08", "1999-01-15",
                                          "1999-01-22", "1999-01-29"]
    assert d["log"].notna().all() and d["sim"].notna().all()
    resolved = yaml.safe_load((out / "resolved_config.yaml").read_text())
    assert resolved["scenario"]["horizon"]["days"] == 5
    # direct-line callers turned away, against the predicted Fridays' own trace (143 IVR
    # hang-ups of p0_PS and p0_NE over 5 Fridays), not the calibration weekdays' 34.05
    import json

    lost = json.loads((out / "calibration.json").read_text())["lost_on_direct_line"]
    assert lost["log_ivr_hangups_of_direct_classes_per_day"] == pytest.approx(28.6)
    row = v.loc["direct_line_lost_per_day (log: its IVR hang-ups)"]
    assert row["log"] == pytest.approx(28.6) and row["sim"] == pytest.approx(
        lost["sim_lost_per_day"], rel=1e-5) and pd.isna(row["within"])


def test_replay_puts_the_logged_calls_of_each_day_at_their_times(script, behaviour):
    """``--volumes trace``: day i's calls at i x 86400 + their logged arrival, a class the
    behaviour lacks pooled into its priority's _other (or left out), hidden tasks drawn
    from a seeded generator; the scenario builds as a model."""
    from sim.config import build_model_spec

    mix = copy.deepcopy(behaviour)
    mix["horizon"] = {**mix["horizon"], "days": 2}
    d0, d1 = pd.Timestamp("1999-01-03"), pd.Timestamp("1999-01-04")
    log = pd.DataFrame({"date": [d0, d0, d1, d1, d1],
                        "t_arrival": [100.0, 200.0, 50.0, 60.0, 70.0],
                        "class": ["p0_NW", "p1_XX", "p2_PS", "p9_ZZ", "p0_NW"],
                        "outcome": ["served", "abandoned", "served", "served",
                                    "ivr_abandoned"]})
    out = script.replay(mix, log, seed=3)
    trace = out["arrivals"]["trace"]
    calls = [x for x in trace if x[1] != "hidden_work"]
    assert calls == [[100.0, "p0_NW"], [200.0, "p1_other"], [86450.0, "p2_PS"]]
    hidden = [x for x in trace if x[1] == "hidden_work"]
    assert hidden and hidden == [x for x in script.replay(mix, log, seed=3)["arrivals"]["trace"]
                                 if x[1] == "hidden_work"]
    assert all(c["calls_per_interval"] == 0 for c in out["classes"].values())
    assert build_model_spec(out).trace is not None


def test_load_response_measures_each_days_load_as_the_day_mix_calibrates_it(tmp_path,
                                                                             capsys):
    """experiments/out_of_sample/load_response.py (FINDINGS item 13): a day's offered load
    per agent present, 10-19 h, is its asked calls x mean handle time over the agent-
    seconds present then; the days are printed lightest first with both slopes."""
    from sim.calibrate import SHIPPED_LOG
    from sim.calibrate.calibration import ASKED
    from sim.calibrate.schema import read_log

    lr = experiment_script("load_response")
    dates = ["1999-01-04", "1999-01-05", "1999-01-06"]
    rows = [{"date": d, "metric": m, "log": 10.0 * (i + 1), "sim": 12.0 * (i + 1)}
            for i, d in enumerate(dates) for m in ("abandon_rate", "mean_wait_served_s")]
    path = tmp_path / "validation_by_day.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    loads = lr.day_loads(SHIPPED_LOG, "weekday", 4, [pd.Timestamp(d) for d in dates])
    df, _ = read_log(SHIPPED_LOG)
    day = df[df["date"] == pd.Timestamp(dates[0])]
    hour = day["t_arrival"] // 3600
    asked = day[(hour >= 10) & (hour < 19) & day["outcome"].isin(ASKED)]
    served = day[(day["outcome"] == "served") & (day["service_s"] > 0)]
    work = len(asked) * served["service_s"].mean()
    assert 0.3 < loads[dates[0]] < 1.5  # agents present ~7-9 then, busy most of the time
    agent_s = work / loads[dates[0]]
    assert 9 * 3600 * 5 < agent_s < 9 * 3600 * 12  # 5 to 12 agents over the nine hours
    lr.main([str(path)])
    out = capsys.readouterr().out
    assert "log: mean wait +" in out and "sim: mean wait +" in out
    printed = [ln.split()[0] for ln in out.splitlines() if ln.startswith("1999-")]
    assert printed == sorted(dates, key=loads.get)


def test_talk_index_by_hand():
    """Two days, one class with 30+ served callers a day: day 1 talks 100 s each, day 2
    140 s (30 each); the class mean is 120 s (variance 400 x 60 / 59), so the indices are
    100 / 120 and 140 / 120, each with sd sqrt(30 x var) / (30 x 120)."""
    lr = experiment_script("load_response")
    days = [pd.Timestamp("1999-01-04"), pd.Timestamp("1999-01-05")]
    rows = [{"date": d, "t_arrival": 11 * 3600.0, "ivr_s": 0.0, "wait_s": 0.0,
             "outcome": "served", "service_s": talk, "priority": 2, "type": "PS"}
            for d, talk in zip(days, (100.0, 140.0), strict=True) for _ in range(30)]
    rows.append({**rows[0], "t_arrival": 8 * 3600.0, "service_s": 999.0})  # before 10 h
    t = lr.talk_index(pd.DataFrame(rows), days)
    assert t["index"].tolist() == pytest.approx([100 / 120, 140 / 120])
    var = 400 * 60 / 59
    assert t["sd"].tolist() == pytest.approx([(30 * var) ** 0.5 / (30 * 120)] * 2)


@pytest.mark.parametrize(("target", "bound"), [(0.45, False), (0.30, True), (0.70, True)])
def test_fit_scale_bisects_and_says_when_it_ends_at_a_bound(script, monkeypatch, target,
                                                            bound):
    # the at-once share falls linearly with the hidden work's scale: 0.6 - 0.1 * scale,
    # so 0.45 is reached at 1.5; 0.30 (scale 3) and 0.70 (scale < 0) lie outside [0, 2]
    import sim.calibrate.day_mix as day_mix
    import sim.calibrate.tune as tune

    monkeypatch.setattr(day_mix, "days_in_a_row", lambda scn, report, own: scn)
    monkeypatch.setattr(script, "scaled", lambda scn, k: k)
    monkeypatch.setattr(tune, "log_at_once", lambda log: target)
    monkeypatch.setattr(tune, "sim_at_once", lambda k, policy, runs, seed: 0.6 - 0.1 * k)
    scale, trace, at_bound = script.fit_scale({}, {}, [], None, {}, 1, steps=12)
    assert at_bound == bound and len(trace) == 12
    if not bound:
        assert scale == pytest.approx(1.5, abs=2 / 2 ** 12)


def test_the_script_reads_the_days_at_the_behaviours_intervals(script):
    """day_mix.py reads each day at the intervals of the scenario it is given (it read
    them at 1800 s whatever the scenario's, and a 3600-s calibration failed)."""
    from sim.calibrate import SHIPPED_LOG

    pooled, days = script.day_targets(str(SHIPPED_LOG), "friday", "all", 3600)
    for cal in (pooled, *days):
        assert cal.scenario["horizon"]["interval_s"] == 3600
        assert len(cal.scenario["groups"]["agents"]["staffing"]) == 24
    assert len(days) == 5
