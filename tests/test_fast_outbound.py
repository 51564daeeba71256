"""``engine: fast`` on the hotline with outbound blending (campaign tasks done by blended
agents under the threshold rule), reserved outbound (``operations.outbound_reserved_share``)
and the outage (the surge of one reason's calls, the ticket opened at a count of them, the
IVR notice while it is open) gives the same calls and summary as ``engine: simpy`` — on
``hotline_small`` with redials and the second line switched off, to isolate these
features (tests/test_fast_escalation.py runs the hotline with everything on)."""

from __future__ import annotations

import pandas as pd
import pytest
from simhelpers import POLICIES, make_policy
from test_fast_engine import assert_same_outputs, compose_cfg, policy_extra, run_both

from sim.config import build_model_spec
from sim.fast.engine import resolve_engine, unsupported
from sim.model.calls import Ending

# hotline_small with outbound on (as shipped: general_desk blended, a care campaign)
OB = ["scenario=hotline_small", "~scenario.redial", "~scenario.second_line"]
OUTAGE = ["scenario.outage.enabled=true"]
RESERVED = ["+scenario.operations.outbound_reserved_share=0.2"]
MANY = ["scenario.outbound.campaigns.care.tasks_per_interval=60",
        "+scenario.outbound.campaigns.retention={tasks_per_interval: 25, handle_time: "
        "{dist: lognormal, mean: 200, sd: 80}}"]
VARIANTS = {
    # campaign tasks pile up: two campaigns, two blended groups
    "many tasks": [*MANY, "scenario.outbound.groups=[general_desk, faults_desk]"],
    # outbound work while up to a few inbound calls wait, over two days (the second day's
    # tasks are scheduled at the first day's last arrival)
    "max_inbound_waiting 3, two days": [*MANY, "scenario.outbound.max_inbound_waiting=3",
                                        "scenario.horizon.days=2"],
    # half of the blended agents may stay on outbound calls while inbound calls wait
    "reserved share high": [*MANY, "+scenario.operations.outbound_reserved_share=0.5",
                            "scenario.outbound.groups=[general_desk, vip_desk]"],
    "reserved share, no tasks": ["+scenario.operations.outbound_reserved_share=0.9",
                                 "scenario.outbound.campaigns.care.tasks_per_interval=0"],
    # the ticket opens early: many callers hear the notice
    "outage, low threshold": [*OUTAGE, "scenario.outage.ticket_threshold=5"],
    # the ticket never opens: the surge only
    "outage, threshold never reached": [*OUTAGE, "scenario.outage.ticket_threshold=100000"],
    # the notice also in place of a menu that press-2 callers go to, every feature on
    "outage at the main menu, press-2": [
        *OUTAGE, *RESERVED, "scenario.outage.menu_node=main_menu",
        "scenario.outage.ticket_threshold=20", "scenario.queues.general.press2_prob=0.4",
        "scenario.queues.general.press2_node=main_menu"],
}


def test_the_variants_run_fast():
    for overrides in [OB, [*OB, *OUTAGE, *RESERVED], *([*OB, *v] for v in VARIANTS.values())]:
        spec = build_model_spec(compose_cfg(overrides)["scenario"])
        assert unsupported(spec, make_policy("fifo")) is None, overrides
        assert resolve_engine("auto", spec, make_policy("fifo")) == "fast"


@pytest.mark.parametrize("policy", sorted(POLICIES))
def test_outbound_outage_reserved_equal_simpy_under_every_policy(policy, tmp_path):
    extra = policy_extra(policy)
    slow, fast = run_both([*OB, *OUTAGE, *RESERVED, f"policy={policy}", *extra, "n_reps=1"],
                          tmp_path)
    summary = assert_same_outputs(slow, fast)
    assert summary["conservation"]["self_served"] > 0
    ob = pd.read_parquet(fast / "outbound_intervals.parquet")
    assert ob["campaign_calls"].sum() > 0


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_outbound_and_outage_variants_equal_simpy(name, tmp_path):
    slow, fast = run_both([*OB, *VARIANTS[name], "n_reps=2"], tmp_path)
    ticket = assert_same_outputs(slow, fast)["overall"]["outage_ticket_open_s"]["mean"]
    assert (ticket is not None) == (name.startswith("outage") and "never" not in name)
    calls = pd.read_parquet(fast / "calls.parquet")
    informed = (calls["ending"].astype(str) == Ending.OUTAGE_NOTICE.name.lower()).sum()
    campaign = pd.read_parquet(fast / "outbound_intervals.parquet")["campaign_calls"].sum()
    if name.startswith("outage"):  # the variant exercises what it is about
        assert (informed > 0) == ("never" not in name)
    else:
        assert informed == 0
        assert (campaign > 0) == ("no tasks" not in name)
