"""``engine: fast`` with redials chasing open work orders and complaint escalation: a
customer whose call opened a work order may call again after a delay to chase it, only if
the order is still open then (``Redials.on_order_opened``, ``_on_chase``); complaint work
orders climb the escalation levels while open (counted by the interval of escalation; one
no one has started yet moves to its pool's front channel) and are closed in time or
overdue, or still open at the end (``sim.model.complaints``) — the same calls and the same
summary as ``engine: simpy``, on ``hotline_small`` as shipped under every built-in policy,
on variants that stress the chase and the levels, and on one replication of
``telecom10000``."""

from __future__ import annotations

import pandas as pd
import pytest
from simhelpers import POLICIES, make_policy
from test_fast_engine import assert_same_outputs, compose_cfg, policy_extra, run_both

from sim.config import build_model_spec
from sim.fast.engine import resolve_engine, unsupported

HOT = ["scenario=hotline_small"]
COMPLAINTS = ("+scenario.operations.complaints={reason: complaint, levels: [{name: lead, "
              "after_s: %s}, {name: head, after_s: %s}, {name: director, after_s: %s}], "
              "time_limit_s: %s}")
VARIANTS = {
    # most work-order customers chase, soon: many chases find the order still open, some
    # find it done (the pools are quick for back office); tiny pools keep orders open long
    "chases, short delays, tiny pools": [
        "scenario.redial.unresolved.prob=0.9",
        "~scenario.redial.unresolved.delay",
        "+scenario.redial.unresolved.delay={dist: exponential, mean: 600}",
        "scenario.second_line.pools.back_office.staffing=[1, 1, 0, 0, 1, 2, 1, 0, 0, 1, 1, "
        "1, 0, 1, 2, 1]",
        "scenario.second_line.pools.repair.staffing=1",
        "scenario.reasons.billing_query.resolution=0.6"],
    # chases after a fixed delay while quick pools close most orders before it: the chase
    # finds the order done; few attempts allowed (the chase ignores max_attempts)
    "chases after orders done": [
        "scenario.redial.unresolved.prob=1.0",
        "~scenario.redial.unresolved.delay",
        "+scenario.redial.unresolved.delay={dist: uniform, low: 1500, high: 2500}",
        "+scenario.redial.max_attempts=2",
        "scenario.second_line.pools.back_office.staffing=6",
        "scenario.second_line.pools.repair.staffing=6",
        "scenario.reasons.fault_report.resolution=0.5"],
    # many complaints, levels after minutes, a short time limit, a green channel and
    # scarce workers: escalated orders jump the queue, many are overdue or still open
    "many complaints, short levels and limit": [
        COMPLAINTS % (300, 900, 1800, 1200),
        "scenario.reasons.complaint.share=0.4", "scenario.reasons.billing_query.share=0.1",
        "scenario.reasons.complaint.resolution=0.3",
        "+scenario.second_line.pools.back_office.green_channel=true",
        "scenario.second_line.pools.back_office.staffing=[1, 1, 0, 0, 1, 2, 1, 0, 0, 1, 1, "
        "1, 0, 1, 2, 1]",
        "scenario.redial.unresolved.prob=0.5"],
    # complaints with levels a second apart, orders escalated once started, a long limit,
    # with the outage on and the closed loop (callbacks after complaint orders)
    "complaints with the outage and the closed loop": [
        COMPLAINTS % (60, 61, 7200, 20000), "scenario.outage.enabled=true",
        "scenario.reasons.complaint.resolution=0.5",
        "+scenario.operations.callbacks={max_attempts: 2, retry_delay: {dist: exponential, "
        "mean: 600}}"],
}


def test_hotline_small_and_the_variants_run_fast():
    for overrides in [HOT, *([*HOT, *v] for v in VARIANTS.values())]:
        spec = build_model_spec(compose_cfg(overrides)["scenario"])
        assert unsupported(spec, make_policy("fifo")) is None, overrides
        assert resolve_engine("auto", spec, make_policy("fifo")) == "fast"


@pytest.mark.parametrize("policy", sorted(POLICIES))
def test_hotline_small_as_shipped_equals_simpy(policy, tmp_path):
    extra = policy_extra(policy)
    assert_same_outputs(*run_both([*HOT, f"policy={policy}", *extra, "n_reps=1"], tmp_path))


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_chase_and_escalation_variants_equal_simpy(name, tmp_path):
    summary = assert_same_outputs(*run_both([*HOT, *VARIANTS[name], "n_reps=2"], tmp_path))
    calls = pd.read_parquet(tmp_path / "fast" / "calls.parquet")
    assert (calls["attempt"] > 1).any()
    if "complaints" in name:  # the variant exercises what it is about
        assert summary["overall"]["complaint_escalations"]["mean"] > 0


def test_telecom10000_one_replication_equals_simpy(tmp_path):
    """The reference scenario runs fast as shipped: one replication, every file equal
    (about a minute on SimPy)."""
    spec = build_model_spec(compose_cfg(["scenario=telecom10000"])["scenario"])
    assert unsupported(spec, make_policy("strict_priority")) is None
    summary = assert_same_outputs(*run_both(["scenario=telecom10000", "n_reps=1"], tmp_path))
    assert summary["overall"]["complaint_escalations"]["mean"] > 0
