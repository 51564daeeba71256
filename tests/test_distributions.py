"""Distributions: analytic mean/variance agree with samples; config parsing rejects junk."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from sim.errors import ConfigError
from sim.model.distributions import DISTRIBUTIONS, Never, parse_distribution
from sim.sampling import stream_key, uniforms

SPECS = [
    {"dist": "exponential", "mean": 180},
    {"dist": "lognormal", "mean": 200, "sd": 150},
    {"dist": "gamma", "mean": 100, "sd": 40},
    {"dist": "uniform", "low": 10, "high": 30},
    {"dist": "empirical", "values": [3, 5, 5, 9, 40]},
    {"dist": "deterministic", "value": 12},
]


@pytest.mark.parametrize("spec", SPECS, ids=[s["dist"] for s in SPECS])
def test_sample_mean_and_variance_match_analytic_values(spec):
    d = parse_distribution("x", spec)
    n = 200_000
    x = d.ppf(uniforms(stream_key(11, "dist", spec["dist"]), np.arange(n)))
    if d.var == 0:
        assert np.all(x == d.mean)
        return
    # 99.9% normal interval for the mean; for the variance, the CLT on (x - mean)^2
    z = stats.norm.ppf(0.9995)
    assert abs(x.mean() - d.mean) < z * math.sqrt(d.var / n)
    sq = (x - d.mean) ** 2
    assert abs(sq.mean() - d.var) < z * sq.std() / math.sqrt(n)


def test_inverse_cdf_is_monotone_so_groups_share_quantiles():
    u = np.linspace(0.001, 0.999, 999)
    for spec in SPECS[:5]:
        assert np.all(np.diff(parse_distribution("x", spec).ppf(u)) >= 0)


def test_lognormal_and_gamma_are_the_named_laws():
    u = uniforms(stream_key(2, "ks"), np.arange(5000))
    ln = parse_distribution("x", {"dist": "lognormal", "mean": 200, "sd": 150})
    assert stats.kstest(ln.ppf(u), stats.lognorm(ln.sigma, scale=math.exp(ln.mu)).cdf
                        ).pvalue > 0.001
    g = parse_distribution("x", {"dist": "gamma", "mean": 100, "sd": 40})
    assert stats.kstest(g.ppf(u), stats.gamma(g.shape, scale=100 / g.shape).cdf).pvalue > 0.001


def test_shorthands():
    assert isinstance(parse_distribution("x", None), Never)
    assert parse_distribution("x", 7).mean == 7
    assert parse_distribution("x", {"dist": "none"}).mean == math.inf


@pytest.mark.parametrize("spec,key", [
    ({"dist": "weibul", "mean": 3}, "p.dist"),
    ({"dist": "exponential"}, "p.mean"),
    ({"dist": "exponential", "mean": -1}, "p.mean"),
    ({"dist": "exponential", "mean": 0}, "p.mean"),
    ({"dist": "exponential", "mean": 5, "sd": 2}, "p.sd"),
    ({"dist": "lognormal", "mean": 5, "sd": 0}, "p.sd"),
    ({"dist": "uniform", "low": 5, "high": 2}, "p.high"),
    ({"dist": "empirical", "values": []}, "p.values"),
    ({"dist": "gamma", "mean": "ten", "sd": 1}, "p.mean"),
    ("fast", "p"),
    (-4, "p"),
])
def test_bad_distribution_specs_name_the_key(spec, key):
    with pytest.raises(ConfigError) as err:
        parse_distribution("p", spec)
    assert err.value.key == key
    assert "\n" not in str(err.value)


def test_unknown_distribution_lists_the_allowed_ones():
    with pytest.raises(ConfigError) as err:
        parse_distribution("p", {"dist": "weibul"})
    assert all(name in str(err.value) for name in DISTRIBUTIONS)
