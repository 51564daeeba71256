"""``engine: fast`` with redials (``scenario.redial``, and the IVR hang-up's own redial
law ``scenario.operations.ivr_hangup_redial``): the same calls, call ids, draws, classes
and records as ``engine: simpy`` — on ``hotline_small`` under every built-in policy and
on variants that stress the redial rules (eager redials with short delays, blocked calls
redialling into busy lines, redials crossing the day end, the horizon and the closing,
every compiled time law drawn inside the loop, gamma laws included)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from simhelpers import POLICIES, make_policy
from test_fast_engine import assert_same_outputs, compose_cfg, policy_extra, run_both
from test_fast_hotline import HOT

from sim.config import build_model_spec
from sim.fast.engine import resolve_engine, unsupported
from sim.model import distributions as dists
from sim.model.calls import Ending
from sim.sampling import _part_code, derive_key


def law(key: str, value: str) -> list[str]:
    """Overrides that replace the time law at ``key`` (a mapping does not merge into one
    with other parameters)."""
    return [f"~{key}", f"+{key}={value}"]


EAGER = ["scenario.redial.abandoned.prob=0.9", "scenario.redial.disconnected.prob=0.95",
         *law("scenario.redial.abandoned.delay", "{dist: uniform, low: 1, high: 30}"),
         "scenario.redial.disconnected.delay.mean=20"]
HANGUP = ("+scenario.operations={ivr_hangup_redial: {prob: 0.9, delay: {dist: lognormal, "
          "mean: 60, sd: 30}}}")
VARIANTS = {
    # nearly every failed attempt calls again within seconds, up to the attempt limit
    "eager redials": [*EAGER, "+scenario.redial.max_attempts=4"],
    # few lines: many blocked calls, redialling at once into lines still busy
    "blocked redials": [*EAGER, "+scenario.lines=25",
                        *law("scenario.redial.disconnected.delay", "2")],
    # two days, long redial delays of an empirical law: redials cross the day end, the
    # horizon (no redial from it on) and the closing (a short drain)
    "redials across day end and closing": [
        "scenario.horizon.days=2", "scenario.horizon.drain_s=600",
        "scenario.redial.abandoned.prob=0.8",
        *law("scenario.redial.abandoned.delay",
             "{dist: empirical, values: [600, 3600, 9000, 30]}"),
        *law("scenario.redial.disconnected.delay", "{dist: lognormal, mean: 2400, sd: 2000}")],
    # a redial draws its patience and handle times inside the loop: every compiled law
    "redialled class laws": [
        *EAGER, *law("scenario.tiers.member.patience", "{dist: lognormal, mean: 60, sd: 40}"),
        *law("scenario.tiers.ordinary.patience", "{dist: empirical, values: [5, 40, 90, 200]}"),
        *law("scenario.tiers.silver.patience", "{dist: uniform, low: 10, high: 100}"),
        *law("scenario.reasons.consultation.handle_time", "{dist: exponential, mean: 200}"),
        "scenario.reasons.complaint.after_call_work={dist: uniform, low: 5, high: 60}"],
    # gamma laws wherever the loop draws one: IVR node times, redial delays, a redialled
    # class's patience and handle time
    "gamma laws": [
        *EAGER, "scenario.ivr.nodes.fault_menu.time={dist: gamma, mean: 10, sd: 5}",
        *law("scenario.ivr.nodes.main_menu.time", "{dist: gamma, mean: 20, sd: 30}"),
        *law("scenario.redial.abandoned.delay", "{dist: gamma, mean: 60, sd: 50}"),
        *law("scenario.tiers.ordinary.patience", "{dist: gamma, mean: 80, sd: 60}"),
        *law("scenario.reasons.consultation.handle_time", "{dist: gamma, mean: 200, sd: 150}")],
    # the IVR hangs up often (failed verification, blacklist): those redial by their law
    "IVR hang-up redials": [HANGUP, "scenario.ivr.nodes.billing_verify.fail_prob=0.6"],
}


def test_redial_key_is_derive_key_bit_for_bit():
    """The loop's key derivation is ``sim.sampling.derive_key`` in uint64 arithmetic."""
    from sim.fast.redial import redial_key
    from sim.fast.rng import derive

    rng = np.random.default_rng(12)
    keys = [0, 1, 2**63 - 1, 2**63, 2**64 - 1,
            *(int(k) for k in rng.integers(0, 2**64, 300, dtype=np.uint64))]
    parts = [0, 1, 2, 9, 10, 11, 2**31, 2**40, 2**62, *range(3, 50, 7), "redial", "chase",
             "key_customers", ""]
    for key in keys:
        for part in parts:
            code = part if isinstance(part, int) else _part_code(part)
            assert int(derive(np.uint64(key), np.uint64(code))) == derive_key(key, part)
        for attempt in (1, 2, 3, 10, 20, 1000):
            assert int(redial_key(np.uint64(key), attempt)) == derive_key(key, "redial",
                                                                          attempt)


def test_redial_laws_are_sample1_bit_for_bit():
    """A redial's variates are ``Distribution.sample1`` of its keyed uniforms."""
    from sim.fast.redial import _law, sample1

    laws = [dists.Lognormal(60.0, 40.0), dists.Exponential(20.0), dists.Uniform(1.0, 30.0),
            dists.Empirical((600.0, 3600.0, 9000.0, 30.0)), dists.Deterministic(7.5),
            dists.Never()]
    rows = [_law(d) for d in laws]
    lv = np.zeros((len(rows), 4))
    for i, (*_, v) in enumerate(rows):
        lv[i, :len(v)] = v
    rd = (np.zeros(3, dtype=np.int64), np.zeros(4), np.zeros((1, 2), dtype=np.int64),
          np.array([(k, len(v)) for k, _, _, v in rows], dtype=np.int64),
          np.array([(a, b) for _, a, b, _ in rows]), lv)
    u = np.concatenate([np.linspace(1e-12, 1 - 1e-12, 3001), [1e-300, 0.075, 0.5, 0.925]])
    for i, d in enumerate(laws):
        assert [sample1(rd, i, x) for x in u] == [d.sample1(x) for x in u], d


def test_redials_and_gamma_laws_run_fast():
    for overrides in [HOT, *([*HOT, *v] for v in VARIANTS.values())]:
        spec = build_model_spec(compose_cfg(overrides)["scenario"])
        assert spec.redial is not None
        assert unsupported(spec, make_policy("fifo")) is None, overrides
        assert resolve_engine("auto", spec, make_policy("fifo")) == "fast"


def test_gamma_laws_are_scipys_gammaincinv_bit_for_bit():
    """A gamma node time or redial variate is ``Gamma.sample1`` (scipy's gammaincinv ufunc
    times mean / shape): the loop calls the same compiled kernel, so the same bits."""
    from scipy.special import gammaincinv as scipy_gammaincinv

    from sim.fast.ivr import gammaincinv, node_arrays, node_time
    from sim.fast.redial import _law, sample1
    from sim.model.ivr import IvrNode, IvrSpec

    rng = np.random.default_rng(5)
    shapes = np.concatenate([rng.uniform(0.01, 200.0, 2000), [1e-3, 0.5, 1.0, 1e4]])
    u = np.concatenate([rng.uniform(0.0, 1.0, 2000), [1e-300, 1e-12, 0.5, 1 - 1e-16]])
    assert [gammaincinv(a, x) for a, x in zip(shapes, u, strict=True)] == [
        float(scipy_gammaincinv(a, x)) for a, x in zip(shapes, u, strict=True)]
    laws = [dists.Gamma(10.0, 5.0), dists.Gamma(300.0, 400.0), dists.Gamma(1.0, 0.01)]
    tree = node_arrays(IvrSpec(tuple(IvrNode(f"n{i}", i, "hangup", d)
                                     for i, d in enumerate(laws))), 1)
    rows = [_law(d) for d in laws]
    rd = (np.zeros(3, dtype=np.int64), np.zeros(4), np.zeros((1, 2), dtype=np.int64),
          np.array([(k, 0) for k, *_ in rows], dtype=np.int64),
          np.array([(a, b) for _, a, b, _ in rows]), np.zeros((len(rows), 1)))
    for i, d in enumerate(laws):
        want = [d.sample1(x) for x in u]
        assert [node_time(tree, i, x) for x in u] == want, d
        assert [sample1(rd, i, x) for x in u] == want, d


def _attempts(path) -> pd.DataFrame:
    return pd.read_parquet(path / "fast" / "calls.parquet")


@pytest.mark.parametrize("policy", sorted(POLICIES))
def test_hotline_with_redials_equals_simpy(policy, tmp_path):
    extra = policy_extra(policy)
    summary = assert_same_outputs(*run_both([*HOT, *EAGER, f"policy={policy}", *extra,
                                             "n_reps=1"], tmp_path))
    assert summary["conservation"]["offered"] > 0
    assert (_attempts(tmp_path)["attempt"] > 1).sum() > 100


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_redial_variants_equal_simpy(name, tmp_path):
    assert_same_outputs(*run_both([*HOT, *VARIANTS[name], "n_reps=2"], tmp_path))
    calls = _attempts(tmp_path)
    assert (calls["attempt"] > 1).sum() > 100  # the variant exercises redials
    endings = calls["ending"].astype(str)
    if name == "blocked redials":
        blocked = calls[endings == Ending.NO_LINE.name.lower()]
        assert (blocked["attempt"] > 1).sum() > 50
    if name == "eager redials":
        assert calls["attempt"].max() == 4
    if name == "IVR hang-up redials":  # hung-up callers redial (their own probability)
        hung_up = calls[endings == Ending.IVR_HANGUP.name.lower()]
        assert len(hung_up) > 20
        again = calls.merge(hung_up[["customer", "attempt"]].assign(
            attempt=hung_up["attempt"] + 1), on=["customer", "attempt"])
        assert len(again) > 0.5 * len(hung_up)


@pytest.mark.parametrize("policy", sorted(POLICIES))
def test_ivr_hangup_redials_equal_simpy(policy, tmp_path):
    assert_same_outputs(*run_both([*HOT, *VARIANTS["IVR hang-up redials"], f"policy={policy}",
                                   "n_reps=1"], tmp_path))


# a scenario of call classes (the calibrated bank): direct-line callers the 1 s wait
# disconnects call again, as a busy tone's callers would; the reservation policy and the
# answer delays, availability and hidden work of the calibration all run
BANK_REDIAL = ["scenario=anonymous_bank", "policy=reservation", "policy.params.reserve=1",
               "policy.params.vip_queue=direct_line", "policy.params.reserve_from=4",
               "+scenario.redial={disconnected: {prob: 0.9, delay: {dist: exponential, "
               "mean: 60}}, abandoned: {prob: 0.3, delay: {dist: lognormal, mean: 600, "
               "sd: 400}}, max_attempts: 4}"]


def test_class_scenario_with_redials_equals_simpy(tmp_path):
    assert_same_outputs(*run_both([*BANK_REDIAL, "n_reps=2"], tmp_path))
    calls = _attempts(tmp_path)
    redials = calls[calls["attempt"] > 1]
    assert len(redials) > 100
    assert {"p0_PS", "p2_PS"} <= set(redials["class"])  # disconnected and abandoned ones
    assert calls["attempt"].max() == 4  # max_attempts holds


def test_class_scenario_redials_change_the_run():
    """Without ``scenario.redial`` no attempt is a redial (the key is not ignored)."""
    on = build_model_spec(compose_cfg(BANK_REDIAL)["scenario"])
    off = build_model_spec(compose_cfg(BANK_REDIAL[:-1])["scenario"])
    assert on.redial is not None and off.redial is None
    assert on.redial.prob["disconnected"] == 0.9 and on.redial.max_attempts == 4
