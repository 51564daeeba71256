"""Agent states inside the scheduled headcount (``groups.NAME.availability``): partial
presence, shrinkage, not ready after calls, breaks; their KPIs; neutral when absent; the
fast engine refuses them. Exact event traces on tiny deterministic scenarios."""

from __future__ import annotations

import pytest
from simhelpers import make_policy, run_calls, scenario

from sim.config import build_model_spec
from sim.errors import ConfigError
from sim.kpi import replication_kpis

pytestmark = pytest.mark.reference_too  # also with auto = the SimPy reference (conftest)


def _answers(scn) -> list[float]:
    df, _ = run_calls(scn)
    return df.sort_values("t_arrival")["t_answer"].tolist()


def test_partial_presence_keeps_a_fraction_of_an_agent():
    """staffing 1 x (1 - 0.7) = 0.3 agents in intervals of 100 s: one agent present for
    the first 30 s of each interval. The call at 60 s waits for the next interval (at
    100 s) instead of being answered at once (rounded: 0 agents, never answered)."""
    trace = [[0, "a"], [60, "a"]]
    assert _answers(scenario(arrivals__trace=trace)) == [0, 60]
    scn = scenario(arrivals__trace=trace, groups__g__availability={"shrinkage": 0.7})
    assert _answers(scn) == [0, 100]
    spec = build_model_spec(scn)
    av = spec.groups[0].availability
    assert av.full[0] == 0 and av.partial_s[0] == pytest.approx(30)


def test_shrinkage_removes_scheduled_agents():
    """2 scheduled, half absent: one agent, so the second call waits for the first."""
    trace = [[0, "a"], [0, "a"]]
    base = scenario(arrivals__trace=trace, groups__g__staffing=2)
    assert _answers(base) == [0, 0]
    scn = scenario(base, groups__g__availability={"shrinkage": 0.5})
    assert _answers(scn) == [0, 50]


def test_not_ready_after_a_call_delays_the_next_answer():
    """prob 1, 20 s: the agent free at 50 s is not ready until 70 s."""
    trace = [[0, "a"], [10, "a"]]
    nr = {"not_ready": {"prob": 1.0, "duration": 20}}
    assert _answers(scenario(arrivals__trace=trace)) == [0, 50]
    scn = scenario(arrivals__trace=trace, groups__g__availability=nr)
    assert _answers(scn) == [0, 70]
    off = scenario(arrivals__trace=trace,
                   groups__g__availability={"not_ready": {"prob": 0.0}})
    assert _answers(off) == [0, 50]


def test_not_ready_kpis():
    """Logged in 1000 s, not ready 20 s, busy 100 s: the KPIs follow exactly."""
    scn = scenario(arrivals__trace=[[0, "a"], [10, "a"]],
                   groups__g__availability={"not_ready": {"prob": 1.0, "duration": 20}})
    _, rec = run_calls(scn)
    k = replication_kpis(rec, build_model_spec(scn))
    g = k["by_group"]["g"]
    # the last call's not-ready period (100..120 s) is inside the horizon too
    assert g["not_ready_share"] == pytest.approx(40 / 1000)
    assert g["available_hours"] == pytest.approx(960 / 3600)
    assert g["idle_hours"] == pytest.approx(860 / 3600)
    assert g["occupancy_available"] == pytest.approx(100 / 960)
    assert g["scheduled_hours"] == pytest.approx(1000 / 3600)
    assert g["shrinkage"] == pytest.approx(0.0)
    assert k["overall"]["not_ready_share"] == pytest.approx(40 / 1000)


def test_not_ready_draws_are_the_calls_own():
    """Same calls, same not-ready decisions under two policies (common random numbers)."""
    scn = scenario(arrivals__trace=[[t, "a"] for t in range(0, 900, 37)],
                   groups__g__availability={"not_ready": {"prob": 0.5, "duration": 5}})
    a, _ = run_calls(scn, "strict_priority")
    b, _ = run_calls(scn, "fifo")
    assert a["t_answer"].tolist() == b["t_answer"].tolist()  # one class: same order


def test_break_takes_idle_agents_at_once_and_busy_ones_after_their_call():
    """Break at 200 s for 100 s, whole group. The idle agent leaves at 200 (a call at 210
    waits until 300); an agent busy at 200 goes when his call ends (250 -> 350)."""
    brk = {"breaks": [{"start_s": 200, "duration_s": 100, "share": 1.0}]}
    idle = scenario(arrivals__trace=[[210, "a"]], groups__g__availability=brk)
    assert _answers(idle) == [300]
    busy = scenario(arrivals__trace=[[200, "a"], [260, "a"]],
                    groups__g__availability=brk)
    assert _answers(busy) == [200, 350]
    assert _answers(scenario(arrivals__trace=[[200, "a"], [260, "a"]])) == [200, 260]


def test_empty_availability_is_neutral():
    """``availability: {}`` (every default) gives exactly the calls of no key at all."""
    base = scenario(arrivals={"calls_per_interval": 1.5},
                    classes__a__handle_time={"dist": "exponential", "mean": 60})
    a, _ = run_calls(base)
    b, _ = run_calls(scenario(base, groups__g__availability={}))
    assert len(a) > 5
    assert a[["t_arrival", "t_answer", "outcome"]].equals(b[["t_arrival", "t_answer",
                                                             "outcome"]])


def test_every_call_accounted_for_with_states():
    scn = scenario(arrivals={"calls_per_interval": 3.0},
                   groups__g__availability={
                       "shrinkage": [0.2, 0.5] * 5,
                       "not_ready": {"prob": 0.3, "duration": {"dist": "exponential",
                                                               "mean": 30}},
                       "breaks": [{"start_s": 300, "duration_s": 60, "share": 0.5}]},
                   groups__g__staffing=3)
    df, _ = run_calls(scn)
    assert len(df) > 10
    assert set(df["outcome"]) <= {"answered", "abandoned", "disconnected"}
    assert (df["t_answer"].dropna() >= df.loc[df["t_answer"].notna(), "t_arrival"]).all()


def test_the_fast_engine_runs_availability(auto_engine):
    """Compiled since issue 12 (tests/test_fast_operations.py compares the two engines),
    gamma not-ready times too: ``auto`` picks ``fast`` (``simpy`` when the test pass makes
    auto mean the reference)."""
    from sim.fast.engine import resolve_engine

    policy = make_policy("strict_priority")
    for avail in ({"shrinkage": 0.1}, {"not_ready": {"prob": 0.3, "duration": {
            "dist": "gamma", "mean": 60, "sd": 40}}}):
        spec = build_model_spec(scenario(groups__g__availability=avail))
        assert resolve_engine("auto", spec, policy) == (auto_engine or "fast")
        assert resolve_engine("fast", spec, policy) == "fast"


@pytest.mark.parametrize("avail, key", [
    ({"shrinkage": 1.5}, "scenario.groups.g.availability.shrinkage"),
    ({"shrinkage": [0.1, 0.2]}, "scenario.groups.g.availability.shrinkage"),
    ({"lunch": 1}, "scenario.groups.g.availability.lunch"),
    ({"not_ready": {"prob": 0.2}}, "scenario.groups.g.availability.not_ready.duration"),
    ({"not_ready": {"prob": 2, "duration": 5}},
     "scenario.groups.g.availability.not_ready.prob"),
    ({"breaks": [{"start_s": 10, "share": 0.5}]},
     "scenario.groups.g.availability.breaks[0].duration_s"),
    ({"breaks": [{"start_s": 5000, "duration_s": 10, "share": 0.5}]},
     "scenario.groups.g.availability.breaks[0].start_s"),
    # the pydantic models (sim.schema.availability): strict types, nested unknown keys
    ({"shrinkage": "0.1"}, "scenario.groups.g.availability.shrinkage: must be a number or"),
    ({"shrinkage": True}, "scenario.groups.g.availability.shrinkage: must be a number or"),
    ({"not_ready": {"prob": "0.2", "duration": 5}},
     "scenario.groups.g.availability.not_ready.prob: must be a number"),
    ({"not_ready": {"prob": 0.2, "duration": None}},
     "scenario.groups.g.availability.not_ready.duration: required when prob > 0"),
    ({"not_ready": {"prob": 0.1, "duration": 5, "when": 1}},
     "scenario.groups.g.availability.not_ready.when: unknown key; allowed: prob, duration"),
    ({"not_ready": {"prob": 0.2, "duration": {"dist": "exponential", "mean": float("inf")}}},
     "scenario.groups.g.availability.not_ready.duration.mean: must be a finite number"),
    ({"breaks": "lunch"}, "scenario.groups.g.availability.breaks: must be a list"),
    ({"breaks": [{"start_s": 10, "duration_s": 5, "share": 0.5, "x": 1}]},
     "scenario.groups.g.availability.breaks[0].x: unknown key; allowed: start_s"),
    ({"breaks": [{"start_s": 10, "duration_s": 5, "share": 1.5}]},
     "scenario.groups.g.availability.breaks[0].share: must be a number >= 0 and <= 1"),
    ({"breaks": [{"start_s": 1e12, "duration_s": 5, "share": 0.5}]},
     "scenario.groups.g.availability.breaks[0].start_s: must be a number >= 0"),
    ("on", "scenario.groups.g.availability: must be a mapping"),
])
def test_bad_availability_names_the_key(avail, key):
    with pytest.raises(ConfigError) as err:
        build_model_spec(scenario(groups__g__availability=avail))
    assert key in str(err.value)
    assert "\n" not in str(err.value)
