"""The simulator against exact queueing theory, through the shipped experiment configs.

Each check: run R replications with fixed seeds, form the 99% t-interval of the KPI over
replications, and require the exact value inside it. The tolerance is the CI, nothing else.
"""

from __future__ import annotations

import pytest
from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

from sim import theory
from sim.cli import CONFIG_DIR
from sim.runner import simulate

pytestmark = pytest.mark.reference_too  # also with auto = the SimPy reference (conftest)


def run_experiment(name: str, *overrides: str):
    with initialize_config_dir(config_dir=CONFIG_DIR, version_base="1.3"):
        cfg = compose("config", overrides=[f"experiment={name}", "confidence=0.99",
                                           "output.progress=false", *overrides])
    return simulate(OmegaConf.to_container(cfg, resolve=True)).summary


def assert_in_ci(stat: dict, exact: float, label: str):
    assert stat["n"] >= 10 and stat["half_width"] > 0, label
    assert stat["low"] <= exact <= stat["high"], (
        f"{label}: theory {exact:.5g} outside 99% CI [{stat['low']:.5g}, {stat['high']:.5g}]")


def test_erlang_c_experiment_matches_formula():
    s = run_experiment("erlang_c", "n_reps=30")
    ec = theory.erlang_c(100 / 1800, 180, 14)
    assert (round(ec.p_wait, 4), round(ec.service_level(20), 4), round(ec.asa, 2)) == (
        0.1741, 0.8884, 7.84)
    o = s["overall"]
    assert_in_ci(o["p_wait"], ec.p_wait, "P(wait)")
    assert_in_ci(o["service_level"], ec.service_level(20), "SL20")
    assert_in_ci(o["asa_s"], ec.asa, "ASA")
    assert_in_ci(o["occupancy"], ec.occupancy, "occupancy")
    assert o["abandoned"]["mean"] == 0


def test_erlang_a_experiment_matches_birth_death_chain():
    s = run_experiment("erlang_a", "n_reps=12")
    ea = theory.erlang_a(48 / 60, 60, 120, 50)
    o = s["overall"]
    assert_in_ci(o["abandon_rate"], ea.p_abandon, "P(abandon)")
    assert_in_ci(o["mean_wait_s"], ea.mean_wait, "mean wait (all callers)")
    assert_in_ci(o["asa_s"], ea.mean_wait_answered, "ASA")
    assert_in_ci(o["occupancy"], ea.occupancy, "occupancy")
    assert_in_ci(o["service_level"], ea.service_level(20), "SL20")
    assert_in_ci(o["p_wait"], ea.p_wait, "P(wait)")


def test_cobham_priority_waits_per_class():
    s = run_experiment("cobham", "n_reps=20")
    rate = 85 / 1800
    exact = theory.cobham_priority_waits([0.2 * rate, 0.3 * rate, 0.5 * rate], 180, 10)
    for name, w in zip(("high", "medium", "low"), exact, strict=True):
        assert_in_ci(s["by_class"][name]["mean_wait_s"], w, f"W[{name}]")
    assert exact[0] < exact[1] < exact[2]


def test_changing_a_documented_key_moves_the_result():
    """The experiment's keys are live: one more agent must cut the Erlang C wait."""
    base = run_experiment("erlang_c", "n_reps=10")
    more = run_experiment("erlang_c", "n_reps=10", "params.agents=15")
    ec15 = theory.erlang_c(100 / 1800, 180, 15)
    assert more["overall"]["asa_s"]["mean"] < base["overall"]["asa_s"]["mean"]
    assert_in_ci(more["overall"]["p_wait"], ec15.p_wait, "P(wait), 15 agents")


@pytest.mark.slow
@pytest.mark.parametrize("agents,patience", [(46, 60), (48, 120), (55, 300)])
def test_erlang_a_grid_long(agents, patience):
    """Long suite (pytest -m slow): Erlang A across loads and patience."""
    s = run_experiment("erlang_a", "n_reps=30", "params.calls_per_interval=1350",
                       f"params.agents={agents}", f"params.patience_s={patience}",
                       "scenario.horizon.intervals_per_day=32")
    ea = theory.erlang_a(1350 / 1800, 60, patience, agents)
    o = s["overall"]
    assert_in_ci(o["abandon_rate"], ea.p_abandon, "P(abandon)")
    assert_in_ci(o["mean_wait_s"], ea.mean_wait, "mean wait")
    assert_in_ci(o["service_level"], ea.service_level(20), "SL20")
