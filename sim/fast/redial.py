"""Redials (``sim.model.redial.Redials``) as arrays and top-level Numba kernels.

A redial draws its patience, handle times, after-call work and answer delay inside the
loop, from a key derived from the previous attempt's (``derive_key(key, "redial",
attempt)``), with ``Distribution.sample1``: the kernels below repeat its float operations
as ``sim.fast.ivr.node_time`` does for node times (the lognormal through the same AS241
port, the gamma through scipy's own ``gammaincinv`` kernel).

Spec element (``sim.fast.loop.SP_REDIAL``): (ints, floats, law index by class, law
kinds, law parameters, sorted empirical values); the class laws are also filled when a
class switches its callers (``when_busy`` / ``when_free``: ``sim.fast.loop.switch_class``
draws the new class's variates with them). Law rows 0..2 are the redial delays
after an abandonment, a disconnection and an IVR hang-up; then each class's laws.
"""

from __future__ import annotations

import math
from typing import Any, cast

import numpy as np
from numba import njit

from sim.fast import ivr
from sim.fast.ivr import gammaincinv, law_params, std_normal_inv_cdf
from sim.fast.rng import derive
from sim.model.distributions import Distribution, Empirical
from sim.model.spec import ModelSpec
from sim.sampling import _part_code

# ints: redials on (scenario.redial), max_attempts, IVR hang-up law on
RD_ON, RD_MAX, RD_HANGUP = 0, 1, 2
N_RDI = 3
# floats: probability after an abandonment, a disconnection, an IVR hang-up; horizon
RD_P_ABANDONED, RD_P_DISCONNECTED, RD_P_HANGUP, RD_HORIZON = 0, 1, 2, 3
N_RDF = 4
# law index columns by class: patience, answer delay (-1: none), then handle time and
# after-call work by group (-1: none, drawn as NaN)
CL_PATIENCE, CL_DELAY, CL_GROUPS = 0, 1, 2
REDIAL_CODE = np.uint64(_part_code("redial"))


def _law(d: Distribution) -> tuple[int, float, float, np.ndarray]:
    """(kind, a, b, sorted values) as ``sim.fast.ivr.node_arrays`` codes a node time."""
    law, a, b = law_params(d)
    values = cast(Any, d).values if isinstance(d, Empirical) else ()
    return law, a, b, np.sort(np.asarray(values, dtype=np.float64))


def redial_arrays(spec: ModelSpec) -> tuple:
    """The spec element: same dtypes and ndim with redials off (one-row tables)."""
    n_g = len(spec.groups)
    r = spec.redial
    on = r is not None
    hangup = spec.operations.ivr_hangup_redial
    laws: list[Distribution] = []

    def index(d: Distribution | None) -> int:
        if d is None:
            return -1
        laws.append(d)
        return len(laws) - 1

    if on and r is not None:
        index(r.delay["abandoned"])
        index(r.delay["disconnected"])
        index(hangup[1] if hangup is not None else r.delay["disconnected"])
    cl = np.full((len(spec.classes), CL_GROUPS + 2 * n_g), -1, dtype=np.int64)
    # the class laws also serve a caller switched to another class (loop.switch_class)
    if on or spec.routes_by_queue:
        for c in spec.classes:
            cl[c.index, CL_PATIENCE] = index(c.patience)
            cl[c.index, CL_DELAY] = index(c.answer_delay)
            for g in range(n_g):
                cl[c.index, CL_GROUPS + g] = index(c.handle_time[g])
                cl[c.index, CL_GROUPS + n_g + g] = index(c.after_call_work[g])
    rows = [_law(d) for d in laws] or [(ivr.D_DET, 0.0, 0.0, np.zeros(0))]
    li = np.array([(k, len(v)) for k, _, _, v in rows], dtype=np.int64).reshape(-1, 2)
    lf = np.array([(a, b) for _, a, b, _ in rows], dtype=np.float64).reshape(-1, 2)
    lv = np.zeros((len(rows), max([len(v) for *_, v in rows] + [1])))
    for i, (*_, v) in enumerate(rows):
        lv[i, :len(v)] = v
    ints = np.array([int(on), r.max_attempts if r is not None else 0,
                     int(hangup is not None)], dtype=np.int64)
    floats = np.array([r.prob["abandoned"] if r is not None else 0.0,
                       r.prob["disconnected"] if r is not None else 0.0,
                       hangup[0] if hangup is not None else 0.0, spec.horizon_s],
                      dtype=np.float64)
    return ints, floats, cl, li, lf, lv


@njit(cache=True)
def sample1(rd, j, u):
    """``Distribution.sample1(u)`` of law row ``j`` (``sim.fast.ivr.node_time``'s ops)."""
    li, lf, lv = rd[3], rd[4], rd[5]
    law, a, b = li[j, 0], lf[j, 0], lf[j, 1]
    if law == ivr.D_EXP:
        return -a * math.log1p(-u)
    if law == ivr.D_UNIF:
        return a + (b - a) * u
    if law == ivr.D_LOGN:
        return math.exp(a + b * std_normal_inv_cdf(u))
    if law == ivr.D_GAMMA:
        return gammaincinv(a, u) * b
    if law == ivr.D_EMP:
        n = li[j, 1]
        return lv[j, min(int(u * n), n - 1)]
    return a


@njit(cache=True)
def redial_key(key, attempt):
    """``derive_key(key, "redial", attempt)``: the redial's own sub-stream."""
    return derive(derive(key, REDIAL_CODE), np.uint64(attempt))
