"""``engine: fast`` against the SimPy reference with the last agent staying for the
callers waiting (``groups.NAME.availability.last_agent_stays_for``): the exact-trace
scenarios of tests/test_availability_last_agent.py under every built-in policy, call for
call and accumulator for accumulator (staffed time shows when the last agent logs out).
The calibrated anonymous_bank with the rule on is compared in test_fast_operations.py."""

from __future__ import annotations

import pytest
from simhelpers import POLICIES, make_policy
from test_availability_last_agent import STAYING
from test_fast_property import assert_same_run

from sim.config import build_model_spec
from sim.fast.engine import resolve_engine


def test_auto_runs_the_rule_fast():
    spec = build_model_spec(STAYING["working"])
    assert any(g.availability is not None and g.availability.stay_for for g in spec.groups)
    for name in POLICIES:
        assert resolve_engine("auto", spec, make_policy(name)) == "fast"


@pytest.mark.parametrize("policy", sorted(POLICIES))
@pytest.mark.parametrize("name", sorted(STAYING))
def test_last_agent_traces_equal_simpy(name, policy, monkeypatch):
    assert_same_run(build_model_spec(STAYING[name]), make_policy(policy), monkeypatch)
