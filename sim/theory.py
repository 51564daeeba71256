"""Exact queueing formulas: the yardsticks the simulator is validated against.

Erlang B (M/M/n/n), Erlang C (M/M/n), Erlang A (M/M/n+M, exponential patience) and
Cobham's non-preemptive priority waits for M/M/c. Everything is computed with stable
recursions or in log space, so 1000+ agents and offered loads of hundreds of Erlangs
neither overflow nor underflow. Units are the caller's: give rates per second and
times in seconds (or per minute and minutes) consistently.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from numbers import Integral, Real

import numpy as np

# Truncate the Erlang A chain once the bounded tail of sum (m + 1) * pi is below this
# fraction of the total mass: far below double precision for every reported quantity.
_TAIL_TOL = 1e-17
_DEFAULT_MAX_STATES = 20_000_000


# --------------------------------------------------------------------------- checks


def _check_agents(agents: object) -> int:
    if isinstance(agents, bool) or not isinstance(agents, Integral) or int(agents) < 1:
        raise ValueError(f"agents must be a positive integer, got {agents!r}")
    return int(agents)


def _check_real(name: str, value: object, *, positive: bool, allow_inf: bool = False) -> float:
    ok = isinstance(value, Real) and not isinstance(value, bool) and not math.isnan(value)
    if ok:
        x = float(value)  # type: ignore[arg-type]  # a Real (checked above)
        ok = (x > 0 if positive else x >= 0) and (allow_inf or math.isfinite(x))
    if not ok:
        what = "positive" if positive else "non-negative"
        what += " number (math.inf allowed)" if allow_inf else " finite number"
        raise ValueError(f"{name} must be a {what}, got {value!r}")
    return x


def _check_t(t: object) -> float:
    return _check_real("t", t, positive=False, allow_inf=True)


# --------------------------------------------------------------------------- Erlang B


def erlang_b(load: float, agents: int) -> float:
    """Blocking probability of M/M/n/n (lost calls), offered ``load`` in Erlangs.

    Uses B(k) = a B(k-1) / (k + a B(k-1)), which stays in [0, 1] at every step and so
    cannot overflow, unlike the factorial formula.
    """
    a = _check_real("load", load, positive=False)
    n = _check_agents(agents)
    b = 1.0
    for k in range(1, n + 1):
        ab = a * b
        b = ab / (k + ab)
    return b


# --------------------------------------------------------------------------- Erlang C


@dataclass(frozen=True)
class ErlangC:
    """Steady state of M/M/n with FCFS and infinite patience.

    ``p_wait``: probability an arrival waits (all agents busy, by PASTA).
    ``asa``: mean wait in queue over all callers (waiters and non-waiters).
    ``occupancy``: load / agents, the fraction of agent time spent talking.
    ``mean_queue_length``: mean number waiting (= arrival_rate * asa, Little).
    """

    arrival_rate: float
    mean_service: float
    agents: int
    load: float
    p_wait: float
    asa: float
    occupancy: float
    mean_queue_length: float

    def service_level(self, t: float) -> float:
        """P(wait <= t) = 1 - p_wait * exp(-(n mu - lambda) t): waits are Exp given > 0."""
        t = _check_t(t)
        drain = self.agents / self.mean_service - self.arrival_rate
        return 1.0 - self.p_wait * math.exp(-drain * t)


def erlang_c(arrival_rate: float, mean_service: float, agents: int) -> ErlangC:
    """Erlang C delay formula for M/M/n; needs load = lambda * mean_service < agents.

    C = n B / (n - a (1 - B)) with B from :func:`erlang_b`, which is stable where the
    textbook sum of a^k / k! is not.
    """
    lam = _check_real("arrival_rate", arrival_rate, positive=True)
    es = _check_real("mean_service", mean_service, positive=True)
    n = _check_agents(agents)
    a = lam * es
    if a >= n:
        raise ValueError(
            f"load (arrival_rate * mean_service = {a:g}) must be < agents ({n}) for Erlang C"
        )
    b = erlang_b(a, n)
    c = n * b / (n - a * (1.0 - b))
    asa = c / (n / es - lam)
    return ErlangC(
        arrival_rate=lam,
        mean_service=es,
        agents=n,
        load=a,
        p_wait=c,
        asa=asa,
        occupancy=a / n,
        mean_queue_length=lam * asa,
    )


# --------------------------------------------------------------------------- Erlang A


@dataclass(frozen=True)
class ErlangA:
    """Steady state of M/M/n+M (Erlang A): FCFS, exponential patience, abandonment.

    All averages are per arrival (PASTA) unless named otherwise.

    ``p_wait``: P(an arrival finds all agents busy) = P(state >= n).
    ``p_abandon``: P(an arrival hangs up before service) = theta * E[queue] / lambda.
    ``mean_wait``: mean time in queue over ALL arrivals, including the unqueued ones and
    the abandoners (their time until hanging up) = E[queue] / lambda (Little). This is the
    figure usually quoted as "ASA" for Erlang A (e.g. 3.7 s in the classic 50-agent case).
    ``mean_wait_answered``: mean wait of the callers who get served (zero waits included).
    ``mean_wait_abandoned``: mean time to hang up of the callers who abandon (nan if none).
    ``occupancy``: lambda (1 - p_abandon) mean_service / n, agent utilisation.
    ``mean_queue_length``: mean number waiting.
    """

    arrival_rate: float
    mean_service: float
    mean_patience: float
    agents: int
    p_wait: float
    p_abandon: float
    mean_wait: float
    mean_wait_answered: float
    mean_wait_abandoned: float
    occupancy: float
    mean_queue_length: float
    # pi_{n+m}, m = 0..M: who is ahead of an arrival that must wait (truncated chain).
    _queue_probs: np.ndarray = field(repr=False, compare=False)
    # P(state < n), kept apart from 1 - p_wait to avoid cancellation when it is tiny.
    _p_no_wait: float = field(repr=False, compare=False)

    def service_level(self, t: float) -> float:
        """P(served AND wait <= t) over all arrivals: the SL figure with abandons counted.

        An arrival with m callers ahead leaves the queue to service at the end of a phase
        chain with rates n mu + j theta (j = m..0) while its own Exp(theta) patience runs.
        -log(X)/theta with X ~ Beta(n mu / theta, m + 1) has exactly that hypoexponential
        law, so P(V <= t, V <= patience) = E[X; X >= e^{-theta t}], which is
        n mu / (n mu + (m+1) theta) * I_{1 - e^{-theta t}}(m + 1, n mu / theta + 1).
        Without abandonment (theta = 0) V is Erlang(m + 1, n mu).
        """
        from scipy import special

        t = _check_t(t)
        q = self._queue_probs
        m1 = np.arange(1, q.size + 1, dtype=float)  # m + 1
        nmu = self.agents / self.mean_service
        theta = 1.0 / self.mean_patience
        if theta == 0.0:
            served = special.gammainc(m1, nmu * t) if t > 0 else np.zeros_like(m1)
        else:
            x = -math.expm1(-theta * t)
            served = nmu / (nmu + m1 * theta) * special.betainc(m1, nmu / theta + 1.0, x)
        return min(1.0, self._p_no_wait + float(np.dot(q, served)))


def _queue_log_probs(log_lam: float, nmu: float, theta: float, size: int) -> np.ndarray:
    """log(pi_{n+m} / pi_n) for m = 0..size-1: products of lambda / (n mu + i theta)."""
    i = np.arange(1, size, dtype=float)
    steps = log_lam - np.log(nmu + i * theta)
    return np.concatenate(([0.0], np.cumsum(steps)))


def erlang_a(
    arrival_rate: float,
    mean_service: float,
    mean_patience: float,
    agents: int,
    *,
    max_states: int | None = None,
) -> ErlangA:
    """Erlang A (M/M/n+M) solved exactly on its birth-death chain.

    Births at rate lambda; deaths at k mu for k <= n and n mu + (k - n) theta above, with
    theta = 1 / mean_patience. The chain is built in log space and truncated where the
    geometric bound on the remaining tail is below 1e-17 of the mass, so the results are
    exact to double precision. Any load is stable when theta > 0; ``mean_patience=math.inf``
    gives Erlang C and then needs load < agents. ``max_states`` caps the queue states kept
    (default 2e7); a ValueError is raised if the tail is not yet negligible there.
    """
    from scipy import special

    lam = _check_real("arrival_rate", arrival_rate, positive=True)
    es = _check_real("mean_service", mean_service, positive=True)
    patience = _check_real("mean_patience", mean_patience, positive=True, allow_inf=True)
    n = _check_agents(agents)
    if max_states is None:
        cap = _DEFAULT_MAX_STATES
    elif isinstance(max_states, bool) or not isinstance(max_states, Integral) or max_states < 1:
        raise ValueError(f"max_states must be a positive integer or None, got {max_states!r}")
    else:
        cap = int(max_states)
    mu = 1.0 / es
    theta = 1.0 / patience
    nmu = n * mu
    a = lam * es
    if theta == 0.0 and a >= n:
        raise ValueError(
            f"load (arrival_rate * mean_service = {a:g}) must be < agents ({n}) "
            "when mean_patience is infinite"
        )

    # States 0..n-1 relative to state 0: a^k / k!.
    k = np.arange(n, dtype=float)
    log_a = math.log(a)
    log_low = k * log_a - special.gammaln(k + 1.0)
    log_pin = n * log_a - math.lgamma(n + 1.0)

    # Queue states n+m, m = 0..M-1, grown until the tail bound is negligible.
    log_lam = math.log(lam)
    size = max(64, min(cap, int(max(0.0, (lam - nmu) / theta if theta else 0.0)) + 64))
    while True:
        log_q = _queue_log_probs(log_lam, nmu, theta, size)
        r = lam / (nmu + size * theta)  # bounds every later birth/death ratio
        if r < 1.0:
            # sum_{m >= size} (m + 1) pi_m <= pi_{size-1} [size r/(1-r) + r/(1-r)^2]
            tail = math.log(size * r / (1 - r) + r / (1 - r) ** 2) + log_q[-1] + log_pin
            log_total = float(
                np.logaddexp(special.logsumexp(log_low), log_pin + special.logsumexp(log_q))
            )
            if tail - log_total < math.log(_TAIL_TOL):
                break
        if size >= cap:
            raise ValueError(
                f"max_states ({cap}) is too small to truncate the Erlang A chain; raise it"
            )
        size = min(cap, 2 * size)

    low = np.exp(log_low - log_total)
    q = np.exp(log_q + log_pin - log_total)
    norm = float(low.sum() + q.sum())  # renormalise: removes exp/log rounding of the total
    q /= norm
    p_no_wait = float(low.sum()) / norm
    m = np.arange(q.size, dtype=float)
    m1 = m + 1.0
    p_wait = float(q.sum())
    lq = float(np.dot(m, q))
    p_abandon = theta * lq / lam

    # Per arrival with m ahead (phase rates n mu + j theta, j = m..0, plus own patience):
    #   P(served) = n mu / D, D = n mu + (m+1) theta;
    #   E[W; served] = n mu / D * sum_{j=1}^{m+1} 1 / (n mu + j theta);
    #   E[W; abandon] = theta / D * sum_{j=1}^{m+1} j / (n mu + j theta).
    j = m1
    denom = nmu + m1 * theta
    w_served = nmu / denom * np.cumsum(1.0 / (nmu + j * theta))
    w_aband_over_theta = np.cumsum(j / (nmu + j * theta)) / denom
    p_served = 1.0 - p_abandon
    mean_wait_answered = float(np.dot(q, w_served)) / p_served if p_served > 0 else math.nan
    # Ratio taken with theta cancelled, so it stays finite as theta -> 0.
    ab_weight = float(np.dot(q, m1 / denom))
    mean_wait_abandoned = (
        float(np.dot(q, w_aband_over_theta)) / ab_weight if ab_weight > 0 else math.nan
    )
    return ErlangA(
        arrival_rate=lam,
        mean_service=es,
        mean_patience=patience,
        agents=n,
        p_wait=p_wait,
        p_abandon=p_abandon,
        mean_wait=lq / lam,
        mean_wait_answered=mean_wait_answered,
        mean_wait_abandoned=mean_wait_abandoned,
        occupancy=lam * p_served * es / n,
        mean_queue_length=lq,
        _queue_probs=q,
        _p_no_wait=p_no_wait,
    )


# --------------------------------------------------------------------------- priority


def cobham_priority_waits(
    arrival_rates: Sequence[float], mean_service: float, agents: int
) -> list[float]:
    """Mean queue wait per class in M/M/c with non-preemptive priority (index 0 first).

    Cobham: W_k = C / (c mu) / ((1 - sigma_{k-1}) (1 - sigma_k)), sigma_k the load share
    (per agent) of classes 0..k, C the Erlang C wait probability of the total load. Valid
    because all classes share one exponential service rate, so the agent-freeing process
    is the FCFS one; the lambda-weighted mean of the W_k is the FCFS Erlang C ASA.
    """
    rates = list(arrival_rates)
    if not rates:
        raise ValueError("arrival_rates must be a non-empty sequence of non-negative numbers")
    rates = [_check_real(f"arrival_rates[{i}]", x, positive=False) for i, x in enumerate(rates)]
    es = _check_real("mean_service", mean_service, positive=True)
    n = _check_agents(agents)
    total = sum(rates)
    if total <= 0:
        raise ValueError("arrival_rates must have a positive sum")
    if total * es >= n:
        raise ValueError(
            f"total load (sum(arrival_rates) * mean_service = {total * es:g}) "
            f"must be < agents ({n})"
        )
    c = erlang_c(total, es, n).p_wait
    cmu = n / es
    w0 = c / cmu
    waits: list[float] = []
    sigma_prev = 0.0
    for lam in rates:
        sigma = sigma_prev + lam / cmu
        waits.append(w0 / ((1.0 - sigma_prev) * (1.0 - sigma)))
        sigma_prev = sigma
    return waits
