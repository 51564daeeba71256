"""Calibration and validation on logs that are not January 1999: the same bank's other
months (same format), built from January's rows with their dates moved
(``tests/bank_months.py``). Day types follow the dates' weekdays and the holiday table,
other years, priorities and class sets are counted or said, never silently assumed."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from bank_months import january_days, same_weekdays, write_month

from sim.calibrate import main, validate_main
from sim.calibrate.calibration import Options, calibrate, date_day_types, day_types_of
from sim.calibrate.schema import read_log
from sim.forecast.holidays import table

D = dt.date
FAST = {"hidden_fill": 1.0}  # no tuning by simulation: the day logic is what is tested


@pytest.fixture(scope="module")
def jan():
    return january_days()


def _calibrate(path, **kw):
    df, dq = read_log(path)
    return calibrate(df, dq, Options(**{**FAST, **kw}), "anonymous_bank")


def _days(cal) -> list[str]:
    return cal.report["days"]


def test_a_month_moved_with_its_weekdays_calibrates_the_same(jan, tmp_path):
    """January's 3-10 (Sunday to Sunday) as 1-8 August 1999 (August starts on a Sunday):
    the same scenario, only the dates differ — nothing depends on the month."""
    days = {D(1999, 1, 3) + dt.timedelta(i): D(1999, 1, 3) + dt.timedelta(i)
            for i in range(8)}
    a = _calibrate(write_month(tmp_path / "jan.txt", jan, days))
    b = _calibrate(write_month(tmp_path / "aug.txt", jan, same_weekdays(D(1999, 8, 1), 8)))
    assert _days(b) == ["1999-08-0" + str(d) for d in (1, 2, 3, 4, 5, 8)]
    assert a.scenario == b.scenario


def test_day_types_follow_the_dates_weekdays_in_february(jan, tmp_path):
    """The same January days put on 1-8 February 1999 (a Monday): the day that lands on
    Friday 5 February is the Friday, whatever its calls; February's 28 days parse."""
    moved = {D(1999, 2, 1) + dt.timedelta(i): D(1999, 1, 3) + dt.timedelta(i)
             for i in range(7)} | {D(1999, 2, 28): D(1999, 1, 10)}
    log = write_month(tmp_path / "feb.txt", jan, moved)
    df, _ = read_log(log)
    types = date_day_types(df["date"], day_types_of("anonymous_bank"), {})
    by_date = dict(zip(df["date"].dt.strftime("%Y-%m-%d"), types, strict=True))
    assert by_date["1999-02-05"] == "friday" and by_date["1999-02-06"] == "saturday"
    assert by_date["1999-02-28"] == "weekday"  # a Sunday
    friday = _calibrate(log, day_type="friday")
    assert _days(friday) == ["1999-02-05"]
    gaps = friday.report["calendar"]["dates_without_calls"]
    assert gaps == [f"1999-02-{d:02d}" for d in range(8, 28)]  # said, not assumed


def _april(jan, tmp_path):
    """28 March - 4 April 1999 with Passover: eve Wed 31 March (filled with a January
    Friday), first day Thu 1 April (a Saturday), intermediate days Fri 2 and Sun 4."""
    fill = {D(1999, 3, 28): D(1999, 1, 3), D(1999, 3, 29): D(1999, 1, 4),
            D(1999, 3, 30): D(1999, 1, 5), D(1999, 3, 31): D(1999, 1, 8),
            D(1999, 4, 1): D(1999, 1, 9), D(1999, 4, 2): D(1999, 1, 15),
            D(1999, 4, 3): D(1999, 1, 16), D(1999, 4, 4): D(1999, 1, 10)}
    return write_month(tmp_path / "april.txt", jan, fill)


def test_holidays_take_the_day_type_they_behave_like(jan, tmp_path):
    """The bank's holiday table (auto for its logs): Passover eve is a Friday, its first
    day a Saturday, the intermediate days are left out of every day type; with
    ``--holidays none`` they are their weekdays again."""
    cal = _calibrate(_april(jan, tmp_path))
    assert _days(cal) == ["1999-03-28", "1999-03-29", "1999-03-30"]
    met = {h["date"]: h["day_type"] for h in cal.report["calendar"]["holidays_in_log"]}
    assert met == {"1999-03-31": "friday", "1999-04-01": "saturday", "1999-04-02": None,
                   "1999-04-04": None}
    assert cal.report["calendar"]["holiday_table"] == "israel_1999"
    df, _ = read_log(tmp_path / "april.txt")
    listed = date_day_types(df["date"], day_types_of("anonymous_bank"), table("auto", True))
    assert set(df.loc[listed == "saturday", "date"].dt.day) == {1, 3}
    plain = date_day_types(df["date"], day_types_of("anonymous_bank"), {})
    assert set(df.loc[plain == "weekday", "date"].dt.day) == {28, 29, 30, 31, 1, 4}
    none = _calibrate(tmp_path / "april.txt", holidays="none")
    assert _days(none)[3:] == ["1999-03-31", "1999-04-01", "1999-04-04"]


def test_holiday_lines_are_printed_and_a_bad_table_is_exit_2(jan, tmp_path, capsys):
    log = _april(jan, tmp_path)
    code = main([str(log), "--hidden-fill", "1", "--out", str(tmp_path / "a.yaml"),
                 "--report-dir", str(tmp_path / "rep")])
    out = capsys.readouterr().out
    assert code == 0
    assert "holiday 1999-04-01 (Passover (first day), table israel_1999): calibrated as " \
           "saturday" in out
    assert "holiday 1999-04-02 (Passover intermediate days, table israel_1999): left out" in out
    code = main([str(log), "--holidays", "hebrew_2031", "--out", str(tmp_path / "b.yaml"),
                 "--report-dir", str(tmp_path / "rep")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert "--holidays 'hebrew_2031': unknown table; allowed: auto, none, israel_1999" in err


def test_unlisted_holiday_and_uncovered_year_are_warned(jan, tmp_path, capsys):
    """A holiday the table does not know (here: a weekday carrying a Saturday's calls) is
    kept at its weekday but named on stdout; a year the table does not cover is said."""
    fill = same_weekdays(D(2000, 1, 2), 7) | {D(2000, 1, 4): D(1999, 1, 9)}
    log = write_month(tmp_path / "y2000.txt", jan, fill)
    df, _ = read_log(log)
    assert df["date"].dt.year.unique().tolist() == [2000]  # YYMMDD 00: 2000, not 1900
    code = main([str(log), "--hidden-fill", "1", "--out", str(tmp_path / "a.yaml"),
                 "--report-dir", str(tmp_path / "rep")])
    out = capsys.readouterr().out
    assert code == 0
    assert "warning: holiday table israel_1999 has no day in 2000" in out
    assert "warning: 2000-01-04 has " in out and "(weekday, " in out
    cal = json.loads((tmp_path / "rep" / "calibration.json").read_text())["calendar"]
    assert [d["date"] for d in cal["low_volume_days"]] == ["2000-01-04"]


def test_unknown_priority_is_kept_and_counted(jan, tmp_path):
    """A priority the data README does not list (3) is kept as classes of its own and
    counted in the data-quality table; an unknown type is dropped and counted."""
    rows = []
    for i, line in enumerate(jan["990104"][:200]):
        f = line.split("\t")
        f[5] = "990802"
        f[3] = "3" if i % 2 == 0 else f[3]
        f[4] = "AB" if i % 2 == 1 and i < 20 else f[4]
        rows.append("\t".join(f))
    log = write_month(tmp_path / "aug.txt", jan, same_weekdays(D(1999, 8, 1), 1), rows)
    df, dq = read_log(log)
    assert dq.flagged["unknown_priority"] == (df["priority"] == "3").sum() > 0
    assert dq.dropped["unknown_type"] == 10
    assert dq.conserved


def _february(jan, tmp_path, extra=()):
    """21-28 February 1999 (Sunday to Sunday, the month's last day included)."""
    return write_month(tmp_path / "feb.txt", jan, same_weekdays(D(1999, 2, 21), 8), extra)


def test_validate_predicts_fridays_of_another_month(jan, tmp_path, capsys):
    """``ccsim validate LOG --predict friday`` on a February log whose Friday has a
    priority January does not have: it runs, predicts that Friday, and says what it
    dropped (printed and in calibration.json), instead of losing those calls silently."""
    friday = [line.split("\t") for line in jan["990108"][:120]]
    extra = ["\t".join([*f[:3], "3", f[4], "990226", *f[6:]]) for f in friday]
    log = _february(jan, tmp_path, extra)
    out = tmp_path / "val"
    code = validate_main([str(log), "--n-reps", "2", "--hidden-fill", "0.3", "--predict",
                          "friday", "--out", str(out)])
    text = capsys.readouterr().out
    assert code in (0, 1)  # targets met or missed; not bad input
    report = json.loads((out / "calibration.json").read_text())
    assert report["days"][0] == "1999-02-21" and "1999-02-28" in report["days"]
    assert report["prediction"]["predicted_days"] == ["1999-02-26"]
    dropped = {c: w for c, w in report["prediction"]["classes_moved"].items()
               if w.startswith("dropped")}
    assert dropped and all(c.startswith("p3_") for c in dropped)
    for cls, what in dropped.items():
        assert f"warning: predicted days' class {cls}: {what}" in text
    assert "calls a day)" in next(iter(dropped.values()))
    assert (out / "validation.csv").is_file()


def test_a_january_scenario_on_another_month_points_to_predict(jan, tmp_path, capsys):
    """In sample, the shipped January scenario has classes a short February log pools:
    one line, exit 2, naming ``--predict``, the way to carry a scenario to other days."""
    from sim.calibrate import SHIPPED_LOG

    scenario = SHIPPED_LOG.parent.parent.parent / "configs" / "scenario" / "anonymous_bank.yaml"
    code = validate_main([str(_february(jan, tmp_path)), "--scenario", str(scenario),
                          "--n-reps", "2", "--out", str(tmp_path / "v")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert "is not a class of this log" in err and "--predict DAY_TYPE --predict-log" in err
