"""Routing policies: exact traces of what each one decides, parameters, plug-ins, CRN."""

from __future__ import annotations

import math
import sys
import textwrap

import numpy as np
import pytest
from simhelpers import make_policy, run_calls, run_spec, scenario
from test_hotline import load
from test_traces import rows

from sim.errors import ConfigError
from sim.runner import load_policy

pytestmark = pytest.mark.reference_too  # also with auto = the SimPy reference (conftest)

TWO_DESKS = {
    "name": "two_desks",
    "horizon": {"days": 1, "interval_s": 100, "intervals_per_day": 10, "drain_s": None},
    "arrivals": {"trace": []},
    "classes": {
        "vip": {"mix": 0.5, "priority": 0, "queue": "vip", "patience": None,
                "handle_time": 100},
        "ord": {"mix": 0.5, "priority": 1, "queue": "general", "patience": None,
                "handle_time": 100},
    },
    "queues": {"vip": {"groups": ["vip_desk", "general_desk"]},
               "general": {"groups": ["general_desk"]}},
    "groups": {"vip_desk": {"staffing": 1}, "general_desk": {"staffing": 1}},
}


def trace(*calls, **groups):
    import copy

    scn = copy.deepcopy(TWO_DESKS)
    scn["arrivals"]["trace"] = [list(c) for c in calls]
    for g, n in groups.items():
        scn["groups"][g]["staffing"] = n
    return scn


def answers(df):
    return [(r["class"], r["t_answer"], r["group"]) for _, r in df.iterrows()]


def test_strict_priority_lets_vip_use_the_general_desk():
    df, _ = run_calls(trace([0, "vip"], [1, "vip"]))
    assert answers(df) == [("vip", 0.0, "vip_desk"), ("vip", 1.0, "general_desk")]


def test_dedicated_keeps_vip_calls_off_the_general_desk():
    df, _ = run_calls(trace([0, "vip"], [1, "vip"]), make_policy("dedicated"))
    assert answers(df) == [("vip", 0.0, "vip_desk"), ("vip", 100.0, "vip_desk")]


def test_pooled_lets_the_vip_desk_answer_general_calls():
    df, _ = run_calls(trace([0, "ord"], [1, "ord"]), make_policy("pooled"))
    assert answers(df) == [("ord", 0.0, "general_desk"), ("ord", 1.0, "vip_desk")]
    strict, _ = run_calls(trace([0, "ord"], [1, "ord"]))
    assert answers(strict)[1] == ("ord", 100.0, "general_desk")


def test_overflow_waits_the_delay_before_using_another_desk():
    df, _ = run_calls(trace([0, "vip"], [1, "vip"]), make_policy("overflow", delay_s=20))
    assert answers(df) == [("vip", 0.0, "vip_desk"), ("vip", 21.0, "general_desk")]
    # a general agent freed before the delay does not take the VIP call either
    scn = trace([0, "ord"], [1, "vip"], [2, "vip"])
    scn["classes"]["ord"]["handle_time"] = 5
    df, _ = run_calls(scn, make_policy("overflow", delay_s=20))
    assert answers(df)[2] == ("vip", 22.0, "general_desk")


def test_overflow_idle_vip_agents_take_general_calls_only_if_asked():
    scn = trace([0, "ord"], [1, "ord"])
    scn["queues"]["general"]["groups"] = ["general_desk", "vip_desk"]
    df, _ = run_calls(scn, make_policy("overflow", delay_s=50, idle_vip_take_general=True))
    assert answers(df)[1] == ("ord", 1.0, "vip_desk")
    df, _ = run_calls(scn, make_policy("overflow", delay_s=50))
    assert answers(df)[1] == ("ord", 51.0, "vip_desk")


def test_reservation_keeps_vip_agents_for_vip_calls():
    calls = ([0, "ord"], [1, "ord"], [2, "ord"], [3, "vip"])
    df, _ = run_calls(trace(*calls, vip_desk=2), make_policy("reservation", reserve=1))
    # 2 VIP agents, 1 reserved: one general call may use the VIP desk, the next may not
    assert answers(df) == [("ord", 0.0, "general_desk"), ("ord", 1.0, "vip_desk"),
                           ("ord", 100.0, "general_desk"), ("vip", 3.0, "vip_desk")]
    df, _ = run_calls(trace(*calls, vip_desk=2), make_policy("reservation", reserve=0))
    assert answers(df)[2] == ("ord", 2.0, "vip_desk")  # no reserve: full pooling
    assert answers(df)[3] == ("vip", 100.0, "general_desk")  # first agent free at 100


def test_reservation_never_holds_back_the_last_agent_on_duty():
    """A reserve is at most the VIP desk's agents on duty less one (trunk reservation is
    defined for r < C): with only the reserve present, general callers used to wait
    until staffing rose (24,504 s at night in the January calibration)."""
    calls = ([0, "ord"], [1, "ord"])
    alone = trace(*calls, vip_desk=1, general_desk=0)
    df, _ = run_calls(alone, make_policy("reservation", reserve=1))
    assert answers(df) == [("ord", 0.0, "vip_desk"), ("ord", 100.0, "vip_desk")]
    # 3 agents, reserve 5: 2 are kept, the third pools; a freed agent keeps the 2 idle
    df, _ = run_calls(trace(*calls, vip_desk=3, general_desk=0),
                      make_policy("reservation", reserve=5))
    assert answers(df) == [("ord", 0.0, "vip_desk"), ("ord", 100.0, "vip_desk")]


def test_reservation_counts_an_agent_coming_on_shift_as_the_one_offered_a_call():
    """Reserve 2, three VIP-desk agents come on shift at 100 with two general callers
    waiting: the agent offered the first call is not one of the idle agents kept back
    (as a freed agent is not), so one caller is answered and two agents stay idle for
    VIP callers; the second waits until an agent is free at 200. Counting the agent
    offered the call among the idle ones took both callers and left one idle."""
    scn = trace([0, "ord"], [1, "ord"], vip_desk=[0, 3, 3, 0, 0, 0, 0, 0, 0, 0],
                general_desk=0)
    df, _ = run_calls(scn, make_policy("reservation", reserve=2), engine="simpy")
    assert answers(df) == [("ord", 100.0, "vip_desk"), ("ord", 200.0, "vip_desk")]


def test_reservation_reoffers_waiting_calls_when_an_agent_goes_away():
    """2 agents, reserve 1: the general caller waits while the second agent is kept;
    when the first goes not ready after his call, the kept one is the last on duty and
    takes the caller at once (not when the first comes back)."""
    scn = trace([0, "ord"], [10, "ord"], vip_desk=2, general_desk=0)
    scn["groups"]["vip_desk"]["availability"] = {"not_ready": {"prob": 1.0,
                                                               "duration": 500}}
    df, _ = run_calls(scn, make_policy("reservation", reserve=1))
    assert answers(df) == [("ord", 0.0, "vip_desk"), ("ord", 100.0, "vip_desk")]
    assert df["agent"].nunique() == 2  # the kept agent answered, not the one away


@pytest.mark.parametrize("engine", ["simpy", "fast"])
def test_reservation_keeps_its_reserve_only_from_reserve_from_agents_on_duty(engine):
    """reserve_from 3: with 2 VIP-desk agents on duty none is kept (both general callers
    answered at once), with 3 one is (the third caller waits for the first agent free)."""
    res = make_policy("reservation", reserve=1, reserve_from=3)
    two = trace([0, "ord"], [1, "ord"], vip_desk=2, general_desk=0)
    df, _ = run_calls(two, res, engine=engine)
    assert answers(df) == [("ord", 0.0, "vip_desk"), ("ord", 1.0, "vip_desk")]
    df, _ = run_calls(two, make_policy("reservation", reserve=1), engine=engine)
    assert answers(df)[1] == ("ord", 100.0, "vip_desk")  # default: kept at any headcount
    three = trace([0, "ord"], [1, "ord"], [2, "ord"], vip_desk=3, general_desk=0)
    df, _ = run_calls(three, res, engine=engine)
    assert answers(df) == [("ord", 0.0, "vip_desk"), ("ord", 1.0, "vip_desk"),
                           ("ord", 100.0, "vip_desk")]


@pytest.mark.parametrize("engine", ["simpy", "fast"])
def test_reservation_releases_its_reserve_when_duty_falls_below_reserve_from(engine):
    """3 agents, reserve 1 from 3 on duty: the third caller waits while one agent is
    kept; when the first goes not ready after his call at 100, 2 are on duty, below
    reserve_from, and the kept agent takes the caller at once (without reserve_from
    he is kept until the second goes away at 105)."""
    scn = trace([0, "ord"], [5, "ord"], [10, "ord"], vip_desk=3, general_desk=0)
    scn["groups"]["vip_desk"]["availability"] = {"not_ready": {"prob": 1.0,
                                                               "duration": 500}}
    df, _ = run_calls(scn, make_policy("reservation", reserve=1, reserve_from=3),
                      engine=engine)
    assert [a[1] for a in answers(df)] == [0.0, 5.0, 100.0]
    df, _ = run_calls(scn, make_policy("reservation", reserve=1), engine=engine)
    assert [a[1] for a in answers(df)] == [0.0, 5.0, 105.0]


@pytest.mark.parametrize("engine", ["simpy", "fast"])
def test_reservation_holds_a_freed_agent_only_with_hold_freed(engine):
    """2 agents, reserve 1: the second general caller waits while B is kept; a VIP call
    takes B at 2. When A frees himself at 100 nobody else is idle: by default he is kept
    for VIP callers and the general caller waits for B at 102; with hold_freed off he
    takes him at once (the reserve then keeps only idle agents from arriving callers)."""
    scn = trace([0, "ord"], [1, "ord"], [2, "vip"], vip_desk=2, general_desk=0)
    df, _ = run_calls(scn, make_policy("reservation", reserve=1), engine=engine)
    assert answers(df) == [("ord", 0.0, "vip_desk"), ("ord", 102.0, "vip_desk"),
                           ("vip", 2.0, "vip_desk")]
    df, _ = run_calls(scn, make_policy("reservation", reserve=1, hold_freed=False),
                      engine=engine)
    assert answers(df) == [("ord", 0.0, "vip_desk"), ("ord", 100.0, "vip_desk"),
                           ("vip", 2.0, "vip_desk")]
    # arriving callers still meet the reserve: a general caller at 3 waits for an agent
    scn = trace([0, "ord"], [3, "ord"], vip_desk=2, general_desk=0)
    df, _ = run_calls(scn, make_policy("reservation", reserve=1, hold_freed=False),
                      engine=engine)
    assert answers(df) == [("ord", 0.0, "vip_desk"), ("ord", 100.0, "vip_desk")]


def test_dynamic_priority_lets_a_long_wait_beat_a_fresh_vip():
    scn = trace([0, "ord"], [10, "ord"], [95, "vip"])
    scn["queues"]["vip"]["groups"] = ["general_desk"]
    scn["groups"]["vip_desk"]["staffing"] = 0
    weights = {0: 4.0, 1: 1.0}
    df, _ = run_calls(scn, make_policy("dynamic_priority", weights=weights))
    # at t=100: ord waited 90 s (score 90), vip waited 5 s (score 20): ord first
    assert answers(df)[1] == ("ord", 100.0, "general_desk")
    strict, _ = run_calls(scn)
    assert answers(strict)[2] == ("vip", 100.0, "general_desk")


def test_virtual_hold_keeps_the_place_without_abandoning():
    scn = load()
    for q in scn["queues"].values():
        q["max_wait_s"] = None
        q.pop("press2_prob", None)
    scn["groups"]["general_desk"]["staffing"] = 6  # long waits
    base = run_spec(scn, policy="strict_priority").summary["overall"]
    vh = run_spec(scn, policy=make_policy("virtual_hold", accept_prob=1.0,
                                          at_announcements=[1])).summary["overall"]
    assert vh["virtual_holds"]["mean"] > 50
    assert vh["abandon_rate"]["mean"] < base["abandon_rate"]["mean"]
    assert vh["answered"]["mean"] > base["answered"]["mean"]


@pytest.mark.parametrize("params,key", [
    ({"delay": 5}, "policy.params.delay"),
    ({"delay_s": -1}, "policy.params.delay_s"),
])
def test_bad_policy_params_name_the_key(params, key):
    with pytest.raises(ConfigError) as err:
        load_policy({"name": "overflow", "class": "sim.policies.overflow.Overflow",
                     "params": params})
    assert err.value.key == key and "\n" not in str(err.value)


LIFO = textwrap.dedent('''
    from sim.policies.base import Policy

    class Lifo(Policy):
        """Last in, first out: the freed agent takes the call that entered last."""

        name = "lifo"

        def select(self, group):
            best = None
            for q in self.served[group.index]:
                for c in q.waiting():
                    if best is None or c.t_queue > best.t_queue:
                        best = c
            return best
''')


def test_user_policy_plugs_in_from_an_allow_listed_package(tmp_path, monkeypatch):
    pkg = tmp_path / "acme_routing"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "lifo.py").write_text(LIFO)
    monkeypatch.syspath_prepend(str(tmp_path))
    cfg = {"name": "lifo", "class": "acme_routing.lifo.Lifo"}
    with pytest.raises(ConfigError, match="policy_packages"):
        load_policy(cfg)  # not allow-listed
    factory = load_policy(cfg, ("acme_routing",))
    assert factory.name == "lifo"
    # the engine answers exactly the call the policy chose, not the head of its level:
    # one agent, 50 s calls at 0, 10, 20, 30 -> served 0, 30, 20, 10
    scn = scenario(arrivals__trace=[[0, "a"], [10, "a"], [20, "a"], [30, "a"]])
    df, _ = run_calls(scn, policy=factory)
    assert rows(df, "t_arrival", "t_answer", "t_end", "outcome") == [
        (0.0, 0.0, 50.0, "answered"), (10.0, 150.0, 200.0, "answered"),
        (20.0, 100.0, 150.0, "answered"), (30.0, 50.0, 100.0, "answered")]
    sys.modules.pop("acme_routing.lifo", None)


def test_policy_returning_a_call_that_does_not_wait_is_refused(monkeypatch):
    """A policy decides, the engine acts: a call that is not waiting cannot be answered."""
    from sim.policies.base import Policy

    class Stale(Policy):
        name = "stale"
        last = None

        def select(self, group):
            call = super().select(group)
            if call is None:
                return Stale.last
            Stale.last = call
            return call

    scn = scenario(arrivals__trace=[[0, "a"], [10, "a"]])
    with pytest.raises(RuntimeError, match="stale.*not waiting"):
        run_calls(scn, policy=lambda: Stale())


def test_common_random_numbers_shrink_the_ci_of_a_policy_difference():
    """Paired on the same seeds, the CI of (overflow − strict priority) is several times
    narrower than with independent seeds for the two policies."""
    scn = load()
    n = 8
    a = run_spec(scn, n_reps=n, seed=11, policy="strict_priority").replications
    b_same = run_spec(scn, n_reps=n, seed=11, policy=make_policy("overflow", delay_s=20)
                      ).replications
    b_other = run_spec(scn, n_reps=n, seed=99, policy=make_policy("overflow", delay_s=20)
                       ).replications
    kpi = lambda reps: np.array([r["overall"]["service_level"] for r in reps])  # noqa: E731
    paired = kpi(b_same) - kpi(a)
    indep = kpi(b_other) - kpi(a)
    hw_paired = paired.std(ddof=1) / math.sqrt(n)
    hw_indep = indep.std(ddof=1) / math.sqrt(n)
    assert hw_indep > 3 * hw_paired, (hw_indep, hw_paired)
