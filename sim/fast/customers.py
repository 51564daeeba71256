"""Customers' episodes (``sim.model.customers.Customers``) in an open-addressing hash table.

An episode is one need, ``customer * n_reasons + reason``; the table holds its tier,
whether it asked for an agent, was resolved, resolved at the first contact, where its
pending first-contact resolution was counted, when it was last seen, and how many calls
of the need are in the system (``Customers.busy``). As in the SimPy model, an episode is
counted into the (tier, end state) tally and dropped at an interval's end once its FCR
window has passed with no call of its need in progress (``Customers.on_interval_end``;
dropped entries become tombstones, so memory stays flat in the horizon), replaced when
the need calls again after the window (``on_admit``), and the rest are counted at the end
(``episode_tally``). A counted episode's state is final, so the table keeps one tally of
every episode, live or counted, by (tier, current state), moved with each change of
state: the end needs no pass over the table (2**19 positions on ``telecom10000``).
"""

from __future__ import annotations

import math

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic, overload

from sim.fast.rng import mix

# one row of eight 8-byte columns (64 bytes, one cache line) per position: a probe of the
# table touches one line, not three as with separate key, int and float arrays (at 2**19
# positions, telecom10000's table is far larger than the L2 cache). Column 0 is the key;
# the state is sim.model.customers.Episode.state (0 new, 1 asked, 2 resolved, 3 resolved
# at the first contact); floats live in the same rows through a float64 view.
K_KEY, E_TIER, E_STATE, E_FCR_CLS, E_FCR_INTERVAL, E_BUSY, E_LAST_SEEN, E_FCR_T = range(8)
N_COLS = 8
ASKED, RESOLVED, QUICK = 1, 2, 3  # states
FREE, DROPPED = -1, -2  # keys of empty positions
LINE = 64  # bytes


def table(cap: int, n_tiers: int) -> list:
    """An empty table: rows (int64, keys FREE, aligned on a cache line), the same rows as
    float64, every episode (live or counted) by (tier, state), [positions used, live and
    dropped]."""
    buf = np.zeros(cap * N_COLS + LINE // 8, dtype=np.int64)
    off = (-buf.ctypes.data % LINE) // 8
    rows = buf[off:off + cap * N_COLS].reshape(cap, N_COLS)
    rows[:, K_KEY] = FREE
    return [rows, rows.view(np.float64), np.zeros((max(n_tiers, 1), 4), dtype=np.int64),
            np.zeros(1, dtype=np.int64)]


@njit(cache=True)
def find(rows, need):
    """The position of ``need`` in the table, or where it goes (the first dropped
    position on its probe path, else the free one that ends it)."""
    mask = rows.shape[0] - 1
    p = np.int64(mix(np.uint64(need)) & np.uint64(mask))
    dropped = -1
    while rows[p, K_KEY] != FREE:
        if rows[p, K_KEY] == need:
            return p
        if rows[p, K_KEY] == DROPPED and dropped < 0:
            dropped = p
        p = (p + 1) & mask
    return dropped if dropped >= 0 else p


def prefetch_row(rows, p):
    """Row ``p``'s cache line, fetched ahead: a hint, no effect on any value, so nothing
    to do in pure Python (NUMBA_DISABLE_JIT=1, where an intrinsic cannot run); compiled
    code calls its overload."""


@overload(prefetch_row)
def _prefetch_row_compiled(rows, p):
    return lambda rows, p: _prefetch_row(rows, p)


@intrinsic
def _prefetch_row(typingctx, rows, p):
    """llvm.prefetch of row ``p``'s cache line (read, keep in all levels): a hint, no
    effect on any value."""
    def codegen(context, builder, signature, args):
        aryty = signature.args[0]
        ary = context.make_array(aryty)(context, builder, args[0])
        ptr = cgutils.get_item_pointer(context, builder, aryty, ary,
                                       [args[1], context.get_constant(types.intp, 0)])
        i32 = ir.IntType(32)
        fn = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(ir.VoidType(), [ptr.type, i32, i32, i32]),
            "llvm.prefetch.p0")
        builder.call(fn, [ptr, i32(0), i32(3), i32(1)])
        return context.get_dummy_value()
    return types.void(rows, p), codegen


@njit(cache=True, inline="always")
def prefetch(eps, need):
    """Fetch the line of ``need``'s first probe ahead of its ``admit`` (the loop asks at
    the arrival before): the table is far larger than the L2 cache, and the miss on that
    probe was ~8 % of a ``telecom10000`` replication's loop (``perf``, one instruction)."""
    rows = eps[0]
    prefetch_row(rows, np.int64(mix(np.uint64(need)) & np.uint64(rows.shape[0] - 1)))


@njit(cache=True)
def rehash(old_rows, rows):
    for p in range(old_rows.shape[0]):
        if old_rows[p, K_KEY] >= 0:  # dropped positions are left out
            q = find(rows, old_rows[p, K_KEY])
            rows[q] = old_rows[p]  # the floats' bits move with the row


@njit(cache=True, inline="always")
def set_state(rows, tally, p, state):
    """The episode at ``p`` moves to ``state``, and its count in the tally with it."""
    tally[rows[p, E_TIER], rows[p, E_STATE]] -= 1
    tally[rows[p, E_TIER], state] += 1
    rows[p, E_STATE] = state


@njit(cache=True)
def admit(eps, need, tier, now, window, fcr):
    """Customers.on_admit after caller ID: the need's episode, opened or renewed; returns
    whether this contact is a repeat."""
    rows, rf, tally, used = eps
    p = find(rows, need)
    renew = rows[p, K_KEY] == need
    if renew and now - rf[p, E_LAST_SEEN] > window:
        renew = False  # a new need, long after the last contact: the old one stays in the
        # tally as it ends, the new one replaces it in place (its calls stay in busy)
    elif not renew:
        if rows[p, K_KEY] == FREE:
            used[0] += 1
        rows[p, K_KEY] = need
        rows[p, E_BUSY] = 0
    rows[p, E_BUSY] += 1
    if not renew:
        rows[p, E_TIER], rows[p, E_STATE] = tier, 0
        tally[tier, 0] += 1
        rows[p, E_FCR_CLS], rows[p, E_FCR_INTERVAL] = -1, -1
        rf[p, E_LAST_SEEN], rf[p, E_FCR_T] = now, math.nan
        return False
    rf[p, E_LAST_SEEN] = now
    if rows[p, E_FCR_CLS] >= 0 and now - rf[p, E_FCR_T] <= window:
        # a repeat within the window: the earlier contact did not resolve it after all
        fcr[rows[p, E_FCR_CLS], rows[p, E_FCR_INTERVAL]] -= 1
        rows[p, E_FCR_CLS] = -1
        if rows[p, E_STATE] == QUICK:
            set_state(rows, tally, p, RESOLVED)
    return True


@njit(cache=True)
def release(eps, need):
    """Customers._release: a call of the need left the system."""
    eps[0][find(eps[0], need), E_BUSY] -= 1


@njit(cache=True)
def drop_stale(eps, now, window):
    """Customers.on_interval_end: drop the episodes past their FCR window with no call of
    their need in progress (the tally holds them in their final state)."""
    rows, rf = eps[0], eps[1]
    for p in range(rows.shape[0]):
        if rows[p, K_KEY] >= 0 and now - rf[p, E_LAST_SEEN] > window and rows[p, E_BUSY] == 0:
            rows[p, K_KEY] = DROPPED


@njit(cache=True)
def asked(eps, need):
    """Customers.on_ask (a resolved need stays resolved)."""
    rows = eps[0]
    p = find(rows, need)
    if rows[p, E_STATE] == 0:
        set_state(rows, eps[2], p, ASKED)


@njit(cache=True)
def resolved(eps, need, repeat, answered, cls, interval, now, fcr):
    """Customers._resolved: the need was met by this contact (agent or self-service)."""
    rows, rf = eps[0], eps[1]
    p = find(rows, need)
    if rows[p, E_STATE] < RESOLVED:
        set_state(rows, eps[2], p, RESOLVED if repeat else QUICK)
        if not repeat and answered:
            fcr[cls, interval] += 1
            rows[p, E_FCR_CLS], rows[p, E_FCR_INTERVAL], rf[p, E_FCR_T] = cls, interval, now


@njit(cache=True)
def order_resolved(eps, need):
    """Customers._order_resolved: the need's episode (if still in the table) is resolved
    and no longer busy."""
    rows = eps[0]
    p = find(rows, need)
    if rows[p, K_KEY] == need:
        if rows[p, E_STATE] < RESOLVED:
            set_state(rows, eps[2], p, RESOLVED)
        rows[p, E_BUSY] -= 1


def episode_tally(eps: list) -> np.ndarray:
    """Customers.episode_tally: the counted episodes and those still in the table (the
    tally holds both, each in its current state)."""
    return eps[2].copy()
