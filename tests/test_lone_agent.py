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
