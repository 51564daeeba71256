"""``engine: fast`` with agents called back from away work (``groups.NAME.availability
.reaction_time`` with ``away_work``) gives the same calls and summary as ``engine:
simpy``: a caller still waiting once he has waited his reaction time calls back the agent
of the group longest in away work, who drops his task. On ``basic`` with a backlog of
long away tasks (several agents away at once), under every built-in policy, with answer
delays, agents not ready and on breaks, callers abandoning before their reaction time; on
variants that stress the rule; and on one replication of the calibrated anonymous_bank
with the rule on (``ccsim calibrate --reaction on``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from simhelpers import POLICIES, make_policy
from test_fast_engine import assert_same_outputs, compose_cfg, policy_extra, run_both

from sim.config import build_model_spec
from sim.fast.engine import resolve_engine
from sim.runner import run_replication

# basic at 60 % of its volume, the general desk working a backlog (5-minute tasks, a
# fifth of the calls, a quarter of its work) as away work: a caller who waited 45 s on
# average (lognormal) calls one back.
# The ordinary callers' patience (120 s on average) often ends before that; VIP callers
# wait an answer delay first; the general desk goes not ready after a fifth of its calls
# and on two breaks; announcements give virtual hold its offers.
REACT = ("reaction_time: {dist: lognormal, mean: 45, sd: 30}, away_work: [backlog], "
         "not_ready: {prob: 0.2, duration: {dist: exponential, mean: 60}}, breaks: "
         "[{start_s: 36000, duration_s: 900, share: 0.3}, {start_s: 50400, duration_s: "
         "1800, share: 0.2}]")
BASE = ["scenario=basic", "scenario.load=0.6", "+scenario.queues.backlog={groups: "
        "[general_desk]}", "scenario.classes.vip.mix=0.12", "scenario.classes.ordinary.mix=0.68",
        "+scenario.classes.backlog={mix: 0.2, priority: 5, queue: backlog, patience: null, "
        "handle_time: {dist: exponential, mean: 300}}",
        "+scenario.classes.vip.answer_delay={dist: exponential, mean: 20}",
        "+scenario.queues.general.announce_s=[15, 30]",
        f"+scenario.groups.general_desk.availability={{{REACT}}}"]
RULE_OFF = ["++scenario.groups.general_desk.availability.reaction_time=null",
            "++scenario.groups.general_desk.availability.away_work=null"]

VARIANTS = {
    # answer delays around the reaction time: callers taken at the delay's end (reaction
    # already due) or at the reaction (delay shorter), the delay also for ordinary callers
    "answer delays": ["scenario.classes.vip.answer_delay.mean=60",
                      "+scenario.classes.ordinary.answer_delay={dist: uniform, low: 5, "
                      "high: 90}"],
    # both desks work the backlog and react to VIP callers: two reactions per VIP wait,
    # each group with its own law, from the same draw
    "two desks react": [
        "scenario.queues.backlog.groups=[general_desk, vip_desk]",
        "+scenario.groups.vip_desk.availability={reaction_time: {dist: uniform, low: 10, "
        "high: 30}, away_work: [backlog], breaks: [{start_s: 43200, duration_s: 1200, "
        "share: 0.5}]}"],
    # impatient callers: most leave (abandon, or are cut off at 40 s) before reacting
    "callers leave first": ["scenario.classes.ordinary.patience={dist: exponential, mean: 25}",
                            "++scenario.queues.general.max_wait_s=40"],
    # VIP callers with their own, short reaction time (reaction_time_by_queue), ordinary
    # callers with the group's: two laws of one group, from the same draw
    "own law by queue": ["+scenario.groups.general_desk.availability.reaction_time_by_queue"
                         "={vip: {dist: exponential, mean: 5}}"],
    # the backlog as the agents' own work with trunk lines: calls are blocked, tasks are
    # neither blocked nor hold a line
    "own work, lines": ["+scenario.classes.backlog.kind=work", "+scenario.lines=12"],
    # the backlog as calls with trunk lines: tasks dropped in their talk free their line
    # then (their planned hang-up frees nothing more)
    "away calls, lines": ["+scenario.lines=12"],
    # short tasks, a fixed reaction time: agents rarely away long, many reactions finding
    # nobody away
    "short tasks": ["scenario.classes.backlog.handle_time=30",
                    "++scenario.groups.general_desk.availability.reaction_time=20"],
}

# anonymous_bank as `ccsim calibrate sim/data/anonymous_bank_january1999.txt.gz --name
# react --reaction on` writes it: the shipped scenario (calibrated without the rule) with
# that calibration's hidden work and the rule (its values, 2026-12-03)
ANONYMOUS_REACT = [
    "scenario=anonymous_bank",
    "scenario.classes.hidden_work.calls_per_interval=[3.6752, 3.6638, 3.6658, 3.6763, 0.0, "
    "0.0, 0.0, 3.6746, 3.6681, 3.6701, 3.6667, 3.6661, 3.673, 3.5652, 2.3873, 2.3944, "
    "4.5231, 3.8971, 4.8007, 3.05, 3.6499, 3.371, 4.0268, 5.391, 5.582, 5.0871, 5.3922, "
    "4.3064, 5.5852, 4.542, 4.0256, 3.3436, 3.3235, 3.242, 3.6742, 3.5956, 5.143, 5.395, "
    "5.7932, 5.4932, 6.3472, 5.9323, 5.8483, 4.4568, 3.0531, 3.3345, 2.7894, 1.7665]",
    "scenario.classes.hidden_work.handle_time={dist: exponential, mean: 270.861}",
    "+scenario.groups.agents.availability.reaction_time={dist: lognormal, mean: 913.414, "
    "sd: 5894.09}",
    "+scenario.groups.agents.availability.away_work=[hidden_work]"]
ANONYMOUS_EXTRA = {"overflow": ["policy.params.vip_queue=direct_line"],
                   "reservation": ["policy.params.vip_queue=direct_line"],
                   "virtual_hold": ["policy.params.at_announcements=[]"]}


def _run(over: list[str], rule: bool = True):
    spec = build_model_spec(compose_cfg([*over, *([] if rule else RULE_OFF)])["scenario"])
    return run_replication(spec, make_policy("fifo"), 1, 0, lambda _: None, engine="fast")


def test_the_rule_runs_fast_under_auto():
    spec = build_model_spec(compose_cfg(BASE)["scenario"])
    assert spec.groups[1].availability.reaction is not None
    for name in POLICIES:
        assert resolve_engine("auto", spec, make_policy(name)) == "fast"


@pytest.mark.parametrize("policy", sorted(POLICIES))
def test_reaction_equals_simpy_under_every_policy(policy, tmp_path):
    assert_same_outputs(*run_both([*BASE, f"policy={policy}", *policy_extra(policy),
                                   "n_reps=1"], tmp_path))


@pytest.mark.parametrize("policy", ["strict_priority", "reservation", "overflow"])
@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_reaction_variants_equal_simpy(variant, policy, tmp_path):
    assert_same_outputs(*run_both([*BASE, *VARIANTS[variant], f"policy={policy}",
                                   *policy_extra(policy), "n_reps=1"], tmp_path))


def test_dropped_tasks_end_at_their_recall(tmp_path):
    """The record of an away task dropped for a caller (ending ``recalled``) ends when its
    agent answered that caller, not at its planned end: its talk and after-call work end
    at an answer of a caller by the same agent. Many tasks are cut, in their talk and in
    their after-call work; both engines write the same records."""
    slow, fast = run_both([*BASE, "policy=fifo", "n_reps=1",
                           "+scenario.classes.backlog.after_call_work=60"], tmp_path)
    assert_same_outputs(slow, fast)
    calls = pd.read_parquet(fast / "calls.parquet")
    cut = calls[calls["ending"] == "recalled"]
    assert len(cut) > 50 and set(cut["class"]) == {"backlog"}
    assert (cut["outcome"] == "answered").all()
    in_acw = cut["acw_s"] > 0
    assert 10 < in_acw.sum() < len(cut)
    callers = calls[(calls["ending"] == "agent") & (calls["class"] != "backlog")]
    answers = callers.groupby(["group", "agent"], observed=True)["t_answer"].agg(list)
    for (group, agent), end in zip(zip(cut["group"], cut["agent"], strict=True),
                                   cut["t_end"] + cut["acw_s"], strict=True):
        assert np.isclose(answers[group, agent], end, rtol=0, atol=1e-6).sum() == 1


@pytest.mark.parametrize("variant", ["base", "answer delays", "callers leave first"])
def test_the_compared_runs_call_agents_back(variant):
    """The comparisons above see the rule at work: with it on, the general queue is
    shorter and the general desk's busy time falls (away tasks cut short)."""
    over = [*BASE, *VARIANTS.get(variant, [])]
    on, off = _run(over), _run(over, rule=False)
    assert on.group_busy_s[1].sum() < off.group_busy_s[1].sum()
    assert on.queue_area[1].sum() < off.queue_area[1].sum()


@pytest.mark.parametrize("policy", [*sorted(POLICIES), "reservation_calibrated"])
def test_calibrated_anonymous_bank_with_reaction_equals_simpy(policy, tmp_path):
    """One replication of the calibrated scenario with the rule on, file for file, under
    every built-in policy and the routing rule its calibration found."""
    name = policy.removesuffix("_calibrated")
    extra = [f"policy={name}", *ANONYMOUS_EXTRA.get(name, [])]
    if policy == "reservation_calibrated":
        extra += ["policy.params.reserve=1", "policy.params.reserve_from=4"]
    spec = build_model_spec(compose_cfg(ANONYMOUS_REACT)["scenario"])
    assert spec.groups[0].availability.reaction is not None
    assert resolve_engine("auto", spec, make_policy(name)) == "fast"
    assert_same_outputs(*run_both([*ANONYMOUS_REACT, *extra, "n_reps=1"], tmp_path))


def test_a_queue_with_its_own_short_reaction_time_waits_less():
    """The rule by queue at work (without the VIP answer delay, which would hide it): VIP
    callers calling agents back after 5 s instead of 45 s wait far less."""
    base = [x for x in BASE if "answer_delay" not in x]
    slow, quick = _run(base), _run([*base, *VARIANTS["own law by queue"]])
    assert quick.queue_area[0].sum() < 0.5 * slow.queue_area[0].sum()
