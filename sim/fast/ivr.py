"""The IVR tree (``sim.model.ivr_flow.Ivr``) as arrays and top-level Numba kernels.

A node's time is ``Distribution.sample1`` of the call's ``k``-th draw, so the kernels
below repeat ``sample1``'s float operations: ``math.log1p`` for the exponential, the
uniform's affine map, the empirical quantile index, and for the lognormal
``statistics.NormalDist.inv_cdf`` (Wichura's AS241, ported line for line, with its
``mu + x * sigma`` for the standard normal) inside ``math.exp``. A gamma law's
``sample1`` is ``scipy.special.gammaincinv(shape, u) * (mean / shape)``: an inverse
incomplete gamma function too intricate to port bit for bit, so the loop calls scipy's own
compiled kernel (``scipy.special.cython_special.gammaincinv``, the machine code behind the
ufunc) through a named external symbol, which keeps the loop's on-disk cache valid (a
symbol is looked up by name when cached code loads; a raw address would not be).
"""

from __future__ import annotations

import math
from typing import Any, cast

import llvmlite.binding as llvm
import numpy as np
from numba import njit, types
from numba.extending import get_cython_function_address

from sim.fast.rng import draw
from sim.model.distributions import Empirical, Exponential, Gamma, Lognormal, Never, Uniform
from sim.model.ivr import IvrSpec

# node kinds (sim.model.ivr.KINDS order)
MENU, SELF_SERVICE, VERIFICATION, TRANSFER, HANGUP = 0, 1, 2, 3, 4
KINDS = ("menu", "self_service", "verification", "transfer", "hangup")
# time laws
D_DET, D_EXP, D_UNIF, D_LOGN, D_EMP, D_GAMMA = 0, 1, 2, 3, 4, 5
# node int columns, float columns
N_KIND, N_LAW, N_QUEUE, N_NEXT, N_FAIL_TO, N_MAX_FAIL, N_BRANCHES, N_EMP = range(8)
N_NI = 8
N_ABANDON, N_RESOLVE, N_FAILP, N_A, N_B = range(5)
N_NF = 5
# what a node decides (besides going on to another node)
GO, ABANDON, TO_QUEUE, HUNG_UP, SELF_SERVED = 0, 1, 2, 3, 4

# scipy's gammaincinv(a, u) kernel, registered before any cached code that calls it loads
# (a cpdef function: its C signature ends with an unused ``int __pyx_skip_dispatch``)
GAMMAINCINV = "ccsim_scipy_gammaincinv"
llvm.add_symbol(GAMMAINCINV, get_cython_function_address("scipy.special.cython_special",
                                                         "gammaincinv"))
_gammaincinv = types.ExternalFunction(GAMMAINCINV, types.float64(types.float64, types.float64,
                                                                 types.intc))


@njit(cache=True)
def gammaincinv(a, u):
    """``scipy.special.gammaincinv(a, u)``: the same compiled kernel, the same bits."""
    return _gammaincinv(a, u, 0)


def law_params(t: object) -> tuple[int, float, float]:
    """(law, a, b) of a compiled time law, as ``node_time`` and ``sim.fast.redial`` read
    them: the fields ``sample1`` uses (for the gamma, shape and ``mean / shape``)."""
    d = cast(Any, t)
    if isinstance(t, Exponential):
        return D_EXP, d.mean_s, 0.0
    if isinstance(t, Uniform):
        return D_UNIF, d.low, d.high
    if isinstance(t, Lognormal):
        return D_LOGN, d.mu, d.sigma
    if isinstance(t, Gamma):
        return D_GAMMA, d.shape, d.mean_s / d.shape
    if isinstance(t, Empirical):
        return D_EMP, 0.0, 0.0
    if isinstance(t, Never):
        return D_DET, math.inf, 0.0
    return D_DET, d.value, 0.0


def node_arrays(ivr: IvrSpec | None, n_reasons: int) -> tuple:
    """The tree as arrays: (ints, floats, next node by reason, branch targets, branch
    cumulative shares, sorted empirical values)."""
    nodes = ivr.nodes if ivr is not None else ()
    n = max(len(nodes), 1)
    n_br = max([len(x.branches) for x in nodes] + [1])
    emp = [np.sort(np.asarray(x.time.values, dtype=np.float64)) if isinstance(
        x.time, Empirical) else np.zeros(0) for x in nodes]
    ni = np.zeros((n, N_NI), dtype=np.int64)
    nf = np.zeros((n, N_NF))
    by_reason = np.full((n, max(n_reasons, 1)), -1, dtype=np.int64)
    br_to = np.zeros((n, n_br), dtype=np.int64)
    br_cum = np.zeros((n, n_br))
    values = np.zeros((n, max([len(v) for v in emp] + [1])))
    for x in nodes:
        i = x.index
        law, a, b = law_params(x.time)
        ni[i] = (KINDS.index(x.kind), law, x.queue, x.next, x.on_fail, x.max_failures,
                 len(x.branches), len(emp[i]))
        nf[i] = (x.abandon_prob, x.resolve_prob, x.fail_prob, a, b)
        if x.by_reason is not None:
            by_reason[i, :len(x.by_reason)] = x.by_reason
        for j, (to, cum) in enumerate(x.branches):
            br_to[i, j], br_cum[i, j] = to, cum
        values[i, :len(emp[i])] = emp[i]
    return ni, nf, by_reason, br_to, br_cum, values


@njit(cache=True)
def std_normal_inv_cdf(p):
    """``statistics._normal_dist_inv_cdf(p, 0.0, 1.0)``: the same operations in order."""
    mu, sigma = 0.0, 1.0
    q = p - 0.5
    if math.fabs(q) <= 0.425:
        r = 0.180625 - q * q
        num = (((((((2.5090809287301226727e+3 * r +
                     3.3430575583588128105e+4) * r +
                     6.7265770927008700853e+4) * r +
                     4.5921953931549871457e+4) * r +
                     1.3731693765509461125e+4) * r +
                     1.9715909503065514427e+3) * r +
                     1.3314166789178437745e+2) * r +
                     3.3871328727963666080e+0) * q
        den = (((((((5.2264952788528545610e+3 * r +
                     2.8729085735721942674e+4) * r +
                     3.9307895800092710610e+4) * r +
                     2.1213794301586595867e+4) * r +
                     5.3941960214247511077e+3) * r +
                     6.8718700749205790830e+2) * r +
                     4.2313330701600911252e+1) * r +
                     1.0)
        x = num / den
        return mu + (x * sigma)
    r = p if q <= 0.0 else 1.0 - p
    r = math.sqrt(-math.log(r))
    if r <= 5.0:
        r = r - 1.6
        num = (((((((7.74545014278341407640e-4 * r +
                     2.27238449892691845833e-2) * r +
                     2.41780725177450611770e-1) * r +
                     1.27045825245236838258e+0) * r +
                     3.64784832476320460504e+0) * r +
                     5.76949722146069140550e+0) * r +
                     4.63033784615654529590e+0) * r +
                     1.42343711074968357734e+0)
        den = (((((((1.05075007164441684324e-9 * r +
                     5.47593808499534494600e-4) * r +
                     1.51986665636164571966e-2) * r +
                     1.48103976427480074590e-1) * r +
                     6.89767334985100004550e-1) * r +
                     1.67638483018380384940e+0) * r +
                     2.05319162663775882187e+0) * r +
                     1.0)
    else:
        r = r - 5.0
        num = (((((((2.01033439929228813265e-7 * r +
                     2.71155556874348757815e-5) * r +
                     1.24266094738807843860e-3) * r +
                     2.65321895265761230930e-2) * r +
                     2.96560571828504891230e-1) * r +
                     1.78482653991729133580e+0) * r +
                     5.46378491116411436990e+0) * r +
                     6.65790464350110377720e+0)
        den = (((((((2.04426310338993978564e-15 * r +
                     1.42151175831644588870e-7) * r +
                     1.84631831751005468180e-5) * r +
                     7.86869131145613259100e-4) * r +
                     1.48753612908506148525e-2) * r +
                     1.36929880922735805310e-1) * r +
                     5.99832206555887937690e-1) * r +
                     1.0)
    x = num / den
    if q < 0.0:
        x = -x
    return mu + (x * sigma)


@njit(cache=True)
def node_time(ivr, node, u):
    """``nodes[node].time.sample1(u)``."""
    ni, nf, values = ivr[0], ivr[1], ivr[5]
    law, a, b = ni[node, N_LAW], nf[node, N_A], nf[node, N_B]
    if law == D_EXP:
        return -a * math.log1p(-u)
    if law == D_UNIF:
        return a + (b - a) * u
    if law == D_LOGN:
        return math.exp(a + b * std_normal_inv_cdf(u))
    if law == D_GAMMA:
        return gammaincinv(a, u) * b
    if law == D_EMP:
        n = ni[node, N_EMP]
        return values[node, min(int(u * n), n - 1)]
    return a


@njit(cache=True)
def node_decision(ivr, node, key, k, reason, failures):
    """``Ivr._on_node``'s decision for a call at ``node`` whose last draw index is ``k``:
    (what, next node or queue, last draw index, verification failures)."""
    ni, nf, by_reason, br_to, br_cum = ivr[0], ivr[1], ivr[2], ivr[3], ivr[4]
    if nf[node, N_ABANDON]:
        k += 1
        if draw(key, k) < nf[node, N_ABANDON]:
            return ABANDON, -1, k, failures
    kind = ni[node, N_KIND]
    if kind == TRANSFER:
        return TO_QUEUE, ni[node, N_QUEUE], k, failures
    if kind == HANGUP:
        return HUNG_UP, -1, k, failures
    k += 1
    u = draw(key, k)
    if kind == MENU:
        if by_reason[node, 0] >= 0:
            return GO, by_reason[node, reason], k, failures
        j = 0
        while not u < br_cum[node, j]:
            j += 1
        return GO, br_to[node, j], k, failures
    if kind == SELF_SERVICE:
        if u < nf[node, N_RESOLVE]:
            return SELF_SERVED, -1, k, failures
        return GO, ni[node, N_NEXT], k, failures
    if u < nf[node, N_FAILP]:
        failures += 1
        return GO, ni[node, N_FAIL_TO] if failures > ni[node, N_MAX_FAIL] else node, k, failures
    return GO, ni[node, N_NEXT], k, failures
