"""experiments/out_of_sample/wait_bins.py: callers per day by wait, each bin's share of
the mean wait, and the log's talk index by congestion (FINDINGS item 28)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from simhelpers import experiment_script, log_call


@pytest.fixture(scope="module")
def wb():
    return experiment_script("wait_bins")


def test_bins_put_a_zero_wait_alone_and_each_edge_in_its_lower_bin(wb):
    waits = np.array([0.0, 0.5, 2.0, 2.5, 20.0, 300.0, 300.5, 5000.0])
    got = wb.binned(waits, np.ones(len(waits)))
    assert got.tolist() == [1, 2, 2, 0, 0, 1, 1, 0, 1]  # 300 in (120, 300]
    assert wb.bin_labels()[0] == "0" and wb.bin_labels()[-1] == "> 1200"
    assert len(wb.bin_labels()) == len(got)


def test_the_bins_add_up_to_the_mean_wait_per_day(wb):
    """Served waits 0, 10, 400 (weights 2, 1, 1) over 2 days: 2 callers a day, mean wait
    (10 + 400) / 4 = 102.5 s, of which 2.5 s from (2, 20] and 100 s from (300, 600]."""
    t = wb.wait_table((np.array([0.0, 10.0, 400.0]), np.array([2.0, 1.0, 1.0])),
                      (np.array([30.0]), np.array([1.0])), days=2)
    assert t["served_per_day"].sum() == 2.0
    assert t["mean_wait_s_from_bin"].sum() == pytest.approx(102.5)
    assert t.loc["(2, 20]", "mean_wait_s_from_bin"] == pytest.approx(2.5)
    assert t.loc["(300, 600]", "mean_wait_s_from_bin"] == pytest.approx(100.0)
    assert t.loc["(20, 60]", "abandoned_per_day"] == 0.5


def test_talk_index_is_each_groups_talk_over_its_classes_means(wb):
    """Class a: 100 and 300 s (mean 200); class b: 50 s. Group x holds a's 100 s and b's
    50 s: index (100 + 50) / (200 + 50) = 0.6; group y a's 300 s: 1.5."""
    served = pd.DataFrame({"class": ["a", "a", "b"], "service_s": [100.0, 300.0, 50.0]})
    t = wb.talk_index(served, pd.Series(["x", "y", "x"]))
    assert t.loc["x", "index"] == pytest.approx(0.6)
    assert t.loc["y", "index"] == pytest.approx(1.5)
    assert t.loc["x", "served"] == 2
    assert t.loc["x", "sd"] == pytest.approx(20000.0 ** 0.5 / 250.0)  # a's var, b's 0


def test_cell_load_is_asked_work_over_agents_present(wb):
    """One agent present 0-1800 s (calls 0-900 s and 900-1800 s); three callers asked in
    that half-hour, two of them served (900 s each, their class's mean), one abandoned:
    3 x 900 / 1800 = 1.5 offered per agent present."""
    log = pd.DataFrame([
        log_call("A", 0.0, 900.0, **{"class": "c"}),
        log_call("A", 900.0, 900.0, **{"class": "c"}),
        {**log_call("", 100.0, 0.0, **{"class": "c"}), "outcome": "abandoned",
         "t_answer": np.nan, "service_s": np.nan},
    ])
    t = wb.cell_load(log)
    row = t.loc[(pd.Timestamp("1999-01-04"), 0)]
    assert row["present"] == pytest.approx(1.0)
    assert row["per_agent"] == pytest.approx(1.5)
