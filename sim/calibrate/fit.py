"""Distribution fits for calibration: complete samples (handle, IVR times) and censored
samples (patience), each choosing among the laws the simulator can sample.

Why these methods: a handle time is fully observed, so maximum likelihood with AIC picks
the law and the Kolmogorov–Smirnov distance is reported as the goodness of fit. Patience
is observed only for callers who abandoned; a served caller's wait is a lower bound of
his patience (right-censored). The mean of abandoners' waits is therefore biased low
(it keeps only the impatient); Kaplan–Meier and the censored likelihood use both.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

CANDIDATES = ("lognormal", "gamma", "exponential")  # laws sim.model.distributions samples
MIN_TIME_S = 0.5  # logged times are whole seconds: a 0 is "under one second"
MIN_AT_RISK = 30  # the censored GOF compares with Kaplan–Meier where it is reliable


@dataclass
class Fit:
    """One candidate law fitted to a sample."""

    law: str
    mean: float
    sd: float
    loglik: float
    n_params: int
    gof: float  # KS distance (complete data) or sup |S_fit - S_KM| (censored data, where
    # at least MIN_AT_RISK callers are still at risk)

    @property
    def aic(self) -> float:
        return 2 * self.n_params - 2 * self.loglik

    def spec(self) -> dict:
        """The simulator's config mapping for this law (``{dist: ..., mean: ...}``)."""
        if self.law == "exponential":
            return {"dist": "exponential", "mean": round(float(self.mean), 3)}
        if round(float(self.sd), 3) == 0:  # no spread at all (e.g. a constant IVR prompt)
            return {"dist": "deterministic", "value": round(float(self.mean), 3)}
        return {"dist": self.law, "mean": round(float(self.mean), 3),
                "sd": round(float(self.sd), 3)}


@dataclass
class FitReport:
    """All candidates, the chosen one (lowest AIC) and what the sample was."""

    n: int
    chosen: Fit
    candidates: list[Fit]
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"n": self.n, "chosen": self.chosen.law, "spec": self.chosen.spec(),
                "candidates": [{"law": f.law, "mean": f.mean, "sd": f.sd, "aic": f.aic,
                                "gof": f.gof} for f in self.candidates], **self.extra}


def _moments(law: str, p: tuple[float, ...]) -> tuple[float, float]:
    """Mean and sd of a scipy parameterisation (lognormal: sigma, scale; gamma: a, scale)."""
    if law == "lognormal":
        s, scale = p
        mean = scale * math.exp(s * s / 2)
        return mean, mean * math.sqrt(math.expm1(s * s))
    if law == "gamma":
        a, scale = p
        return a * scale, math.sqrt(a) * scale
    return p[0], p[0]


def _frozen(law: str, p: tuple[float, ...]):
    from scipy import stats

    if law == "lognormal":
        return stats.lognorm(p[0], scale=p[1])
    if law == "gamma":
        return stats.gamma(p[0], scale=p[1])
    return stats.expon(scale=p[0])


def fit_complete(x, candidates: tuple[str, ...] = CANDIDATES) -> FitReport:
    """Maximum-likelihood fits of positive, fully observed times; AIC chooses."""
    import numpy as np
    from scipy import stats

    x = np.asarray(x, dtype=float)
    x = x[np.isfinite(x) & (x > 0)]
    if len(x) < 2:
        raise ValueError("need at least 2 positive observations to fit a distribution")
    fits, failed = [], []
    for law in candidates:
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore", RuntimeWarning)
                p = _mle(law, x)
        except (ValueError, RuntimeError, FloatingPointError):
            failed.append(law)  # e.g. gamma on a sample of identical values
            continue
        dist = _frozen(law, p)
        ll = float(np.sum(dist.logpdf(x)))
        ks = float(stats.kstest(x, dist.cdf).statistic)
        mean, sd = _moments(law, p)
        if np.isfinite(ll) and np.isfinite(mean) and sd > 0:
            fits.append(Fit(law, float(mean), float(sd), ll, len(p), ks))
        else:
            failed.append(law)
    if not fits:
        raise ValueError(f"no law fits a sample of {len(x)} times "
                         f"(tried {', '.join(candidates)})")
    chosen = min(fits, key=lambda f: f.aic)
    return FitReport(len(x), chosen, fits, {"sample_mean": float(x.mean()),
                                             "sample_sd": float(x.std(ddof=1)),
                                             "failed": failed})


def _mle(law: str, x) -> tuple[float, ...]:
    from scipy import stats

    if law == "lognormal":
        s, _, scale = stats.lognorm.fit(x, floc=0)
        return (s, scale)
    if law == "gamma":
        a, _, scale = stats.gamma.fit(x, floc=0)
        return (a, scale)
    return (float(x.mean()),)


def kaplan_meier(t, event):
    """Kaplan–Meier survival: distinct event times and S(t) just after each.

    ``event`` is True for an observed time (abandoned), False for a censored one (served)."""
    import numpy as np

    t = np.asarray(t, dtype=float)
    e = np.asarray(event, dtype=bool)
    times = np.unique(t[e])
    at_risk = len(t) - np.searchsorted(np.sort(t), times, side="left")
    deaths = np.bincount(np.searchsorted(times, t[e]), minlength=len(times))
    surv = np.cumprod(1.0 - deaths / at_risk)
    return times, surv


def km_survival_at(times, surv, x):
    """S(x) of a Kaplan–Meier curve (right-continuous step function)."""
    import numpy as np

    idx = np.searchsorted(times, np.asarray(x, dtype=float), side="right") - 1
    return np.where(idx >= 0, surv[np.maximum(idx, 0)], 1.0)


def km_restricted_mean(times, surv, tau: float) -> float:
    """Area under the Kaplan–Meier curve up to ``tau`` (the mean when S(tau) = 0)."""
    import numpy as np

    grid = np.concatenate(([0.0], times[times < tau], [tau]))
    steps = np.concatenate(([1.0], surv[times < tau]))
    return float(np.sum(np.diff(grid) * steps))


def _censored_loglik(law: str, p, t, e) -> float:
    import numpy as np

    dist = _frozen(law, p)
    return float(np.sum(dist.logpdf(t[e])) + np.sum(dist.logsf(t[~e])))


def _censored_mle(law: str, t, e) -> tuple[float, ...]:
    """Censored maximum likelihood: events contribute f(t), censored times S(t)."""
    import numpy as np
    from scipy.optimize import minimize

    if law == "exponential":  # closed form: time at risk / events
        return (float(t.sum() / max(e.sum(), 1)),)
    mean0 = float(t.sum() / max(e.sum(), 1))
    x0 = np.array([0.0, math.log(mean0)]) if law == "gamma" else np.array(
        [0.0, math.log(mean0) - 0.5])

    def nll(z):
        p = (math.exp(z[0]), math.exp(z[1]))
        if law == "gamma":  # z[1] is log mean: scale = mean / a
            p = (p[0], p[1] / p[0])
        v = -_censored_loglik(law, p, t, e)
        return v if np.isfinite(v) else 1e300

    z = minimize(nll, x0, method="Nelder-Mead",
                 options={"xatol": 1e-6, "fatol": 1e-6, "maxiter": 4000}).x
    p = (math.exp(z[0]), math.exp(z[1]))
    return (p[0], p[1] / p[0]) if law == "gamma" else p


def fit_censored(t, event, candidates: tuple[str, ...] = CANDIDATES) -> FitReport:
    """Patience from waits: abandoned = observed patience, served = censored at the wait.

    Chooses by AIC among censored MLE fits; reports the Kaplan–Meier median and
    restricted mean, and the naive mean of abandoners' waits (biased low) for contrast."""
    import numpy as np

    t = np.maximum(np.asarray(t, dtype=float), MIN_TIME_S)
    e = np.asarray(event, dtype=bool)
    if e.sum() < 2:
        raise ValueError("need at least 2 abandonments to estimate patience")
    times, surv = kaplan_meier(t, e)
    reliable = (len(t) - np.searchsorted(np.sort(t), times)) >= MIN_AT_RISK
    fits = []
    for law in candidates:
        p = _censored_mle(law, t, e)
        mean, sd = _moments(law, p)
        diff = np.abs(_frozen(law, p).sf(times) - surv)[reliable]
        gap = float(diff.max()) if len(diff) else math.nan
        fits.append(Fit(law, float(mean), float(sd), _censored_loglik(law, p, t, e), len(p),
                        gap))
    chosen = min(fits, key=lambda f: f.aic)
    tau = float(t.max())
    below = surv <= 0.5
    extra = {"abandoned": int(e.sum()), "censored": int((~e).sum()),
             "naive_mean_of_abandon_times": float(t[e].mean()),
             "km_median": float(times[below][0]) if below.any() else None,
             "km_restricted_mean": km_restricted_mean(times, surv, tau),
             "km_tau": tau, "km_survival_at_tau": float(surv[-1])}
    return FitReport(len(t), chosen, fits, extra)


def law_mean(spec) -> float:
    """Mean of a distribution mapping of the scenario (0 for none)."""
    from sim.schema.distribution import parse

    return float(parse("handle_time", spec).mean) if spec is not None else 0.0
