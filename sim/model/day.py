"""One day's calls with every random variate drawn up front from keyed streams."""

from __future__ import annotations

from typing import cast

import numpy as np

from sim.model.arrivals import DayArrivals
from sim.model.distributions import Deterministic, Distribution, Never
from sim.model.spec import ModelSpec
from sim.sampling import call_keys, stream_key, uniforms


def draw_day(spec: ModelSpec, seed: int, rep: int, arrivals: DayArrivals
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every call's patience, IVR time, handle time and after-call work by group, and its
    sub-stream key, as arrays: the inputs both engines draw up front (keyed by class, day
    and index within class, so no policy can change them)."""
    n, n_groups = len(arrivals.t), len(spec.groups)
    # the calls grouped by class, each class in arrival order: a class's draws fill one
    # slice, and one scatter puts them back in arrival order
    order, start = _by_class(arrivals.cls, len(spec.classes))
    seqs = arrivals.seq if order is None else arrivals.seq[order]
    patience = np.empty(n)
    ivr = np.empty(n)
    service = np.full((n, n_groups), np.nan)
    acw = np.full((n, n_groups), np.nan)
    keys = np.zeros(n, dtype=np.uint64)
    for c in spec.classes:
        lo, hi = int(start[c.index]), int(start[c.index + 1])
        if lo == hi:
            continue
        seq = seqs[lo:hi]
        drawn: dict[str, np.ndarray] = {}
        standard: dict[tuple, np.ndarray] = {}

        def sample(dist: Distribution, purpose: str, seq=seq, c=c, drawn=drawn,
                   standard=standard) -> np.ndarray:
            if isinstance(dist, (Deterministic, Never)):  # its ppf reads no uniform
                return dist.ppf(np.broadcast_to(0.0, len(seq)))  # (zeros, no memory)
            if purpose not in drawn:  # groups share one quantile per purpose
                drawn[purpose] = uniforms(
                    stream_key(seed, rep, purpose, c.name, arrivals.day), seq)
            # and the laws of one family its standard quantile (ppf's first step)
            at = (purpose, type(dist).standard)
            if at not in standard:
                standard[at] = dist.standard(drawn[purpose])
            return dist.scaled(standard[at])

        patience[lo:hi] = sample(c.patience, "patience")
        ivr[lo:hi] = sample(c.ivr_time, "ivr_time")
        for g, dist in enumerate(c.handle_time):
            if dist is not None:  # the config gives every group an after-call work law
                service[lo:hi, g] = sample(dist, "handle_time")
                acw[lo:hi, g] = sample(cast(Distribution, c.after_call_work[g]),
                                       "after_call_work")
        keys[lo:hi] = call_keys(stream_key(seed, rep, "call", c.name, arrivals.day), seq)
    if order is None:  # already in class order (one class): nothing to put back
        return patience, ivr, service, acw, keys
    back = np.empty(n, dtype=np.intp)  # each call's row in class order
    back[order] = np.arange(n)
    # np.take, not fancy indexing: its row gather is many times faster on (n, groups)
    patience, ivr, service, acw, keys = (np.take(a, back, axis=0)
                                         for a in (patience, ivr, service, acw, keys))
    return patience, ivr, service, acw, keys


def _by_class(cls: np.ndarray, n_classes: int) -> tuple[np.ndarray | None, np.ndarray]:
    """The calls' positions grouped by class (stable: arrival order within a class; None
    when they already are, as with one class), and where each class's run starts
    (``n_classes + 1`` bounds)."""
    if n_classes == 1 or not np.any(cls[1:] < cls[:-1]):
        return None, np.searchsorted(cls, np.arange(n_classes + 1))
    small = cls.astype(np.int16) if n_classes <= np.iinfo(np.int16).max else cls
    order = np.argsort(small, kind="stable")  # a radix sort for 16-bit keys
    start = np.searchsorted(small[order], np.arange(n_classes + 1))
    return order, start


class DayCalls:
    """One day's calls with every random variate they will need, drawn up front from
    keyed streams (class, day, index within class) so that no policy can change them."""

    def __init__(self, spec: ModelSpec, seed: int, rep: int, arrivals: DayArrivals):
        n = len(arrivals.t)
        self.t = arrivals.t.tolist()
        self.cls = arrivals.cls.tolist()
        patience, ivr, service, acw, keys = draw_day(spec, seed, rep, arrivals)
        self.delay = self.answer_delays(spec, seed, rep, arrivals)
        self.patience = patience.tolist()
        self.ivr = ivr.tolist()
        self.service = service.tolist()
        self.acw = acw.tolist()
        self.keys = keys.tolist()
        self.n = n

    @staticmethod
    def answer_delays(spec: ModelSpec, seed: int, rep: int, arrivals: DayArrivals
                       ) -> list[float] | None:
        """Each call's answer delay from its own stream (purpose "answer_delay"), so adding
        the feature changes no other draw; None when no class has one."""
        if all(c.answer_delay is None for c in spec.classes):
            return None
        delay = np.zeros(len(arrivals.t))
        for c in spec.classes:
            idx = np.flatnonzero(arrivals.cls == c.index)
            if c.answer_delay is None or not len(idx):
                continue
            key = stream_key(seed, rep, "answer_delay", c.name, arrivals.day)
            delay[idx] = c.answer_delay.ppf(uniforms(key, arrivals.seq[idx]))
        return delay.tolist()
