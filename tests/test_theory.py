"""Checks of the exact queueing formulas against published numbers and brute force."""

import math

import numpy as np
import pytest
from scipy import linalg

from sim.theory import cobham_priority_waits, erlang_a, erlang_b, erlang_c

# ----------------------------------------------------------------- published figures


def test_erlang_c_published_example():
    # 100 calls per half hour, AHT 180 s, 14 agents (the standard Erlang C worked example).
    r = erlang_c(100 / 1800, 180, 14)
    assert round(r.p_wait, 4) == 0.1741
    assert round(r.service_level(20), 4) == 0.8884
    assert round(r.asa, 2) == 7.84
    assert round(r.occupancy, 3) == 0.714
    assert r.mean_queue_length == pytest.approx(100 / 1800 * r.asa)


def test_erlang_a_published_example():
    # 50 agents, 48 calls/min, 1 min service, 2 min mean patience (rates per minute).
    r = erlang_a(48, 1, 2, 50)
    assert round(r.p_abandon, 3) == 0.031
    assert round(r.mean_wait * 60, 1) == 3.7  # mean wait over ALL arrivals, in seconds
    assert round(r.occupancy, 2) == 0.93
    # Little + exponential patience: P(abandon) = theta * E[wait over all arrivals].
    assert r.p_abandon == pytest.approx(r.mean_wait / 2, rel=1e-12)


def test_erlang_b_known_values():
    assert erlang_b(10, 10) == pytest.approx(0.2146, abs=5e-5)
    assert erlang_b(1, 1) == pytest.approx(0.5)
    assert erlang_b(2, 2) == pytest.approx(0.4)
    assert erlang_b(0, 3) == 0.0
    # Direct formula a^n/n! / sum a^k/k! where it cannot overflow.
    a, n = 17.3, 25
    terms = [a**k / math.factorial(k) for k in range(n + 1)]
    assert erlang_b(a, n) == pytest.approx(terms[-1] / math.fsum(terms), rel=1e-13)


# ----------------------------------------------------------------- Erlang A internals


def test_erlang_a_tends_to_erlang_c():
    c = erlang_c(100 / 1800, 180, 14)
    for patience, rel in ((math.inf, 1e-12), (1e12, 1e-8)):
        a = erlang_a(100 / 1800, 180, patience, 14)
        assert a.p_wait == pytest.approx(c.p_wait, rel=rel)
        assert a.mean_wait == pytest.approx(c.asa, rel=rel)
        assert a.mean_wait_answered == pytest.approx(c.asa, rel=rel)
        assert a.mean_queue_length == pytest.approx(c.mean_queue_length, rel=rel)
        assert a.occupancy == pytest.approx(c.occupancy, rel=rel)
        assert a.p_abandon == pytest.approx(0.0, abs=1e-9)
        for t in (0.0, 5.0, 20.0, 60.0):
            assert a.service_level(t) == pytest.approx(c.service_level(t), rel=rel)


def test_erlang_a_service_level_shape():
    r = erlang_a(48, 1, 2, 50)
    assert r.service_level(0) == pytest.approx(1 - r.p_wait, rel=1e-12)
    sl = np.array([r.service_level(float(t)) for t in np.linspace(0, 1, 21)])
    assert np.all(np.diff(sl) > 0)  # strictly rising while it is far from its limit
    sl = np.array([r.service_level(float(t)) for t in np.linspace(0, 20, 201)])
    assert np.all(np.diff(sl) >= 0)
    assert r.service_level(1e3) == pytest.approx(1 - r.p_abandon, rel=1e-12)
    assert r.service_level(math.inf) == pytest.approx(1 - r.p_abandon, rel=1e-12)
    # Served + abandoned split the total mean wait.
    mixed = (1 - r.p_abandon) * r.mean_wait_answered + r.p_abandon * r.mean_wait_abandoned
    assert mixed == pytest.approx(r.mean_wait, rel=1e-12)


def _brute_force_erlang_a(lam, mu, theta, n, t, size=120):
    """Stationary law from the dense truncated generator, waits from phase-type algebra."""
    rates_down = [min(k, n) * mu + max(k - n, 0) * theta for k in range(size)]
    q = np.zeros((size, size))
    for k in range(size - 1):
        q[k, k + 1] = lam
        q[k + 1, k] = rates_down[k + 1]
    q -= np.diag(q.sum(axis=1))
    a = np.vstack([q.T, np.ones(size)])
    b = np.zeros(size + 1)
    b[-1] = 1.0
    pi = np.linalg.lstsq(a, b, rcond=None)[0]
    ks = np.arange(size)
    lq = float(np.dot(np.maximum(ks - n, 0), pi))
    busy = float(np.dot(np.minimum(ks, n), pi))

    # Tagged arrival with m ahead: transient phases m..0, exit to "served" from phase 0,
    # killed at rate theta from every phase.
    sl, w_served, p_served = float(pi[:n].sum()), 0.0, float(pi[:n].sum())
    for m in range(size - n):
        p = m + 1
        tmat = np.zeros((p, p))  # index i = phase m - i
        for i in range(p):
            j = m - i
            tmat[i, i] = -(n * mu + j * theta + theta)
            if i + 1 < p:
                tmat[i, i + 1] = n * mu + j * theta
        exit_served = np.zeros(p)
        exit_served[-1] = n * mu
        start = np.zeros(p)
        start[0] = 1.0
        fund = np.linalg.inv(-tmat)
        pr = start @ fund @ exit_served
        p_served += pi[n + m] * pr
        w_served += pi[n + m] * (start @ fund @ fund @ exit_served)
        # P(served by t) = start (I - e^{Tt}) (-T)^{-1} exit_served
        sl += pi[n + m] * (start @ (np.eye(p) - linalg.expm(tmat * t)) @ fund @ exit_served)
    return {
        "p_wait": float(pi[n:].sum()),
        "lq": lq,
        "p_abandon": theta * lq / lam,
        "occupancy": busy / n,
        "p_served": p_served,
        "w_answered": w_served / p_served,
        "sl": sl,
    }


def test_erlang_a_brute_force_small_system():
    lam, mu, theta, n, t = 1.0, 0.7, 0.3, 2, 1.5
    ref = _brute_force_erlang_a(lam, mu, theta, n, t, size=60)
    r = erlang_a(lam, 1 / mu, 1 / theta, n)
    assert r.p_wait == pytest.approx(ref["p_wait"], rel=1e-10)
    assert r.mean_queue_length == pytest.approx(ref["lq"], rel=1e-10)
    assert r.p_abandon == pytest.approx(ref["p_abandon"], rel=1e-10)
    assert 1 - r.p_abandon == pytest.approx(ref["p_served"], rel=1e-10)
    assert r.occupancy == pytest.approx(ref["occupancy"], rel=1e-10)
    assert r.mean_wait_answered == pytest.approx(ref["w_answered"], rel=1e-9)
    assert r.service_level(t) == pytest.approx(ref["sl"], rel=1e-9)


def test_erlang_a_overloaded_is_stable():
    # Load 1.5x the agents: only abandonment keeps the queue finite.
    r = erlang_a(1500, 1, 10, 1000)
    assert r.p_wait == pytest.approx(1.0)
    assert r.p_abandon == pytest.approx(1 / 3, rel=1e-9)  # agents serve 1000 of 1500
    assert 0 <= r.service_level(0.1) <= r.service_level(100) <= 1


def test_scale_stability():
    assert 0 < erlang_b(980, 1000) < 1
    c = erlang_c(980, 1, 1000)
    assert 0 < c.p_wait < 1 and math.isfinite(c.asa)
    a_inf = erlang_a(980, 1, math.inf, 1000)
    assert a_inf.p_wait == pytest.approx(c.p_wait, rel=1e-10)
    assert a_inf.service_level(0.05) == pytest.approx(c.service_level(0.05), rel=1e-10)
    a = erlang_a(980, 1, 3, 1000)
    fields = (a.p_wait, a.p_abandon, a.mean_wait, a.mean_wait_answered, a.mean_wait_abandoned)
    assert all(math.isfinite(x) for x in fields)
    assert 0 < a.p_abandon < c.p_wait and a.mean_wait < c.asa
    assert 0 < erlang_c(480, 1, 500).p_wait < 1


# ----------------------------------------------------------------- Cobham priority


def test_cobham_single_class_is_erlang_c():
    (w,) = cobham_priority_waits([100 / 1800], 180, 14)
    assert w == pytest.approx(erlang_c(100 / 1800, 180, 14).asa, rel=1e-13)


def test_cobham_conservation_law():
    rates, es, n = [0.01, 0.03, 0.015, 0.02], 180, 16
    waits = cobham_priority_waits(rates, es, n)
    fcfs = erlang_c(sum(rates), es, n).asa
    assert np.dot(rates, waits) / sum(rates) == pytest.approx(fcfs, rel=1e-13)
    assert waits == sorted(waits)  # lower priority never waits less
    assert waits[0] < fcfs < waits[-1]


# ----------------------------------------------------------------- bad arguments


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: erlang_b(-1, 5), "load"),
        (lambda: erlang_b(1, 0), "agents"),
        (lambda: erlang_b(1, 2.5), "agents"),
        (lambda: erlang_b(1, True), "agents"),
        (lambda: erlang_c(0, 1, 3), "arrival_rate"),
        (lambda: erlang_c(1, math.nan, 3), "mean_service"),
        (lambda: erlang_c(3, 1, 3), "load"),
        (lambda: erlang_c(1, 1, 3).service_level(-1), "t"),
        (lambda: erlang_a(1, 1, 0, 3), "mean_patience"),
        (lambda: erlang_a(1, 1, -2, 3), "mean_patience"),
        (lambda: erlang_a(4, 1, math.inf, 3), "load"),
        (lambda: erlang_a(1, 1, 1, 3, max_states=0), "max_states"),
        (lambda: erlang_a(2.99, 1, math.inf, 3, max_states=100), "max_states"),
        (lambda: cobham_priority_waits([], 1, 3), "arrival_rates"),
        (lambda: cobham_priority_waits([1, -1], 1, 3), r"arrival_rates\[1\]"),
        (lambda: cobham_priority_waits([2, 1], 1, 3), "total load"),
    ],
)
def test_bad_arguments(call, match):
    with pytest.raises(ValueError, match=match):
        call()
