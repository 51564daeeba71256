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
    patience = np.empty(n)
    ivr = np.empty(n)
    service = np.full((n, n_groups), np.nan)
    acw = np.full((n, n_groups), np.nan)
    keys = np.zeros(n, dtype=np.uint64)
    for c in spec.classes:
        idx = np.flatnonzero(arrivals.cls == c.index)
        if not len(idx):
            continue
        seq = arrivals.seq[idx]
        # one class: a slice assigns the same values without gathers
        rows: np.ndarray | slice = slice(None) if len(idx) == n else idx

        drawn: dict[str, np.ndarray] = {}

        def sample(dist: Distribution, purpose: str, seq=seq, c=c, drawn=drawn
                   ) -> np.ndarray:
            if isinstance(dist, (Deterministic, Never)):  # its ppf reads no uniform
                return dist.ppf(np.zeros(len(seq)))
            if purpose not in drawn:  # groups share one quantile per purpose
                drawn[purpose] = uniforms(
                    stream_key(seed, rep, purpose, c.name, arrivals.day), seq)
            return dist.ppf(drawn[purpose])

        patience[rows] = sample(c.patience, "patience")
        ivr[rows] = sample(c.ivr_time, "ivr_time")
        for g, dist in enumerate(c.handle_time):
            if dist is not None:  # the config gives every group an after-call work law
                service[rows, g] = sample(dist, "handle_time")
                acw[rows, g] = sample(cast(Distribution, c.after_call_work[g]),
                                     "after_call_work")
        keys[rows] = call_keys(stream_key(seed, rep, "call", c.name, arrivals.day), seq)
    return patience, ivr, service, acw, keys


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
