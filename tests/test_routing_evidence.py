"""experiments/out_of_sample/routing_evidence.py: the waits of callers identified at an
empty queue with agents free."""

from __future__ import annotations

import numpy as np
import pandas as pd
from simhelpers import experiment_script, log_call


def test_identified_waits_count_only_identified_callers_at_an_empty_queue_with_agents_free():
    """Three agents in sessions 2000-3560, none talking at 3000-3002: PS p2 (waits 20 s)
    and NE p1 (waits 40 s) count, the unidentified PS caller does not; a p2 caller at
    1000 comes before any session."""
    ev = experiment_script("routing_evidence")
    qr = experiment_script("queue_response")
    rows = [log_call(f"A{i}", t, 60.0, type="NW") for i in range(3) for t in (2000.0, 3500.0)]
    nan = float("nan")
    rows += [log_call("", nan, 0.0, t_arrival=3000.0, priority=2, wait_s=20.0, desk="acd",
                      outcome="abandoned"),
             log_call("", nan, 0.0, t_arrival=3001.0, priority=1, wait_s=40.0, desk="acd",
                      outcome="abandoned", type="NE"),
             log_call("", nan, 0.0, t_arrival=3002.0, outcome="abandoned"),
             log_call("", nan, 0.0, t_arrival=1000.0, priority=2, wait_s=5.0, desk="acd",
                      outcome="abandoned")]
    log = pd.DataFrame(rows)
    out = ev.identified_waits(log, qr.log_timelines(log))
    assert out["callers"] == 2 and out["at_once"] == 0.0 and out["median_s"] == 30.0


def test_handle_by_queue_bins_each_call_by_the_callers_still_waiting_at_its_answer():
    """One agent: ACD callers arrive at 100, 110, 120 (the third leaves at 140); the first
    is answered at 150 (60 s) while the second waits (1: himself not counted), the second
    at 210 (90 s) with nobody left (0); a direct call at 400 (30 s) finds nobody waiting
    (0); an NW call is not counted."""
    ev = experiment_script("routing_evidence")
    qr = experiment_script("queue_response")
    acd = {"desk": "acd", "queued": True}
    nan = float("nan")
    log = pd.DataFrame([
        log_call("A", 150.0, 60.0, t_arrival=100.0, wait_s=50.0, **acd),
        log_call("A", 210.0, 90.0, t_arrival=110.0, wait_s=100.0, **acd),
        log_call("", nan, 0.0, t_arrival=120.0, wait_s=20.0, outcome="abandoned", **acd),
        log_call("A", 400.0, 30.0),
        log_call("A", 600.0, 500.0, type="NW")])
    out = ev.handle_by_queue(log, qr.log_timelines(log)).set_index("waiting")
    assert list(out.index) == ["0", "1"] and (out["type"] == "PS").all()
    assert out.loc["0", "calls"] == 2 and out.loc["0", "mean_s"] == 60.0
    assert out.loc["1", "calls"] == 1 and out.loc["1", "median_s"] == 60.0


def test_end_exposure_splits_each_call_by_seconds_into_it_and_a_caller_waiting():
    """A caller waits 100-200 s. A call 50-250 s spends 30 s in [0, 30) not waiting, 10
    waiting + 20 not in [30, 60), 60 waiting in [60, 120), 30 waiting + 50 not in
    [120, 240) and ends there with nobody waiting; a call 150-190 s spends 30 + 10 s
    waiting and ends at 40 s in while the caller waits."""
    ev = experiment_script("routing_evidence")
    qr = experiment_script("queue_response")
    tl = qr.timeline(qs=[100.0], qe=[200.0], ts=np.array([]), te=np.array([]),
                     ps=[0.0], pe=[1000.0], day_s=1000.0)
    e = ev.end_exposure(tl, [50.0, 150.0], [250.0, 190.0]).set_index(["elapsed", "waiting"])
    assert e.loc[(0, False), "seconds"] == 30.0 and e.loc[(0, True), "seconds"] == 30.0
    assert e.loc[(30, True), "seconds"] == 20.0 and e.loc[(30, False), "seconds"] == 20.0
    assert e.loc[(60, True), "seconds"] == 60.0 and e.loc[(60, False), "seconds"] == 0.0
    assert e.loc[(120, True), "seconds"] == 30.0 and e.loc[(120, False), "seconds"] == 50.0
    assert e.loc[(30, True), "ends"] == 1 and e.loc[(120, False), "ends"] == 1
    assert e["ends"].sum() == 2
    h = ev.end_hazard([e.reset_index()], "x").set_index("elapsed")
    assert h.loc[30, "per_min_waiting"] == 3.0 and h.loc[120, "per_min_not"] == 1.2
    assert h.loc[120, "per_min_waiting"] == 0.0
