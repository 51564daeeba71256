"""The last agent stays for the callers waiting (``groups.NAME.availability.
last_agent_stays_for``): when a group's headcount falls to 0, its last agent serves the
callers still waiting in the named queues (queued or in their answer delay) before he
logs out. Exact traces on tiny deterministic scenarios (SimPy reference; the fast engine
is compared on the same scenarios in tests/test_fast_last_agent.py)."""

from __future__ import annotations

import pytest
from simhelpers import run_calls, scenario

from sim.config import build_model_spec
from sim.errors import ConfigError

# staffing 1 x (1 - 0.7): one agent present for the first 30 s of each 100 s interval
PARTIAL = {"shrinkage": 0.7}
STAYS = {**PARTIAL, "last_agent_stays_for": ["q"]}
# the traces below, each with the rule on (tests/test_fast_last_agent.py runs them fast)
WORKING = [[0, "a"], [10, "a"]]  # the agent is busy when due to leave, a caller waits
DELAYED = scenario(arrivals__trace=[[20, "a"]], classes__a__answer_delay=20)
ABANDONS = scenario(arrivals__trace=[[20, "b"], [70, "a"]], classes__b__answer_delay=60,
                    groups__g__availability=STAYS)
OTHER_QUEUE = scenario(arrivals__trace=WORKING, queues__r={"groups": ["g"]},
                       classes__c={"mix": 0.0, "priority": 0, "queue": "r", "patience": None,
                                   "handle_time": 50},
                       groups__g__availability={**PARTIAL, "last_agent_stays_for": ["r"]})
TWO_AGENTS = scenario(arrivals__trace=[[0, "a"], [0, "a"], [10, "a"], [20, "a"]],
                      groups__g__staffing=2,
                      groups__g__availability={"shrinkage": 0.35,
                                               "last_agent_stays_for": ["q"]})
STAYING = {"working": scenario(arrivals__trace=WORKING, groups__g__availability=STAYS),
           "delayed": scenario(DELAYED, groups__g__availability=STAYS),
           "abandons": ABANDONS, "other_queue": OTHER_QUEUE, "two_agents": TWO_AGENTS}


def _answers(scn, policy: str = "strict_priority") -> list[float]:
    df, _ = run_calls(scn, policy, engine="simpy")
    return df.sort_values("t_arrival")["t_answer"].tolist()


@pytest.mark.parametrize("policy", ["strict_priority", "fifo"])
def test_a_working_last_agent_serves_the_waiting_caller_before_leaving(policy):
    """Agent busy 0..50, due to leave at 30. Off: he leaves at 50 and the caller of 10
    waits for the next interval (100). On: he answers that caller at 50."""
    assert _answers(scenario(arrivals__trace=WORKING,
                             groups__g__availability=PARTIAL), policy) == [0, 100]
    assert _answers(STAYING["working"], policy) == [0, 50]


def test_an_idle_last_agent_stays_for_a_caller_in_his_answer_delay():
    """The caller of 20 s is in a 20 s answer delay when the idle agent is due to leave
    (30 s): on, the agent stays and answers at 40; off, at the next interval (100)."""
    assert _answers(scenario(DELAYED, groups__g__availability=PARTIAL)) == [100]
    assert _answers(STAYING["delayed"]) == [40]


def test_the_staying_agent_leaves_when_the_last_waiting_caller_abandons():
    """A class-b caller (patience 45 s) enters at 20 in a 60 s answer delay: the idle
    agent stays at 30 for him, he abandons at 65, the agent logs out then; the caller of
    70 waits for the next interval (100). Logged-in time of interval 0: 65 s."""
    df, rec = run_calls(ABANDONS, engine="simpy")
    df = df.sort_values("t_arrival")
    assert df["outcome"].tolist() == ["abandoned", "answered"]
    assert df["t_answer"].tolist()[1] == 100
    assert rec.group_staffed_s[0, 0] == pytest.approx(65)


def test_only_callers_of_the_named_queues_keep_him():
    """The waiting caller is in queue q, the agent stays only for queue r: he leaves."""
    assert _answers(OTHER_QUEUE) == [0, 100]


def test_only_the_last_agent_stays():
    """Two agents busy 0..50, headcount 2 -> 1 at 30 (1.3 present): one leaves at 50 even
    though two callers wait; the other takes the caller of 10, the caller of 20 waits for
    him (100)."""
    assert _answers(TWO_AGENTS) == [0, 0, 50, 100]


def test_an_unknown_queue_names_the_key():
    with pytest.raises(ConfigError) as err:
        build_model_spec(scenario(groups__g__availability={"last_agent_stays_for": ["x"]}))
    assert "scenario.groups.g.availability.last_agent_stays_for[0]: unknown queue 'x'" in \
        str(err.value)
