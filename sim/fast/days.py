"""The compiled loop's calls: each day's arrivals and variates as arrays (``DayCalls``
without the lists), fed to the loop a buffer at a time.

A day of one arrival stream (one class, no outage surge, no trace) is drawn in blocks of
``BLOCK_CALLS`` calls: each block's arrival times continue the day's one cumulative sum
(``poisson_blocks``) and its variates are the class's keyed streams at the calls' own
indices, so the calls are the whole day's, bit for bit. Memory then holds a block, not a
day (a 1,000,000-call day is 64 MB of fresh arrays drawn whole, 4 MB a block), and a
replication's first touch of fresh pages (most of the draws' CPU time) stays small.
Other days are drawn whole. No state is kept between replications.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from sim.model.arrivals import (
    ArrivalStream,
    DayArrivals,
    day_streams,
    generate_day,
    poisson_blocks,
)
from sim.model.spec import ModelSpec

BLOCK_CALLS = 1 << 16  # calls drawn at once for a day of one stream


def call_inputs(spec: ModelSpec, seed: int, rep: int, arrivals: DayArrivals) -> tuple:
    """``arrivals``' calls and their variates as the loop's day arrays."""
    from sim.model.day import DayCalls, draw_day

    patience, ivr, service, acw, keys = draw_day(spec, seed, rep, arrivals)
    answer = DayCalls.answer_delays(spec, seed, rep, arrivals)
    delay = np.zeros(len(arrivals.t)) if answer is None else np.asarray(answer)
    return (np.ascontiguousarray(arrivals.t, dtype=np.float64),
            np.ascontiguousarray(arrivals.cls, dtype=np.int64), patience, ivr, service, acw,
            delay, keys)


def day_inputs(spec: ModelSpec, seed: int, rep: int, day: int) -> tuple:
    """One whole day's calls and their variates as arrays."""
    return call_inputs(spec, seed, rep, generate_day(spec, seed, rep, day))


def _after(last: tuple | None, new: tuple) -> tuple:
    """``new`` after ``last`` (the pending call of the previous buffer)."""
    if last is None:
        return new
    return tuple(np.ascontiguousarray(np.concatenate((a, b))) for a, b in zip(last, new,
                                                                              strict=True))


class DayFeed:
    """The replication's calls, day by day (``Center._next_day``), a block at a time where
    a day is one stream."""

    def __init__(self, spec: ModelSpec, seed: int, rep: int, block: int | None = None):
        self.spec, self.seed, self.rep = spec, seed, rep
        self.block = block or BLOCK_CALLS
        self.next_day = 0  # the first day not begun
        self.day_calls = 0  # calls of the day begun last (expected, for a day in blocks)
        self._blocks: Iterator[tuple[bool, tuple]] = iter(())  # the rest of the day
        self._ahead: tuple[bool, tuple] | None = None  # its next buffer, drawn one ahead

    @property
    def more(self) -> bool:
        """Calls follow those loaded (blocks left of the current day, or days not begun)."""
        return self._ahead is not None or self.next_day < self.spec.days

    def load(self, last: tuple | None) -> tuple:
        """The next non-empty buffer after ``last`` (the current buffer's final call,
        whose arrival is pending): a block of the current day, or the next non-empty day."""
        while self.more:
            if self._ahead is None:
                self._blocks = self._day(self.next_day)
                self.next_day += 1
                self._ahead = next(self._blocks, None)
                continue
            (pending, new), self._ahead = self._ahead, next(self._blocks, None)
            if pending:  # a later block of the day: it begins with ``last``, redrawn
                return new
            if len(new[0]):
                return _after(last, new)
        return last if last is not None else day_inputs(self.spec, self.seed, self.rep, 0)

    def _day(self, day: int) -> Iterator[tuple[bool, tuple]]:
        """The buffers of ``day``: (does it begin with the previous buffer's last call,
        the arrays)."""
        spec = self.spec
        streams = day_streams(spec, self.seed, self.rep, day) if spec.trace is None else []
        if len(streams) != 1:
            whole = day_inputs(spec, self.seed, self.rep, day)
            self.day_calls = len(whole[0])
            yield False, whole
            return
        s = streams[0]
        self.day_calls = int(s.volumes.sum())
        yield from self._blocks_of(s, day)

    def _blocks_of(self, s: ArrivalStream, day: int) -> Iterator[tuple[bool, tuple]]:
        """The calls of stream ``s`` in time order, ties by index (``generate_day``'s
        stable sort), a block at a time: calls that a later block may still precede (rare:
        rounding at an interval's end) wait for it. A block after the day's first begins
        with the call before it (the pending one), drawn again: its variates are its own
        keyed draws, so this costs one call's draws instead of copying eight arrays."""
        spec = self.spec
        t0 = day * spec.day_s
        prev_t, prev_seq = np.empty(0), np.empty(0, dtype=np.int64)  # the pending call
        held_t, held_seq = prev_t, prev_seq
        for first, t, floor in poisson_blocks(s.volumes, spec.interval_s, s.key, self.block):
            t += t0
            later = min(float(t[-1]), floor + t0)  # no later call arrives before this
            seq = np.arange(s.first_seq + first, s.first_seq + first + len(t), dtype=np.int64)
            p = len(prev_t)
            t, seq = np.concatenate((prev_t, held_t, t)), np.concatenate((prev_seq, held_seq,
                                                                          seq))
            if np.any(t[p + 1:] < t[p:-1]):
                order = np.argsort(t[p:], kind="stable")
                t[p:], seq[p:] = t[p:][order], seq[p:][order]
            ready = p + int(np.searchsorted(t[p:], later, side="right"))
            held_t, held_seq = t[ready:], seq[ready:]
            if ready > p:
                yield p > 0, self._draw(day, s.cls, t[:ready], seq[:ready])
                prev_t, prev_seq = t[ready - 1:ready], seq[ready - 1:ready]
        if len(held_t):
            yield len(prev_t) > 0, self._draw(day, s.cls, np.concatenate((prev_t, held_t)),
                                              np.concatenate((prev_seq, held_seq)))

    def _draw(self, day: int, cls: int, t: np.ndarray, seq: np.ndarray) -> tuple:
        arrivals = DayArrivals(day, t, np.full(len(t), cls, dtype=np.int64), seq)
        return call_inputs(self.spec, self.seed, self.rep, arrivals)
