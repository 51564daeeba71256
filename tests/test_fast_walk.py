"""IVR walks (``sim.fast.loop.ivr_walk``): the compiled loop passes the nodes a call goes
through without touching anything shared as one event, and that changes no call.

The engines' equality tests (tests/test_fast_hotline.py, the hotline property tests) check
the walks against SimPy; these check the walks against the loop without them, on the same
arrays, and that they are on only where the reasoning in ``ivr_walk`` holds."""

from __future__ import annotations

import numpy as np
import pytest
from simhelpers import make_policy
from test_fast_engine import compose_cfg
from test_fast_hotline import HOT, VARIANTS

from sim.config import build_model_spec
from sim.fast import loop as L
from sim.fast.engine import FastRun
from sim.records import Recorder

FIELDS = ("fcr", "work_orders", "announcements", "press2", "virtual_holds",
          "group_busy_s", "group_staffed_s", "queue_area")


def run(spec, walks: bool, policy: str = "strict_priority") -> tuple[Recorder, int]:
    """One replication on the loop with walks on or off: its records (``rec.chunks``, the
    calls' columns) and the events it scheduled."""
    chunks: list[dict] = []
    rec = Recorder.for_spec(spec, chunks.append)
    fr = FastRun(spec, make_policy(policy)(), 5, 2, rec)
    fr.policy_name = "test"
    fr.sp[11][L.IP_WALK] = int(walks)
    fr.run()
    rec.chunks = chunks  # type: ignore[attr-defined]
    return rec, int(fr.st[0][L.S_EID])


def assert_same_records(a, b) -> None:
    """The same calls, column by column, and the same counters."""
    assert len(a.chunks) == len(b.chunks)
    for ca, cb in zip(a.chunks, b.chunks, strict=True):
        assert list(ca) == list(cb)
        for k in ca:
            assert np.array_equal(ca[k], cb[k], equal_nan=ca[k].dtype.kind == "f"), k
    for f in a.calls:
        assert np.array_equal(a.calls[f], b.calls[f]), f
    for f in FIELDS:
        assert np.array_equal(getattr(a, f), getattr(b, f)), f
    assert np.array_equal(a.features.episodes, b.features.episodes)


@pytest.mark.parametrize("variant", ["as shipped", *VARIANTS])
def test_walks_change_no_call_and_save_events(variant):
    overrides = HOT if variant == "as shipped" else [*HOT, *VARIANTS[variant]]
    spec = build_model_spec(compose_cfg(overrides)["scenario"])
    with_walks, events = run(spec, True)
    without, events_without = run(spec, False)
    assert_same_records(with_walks, without)
    assert sum(len(c["call_id"]) for c in with_walks.chunks) > 1000
    # most of hotline_small's callers pass two to five nodes: each walk saves the events
    # of all but its last node
    assert events < 0.8 * events_without


def test_walks_are_off_with_trace_arrivals():
    """Trace times repeat (whole seconds in a log), so a walk's end could tie another
    event: ``ivr_walk``'s reasoning needs every time to have a continuous part."""
    poisson = build_model_spec(compose_cfg(HOT)["scenario"])
    fr = FastRun(poisson, make_policy("fifo")(), 1, 0, Recorder.for_spec(poisson))
    assert fr.sp[11][L.IP_WALK] == 1
    scn = compose_cfg(HOT)["scenario"]
    scn["arrivals"] = {"trace": [[10.0 * i, "ordinary/billing_query"] for i in range(1, 40)]}
    traced = build_model_spec(scn)
    fr = FastRun(traced, make_policy("fifo")(), 1, 0, Recorder.for_spec(traced))
    assert fr.sp[11][L.IP_WALK] == 0


def test_nodes_that_take_no_time_are_not_walked():
    """A node of zero time ends at the instant it starts, among the events already due
    then, so its end stays an event: with every node instant, walks save nothing."""
    scn = compose_cfg(HOT)["scenario"]
    for node in scn["ivr"]["nodes"].values():
        node["time"] = {"dist": "deterministic", "value": 0.0}
    spec = build_model_spec(scn)
    with_walks, events = run(spec, True)
    without, events_without = run(spec, False)
    assert_same_records(with_walks, without)
    assert events == events_without
