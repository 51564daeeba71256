"""experiments/out_of_sample/routing_evidence.py: the waits of callers identified at an
empty queue with agents free."""

from __future__ import annotations

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
