"""Agents in away work come back for a caller who waited a reaction time
(``groups.NAME.availability.reaction_time`` with ``away_work``): exact traces on tiny
deterministic scenarios (SimPy reference), and the compiled engine's same calls.

The away work is class ``h`` (one 1,000 s task, queue ``w``, lowest priority); callers
of class ``a`` (queue ``q``, no patience limit, handle 50 s) react after 20 s."""

from __future__ import annotations

import re

import pytest
from simhelpers import make_policy, run_calls, scenario

from sim.config import build_model_spec
from sim.errors import ConfigError
from sim.fast.engine import resolve_engine
from sim.model.calls import ENDINGS

AWAY = scenario(queues__w={"groups": ["g"]},
                classes__h={"mix": 0.0, "priority": 9, "queue": "w", "patience": None,
                            "handle_time": 1000},
                classes__s={"mix": 0.0, "priority": 9, "queue": "w", "patience": None,
                            "handle_time": 15})
REACT = {"reaction_time": 20, "away_work": ["w"]}


def _on(trace, rule=REACT, **changes) -> dict:
    return scenario(AWAY, arrivals__trace=trace, groups__g__availability=rule, **changes)


def _answers(scn, policy: str = "strict_priority", seed: int = 1) -> dict[str, list]:
    """Answer times and agents of each class, in arrival order."""
    df, _ = run_calls(scn, policy, seed=seed, engine="simpy")
    df = df.sort_values(["t_arrival", "call_id"])
    return {c: list(zip(d["t_answer"], d["agent"], strict=True))
            for c, d in df.groupby("class", sort=False)}


def test_one_agent_in_away_work_answers_after_the_reaction_time():
    """The agent starts a 1,000 s task at 0, a caller arrives at 10: on, answered at
    10 + 20 s by that agent, the task dropped (the agent is free after the call at 80 and
    answers the caller of 100 at once); off, at the task's end (1,000 and 1,050)."""
    trace = [[0, "h"], [10, "a"], [100, "a"]]
    assert _answers(_on(trace))["a"] == [(30, 0), (100, 0)]
    assert _answers(_on(trace, rule={}))["a"] == [(1000, 0), (1050, 0)]


@pytest.mark.parametrize("engine", ["simpy", "fast"])
def test_a_dropped_task_is_recorded_as_ending_at_the_recall(engine):
    """The task's record ends when its agent dropped it, not at its planned end, and
    says it was cut short (ending ``recalled``, still answered): dropped in its talk
    (1,000 s from 0, recalled at 30) its talk ends at 30 with no after-call work;
    dropped in its after-call work (talk 1,000-2,000, then 100 s, the caller of 2,050
    recalls at 2,070) its talk is whole and its after-call work 70 s. Off, the records
    say the planned ends (3,000 s horizon). Either way the handle time the records add
    up to (the desk's AHT) is the agent's busy time (agent-side accounting)."""
    trace = [[0, "h"], [10, "a"], [1000, "h"], [2050, "a"]]
    task_acw = {"classes__h__after_call_work": 100, "horizon__intervals_per_day": 30}

    def tasks(rule=REACT) -> list[tuple]:
        df, rec = run_calls(_on(trace, rule=rule, **task_acw), engine=engine)
        assert rec.group_handle_s.sum() == rec.group_busy_s.sum()
        h = df[df["class"] == "h"]
        return list(zip(h["t_answer"], h["t_end"], h["acw_s"], h["outcome"],
                        (ENDINGS[e] for e in h["ending_code"]), strict=True))

    assert tasks() == [(0, 30, 0, "answered", "recalled"),
                       (1000, 2000, 70, "answered", "recalled")]
    assert tasks(rule={}) == [(0, 1000, 100, "answered", "agent"),
                              (1150, 2150, 100, "answered", "agent")]


def test_the_wait_is_the_reaction_time_whatever_the_number_of_agents_away():
    """Three agents in away work from 0, 1, 2 s: the caller of 10 still waits 20 s (not
    20/3), and the agent called back is the one longest in away work (task of 0 s)."""
    scn = _on([[0, "h"], [1, "h"], [2, "h"], [10, "a"]], groups__g__staffing=3)
    got = _answers(scn)
    first_task_agent = got["h"][0][1]
    assert got["a"] == [(30, first_task_agent)]


def test_a_caller_answered_by_an_agent_freeing_first_calls_nobody_back():
    """Agents 0 (1,000 s task) and 1 (15 s task) away; the caller of 10 is answered at 15
    by the agent freeing first, so agent 0 stays in his task: of the callers of 70 and 71
    (agent 1 idle again since 65), the second waits his 20 s and calls agent 0 back at
    91. Off: he waits for agent 1 (70 + 50 = 120)."""
    trace = [[0, "h"], [0, "s"], [10, "a"], [70, "a"], [71, "a"]]
    assert [t for t, _ in _answers(_on(trace, groups__g__staffing=2))["a"]] == [15, 70, 91]
    assert [t for t, _ in _answers(_on(trace, rule={}, groups__g__staffing=2))["a"]] == \
        [15, 70, 120]


def test_nobody_away_nobody_called_back():
    """One agent busy with a caller (not away work) until 50: the caller of 10 waits for
    him whatever the reaction time."""
    assert [t for t, _ in _answers(_on([[0, "a"], [10, "a"]]))["a"]] == [0, 50]


@pytest.mark.parametrize(("delay", "answered"), [(30, 40), (5, 30)])
def test_a_caller_in_an_answer_delay_is_taken_at_the_later_of_delay_and_reaction(delay,
                                                                                  answered):
    """Reaction counted from queue entry (10 s): an answer delay of 30 s gives 40, one of
    5 s gives 10 + 20 = 30."""
    scn = _on([[0, "h"], [10, "a"]], classes__a__answer_delay=delay)
    assert [t for t, _ in _answers(scn)["a"]] == [answered]


def test_the_reaction_time_is_the_callers_own_draw():
    """A random reaction time comes from the caller's keyed stream: the same under every
    policy (common random numbers), another with another seed."""
    rule = {"reaction_time": {"dist": "lognormal", "mean": 50, "sd": 30}, "away_work": ["w"]}
    scn = _on([[0, "h"], [10, "a"]], rule=rule)
    waits = {p: _answers(scn, p)["a"][0][0] - 10 for p in ("strict_priority", "fifo")}
    assert waits["strict_priority"] == waits["fifo"]
    assert 0 < waits["fifo"] < 990  # called back, not at the task's end
    assert _answers(scn, seed=2)["a"][0][0] - 10 != waits["fifo"]


def test_a_queue_with_its_own_reaction_time_calls_back_at_its_own_time():
    """``reaction_time_by_queue: {d: 0}`` (a direct line, queue ``d``): its caller takes
    the agent in away work at once (10), while the caller of ``q`` still waits the group's
    20 s (the agent, on the direct caller until 60, is free and answers him then; with
    the group's law for both queues the direct caller waits 20 s too)."""
    rule = {**REACT, "reaction_time_by_queue": {"d": 0}}
    two = {"queues__d": {"groups": ["g"]},
           "classes__c": {"mix": 0.0, "priority": 0, "queue": "d", "patience": None,
                          "handle_time": 50}}
    trace = [[0, "h"], [10, "c"]]
    assert _answers(_on(trace, rule=rule, **two))["c"] == [(10, 0)]
    assert _answers(_on(trace, **two))["c"] == [(30, 0)]
    both = _answers(_on([[0, "h"], [5, "a"], [10, "c"]], rule=rule, **two))
    assert both == {"h": [(0, 0)], "a": [(60, 0)], "c": [(10, 0)]}  # a: nobody away at 25


def test_key_off_is_todays_model_call_for_call():
    """``reaction_time: null`` runs the reference exactly as before the key existed: the
    same calls as the compiled engine, which does not know it (random arrivals)."""
    scn = scenario(AWAY, arrivals={"calls_per_interval": 3.0},
                   classes__h__mix=0.0, classes__s__mix=0.0,
                   groups__g__availability={"reaction_time": None, "away_work": None})
    simpy, _ = run_calls(scn, engine="simpy")
    fast, _ = run_calls(scn, engine="fast")
    assert len(simpy) > 10
    assert simpy.equals(fast)


@pytest.mark.parametrize("policy", ["strict_priority", "fifo", "dynamic_priority"])
def test_key_on_the_compiled_engine_gives_the_same_calls(policy):
    """With the rule on (random arrivals, three agents, a fifth of the calls 1,000 s
    away tasks, random reaction times; callers of class b often leave first) ``auto``
    runs the compiled engine, and it gives the reference's calls, which the rule
    changes (tests/test_fast_reaction.py compares whole runs)."""
    rule = {"reaction_time": {"dist": "exponential", "mean": 30}, "away_work": ["w"]}
    calls = scenario(AWAY, arrivals={"calls_per_interval": 4.0}, classes__a__mix=0.4,
                     classes__b__mix=0.4, classes__h__mix=0.2, groups__g__staffing=3)
    scn = scenario(calls, groups__g__availability=rule)
    assert resolve_engine("auto", build_model_spec(scn), make_policy(policy)) == "fast"
    simpy, _ = run_calls(scn, policy, engine="simpy")
    fast, _ = run_calls(scn, policy, engine="fast")
    off, _ = run_calls(calls, policy, engine="simpy")
    assert len(simpy) > 30
    assert simpy.equals(fast)
    assert not simpy.equals(off)


@pytest.mark.parametrize(("rule", "needle"), [
    ({"reaction_time": 20}, "scenario.groups.g.availability.away_work: required when "
                            "reaction_time is set"),
    ({"away_work": ["w"]}, "scenario.groups.g.availability.reaction_time: required when "
                           "away_work or reaction_time_by_queue is set"),
    ({"reaction_time_by_queue": {"q": 0}},
     "scenario.groups.g.availability.reaction_time: required when away_work or "
     "reaction_time_by_queue is set"),
    ({**REACT, "reaction_time_by_queue": {"w": 0}},
     "scenario.groups.g.availability.reaction_time_by_queue.w: unknown queue 'w'; allowed: "
     "queues the group serves that are not its away work (q)"),
    ({**REACT, "reaction_time_by_queue": {"q": -1}},
     "scenario.groups.g.availability.reaction_time_by_queue.q"),
    ({"reaction_time": 20, "away_work": ["x"]},
     "scenario.groups.g.availability.away_work[0]: unknown queue 'x'"),
    ({"reaction_time": -5, "away_work": ["w"]}, "scenario.groups.g.availability.reaction_time"),
    ({"reaction_time": {"dist": "exponential", "mean": "soon"}, "away_work": ["w"]},
     "scenario.groups.g.availability.reaction_time"),
])
def test_bad_values_name_the_key(rule, needle):
    with pytest.raises(ConfigError) as err:
        build_model_spec(_on([[0, "h"]], rule=rule))
    assert needle in str(err.value)
    assert "\n" not in str(err.value)


def test_refused_with_seat_sites():
    """The called-back agent answers his caller directly, which would bypass the dialect
    rule: the combination is one error naming the key."""
    from test_fast_engine import compose_cfg

    with pytest.raises(ConfigError, match=re.escape(
            "scenario.groups.vip_desk.availability.reaction_time: not available with "
            "scenario.sites")):
        build_model_spec(compose_cfg([
            "scenario=hotline_small",
            "+scenario.groups.vip_desk.availability={reaction_time: 20, away_work: [vip]}",
            "+scenario.sites={sites: {capital: {}}, regions: {province: {share: 1.0}}}",
            *(f"+scenario.groups.{g}.site=capital"
              for g in ("vip_desk", "general_desk", "faults_desk"))])["scenario"])
