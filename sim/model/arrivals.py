"""Arrivals: a non-homogeneous Poisson process per call class, one day at a time.

Rates are piecewise constant per interval; a day-level gamma multiplier (mean 1, CV
``day_volume_cv``) models forecast error. Each class's process is the time change of a
unit-rate Poisson process whose gaps come from the class's own keyed stream, so a change
in one class's volume leaves every other class's calls untouched.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.distributions import Gamma
from sim.model.spec import ModelSpec
from sim.sampling import stream_key, uniforms, unit_exponentials


@dataclass(frozen=True)
class DayArrivals:
    """One day's calls in arrival order: absolute time, class index, index within class."""

    day: int
    t: np.ndarray
    cls: np.ndarray
    seq: np.ndarray


def day_multiplier(spec: ModelSpec, seed: int, rep: int, day: int) -> float:
    if spec.day_volume_cv <= 0:
        return 1.0
    u = uniforms(stream_key(seed, rep, "day_volume"), np.array([day]))
    return float(Gamma(1.0, spec.day_volume_cv).ppf(u)[0])


def poisson_times(volumes: np.ndarray, interval_s: float, key: int) -> np.ndarray:
    """Arrival times (s from the start) of an NHPP with ``volumes[i]`` expected calls in
    interval ``i``: unit-rate points mapped through the inverse cumulative intensity."""
    cum = np.concatenate(([0.0], np.cumsum(volumes)))
    total = cum[-1]
    if total <= 0:
        return np.empty(0)
    n = int(total + 6 * np.sqrt(total) + 20)
    points = np.cumsum(unit_exponentials(key, 0, n))
    while points[-1] < total:  # rare: extend the same stream
        more = np.cumsum(unit_exponentials(key, len(points), n)) + points[-1]
        points = np.concatenate((points, more))
    points = points[points < total]  # a new array: the steps below reuse it in place
    k = np.searchsorted(cum, points, side="right") - 1
    # (k + (points - cum[k]) / volumes[k]) * interval_s, without four temporaries of n
    points -= cum[k]
    points /= volumes[k]
    points += k
    points *= interval_s
    return points


OUTAGE_SEQ = 1 << 32  # index offset of surge calls within their class-day


def _outage_overlap(spec: ModelSpec, day: int) -> np.ndarray | None:
    """Share of each interval of ``day`` inside the outage window (None: no outage)."""
    o = spec.outage
    if o is None:
        return None
    starts = day * spec.day_s + np.arange(spec.intervals_per_day) * spec.interval_s
    lo = np.maximum(starts, o.start_s)
    hi = np.minimum(starts + spec.interval_s, o.start_s + o.duration_s)
    share = np.clip(hi - lo, 0, None) / spec.interval_s
    return share if share.any() else None


def generate_day(spec: ModelSpec, seed: int, rep: int, day: int) -> DayArrivals:
    """All calls of ``day``, merged across classes in time order (ties by class order)."""
    if spec.trace is not None:
        return _trace_day(spec, day)
    per_day = spec.intervals_per_day
    volumes = np.asarray(spec.calls_per_interval[day * per_day:(day + 1) * per_day], float)
    mult = day_multiplier(spec, seed, rep, day)
    volumes = volumes * mult
    t0 = day * spec.day_s
    times, classes, seqs = [], [], []
    surge = _outage_overlap(spec, day)
    outage = spec.outage
    for c in spec.classes:
        key = stream_key(seed, rep, "arrivals", c.name, day)
        own = (np.asarray(c.volume[day * per_day:(day + 1) * per_day], float) * mult
               if c.volume else volumes * c.mix)
        t = poisson_times(own, spec.interval_s, key)
        t += t0
        times.append(t)
        classes.append(np.full(len(t), c.index, dtype=np.int64))
        seqs.append(np.arange(len(t), dtype=np.int64))
        if surge is not None and outage is not None and c.reason == outage.reason:
            # the surge's extra calls come from their own stream: the base calls stay as
            # they are, so a run with the outage pairs call for call with one without
            extra = own * (outage.multiplier - 1) * surge
            key = stream_key(seed, rep, "outage", c.name, day)
            t = poisson_times(extra, spec.interval_s, key) + t0
            times.append(t)
            classes.append(np.full(len(t), c.index, dtype=np.int64))
            seqs.append(OUTAGE_SEQ + np.arange(len(t), dtype=np.int64))
    if len(times) == 1 and np.all(times[0][1:] >= times[0][:-1]):
        # one stream already in time order: the stable sort below would be the identity
        return DayArrivals(day, times[0], classes[0], seqs[0])
    t = np.concatenate(times)
    cls = np.concatenate(classes)
    # time order, ties by class: the streams are concatenated in class order, so a stable
    # sort on time alone is lexsort((cls, t)) (and merges the sorted runs quickly)
    order = np.argsort(t, kind="stable")
    return DayArrivals(day, t[order], cls[order], np.concatenate(seqs)[order])


def _trace_day(spec: ModelSpec, day: int) -> DayArrivals:
    """Fixed arrivals of ``day``; a call's index within its class counts over the trace."""
    trace = spec.trace or ()
    t: np.ndarray = np.array([a[0] for a in trace], dtype=np.float64)
    cls = np.array([a[1] for a in trace], dtype=np.int64)
    seq = np.zeros(len(t), dtype=np.int64)
    for c in range(len(spec.classes)):
        mask = cls == c
        seq[mask] = np.arange(mask.sum())
    keep = (t >= day * spec.day_s) & (t < (day + 1) * spec.day_s)
    return DayArrivals(day, t[keep], cls[keep], seq[keep])
