"""``engine: fast`` with seat sites and dialect routing (``scenario.sites``) gives the same
calls and summary as ``engine: simpy``: dialect callers offered only to agents who speak
their dialect until the fallback, under every built-in policy, with the per-site and
per-region KPIs (``by_site``, ``by_region``: sim.kpi_sites, from the SiteRecord both
engines fill). On ``hotline_small`` with a dialect site (the faults desk) and on the
shipped ``sites_dialects`` experiment, plus variants that stress the rule."""

from __future__ import annotations

import pytest
from simhelpers import POLICIES, make_policy
from test_fast_engine import assert_same_outputs, compose_cfg, policy_extra, run_both

from sim.config import build_model_spec
from sim.fast.engine import resolve_engine

# hotline_small split over two sites: the faults desk in the dialect city (it speaks the
# local dialect), the other desks in the capital; 40 % of the callers from the dialect
# area, half of them needing the dialect
SITES = ["scenario=hotline_small",
         "+scenario.sites={dialect_fallback_s: 30, sites: {capital: {}, dialect_city: "
         "{dialects: [local_dialect], cost_factor: 0.8}}, regions: {capital_area: {share: "
         "0.6}, dialect_area: {share: 0.4, dialect: local_dialect, dialect_share: 0.5}}}",
         "+scenario.groups.vip_desk.site=capital", "+scenario.groups.general_desk.site=capital",
         "+scenario.groups.faults_desk.site=dialect_city"]
VARIANTS = {
    # dialect callers fall back almost at once
    "short fallback": ["scenario.sites.dialect_fallback_s=2"],
    # they never fall back within the day (past every forced disconnect): only the
    # dialect site answers them
    "no fallback": ["scenario.sites.dialect_fallback_s=100000"],
    # queue order instead of the dialect caller first
    "queue order": ["+scenario.sites.dialect_first=false"],
    # the blended general desk's outbound work while dialect callers wait for the faults
    # desk (the threshold rule counts only calls it may be offered), two blended groups
    "outbound with dialects": ["scenario.outbound.groups=[general_desk, faults_desk]",
                               "scenario.outbound.campaigns.care.tasks_per_interval=40"],
    # agents not ready and on breaks at the dialect site
    "availability with sites": [
        "+scenario.groups.faults_desk.availability={shrinkage: 0.8, not_ready: {prob: 0.2, "
        "duration: {dist: exponential, mean: 60}}, breaks: [{start_s: 7200, duration_s: "
        "900, share: 0.5}]}"],
    # every caller of the dialect area needs the dialect
    "all need the dialect": ["scenario.sites.regions.dialect_area.dialect_share=1.0"],
}


def test_sites_run_fast_under_auto():
    spec = build_model_spec(compose_cfg(SITES)["scenario"])
    for name in POLICIES:
        assert resolve_engine("auto", spec, make_policy(name)) == "fast"


@pytest.mark.parametrize("policy", sorted(POLICIES))
def test_sites_equal_simpy_under_every_policy(policy, tmp_path):
    slow, fast = run_both([*SITES, f"policy={policy}", *policy_extra(policy), "n_reps=1"],
                          tmp_path)
    summary = assert_same_outputs(slow, fast)
    overall = summary["overall"]
    # the rule is exercised: dialect callers answered both ways
    assert overall["dialect_in_dialect"]["mean"] > 0
    assert overall["dialect_in_mandarin"]["mean"] > 0
    assert set(summary["by_site"]) == {"capital", "dialect_city"}


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_sites_variants_equal_simpy(name, tmp_path):
    slow, fast = run_both([*SITES, *VARIANTS[name], "n_reps=2"], tmp_path)
    overall = assert_same_outputs(slow, fast)["overall"]
    if name == "no fallback":  # only dialect speakers answered dialect callers
        assert overall["dialect_in_mandarin"]["mean"] == 0
        assert overall["dialect_in_dialect"]["mean"] > 0


def test_sites_dialects_experiment_equals_simpy(tmp_path):
    """The shipped experiment (telecom10000 with a dialect site), one replication."""
    slow, fast = run_both(["experiment=sites_dialects", "n_reps=1"], tmp_path)
    assert assert_same_outputs(slow, fast)["overall"]["dialect_in_dialect"]["mean"] > 0
