"""``ccsim calibrate --hidden-fill-by hour``: one hidden-work fill per hour of the day,
each fitted by simulation to that hour's share answered at once in the log (hours with
few callers share one), and a prediction that keeps the hidden work's share of available
time hour by hour. Synthetic logs for the blocks; the shipped log for the fit itself."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from simhelpers import calibrate_options

from sim.calibrate.hidden import hidden_volume
from sim.calibrate.predict import _shares_by_interval
from sim.calibrate.tune import MIN_BLOCK_CALLS, QUIET, hour_blocks


def _log(calls_by_hour: dict[int, tuple[int, int]]) -> pd.DataFrame:
    """Callers per hour: (asked, answered at once); the others served after 30 s."""
    rows = []
    for hour, (n, at_once) in calls_by_hour.items():
        for i in range(n):
            rows.append({"t_arrival": hour * 3600 + i, "outcome": "served",
                         "wait_s": 0.0 if i < at_once else 30.0})
    rows.append({"t_arrival": 5 * 3600, "outcome": "ivr_abandoned", "wait_s": 0.0})
    return pd.DataFrame(rows)


def test_busy_hours_are_their_own_block_quiet_hours_share_one():
    log = _log({9: (MIN_BLOCK_CALLS, 50), 10: (MIN_BLOCK_CALLS + 100, 150),
                2: (40, 40), 23: (MIN_BLOCK_CALLS - 1, 0)})
    block, share = hour_blocks(log)
    assert block[9] == 9 and block[10] == 10
    assert block[2] == block[23] == block[5] == QUIET
    assert share[9] == pytest.approx(0.25) and share[10] == pytest.approx(0.5)
    assert share[QUIET] == pytest.approx(40 / (40 + MIN_BLOCK_CALLS - 1))  # asked only
    assert set(share) == {9, 10, QUIET}


def test_hidden_volume_takes_a_fill_per_interval():
    hidden = {"fill": 0.5, "task_mean_s": 100.0, "unlogged_agent_s": [1000.0, 2000.0]}
    assert hidden_volume(hidden) == [5.0, 10.0]
    hidden["fill_by_interval"] = [0.0, 1.0]
    assert hidden_volume(hidden) == [0.0, 20.0]


def test_a_prediction_keeps_the_share_of_each_interval():
    """Calibration: 2 agents available in both half hours, hidden tasks of 100 s filling
    10 % of the first and 50 % of the second."""
    shares = _shares_by_interval([3.6, 18.0], 100.0, [2.0, 2.0], 1800.0)
    assert shares == pytest.approx([0.1, 0.5])
    assert _shares_by_interval([1.0], 100.0, [0.0], 1800.0) == [0.0]  # nobody available


_options = calibrate_options


def test_fill_by_option():
    assert _options().fill_by == "day"
    assert _options("--hidden-fill-by", "hour").fill_by == "hour"
    with pytest.raises(ValueError, match="--hidden-fill-by 'week': allowed: day, hour"):
        _options("--hidden-fill-by", "week")


@pytest.fixture(scope="module")
def by_hour():
    """The shipped log's weekdays calibrated with a fill per hour."""
    from sim.calibrate import SHIPPED_LOG
    from sim.calibrate.calibration import Options, calibrate
    from sim.calibrate.schema import read_log

    df, dq = read_log(SHIPPED_LOG, "auto")
    return calibrate(df, dq, Options(fill_by="hour"), "anonymous_bank")


def test_each_hour_is_fitted_to_its_own_share(by_hour):
    """Where an hour's fitted fill is inside its bracket, the simulation's at-once share
    of the last step is within 3 binomial standard errors of the hour's log share (the
    simulated callers of that hour in the fit's replications; the quiet hours' shared
    block is left out); the fills differ by hour, and the scenario's hidden tasks follow
    them (tasks = fill x unlogged time / task length in every interval)."""
    hidden = by_hour.report["hidden_work"]
    fit = hidden["fit"]
    last = fit["steps"][-1]
    asked = by_hour.log[by_hour.log["outcome"].isin(["served", "abandoned"])]
    per_day = (asked["t_arrival"] // 3600).value_counts() / asked["date"].nunique()
    inside = [b for b, f in last["fill"].items() if 0.05 < f < 1.15 and b != str(QUIET)]
    assert len(inside) >= 8
    for b in inside:
        p, n = fit["target_log_at_once_by_block"][b], 4 * per_day[int(b)]  # fit_reps 4
        assert abs(last["at_once"][b] - p) < 3 * (p * (1 - p) / n) ** 0.5, b
    fills = np.array(hidden["fill_by_interval"])
    assert fills.max() - fills.min() > 0.3
    tasks = by_hour.scenario["classes"]["hidden_work"]["calls_per_interval"]
    expect = fills * np.array(hidden["unlogged_agent_s"]) / hidden["task_mean_s"]
    assert np.allclose(tasks, expect, atol=1e-3)
    assert hidden["fill_by"] == "hour"


def test_a_prediction_from_it_keeps_the_hourly_shares(by_hour):
    """Predicting the same days from the calibration gives back its hidden tasks where
    the agents' free time does not cap them: the share by interval is the behaviour."""
    from types import SimpleNamespace

    from sim.calibrate.predict import predict_scenario

    cal = by_hour
    scn, info = predict_scenario(cal.scenario, cal.report,
                                 SimpleNamespace(scenario=cal.scenario, report=cal.report))
    assert info["hidden_share_by"] == "interval of the day"
    got = np.array(scn["classes"]["hidden_work"]["calls_per_interval"])
    want = np.array(cal.scenario["classes"]["hidden_work"]["calls_per_interval"])
    close = np.isclose(got, want, rtol=0.02, atol=0.01)
    assert close.mean() > 0.8  # the rest capped by the free time the volumes leave
    assert (got <= want + 0.01).all()
