"""Memory in the horizon with no call file (issues 12 and 13): nothing per call or per
customer is kept once it can no longer matter, so what a replication holds grows only by
its per-interval KPI arrays.

Measured with tracemalloc at the horizon's end (before the drain) on a small hotline —
every feature on, every call a new customer need, an FCR window of an hour and a second
line with the capacity for its work orders (a backlog that grows without bound is real
work still open, not retained state) — at 14 and 42 days. The bound is derived, not
tuned: the growth may be the per-interval arrays' bytes (measured on the arrays
themselves) plus less than one pointer (8 bytes) per extra call. Keeping anything per
call — the smallest Python object is 16 bytes, a list slot 8 — breaks it.
"""

from __future__ import annotations

import copy
import gc
import tracemalloc
from pathlib import Path

import pytest
import yaml

from sim.bench_memory import per_interval_bytes
from sim.config import build_model_spec
from sim.model.center import Center
from sim.policies.strict_priority import StrictPriority
from sim.records import Recorder

REPO = Path(__file__).resolve().parent.parent
POINTER = 8  # bytes: the least that keeping anything per call costs


def small_hotline(days: int) -> dict:
    scn = yaml.safe_load((REPO / "configs" / "scenario" / "hotline_small.yaml").read_text())
    scn = copy.deepcopy(scn)
    scn["horizon"]["days"] = days
    scn["load"] = 0.1  # ~300 calls a day
    scn["customers"] = {"population": 0}  # every call a new need: the case that grew
    scn["fcr_window_s"] = 3600
    for pool in scn["second_line"]["pools"].values():
        pool["staffing"] = 10  # capacity for every work order: no growing backlog
    return scn


def retained(days: int) -> tuple[int, int, int]:
    """(bytes held at the horizon's end, bytes of per-interval arrays, calls offered)."""
    spec = build_model_spec(small_hotline(days))
    gc.collect()
    tracemalloc.start()
    try:
        rec = Recorder.for_spec(spec)
        rec.chunk = 256  # the record buffer is bounded by a chunk: keep it small here
        center = Center(spec, StrictPriority(), 1, 0, rec)
        center.start()
        center.env.run(until=spec.horizon_s)
        gc.collect()
        held = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    rec.flush()
    return held, per_interval_bytes(rec, center.components), int(rec.calls["offered"].sum())


def growth_beyond_intervals(short: int = 14, long: int = 42,
                            keep_episodes: bool = False) -> tuple[int, int]:
    """(bytes grown from ``short`` to ``long`` days beyond the per-interval arrays, extra
    calls)."""
    from sim.model.customers import Customers

    saved = Customers.on_interval_end
    if keep_episodes:  # what the model did before episodes were counted and dropped
        Customers.on_interval_end = lambda self, k, now: None  # type: ignore[method-assign]
    try:
        retained(1)  # imports and first-use caches, not counted
        (h1, p1, c1), (h2, p2, c2) = retained(short), retained(long)
    finally:
        Customers.on_interval_end = saved  # type: ignore[method-assign]
    assert p2 > p1 > 0 and c2 > 3 * c1 / 2
    return (h2 - p2) - (h1 - p1), c2 - c1


def test_nothing_per_call_is_kept_as_the_horizon_grows():
    excess, extra_calls = growth_beyond_intervals()
    assert excess < POINTER * extra_calls, (excess, extra_calls)


@pytest.mark.slow
def test_the_memory_check_catches_kept_episodes():
    """The check is sensitive: keeping every episode to the end (the old model) fails it."""
    excess, extra_calls = growth_beyond_intervals(keep_episodes=True)
    assert excess > POINTER * extra_calls, (excess, extra_calls)
