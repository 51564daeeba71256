"""``ccsim forecast HISTORY``: expected calls per interval for the target days, their
prediction intervals, a rolling-origin backtest, a scenario file and a report."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from sim.errors import OneLineParser

EXIT_BAD_INPUT = 2


def parser() -> OneLineParser:
    from sim.forecast.models import MODELS

    p = OneLineParser(prog="ccsim forecast", description=(
        "Forecast calls per interval from arrival-count history (generic CSV: timestamp, "
        "count[, class]; the Anonymous Bank 6-minute counts; or a call log through the "
        "calibrate adapters). Writes a scenario file with the forecast volumes and "
        "arrivals.day_volume_cv, and in --report-dir forecast_intervals.csv, "
        "forecast_days.csv, backtest.csv, backtest_by_day.csv, data_quality.json and "
        "report.html."))
    p.add_argument("history", metavar="HISTORY", help="history file (.gz allowed)")
    p.add_argument("--format", default="auto", help="auto (by the header), generic, "
                   "anonymous_bank_counts, or log:ADAPTER for a call log")
    p.add_argument("--start", default=None, help="first day to forecast, YYYY-MM-DD "
                   "(default: the day after the history ends)")
    p.add_argument("--days", type=int, default=7, help="days to forecast (default 7)")
    p.add_argument("--out", type=Path, default=None,
                   help="scenario file to write (default REPORT_DIR/NAME.yaml; put it in "
                        "configs/scenario/ to run it as scenario=NAME)")
    p.add_argument("--name", default="forecast", help="scenario name (default forecast)")
    p.add_argument("--scenario", default="anonymous_bank", help="base scenario whose "
                   "volumes are replaced: a name in configs/scenario or a .yaml file "
                   "(default anonymous_bank)")
    p.add_argument("--fixed-classes", default="hidden_work", help="comma-separated classes "
                   "of the base that keep their volumes (not calls; default hidden_work)")
    p.add_argument("--agent-share", type=float, default=1.0, help="share of the counted "
                   "calls that reach the scenario's classes (default 1)")
    p.add_argument("--holidays", default="auto", help="holiday table: a name in "
                   "sim/data/holidays, a .yaml file, or none (auto: israel_1999 for the "
                   "Anonymous Bank, else none)")
    p.add_argument("--model", default="ets", choices=MODELS, help="model of the scenario's "
                   "volumes (default ets; the backtest scores all)")
    p.add_argument("--weeks", type=int, default=8, help="recent weeks of the profiles and "
                   "the historical average (default 8)")
    p.add_argument("--origins", type=int, default=24, help="backtest origins (default 24; "
                   "0 skips the backtest)")
    p.add_argument("--interval-s", type=int, default=1800, help="interval of the counts "
                   "made from a call log (default 1800)")
    p.add_argument("--report-dir", type=Path, default=Path("outputs/forecast"),
                   help="where the tables and report.html go (default outputs/forecast)")
    return p


def main(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    args.command_line = "ccsim forecast " + " ".join(argv)
    from sim.errors import ConfigError
    from sim.forecast.history import HistoryError

    try:
        _check_options(args)
        return run(args)
    except (HistoryError, ConfigError) as exc:
        print(f"ccsim forecast: error: {' '.join(str(exc).split())}", file=sys.stderr)
        return EXIT_BAD_INPUT


def _check_options(args) -> None:
    """The numeric options against the schema (:mod:`sim.schema.forecast`)."""
    from sim.errors import ConfigError
    from sim.forecast.history import HistoryError
    from sim.schema.errors import validate
    from sim.schema.forecast import ForecastOptions

    given = {k: getattr(args, k) for k in ForecastOptions.model_fields}
    try:
        validate(ForecastOptions, given, "")
    except ConfigError as exc:
        flag = "--" + exc.key.replace("_", "-")
        raise HistoryError(f"{flag} {given.get(exc.key)!r}: allowed: "
                           f"{exc.message.split(', got ')[0].removeprefix('must be ')}"
                           ) from None


def run(args) -> int:
    import pandas as pd

    from sim.forecast import backtest, report
    from sim.forecast import holidays as hol_io
    from sim.forecast import scenario as scn_io
    from sim.forecast.history import HistoryError, read_history
    from sim.forecast.models import MIN_DAYS, fit_forecast, kappa, prepare

    base = scn_io.load_base(args.scenario)  # option errors before the (slower) history
    hist = read_history(args.history, args.format, args.interval_s)
    print(hist.quality.table())
    factor = scn_io.resolution(base, hist.interval_s)
    holidays = hol_io.load(args.holidays, args.format, hist)
    start = _start(args.start, hist)
    n_before = int((hist.dates < start).sum())
    if n_before < MIN_DAYS:
        raise HistoryError(f"--start {start:%Y-%m-%d}: the history before it covers "
                           f"{n_before} day(s) ({hist.dates[0]:%Y-%m-%d} ..); allowed: a "
                           f"start with at least {MIN_DAYS} days (two weekly seasons) "
                           f"of history before it")
    train = prepare(hist.total[:n_before], hist.dates[:n_before], holidays)
    lead = (start - hist.dates[n_before - 1]).days - 1  # days between history and start
    span = pd.date_range(hist.dates[n_before - 1] + pd.Timedelta(days=1),
                         periods=lead + args.days, freq="D")
    fc = fit_forecast(train, span, args.model, holidays, args.weeks)
    fc = _tail(fc, args.days)
    fc.kappa_scenario = kappa(train.clean, train.dates, train.ordinary, args.weeks, factor)
    by_class = _class_forecasts(hist, n_before, fc, factor, args.weeks, holidays)
    share = args.agent_share
    total = report.aggregate(fc.mean, factor) * share
    day_cv = _day_cv(fc)
    out = args.out or args.report_dir / f"{args.name}.yaml"
    fixed = {c.strip() for c in args.fixed_classes.split(",") if c.strip()}
    scn, notes = scn_io.build(base, total, {c: v * share for c, v in by_class.items()},
                              day_cv, args.name, fixed)
    bt = None
    if args.origins:
        bt = backtest.run(hist.total, hist.dates, holidays, factor, args.origins, args.weeks)
    rd = args.report_dir
    rd.mkdir(parents=True, exist_ok=True)
    header = _header(args, hist, fc, day_cv, notes, holidays)
    scn_io.write(scn, out, header)
    tables = report.write_tables(rd, hist, fc, factor, share, holidays, bt)
    (rd / "data_quality.json").write_text(json.dumps(
        {**hist.quality.to_dict(), "imputed_cells_before_start": train.imputed},
        indent=2) + "\n")
    page = report.write_report(rd, hist, fc, factor, share, holidays, bt, args.command_line,
                               day_cv)
    print(report.summary_text(fc, day_cv, train.imputed, bt, share))
    print(f"scenario: {out}\ntables: {', '.join(str(t) for t in tables)}\nreport: {page}")
    return 0


def _start(text: str | None, hist):
    import pandas as pd

    from sim.forecast.history import HistoryError

    if text is None:
        return hist.dates[-1] + pd.Timedelta(days=1)
    try:
        day = pd.Timestamp(text)
    except ValueError:
        raise HistoryError(f"--start {text!r}: allowed: a date YYYY-MM-DD") from None
    if day != day.normalize():
        raise HistoryError(f"--start {text!r}: allowed: a date YYYY-MM-DD (whole days)")
    return day


def _tail(fc, days: int):
    from dataclasses import replace

    median = None if fc.day_log_median is None else fc.day_log_median[-days:]
    return replace(fc, dates=fc.dates[-days:], mean=fc.mean[-days:],
                   day_sd_log=fc.day_sd_log[-days:], like=fc.like[-days:],
                   day_log_median=median)


def _day_cv(fc) -> float:
    """One cv for the scenario's day multiplier: the volume-weighted RMS of the target
    days' cvs (the busy days dominate staffing)."""
    w = fc.day_mean ** 2
    if w.sum() <= 0:
        return 0.0
    return float(np.sqrt((w * fc.day_cv ** 2).sum() / w.sum()))


def _class_forecasts(hist, n_before: int, fc, factor: int, weeks: int, holidays) -> dict:
    """Per-class forecasts at the scenario's resolution: the total times each class's share
    of the same weekday and interval over the last ``weeks`` weeks (empty: no classes)."""
    from sim.forecast.models import WEEKDAYS, aggregate, prepare, weekday_index

    if not hist.classes:
        return {}
    dates = hist.dates[:n_before]
    wd = weekday_index(dates)
    tot = aggregate(prepare(hist.total[:n_before], dates, holidays).filled, factor)
    parts = {c: aggregate(prepare(hist.counts[c][:n_before], dates, holidays).filled, factor)
             for c in hist.classes}
    t_wd = [WEEKDAYS.index(like) if like else w
            for w, like in zip(weekday_index(fc.dates), fc.like, strict=True)]
    mean = aggregate(fc.mean, factor)
    out = {}
    for c, m in parts.items():
        share = np.zeros((7, tot.shape[1]))
        overall = m.sum() / tot.sum() if tot.sum() > 0 else 0.0
        for w in range(7):
            idx = np.flatnonzero(wd == w)[-weeks:]
            num, den = m[idx].sum(axis=0), tot[idx].sum(axis=0)
            share[w] = np.where(den > 0, num / np.where(den > 0, den, 1), overall)
        out[c] = mean * share[t_wd]
    return out


def _header(args, hist, fc, day_cv: float, notes: list[str], holidays) -> list[str]:
    first, last = fc.dates[0], fc.dates[-1]
    hols = [f"{d:%Y-%m-%d} ({holidays[f'{d:%Y-%m-%d}'].name})" for d in fc.dates
            if f"{d:%Y-%m-%d}" in holidays]
    lines = [
        "Forecast by ccsim forecast:",
        f"  {args.command_line}",
        f"History: {hist.quality.source}, {hist.dates[0]:%Y-%m-%d} .. "
        f"{hist.dates[-1]:%Y-%m-%d}, {hist.interval_s}-s intervals.",
        f"Target days: {first:%Y-%m-%d} .. {last:%Y-%m-%d} ({len(fc.dates)} days; day 1 of "
        f"the horizon is {first:%A}); model {fc.model}; agent share {args.agent_share:g}.",
        f"Expected calls per interval: {fc.day_mean.sum() * args.agent_share:,.0f} over "
        "the horizon; day totals and prediction intervals in forecast_days.csv, per "
        "interval in forecast_intervals.csv.",
        f"arrivals.day_volume_cv {day_cv:.4f}: the day-level forecast error (volume-weighted "
        "over the target days), so simulated days vary as much as forecasts miss.",
        "Holidays in the horizon: " + (", ".join(hols) if hols else "none") + ".",
        *notes,
        f"Run it: ccsim scenario={args.name} (with the file in configs/scenario/).",
    ]
    return lines
