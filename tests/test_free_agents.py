"""experiments/out_of_sample/free_agents.py: the moments are read off the log with its own
conventions (sessions, talking plus after-call slack), and the per-agent estimate
recovers a known probability that a not-talking agent is free."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parent.parent


def _module():
    path = REPO / "experiments" / "out_of_sample" / "free_agents.py"
    spec = importlib.util.spec_from_file_location("free_agents", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _call(server, t_answer, service_s, **kw):
    row = {"date": pd.Timestamp("1999-01-02"), "server": server, "t_arrival": t_answer,
           "ivr_s": 0.0, "wait_s": 0.0, "t_answer": t_answer, "service_s": service_s,
           "outcome": "served", "desk": "direct", "priority": 0, "queued": False}
    return {**row, **kw}


def test_log_moments_counts_present_not_talking_and_at_once():
    fa = _module()
    log = pd.DataFrame([
        _call("A", 1000.0, 100.0), _call("A", 1200.0, 100.0),  # one session 1000-1300
        _call("B", 1050.0, 450.0),  # talking 1050-1500 (+ slack)
        # unidentified ACD caller at 1150: A present, his call ended 1100 (+5 s slack)
        _call("A", 1150.0, 30.0, desk="acd", queued=True, t_arrival=1150.0),
        # identified caller: not counted (he has an answer delay)
        _call("B", 1160.0, 0.0, desk="acd", priority=1, t_arrival=1160.0),
        # unidentified ACD caller who waited 40 s: not answered at once
        _call("A", 1400.0, 10.0, desk="acd", t_arrival=1360.0, wait_s=40.0, queued=True),
    ])
    m = fa.log_moments(log)
    assert list(m["present"]) == [2, 2]
    assert list(m["talking"]) == [1, 1]  # B only: A's calls ended (1105, 1305), or begin
    # with the caller himself (counted just before he arrives)
    assert list(m["at_once"]) == [True, False]


def test_free_per_agent_recovers_a_known_probability():
    fa = _module()
    rng = np.random.default_rng(16)
    rows = []
    for hour, a in ((9, 0.12), (20, 0.45)):  # day and evening, as in the log
        free = rng.integers(1, 4, 3000)
        at_once = rng.random(3000) < 1 - (1 - a) ** free
        rows.append(pd.DataFrame({"hour": hour, "present": free + 2, "talking": 2,
                                  "at_once": at_once}))
    est = fa.free_per_agent(pd.concat(rows, ignore_index=True), "synthetic")
    est = est.set_index("hours")
    for band, a in (("0-10", 0.12), ("19-22", 0.45)):
        lo, hi = (float(x) for x in est.loc[band, "a_95"].split("-"))
        assert lo <= a <= hi
        assert abs(est.loc[band, "a"] - a) < 0.03
