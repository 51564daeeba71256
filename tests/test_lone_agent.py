"""experiments/out_of_sample/lone_agent.py: the share of callers put through at an empty
queue with one agent not talking, by his time since his last hang-up."""

from __future__ import annotations

import pandas as pd
from simhelpers import experiment_script, log_call


def _call(server, t_answer, service_s, **kw):
    return log_call(server, t_answer, service_s, **{"type": "NW", **kw})


def _caller(t, priority, **kw):
    return _call("", float("nan"), 0.0, t_arrival=t, outcome="abandoned", type="PS",
                 priority=priority, **kw)


def test_callers_are_set_against_the_lone_free_agents_idle_time():
    """A is in a session 1000-1560 (calls 1000-1060 and 1500-1560). PS callers at 1030
    (A talking: no agent free, not counted), 1100 (A idle 40 s: put through), 1400 (idle
    340 s: identified) and 1420 (an ACD caller waits 1410-1450: not counted)."""
    la = experiment_script("lone_agent")
    log = pd.DataFrame([
        _call("A", 1000.0, 60.0), _call("A", 1500.0, 60.0),
        _caller(1030.0, 0), _caller(1100.0, 0), _caller(1400.0, 2),
        _call("", float("nan"), 0.0, t_arrival=1410.0, wait_s=40.0, queued=True,
              desk="acd", outcome="abandoned", priority=2),
        _caller(1420.0, 0),
    ])
    table = la.lone_agent(la.log_frames(log))
    assert list(table.index) == ["30-60 s", "300-600 s"]
    assert list(table["callers"]) == [1, 1]
    assert list(table["unidentified"]) == [1.0, 0.0]


def test_a_run_is_read_alike_hidden_work_no_call_and_busy_tones_not_arrivals(tmp_path):
    """One agent all day. His calls: 1000-1060, 1080-1090, 1300-1400, 1500-1560 (his
    session 1000-1560); hidden work 1100-1290 is no call. A p0 caller at 1070 finds him
    idle 10 s (put through); a busy tone at 1150 is no arrival; the p2 caller at 1200
    finds him idle 110 s (identified), the queue still empty; a p0 caller at 1490 finds
    him idle 90 s (put through)."""
    import yaml

    la = experiment_script("lone_agent")
    scn = {"horizon": {"interval_s": 1800},
           "classes": {"p2_PS": {"queue": "acd"}, "p0_PS": {"queue": "direct_line"},
                       "hidden_work": {"queue": "hidden_work"}},
           "groups": {"agents": {"staffing": [1] * 48}}}
    (tmp_path / "resolved_config.yaml").write_text(yaml.safe_dump({"scenario": scn}))
    rows = [("p0_PS", 995.0, 1000.0, 1000.0, 1060.0, "answered", 0),
            ("p0_PS", 1070.0, 1080.0, 1080.0, 1090.0, "answered", 0),
            ("hidden_work", 1100.0, 1100.0, 1100.0, 1290.0, "answered", 0),
            ("p0_PS", 1150.0, 1155.0, float("nan"), 1156.0, "disconnected", -1),
            ("p2_PS", 1200.0, 1210.0, 1300.0, 1400.0, "answered", 0),
            ("p0_PS", 1490.0, 1500.0, 1500.0, 1560.0, "answered", 0)]
    calls = pd.DataFrame(rows, columns=["class", "t_arrival", "t_queue", "t_answer",
                                        "t_end", "outcome", "agent"])
    calls = calls.assign(rep=0, t_left_queue=calls["t_answer"].fillna(calls["t_end"]))
    calls.to_parquet(tmp_path / "calls.parquet")
    table = la.lone_agent(la.sim_frames(tmp_path))
    assert list(table.index) == ["0-30 s", "60-120 s"]
    assert list(table["callers"]) == [1, 2]
    assert list(table["unidentified"]) == [1.0, 0.5]
