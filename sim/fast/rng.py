"""Keyed-stream kernels (SplitMix64) as top-level Numba functions.

Numba caches a function on disk only when it can find it again by its module and
qualified name: closures built inside a function (as ``sim.sampling`` once did) are
recompiled in every process. Constants are numpy scalars so that Numba freezes them as
uint64 (a Python int above 2**63 would mix signed and unsigned arithmetic into floats).
Pure integer arithmetic: the bits are those of ``sim.sampling.draw`` in plain Python.
"""

from __future__ import annotations

import numpy as np
from numba import njit

GOLDEN = np.uint64(0x9E3779B97F4A7C15)
M1 = np.uint64(0xBF58476D1CE4E5B9)
M2 = np.uint64(0x94D049BB133111EB)
S30, S27, S31, S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
ONE = np.uint64(1)
SCALE = 1.0 / 9007199254740992.0  # 2**-53


@njit(cache=True, inline="always")
def mix(z):
    z = (z ^ (z >> S30)) * M1
    z = (z ^ (z >> S27)) * M2
    return z ^ (z >> S31)


@njit(cache=True, inline="always")
def draw(sub, k):
    """The ``k``-th uniform of sub-stream ``sub`` (``sim.sampling.draw``)."""
    z = mix(sub + (np.uint64(k) + ONE) * GOLDEN)
    return (float(z >> S11) + 0.5) * SCALE


@njit(cache=True)
def uniforms(key, ids, k):
    out = np.empty(ids.shape[0], dtype=np.float64)
    kk = (np.uint64(k) + ONE) * GOLDEN
    for i in range(ids.shape[0]):
        sub = mix(key ^ mix((np.uint64(ids[i]) + ONE) * GOLDEN))
        z = mix(sub + kk)
        out[i] = (float(z >> S11) + 0.5) * SCALE
    return out


@njit(cache=True)
def exponential_gaps(key, start, n):
    out = np.empty(n, dtype=np.float64)
    for i in range(n):
        z = mix(key ^ mix((np.uint64(start + i) + ONE) * GOLDEN))
        z = mix(z + GOLDEN)
        out[i] = -np.log((float(z >> S11) + 0.5) * SCALE)
    return out


@njit(cache=True)
def subkeys(key, ids):
    out = np.empty(ids.shape[0], dtype=np.uint64)
    for i in range(ids.shape[0]):
        out[i] = mix(key ^ mix((np.uint64(ids[i]) + ONE) * GOLDEN))
    return out


@njit(cache=True, inline="always")
def derive(key, code):
    """One part of ``sim.sampling.derive_key``: ``code`` is the part's code (a
    non-negative int is its own code, a string its ``_part_code``), both uint64; the
    sum wraps modulo 2**64 as ``_mix_py``'s mask does."""
    return mix(key ^ mix(code + GOLDEN))
