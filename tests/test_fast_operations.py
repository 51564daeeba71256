"""``engine: fast`` on the hotline's operations features: key customers (caller ID serves
a key person as its grade's VIP class), complaints (without the second line: calls of a
reason, answered at once or not) and agent availability (shrinkage with partial presence,
not ready after calls, daily breaks taken at once or owed by working agents; on the
calibrated anonymous_bank, the last agent staying for the callers waiting) give the same
calls and summary as ``engine: simpy``, under every built-in policy and on variants that
stress each rule. Complaint escalation climbs the second line's work orders:
tests/test_fast_escalation.py."""

from __future__ import annotations

import pandas as pd
import pytest
from simhelpers import POLICIES, make_policy
from test_fast_engine import assert_same_outputs, compose_cfg, policy_extra, run_both
from test_fast_hotline import HOT

from sim.config import build_model_spec
from sim.fast.engine import resolve_engine, unsupported
from sim.runner import run_replication

KEY = ("+scenario.operations.key_customers={from_tiers: [ordinary, member], grades: "
       "{5A: {share: 0.05, tier: gold}, 1B: {share: 0.1, tier: silver}}}")
COMPLAINTS = "+scenario.operations.complaints={reason: complaint, time_limit_s: 7200}"
NOT_READY = "not_ready: {prob: 0.2, duration: {dist: lognormal, mean: 60, sd: 30}}"
AVAIL = [
    f"+scenario.groups.general_desk.availability={{shrinkage: 0.15, {NOT_READY}, "
    "breaks: [{start_s: 7200, duration_s: 900, share: 0.3}, "
    "{start_s: 18000, duration_s: 1800, share: 0.2}]}",
    "+scenario.groups.vip_desk.availability={shrinkage: 0.3}",
    "+scenario.groups.faults_desk.availability={not_ready: {prob: 0.1, duration: 120}, "
    "breaks: [{start_s: 10800, duration_s: 600, share: 0.5}]}",
]
# complaints without the second line (with it they escalate: tests/test_fast_escalation.py)
NO_SECOND = [*HOT, "~scenario.second_line"]
OPS = [*NO_SECOND, KEY, COMPLAINTS, *AVAIL]

VARIANTS = {
    # few customers, a third of them key persons of two grades from three tiers: many
    # calls served as another class, repeat calls of key persons
    "many key customers": [
        *HOT, "scenario.customers.population=2000",
        "+scenario.operations.key_customers={from_tiers: [ordinary, member, silver], "
        "grades: {5A: {share: 0.15, tier: diamond}, 1B: {share: 0.2, tier: gold}}}"],
    # complaints a third of the calls, not settled at once half the time
    "many complaints": [*NO_SECOND, COMPLAINTS, "scenario.reasons.complaint.share=0.35",
                        "scenario.reasons.billing_query.share=0.15",
                        "scenario.reasons.complaint.resolution=0.5"],
    # small groups mostly away: strong shrinkage by interval (partial presence at most
    # intervals), half the agents not ready after a call, breaks of most of the desk
    # while it is busy (owed by working agents, some windows ending before their agents
    # are free) and breaks overlapping a headcount change
    "strong availability": [
        *HOT,
        "+scenario.groups.vip_desk.availability={shrinkage: [0.1, 0.35, 0.5, 0.6, 0.45, 0.3, "
        "0.7, 0.2, 0.55, 0.4, 0.65, 0.25, 0.5, 0.33, 0.15, 0.05], not_ready: {prob: 0.5, "
        "duration: {dist: exponential, mean: 90}}, breaks: [{start_s: 3000, duration_s: "
        "1200, share: 1.0}, {start_s: 14000, duration_s: 60, share: 0.75}]}",
        "+scenario.groups.general_desk.availability={shrinkage: 0.4, not_ready: {prob: 0.5, "
        "duration: {dist: uniform, low: 10, high: 200}}, breaks: [{start_s: 1800, "
        "duration_s: 3600, share: 0.5}, {start_s: 9000, duration_s: 30, share: 0.9}, "
        "{start_s: 20000, duration_s: 5400, share: 0.35}]}",
        "+scenario.groups.faults_desk.availability={shrinkage: 0.5, not_ready: {prob: 0.4, "
        "duration: {dist: empirical, values: [15, 60, 300]}}, breaks: [{start_s: 5400, "
        "duration_s: 2700, share: 0.6}]}"],
    # not-ready times of a gamma law (scipy's gammaincinv kernel, called from the loop)
    "gamma not-ready times": [
        *HOT, "+scenario.groups.general_desk.availability={not_ready: {prob: 0.6, duration: "
        "{dist: gamma, mean: 80, sd: 60}}}"],
}


def test_operations_run_fast():
    for overrides in [OPS, *VARIANTS.values()]:
        spec = build_model_spec(compose_cfg(overrides)["scenario"])
        assert unsupported(spec, make_policy("fifo")) is None, overrides
        assert resolve_engine("auto", spec, make_policy("reservation")) == "fast"


def test_complaint_escalation_with_the_second_line_runs_fast():
    """Escalation levels climb work orders of the second line: compiled too (compared
    with SimPy in tests/test_fast_escalation.py)."""
    cfg = compose_cfg(["scenario=hotline_small", "~scenario.redial", "~scenario.outbound",
                       "+scenario.operations.complaints={reason: complaint, levels: "
                       "[{name: lead, after_s: 600}, {name: head, after_s: 1200}], "
                       "time_limit_s: 1800}"])
    spec = build_model_spec(cfg["scenario"])
    assert spec.second_line is not None and spec.operations.complaints is not None
    assert unsupported(spec, make_policy("fifo")) is None
    assert resolve_engine("fast", spec, make_policy("fifo")) == "fast"


@pytest.mark.parametrize("policy", sorted(POLICIES))
def test_operations_equal_simpy(policy, tmp_path):
    extra = policy_extra(policy)
    summary = assert_same_outputs(*run_both([*OPS, f"policy={policy}", *extra, "n_reps=1"],
                                            tmp_path))
    assert summary["overall"]["key_customer_calls"]["mean"] > 0
    assert summary["overall"]["complaints"]["mean"] > 0


@pytest.mark.parametrize("policy", sorted(POLICIES))
@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_operations_variants_equal_simpy(name, policy, tmp_path):
    extra = policy_extra(policy)
    reps = 2 if policy == "reservation" else 1  # the reserve capped by agents on duty
    assert_same_outputs(*run_both([*VARIANTS[name], f"policy={policy}", *extra,
                                   f"n_reps={reps}"], tmp_path))
    calls = pd.read_parquet(tmp_path / "fast" / "calls.parquet")
    assert len(calls) > 1000


# every built-in policy with its defaults, and the routing rule the calibration found;
# the VIP queue is the direct line, and no queue has announcements for virtual hold's offers
ANONYMOUS_EXTRA = {"overflow": ["policy.params.vip_queue=direct_line"],
                   "reservation": ["policy.params.vip_queue=direct_line"],
                   "virtual_hold": ["policy.params.at_announcements=[]"]}
ANONYMOUS_POLICIES = {**{p: [f"policy={p}", *ANONYMOUS_EXTRA.get(p, [])]
                         for p in sorted(POLICIES)},
                      "reservation_calibrated": ["policy=reservation", "policy.params.reserve=1",
                                                 "policy.params.vip_queue=direct_line",
                                                 "policy.params.reserve_from=4"]}


# as shipped the rule rarely bites (the headcount falls to none only at night, 95 s into
# 2:00-3:30); at shrinkage 0.95 one agent is present part of most intervals and it does
ANONYMOUS = {"as shipped": [],
             "mostly one agent": ["scenario.groups.agents.availability.shrinkage=0.95"]}
STAYS_OFF = "scenario.groups.agents.availability.last_agent_stays_for=null"


@pytest.mark.parametrize("policy", sorted(ANONYMOUS_POLICIES))
@pytest.mark.parametrize("variant", sorted(ANONYMOUS))
def test_anonymous_bank_runs_fast_as_on_simpy(variant, policy, tmp_path):
    """The shipped calibrated scenario behind ``ccsim validate`` and ``ccsim check``
    (shrinkage with partial presence, the last agent staying for the callers waiting), as
    shipped and with one agent present most of the day: one replication, file for file,
    under every built-in policy and the routing rule its calibration found; ``engine=auto``
    runs it fast, agents called back from hidden work included (``--reaction on``)."""
    over = ["scenario=anonymous_bank", *ANONYMOUS[variant]]
    spec = build_model_spec(compose_cfg(over)["scenario"])
    assert any(g.availability is not None and g.availability.stay_for for g in spec.groups)
    extra = ANONYMOUS_POLICIES[policy]
    factory = make_policy(extra[0].removeprefix("policy="))
    assert resolve_engine("auto", spec, factory) == "fast"
    assert_same_outputs(*run_both([*over, *extra, "n_reps=1"], tmp_path))


def test_the_last_agent_stays_in_the_stressed_anonymous_bank():
    """The rule the comparison above covers changes that run: the agents' logged-in time
    differs with it off."""
    over = ["scenario=anonymous_bank", *ANONYMOUS["mostly one agent"]]
    staffed = []
    for off in ([], [STAYS_OFF]):
        spec = build_model_spec(compose_cfg([*over, *off])["scenario"])
        rec = run_replication(spec, make_policy("strict_priority"), 1, 0, lambda _: None,
                              engine="fast")
        staffed.append(rec.group_staffed_s.sum())
    assert staffed[0] > staffed[1]
