"""``ccsim validate``: each level's noise — a log of the compared days as the model makes
it, and over the log's own days — and the difference in standard deviations (z), worked
by hand on tiny tables (docs/calibration.md, *What limits the levels: the log's own noise, too*)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from sim.calibrate import validate as val


def test_ratio_sd_with_equal_denominators_is_the_sd_of_the_rates_over_root_draws():
    units = pd.DataFrame({"abandoned": [5.0, 10.0, 15.0], "base": 100.0, "served": 1.0,
                          "at_once": 0.0, "wait_served_s": 0.0, "in_sl": 0.0, "days": 1.0})
    sd = val.ratio_sd(units, 3)["abandon_rate"]
    assert sd == pytest.approx(pd.Series([0.05, 0.10, 0.15]).std() / math.sqrt(3))
    assert val.ratio_sd(units, 12)["abandon_rate"] == pytest.approx(sd / 2)
    assert math.isnan(val.ratio_sd(units.iloc[:1], 3)["abandon_rate"])


def test_z_score():
    assert val.z_score(3.0, 0.0, 1.2, 1.6) == pytest.approx(1.5)
    assert math.isnan(val.z_score(3.0, 0.0, 0.0)) and math.isnan(val.z_score(None, 0.0, 1.0))


def _log() -> pd.DataFrame:
    """Two days of two served callers each, waits 10 s and 30 s (mean 20 s)."""
    return pd.DataFrame({"date": pd.to_datetime(["1999-01-03"] * 2 + ["1999-01-04"] * 2),
                         "t_arrival": 36000.0, "class": "p1_PS", "outcome": "served",
                         "wait_s": [10.0, 10.0, 30.0, 30.0]})


def _intervals(waits: list[float]) -> pd.DataFrame:
    """One mean day a replication, two served callers each, mean wait ``waits[rep]``."""
    return pd.DataFrame({"rep": range(len(waits)), "start_s": 36000.0, "class": "p1_PS",
                         "asked": 2.0, "answered": 2.0, "abandoned": 0.0, "p_wait": 1.0,
                         "asa_s": waits, "service_level": 0.0})


def test_compare_reports_the_noise_of_each_level_and_z():
    res = val.compare(_log(), _intervals([10.0, 20.0, 30.0, 40.0]), 20.0)
    w = res["overall"].set_index("metric").loc["mean_wait_served_s (relative difference)"]
    # replications: wait sums 20, 40, 60, 80 on 2 served, ratio 25: residuals -30, -10,
    # 10, 30, variance 2000 / 3; a 2-day log of them: sqrt(2000 / 3 / 2) / 2 = 9.13 s
    assert w["log_sd"] == pytest.approx(math.sqrt(2000 / 3 / 2) / 2)
    # the log's own days: sums 20 and 60, ratio 20: residuals -20, 20: sqrt(800 / 2) / 2
    assert w["log_sd_days"] == pytest.approx(10.0)
    # z: (25 - 20) over the 2-day log's sd and the 4 runs' mean's, sqrt(2000 / 3 / 4) / 2
    se = math.sqrt(2000 / 3 / 4) / 2
    assert w["z"] == pytest.approx(5.0 / math.hypot(w["log_sd"], se))
    table = val.format_table(res["overall"])
    assert "log sd" in table.splitlines()[0]
    line = next(ln for ln in table.splitlines() if ln.startswith("mean_wait_served_s"))
    assert line.split()[-2:] == [f"{w['log_sd']:.3g}", f"{w['z']:+.1f}"]


def test_a_day_mix_replication_is_itself_a_log_of_the_days():
    # days_per_rep 2: each replication is the two days in a row, so a log of them is one
    # replication: the sd over replications itself
    res = val.compare(_log(), _intervals([10.0, 20.0, 30.0, 40.0]), 20.0, days_per_rep=2)
    w = res["overall"].set_index("metric").loc["mean_wait_served_s (relative difference)"]
    assert w["log_sd"] == pytest.approx(math.sqrt(2000 / 3) / 2)


def test_the_report_says_whether_a_miss_is_beyond_the_logs_noise():
    from sim.report.run_report import _noise_note

    assert "within the log's own noise (+1.7 standard deviations)" in _noise_note(1.7)
    assert "beyond the log's own noise (-3.3" in _noise_note(-3.3)
    assert _noise_note(float("nan")) == "" and _noise_note(None) == ""


def test_the_long_wait_flag_says_what_a_model_right_in_distribution_would_show():
    # the log: 2 days, 4 callers, longest wait 30 s; 3 replications of one day, 3 callers
    # each: a wait beyond 30 s on 1 of 3 days
    hist = pd.DataFrame({"rep": [0, 0, 1, 1, 2], "class": "p1_PS", "answered": True,
                         "wait_s": [0.0, 5.0, 12.0, 40.0, 20.0], "calls": [2, 1, 2, 1, 3]})
    w = val.long_waits(_log(), hist)
    assert (w["log_max_s"], w["sim_max_s"]) == (30.0, 40.0)
    assert w["sim_longer_per_day"] == pytest.approx(1 / 3)
    # the longest of 5 exchangeable days lies among the log's 2 with chance 2 / 5
    assert (w["log_days"], w["sim_days"]) == (2, 3)
    assert w["perfect_model_passes"] == pytest.approx(2 / 5)
    # 3 callers a simulated day, each beyond the longest of the log's 4 with chance 1 / 5
    assert w["perfect_model_longer_per_day"] == pytest.approx(3 / 5)
    # one simulated day of 3 beyond the log's longest: a right model has one or more with
    # chance 3 / 5 (the longest of the 5 days simulated), so the flag is not missed
    assert (w["sim_units"], w["sim_units_beyond"]) == (3, 1)
    assert w["p_value"] == pytest.approx(3 / 5)
    assert bool(val.long_wait_row(w)["within"])
    # a day-mix replication is the log's 2 days in a row: 3 runs against the log as one
    # unit, the longest of 4 exchangeable units among the log's with chance 1 / 4
    mix = val.long_waits(_log(), hist, days_per_rep=2)
    assert (mix["log_units"], mix["sim_units"], mix["sim_days"]) == (1, 3, 6)
    assert mix["perfect_model_passes"] == pytest.approx(1 / 4)
    assert mix["p_value"] == pytest.approx(3 / 4)


def test_the_long_wait_flag_is_a_precedence_test_on_days():
    """The flag is missed when more simulated days hold a wait beyond the log's longest
    than a model right in distribution shows with chance 5 %: the chance that the k
    largest of D + S exchangeable days' longest waits are all simulated, C(S, k) / C(D +
    S, k). January's weekdays (19 days) against 20 replications: one such day is what a
    right model shows with chance 20 / 39, four with 0.059, five with 0.027."""
    assert val.precedence_p(19, 20, 0) == 1.0
    assert val.precedence_p(19, 20, 1) == pytest.approx(20 / 39)
    assert val.precedence_p(19, 20, 4) == pytest.approx(20 * 19 * 18 * 17 / (39 * 38 * 37 * 36))
    assert val.precedence_p(19, 20, 4) > val.FLAG_ALPHA > val.precedence_p(19, 20, 5)
    log = _log()  # 2 days, longest wait 30 s

    def days(maxima):
        return pd.DataFrame({"rep": range(len(maxima)), "class": "p1_PS",
                             "answered": True, "wait_s": maxima, "calls": 1})

    # 2 log days against 20 simulated: 19 beyond is chance C(20,19) / C(22,19) = 0.013;
    # a night staffed at zero (issue 16: 24,504 s) puts every simulated day beyond
    assert not val.long_wait_row(val.long_waits(log, days([40.0] * 19 + [20.0])))["within"]
    assert not val.long_wait_row(val.long_waits(log, days([24504.0] * 20)))["within"]
    # 14 of 20 beyond: C(20,14) / C(22,14) = 0.12, within what a right model shows
    w = val.long_waits(log, days([40.0] * 14 + [20.0] * 6))
    assert w["p_value"] == pytest.approx(38760 / 319770)
    assert val.long_wait_row(w)["within"]
    # hidden work is no caller: its waits never count
    hidden = days([20.0] * 20).assign(**{"class": val.HIDDEN, "wait_s": 99999.0})
    both = pd.concat([days([20.0] * 20), hidden])
    assert val.long_waits(log, both)["sim_units_beyond"] == 0


def test_the_report_leaves_a_row_without_a_figure_blank():
    from sim.report.run_report import _cell

    assert (_cell(float("nan")), _cell(0.123456), _cell("yes")) == ("", "0.1235", "yes")


def test_the_report_lists_the_days_worst_mean_wait_miss_first():
    """``--day-mix``'s validation_by_day.csv as a table of the report: one row per day,
    log / sim of each level, sorted by the mean wait's relative miss."""
    from sim.report.page import Page
    from sim.report.run_report import _day_by_day

    rows = [(d, m, lg, sm) for d, waits in (("1999-01-04", (40.0, 44.0)),
                                            ("1999-01-05", (20.0, 30.0)),
                                            ("1999-01-06", (50.0, 35.0)))
            for m, lg, sm in (("abandon_rate", 0.1, 0.12),
                              ("answered_at_once_of_requests", 0.4, 0.38),
                              ("mean_wait_served_s", *waits))]
    page = Page("t")
    _day_by_day(page, pd.DataFrame(rows, columns=["date", "metric", "log", "sim"]))
    html = "".join(page.parts)
    assert html.index("1999-01-05") < html.index("1999-01-06") < html.index("1999-01-04")
    assert "+50%" in html and "-30%" in html and "+10%" in html
    assert "10.0% / 12.0%" in html and "20.0 s / 30.0 s" in html
