"""``ccsim calibrate --hidden-base available``: the hidden-work fill as a share of the
agents' available time (capped by their unlogged time) instead of a share of the unlogged
time; the default is unchanged."""

from __future__ import annotations

import pytest
from simhelpers import calibrate_options

from sim.calibrate.calibration import hidden_remaining
from sim.calibrate.hidden import hidden_agent_s, hidden_volume

# two intervals: quiet (1000 s unlogged of 1800 available), busy (200 of 1800)
HIDDEN = {"fill": 0.25, "task_mean_s": 50.0, "unlogged_agent_s": [1000.0, 200.0],
          "available_agent_s": [1800.0, 1800.0], "not_ready_after_calls_s": [0.0, 0.0]}


def test_unlogged_base_scales_with_idle_time():
    assert hidden_agent_s(HIDDEN) == [250.0, 50.0]  # the default, no ``base`` key
    assert hidden_volume({**HIDDEN, "base": "unlogged"}) == [5.0, 1.0]


def test_available_base_scales_with_presence_capped_by_idle_time():
    h = {**HIDDEN, "base": "available"}
    assert hidden_agent_s(h) == [450.0, 200.0]  # 0.25 x 1800, capped at 200 when busy
    assert hidden_volume(h) == [9.0, 4.0]
    assert hidden_agent_s({**h, "fill": 0.0}) == [0.0, 0.0]


def test_remaining_hidden_time_follows_the_base():
    for base, hours in (("unlogged", 300 / 3600), ("available", 650 / 3600)):
        rem = hidden_remaining({"hidden_work": {**HIDDEN, "base": base}})
        assert rem["hidden_agent_hours"] == round(hours, 1)
        assert rem["hidden_share_of_available"] == round(hours * 3600 / 3600, 4)
    assert hidden_remaining({"hidden_work": {**HIDDEN, "fill": None}})[
        "hidden_agent_hours"] == 0.0


_options = calibrate_options


def test_hidden_base_option():
    assert _options().hidden_base == "unlogged"
    assert _options("--hidden-base", "available").hidden_base == "available"
    with pytest.raises(ValueError, match="--hidden-base 'present': allowed: unlogged, "
                                         "available"):
        _options("--hidden-base", "present")
    with pytest.raises(ValueError, match="--hidden-base available: needs --hidden-fill-by "
                                         "day"):
        _options("--hidden-base", "available", "--hidden-fill-by", "hour")


def test_calibration_with_the_available_base(tmp_path):
    """The shipped log's weekdays with a fixed fill: the scenario's hidden tasks are
    min(fill x available, unlogged) / task in every interval, the report names the base,
    and the scenario header says what the fill is a share of."""
    import numpy as np

    from sim.calibrate import SHIPPED_LOG
    from sim.calibrate.calibration import Options, calibrate
    from sim.calibrate.scenario import header
    from sim.calibrate.schema import read_log

    df, dq = read_log(SHIPPED_LOG, "auto")
    cal = calibrate(df, dq, Options(hidden_fill=0.3, hidden_base="available"),
                    "anonymous_bank")
    hw = cal.report["hidden_work"]
    assert hw["base"] == "available"
    want = np.minimum(0.3 * np.array(hw["available_agent_s"]),
                      np.array(hw["unlogged_agent_s"])) / hw["task_mean_s"]
    got = cal.scenario["classes"]["hidden_work"]["calls_per_interval"]
    assert np.allclose(got, want, atol=1e-4)
    capped = 0.3 * np.array(hw["available_agent_s"]) > np.array(hw["unlogged_agent_s"])
    assert 0 < capped.sum() < len(capped)  # the cap binds in some intervals, not all
    assert "fill 0.3 of the available time" in header(cal, "ccsim calibrate ...")
