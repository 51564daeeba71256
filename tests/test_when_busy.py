"""``classes.NAME.when_busy`` / ``when_free``: a caller who finds a caller waiting in his
switch classes' queues, or no agent free for him, becomes one of ``when_busy``'s classes
(the bank's VRU puts PS callers through unidentified when an agent is free and identifies
the others: research record, item 14), and one who finds an agent free one of
``when_free``'s (the share it identifies all the same). Exact traces on one agent, the
switch's share against its probability, common random numbers, and the one-line
errors."""

from __future__ import annotations

import math

import pytest
from simhelpers import make_policy, run_calls, scenario

from sim.config import build_model_spec
from sim.errors import ConfigError
from sim.fast.engine import unsupported


def routed(prob: float = 1.0, arrivals: dict | None = None) -> dict:
    """TINY's agent; ``d`` (direct: a 1 s wait, then lost) becomes ``i`` (identified:
    waits, priority 1, handle time 80) when busy."""
    scn = scenario()
    scn["queues"]["direct"] = {"groups": ["g"], "max_wait_s": 1.0}
    scn["groups"]["g"]["queues"] = ["q", "direct"]
    scn["classes"] = {
        "d": {"mix": 0.5, "priority": 0, "queue": "direct", "patience": None,
              "handle_time": 50, "when_busy": {"i": prob}},
        "i": {"mix": 0.5, "priority": 1, "queue": "q", "patience": None, "handle_time": 80},
    }
    if arrivals is not None:
        scn["arrivals"] = arrivals
    return scn


ENGINES = ("simpy", "fast")  # the exact traces hold on the reference and its compiled twin


def rows(df):
    return [(c, t_q, None if math.isnan(t_a) else t_a, o) for c, t_q, t_a, o in
            df[["class", "t_queue", "t_answer", "outcome"]].itertuples(index=False)]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_caller_finding_an_agent_free_stays_and_one_finding_none_switches(engine):
    scn = routed(arrivals={"trace": [[0, "d"], [10, "d"], [20, "d"], [300, "d"]]})
    df, _ = run_calls(scn, engine=engine)
    assert rows(df) == [
        ("d", 0.0, 0.0, "answered"),    # agent free, nobody waits: put through
        ("i", 10.0, 50.0, "answered"),  # agent busy: identified, waits, talks 80 s
        ("i", 20.0, 130.0, "answered"),  # a caller waits: identified
        ("d", 300.0, 300.0, "answered"),  # free again (the second i ended at 210)
    ]
    assert (df["t_end"] - df["t_answer"]).tolist() == [50.0, 80.0, 80.0, 50.0]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_waiting_caller_of_the_switch_class_makes_it_busy_even_with_an_agent_free(engine):
    """Two agents free, but an ``i`` caller waits in his answer delay: a ``d`` caller
    then finds the queue busy and is identified too."""
    scn = routed(arrivals={"trace": [[0, "i"], [5, "d"]]})
    scn["classes"]["i"]["answer_delay"] = 30
    scn["groups"]["g"]["staffing"] = 2
    df, _ = run_calls(scn, engine=engine)
    assert rows(df) == [("i", 0.0, 30.0, "answered"), ("i", 5.0, 35.0, "answered")]


@pytest.mark.parametrize("engine", ENGINES)
def test_the_rest_stay_and_are_lost_on_their_line(engine):
    scn = routed(0.0, arrivals={"trace": [[0, "d"], [10, "d"]]})
    df, _ = run_calls(scn, engine=engine)
    assert rows(df) == [("d", 0.0, 0.0, "answered"), ("d", 10.0, None, "disconnected")]


def test_the_share_switched_is_the_probability_and_the_same_under_every_policy():
    scn = routed(0.3, arrivals={"calls_per_interval": 40})
    scn["classes"]["i"]["mix"], scn["classes"]["d"]["mix"] = 0.0, 1.0
    classes = {}
    for policy in ("strict_priority", "fifo"):
        df, _ = run_calls(scn, policy=policy, engine="simpy")
        classes[policy] = df["class"].tolist()
    busy = sum(c == "i" for c in classes["fifo"])
    lost = ((df["class"] == "d") & (df["outcome"] == "disconnected")).sum()
    share = busy / (busy + lost)  # of the callers who found the agent busy
    n = busy + lost
    assert n > 200 and abs(share - 0.3) < 3 * math.sqrt(0.3 * 0.7 / n)
    assert classes["strict_priority"] == classes["fifo"]  # one keyed draw per caller


@pytest.mark.parametrize("engine", ENGINES)
def test_when_free_switches_a_caller_finding_the_agent_free_and_only_him(engine):
    """``when_free`` alone: the caller who finds the agent free is identified (answered
    at once as ``i``: no answer delay here); the one who finds it busy stays ``d`` and is
    lost on the direct line's 1 s wait."""
    scn = routed(arrivals={"trace": [[0, "d"], [10, "d"]]})
    scn["classes"]["d"].pop("when_busy")
    scn["classes"]["d"]["when_free"] = {"i": 1.0}
    df, _ = run_calls(scn, engine=engine)
    assert rows(df) == [("i", 0.0, 0.0, "answered"), ("d", 10.0, None, "disconnected")]
    assert (df["t_end"] - df["t_answer"]).tolist()[0] == 80.0  # the identified law


@pytest.mark.parametrize("engine", ENGINES)
def test_when_free_and_when_busy_each_act_on_their_own_callers(engine):
    scn = routed(1.0, arrivals={"trace": [[0, "d"], [10, "d"], [300, "d"]]})
    scn["classes"]["d"]["when_free"] = {"i": 0.0}
    df, _ = run_calls(scn, engine=engine)
    assert rows(df)[:2] == [("d", 0.0, 0.0, "answered"), ("i", 10.0, 50.0, "answered")]


def test_the_share_identified_when_free_is_the_probability_under_every_policy():
    """At a light load most callers find the agent free; of those, ``when_free``'s share
    becomes ``i``, the same callers under every policy (one keyed draw each)."""
    scn = routed(0.0, arrivals={"calls_per_interval": 0.5})
    scn["horizon"]["intervals_per_day"] = 1000  # 500 calls at a load of 0.25
    scn["classes"]["i"]["mix"], scn["classes"]["d"]["mix"] = 0.0, 1.0
    scn["classes"]["d"]["when_free"] = {"i": 0.3}
    scn["classes"]["i"]["handle_time"] = 50
    classes = {}
    for policy in ("strict_priority", "fifo"):
        df, _ = run_calls(scn, policy=policy, engine="simpy")
        classes[policy] = df["class"].tolist()
    # with the agent free on arrival a caller is answered at once, whichever class
    free = df["t_answer"] == df["t_queue"]
    n = int(free.sum())
    share = float((df.loc[free, "class"] == "i").mean())
    assert n > 200 and abs(share - 0.3) < 3 * math.sqrt(0.3 * 0.7 / n)
    assert (df.loc[~free, "class"] == "d").all()  # when_busy 0: the others all stay
    assert classes["strict_priority"] == classes["fifo"]


@pytest.mark.parametrize("policy", ["strict_priority", "fifo", "reservation"])
def test_the_fast_engine_switches_the_same_callers_call_for_call(policy):
    """Both switches, answer delays and patience at a load that sends callers both ways:
    ``engine=fast`` gives the SimPy run's calls, every column (which callers switch, the
    new class's draws, their waits), and auto picks it."""
    from sim.fast.engine import resolve_engine

    scn = routed(0.6, arrivals={"calls_per_interval": 1.0})
    scn["horizon"]["intervals_per_day"] = 400  # 400 calls at a load of about 0.6
    scn["classes"]["d"]["when_free"] = {"i": 0.2}
    scn["classes"]["i"]["answer_delay"] = 3  # held callers make the queue busy too
    scn["classes"]["i"]["patience"] = {"dist": "exponential", "mean": 100}
    scn["classes"]["i"]["handle_time"] = {"dist": "lognormal", "mean": 80, "sd": 40}
    assert unsupported(build_model_spec(scn), make_policy(policy)) is None
    assert resolve_engine("auto", build_model_spec(scn), make_policy(policy)) == "fast"
    slow, _ = run_calls(scn, policy=policy, engine="simpy")
    fast, _ = run_calls(scn, policy=policy, engine="fast")
    switched = slow["class"] == "i"
    found_free = switched & (slow["t_answer"] - slow["t_queue"] == 3.0)  # agent still free
    assert switched.sum() > 100 and found_free.sum() > 5  # both sides are exercised
    assert fast.equals(slow)


def test_the_routed_bank_scenario_runs_fast_as_on_simpy(tmp_path, monkeypatch):
    """The research record's routed model (``routed.py`` on the shipped scenario: both
    switches, reaction-time call-back, answer delays, the reservation policy): two
    replications on each engine give the same interval tables."""
    from pathlib import Path

    from simhelpers import experiment_script

    from sim.calibrate.calibration import policy_for
    from sim.calibrate.scenario import header_policy, read
    from sim.calibrate.validate import simulate_scenario
    from sim.fast.engine import AUTO_ENV

    out = tmp_path / "routed.yaml"
    shipped = Path(__file__).resolve().parent.parent / "configs/scenario/anonymous_bank.yaml"
    experiment_script("routed").main([str(shipped), str(out)])
    scn, params = read(out), header_policy(out)["params"]
    policy = policy_for(scn, params["reserve"], params["reserve_from"])
    assert any(c.get("when_busy") for c in scn["classes"].values())
    runs = {}
    for engine in ("simpy", "fast"):
        monkeypatch.setenv(AUTO_ENV, engine)
        runs[engine] = simulate_scenario(scn, policy, 2, 1).intervals
    assert runs["fast"].equals(runs["simpy"]) and len(runs["fast"]) > 1000


@pytest.mark.parametrize(("switch", "needle"), [
    ({"nobody": 0.5}, "scenario.classes.d.when_busy.nobody: unknown class; allowed: i"),
    ({"d": 0.5}, "scenario.classes.d.when_busy.d: unknown class; allowed: i"),
    ({"i": 1.5}, "scenario.classes.d.when_busy.i"),
])
@pytest.mark.parametrize("field", ["when_busy", "when_free"])
def test_bad_switch_is_one_line_naming_the_key(switch, needle, field):
    needle = needle.replace("when_busy", field)
    scn = routed()
    scn["classes"]["d"][field] = switch
    with pytest.raises(ConfigError) as err:
        build_model_spec(scn)
    assert needle in str(err.value) and "\n" not in str(err.value)


def test_a_switch_into_a_switching_class_or_over_one_is_refused():
    scn = routed()
    scn["classes"]["i"]["when_busy"] = {"d": 0.1}
    with pytest.raises(ConfigError, match="switches again"):
        build_model_spec(scn)
    scn = routed()
    scn["classes"]["e"] = {"mix": 0.0, "queue": "q", "handle_time": 5, "when_free": {"i": 1}}
    scn["classes"]["d"]["when_free"] = {"e": 0.5}
    with pytest.raises(ConfigError, match="d.when_free.e: switches again"):
        build_model_spec(scn)
    scn = routed()
    scn["classes"]["e"] = {"mix": 0.0, "queue": "q", "handle_time": 5}
    scn["classes"]["d"]["when_busy"] = {"i": 0.6, "e": 0.6}
    with pytest.raises(ConfigError, match="sum to 1.2; allowed: at most 1"):
        build_model_spec(scn)
