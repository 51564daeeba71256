"""Keyed random streams: the only source of randomness in ccsim.

Every random number is a pure function of ``(seed, replication, purpose..., index, k)``:
a counter-based generator (SplitMix64 finaliser over a keyed counter) compiled with
Numba. Nothing depends on the order in which the simulation asks for numbers, so the
same call draws the same patience, handle-time variate and branch choices under every
routing policy (common random numbers), and a compiled fast path can reproduce the
event model call for call.

A *stream key* names a purpose (``stream_key(seed, rep, "patience", "gold", day)``);
``uniforms(key, ids, k)`` gives the ``k``-th uniform of each id's sub-stream, in (0, 1).
"""

from __future__ import annotations

import zlib

import numpy as np

_MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15


def _mix_py(z: int) -> int:
    """SplitMix64 finaliser on Python ints (for keys, computed once per stream)."""
    z &= _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


def _part_code(part: int | str) -> int:
    if isinstance(part, str):
        return zlib.crc32(part.encode()) | (1 << 40)  # strings never collide with ints
    if isinstance(part, (int, np.integer)) and part >= 0:
        return int(part)
    raise TypeError(f"stream key parts must be str or non-negative int, got {part!r}")


def stream_key(seed: int, *parts: int | str) -> int:
    """A 64-bit key for one purpose: stable across runs, platforms and Python versions."""
    z = _mix_py(int(seed) + _GOLDEN)
    for part in parts:
        z = _mix_py(z ^ _mix_py(_part_code(part) + _GOLDEN))
    return z


def _kernels():
    """The Numba kernels, imported on first use (numba is heavy to import); top-level
    functions of ``sim.fast.rng`` so that their on-disk cache hits in every process."""
    from sim.fast.cache import ensure_fresh

    ensure_fresh()
    from sim.fast import rng

    return rng.uniforms, rng.exponential_gaps, rng.subkeys


def _run(kernel, *args):
    """A kernel's result; its uint64 products wrap modulo 2**64 on purpose, which numpy
    would report as overflow when Numba's JIT is off (``NUMBA_DISABLE_JIT=1``)."""
    with np.errstate(over="ignore"):
        return kernel(*args)


def uniforms(key: int, ids: np.ndarray, k: int = 0) -> np.ndarray:
    """The ``k``-th uniform in (0, 1) of each id's sub-stream under ``key``."""
    return _run(_kernels()[0], np.uint64(key), np.ascontiguousarray(ids, dtype=np.int64),
                int(k))


def unit_exponentials(key: int, start: int, n: int) -> np.ndarray:
    """``n`` unit-mean exponentials for ids ``start .. start+n-1`` (k = 0) under ``key``.

    Identical to ``-log(uniforms(key, arange(start, start+n)))`` but without the id array;
    used for the gaps of unit-rate Poisson processes.
    """
    return _run(_kernels()[1], np.uint64(key), int(start), int(n))


def call_keys(key: int, ids: np.ndarray) -> np.ndarray:
    """Each id's own sub-stream key (uint64): ``draw(int(call_keys(key, ids)[i]), k)``
    equals ``uniforms(key, ids, k)[i]``. Calls carry it, to draw inside the event loop."""
    return _run(_kernels()[2], np.uint64(key), np.ascontiguousarray(ids, dtype=np.int64))


def derive_key(key: int, *parts: int | str) -> int:
    """A sub-stream key for something born during the run (a redial, a work order)."""
    z = key
    for part in parts:
        # plain non-negative ints (customers, indices) are their own code: skip the checks
        code = part if type(part) is int and part >= 0 else _part_code(part)
        z = _mix_py(z ^ _mix_py(code + _GOLDEN))
    return z


def _mix_np(z: np.ndarray) -> np.ndarray:
    """``_mix_py`` on uint64 arrays (numpy's uint64 arithmetic wraps as the mask does)."""
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def derived_draws(key: int, n: int, k: int) -> np.ndarray:
    """``draw(derive_key(key, j), k)`` for ``j`` in ``range(n)``, as one array: the same
    floats, without a Python call per item."""
    sub = _mix_np(np.uint64(key) ^ _mix_np(np.arange(n, dtype=np.uint64)
                                           + np.uint64(_GOLDEN)))
    z = _mix_np(sub + np.uint64((k + 1) * _GOLDEN & _MASK))
    return ((z >> np.uint64(11)).astype(np.float64) + 0.5) * (1.0 / 9007199254740992.0)


def draw(sub: int, k: int, _mask: int = _MASK, _golden: int = _GOLDEN) -> float:
    """The ``k``-th uniform of a sub-stream, in plain Python (no Numba dispatch cost).

    ``_mix_py`` inlined, constants bound as locals: called millions of times per run.
    Integer arithmetic is exact, so this is the same number as the plain form."""
    z = (sub + ((k + 1) * _golden & _mask)) & _mask
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _mask
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _mask
    return (((z ^ (z >> 31)) >> 11) + 0.5) * (1.0 / 9007199254740992.0)
