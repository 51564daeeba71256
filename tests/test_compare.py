"""Comparing sweep points fairly (issue 17 points 5-8, 23): baselines paired within each
value of the other keys, best marked only where paired differences are clear of 0 and only
among comparable points, a terminal table that fits, typed override columns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.compare import (
    baselines,
    best_points,
    format_comparison,
    groups,
    parse_value,
    point_labels,
    treatment,
    typed_column,
)
from sim.kpi_specs import TABLE_KPIS
from sim.sweep import ranked_kpis

GRID = [("strict_priority", 0.8), ("fifo", 0.8), ("overflow", 0.8),
        ("strict_priority", 1.2), ("fifo", 1.2), ("overflow", 1.2)]
KEYS = ["policy", "scenario.load"]


def jobs_frame() -> pd.DataFrame:
    return pd.DataFrame([{"job": j, "policy": p, "scenario.load": load}
                         for j, (p, load) in enumerate(GRID)])


def rep_table(sl: dict[int, list[float]]) -> pd.DataFrame:
    rows = []
    for job, values in sl.items():
        policy, load = GRID[job]
        rows += [{"job": job, "policy": policy, "scenario.load": load, "rep": r,
                  "scope": "overall", "name": "ALL", "kpi": "service_level", "value": v}
                 for r, v in enumerate(values)]
    return pd.DataFrame(rows)


def test_override_columns_are_typed():
    assert typed_column(["0.8", "1.2", None]) == [0.8, 1.2, None]
    assert typed_column(["1", "2"]) == [1, 2]
    assert typed_column(["true", "false"]) == [True, False]
    assert typed_column(["fifo", "1.2"]) == ["fifo", "1.2"]
    assert parse_value("'a,b'") == "a,b"


def test_each_point_is_paired_with_the_baseline_of_its_own_load():
    """Point 6: every policy was compared with load 0.8 (the first grid point)."""
    jobs = jobs_frame()
    treat = treatment(KEYS, KEYS, None)
    assert treat == "policy"
    pairs = baselines(jobs, KEYS, None, treat)
    assert pairs == {0: 0, 1: 0, 2: 0, 3: 3, 4: 3, 5: 3}
    named = baselines(jobs, KEYS, "policy=fifo", treatment(KEYS, KEYS, "policy=fifo"))
    assert named == {0: 1, 1: 1, 2: 1, 3: 4, 4: 4, 5: 4}
    # a baseline naming both keys is one point for all, as asked
    both = baselines(jobs, KEYS, "policy=fifo,scenario.load=1.2", "policy")
    assert set(both.values()) == {4}
    assert groups(jobs, KEYS, "policy") == [[0, 1, 2], [3, 4, 5]]


def test_best_only_where_paired_differences_exclude_zero_and_within_a_load():
    """Point 5: two replications with ±39-point intervals still got a ★."""
    jobs = jobs_frame()
    rng = np.random.default_rng(1)
    noise = rng.normal(0, 0.01, 5)
    clear = {0: 0.70 + noise, 1: 0.60 + noise, 2: 0.65 + noise,       # load 0.8: clear
             3: [0.3, 0.9, 0.5, 0.7, 0.4], 4: [0.9, 0.3, 0.4, 0.6, 0.7],  # load 1.2: noise
             5: [0.5, 0.5, 0.6, 0.5, 0.5]}
    marked = best_points(rep_table(clear), jobs, KEYS, "policy", 0.95, ranked_kpis())
    assert marked == {(0, "overall", "ALL", "service_level")}  # none at load 1.2
    # ranked across loads, job 0 (load 0.8) would beat every load-1.2 point: not done
    low_load_better = {0: [0.9] * 5, 3: [0.2, 0.21, 0.19, 0.2, 0.2], 4: [0.3, 0.31, 0.29,
                                                                         0.3, 0.3]}
    marked = best_points(rep_table(low_load_better), jobs, KEYS, "policy", 0.95, ranked_kpis())
    assert marked == {(4, "overall", "ALL", "service_level")}


def _table(best_job: int | None = None) -> pd.DataFrame:
    rows = []
    for job, (policy, load) in enumerate(GRID):
        for kpi in TABLE_KPIS:
            rows.append({"job": job, "policy": policy, "scenario.load": load,
                         "point": f"policy={policy},scenario.load={load}",
                         "scenario_name": "hotline_small", "scope": "overall", "name": "ALL",
                         "kpi": kpi, "mean": 0.5, "half_width": 0.39, "low": 0.11,
                         "high": 0.89, "n": 2, "status": "ok", "error": None,
                         "best": job == best_job and kpi == "service_level"})
    return pd.DataFrame(rows)


def test_terminal_table_fits_the_terminal_and_names_points_by_value():
    """Points 7, 8: ~370 characters wide for 9 points; labels carried "key=" prefixes."""
    table = _table(best_job=1)
    for width in (80, 100, 160):
        text = format_comparison(table, None, TABLE_KPIS, width)
        assert max(len(ln) for ln in text.splitlines()) <= width, width
    text = format_comparison(table, None, TABLE_KPIS, 100)
    assert "policy=" not in text and "fifo · 0.8" in text and "hotline_small" in text
    assert "more KPI column(s) in sweep.csv" in text
    star = [ln for ln in text.splitlines() if "★" in ln and not ln.lstrip().startswith("(")]
    assert len(star) == 1 and star[0].startswith("fifo · 0.8")
    assert point_labels(table, KEYS)[4] == "fifo · 1.2"


def test_paired_differences_lines_name_each_points_own_baseline():
    table = _table()
    diffs = pd.DataFrame([{"job": j, "baseline_job": 0 if j < 3 else 3, "scope": "overall",
                           "name": "ALL", "kpi": "service_level", "diff_mean": 0.01,
                           "diff_half_width": 0.005, "diff_low": 0.005, "diff_high": 0.015,
                           "n": 5} for j in (1, 2, 4, 5)])
    text = format_comparison(table, diffs, TABLE_KPIS, 120)
    assert "fifo · 1.2 vs strict_priority · 1.2" in text
    assert "fifo · 0.8 vs strict_priority · 0.8" in text and "+1.0±0.5*" in text
    for width in (70, 120):
        text = format_comparison(table, diffs, TABLE_KPIS, width)
        assert max(len(ln) for ln in text.splitlines()) <= width


@pytest.mark.parametrize("width", [60])
def test_a_very_narrow_terminal_still_shows_one_kpi(width):
    text = format_comparison(_table(), None, TABLE_KPIS, width)
    assert "answer%" in text


def test_the_star_note_names_what_makes_points_comparable():
    from sim.compare import compared_key, same_as

    table = _table()
    by_policy = pd.DataFrame({"job": [1, 2, 4, 5], "baseline_job": [0, 0, 3, 3]})
    by_load = pd.DataFrame({"job": [3, 4, 5], "baseline_job": [0, 1, 2]})
    assert compared_key(table, by_policy, KEYS) == "policy"
    assert same_as(table, by_policy, KEYS) == "scenario.load"
    assert compared_key(table, by_load, KEYS) == "scenario.load"
    assert same_as(table, by_load, KEYS) == "policy"
    assert same_as(table, None, ["policy"]) == "sweep"


def test_grouped_t_intervals_are_bit_equal_to_t_interval():
    """The vectorised intervals of a sweep's collection give t_interval's own bits, group
    by group (sizes 1 to 1,000: numpy's pairwise sum in both), NaNs dropped in place."""
    from sim.kpi import t_interval, t_interval_groups

    rng = np.random.default_rng(7)
    for _ in range(40):
        n_groups, n = int(rng.integers(1, 30)), int(rng.integers(1, 1000))
        values = rng.standard_normal(n) * 10 ** rng.uniform(-3, 6, n)
        values[rng.random(n) < 0.1] = np.nan
        group = rng.integers(0, n_groups, n)
        count, mean, hw = t_interval_groups(values, group, n_groups, 0.95)
        for k in range(n_groups):
            st = t_interval(list(values[group == k]), 0.95)
            assert count[k] == st["n"]
            for got, want in ((mean[k], st["mean"]), (hw[k], st["half_width"])):
                assert (np.isnan(got) and want is None) or got == want


def _reference_best(rep, jobs, confidence=0.95):
    """best_points as first written: one t_interval per KPI and point pair."""
    from sim.kpi import t_interval

    ranked = ranked_kpis()
    rep = rep[rep["kpi"].isin(list(ranked))]
    values = rep.set_index(["job", "scope", "name", "kpi", "rep"])["value"]
    marked = set()
    for members in groups(jobs, KEYS, "policy"):
        sub = values[values.index.get_level_values(0).isin(members)]
        for (scope, name, kpi), v in sub.groupby(level=[1, 2, 3]):
            per_job = {j: s.droplevel([0, 1, 2, 3]) for j, s in v.groupby(level=0)}
            means = {j: s.mean() for j, s in per_job.items() if s.notna().any()}
            if len(means) < 2:
                continue
            high = ranked[kpi]
            best = (max if high else min)(means, key=means.__getitem__)
            sts = [t_interval(list((per_job[best] - per_job[j]).dropna()), confidence)
                   for j in means if j != best]
            if all(st["low"] is not None and (st["low"] > 0 if high else st["high"] < 0)
                   for st in sts):
                marked.add((best, scope, name, kpi))
    return marked


def test_vectorised_best_and_differences_equal_the_per_kpi_loops():
    """Random tables (several KPIs, scopes, missing values, clear and unclear gaps): the
    marks and the paired differences equal the straightforward loops'."""
    from sim.kpi import t_interval
    from sim.sweep import paired_differences

    rng = np.random.default_rng(3)
    jobs = jobs_frame()
    kpis = [k for k in ranked_kpis()][:4]
    rows = []
    for job, (policy, load) in enumerate(GRID):
        for scope, name in (("overall", "ALL"), ("tier", "gold"), ("tier", "silver")):
            for i, kpi in enumerate(kpis):
                level = 0.5 + 0.05 * job * (i % 2) + 0.01 * i
                for r in range(6):
                    v = level + rng.normal(0, 0.02)
                    rows.append({"job": job, "policy": policy, "scenario.load": load,
                                 "rep": r, "scope": scope, "name": name, "kpi": kpi,
                                 "value": np.nan if rng.random() < 0.1 else v})
    rep = pd.DataFrame(rows)
    marked = best_points(rep, jobs, KEYS, "policy", 0.95, ranked_kpis())
    assert marked and marked == _reference_best(rep, jobs)
    pairs = baselines(jobs, KEYS, None, "policy")
    diffs = paired_differences(rep, KEYS, pairs, 0.95).set_index(
        ["job", "scope", "name", "kpi"])
    idx = ["scope", "name", "kpi", "rep"]
    expected = 0
    for job, b in pairs.items():
        if job == b:
            continue
        d = (rep[rep.job == job].set_index(idx)["value"]
             - rep[rep.job == b].set_index(idx)["value"])
        for (scope, name, kpi), g in d.groupby(level=[0, 1, 2]):
            st = t_interval(list(g.dropna()), 0.95)
            row = diffs.loc[(job, scope, name, kpi)]
            assert (row["diff_mean"], row["diff_half_width"], row["n"]) == (
                st["mean"], st["half_width"], st["n"])
            assert row["baseline_job"] == b
            expected += 1
    assert len(diffs) == expected


@pytest.mark.parametrize("confidence", [0.8, 0.9, 0.95, 0.99])
def test_t_quantile_equals_scipy_stats_t_ppf(confidence):
    """t_quantile calls the kernel behind scipy.stats.t.ppf directly (a lighter import):
    the same float for every df a sweep can have."""
    from scipy.stats import t

    from sim.kpi import t_quantile

    for df in [*range(1, 200), 499, 999, 10_000]:
        assert t_quantile(confidence, df) == t.ppf((1 + confidence) / 2, df)
