"""Customers' episodes (``sim.model.customers.Customers``) in an open-addressing hash table.

An episode is one need, ``customer * n_reasons + reason``; the table holds its tier,
whether it asked for an agent, was resolved, resolved at the first contact, where its
pending first-contact resolution was counted, when it was last seen, and how many calls
of the need are in the system (``Customers.busy``). As in the SimPy model, an episode is
counted into the (tier, end state) tally and dropped at an interval's end once its FCR
window has passed with no call of its need in progress (``Customers.on_interval_end``;
dropped entries become tombstones, so memory stays flat in the horizon), replaced when
the need calls again after the window (``on_admit``), and the rest are counted at the end
(``episode_tally``). A counted episode's state is final, so the tally is the same.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from sim.fast.rng import mix

# episode int columns, float columns
E_TIER, E_ASKED, E_RESOLVED, E_QUICK, E_FCR_CLS, E_FCR_INTERVAL, E_BUSY = range(7)
N_EI = 7
FREE, DROPPED = -1, -2  # keys of empty positions
E_LAST_SEEN, E_FCR_T = 0, 1
N_EF = 2


def table(cap: int, n_tiers: int) -> list:
    """An empty table: keys (FREE), ints, floats, tally by (tier, state), [positions used,
    live and dropped]."""
    return [np.full(cap, -1, dtype=np.int64), np.zeros((cap, N_EI), dtype=np.int64),
            np.zeros((cap, N_EF)), np.zeros((max(n_tiers, 1), 4), dtype=np.int64),
            np.zeros(1, dtype=np.int64)]


@njit(cache=True)
def find(keys, need):
    """The position of ``need`` in the table, or where it goes (the first dropped
    position on its probe path, else the free one that ends it)."""
    mask = keys.shape[0] - 1
    p = np.int64(mix(np.uint64(need)) & np.uint64(mask))
    dropped = -1
    while keys[p] != FREE:
        if keys[p] == need:
            return p
        if keys[p] == DROPPED and dropped < 0:
            dropped = p
        p = (p + 1) & mask
    return dropped if dropped >= 0 else p


@njit(cache=True)
def rehash(old_keys, old_ei, old_ef, keys, ei, ef):
    for p in range(old_keys.shape[0]):
        if old_keys[p] >= 0:  # dropped positions are left out
            q = find(keys, old_keys[p])
            keys[q] = old_keys[p]
            ei[q] = old_ei[p]
            ef[q] = old_ef[p]


@njit(cache=True)
def state(ei, p):
    """Episode.state: an index into sim.model.customers.VALUE_STATES."""
    if ei[p, E_RESOLVED]:
        return 3 if ei[p, E_QUICK] else 2
    return 1 if ei[p, E_ASKED] else 0


@njit(cache=True)
def admit(eps, need, tier, now, window, fcr):
    """Customers.on_admit after caller ID: the need's episode, opened or renewed; returns
    whether this contact is a repeat."""
    keys, ei, ef, tally, used = eps
    p = find(keys, need)
    renew = keys[p] == need
    if renew and now - ef[p, E_LAST_SEEN] > window:
        tally[ei[p, E_TIER], state(ei, p)] += 1  # a new need, long after the last contact
        renew = False  # replaced in place (its calls in progress stay counted in busy)
    elif not renew:
        if keys[p] == FREE:
            used[0] += 1
        keys[p] = need
        ei[p, E_BUSY] = 0
    ei[p, E_BUSY] += 1
    if not renew:
        ei[p, E_TIER], ei[p, E_ASKED], ei[p, E_RESOLVED], ei[p, E_QUICK] = tier, 0, 0, 0
        ei[p, E_FCR_CLS], ei[p, E_FCR_INTERVAL] = -1, -1
        ef[p, E_LAST_SEEN], ef[p, E_FCR_T] = now, math.nan
        return False
    ef[p, E_LAST_SEEN] = now
    if ei[p, E_FCR_CLS] >= 0 and now - ef[p, E_FCR_T] <= window:
        # a repeat within the window: the earlier contact did not resolve it after all
        fcr[ei[p, E_FCR_CLS], ei[p, E_FCR_INTERVAL]] -= 1
        ei[p, E_FCR_CLS] = -1
        ei[p, E_QUICK] = 0
    return True


@njit(cache=True)
def release(eps, need):
    """Customers._release: a call of the need left the system."""
    eps[1][find(eps[0], need), E_BUSY] -= 1


@njit(cache=True)
def drop_stale(eps, now, window):
    """Customers.on_interval_end: count and drop the episodes past their FCR window with
    no call of their need in progress."""
    keys, ei, ef, tally = eps[0], eps[1], eps[2], eps[3]
    for p in range(keys.shape[0]):
        if keys[p] >= 0 and now - ef[p, E_LAST_SEEN] > window and ei[p, E_BUSY] == 0:
            tally[ei[p, E_TIER], state(ei, p)] += 1
            keys[p] = DROPPED


@njit(cache=True)
def asked(eps, need):
    """Customers.on_ask."""
    eps[1][find(eps[0], need), E_ASKED] = 1


@njit(cache=True)
def resolved(eps, need, repeat, answered, cls, interval, now, fcr):
    """Customers._resolved: the need was met by this contact (agent or self-service)."""
    ei, ef = eps[1], eps[2]
    p = find(eps[0], need)
    if not ei[p, E_RESOLVED] and not repeat:
        ei[p, E_QUICK] = 1
        if answered:
            fcr[cls, interval] += 1
            ei[p, E_FCR_CLS], ei[p, E_FCR_INTERVAL], ef[p, E_FCR_T] = cls, interval, now
    ei[p, E_RESOLVED] = 1


def episode_tally(eps: list) -> np.ndarray:
    """Customers.episode_tally: the counted episodes and those still in the table."""
    keys, ei, _, tally, _ = eps
    live = ei[keys >= 0]
    states = np.where(live[:, E_RESOLVED] == 1, np.where(live[:, E_QUICK] == 1, 3, 2),
                      np.where(live[:, E_ASKED] == 1, 1, 0))
    # a bincount of (tier, state) cells: the counts np.add.at gives, without its slow path
    flat = live[:, E_TIER] * tally.shape[1] + states
    return tally + np.bincount(flat, minlength=tally.size).reshape(tally.shape)
