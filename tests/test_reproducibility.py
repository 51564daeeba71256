"""Same seed, same numbers; common random numbers across policies and configs."""

from __future__ import annotations

import numpy as np
import pytest
from simhelpers import TINY, run_calls, scenario

pytestmark = pytest.mark.reference_too  # also with auto = the SimPy reference (conftest)

POISSON = scenario(TINY, arrivals={"calls_per_interval": 30},
                   groups__g__staffing=[4, 4, 5, 4, 4, 4, 5, 4, 4, 4])
POISSON["classes"]["a"].update(patience={"dist": "exponential", "mean": 30},
                               handle_time={"dist": "lognormal", "mean": 15, "sd": 10})
POISSON["classes"]["b"].update(patience={"dist": "exponential", "mean": 20},
                               handle_time={"dist": "exponential", "mean": 12})


def test_same_seed_bit_identical_other_seed_or_rep_different():
    a, _ = run_calls(POISSON, seed=4)
    b, _ = run_calls(POISSON, seed=4)
    assert a.equals(b)
    assert not a.equals(run_calls(POISSON, seed=5)[0])
    assert not a.equals(run_calls(POISSON, seed=4, rep=1)[0])


def test_common_random_numbers_across_policies():
    """The same call draws the same arrival, patience and handle time under any policy."""
    sp, _ = run_calls(POISSON, policy="strict_priority")
    ff, _ = run_calls(POISSON, policy="fifo")
    assert len(sp) == len(ff) > 200
    assert np.array_equal(sp["t_arrival"], ff["t_arrival"])
    assert np.array_equal(sp["class"], ff["class"])
    both = (sp["outcome"] == "answered") & (ff["outcome"] == "answered")
    talk_sp = (sp["t_end"] - sp["t_answer"])[both]
    talk_ff = (ff["t_end"] - ff["t_answer"])[both]
    assert both.sum() > 100 and np.allclose(talk_sp, talk_ff, rtol=1e-12)
    gone = (sp["outcome"] == "abandoned") & (ff["outcome"] == "abandoned")
    assert gone.sum() > 5
    assert np.allclose((sp["t_end"] - sp["t_queue"])[gone],
                       (ff["t_end"] - ff["t_queue"])[gone], rtol=1e-12)
    assert not sp["t_answer"].equals(ff["t_answer"])  # the policies did differ


def test_one_class_volume_change_leaves_other_classes_untouched():
    three = scenario(POISSON)
    three["classes"]["c"] = dict(three["classes"]["b"])
    three["classes"]["a"]["mix"], three["classes"]["b"]["mix"] = 0.5, 0.3
    three["classes"]["c"]["mix"] = 0.2
    shifted = scenario(three)
    shifted["classes"]["b"]["mix"], shifted["classes"]["c"]["mix"] = 0.1, 0.4
    x, _ = run_calls(three)
    y, _ = run_calls(shifted)
    assert np.array_equal(x.loc[x["class"] == "a", "t_arrival"],
                          y.loc[y["class"] == "a", "t_arrival"])
    assert (x["class"] == "b").sum() != (y["class"] == "b").sum()


def test_arrival_counts_follow_the_interval_profile():
    """NHPP: per-interval counts over replications match the configured volumes."""
    scn = scenario(POISSON, arrivals={"calls_per_interval": [5, 50, 0, 20, 5, 5, 5, 5, 5, 5]})
    counts = np.array([np.bincount(run_calls(scn, rep=r)[0]["interval"], minlength=10)
                       for r in range(40)])
    mean = counts.mean(axis=0)
    expected = np.array([5, 50, 0, 20, 5, 5, 5, 5, 5, 5])
    assert counts[:, 2].sum() == 0
    se = np.sqrt(np.maximum(expected, 1) / 40)
    assert np.all(np.abs(mean - expected) < 4 * se)


def test_progress_bar_stops_change_nothing():
    """The progress bar runs the event loop interval by interval: same calls, bit for bit."""
    from simhelpers import make_policy
    from test_hotline import load

    from sim.config import build_model_spec
    from sim.runner import run_replication

    spec = build_model_spec(load())
    plain, stepped = [], []
    run_replication(spec, make_policy("strict_priority"), 1, 0, plain.append, progress=False)
    run_replication(spec, make_policy("strict_priority"), 1, 0, stepped.append, progress=True)
    for key in ("t_end", "t_answer", "customer"):
        a = np.concatenate([c[key] for c in plain])
        b = np.concatenate([c[key] for c in stepped])
        assert np.array_equal(a, b, equal_nan=True)


def test_parallel_replications_give_the_serial_outputs(tmp_path):
    """n_jobs only changes who runs a replication: every output table is the same."""
    import json

    import pandas as pd
    from hydra import compose, initialize_config_dir
    from omegaconf import OmegaConf

    from sim.cli import CONFIG_DIR
    from sim.runner import simulate

    outs = {}
    for jobs in (1, 2):
        with initialize_config_dir(config_dir=CONFIG_DIR, version_base="1.3"):
            cfg = compose("config", overrides=["scenario=hotline_small", "n_reps=3",
                                               f"n_jobs={jobs}"])
        plain = OmegaConf.to_container(cfg, resolve=True)
        plain.pop("hydra", None)
        outs[jobs] = tmp_path / f"jobs{jobs}"
        simulate(plain, outs[jobs])
    one, two = outs[1], outs[2]
    s1, s2 = (json.loads((d / "summary.json").read_text()) for d in (one, two))
    assert s1 == s2
    for name in ("calls", "intervals", "groups_intervals", "queues_intervals",
                 "wait_histogram", "second_line_intervals", "outbound_intervals"):
        pd.testing.assert_frame_equal(pd.read_parquet(one / f"{name}.parquet"),
                                      pd.read_parquet(two / f"{name}.parquet"))
    assert not list(two.glob(".calls.parquet.part*"))  # parts merged and removed
