"""Exact event traces on tiny deterministic scenarios: who is answered when, by whom."""

from __future__ import annotations

import math

import pytest
from simhelpers import TINY, run_calls, scenario

pytestmark = pytest.mark.reference_too  # also with auto = the SimPy reference (conftest)


def rows(df, *cols):
    return [tuple(None if (isinstance(v, float) and math.isnan(v)) else v for v in r)
            for r in df[list(cols)].itertuples(index=False)]


def test_priority_beats_fifo_and_impatient_caller_abandons():
    scn = scenario(arrivals__trace=[[0, "b"], [10, "b"], [20, "a"]])
    df, _ = run_calls(scn)
    assert rows(df, "class", "t_arrival", "t_answer", "t_end", "outcome", "agent") == [
        ("b", 0.0, 0.0, 50.0, "answered", 0),
        ("b", 10.0, None, 55.0, "abandoned", -1),  # patience 45 s; the agent took "a" at 50
        ("a", 20.0, 50.0, 100.0, "answered", 0),
    ]


def test_fifo_policy_serves_longest_waiting_first():
    scn = scenario(arrivals__trace=[[0, "b"], [10, "b"], [20, "a"]])
    df, _ = run_calls(scn, policy="fifo")
    assert rows(df, "class", "t_answer", "t_end", "outcome") == [
        ("b", 0.0, 50.0, "answered"),
        ("b", 50.0, 100.0, "answered"),
        ("a", 100.0, 150.0, "answered"),
    ]


def test_forced_disconnect_versus_abandonment():
    scn = scenario(arrivals__trace=[[0, "a"], [1, "a"], [2, "b"]],
                   queues__q__max_wait_s=40)
    scn["classes"]["a"]["handle_time"] = 500
    df, _ = run_calls(scn)
    # a@1 has infinite patience: the system disconnects it at 40 s of waiting;
    # b@2 has patience 45 > 40: disconnected too, not abandoned
    assert rows(df, "t_arrival", "t_end", "outcome") == [
        (0.0, 500.0, "answered"), (1.0, 41.0, "disconnected"), (2.0, 42.0, "disconnected")]
    scn["queues"]["q"]["max_wait_s"] = 60  # now patience (45) runs out first
    df, _ = run_calls(scn)
    assert rows(df, "t_end", "outcome")[2] == (47.0, "abandoned")
    assert rows(df, "t_end", "outcome")[1] == (61.0, "disconnected")


def test_agent_finishes_call_before_leaving_when_headcount_drops():
    scn = scenario(arrivals__trace=[[0, "a"], [10, "a"], [120, "b"]],
                   groups__g__staffing=[2, 1, 1, 1, 1, 1, 1, 1, 1, 1])
    scn["classes"]["a"]["handle_time"] = 150
    scn["classes"]["b"]["patience"] = None
    scn["classes"]["b"]["handle_time"] = 10
    df, rec = run_calls(scn)
    # both agents are busy when headcount drops to 1 at t=100; agent 0 finishes at 150
    # and logs off, agent 1 finishes at 160 and takes the waiting call
    assert rows(df, "t_answer", "t_end", "agent") == [
        (0.0, 150.0, 0), (10.0, 160.0, 1), (160.0, 170.0, 1)]
    assert rec.group_staffed_s[0, :2].tolist() == [200.0, 150.0]
    assert rec.group_busy_s[0, :2].tolist() == [190.0, 120.0]  # 50 + 60 + 10 in [100, 200)


def test_idle_agents_leave_at_once_and_new_agents_take_waiting_calls():
    scn = scenario(arrivals__trace=[[0, "a"], [5, "a"], [6, "a"]],
                   groups__g__staffing=[1, 3, 0, 0, 0, 0, 0, 0, 0, 0])
    df, rec = run_calls(scn)
    # one agent until t=100: calls at 5 and 6 wait; at 100 two more agents join and take
    # them at once (the first agent is busy until 50, then takes call@5)
    assert rows(df, "t_answer", "agent") == [(0.0, 0), (50.0, 0), (100.0, 1)]
    # at 200 headcount drops to 0 with everyone idle: logged in until 200 exactly
    assert rec.group_staffed_s[0, :3].tolist() == [100.0, 300.0, 0.0]


def test_after_call_work_keeps_agent_busy_but_not_the_caller():
    scn = scenario(arrivals__trace=[[0, "a"], [1, "a"]])
    scn["classes"]["a"]["after_call_work"] = 20
    df, rec = run_calls(scn)
    assert rows(df, "t_answer", "t_end", "acw_s") == [(0.0, 50.0, 20.0), (70.0, 120.0, 20.0)]
    assert rec.calls["wait_answered_s"].sum() == 69.0


def test_group_preference_order_and_overflow():
    scn = scenario(arrivals__trace=[[0, "a"], [1, "a"], [2, "a"]])
    scn["queues"]["q"]["groups"] = ["vip_desk", "general"]
    scn["groups"] = {"vip_desk": {"staffing": 1}, "general": {"staffing": 1}}
    scn["classes"]["a"]["handle_time_by_group"] = {"general": 80}
    df, _ = run_calls(scn)
    # first call to the preferred vip_desk; second overflows to general (80 s there);
    # third waits for the first agent free (vip_desk at 50)
    assert rows(df, "group", "t_answer", "t_end") == [
        ("vip_desk", 0.0, 50.0), ("general", 1.0, 81.0), ("vip_desk", 50.0, 100.0)]


def test_ivr_time_delays_the_request_for_an_agent():
    scn = scenario(arrivals__trace=[[0, "a"], [0, "b"]])
    scn["classes"]["b"]["ivr_time"] = 30
    scn["classes"]["a"]["handle_time"] = 100
    df, _ = run_calls(scn)
    assert rows(df, "t_arrival", "t_queue", "t_answer", "outcome") == [
        (0.0, 0.0, 0.0, "answered"), (0.0, 30.0, None, "abandoned")]
    assert df["t_end"].tolist() == [100.0, 75.0]  # b waits from 30, patience 45


def test_trunk_lines_block_arrivals_when_full():
    scn = scenario(arrivals__trace=[[0, "a"], [1, "a"], [2, "a"], [60, "a"]], lines=2)
    df, _ = run_calls(scn)
    # lines hold calls in IVR, queue or talk: the third call finds both busy
    assert rows(df, "t_arrival", "outcome") == [
        (0.0, "answered"), (1.0, "answered"), (2.0, "blocked"), (60.0, "answered")]


def test_own_work_takes_no_trunk_line():
    """A task of the agents' own work (``kind: work``) is not a phone call: it neither
    holds the one line nor is blocked when a call holds it."""
    scn = scenario(arrivals__trace=[[0, "w"], [1, "a"], [2, "w"], [3, "a"], [65, "a"]],
                   lines=1, classes__w={"mix": 0.0, "priority": 9, "queue": "q",
                                        "patience": None, "handle_time": 10,
                                        "kind": "work"})
    df, _ = run_calls(scn)
    assert rows(df, "class", "t_arrival", "outcome", "t_answer") == [
        ("w", 0.0, "answered", 0.0),
        ("a", 1.0, "answered", 10.0),  # the line was free: the task holds none
        ("w", 2.0, "answered", 60.0),  # not blocked while the call holds the line
        ("a", 3.0, "blocked", None),   # the call at 1 holds it (to its hang-up at 60)
        ("a", 65.0, "answered", 70.0)]


def _away_lines(trace: list, **task) -> dict:
    """One agent, two lines, a call-kind away task ``h`` (queue ``w``) he drops for a
    caller who has waited 20 s."""
    return scenario(arrivals__trace=trace, lines=2, queues__w={"groups": ["g"]},
                    classes__h={"mix": 0.0, "priority": 9, "queue": "w", "patience": None,
                                **task},
                    groups__g__availability={"reaction_time": 20, "away_work": ["w"]})


def test_an_away_task_dropped_in_its_talk_frees_its_line():
    scn = _away_lines([[0, "h"], [100, "a"], [130, "a"], [140, "a"], [600, "a"],
                       [601, "a"], [602, "a"]], handle_time=500)
    df, _ = run_calls(scn)
    assert rows(df, "class", "t_arrival", "outcome", "t_answer", "t_end") == [
        ("h", 0.0, "answered", 0.0, 120.0),  # dropped at 120 for the caller of 100
        ("a", 100.0, "answered", 120.0, 170.0),
        ("a", 130.0, "answered", 170.0, 220.0),  # h's line is free since 120
        ("a", 140.0, "blocked", None, 140.0),  # the callers of 100 and 130 hold both
        # h's planned hang-up at 500 frees nothing more: two lines, not three
        ("a", 600.0, "answered", 600.0, 650.0), ("a", 601.0, "answered", 650.0, 700.0),
        ("a", 602.0, "blocked", None, 602.0)]


def test_an_away_task_dropped_in_its_after_call_work_frees_no_second_line():
    scn = _away_lines([[0, "h"], [150, "a"], [175, "a"], [180, "a"]], handle_time=100,
                      after_call_work=200)
    df, _ = run_calls(scn)
    assert rows(df, "class", "t_arrival", "outcome", "t_answer") == [
        ("h", 0.0, "answered", 0.0),  # hung up at 100, in after-call work when dropped
        ("a", 150.0, "answered", 170.0),
        ("a", 175.0, "answered", 220.0),
        ("a", 180.0, "blocked", None)]


def test_calls_still_waiting_at_close_are_disconnected():
    scn = scenario(arrivals__trace=[[0, "a"], [950, "a"], [960, "a"]],
                   horizon__drain_s=50)
    scn["classes"]["a"]["handle_time"] = 120
    df, _ = run_calls(scn)
    # the centre closes at 1000 + 50 s; call@960 still waits (the agent is busy to 1070)
    assert rows(df, "t_end", "outcome") == [
        (120.0, "answered"), (1070.0, "answered"), (1050.0, "disconnected")]


@pytest.mark.parametrize("policy", ["strict_priority", "fifo"])
def test_conservation_with_every_feature_on(policy):
    from simhelpers import run_spec

    scn = scenario(TINY, arrivals={"calls_per_interval": 40},
                   groups__g__staffing=[3, 2, 4, 1, 0, 2, 3, 3, 1, 2], lines=12,
                   queues__q__max_wait_s=90)
    scn["classes"]["a"].update(ivr_time={"dist": "exponential", "mean": 10},
                               after_call_work={"dist": "gamma", "mean": 10, "sd": 5},
                               patience={"dist": "lognormal", "mean": 60, "sd": 40})
    res = run_spec(scn, n_reps=3, policy=policy)
    c = res.summary["conservation"]
    assert c["offered"] > 1000
    assert c["offered"] == (c["answered"] + c["abandoned"] + c["disconnected"]
                            + c["self_served"] + c["blocked"])
    assert min(c["answered"], c["abandoned"], c["disconnected"], c["blocked"]) > 0


def test_agent_states_follow_the_call():
    """One agent: idle, busy while talking (0-50 s), after-call work (50-70 s), idle again;
    routing sees it idle only then."""
    from simhelpers import make_policy

    from sim.config import build_model_spec
    from sim.model.agents import AgentState
    from sim.model.center import Center
    from sim.records import Recorder

    scn = scenario(arrivals__trace=[[5, "a"]])
    scn["classes"]["a"]["after_call_work"] = 20
    spec = build_model_spec(scn)
    center = Center(spec, make_policy("strict_priority")(), 1, 0, Recorder.for_spec(spec))
    center.start()
    group = center.groups[0]
    seen = []
    for t in (1, 30, 60, 80):
        center.env.run(until=t)
        seen.append((group.state_of(0, t), group.idle))
    assert seen == [(AgentState.IDLE, 1), (AgentState.BUSY, 0), (AgentState.ACW, 0),
                    (AgentState.IDLE, 1)]


def test_agent_state_machine_refuses_impossible_transitions():
    from sim.model.agents import AgentGroup, AgentState
    from sim.model.spec import GroupSpec

    group = AgentGroup(GroupSpec("g", 0, (1,), (0,), 0.0))
    group.set_target(1, 0.0)
    agent = group.take(0.0)
    assert group.state_of(agent, 0.0) == AgentState.BUSY and group.busy == 1
    group.set_target(0, 1.0)  # asked to leave after this call
    assert not group.release(agent, 2.0)  # logs out
    assert group.count[AgentState.LOGGED_OUT] == 1 and group.busy == 0
    with pytest.raises(RuntimeError, match="LOGGED_OUT -> BUSY"):
        group.keep_busy(agent, 3.0)
