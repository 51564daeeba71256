"""Theory experiments print and report simulation beside exact theory (issue 17 point 3)."""

from __future__ import annotations

import json

import pytest
from test_report_reading import table_rows

import sim.cli
from sim.exact import compare, format_rows
from sim.report import write_run_report
from sim.theory import cobham_priority_waits, erlang_a, erlang_c


def test_erlang_c_run_prints_and_reports_simulation_vs_exact(tmp_path, capsys):
    d = tmp_path / "ec"
    sim.cli.main(["experiment=erlang_c", "params.agents=15", "n_reps=3",
                  "output.report=false", "output.intervals=false", f"hydra.run.dir={d}"])
    out = capsys.readouterr().out
    ec = erlang_c(100 / 1800, 180.0, 15)  # the changed key is compared with its own theory
    summary = json.loads((d / "summary.json").read_text())
    assert "simulation vs exact theory" in out
    line = next(ln for ln in out.splitlines() if "(p_wait)" in ln)
    st = summary["overall"]["p_wait"]
    assert f"{100 * ec.p_wait:.2f}%" in line and f"{100 * st['mean']:.2f}%" in line
    inside = st["low"] <= ec.p_wait <= st["high"]
    assert line.rstrip().endswith("yes" if inside else "NO")
    assert "(mean_wait_s)" in out and "nobody abandons" in out
    html = write_run_report(d).read_text(encoding="utf-8")
    rows = table_rows(html)
    sl = rows["service level: answered within 20 s"]
    assert sl[0] == "service_level" and sl[3] == f"{100 * ec.service_level(20):.2f}%"


def _summary(**kpis):
    return {"overall": {k: {"mean": m, "low": lo, "high": hi} for k, (m, lo, hi) in
                        kpis.items()}, "by_class": {}}


def test_erlang_a_rows_name_which_wait_is_which():
    """The README's 3.71 s is the mean wait of all callers; ASA counts answered callers."""
    cfg = {"scenario": {"name": "erlang_a", "load": 1.0,
                        "horizon": {"interval_s": 1800},
                        "arrivals": {"calls_per_interval": 1440},
                        "classes": {"calls": {"mix": 1.0, "handle_time": {
                            "dist": "exponential", "mean": 60},
                            "patience": {"dist": "exponential", "mean": 120}}},
                        "groups": {"agents": {"staffing": 50}}}}
    rows = {r.kpi: r for r in compare(_summary(mean_wait_s=(3.8, 3.6, 4.0)), cfg)}
    ea = erlang_a(0.8, 60.0, 120.0, 50)
    assert rows["mean_wait_s"].exact == pytest.approx(ea.mean_wait)
    assert round(ea.mean_wait, 2) == 3.71 and "all callers" in rows["mean_wait_s"].what
    assert rows["asa_s"].exact == pytest.approx(ea.mean_wait_answered)
    assert "answered" in rows["asa_s"].what
    assert rows["mean_wait_s"].inside is True and rows["asa_s"].inside is None
    assert rows["abandon_rate"].exact == pytest.approx(ea.p_abandon)
    text = format_rows(list(rows.values()), 0.95)
    assert "3.71" in text and "exact in CI" in text
    cfg["scenario"]["groups"]["agents"]["staffing"] = [50, 51]  # not the formula's model
    assert compare(_summary(), cfg) is None


def test_cobham_rows_are_per_priority_class():
    classes = {"low": {"mix": 0.5, "priority": 2}, "high": {"mix": 0.2, "priority": 0},
               "medium": {"mix": 0.3, "priority": 1}}
    for c in classes.values():
        c["handle_time"] = {"dist": "exponential", "mean": 180}
    cfg = {"scenario": {"name": "cobham", "horizon": {"interval_s": 1800},
                        "arrivals": {"calls_per_interval": 85}, "classes": classes,
                        "groups": {"agents": {"staffing": 10}}}}
    rows = compare(_summary(), cfg)
    waits = cobham_priority_waits([85 / 1800 * s for s in (0.2, 0.3, 0.5)], 180.0, 10)
    assert [r.name for r in rows[:3]] == ["high", "medium", "low"]
    assert [r.exact for r in rows[:3]] == pytest.approx(waits)
    assert compare(_summary(), {"scenario": {**cfg["scenario"], "name": "telecom10000"}}) \
        is None
