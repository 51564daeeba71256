"""Differential property test: on random small scenarios (classes, priorities, queues with
group preference orders, staffing changes, lines, patience, announcements, forced
disconnect, answer delays, IVR time, trace or Poisson arrivals over several days, drain)
under every built-in policy, ``engine: fast`` records the same calls as ``engine: simpy``
— every column of every record, in the same order, in the same chunks — and the same
interval accumulators, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from simhelpers import POLICIES, make_policy

import sim.runner
from sim.config import build_model_spec
from sim.records import Recorder


class _SmallChunks(Recorder):
    """A recorder folding every 7 calls."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, chunk=7, **kwargs)

ACCUMULATORS = ("fcr", "work_orders", "announcements", "press2", "virtual_holds",
                "group_busy_s", "group_staffed_s", "group_answered", "group_handle_s",
                "queue_area", "wait_hist")


def dist(draw, *, patience: bool = False):
    kind = draw(st.sampled_from(["exponential", "deterministic", "lognormal", "uniform"]
                                + (["none"] if patience else [])))
    mean = draw(st.sampled_from([5.0, 20.0, 45.0, 90.0]))
    if kind == "none":
        return None
    if kind == "deterministic":
        return mean
    if kind == "lognormal":
        return {"dist": "lognormal", "mean": mean, "sd": mean / 2}
    if kind == "uniform":
        return {"dist": "uniform", "low": mean / 2, "high": mean * 1.5}
    return {"dist": "exponential", "mean": mean}


@st.composite
def scenarios(draw):
    per_day = draw(st.integers(2, 5))
    days = draw(st.integers(1, 2))
    interval_s = draw(st.sampled_from([60.0, 100.0, 250.0]))
    n_groups = draw(st.integers(1, 2))
    groups = [f"g{i}" for i in range(n_groups)]
    queue_names = ["vip", "general"][:draw(st.integers(1, 2))]
    queues = {}
    for q in queue_names:
        members = draw(st.permutations(groups))[:draw(st.integers(1, n_groups))]
        queues[q] = {"groups": list(members)}
        if draw(st.booleans()):
            queues[q]["max_wait_s"] = draw(st.sampled_from([15.0, 40.0, 120.0]))
        if draw(st.booleans()):
            queues[q]["announce_s"] = draw(st.sampled_from([[5.0], [10.0, 25.0]]))
    group_cfg = {}
    for g in groups:
        served = [q for q in queue_names if g in queues[q]["groups"]]
        group_cfg[g] = {"staffing": draw(st.lists(st.integers(0, 3), min_size=per_day,
                                                  max_size=per_day))}
        if len(served) > 1 and draw(st.booleans()):
            group_cfg[g]["queues"] = served[::-1]
    n_classes = draw(st.integers(1, 3))
    classes = {}
    for i in range(n_classes):
        c = {"mix": 1.0 / n_classes, "priority": draw(st.integers(0, 2)),
             "queue": draw(st.sampled_from(queue_names)),
             "patience": dist(draw, patience=True), "handle_time": dist(draw)}
        if draw(st.booleans()):
            c["after_call_work"] = dist(draw)
        if draw(st.booleans()):
            c["ivr_time"] = {"dist": "exponential", "mean": 4.0}
        if draw(st.integers(0, 3)) == 0:
            c["answer_delay"] = draw(st.sampled_from([3.0, {"dist": "exponential",
                                                            "mean": 6.0}]))
        if n_groups > 1 and draw(st.booleans()):
            c["handle_time_by_group"] = {"g1": dist(draw)}
        classes[f"c{i}"] = c
    horizon_s = per_day * days * interval_s
    if draw(st.integers(0, 3)) == 0:
        # distinct times: with two calls at the same instant the SimPy engine can compute a
        # delay of -1 ulp to the second one (now + (t - now) rounds up) and stops
        times = sorted(draw(st.lists(st.floats(0, horizon_s, exclude_max=True,
                                               allow_subnormal=False), max_size=25,
                                     unique=True)))
        arrivals = {"trace": [[t, draw(st.sampled_from(list(classes)))] for t in times]}
    else:
        arrivals = {"calls_per_interval": draw(st.lists(
            st.sampled_from([0.0, 2.0, 5.0, 9.0]), min_size=per_day, max_size=per_day))}
        if draw(st.booleans()):
            arrivals["day_volume_cv"] = 0.3
    scn = {"name": "random", "arrivals": arrivals, "classes": classes, "queues": queues,
           "groups": group_cfg,
           "horizon": {"days": days, "interval_s": interval_s, "intervals_per_day": per_day,
                       "drain_s": draw(st.sampled_from([None, 0.0, 150.0])),
                       "warmup_s": draw(st.sampled_from([0.0, interval_s]))}}
    if draw(st.booleans()):
        scn["lines"] = draw(st.integers(1, 4))
    return scn


@st.composite
def policies(draw):
    name = draw(st.sampled_from(sorted(POLICIES)))
    params = {}
    if name == "overflow":
        params = {"delay_s": draw(st.sampled_from([0.0, 8.0])),
                  "idle_vip_take_general": draw(st.booleans())}
    elif name == "reservation":
        params = {"reserve": draw(st.integers(0, 2))}
    elif name == "virtual_hold":
        params = {"accept_prob": 0.5, "at_announcements": [1, 2]}
    return name, params


def run(spec, factory, engine: str, monkeypatch):
    chunks = []
    # a tiny chunk: the fast engine must fold exactly where Recorder.add would flush
    monkeypatch.setattr(sim.runner, "Recorder", _SmallChunks)
    rec = sim.runner.run_replication(spec, factory, 3, 1, chunks.append, engine=engine)
    return chunks, rec


@settings(max_examples=200, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(scn=scenarios(), pol=policies())
def test_fast_engine_records_the_same_calls_as_simpy(scn, pol, monkeypatch):
    spec = build_model_spec(scn)
    factory = make_policy(pol[0], **pol[1])
    try:
        a, ra = run(spec, factory, "simpy", monkeypatch)
    except RuntimeError as exc:  # a policy routed a call to a group that cannot serve it
        with pytest.raises(RuntimeError, match=str(exc)):
            run(spec, factory, "fast", monkeypatch)
        return
    b, rb = run(spec, factory, "fast", monkeypatch)
    assert len(a) == len(b)
    for ca, cb in zip(a, b, strict=True):
        assert list(ca) == list(cb)
        for k in ca:
            assert ca[k].dtype == cb[k].dtype, k
            assert np.array_equal(ca[k], cb[k], equal_nan=ca[k].dtype.kind == "f"), k
    for f in ra.calls:
        assert np.array_equal(ra.calls[f], rb.calls[f]), f
    for f in ACCUMULATORS:
        assert np.array_equal(getattr(ra, f), getattr(rb, f)), f
