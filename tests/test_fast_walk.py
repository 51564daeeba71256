"""IVR walks (``sim.fast.loop.ivr_walk``): the compiled loop passes the nodes a call goes
through without touching anything shared as one event, and that changes no call.

The engines' equality tests (tests/test_fast_hotline.py, the hotline property tests) check
the walks against SimPy; these check the walks against the loop without them, on the same
arrays, and that they are on only where the reasoning in ``ivr_walk`` holds."""

from __future__ import annotations

import pytest
from simhelpers import make_policy
from test_fast_engine import compose_cfg
from test_fast_hotline import HOT, VARIANTS
from test_fast_property import assert_same_record

from sim.config import build_model_spec
from sim.fast import loop as L
from sim.fast.engine import FastRun
from sim.records import Recorder


def run(spec, walks: bool, policy: str = "strict_priority") -> tuple[list[dict], Recorder, int]:
    """One replication on the loop with walks on or off: its call chunks, its Recorder and
    the events it scheduled."""
    chunks: list[dict] = []
    rec = Recorder.for_spec(spec, chunks.append)
    fr = FastRun(spec, make_policy(policy)(), 5, 2, rec)
    fr.policy_name = "test"
    fr.sp[11][L.IP_WALK] = int(walks)
    fr.run()
    return chunks, rec, int(fr.st[0][L.S_EID])


@pytest.mark.parametrize("variant", ["as shipped", *VARIANTS])
def test_walks_change_no_call_and_save_events(variant):
    overrides = HOT if variant == "as shipped" else [*HOT, *VARIANTS[variant]]
    spec = build_model_spec(compose_cfg(overrides)["scenario"])
    chunks, rec, events = run(spec, True)
    chunks_without, rec_without, events_without = run(spec, False)
    assert_same_record(chunks, rec, chunks_without, rec_without)
    assert sum(len(c["call_id"]) for c in chunks) > 1000
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
    chunks, rec, events = run(spec, True)
    chunks_without, rec_without, events_without = run(spec, False)
    assert_same_record(chunks, rec, chunks_without, rec_without)
    assert events == events_without
