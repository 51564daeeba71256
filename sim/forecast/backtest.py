"""Rolling-origin backtest: refit at each origin on the days before it, forecast the next two
weeks, score against what happened.

Scores, pooled over origins, per horizon week (1: days 1–7 after the origin, 2: days 8–14)
and level (interval at the history's resolution, interval at the scenario's resolution,
day): WAPE = Σ|actual − forecast| / Σ actual, and the share of actual values inside the
80 % and 95 % prediction intervals. Cells without data (gaps) are left out of the scores,
and counted.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.forecast.models import (
    LEVELS,
    MIN_DAYS,
    MODELS,
    Holiday,
    aggregate,
    fit_forecast,
    interval_band,
    prepare,
)

HORIZON_DAYS = 14
MIN_EXPECTED = 1.0  # coverage is scored where at least one call is expected (see run)
FIRST_ORIGIN_DAYS = 56  # eight weeks of history before the first origin (profiles' weeks)


@dataclass
class Backtest:
    origins: list  # dates of the origins (first forecast day)
    rows: list[dict]  # model, horizon_week, level, wape, cover80, cover95, n
    by_day: list[dict]  # model, horizon_day, wape_interval, wape_day
    skipped_cells: int


def origin_days(n_days: int, n_origins: int) -> list[int]:
    """Evenly spaced origins (day indices) between eight weeks in (or two weeks, for a short
    history) and the last day that leaves two full weeks to score."""
    first = FIRST_ORIGIN_DAYS if n_days >= FIRST_ORIGIN_DAYS + HORIZON_DAYS else MIN_DAYS
    last = n_days - HORIZON_DAYS
    if last < first or n_origins < 1:
        return []
    if n_origins == 1:
        return [last]
    return sorted({int(round(x)) for x in np.linspace(first, last, n_origins)})


def run(total: np.ndarray, dates, holidays: dict[str, Holiday], factor: int,
        n_origins: int = 12, weeks: int = 8, models=MODELS) -> Backtest:
    """Backtest every model on ``total`` (days × intervals); ``factor`` native intervals
    make one scenario interval."""
    levels = {"interval": 1, "scenario_interval": factor, "day": total.shape[1]}
    acc: dict = {}
    by_day: dict = {}
    skipped = 0
    starts = origin_days(len(dates), n_origins)
    for o in starts:
        train = prepare(total[:o], dates[:o], holidays)
        actual = total[o:o + HORIZON_DAYS]
        skipped += int((~np.isfinite(actual)).sum())
        for model in models:
            fc = fit_forecast(train, dates[o:o + HORIZON_DAYS], model, holidays, weeks)
            _score(acc, by_day, model, fc, actual, levels, train, weeks)
    rows = []
    for (model, week, level), a in sorted(acc.items()):
        rows.append({"model": model, "horizon_week": week, "level": level,
                     "wape": a["abs"] / a["sum"] if a["sum"] else float("nan"),
                     "cover80": a["in80"] / a["n_cover"] if model == "ets" else None,
                     "cover95": a["in95"] / a["n_cover"] if model == "ets" else None,
                     "n": a["n"], "n_cover": a["n_cover"], "origins": len(starts)})
    day_rows = [{"model": m, "horizon_day": d + 1,
                 "wape_interval": a["abs_i"] / a["sum"], "wape_day": a["abs_d"] / a["sum"]}
                for (m, d), a in sorted(by_day.items())]
    return Backtest([dates[o] for o in starts], rows, day_rows, skipped)


def _score(acc, by_day, model, fc, actual, levels, train, weeks) -> None:
    from sim.forecast.models import kappa

    for level, f in levels.items():
        y = aggregate(actual, f) if level != "day" else actual.sum(axis=1, keepdims=True)
        m = aggregate(fc.mean, f) if level != "day" else fc.day_mean[:, None]
        bands = {}
        for lv in LEVELS if model == "ets" else ():
            if level == "day":
                lo, hi = fc.day_band(lv)
                bands[lv] = (lo[:, None], hi[:, None])
            else:
                k = fc.kappa if f == 1 else kappa(train.clean, train.dates, train.ordinary,
                                                  weeks, f)
                bands[lv] = interval_band(m, fc.day_cv, k, lv)
        for week in (1, 2):
            rows = slice((week - 1) * 7, week * 7)
            yy, mm = y[rows], m[rows]
            ok = np.isfinite(yy)
            a = acc.setdefault((model, week, level),
                               {"abs": 0.0, "sum": 0.0, "n": 0, "in80": 0, "in95": 0})
            a["abs"] += float(np.abs(yy - mm)[ok].sum())
            a["sum"] += float(yy[ok].sum())
            a["n"] += int(ok.sum())
            scored = ok & (mm >= MIN_EXPECTED)
            a["n_cover"] = a.get("n_cover", 0) + int(scored.sum())
            for lv, key in zip(LEVELS, ("in80", "in95"), strict=True):
                if lv not in bands:
                    continue
                lo, hi = bands[lv][0][rows], bands[lv][1][rows]
                a[key] += int(((yy >= lo - 1e-9) & (yy <= hi + 1e-9) & scored).sum())
    for d in range(actual.shape[0]):
        y = actual[d]
        ok = np.isfinite(y)
        if not ok.all():
            continue
        b = by_day.setdefault((model, d), {"abs_i": 0.0, "abs_d": 0.0, "sum": 0.0})
        b["abs_i"] += float(np.abs(y - fc.mean[d]).sum())
        b["abs_d"] += float(abs(y.sum() - fc.mean[d].sum()))
        b["sum"] += float(y.sum())
