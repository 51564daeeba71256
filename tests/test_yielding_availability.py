"""Spells a waiting caller ends (``groups.NAME.availability.away_when_idle`` and
``not_ready.yields``): exact traces on one agent (SimPy reference), the away time they
add up to, the away work they do not yield to, and the one-line errors.

The scenario is ``test_when_busy``'s routed hotline: a ``d`` caller (direct, put through
only to an agent free) who finds no agent free becomes ``i`` (identified, queue ``q``,
handle time 80 s); ``d``'s handle time is 50 s. The routing sees an agent away as not
free, which is how the spells show in a log (FINDINGS items 15-17)."""

from __future__ import annotations

import pytest
from simhelpers import make_policy, run_calls, scenario
from test_when_busy import routed, rows

from sim.config import build_model_spec
from sim.errors import ConfigError
from sim.fast.engine import unsupported

IDLE = {"away_when_idle": {"after": 100, "duration": 50}}


def _with(availability: dict, trace: list, **changes) -> dict:
    scn = routed(arrivals={"trace": trace})
    scn["groups"]["g"]["availability"] = availability
    for path, value in changes.items():
        scn = scenario(scn, **{path: value})
    return scn


def _rows(scn) -> list[tuple]:
    df, _ = run_calls(scn, engine="simpy")
    return rows(df)


def test_an_agent_idle_for_a_while_steps_away_and_a_caller_calls_him_back():
    """Logged in at 0, idle: away 100-150 (so the caller of 120 is identified, and
    answered at once: he calls the agent back), busy 120-200, idle again from 200, so
    the caller of 290 is put through; free at 340, away from 440 to 490, from 590: the
    caller of 600 is identified. Off, all three are put through."""
    trace = [[120, "d"], [290, "d"], [600, "d"]]
    assert _rows(_with(IDLE, trace)) == [("i", 120.0, 120.0, "answered"),
                                         ("d", 290.0, 290.0, "answered"),
                                         ("i", 600.0, 600.0, "answered")]
    assert [r[0] for r in _rows(_with({}, trace))] == ["d", "d", "d"]


def test_the_call_back_waits_for_the_callers_answer_delay():
    """Away from 100 for 500 s: the identified caller of 120 (answer delay 30 s) calls
    the agent back when he may be answered, at 150, not at the spell's end (600)."""
    scn = _with({"away_when_idle": {"after": 100, "duration": 500}}, [[120, "d"]],
                classes__i__answer_delay=30)
    assert _rows(scn) == [("i", 120.0, 150.0, "answered")]


def test_an_agent_nobody_calls_is_away_one_third_of_the_time():
    """After 100 s idle, 50 s away, again and again (the idle clock restarts at each
    return): spells at 100, 250, 400, 550, 700, 850, so the 100 s intervals hold away
    seconds 0, 50, 50, 0, 50, 50 ..."""
    _, rec = run_calls(_with(IDLE, [[990, "d"]]), engine="simpy")
    away = rec.group_away_s[0, :9].tolist()
    assert away == [0.0, 50.0, 50.0, 0.0, 50.0, 50.0, 0.0, 50.0, 50.0]
    assert sum(away) == 300.0  # spells at 100, 250, 400, 550, 700, 850


def test_away_work_does_not_call_the_agent_back():
    """A task of the group's away work (queue ``w``, 30 s) arriving at 120 waits for the
    agent's return at 600 (a caller would call him back at once); the caller of 700
    (the agent busy 600-630, idle from 630, away from 730) is put through."""
    scn = _with({"away_when_idle": {"after": 100, "duration": 500}, "reaction_time": 20,
                 "away_work": ["w"]}, [[120, "h"], [700, "d"]])
    scn["queues"]["w"] = {"groups": ["g"]}
    scn["groups"]["g"]["queues"] = ["q", "direct", "w"]
    scn["classes"]["h"] = {"mix": 0.0, "priority": 9, "queue": "w", "patience": None,
                           "handle_time": 30}
    assert _rows(scn) == [("h", 120.0, 600.0, "answered"), ("d", 700.0, 700.0, "answered")]


def test_a_wrap_up_that_yields_is_not_taken_while_a_caller_waits_and_ends_for_one():
    """Not ready after every call for 500 s, yielding: the agent frees at 50 with the
    caller of 10 waiting (identified), so he takes him at once (no wrap-up); free at 130
    with nobody waiting, he wraps up, and the caller of 200 (identified: the agent is
    away) ends it at once. A plain not-ready spell keeps both callers waiting."""
    nr = {"prob": 1.0, "duration": 500}
    trace = [[0, "d"], [10, "d"], [200, "d"]]
    assert _rows(_with({"not_ready": {**nr, "yields": True}}, trace)) == [
        ("d", 0.0, 0.0, "answered"), ("i", 10.0, 50.0, "answered"),
        ("i", 200.0, 200.0, "answered")]
    assert _rows(_with({"not_ready": nr}, trace)) == [
        ("d", 0.0, 0.0, "answered"), ("i", 10.0, 550.0, "answered"),
        ("i", 200.0, 1130.0, "answered")]


def test_each_agent_steps_away_on_his_own_clock_the_same_under_every_policy():
    """Exponential laws: the same run gives the same calls (some callers find the agent
    away, some not), and the same under another policy: the agent's clock is his own
    stream, not the policy's or a caller's."""
    av = {"away_when_idle": {"after": {"dist": "exponential", "mean": 100},
                             "duration": {"dist": "exponential", "mean": 100}}}
    scn = _with(av, [[t, "d"] for t in range(50, 1000, 150)])
    a, rec = run_calls(scn, engine="simpy")
    b, _ = run_calls(scn, engine="simpy")
    assert a.equals(b)
    assert rec.group_away_s.sum() > 0 and set(a["class"]) == {"d", "i"}
    c, _ = run_calls(scn, policy=make_policy("fifo"), engine="simpy")
    assert rows(a) == rows(c)


def test_an_agent_steps_away_only_while_enough_colleagues_are_logged_in():
    """``min_present``: the lone agent of the first test (away at 100, so the caller of
    120 is identified) stays with ``min_present`` 2 and puts all three through; 1 is the
    default rule. With two agents logged in, 2 lets them step away again, 3 does not."""
    trace = [[120, "d"], [290, "d"], [600, "d"]]
    def idle(k: int) -> dict:
        return {"away_when_idle": {**IDLE["away_when_idle"], "min_present": k}}
    assert [r[0] for r in _rows(_with(idle(2), trace))] == ["d", "d", "d"]
    assert _rows(_with(idle(1), trace)) == _rows(_with(IDLE, trace))
    two = "groups__g__staffing"
    assert [r[0] for r in _rows(_with(idle(2), [[120, "d"]], **{two: 2}))] == ["i"]
    assert [r[0] for r in _rows(_with(idle(3), [[120, "d"]], **{two: 2}))] == ["d"]


@pytest.mark.parametrize(("availability", "key", "allowed"), [
    ({"away_when_idle": {"after": 100, "duration": 5, "min_present": -1}},
     "away_when_idle.min_present", ">= 0"),
    ({"away_when_idle": {"after": 100}}, "away_when_idle.duration", "required"),
    ({"away_when_idle": {"after": None, "duration": 5}}, "away_when_idle.after",
     "finite time"),
    ({"away_when_idle": {"after": 100, "duration": 5, "mean": 3}}, "away_when_idle.mean",
     "allowed: after, duration"),
    ({"not_ready": {"prob": 0.5, "duration": 9, "yields": "yes"}}, "not_ready.yields",
     "true or false"),
])
def test_bad_keys_get_one_line_errors(availability, key, allowed):
    with pytest.raises(ConfigError) as e:
        build_model_spec(_with(availability, []))
    msg = str(e.value)
    assert key in msg and allowed in msg.lower() and "\n" not in msg


def test_the_compiled_engine_refuses_them_by_name():
    fifo = make_policy("fifo")
    for av in (IDLE, {"not_ready": {"prob": 0.5, "duration": 9, "yields": True}}):
        scn = scenario(_with(av, []), classes__d__when_busy=None)
        assert "away_when_idle" in (unsupported(build_model_spec(scn), fifo) or "")
    plain = scenario(_with({"not_ready": {"prob": 0.5, "duration": 9}}, []),
                     classes__d__when_busy=None)
    assert unsupported(build_model_spec(plain), fifo) is None
