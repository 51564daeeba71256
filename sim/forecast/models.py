"""Forecasts of calls per interval for whole target days, from the days before them.

Three models, all on the day × interval matrix of a :class:`~sim.forecast.history.History`:

- ``seasonal_naive``: each target day copies the same weekday of the last week in the
  history (baseline);
- ``historical_average``: the mean of the same weekday and interval over the last
  ``weeks`` weeks (baseline; Taylor 2008 found it hard to beat beyond 2–3 days ahead);
- ``ets`` (main): daily totals by statsmodels' ETS (additive error, no trend, additive
  weekly seasonality) on ``log1p`` of the totals — multiplicative in effect, and zeros
  (closed days) are fine — times the intraday profile (share of the day per interval,
  mean over the last ``weeks`` weeks of the same weekday): the common workforce-management
  practice. Holidays in the table are left out of the training (imputed as ordinary days)
  and forecast "like" the ordinary day the table names (a Saturday, a Friday).

Uncertainty: the day's level from the ETS forecast distribution (lognormal on the
``log1p`` scale); calls in an interval given a forecast mean ``m`` are Poisson with a rate
that carries the day's level (cv from ETS) and an interval-level extra dispersion κ (method
of moments on the training days), taken as a negative binomial with the same mean and
variance. History needed: 2 weeks for any model (ETS's weekly season needs two to
initialise); ``weeks`` weeks for full profiles.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

MODELS = ("ets", "historical_average", "seasonal_naive")
BASELINES = ("seasonal_naive", "historical_average")
MIN_DAYS = 14  # two weekly seasons
LEVELS = (0.8, 0.95)


@dataclass(frozen=True)
class Holiday:
    date: str  # YYYY-MM-DD
    name: str
    like: str | None  # weekday name the day behaves like, or None (only left out of fits)


@dataclass
class Forecast:
    """Expected calls per interval (``mean``, days × slots) of the target days, the day's
    level distribution and the interval-level dispersion."""

    model: str
    dates: pd.DatetimeIndex  # the target days
    mean: np.ndarray
    day_sd_log: np.ndarray  # sd of log1p(day total): the day's level uncertainty
    kappa: float  # extra interval-level dispersion (squared cv), native resolution
    like: list[str | None] = field(default_factory=list)  # holiday behaviour per day
    kappa_scenario: float | None = None  # κ at the scenario's resolution, when set
    day_log_median: np.ndarray | None = None  # log1p of the day's median, when known

    @property
    def day_mean(self) -> np.ndarray:
        return self.mean.sum(axis=1)

    @property
    def day_cv(self) -> np.ndarray:
        """cv of the day's level: that of a lognormal with the ETS sd on the log scale."""
        return np.sqrt(np.expm1(self.day_sd_log ** 2))

    def day_band(self, level: float) -> tuple[np.ndarray, np.ndarray]:
        from scipy.stats import norm

        z = norm.ppf(0.5 + level / 2)
        med = np.log1p(self.day_median)
        lo = np.expm1(med - z * self.day_sd_log)
        hi = np.expm1(med + z * self.day_sd_log)
        return np.maximum(lo, 0.0), hi

    @property
    def day_median(self) -> np.ndarray:
        if self.day_log_median is not None:
            return np.maximum(np.expm1(self.day_log_median), 0.0)
        # mean of a lognormal = median * exp(s^2 / 2): the median on the count scale
        return np.maximum((self.day_mean + 1) * np.exp(-self.day_sd_log ** 2 / 2) - 1, 0.0)


def interval_band(mean: np.ndarray, cv_day: np.ndarray, kappa: float, level: float
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Central prediction interval of calls per interval: negative binomial with mean ``m``
    and variance m + m² ((1 + cv²)(1 + κ) − 1) — Poisson arrivals at a rate carrying the
    day's level (cv per day, broadcast over its intervals) and interval noise κ."""
    from scipy.stats import nbinom, poisson

    m = np.asarray(mean, float)
    extra = (1 + np.asarray(cv_day, float)[:, None] ** 2) * (1 + kappa) - 1
    extra = np.broadcast_to(extra, m.shape)
    q = (0.5 - level / 2, 0.5 + level / 2)
    lo, hi = np.zeros_like(m), np.zeros_like(m)
    nb = (m > 0) & (extra > 1e-12)
    if nb.any():
        n = 1.0 / extra[nb]
        p = n / (n + m[nb])
        lo[nb], hi[nb] = nbinom.ppf(q[0], n, p), nbinom.ppf(q[1], n, p)
    po = (m > 0) & ~nb
    if po.any():
        lo[po], hi[po] = poisson.ppf(q[0], m[po]), poisson.ppf(q[1], m[po])
    return lo, hi


def weekday_index(dates) -> np.ndarray:
    return np.asarray(dates.day_of_week)  # Monday 0 .. Sunday 6


WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass
class Training:
    """The history before the forecast origin, cleaned: ``filled`` has its gaps imputed;
    ``clean`` also has the holidays replaced by ordinary days (for the main model)."""

    dates: pd.DatetimeIndex
    filled: np.ndarray
    clean: np.ndarray
    ordinary: np.ndarray  # bool per day: not a holiday and not wholly imputed
    imputed: int  # cells imputed (gaps)


def _same_weekday_mean(m: np.ndarray, wd: np.ndarray, use: np.ndarray) -> np.ndarray:
    """Per weekday, the mean of each interval over the days in ``use`` (NaN-aware)."""
    out = np.zeros((7, m.shape[1]))
    for w in range(7):
        rows = m[(wd == w) & use]
        if len(rows) and np.isfinite(rows).any():
            with np.errstate(all="ignore"):
                col = np.nanmean(np.where(np.isfinite(rows), rows, np.nan), axis=0)
            out[w] = np.nan_to_num(col)
    return out


def prepare(matrix: np.ndarray, dates, holidays: dict[str, Holiday]) -> Training:
    """Impute gaps (and, in ``clean``, holidays) by the same weekday and interval of the
    other training days; counted, never silent."""
    wd = weekday_index(dates)
    keys = [d.strftime("%Y-%m-%d") for d in dates]
    hol = np.array([k in holidays for k in keys], bool)
    missing = ~np.isfinite(matrix)
    full_gap = missing.all(axis=1)
    typical = _same_weekday_mean(matrix, wd, ~hol)
    filled = np.where(missing, typical[wd], matrix)
    clean = filled.copy()
    clean[hol] = typical[wd[hol]]
    return Training(dates=dates, filled=filled, clean=clean, ordinary=~hol & ~full_gap,
                    imputed=int(missing.sum()))


def _recent(days_wd: np.ndarray, use: np.ndarray, w: int, weeks: int) -> np.ndarray:
    idx = np.flatnonzero((days_wd == w) & use)
    return idx[-weeks:]


def profiles(m: np.ndarray, dates, use: np.ndarray, weeks: int) -> np.ndarray:
    """Share of the day per interval by weekday: mean over the last ``weeks`` usable days
    of that weekday. A weekday whose recent days had no call at all is closed (zeros); one
    without a usable day takes the mean profile of the others."""
    wd = weekday_index(dates)
    out = np.zeros((7, m.shape[1]))
    known = np.zeros(7, bool)
    for w in range(7):
        rows = m[_recent(wd, use, w, weeks)]
        known[w] = len(rows) > 0
        tot = rows.sum(axis=1)
        rows = rows[tot > 0] / tot[tot > 0, None]
        if len(rows):
            out[w] = rows.mean(axis=0)
    fallback = out[known & (out.sum(axis=1) > 0)]
    out[~known] = fallback.mean(axis=0) if len(fallback) else 1.0 / m.shape[1]
    return out


def kappa(m: np.ndarray, dates, use: np.ndarray, weeks: int, factor: int = 1) -> float:
    """Interval-level extra dispersion κ at ``factor`` × the native interval: given the day's
    total D and profile p, E[(y − Dp)²] ≈ Dp + κ (Dp)² (method of moments)."""
    agg = aggregate(m, factor)
    prof = profiles(agg, dates, use, weeks)
    wd = weekday_index(dates)
    num = den = 0.0
    for w in range(7):
        rows = agg[_recent(wd, use, w, weeks)]
        e = rows.sum(axis=1, keepdims=True) * prof[w]
        num += float((((rows - e) ** 2) - e).sum())
        den += float((e ** 2).sum())
    return max(num / den, 0.0) if den > 0 else 0.0


def aggregate(m: np.ndarray, factor: int) -> np.ndarray:
    """Sum ``factor`` consecutive intervals (coarser resolution)."""
    if factor == 1:
        return m
    return m.reshape(m.shape[0], m.shape[1] // factor, factor).sum(axis=2)


def fit_forecast(train: Training, targets, model: str, holidays: dict[str, Holiday],
                 weeks: int = 8) -> Forecast:
    """Forecast the consecutive ``targets`` days (after the training days) with ``model``."""
    n_t = len(targets)
    t_wd = weekday_index(targets)
    keys = [d.strftime("%Y-%m-%d") for d in targets]
    like = [holidays[k].like if k in holidays else None for k in keys]
    wd = weekday_index(train.dates)
    use = train.ordinary
    k = kappa(train.clean, train.dates, use, weeks)
    if model == "seasonal_naive":
        last = {w: int(np.flatnonzero(wd == w)[-1]) for w in range(7)}
        mean = np.stack([train.filled[last[w]] for w in t_wd])
        return Forecast(model, targets, mean, _naive_sd(train, use, n_t), k, like)
    if model == "historical_average":
        ha = _same_weekday_mean_recent(train.filled, wd, np.ones(len(wd), bool), weeks)
        mean = ha[t_wd]
        return Forecast(model, targets, mean, _naive_sd(train, use, n_t), k, like)
    if model != "ets":
        raise ValueError(f"--model {model!r}: allowed: {', '.join(MODELS)}")
    mu, sd = _ets_daily(train, n_t)
    prof = profiles(train.clean, train.dates, use, weeks)
    level = _same_weekday_mean_recent(train.clean.sum(axis=1, keepdims=True), wd, use,
                                      weeks)[:, 0]
    mean = np.empty((n_t, train.clean.shape[1]))
    median = mu.copy()
    for i in range(n_t):
        w = t_wd[i]
        if like[i] is not None:
            w_like = WEEKDAYS.index(like[i])
            median[i] += np.log1p(level[w_like]) - np.log1p(level[w])
            w = w_like
        total = np.expm1(median[i] + sd[i] ** 2 / 2)  # mean of the lognormal, count scale
        mean[i] = max(total, 0.0) * prof[w]
    special = np.array([k in holidays for k in keys])
    if special.any():  # a table day's level is less certain than an ordinary day's
        sd = np.sqrt(sd ** 2 + special * holiday_sd(train, holidays, weeks) ** 2)
    return Forecast(model, targets, mean, sd, k, like, day_log_median=median)


HOLIDAY_SD_PRIOR = 0.5  # log-scale error of a table day's level before three have been seen


def holiday_sd(train: Training, holidays: dict[str, Holiday], weeks: int) -> float:
    """How far table days in the training history fell from what the table predicts (their
    ``like`` weekday's level, or their own weekday's for ``like: null``), as the RMS error of
    log1p(day total); the prior until three such days have been seen."""
    wd = weekday_index(train.dates)
    totals = train.clean.sum(axis=1)
    actual = train.filled.sum(axis=1)
    errors = []
    for j, day in enumerate(train.dates):
        hol = holidays.get(f"{day:%Y-%m-%d}")
        if hol is None:
            continue
        w = WEEKDAYS.index(hol.like) if hol.like else wd[j]
        before = np.flatnonzero((wd[:j] == w) & train.ordinary[:j])[-weeks:]
        if len(before):
            errors.append(np.log1p(actual[j]) - np.log1p(totals[before].mean()))
    if len(errors) < 3:
        return HOLIDAY_SD_PRIOR
    return float(np.sqrt(np.mean(np.square(errors))))


def _same_weekday_mean_recent(m: np.ndarray, wd: np.ndarray, use: np.ndarray, weeks: int
                              ) -> np.ndarray:
    out = np.zeros((7, m.shape[1]))
    for w in range(7):
        idx = _recent(wd, use, w, weeks)
        if len(idx):
            out[w] = m[idx].mean(axis=0)
    return out


def _naive_sd(train: Training, use: np.ndarray, n: int) -> np.ndarray:
    """A baseline's day-level sd (log scale): the spread of log1p(total) week on week."""
    tot = np.log1p(train.filled.sum(axis=1))
    diff = tot[7:] - tot[:-7]
    ok = use[7:] & use[:-7]
    return np.full(n, float(np.std(diff[ok]) / np.sqrt(2)) if ok.sum() > 1 else 0.0)


def _ets_daily(train: Training, horizon: int) -> tuple[np.ndarray, np.ndarray]:
    """ETS(A,N,A) with a weekly season on log1p(daily totals): mean and sd on that scale
    for the next ``horizon`` days."""
    import warnings

    import pandas as pd
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    y = pd.Series(np.log1p(train.clean.sum(axis=1)),
                  index=pd.DatetimeIndex(train.dates, freq="D"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter; the backtest is the judge
        res = ETSModel(y, error="add", trend=None, seasonal="add",
                       seasonal_periods=7).fit(disp=False)
        pred = res.get_prediction(start=len(y), end=len(y) + horizon - 1)
    mu = np.asarray(pred.predicted_mean, float)
    sd = np.sqrt(np.asarray(pred.forecast_variance, float))
    return mu, sd
