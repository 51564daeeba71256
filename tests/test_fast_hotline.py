"""``engine: fast`` on the hotline: tiers, caller ID, episodes and the FCR window, and the
IVR tree (menus by reason and by branch, verification with failures, self-service, IVR
abandon and hang-up, transfers), press-2, redials, outbound blending and the second line
with its callbacks give the same calls and summary as ``engine: simpy`` — on
``hotline_small`` (with redials chasing open work orders; the outage is off in the shipped
file, tests/test_fast_outbound.py switches it on; tests/test_fast_second_line.py stresses
the second line and the closed loop, tests/test_fast_escalation.py the chase and complaint
escalation)."""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest
from simhelpers import POLICIES, make_policy
from test_fast_engine import assert_same_outputs, compose_cfg, policy_extra, run_both

from sim.config import build_model_spec
from sim.fast.engine import resolve_engine, unsupported
from sim.model.calls import Ending
from sim.model.distributions import Empirical, Exponential, Lognormal, Uniform

# hotline_small as shipped: the loop compiles all of it
HOT = ["scenario=hotline_small"]
VARIANTS = {
    # every caller a new customer (no repeats), lines that block, a busy IVR: verification
    # failing often (some hang up after the 4th failure), menus by branch, node times of
    # every compiled law
    "new customers, lines, odd IVR": [
        "scenario.customers.population=0", "+scenario.lines=40",
        "scenario.ivr.nodes.billing_verify.fail_prob=0.5",
        "scenario.ivr.nodes.fault_menu.branches.faults_transfer=0.7",
        "+scenario.ivr.nodes.fault_menu.branches.outage_notice=0.3",
        "scenario.ivr.nodes.fault_menu.time={dist: uniform, low: 2, high: 12}",
        "scenario.ivr.nodes.outage_notice.time={dist: empirical, values: [5, 9, 30, 12]}",
        "scenario.ivr.nodes.general_transfer.time={dist: exponential, mean: 4}"],
    # few customers calling again and again: repeats inside the FCR window take back
    # first-contact resolutions; a short window opens new episodes
    "repeat callers": ["scenario.customers.population=300", "scenario.fcr_window_s=3000"],
    # callers pressing 2 often, in every queue (some self-served, some back to a queue)
    "press-2": ["scenario.queues.general.press2_prob=0.4",
                "+scenario.queues.vip.press2_prob=0.3",
                "+scenario.queues.vip.press2_node=billing_selfservice",
                "+scenario.queues.faults.press2_prob=0.5",
                "+scenario.queues.faults.press2_node=outage_notice"],
}


def test_the_variants_run_fast():
    for overrides in [HOT, *([*HOT, *v] for v in VARIANTS.values())]:
        spec = build_model_spec(compose_cfg(overrides)["scenario"])
        assert unsupported(spec, make_policy("fifo")) is None, overrides
        assert resolve_engine("auto", spec, make_policy("fifo")) == "fast"


@pytest.mark.parametrize("policy", sorted(POLICIES))
def test_hotline_without_uncompiled_features_equals_simpy(policy, tmp_path):
    extra = policy_extra(policy)
    summary = assert_same_outputs(*run_both([*HOT, f"policy={policy}", *extra, "n_reps=1"],
                                            tmp_path))
    assert summary["conservation"]["self_served"] > 0


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_hotline_variants_equal_simpy(name, tmp_path):
    summary = assert_same_outputs(*run_both([*HOT, *VARIANTS[name], "n_reps=2"], tmp_path))
    assert summary["conservation"]["self_served"] > 0
    if name == "press-2":  # the variant exercises what it is about
        endings = pd.read_parquet(tmp_path / "fast" / "calls.parquet")["ending"].astype(str)
        assert (endings == Ending.PRESS2_SELF_SERVICE.name.lower()).any()


def test_lognormal_node_times_use_statistics_inv_cdf_bit_for_bit():
    """The lognormal node time is ``sample1``: NormalDist.inv_cdf (AS241) inside exp; the
    port must give the same bits in all three of its branches, and so must the others."""
    from sim.fast.ivr import node_arrays, node_time, std_normal_inv_cdf
    from sim.model.ivr import IvrNode, IvrSpec

    u = np.concatenate([np.linspace(1e-12, 1 - 1e-12, 20001),
                        [1e-300, 1e-20, 0.075, 0.5, 0.925, 1 - 1e-16]])
    inv = NormalDist().inv_cdf
    assert [std_normal_inv_cdf(x) for x in u] == [inv(x) for x in u]
    laws = [Lognormal(15.0, 5.0), Exponential(4.0), Uniform(2.0, 12.0),
            Empirical((5.0, 9.0, 30.0, 12.0))]
    ivr = node_arrays(IvrSpec(tuple(IvrNode(f"n{i}", i, "hangup", d)
                                    for i, d in enumerate(laws))), 1)
    for i, d in enumerate(laws):
        got = [node_time(ivr, i, x) for x in u[:2000]]
        assert got == [d.sample1(x) for x in u[:2000]], d
        assert all(math.isfinite(x) for x in got)
