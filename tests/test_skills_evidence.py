"""experiments/out_of_sample/skills.py: who served which call types, each agent's skill
set (types above a share and a count of his calls) and the groups of agents with the same
set, on a synthetic log with known skills."""

from __future__ import annotations

import pandas as pd
import pytest
from simhelpers import experiment_script


def _module():
    return experiment_script("skills")


def _log(calls: dict[str, dict[str, int]]) -> pd.DataFrame:
    """Served calls of 100 s by agent and class; one abandoned and one unnamed call."""
    rows = [{"server": agent, "class": cls, "outcome": "served", "service_s": 100.0}
            for agent, by in calls.items() for cls, n in by.items() for _ in range(n)]
    rows += [{"server": "", "class": "p0_NW", "outcome": "served", "service_s": 50.0},
             {"server": "", "class": "p0_NW", "outcome": "abandoned", "service_s": 0.0}]
    return pd.DataFrame(rows)


LOG = _log({"A": {"p0_PS": 90, "p1_NE": 10},   # PS + NE
            "B": {"p2_PS": 80, "p0_NE": 20},   # PS + NE (priorities pooled by type)
            "C": {"p0_PS": 196, "p1_NW": 4},   # PS (4 NW: under MIN_CALLS, occasional)
            "D": {"p0_NW": 50, "p0_TT": 50},   # NW + TT
            "E": {"p0_PS": 3}})                # too few calls for any skill


def test_served_by_agent_counts_named_served_calls_by_type():
    table = _module().served_by_agent(LOG)
    assert list(table.index) == ["C", "A", "B", "D", "E"]  # busiest first
    assert table.loc["B", "NE"] == 20 and table.loc["B", "PS"] == 80
    assert table.loc["D", "NW"] == 50 and table.values.sum() == 503  # unnamed left out


def test_skill_sets_leave_out_occasional_types():
    sk = _module()
    sets = sk.skill_sets(sk.served_by_agent(LOG))
    assert sets.to_dict() == {"C": "PS", "A": "NE+PS", "B": "NE+PS", "D": "NW+TT",
                              "E": "none (few calls)"}
    # a lower count threshold takes C's 4 NW calls (2 % of his) as a skill
    assert sk.skill_sets(sk.served_by_agent(LOG), min_calls=4)["C"] == "NW+PS"


def test_skill_groups_share_the_types_and_the_talk():
    g = _module().skill_groups(LOG)
    assert g.loc["NE+PS", "agents"] == 2 and g.loc["PS", "agents"] == 1
    assert g.loc["NE+PS", "NE"] == 1.0  # every NE call
    assert g.loc["NE+PS", "PS"] == pytest.approx(170 / 369, abs=1e-3)
    assert g.loc["NW+TT", "NW"] == pytest.approx(50 / 54, abs=1e-3)
    assert g["talk_share"].sum() == pytest.approx(1.0, abs=2e-3)
    assert g.loc["PS", "talk_share"] == pytest.approx(200 / 503, abs=1e-3)


def test_at_once_by_free_tabulates_types_by_agents_not_talking():
    # 12 NW callers with 1 agent not talking (3 at once), 12 with 5 (capped at 4: 9 at
    # once), 5 TT callers (under MIN_CELL: blank), 3 with nobody present (left out)
    rows = ([{"present": 3, "talking": 2, "at_once": i < 3, "class": "p0_NW"}
             for i in range(12)]
            + [{"present": 6, "talking": 1, "at_once": i < 9, "class": "p0_NW"}
               for i in range(12)]
            + [{"present": 2, "talking": 1, "at_once": True, "class": "p0_TT"}] * 5
            + [{"present": 0, "talking": 0, "at_once": False, "class": "p0_NW"}] * 3)
    t = _module().at_once_by_free(pd.DataFrame(rows))
    assert list(t.index) == [1, 4]
    assert t.loc[1, "NW"] == 0.25 and t.loc[4, "NW"] == 0.75
    assert t["TT"].isna().all()


def _acd(t, wait, prio=0, cls="p0_NW", outcome="served"):
    return {"date": pd.Timestamp("1999-01-04"), "t_arrival": t, "ivr_s": 0.0,
            "wait_s": wait, "priority": prio, "class": cls, "outcome": outcome,
            "desk": "acd"}


def test_queue_bypass_flags_callers_answered_past_an_earlier_waiting_one():
    log = pd.DataFrame([
        _acd(1000.0, 120.0),               # waits 1000-1120
        _acd(1050.0, 0.0, cls="p0_TT"),    # at once while the NW caller had waited 50 s
        _acd(1020.0, 0.0, cls="p0_TT"),    # at once, the NW caller had waited 20 s only
        _acd(1060.0, 0.0, prio=1, cls="p1_TT"),  # another priority waits: no bypass
        _acd(2000.0, 0.0),                 # nobody waits
        _acd(1070.0, 1.0, cls="p0_TT", outcome="abandoned"),  # not answered: left out
        {**_acd(1080.0, 0.0, cls="p0_TT"), "desk": "direct"},  # direct line: left out
    ])
    b = _module().queue_bypass(log, 2.0)
    assert b.loc["p0_TT", "at_once"] == 2
    assert b.loc["p0_TT", "while_same_priority_waited"] == 0.5
    assert b.loc["p1_TT", "while_same_priority_waited"] == 0.0
    assert b.loc["p0_NW", "at_once"] == 1 and b.loc["p0_NW", "while_same_priority_waited"] == 0
    # a shorter threshold counts the 20 s wait too
    assert _module().queue_bypass(log, 2.0, 10.0).loc["p0_TT",
                                                      "while_same_priority_waited"] == 1.0
