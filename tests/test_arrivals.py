"""Arrivals: a class with its own ``calls_per_interval`` keeps its own daily shape, while
the others share the scenario's volume by their mix; every count is Poisson."""

from __future__ import annotations

import copy

import numpy as np
from simhelpers import TINY

from sim.config import build_model_spec
from sim.model.arrivals import generate_day

SCENARIO = copy.deepcopy(TINY)
SCENARIO["arrivals"] = {"calls_per_interval": 40}
SCENARIO["classes"]["a"] = {**SCENARIO["classes"]["a"], "mix": 1.0}
SCENARIO["classes"]["b"] = {k: v for k, v in SCENARIO["classes"]["b"].items() if k != "mix"}
SCENARIO["classes"]["b"]["calls_per_interval"] = [0, 0, 0, 0, 0, 60, 60, 60, 60, 60]


def counts(scenario: dict, reps: int = 200) -> np.ndarray:
    """Calls per (class, interval), summed over ``reps`` replications."""
    spec = build_model_spec(scenario)
    out = np.zeros((2, spec.intervals_per_day))
    for rep in range(reps):
        day = generate_day(spec, 11, rep, 0)
        k = np.minimum((day.t // spec.interval_s).astype(int), spec.intervals_per_day - 1)
        np.add.at(out, (day.cls, k), 1)
    return out


def test_class_with_its_own_volume_keeps_its_shape():
    c = counts(SCENARIO)
    assert c[1, :5].sum() == 0  # none where its own volume is 0
    for n, mean in ((c[0], 40 * 200), (c[1, 5:], 60 * 200)):
        assert np.all(np.abs(n - mean) < 4 * np.sqrt(mean)), (n, mean)  # Poisson: var = mean


def test_load_scales_own_volumes_too():
    scaled = copy.deepcopy(SCENARIO)
    scaled["load"] = 0.5
    c = counts(scaled, reps=100)
    assert np.all(np.abs(c[1, 5:] - 30 * 100) < 4 * np.sqrt(30 * 100))
    assert np.all(np.abs(c[0] - 20 * 100) < 4 * np.sqrt(20 * 100))
