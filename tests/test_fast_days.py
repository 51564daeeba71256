"""The compiled loop's calls, fed a block at a time (``sim.fast.days``): a day of one
arrival stream drawn in blocks is the whole day's draws, bit for bit, in the same order;
memory holds a block, not a day; and both engines still agree call for call when a day
spans many blocks."""

from __future__ import annotations

import numpy as np
import pytest
from simhelpers import TINY, scenario
from test_fast_engine import assert_same_outputs, run_both

import sim.fast.days as days
from sim.config import build_model_spec
from sim.fast.days import DayFeed, day_inputs
from sim.model.arrivals import poisson_blocks, poisson_times
from sim.sampling import unit_exponentials


def whole_run(volumes: np.ndarray, interval_s: float, key: int, n: int | None = None):
    """``poisson_times`` as written before blocks: n gaps summed at once, extended n at a
    time (each run summed from zero, added to the last point), then the time change."""
    cum = np.concatenate(([0.0], np.cumsum(volumes)))
    total = cum[-1]
    if total <= 0:
        return np.empty(0)
    n = int(total + 6 * np.sqrt(total) + 20) if n is None else n
    points = np.cumsum(unit_exponentials(key, 0, n))
    while points[-1] < total:
        points = np.concatenate((points, np.cumsum(unit_exponentials(key, len(points), n))
                                 + points[-1]))
    points = points[points < total]
    k = np.searchsorted(cum, points, side="right") - 1
    return (k + (points - cum[k]) / volumes[k]) * interval_s


@pytest.mark.parametrize("trial", range(40))
def test_poisson_blocks_are_the_whole_run_bit_for_bit(trial):
    rng = np.random.default_rng(trial)
    volumes = rng.uniform(0, 150, size=rng.integers(1, 25))
    volumes[rng.random(len(volumes)) < 0.2] = 0.0  # closed intervals
    key = int(rng.integers(0, 2**62))
    n = int(rng.integers(1, 40)) if trial % 2 else None  # odd: extensions of the stream
    ref = whole_run(volumes, 900.0, key, n)
    if n is None:
        assert poisson_times(volumes, 900.0, key).tobytes() == ref.tobytes()
    for block in (None, 1, 5, 64):
        got = list(poisson_blocks(volumes, 900.0, key, block, n))
        lengths = [len(t) for _, t, _ in got]
        assert [first for first, _, _ in got] == np.cumsum([0, *lengths])[:-1].tolist()
        assert all(block is None or len(t) <= block for _, t, _ in got)
        joined = np.concatenate([t for _, t, _ in got]) if got else np.empty(0)
        assert joined.tobytes() == ref.tobytes()
        for j, (_, t, floor) in enumerate(got):  # no later point before min(last, floor)
            later = np.concatenate([u for _, u, _ in got[j + 1:]] or [np.empty(0)])
            assert np.all(later >= min(t[-1], floor))


ONE_CLASS = scenario(TINY, horizon__days=3, horizon__intervals_per_day=10,
                     arrivals={"calls_per_interval": 30, "day_volume_cv": 0.3},
                     classes={"a": {"mix": 1.0, "priority": 0, "queue": "q",
                                    "patience": {"dist": "exponential", "mean": 40},
                                    "handle_time": {"dist": "lognormal", "mean": 50,
                                                    "sd": 20}, "answer_delay": 3}},
                     groups={"g": {"staffing": 2}, "h": {"staffing": 1}},
                     queues={"q": {"groups": ["g", "h"]}})
TWO_CLASSES = scenario(ONE_CLASS, arrivals={"calls_per_interval": 30})
TWO_CLASSES["classes"]["b"] = {"mix": 0.4, "priority": 1, "queue": "q", "handle_time": 20}
TWO_CLASSES["classes"]["a"]["mix"] = 0.6


def fed(spec, block: int) -> list[tuple]:
    """The feed's buffers, as the engine takes them: each after the first begins with
    the previous buffer's last call (as passed, or drawn again: the same bits)."""
    feed, out = DayFeed(spec, 4, 1, block), []
    buf = feed.load(None)
    out.append(buf)
    while feed.more:
        last = tuple(a[-1:].copy() for a in buf)
        buf = feed.load(last)
        for a, b in zip(last, buf, strict=True):
            assert a.tobytes() == b[:1].tobytes()
        out.append(buf)
    return out


@pytest.mark.parametrize("scn,block", [(ONE_CLASS, 7), (ONE_CLASS, 64), (ONE_CLASS, 10**6),
                                       (TWO_CLASSES, 7)])
def test_the_feed_is_the_whole_days_in_order(scn, block):
    spec = build_model_spec(scn)
    buffers = fed(spec, block)
    whole = [day_inputs(spec, 4, 1, d) for d in range(spec.days)]
    for i in range(8):  # each array: the buffers, less the repeated call, are the days'
        got = np.concatenate([buffers[0][i]] + [b[i][1:] for b in buffers[1:]])
        assert got.tobytes() == np.concatenate([w[i] for w in whole]).tobytes()
    n = sum(len(w[0]) for w in whole)
    assert n > 500
    if len(spec.classes) == 1:  # a block at a time (and the pending call)
        assert max(len(b[0]) for b in buffers) <= block + 1
        assert len(buffers) >= min(n // block, spec.days)
    else:  # whole days
        assert len(buffers) == spec.days


def test_a_call_rounded_past_the_next_interval_waits_for_its_block(monkeypatch):
    """Rounding can put an interval's last arrival a hair past the next one's first: the
    whole day's stable sort swaps them, so a block holds back calls after ``min(its last
    time, the next interval's start)`` until the next block, and the feed swaps them too."""
    spec = build_model_spec(scenario(ONE_CLASS, horizon__days=1))
    rng = np.random.default_rng(0)
    times, floors = [], []
    for k in range(10):  # interval k: sorted times, the last one past the next start
        t = np.sort(rng.uniform(100 * k, 100 * k + 100, 9))
        t[-1] = 100 * (k + 1) + 1e-9 if k < 9 else t[-1]
        if k:
            t[0] = 100 * k  # the next interval's first call, exactly at its start
        times.append(t)
        floors += [100.0 * (k + 1)] * 9
    t_all, floor_all = np.concatenate(times), np.array(floors)

    def blocks(volumes, interval_s, key, block, n=None):
        for first in range(0, len(t_all), block):
            t = t_all[first:first + block].copy()
            yield first, t, floor_all[first + len(t) - 1]

    monkeypatch.setattr(days, "poisson_blocks", blocks)
    for block in (4, 9, 13):
        buffers = fed(spec, block)
        got = np.concatenate([buffers[0][0]] + [b[0][1:] for b in buffers[1:]])
        order = np.argsort(t_all, kind="stable")
        assert not np.array_equal(order, np.arange(len(t_all)))  # the swaps happen
        assert got.tobytes() == t_all[order].tobytes()
        keys = np.concatenate([buffers[0][7]] + [b[7][1:] for b in buffers[1:]])
        from sim.sampling import call_keys, stream_key
        assert np.array_equal(keys, call_keys(stream_key(4, 1, "call", "a", 0), order))


@pytest.mark.parametrize("overrides", [
    ["scenario=single_queue", "n_reps=2", "scenario.horizon.days=2",
     "+scenario.arrivals.day_volume_cv=0.2"],
    ["experiment=erlang_a", "n_reps=1", "+scenario.classes.calls.answer_delay=2"],
], ids=["single_queue 2 days", "erlang_a"])
def test_engines_agree_when_days_span_many_blocks(overrides, tmp_path, monkeypatch):
    monkeypatch.setattr(days, "BLOCK_CALLS", 97)
    assert_same_outputs(*run_both(overrides, tmp_path))
