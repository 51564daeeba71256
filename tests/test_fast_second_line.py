"""``engine: fast`` with the second line: unresolved calls open work orders when their talk
ends, pools work through them (processing times, staffing per interval, the green channel
for VIP tiers), and the need stays open until its order is done — the same calls, the same
``second_line_intervals`` and the same summary as ``engine: simpy``, on ``hotline_small``
(redials and outbound off: not compiled here; without outbound no one calls back, so
callbacks and the closed loop are not in play) and on variants that stress the pools."""

from __future__ import annotations

import pandas as pd
import pytest
from simhelpers import POLICIES, make_policy
from test_fast_engine import assert_same_outputs, compose_cfg, run_both

from sim.config import build_model_spec
from sim.fast.engine import resolve_engine, unsupported

SECOND = ["scenario=hotline_small", "~scenario.redial", "~scenario.outbound"]
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
    # two days: the pools' staffing, backlog and the episodes carry over midnight
    "two days": ["scenario.horizon.days=2",
                 "scenario.second_line.pools.back_office.staffing=1",
                 "~scenario.second_line.pools.repair.processing_time",
                 "+scenario.second_line.pools.repair.processing_time={dist: uniform, low: 600,"
                 " high: 20000}"],
}


def test_the_second_line_runs_fast():
    for overrides in [SECOND, *([*SECOND, *v] for v in VARIANTS.values())]:
        spec = build_model_spec(compose_cfg(overrides)["scenario"])
        assert spec.second_line is not None and spec.redial is None
        assert unsupported(spec, make_policy("fifo")) is None, overrides
        assert resolve_engine("auto", spec, make_policy("fifo")) == "fast"
    gamma = build_model_spec(compose_cfg([
        *SECOND, "scenario.second_line.pools.repair.processing_time.dist=gamma"])["scenario"])
    assert unsupported(gamma, make_policy("fifo")).startswith("gamma")


def _second_line(out) -> pd.DataFrame:
    return pd.read_parquet(out / "second_line_intervals.parquet")


@pytest.mark.parametrize("policy", sorted(POLICIES))
def test_second_line_equals_simpy(policy, tmp_path):
    extra = (["policy.params.at_announcements=[1, 2]", "policy.params.accept_prob=0.3"]
             if policy == "virtual_hold" else [])
    slow, fast = run_both([*SECOND, f"policy={policy}", *extra, "n_reps=1"], tmp_path)
    assert_same_outputs(slow, fast)
    sl = _second_line(fast)
    assert sl["opened"].sum() > 50 and sl["closed"].sum() > 0


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_second_line_variants_equal_simpy(name, tmp_path):
    slow, fast = run_both([*SECOND, *VARIANTS[name], "n_reps=2"], tmp_path)
    assert_same_outputs(slow, fast)
    sl = _second_line(fast)
    assert sl["opened"].sum() > 100
    if name in ("tiny pools", "work open at the end"):  # orders still open at the end
        last = sl[sl["interval"] == sl["interval"].max()]
        assert last["backlog"].sum() > 0
