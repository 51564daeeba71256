"""ccsim forecast: readers and their data-quality counts, models on synthetic histories with
known structure, backtest targets on the bank's data, scenario output that ccsim runs,
bad input (one line, exit 2), determinism and the report in a browser."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from sim.cli import main as ccsim_main
from sim.config import build_model_spec
from sim.forecast import backtest
from sim.forecast.history import SHIPPED_COUNTS, read_history
from sim.forecast.holidays import load as load_holidays
from sim.forecast.models import fit_forecast, interval_band, prepare

REPO = Path(__file__).resolve().parent.parent
SLOTS = 48  # 30-minute intervals in the synthetic histories


def weekly_rates(closed_saturday: bool = False) -> np.ndarray:
    """Expected calls per 30-min interval by weekday (Monday 0): open 07:00-19:00 with a
    midday peak, quieter Friday; closed at night (exact zeros)."""
    t = np.arange(SLOTS)
    shape = np.where((t >= 14) & (t < 38), 20 + 15 * np.sin(np.pi * (t - 14) / 24), 0.0)
    level = np.array([1.0, 1.0, 0.95, 0.95, 0.6, 0.3, 1.1])
    if closed_saturday:
        level[5] = 0.0
    return level[:, None] * shape[None, :]


def poisson_history(weeks: int, seed: int = 7, closed_saturday: bool = False):
    """A seeded Poisson history with a fixed weekly profile: the historical average of the
    same weekday and interval is near-optimal here (the rate never changes)."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2025-01-06", periods=7 * weeks, freq="D")  # a Monday
    rates = weekly_rates(closed_saturday)[dates.day_of_week]
    return dates, rng.poisson(rates).astype(float), rates


def write_generic(path: Path, dates, counts, interval_s: int = 1800, cls=None) -> Path:
    rows = []
    for d, day in enumerate(dates):
        for i in range(counts.shape[1]):
            ts = (day + pd.Timedelta(seconds=i * interval_s)).strftime("%Y-%m-%d %H:%M")
            if cls is None:
                rows.append(f"{ts},{counts[d, i]:g}")
            else:
                for c, share in cls.items():
                    rows.append(f"{ts},{np.floor(counts[d, i] * share):g},{c}")
    head = "timestamp,count" + (",class" if cls else "")
    path.write_text(head + "\n" + "\n".join(rows) + "\n")
    return path


# --- models on synthetic histories ---------------------------------------------------------

def test_synthetic_poisson_history_models_near_the_truth_and_beat_seasonal_naive():
    dates, counts, rates = poisson_history(14)
    bt = backtest.run(counts, dates, {}, 1, n_origins=3, weeks=8)
    w = {(r["model"], r["horizon_week"], r["level"]): r for r in bt.rows}
    # the oracle (true rates) sets the floor: Poisson noise alone
    oracle = np.abs(counts - rates).sum() / counts.sum()
    for week in (1, 2):
        ets, ha, sn = (w[(m, week, "interval")]["wape"]
                       for m in ("ets", "historical_average", "seasonal_naive"))
        assert ets < sn and ha < sn
        assert ha < oracle * 1.15 and ets < oracle * 1.15  # near-optimal
        assert sn > oracle * 1.25  # two weeks of noise: about sqrt(2) times the floor
        assert w[("ets", week, "day")]["wape"] < w[("seasonal_naive", week, "day")]["wape"]


def test_closed_hours_forecast_exact_zeros_and_never_negative():
    dates, counts, rates = poisson_history(6, closed_saturday=True)
    train = prepare(counts, dates, {})
    targets = pd.date_range(dates[-1] + pd.Timedelta(days=1), periods=14, freq="D")
    for model in ("ets", "historical_average", "seasonal_naive"):
        fc = fit_forecast(train, targets, model, {})
        assert np.isfinite(fc.mean).all() and (fc.mean >= 0).all()
        closed = weekly_rates(True)[targets.day_of_week] == 0
        assert (fc.mean[closed] == 0).all(), model  # nights and the closed Saturday
        lo, hi = interval_band(fc.mean, fc.day_cv, fc.kappa, 0.95)
        assert (lo[closed] == 0).all() and (hi[closed] == 0).all()
        assert (lo >= 0).all() and (lo <= fc.mean + 1e-9).all() and (hi >= fc.mean - 1).all()


def test_interval_bands_cover_as_the_true_model_says():
    """On a fixed-rate Poisson history the bands' coverage of what happened agrees with the
    coverage the true rates imply (within 4 binomial sds), and that coverage is at least the
    nominal level (integer bands over-cover a little) but not far above it."""
    from scipy.stats import poisson

    dates, counts, rates = poisson_history(20, seed=11)
    for level in (0.8, 0.95):
        hits = expected = var = n = 0.0
        for o in (70, 91, 112):
            train = prepare(counts[:o], dates[:o], {})
            fc = fit_forecast(train, dates[o:o + 14], "ets", {})
            lo, hi = interval_band(fc.mean, fc.day_cv, fc.kappa, level)
            y, lam = counts[o:o + 14], rates[o:o + 14]
            open_ = fc.mean >= 1
            p = poisson.cdf(hi, lam) - poisson.cdf(lo - 1, lam)
            hits += ((y >= lo) & (y <= hi))[open_].sum()
            expected += p[open_].sum()
            var += (p * (1 - p))[open_].sum()
            n += open_.sum()
        assert abs(hits - expected) <= 4 * np.sqrt(var), (level, hits, expected)
        assert level - 0.01 <= expected / n <= level + 0.08, (level, expected / n)


def test_holiday_is_forecast_like_the_weekday_the_table_names():
    dates, counts, rates = poisson_history(8)
    target = dates[-1] + pd.Timedelta(days=2)  # a Tuesday
    from sim.forecast.models import Holiday

    hol = {f"{target:%Y-%m-%d}": Holiday(f"{target:%Y-%m-%d}", "test", "Saturday")}
    train = prepare(counts, dates, hol)
    targets = pd.date_range(dates[-1] + pd.Timedelta(days=1), periods=7, freq="D")
    with_table = fit_forecast(train, targets, "ets", hol)
    without = fit_forecast(train, targets, "ets", {})
    sat = rates[5].sum()
    assert abs(with_table.day_mean[1] / sat - 1) < 0.15
    assert abs(without.day_mean[1] / rates[1].sum() - 1) < 0.15
    assert with_table.like[1] == "Saturday"


# --- readers and data quality ---------------------------------------------------------------

def test_generic_reader_counts_every_problem(tmp_path):
    dates, counts, _ = poisson_history(3)
    path = write_generic(tmp_path / "h.csv", dates, counts)
    lines = path.read_text().splitlines()
    body = lines[1:]
    body[100] = body[100].split(",")[0] + ",-3"          # negative
    body[101] = body[101].split(",")[0] + ",lots"        # non-numeric
    body[102] = body[102].split(",")[0] + ",2.5"         # fractional: kept, flagged
    body.append(body[200])                               # duplicate timestamp
    del body[300:310]                                    # a gap of 10 intervals
    body.append("yesterday,4")                           # bad timestamp
    body.append("2025-01-07 10:10,4")                    # off the 30-min grid
    path.write_text(lines[0] + "\n" + "\n".join(body) + "\n")
    h = read_history(path)
    q = h.quality
    assert q.conserved and q.rows_read == len(body)
    assert q.dropped == {"bad_timestamp": 1, "non_numeric_count": 1, "negative_count": 1,
                         "off_grid_timestamp": 1, "duplicate_timestamp": 1}
    assert q.flagged == {"fractional_count": 1}
    assert q.gaps == 10 + 2  # the 2 dropped counts leave gaps too
    assert q.examples["negative_count"] == [102] and q.examples["non_numeric_count"] == [103]
    assert h.interval_s == 1800 and np.isnan(h.total).sum() == 12
    assert h.total.reshape(-1)[102] == 2.5


def test_generic_reader_dst_offsets_counted_and_repeated_hour_added(tmp_path):
    rows = ["timestamp,count"]
    for i in range(SLOTS * 15):
        day, slot = divmod(i, SLOTS)
        ts = pd.Timestamp("2025-10-13") + pd.Timedelta(days=day, minutes=30 * slot)
        off = "+03:00" if ts < pd.Timestamp("2025-10-26 02:00") else "+02:00"
        rows.append(f"{ts:%Y-%m-%dT%H:%M:%S}{off},1")
    # the autumn repeated hour 01:00-02:00 local appears again under the new offset
    rows += ["2025-10-26T01:00:00+02:00,5", "2025-10-26T01:30:00+02:00,7"]
    path = tmp_path / "dst.csv"
    path.write_text("\n".join(rows) + "\n")
    h = read_history(path)
    assert h.quality.flagged["utc_offset_change"] == 1
    assert h.quality.dropped["dst_repeated"] == 2 and h.quality.conserved
    day = list(h.dates).index(pd.Timestamp("2025-10-26"))
    assert h.total[day, 2] == 1 + 5 and h.total[day, 3] == 1 + 7


def test_bank_counts_reader_on_shipped_file():
    h = read_history(SHIPPED_COUNTS)
    assert h.interval_s == 360 and h.total.shape == (365, 240)
    assert h.dates[0] == pd.Timestamp("1999-01-01") and h.quality.conserved
    assert h.quality.flagged == {"fractional_count": 91} and not h.quality.dropped
    shared = REPO.parent / "shared" / "data" / "anonymous_bank" / "arrivals_6min_1999.csv"
    if shared.is_file():  # the shipped copy is the shared file, byte for byte
        import gzip

        assert gzip.decompress(SHIPPED_COUNTS.read_bytes()) == shared.read_bytes()


def test_call_log_through_calibrate_adapter_counts_classes_and_missing_days():
    log = REPO / "sim" / "data" / "anonymous_bank_january1999.txt.gz"
    h = read_history(log, interval_s=1800)
    assert h.total.shape == (31, 48)
    missing = [f"{d:%d}" for d, row in zip(h.dates, h.total, strict=True)
               if np.isnan(row).all()]
    assert missing == ["11", "12"] and h.quality.gaps == 96
    assert "p2_PS" in h.classes and np.nansum(h.total) == 31357


def test_holiday_table_matches_the_data_daily_totals():
    """Every holiday the table forecasts 'like a Saturday' is a day far below its weekday's
    usual volume in the bank's 1999 data (and every eve is below it too)."""
    h = read_history(SHIPPED_COUNTS)
    hol = load_holidays("israel_1999", "auto", h)
    tot = pd.Series(h.total.sum(axis=1), index=h.dates)
    usual = tot.groupby(tot.index.day_of_week).median()
    for key, day in hol.items():
        ratio = tot[key] / usual[pd.Timestamp(key).day_of_week]
        if day.like == "Saturday" and pd.Timestamp(key).day_of_week != 5:
            assert ratio < 0.35, (key, day.name, ratio)
        if day.like == "Friday" and pd.Timestamp(key).day_of_week != 4:
            assert ratio < 0.5, (key, day.name, ratio)


# --- the command: outputs, scenario, bad input ----------------------------------------------

def run_cli(args, capsys):
    with pytest.raises(SystemExit) as exc:
        ccsim_main(["forecast", *args])
    out = capsys.readouterr()
    return exc.value.code, out.out, out.err


@pytest.fixture(scope="module")
def synthetic_file(tmp_path_factory):
    dates, counts, _ = poisson_history(10)
    return write_generic(tmp_path_factory.mktemp("hist") / "history.csv", dates, counts)


def test_forecast_writes_a_scenario_ccsim_accepts(synthetic_file, tmp_path, capsys):
    code, out, err = run_cli([str(synthetic_file), "--scenario", "basic", "--days", "3",
                              "--origins", "2", "--report-dir", str(tmp_path),
                              "--name", "fc"], capsys)
    assert code == 0, err
    scn = yaml.safe_load((tmp_path / "fc.yaml").read_text())
    spec = build_model_spec(scn)
    assert spec.days == 3 and len(spec.calls_per_interval) == 3 * 48
    days = pd.read_csv(tmp_path / "forecast_days.csv")
    assert sum(spec.calls_per_interval) == pytest.approx(days["expected_calls"].sum(),
                                                         rel=1e-3)
    assert 0 < spec.day_volume_cv < 1
    assert (days["lo80"] <= days["expected_calls"]).all()
    assert (days["lo95"] <= days["lo80"]).all() and (days["hi95"] >= days["hi80"]).all()
    bt = pd.read_csv(tmp_path / "backtest.csv")
    assert set(bt["model"]) == {"ets", "historical_average", "seasonal_naive"}
    assert json.loads((tmp_path / "data_quality.json").read_text())["conserved"]


def test_forecast_splits_by_the_history_classes(tmp_path, capsys):
    dates, counts, _ = poisson_history(4)
    path = write_generic(tmp_path / "c.csv", dates, counts, cls={"vip": 0.2, "ordinary": 0.8})
    base = yaml.safe_load((REPO / "configs" / "scenario" / "basic.yaml").read_text())
    for name in ("vip", "ordinary"):
        base["classes"][name].pop("mix")
        base["classes"][name]["calls_per_interval"] = 1.0
    (tmp_path / "base.yaml").write_text(yaml.safe_dump(base))
    code, _, err = run_cli([str(path), "--scenario", str(tmp_path / "base.yaml"),
                            "--origins", "0", "--report-dir", str(tmp_path)], capsys)
    assert code == 0, err
    scn = yaml.safe_load((tmp_path / "forecast.yaml").read_text())
    vip = np.array(scn["classes"]["vip"]["calls_per_interval"])
    ordinary = np.array(scn["classes"]["ordinary"]["calls_per_interval"])
    assert len(vip) == 7 * 48
    assert vip.sum() / (vip.sum() + ordinary.sum()) == pytest.approx(0.2, abs=0.02)
    build_model_spec(scn)


def test_same_input_same_bytes(synthetic_file, tmp_path, capsys):
    outs = []
    for run in ("a", "b"):
        d = tmp_path / run
        code, _, err = run_cli([str(synthetic_file), "--scenario", "basic", "--origins", "2",
                                "--report-dir", str(d)], capsys)
        assert code == 0, err
        outs.append({p.name: p.read_bytes() for p in sorted(d.iterdir())})
    assert outs[0].keys() == outs[1].keys() and len(outs[0]) == 7
    for name in outs[0]:
        if name == "forecast.yaml":  # the header names its report dir
            a, b = (o[name].split(b"\n", 2)[2] for o in outs)
            assert a == b
        elif name == "report.html":
            a, b = (o[name].replace(f"{tmp_path}/{r}".encode(), b"") for o, r in
                    zip(outs, "ab", strict=True))
            assert a == b
        else:
            assert outs[0][name] == outs[1][name], name


@pytest.mark.parametrize("args, needle", [
    (["--start", "2025-01-10"], "two weekly seasons"),
    (["--start", "2024-12-01"], "two weekly seasons"),
    (["--start", "soon"], "--start"),
    (["--days", "0"], "--days"),
    (["--holidays", "atlantis"], "--holidays"),
    (["--scenario", "nowhere"], "--scenario"),
    (["--format", "excel"], "--format"),
    (["--agent-share", "1.5"], "--agent-share"),
])
def test_bad_options_one_line_exit_2(synthetic_file, tmp_path, capsys, args, needle):
    code, _, err = run_cli([str(synthetic_file), "--report-dir", str(tmp_path), *args],
                           capsys)
    assert code == 2 and needle in err and len(err.strip().splitlines()) == 1, err


def test_short_history_and_bad_files_one_line_exit_2(tmp_path, capsys):
    dates, counts, _ = poisson_history(1)
    short = write_generic(tmp_path / "short.csv", dates, counts)
    (tmp_path / "junk.csv").write_text("when,what\n1,2\n")
    (tmp_path / "nocount.csv").write_text("timestamp,calls\n2025-01-01 00:00,1\n")
    for path, needle in ((short, "two weekly seasons"), (tmp_path / "missing.csv", "no such"),
                         (tmp_path / "junk.csv", "unrecognised history header"),
                         (tmp_path / "nocount.csv", "unrecognised")):
        code, _, err = run_cli([str(path), "--report-dir", str(tmp_path)], capsys)
        assert code == 2 and needle in err and len(err.strip().splitlines()) == 1, err


# --- the bank's data --------------------------------------------------------------------------

def test_bank_backtest_subset_beats_seasonal_naive():
    """First 26 weeks of 1999, 4 origins: the main model beats seasonal naive at interval
    and day level at both horizons."""
    h = read_history(SHIPPED_COUNTS)
    hol = load_holidays("auto", "auto", h)
    n = 26 * 7
    bt = backtest.run(h.total[:n], h.dates[:n], hol, 5, n_origins=4)
    w = {(r["model"], r["horizon_week"], r["level"]): r["wape"] for r in bt.rows}
    for week in (1, 2):
        for level in ("interval", "scenario_interval", "day"):
            assert w[("ets", week, level)] < w[("seasonal_naive", week, level)], (week, level)


@pytest.mark.slow
def test_bank_full_year_backtest_targets():
    """The README's backtest (24 origins): beat seasonal naive at every level and horizon;
    coverage of the 80 % and 95 % intervals within ±5 points of nominal at every level."""
    h = read_history(SHIPPED_COUNTS)
    bt = backtest.run(h.total, h.dates, load_holidays("auto", "auto", h), 5, n_origins=24)
    by = {(r["model"], r["horizon_week"], r["level"]): r for r in bt.rows}
    for week in (1, 2):
        for level in ("interval", "scenario_interval", "day"):
            assert by[("ets", week, level)]["wape"] < by[("seasonal_naive", week, level)]["wape"]
            r = by[("ets", week, level)]
            assert abs(r["cover80"] - 0.8) <= 0.05 and abs(r["cover95"] - 0.95) <= 0.05, r


def test_report_renders_in_browser(synthetic_file, tmp_path, capsys):
    import os

    from browser import chromium, probe, screenshot

    if chromium() is None:
        pytest.skip("no Chromium (sh tests/install_browser.sh)")
    code, _, err = run_cli([str(synthetic_file), "--scenario", "basic", "--origins", "2",
                            "--report-dir", str(tmp_path)], capsys)
    assert code == 0, err
    verdict = probe(tmp_path / "report.html", tmp_path)
    assert verdict["errors"] == []
    assert len(verdict["plots"]) == 3
    for p in verdict["plots"]:
        assert p["rendered"] and p["points"] > 0 and not p["unlabelled"], p
    assert {"Data quality", "History", "Forecast", "Backtest (rolling origin)"} <= \
        set(verdict["headings"])
    artifacts = Path(os.environ.get("CCSIM_ARTIFACTS", REPO / "tests" / "artifacts"))
    png = screenshot(tmp_path / "report.html", artifacts / "forecast_report.png", tmp_path,
                     height=3000)
    assert png.stat().st_size > 50_000  # a blank page is a few kB


def test_shipped_bank_week_scenario_is_valid():
    """configs/scenario/anonymous_bank_week.yaml (the README's forecast) builds as a model:
    a week of the bank's classes with the forecast's day-level error."""
    scn = yaml.safe_load((REPO / "configs" / "scenario" / "anonymous_bank_week.yaml")
                         .read_text())
    spec = build_model_spec(scn)
    assert spec.days == 7 and 0 < spec.day_volume_cv < 1
    calls = sum(sum(c.volume) for c in spec.classes if c.name != "hidden_work")
    assert 8000 < calls < 11000


def test_holiday_tables_auto_and_bad_entries(tmp_path):
    from sim.forecast.history import HistoryError

    bank = read_history(SHIPPED_COUNTS)
    assert len(load_holidays("auto", "auto", bank)) == 28
    assert load_holidays("none", "auto", bank) == {}
    dates, counts, _ = poisson_history(3)
    generic = read_history(write_generic(tmp_path / "anonymous_bank_like.csv", dates, counts))
    assert load_holidays("auto", "auto", generic) == {}  # the name of a file is no format
    bad = tmp_path / "bad.yaml"
    bad.write_text("days:\n  - {date: 2025-01-01, name: x, like: Funday}\n")
    with pytest.raises(HistoryError, match="like 'Funday'.*allowed"):
        load_holidays(str(bad), "auto", generic)


def test_written_tables_match_their_column_spec(synthetic_file, tmp_path, capsys):
    """Issue 13: what ``ccsim forecast`` writes has a typed column spec, checked on write;
    the files read back match it (names, order, types, bounds) and the README's column
    reference lists every column with its type."""
    from sim.forecast.tables import TABLES, problems, read

    code, _, err = run_cli([str(synthetic_file), "--scenario", "basic", "--days", "3",
                            "--origins", "2", "--report-dir", str(tmp_path)], capsys)
    assert code == 0, err
    for name in TABLES:
        frame = read(tmp_path / f"{name}.csv")
        assert len(frame) and problems(name, frame) == [], name
    readme = (REPO / "README.md").read_text()
    section = readme.split("### Columns: type and unit", 1)[1].split("\n### ", 1)[0]
    for name, cols in TABLES.items():
        part = section.split(f"**`{name}.csv`**", 1)[1].split("\n- **", 1)[0]
        for c in cols:
            assert re.search(rf"`{c.name}`\s+{c.dtype}\b", part), (name, c.name)


def test_column_spec_rejects_what_it_should():
    """The check is not a formality: a renamed column, a wrong type, a negative count, a
    bad date or an empty required cell each fail it."""
    from sim.forecast.tables import checked, problems

    good = pd.DataFrame({"model": ["ets"], "horizon_day": [1], "wape_interval": [0.2],
                         "wape_day": [0.1]})
    assert problems("backtest_by_day", good) == []
    assert problems("backtest_by_day", good.rename(columns={"wape_day": "wape"}))
    assert problems("backtest_by_day", good.assign(horizon_day=[1.5]))
    assert problems("backtest_by_day", good.assign(wape_day=[-0.1]))
    assert problems("backtest_by_day", good.assign(model=["arima"]))
    assert problems("backtest_by_day", good.assign(model=[None]))
    days = pd.DataFrame({"date": ["2000-1-2"], "weekday": ["Sunday"], "holiday": [""],
                         "like": [""], "expected_calls": [1.0], "lo80": [0.5], "hi80": [2.0],
                         "lo95": [0.1], "hi95": [3.0], "day_cv": [0.2]})
    assert any("date" in p for p in problems("forecast_days", days))
    with pytest.raises(RuntimeError, match="forecast_days.date"):
        checked("forecast_days", days)
    assert problems("forecast_days", days.assign(date=["2000-01-02"])) == []
