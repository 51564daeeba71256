"""experiments/out_of_sample/free_agents.py: the moments are read off the log with its own
conventions (sessions, talking plus after-call slack), and the per-agent estimate
recovers a known probability that a not-talking agent is free."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from simhelpers import experiment_script


def _module():
    return experiment_script("free_agents")


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
    # a minute of slack: A still counts as talking 50 s and 59.5 s after his hang-ups
    assert list(fa.log_moments(log, 60.0)["talking"]) == [2, 2]


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


def test_direct_callers_are_split_by_an_acd_caller_waiting_past_90_s():
    fa = _module()
    log = pd.DataFrame([
        _call("A", 900.0, 100.0, desk="acd"),  # A's session 900-1300 (ACD callers served
        _call("A", 1200.0, 100.0, desk="acd"),  # at once: no congestion of their own)
        # ACD caller queued at 1000, answered at 1200: waited past 90 s from 1090 on
        _call("B", 1200.0, 50.0, desk="acd", t_arrival=1000.0, wait_s=200.0, queued=True),
        # direct callers: at 1050 (ACD caller waiting, not yet 90 s), waited 10 s;
        # at 1100 (past 90 s), answered at once; at 1150 (past 90 s), waited 30 s
        _call("A", 1060.0, 5.0, t_arrival=1050.0, wait_s=10.0, queued=True),
        _call("A", 1100.0, 5.0, t_arrival=1100.0),
        _call("A", 1180.0, 5.0, t_arrival=1150.0, wait_s=30.0, queued=True),
    ])
    t = fa.direct_during_congestion(log, "synthetic").set_index("acd_waited_90s")
    assert t.loc[True, "direct_callers"] == 2 and t.loc[True, "at_once"] == 0.5
    assert t.loc[False, "direct_callers"] == 1 and t.loc[False, "at_once"] == 0.0
    assert set(t["present"]) == {"1-3"} and abs(t["share"].sum() - 1) < 1e-9


def test_sim_hourly_occupancy_is_talk_over_the_schedule(tmp_path):
    """One agent present all day (2 scheduled, shrinkage 0.5), two replications, each with
    a call talking 3600-5400 s (half of hour 1) and a hidden-work task (left out)."""
    import yaml

    fa = _module()
    scn = {"horizon": {"interval_s": 1800},
           "groups": {"agents": {"staffing": [2] * 48,
                                 "availability": {"shrinkage": [0.5] * 48}}}}
    (tmp_path / "resolved_config.yaml").write_text(yaml.safe_dump({"scenario": scn}))
    calls = pd.DataFrame([{"rep": r, "class": c, "t_answer": t0, "t_end": t0 + 1800.0}
                          for r in (0, 1) for c, t0 in (("p0_NW", 3600.0),
                                                         ("hidden_work", 0.0))])
    calls.to_parquet(tmp_path / "calls.parquet")
    occ = fa.sim_hourly_occupancy(tmp_path)
    assert occ.loc[1] == 0.5
    assert occ.loc[0] == 0 and len(occ) == 24  # the hidden task is not talk
    scn["horizon"]["days"] = 2  # a --day-mix run: refused, not read as one day
    (tmp_path / "resolved_config.yaml").write_text(yaml.safe_dump({"scenario": scn}))
    with pytest.raises(ValueError, match="day-mix run"):
        fa.sim_hourly_occupancy(tmp_path)
