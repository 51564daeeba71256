"""``ccsim calibrate --fit-on day-mix``: the hidden-work fill fitted on the calibration's
own days in a row, each with its own volumes and staffing (what ``ccsim validate
--day-mix`` and a prediction of days from their volumes simulate), instead of one mean
day. The bisection's rule is tested with a fake simulation; the fit itself on the
shipped log's Fridays."""

from __future__ import annotations

import copy
from types import SimpleNamespace

import pytest
from simhelpers import calibrate_options

from sim.calibrate import tune
from sim.calibrate.hidden import HIDDEN


def test_fit_on_option():
    assert calibrate_options().fit_on == "mean-day"
    assert calibrate_options("--fit-on", "day-mix").fit_on == "day-mix"
    with pytest.raises(ValueError, match="--fit-on 'week': allowed: mean-day, day-mix"):
        calibrate_options("--fit-on", "week")


@pytest.mark.parametrize(("fit_reps", "days", "want"),
                         [(4, 1, 4), (4, 19, 1), (4, 3, 2), (4, 4, 1), (1, 5, 1)])
def test_a_day_mix_step_simulates_at_least_as_many_days_as_a_mean_day_step(fit_reps, days,
                                                                          want):
    opts = SimpleNamespace(fit_reps=fit_reps)
    assert tune.replications(opts, {"horizon": {"days": days}}) == want


@pytest.fixture(scope="module")
def fridays():
    """The shipped log's Fridays: their calibration (fill 1, not fitted) and each
    Friday's own."""
    from sim.calibrate import SHIPPED_LOG
    from sim.calibrate.calibration import Options, calibrate
    from sim.calibrate.day_mix import day_calibrations
    from sim.calibrate.schema import read_log

    df, dq = read_log(SHIPPED_LOG, "auto")
    opts = Options(day_type="friday", hidden_fill=1.0)
    cal = calibrate(df, dq, opts, "anonymous_bank")
    return cal, day_calibrations(df, dq, opts, "anonymous_bank", cal.days), df, dq


def test_each_step_simulates_the_days_in_a_row_at_the_steps_fill(fridays, monkeypatch):
    """A fake simulation answers at once 0.9 less 0.002 per hidden task a day: the
    bisection must find the fill at which the days in a row (not the mean day) carry
    the log's share. Each step's scenario has the five Fridays, each with its own calls,
    and hidden tasks that grow with the step's fill."""
    from sim.calibrate.day_mix import days_in_a_row

    cal, own, _, _ = fridays
    cal = copy.deepcopy(cal)
    seen = []

    def fake(scenario, policy, reps, seed):
        days = scenario["horizon"]["days"]
        tasks = sum(scenario["classes"][HIDDEN]["calls_per_interval"]) / days
        seen.append((days, reps, seed, scenario, tasks))
        return 0.9 - 0.002 * tasks

    monkeypatch.setattr(tune, "sim_at_once", fake)
    opts = SimpleNamespace(fit_reps=4, seed=1, fit_on="day-mix")
    tune.fit_hidden_fill(cal, opts, lambda c: days_in_a_row(c.scenario, c.report, own))
    assert [s[:3] for s in seen] == [(5, 1, 2)] * tune.STEPS
    n = cal.scenario["horizon"]["intervals_per_day"]
    first = seen[0][3]
    for d, day in enumerate(own):
        for c in ("p1_PS", "p2_PS"):
            got = sum(first["classes"][c]["calls_per_interval"][d * n:(d + 1) * n])
            assert got == pytest.approx(sum(day.scenario["classes"][c]["calls_per_interval"]),
                                        abs=1e-3)
    tasks = [s[4] for s in seen]
    fills = [s["fill"] for s in cal.report["hidden_work"]["fit"]["steps"]]
    order = sorted(range(len(fills)), key=fills.__getitem__)
    assert [tasks[i] for i in order] == sorted(tasks)  # more fill, more hidden tasks
    target = tune.log_at_once(cal.log)
    assert 0.9 - 0.002 * tasks[-1] == pytest.approx(target, abs=0.01)
    fit = cal.report["hidden_work"]["fit"]
    assert fit["on"] == "day-mix" and not fit["at_bound"]
    assert "the 5 calibration days in a row" in fit["method"]


def test_a_fit_that_cannot_reach_the_share_says_so(fridays, monkeypatch):
    from sim.calibrate.day_mix import days_in_a_row

    cal, own, _, _ = fridays
    cal = copy.deepcopy(cal)
    monkeypatch.setattr(tune, "sim_at_once", lambda *a: 0.0)  # never answers at once
    tune.fit_hidden_fill(cal, SimpleNamespace(fit_reps=4, seed=1, fit_on="day-mix"),
                         lambda c: days_in_a_row(c.scenario, c.report, own))
    from sim.calibrate.summary import _fit_lines

    fit = cal.report["hidden_work"]["fit"]
    assert fit["at_bound"] and fit["steps"][-1]["fill"] < 0.01
    lines = _fit_lines(fit)
    assert lines[0].endswith("validate it with --day-mix")
    assert lines[1].startswith("warning: the hidden-work fit ended at a bound of its range "
                               "(0.0, 1.2)")


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    """``ccsim calibrate --day-type friday --fit-on day-mix`` on the shipped log."""
    from sim.calibrate import SHIPPED_LOG, main

    d = tmp_path_factory.mktemp("fri")
    assert main([str(SHIPPED_LOG), "--day-type", "friday", "--fit-on", "day-mix", "--out",
                 str(d / "fri.yaml"), "--report-dir", str(d)]) == 0
    return d


@pytest.mark.parametrize(("day_mix", "noted"), [(False, True), (True, False)])
def test_validating_it_on_the_mean_day_says_how_it_was_fitted(fitted, tmp_path, capsys,
                                                               day_mix, noted):
    from sim.calibrate import SHIPPED_LOG, validate_main

    validate_main([str(SHIPPED_LOG), "--scenario", str(fitted / "fri.yaml"), "--day-type",
                   "friday", "--n-reps", "2", "--out", str(tmp_path / "v"),
                   *(["--day-mix"] if day_mix else [])])
    assert ("fitted on the calibration days in a row (--fit-on day-mix); --day-mix "
            "validates it as it was fitted" in capsys.readouterr().out) == noted


def test_the_fitted_fill_carries_the_logs_share_on_the_days_in_a_row(fridays, fitted):
    """The real fit on January's Fridays (``ccsim calibrate --fit-on day-mix``): at the
    fitted fill, the five Fridays in a row (seed 2, as the fit) answer at once the log's
    share within three binomial standard errors of the simulated callers; the mean day
    at the same fill answers more at once (waits are convex in the load, the reason the
    option exists). The scenario file's header says how the fill was fitted."""
    import json

    from sim.calibrate.calibration import policy_for
    from sim.calibrate.day_mix import days_in_a_row
    from sim.calibrate.scenario import read
    from sim.calibrate.validate import sim_counts, simulate_scenario

    out = fitted / "fri.yaml"
    report = json.loads((fitted / "calibration.json").read_text())
    fit = report["hidden_work"]["fit"]
    assert fit["on"] == "day-mix" and not fit["at_bound"]
    assert "the 5 calibration days in a row" in fit["method"]
    assert "Fill fitted on the calibration days in a row (--fit-on day-mix)" in out.read_text()
    scenario = read(out)
    policy = policy_for(scenario, 1, report["direct_line_reserve"]["used"])
    row = days_in_a_row(scenario, report, fridays[1])
    runs = {name: sim_counts(simulate_scenario(s, policy, 2, 2).intervals)
            for name, s in (("mix", row), ("mean", scenario))}
    mix, mean = runs["mix"], runs["mean"]
    share = mix["at_once"].sum() / mix["base"].sum()
    target = fit["target_log_at_once"]
    se = (target * (1 - target) / mix["base"].sum()) ** 0.5
    assert abs(share - target) < 3 * se
    assert mean["at_once"].sum() / mean["base"].sum() > share
