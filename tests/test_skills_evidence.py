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
