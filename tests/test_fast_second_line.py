"""``engine: fast`` with the second line: unresolved calls open work orders when their talk
ends, pools work through them (processing times, staffing per interval, the green channel
for VIP tiers), the need stays open until its order is done, and with outbound blended
agents call the customer back (callback time, answer probability), closing the loop
(``operations.callbacks``: retries up to max_attempts, satisfaction callbacks, the need
resolved only when a callback reaches the customer) — the same calls, the same
``second_line_intervals``, ``outbound_intervals`` and summary as ``engine: simpy``, on
``hotline_small`` (redials off, to isolate the second line; tests/test_fast_escalation.py
runs them together) with and without outbound, and on
variants that stress the pools and the callbacks."""

from __future__ import annotations

import pandas as pd
import pytest
from simhelpers import POLICIES, make_policy
from test_fast_engine import assert_same_outputs, compose_cfg, policy_extra, run_both

from sim.config import build_model_spec
from sim.fast.engine import resolve_engine, unsupported

SECOND = ["scenario=hotline_small", "~scenario.redial", "~scenario.outbound"]
CALLBACKS = ["scenario=hotline_small", "~scenario.redial"]  # blended agents call back
LOOP = ("+scenario.operations.callbacks={max_attempts: 3, retry_delay: {dist: exponential, "
        "mean: 900}, satisfaction_pools: [repair], satisfaction_handle_time: {dist: uniform, "
        "low: 60, high: 240}}")
CALLBACK_VARIANTS = {
    # the closed loop on the shipped hotline: retries, satisfaction callbacks after repairs
    "closed loop": [LOOP],
    # customers rarely answer: callbacks retried up to 3 times, many given up on; few
    # blended agents and outbound only when no call waits, so callbacks queue up and many
    # are still owed when outbound work stops at the end of the horizon
    "closed loop, answer_prob low": [
        LOOP, "scenario.second_line.callback.answer_prob=0.15",
        "scenario.reasons.billing_query.resolution=0.7",
        "scenario.second_line.pools.back_office.staffing=4",
        "~scenario.second_line.callback.handle_time",
        "+scenario.second_line.callback.handle_time={dist: lognormal, mean: 200, sd: 60}"],
    # callbacks without the loop (needs resolved when the order is done), answered or not,
    # before campaign calls, two blended groups
    "callbacks, no loop": ["scenario.second_line.callback.answer_prob=0.4",
                           "scenario.outbound.groups=[general_desk, faults_desk]",
                           "scenario.outbound.max_inbound_waiting=2",
                           "scenario.reasons.fault_report.resolution=0.5"],
    # one attempt only, reserved outbound capacity, orders open at the end
    "closed loop, one attempt, reserved share": [
        LOOP.replace("max_attempts: 3", "max_attempts: 1"),
        "+scenario.operations.outbound_reserved_share=0.3",
        "scenario.second_line.pools.repair.staffing=[3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 1, 0, 0,"
        " 0, 0, 0]"],
}
VARIANTS = {
    # one or no worker per pool, many unresolved calls: orders queue for hours, more of them
    # open at once than the loop's first work-order slots (they grow), VIPs first in both
    # pools, workers logging out mid-order
    "tiny pools": [
        "scenario.second_line.pools.back_office.staffing=[1, 1, 0, 0, 1, 2, 1, 0, 0, 1, 1, 1,"
        " 0, 1, 2, 1]",
        "scenario.second_line.pools.repair.staffing=1",
        "+scenario.second_line.pools.back_office.green_channel=true",
        "scenario.reasons.billing_query.resolution=0.6",
        "scenario.reasons.fault_report.resolution=0.5",
        "scenario.reasons.consultation.resolution=0.7"],
    # the pools go home before the horizon ends with orders still waiting and running;
    # orders finish after the centre closed (closed in the last interval), others never do
    "work open at the end": [
        "scenario.second_line.pools.back_office.staffing=[2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,"
        " 1, 0, 0, 0]",
        "scenario.second_line.pools.repair.staffing=[3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 1, 0, 0,"
        " 0, 0, 0]",
        "scenario.second_line.pools.repair.processing_time={dist: lognormal, mean: 9000,"
        " sd: 4000}",
        "scenario.horizon.drain_s=600", "scenario.reasons.fault_report.resolution=0.6"],
    # every tier but ordinary a VIP, green channel everywhere, processing times of other
    # compiled laws; few customers, so the same needs recur while their orders are open
    "green channel, other laws, repeat callers": [
        "+scenario.tiers.member.vip=true", "+scenario.tiers.blacklist.vip=true",
        "+scenario.second_line.pools.back_office.green_channel=true",
        "scenario.second_line.pools.back_office.staffing=1",
        "~scenario.second_line.pools.back_office.processing_time",
        "+scenario.second_line.pools.back_office.processing_time={dist: exponential, "
        "mean: 2400}",
        "~scenario.second_line.pools.repair.processing_time",
        "+scenario.second_line.pools.repair.processing_time={dist: empirical, "
        "values: [600, 3600, 7200, 1200]}",
        "scenario.customers.population=400", "scenario.fcr_window_s=7200",
        "scenario.reasons.complaint.resolution=0.5"],
    # processing times of a gamma law (scipy's gammaincinv kernel, called from the loop)
    "gamma processing times": [
        "~scenario.second_line.pools.repair.processing_time",
        "+scenario.second_line.pools.repair.processing_time={dist: gamma, mean: 3600, "
        "sd: 2500}"],
    # two days: the pools' staffing, backlog and the episodes carry over midnight
    "two days": ["scenario.horizon.days=2",
                 "scenario.second_line.pools.back_office.staffing=1",
                 "~scenario.second_line.pools.repair.processing_time",
                 "+scenario.second_line.pools.repair.processing_time={dist: uniform, low: 600,"
                 " high: 20000}"],
}


def test_the_second_line_runs_fast():
    for overrides in [SECOND, *([*SECOND, *v] for v in VARIANTS.values()), CALLBACKS,
                      *([*CALLBACKS, *v] for v in CALLBACK_VARIANTS.values())]:
        spec = build_model_spec(compose_cfg(overrides)["scenario"])
        assert spec.second_line is not None and spec.redial is None
        assert (spec.outbound is not None) == ("~scenario.outbound" not in overrides)
        assert unsupported(spec, make_policy("fifo")) is None, overrides
        assert resolve_engine("auto", spec, make_policy("fifo")) == "fast"


def _second_line(out) -> pd.DataFrame:
    return pd.read_parquet(out / "second_line_intervals.parquet")


def _outbound(out) -> pd.DataFrame:
    return pd.read_parquet(out / "outbound_intervals.parquet")


@pytest.mark.parametrize("outbound", ["without outbound", "closed loop"])
@pytest.mark.parametrize("policy", sorted(POLICIES))
def test_second_line_equals_simpy(policy, outbound, tmp_path):
    extra = policy_extra(policy)
    base = SECOND if outbound == "without outbound" else [*CALLBACKS, LOOP]
    slow, fast = run_both([*base, f"policy={policy}", *extra, "n_reps=1"], tmp_path)
    assert_same_outputs(slow, fast)
    sl = _second_line(fast)
    assert sl["opened"].sum() > 50 and sl["closed"].sum() > 0
    if outbound == "closed loop":
        assert _outbound(fast)["callbacks_made"].sum() > 0


@pytest.mark.parametrize("name", sorted(CALLBACK_VARIANTS))
def test_callback_variants_equal_simpy(name, tmp_path):
    slow, fast = run_both([*CALLBACKS, *CALLBACK_VARIANTS[name], "n_reps=2"], tmp_path)
    assert_same_outputs(slow, fast)
    ob = _outbound(fast)
    assert ob["callbacks_made"].sum() > 20
    assert ob["callbacks_answered"].sum() < ob["callbacks_made"].sum()
    if name == "closed loop, answer_prob low":  # most attempts unanswered: retried
        assert ob["callbacks_answered"].sum() < 0.3 * ob["callbacks_made"].sum()


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_second_line_variants_equal_simpy(name, tmp_path):
    slow, fast = run_both([*SECOND, *VARIANTS[name], "n_reps=2"], tmp_path)
    assert_same_outputs(slow, fast)
    sl = _second_line(fast)
    assert sl["opened"].sum() > 100
    if name in ("tiny pools", "work open at the end"):  # orders still open at the end
        last = sl[sl["interval"] == sl["interval"].max()]
        assert last["backlog"].sum() > 0
