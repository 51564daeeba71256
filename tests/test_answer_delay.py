"""``classes.NAME.answer_delay``: time in the queue before a call may be answered.

Rule (documented in the README): during its delay a call waits in its queue (wait clock
and patience run, it may abandon, it counts in the queue length) but no policy sees it;
when the delay ends it is offered as a fresh queue entry would be and, if it must wait,
it takes its place by queue entry time (priority first), not by the end of its delay.
"""

from __future__ import annotations

import math

import pytest
from simhelpers import TINY, run_calls, scenario
from test_queueing_theory import assert_in_ci, run_experiment

from sim import theory
from sim.config import build_model_spec
from sim.errors import ConfigError

pytestmark = pytest.mark.reference_too  # also with auto = the SimPy reference (conftest)


def rows(df, *cols):
    return [tuple(None if (isinstance(v, float) and math.isnan(v)) else v for v in r)
            for r in df[list(cols)].itertuples(index=False)]


def with_c(**extra) -> dict:
    """TINY plus class ``c``: like ``a`` (priority 0, never abandons) with ``extra`` keys."""
    scn = scenario()
    scn["classes"]["a"]["mix"] = 0.25
    scn["classes"]["c"] = {"mix": 0.25, "priority": 0, "queue": "q", "patience": None,
                           "handle_time": 50, **extra}
    return scn


def test_idle_agent_answers_only_when_the_delay_ends():
    scn = with_c(answer_delay=10)
    scn["arrivals"]["trace"] = [[0, "c"], [100, "c"]]
    df, rec = run_calls(scn)
    assert rows(df, "t_queue", "t_answer", "t_end", "outcome") == [
        (0.0, 10.0, 60.0, "answered"), (100.0, 110.0, 160.0, "answered")]
    assert rec.queue_area[0, :2].tolist() == [10.0, 10.0]  # it counts as waiting


def test_patience_shorter_than_the_delay_abandons_in_the_queue():
    scn = scenario(arrivals__trace=[[0, "b"], [200, "b"]])
    scn["classes"]["b"]["answer_delay"] = {"dist": "uniform", "low": 45, "high": 45}
    df, _ = run_calls(scn)
    # patience 45 = delay 45: the caller hangs up first (patience runs out at the tie)
    assert rows(df, "t_queue", "t_answer", "t_end", "outcome") == [
        (0.0, None, 45.0, "abandoned"), (200.0, None, 245.0, "abandoned")]


def test_a_call_in_its_delay_is_not_served_before_a_later_eligible_call():
    scn = with_c(answer_delay=10)
    scn["arrivals"]["trace"] = [[0, "c"], [5, "a"]]
    df, _ = run_calls(scn)
    # a (no delay) finds the agent idle at 5: answered at once; c waits for the agent
    assert rows(df, "class", "t_answer", "t_end") == [("c", 55.0, 105.0), ("a", 5.0, 55.0)]


@pytest.mark.parametrize("delay,order", [(10, ["c", "a"]), (60, ["a", "c"])])
def test_eligible_call_keeps_its_place_by_queue_entry(delay, order):
    scn = with_c(answer_delay=delay)
    scn["arrivals"]["trace"] = [[0, "a"], [1, "c"], [2, "a"]]
    df, _ = run_calls(scn)
    # the agent is busy to 50. Delay 10: c is eligible at 11 and stands before a@2 (it
    # entered first). Delay 60: c is not eligible at 50, so a@2 goes first.
    waiting = df.iloc[1:].sort_values("t_answer")
    assert list(waiting["class"]) == order
    assert waiting["t_answer"].tolist() == [50.0, 100.0]


def test_calls_in_their_delay_are_disconnected_at_close():
    scn = scenario(arrivals__trace=[[990, "a"]], horizon__drain_s=5)
    scn["classes"]["a"]["answer_delay"] = 30
    df, _ = run_calls(scn)
    assert rows(df, "t_end", "outcome") == [(1005.0, "disconnected")]  # closes 1000 + 5


def test_same_delay_under_every_policy_and_no_other_draw_moves():
    scn = scenario(arrivals={"calls_per_interval": 20}, groups__g__staffing=40)
    base, _ = run_calls(scn)
    scn["classes"]["a"]["answer_delay"] = {"dist": "exponential", "mean": 20}
    waits = {}
    for policy in ("strict_priority", "fifo", "pooled"):
        df, _ = run_calls(scn, policy=policy)
        talk = (df["t_end"] - df["t_answer"]).round(9).tolist()
        assert talk == (base["t_end"] - base["t_answer"]).round(9).tolist()
        waits[policy] = (df["t_answer"] - df["t_queue"]).round(9).tolist()
    assert waits["strict_priority"] == waits["fifo"] == waits["pooled"]
    df, _ = run_calls(scn)
    w = df["t_answer"] - df["t_queue"]
    assert (w[df["class"] == "b"] == 0).all() and (w[df["class"] == "a"] > 0).all()


@pytest.mark.parametrize("value,where", [
    ({"dist": "gaussian", "mean": 3}, "scenario.classes.a.answer_delay.dist"),
    ({"dist": "exponential", "mean": -3}, "scenario.classes.a.answer_delay.mean"),
    ("soon", "scenario.classes.a.answer_delay"),
])
def test_bad_answer_delay_is_one_line_naming_the_key(value, where):
    scn = scenario(TINY)
    scn["classes"]["a"]["answer_delay"] = value
    with pytest.raises(ConfigError) as exc:
        build_model_spec(scn)
    assert str(exc.value).startswith(where) and "\n" not in str(exc.value)


@pytest.mark.parametrize("value", [None, 0, {"dist": "none"}, {"dist": "deterministic",
                                                              "value": 0}])
def test_zero_or_none_switches_the_feature_off(value):
    scn = scenario(TINY)
    scn["classes"]["a"]["answer_delay"] = value
    assert build_model_spec(scn).classes[0].answer_delay is None


def test_erlang_c_with_a_deterministic_delay_adds_the_delay_to_the_wait():
    """Every call delayed by the same D: eligible calls form the Poisson process shifted
    by D, so the wait is exactly D plus the M/M/c (Erlang C) wait."""
    d = 30.0
    s = run_experiment("erlang_c", "n_reps=20",
                       f"+scenario.classes.calls.answer_delay={d}")["overall"]
    ec = theory.erlang_c(100 / 1800, 180, 14)
    assert_in_ci(s["asa_s"], d + ec.asa, "ASA = D + Erlang C ASA")
    assert_in_ci(s["occupancy"], ec.occupancy, "occupancy")
    assert s["p_wait"]["mean"] == 1.0 and s["service_level"]["mean"] == 0.0  # D > 20 s
