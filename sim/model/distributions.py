"""Time distributions that know their analytic mean and variance (after Ciw).

Every distribution samples by inverse CDF from keyed uniforms (``sim.sampling``): the
same uniform gives the same quantile under every (class, group) distribution, so a
call's handle time under two groups or two policies is comonotone — the strongest form
of common random numbers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from statistics import NormalDist
from typing import Any

import numpy as np

from sim.errors import ConfigError


class Distribution:
    """Base class: ``ppf`` maps uniforms in (0, 1) to times in seconds."""

    name: str = "base"

    @property
    def mean(self) -> float:
        raise NotImplementedError

    @property
    def var(self) -> float:
        raise NotImplementedError

    @property
    def scv(self) -> float:
        """Squared coefficient of variation, the shape parameter of most queueing approximations."""
        return self.var / self.mean**2 if self.mean > 0 else 0.0

    def ppf(self, u: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    # ppf(u) is scaled(standard(u)): the first step holds no parameter, so the laws of one
    # family that read the same uniforms (a call's handle time under each group) share it
    def standard(self, u: np.ndarray) -> np.ndarray:
        return u

    def scaled(self, z: np.ndarray) -> np.ndarray:
        return self.ppf(z)

    def sample1(self, u: float) -> float:
        """One variate from one uniform, in plain Python (for draws inside the event loop)."""
        return float(self.ppf(np.array([u]))[0])


@dataclass(frozen=True)
class Exponential(Distribution):
    mean_s: float
    name = "exponential"

    @property
    def mean(self) -> float:
        return self.mean_s

    @property
    def var(self) -> float:
        return self.mean_s**2

    def ppf(self, u: np.ndarray) -> np.ndarray:
        return self.scaled(self.standard(u))

    def standard(self, u: np.ndarray) -> np.ndarray:
        z = np.negative(u)  # log1p(-u), its temporary reused (u may be shared)
        return np.log1p(z, out=z)

    def scaled(self, z: np.ndarray) -> np.ndarray:
        return -self.mean_s * z

    def sample1(self, u: float) -> float:
        return -self.mean_s * math.log1p(-u)


@dataclass(frozen=True)
class Deterministic(Distribution):
    value: float
    name = "deterministic"

    @property
    def mean(self) -> float:
        return self.value

    @property
    def var(self) -> float:
        return 0.0

    def ppf(self, u: np.ndarray) -> np.ndarray:
        return np.full(np.shape(u), self.value, dtype=np.float64)

    def sample1(self, u: float) -> float:
        return self.value


@dataclass(frozen=True)
class Uniform(Distribution):
    low: float
    high: float
    name = "uniform"

    @property
    def mean(self) -> float:
        return (self.low + self.high) / 2

    @property
    def var(self) -> float:
        return (self.high - self.low) ** 2 / 12

    def ppf(self, u: np.ndarray) -> np.ndarray:
        return self.low + (self.high - self.low) * u

    def sample1(self, u: float) -> float:
        return self.low + (self.high - self.low) * u


@dataclass(frozen=True)
class Lognormal(Distribution):
    """Parameterised by its mean and standard deviation in seconds, as managers quote them."""

    mean_s: float
    sd_s: float
    name = "lognormal"

    # cached: sample1 runs once per IVR node visit and handle time (millions per run)
    @cached_property
    def sigma(self) -> float:
        return math.sqrt(math.log1p((self.sd_s / self.mean_s) ** 2))

    @cached_property
    def mu(self) -> float:
        return math.log(self.mean_s) - self.sigma**2 / 2

    @property
    def mean(self) -> float:
        return self.mean_s

    @property
    def var(self) -> float:
        return self.sd_s**2

    def ppf(self, u: np.ndarray) -> np.ndarray:
        return self.scaled(self.standard(u))

    def standard(self, u: np.ndarray) -> np.ndarray:
        from scipy.special import ndtri

        return ndtri(u)

    def scaled(self, z: np.ndarray) -> np.ndarray:
        return np.exp(self.mu + self.sigma * z)

    def sample1(self, u: float) -> float:
        # statistics.NormalDist().inv_cdf(u), the same float
        return math.exp(self.mu + self.sigma * _normal_dist_inv_cdf(u, 0.0, 1.0))


@dataclass(frozen=True)
class Gamma(Distribution):
    """Parameterised by mean and standard deviation (shape = (mean/sd)^2)."""

    mean_s: float
    sd_s: float
    name = "gamma"

    @property
    def shape(self) -> float:
        return (self.mean_s / self.sd_s) ** 2

    @property
    def mean(self) -> float:
        return self.mean_s

    @property
    def var(self) -> float:
        return self.sd_s**2

    def ppf(self, u: np.ndarray) -> np.ndarray:
        from scipy.special import gammaincinv

        return gammaincinv(self.shape, u) * (self.mean_s / self.shape)


@dataclass(frozen=True)
class Empirical(Distribution):
    """Resamples observed values: the inverse of their empirical CDF."""

    values: tuple[float, ...] = field(repr=False)
    name = "empirical"

    @property
    def mean(self) -> float:
        return float(np.mean(self.values))

    @property
    def var(self) -> float:
        return float(np.var(self.values))

    def ppf(self, u: np.ndarray) -> np.ndarray:
        data = np.sort(np.asarray(self.values, dtype=np.float64))
        idx = np.minimum((np.asarray(u) * len(data)).astype(np.int64), len(data) - 1)
        return data[idx]


@dataclass(frozen=True)
class Never(Distribution):
    """Infinite time: a caller who never abandons."""

    name = "none"

    @property
    def mean(self) -> float:
        return math.inf

    @property
    def var(self) -> float:
        return math.inf

    def ppf(self, u: np.ndarray) -> np.ndarray:
        return np.full(np.shape(u), np.inf)

    def sample1(self, u: float) -> float:
        return math.inf


try:  # the C function NormalDist.inv_cdf calls (CPython's statistics): same float, no
    # method and range-check overhead; u is in (0, 1) by construction
    from statistics import _normal_dist_inv_cdf  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - another Python: the public method
    def _normal_dist_inv_cdf(p: float, mu: float, sigma: float) -> float:
        return NormalDist(mu, sigma).inv_cdf(p)


_PARAMS: dict[str, tuple[type[Distribution], tuple[str, ...]]] = {
    "exponential": (Exponential, ("mean",)),
    "deterministic": (Deterministic, ("value",)),
    "uniform": (Uniform, ("low", "high")),
    "lognormal": (Lognormal, ("mean", "sd")),
    "gamma": (Gamma, ("mean", "sd")),
    "empirical": (Empirical, ("values",)),
    "none": (Never, ()),
}
DISTRIBUTIONS = tuple(_PARAMS)


def _number(key: str, value: Any, *, positive: bool) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(key, f"must be a number, got {value!r}")
    x = float(value)
    if not math.isfinite(x) or x < 0 or (positive and x == 0):
        allowed = "a finite number > 0" if positive else "a finite number >= 0"
        raise ConfigError(key, f"must be {allowed}, got {value!r}")
    return x


def parse_distribution(key: str, spec: Any) -> Distribution:
    """Build a distribution from config (``{dist: lognormal, mean: 200, sd: 120}``).

    A bare number means deterministic; ``None`` or ``{dist: none}`` means never.
    """
    if spec is None:
        return Never()
    if isinstance(spec, (int, float)) and not isinstance(spec, bool):
        return Deterministic(_number(key, spec, positive=False))
    if not isinstance(spec, Mapping):
        raise ConfigError(key, f"must be a distribution mapping like {{dist: exponential, "
                               f"mean: 180}}, got {spec!r}")
    name = spec.get("dist")
    if not isinstance(name, str) or name not in _PARAMS:
        raise ConfigError(f"{key}.dist", f"unknown distribution {name!r}; allowed: "
                                         f"{', '.join(DISTRIBUTIONS)}")
    cls, params = _PARAMS[name]
    extra = set(spec) - set(params) - {"dist"}
    missing = [p for p in params if p not in spec]
    if extra or missing:
        bad = sorted(extra)[0] if extra else missing[0]
        raise ConfigError(f"{key}.{bad}", f"{name} takes exactly: dist, {', '.join(params)}")
    if name == "empirical":
        values = spec["values"]
        if not isinstance(values, Sequence) or isinstance(values, str) or len(values) == 0:
            raise ConfigError(f"{key}.values", "must be a non-empty list of numbers")
        return Empirical(tuple(_number(f"{key}.values", v, positive=False) for v in values))
    args = [_number(f"{key}.{p}", spec[p], positive=p in ("mean",)) for p in params]
    if name in ("lognormal", "gamma") and args[1] == 0:
        raise ConfigError(f"{key}.sd", f"must be > 0 for {name} (use deterministic for sd 0)")
    if name == "uniform" and args[1] < args[0]:
        raise ConfigError(f"{key}.high", "must be >= low")
    return cls(*args)
