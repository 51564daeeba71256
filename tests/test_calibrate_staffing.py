"""Agents' sessions and presence read off who served whom (``sim.calibrate.staffing``):
a pause longer than the session gap ends an agent's session whatever other agents (or the
same agent on another day) did."""

import pandas as pd
import pytest

from sim.calibrate.staffing import SESSION_GAP_S, presence, sessions

GAP = SESSION_GAP_S


def _served(rows):
    return pd.DataFrame(rows, columns=["date", "server", "t_answer", "service_s"]).assign(
        desk="acd")


@pytest.fixture
def served():
    """Agent A's call on day 1 ends late (10 h); agent B, sorted after A, pauses longer
    than the gap; on day 2 A pauses too. A running end over the whole log would bridge
    both pauses with A's late end."""
    return _served([
        ("1999-01-03", "A", 0.0, 36_000.0),
        ("1999-01-03", "B", 1_000.0, 100.0),
        ("1999-01-03", "B", 7_200.0, 100.0),  # a pause of 6,100 s
        ("1999-01-04", "A", 0.0, 100.0),
        ("1999-01-04", "A", 100.0 + GAP + 1, 100.0),
        ("1999-01-04", "A", 100.0 + GAP + 1 + 100 + GAP - 1, 100.0),  # within the gap
    ])


def test_pause_longer_than_the_gap_splits_each_agents_session(served):
    sess = sessions(served).sort_values(["date", "server", "t_answer"])
    got = [(d, s, a, e) for d, s, a, e in sess[["date", "server", "t_answer", "end"]]
           .itertuples(index=False)]
    a2 = 100.0 + GAP + 1
    assert got == [
        ("1999-01-03", "A", 0.0, 36_000.0),
        ("1999-01-03", "B", 1_000.0, 1_100.0),
        ("1999-01-03", "B", 7_200.0, 7_300.0),
        ("1999-01-04", "A", 0.0, 100.0),
        ("1999-01-04", "A", a2, a2 + 100 + GAP - 1 + 100),
    ]


def test_agent_is_not_present_through_his_pause(served):
    """B is present 100 s in his first half hour, not at all during his pause (the next
    three) and again from 7,200 s, whatever A's long call on the same day."""
    p = presence(served, 1800.0, 48)
    b = p.xs(("1999-01-03", "B"), level=("date", "server"))
    assert b.get(0, 0.0) == pytest.approx(100.0)
    assert [b.get(k, 0.0) for k in (1, 2, 3)] == [0.0, 0.0, 0.0]
    assert b.get(4, 0.0) == pytest.approx(100.0)
