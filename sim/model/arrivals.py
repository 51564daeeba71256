"""Arrivals: a non-homogeneous Poisson process per call class, one day at a time.

Rates are piecewise constant per interval; a day-level gamma multiplier (mean 1, CV
``day_volume_cv``) models forecast error. Each class's process is the time change of a
unit-rate Poisson process whose gaps come from the class's own keyed stream, so a change
in one class's volume leaves every other class's calls untouched.
"""

from __future__ import annotations

from collections.abc import Iterator
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
    blocks = [t for _, t, _ in poisson_blocks(volumes, interval_s, key)]
    if len(blocks) == 1:
        return blocks[0]
    return np.concatenate(blocks) if blocks else np.empty(0)


def poisson_blocks(volumes: np.ndarray, interval_s: float, key: int,
                   block: int | None = None, n: int | None = None
                   ) -> Iterator[tuple[int, np.ndarray, float]]:
    """``poisson_times`` as blocks of at most ``block`` points (None: one block per ``n``
    gaps drawn), bit for bit the same floats: a block's first gap carries the running
    sum, so each cumulative sum is the one sequential sum of the whole run (``np.cumsum``
    accumulates in order). ``n``: gaps drawn at first (default: the expected count plus
    six standard deviations). A block is (index of its first point, times, floor): the
    time change is monotone within an interval and a later interval's times are at least
    its start, so no later point's time is below ``min(times[-1], floor)`` (the next
    interval's start; rounding can put an interval's last times past it)."""
    cum = np.concatenate(([0.0], np.cumsum(volumes)))
    total = cum[-1]
    if total <= 0:
        return
    if n is None:
        n = int(total + 6 * np.sqrt(total) + 20)
    size = n if block is None else min(block, n)
    # the first n gaps are one sum; rarely they fall short of total, and the same stream
    # is extended n gaps at a time, each run summed from zero and added to the last point
    start, offset, carry = 0, 0.0, None
    while True:
        m = min(size, n - start % n)
        points = unit_exponentials(key, start, m)
        if carry is not None:
            points[0] += carry
        points = np.cumsum(points, out=points)
        carry = points[-1]
        if start >= n:
            points += offset
        last = float(points[-1])  # before the time change below rewrites it in place
        kept = int(np.searchsorted(points, total, side="left"))  # the points < total
        # (k + (points - cum[k]) / volumes[k]) * interval_s, k the last interval with
        # cum[k] <= point: the points are sorted, so one search per interval bound (not
        # per point) splits them, and k, cum[k], volumes[k] are runs of repeats
        if kept:
            t = points[:kept]
            per = np.diff(np.searchsorted(t, cum, side="left"), append=kept)
            k = np.repeat(np.arange(len(cum)), per)
            t -= np.repeat(cum, per)
            t /= np.repeat(np.append(volumes, 1.0), per)  # (none in the last: t < total)
            t += k
            t *= interval_s
            yield start, t, float(k[-1] + 1) * interval_s
        if kept < m:
            return
        start += m
        if start % n == 0:  # the end of a run of n gaps: the next is summed from zero
            offset, carry = last, None


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


@dataclass(frozen=True)
class ArrivalStream:
    """One Poisson stream of a day: its class, expected calls by interval, key and the
    index of its first call within the class-day."""

    cls: int
    volumes: np.ndarray
    key: int
    first_seq: int


def day_streams(spec: ModelSpec, seed: int, rep: int, day: int) -> list[ArrivalStream]:
    """The Poisson streams of ``day`` (no trace), in merge order: each class's own, then
    its outage surge."""
    per_day = spec.intervals_per_day
    volumes = np.asarray(spec.calls_per_interval[day * per_day:(day + 1) * per_day], float)
    mult = day_multiplier(spec, seed, rep, day)
    volumes = volumes * mult
    surge = _outage_overlap(spec, day)
    outage = spec.outage
    streams = []
    for c in spec.classes:
        own = (np.asarray(c.volume[day * per_day:(day + 1) * per_day], float) * mult
               if c.volume else volumes * c.mix)
        streams.append(ArrivalStream(c.index, own, stream_key(seed, rep, "arrivals", c.name,
                                                               day), 0))
        if surge is not None and outage is not None and c.reason == outage.reason:
            # the surge's extra calls come from their own stream: the base calls stay as
            # they are, so a run with the outage pairs call for call with one without
            extra = own * (outage.multiplier - 1) * surge
            streams.append(ArrivalStream(c.index, extra,
                                         stream_key(seed, rep, "outage", c.name, day),
                                         OUTAGE_SEQ))
    return streams


def generate_day(spec: ModelSpec, seed: int, rep: int, day: int) -> DayArrivals:
    """All calls of ``day``, merged across classes in time order (ties by class order)."""
    if spec.trace is not None:
        return _trace_day(spec, day)
    t0 = day * spec.day_s
    times, classes, seqs = [], [], []
    for s in day_streams(spec, seed, rep, day):
        t = poisson_times(s.volumes, spec.interval_s, s.key)
        t += t0
        times.append(t)
        classes.append(np.full(len(t), s.cls, dtype=np.int64))
        seqs.append(np.arange(s.first_seq, s.first_seq + len(t), dtype=np.int64))
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
