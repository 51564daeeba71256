"""The fast engine's tables start at sizes guessed from the first day
(``first_capacities``): a guess that is short only makes them grow, never changes a
result. The second run here starts from the smallest tables, so its episode table (a
few thousand needs) has to grow."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from omegaconf import OmegaConf
from simhelpers import run_calls

import sim.fast.engine as engine
from sim.paths import CONFIG_DIR


def test_starting_table_sizes_change_no_result(monkeypatch):
    scn = OmegaConf.to_container(OmegaConf.load(Path(CONFIG_DIR) / "scenario" /
                                                "hotline_small.yaml"), resolve=True)
    assert isinstance(scn, dict)
    sized, rec = run_calls(scn, seed=5, engine="fast")
    monkeypatch.setattr(engine, "first_capacities", lambda spec, staffing, n: (64, 1024, 64))
    grows = []
    grow = engine.FastRun._grow
    monkeypatch.setattr(engine.FastRun, "_grow", lambda self: grows.append(grow(self)))
    grown, rec_grown = run_calls(scn, seed=5, engine="fast")
    assert grows  # the small tables did grow
    assert len(sized) > 1000 and sized.equals(grown)
    for f, a in rec.calls.items():
        assert np.array_equal(a, rec_grown.calls[f]), f
    assert np.array_equal(rec.features.episodes, rec_grown.features.episodes)
    assert np.array_equal(rec.wait_hist, rec_grown.wait_hist)
