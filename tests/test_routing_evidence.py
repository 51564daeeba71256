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
