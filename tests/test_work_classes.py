"""Classes of the agents' own work (``classes.NAME.kind: work``, e.g. the calibration's
hidden_work): they occupy agents but are no calls, so every call figure leaves them out
and the run reports them apart (tasks, agent-hours, share of available time)."""

from __future__ import annotations

import pytest
from simhelpers import run_calls, run_spec, scenario
from test_fast_engine import compose_cfg

from sim.config import build_model_spec
from sim.errors import ConfigError
from sim.kpi import replication_kpis
from sim.runner import interval_frames, simulate

# One agent for 1,000 s, deterministic laws. A chore (work) at 0 keeps him 0-200 s; the
# call at 50 waits and hangs up at 80 (patience 30); the call at 300 is answered at once
# (300-400); the chore at 500 takes 500-700. Calls: 2 offered, 1 answered, 1 abandoned.
# Agent: 500 s busy of 1,000, 400 s of it on his own work; he costs 10 for the 1,000 s.
WORK = scenario(
    classes={"call": {"mix": 0.5, "queue": "q", "patience": 30, "handle_time": 100},
             "chore": {"mix": 0.5, "priority": 5, "queue": "w", "patience": None,
                       "handle_time": 200, "kind": "work"}},
    queues={"q": {"groups": ["g"]}, "w": {"groups": ["g"]}},
    groups={"g": {"staffing": 1, "queues": ["q", "w"], "cost_per_hour": 36}},
    arrivals={"trace": [[0, "chore"], [50, "call"], [300, "call"], [500, "chore"]]})


@pytest.fixture(scope="module", params=["simpy", "fast"])
def kpis(request) -> dict:
    """Both engines write the same records, so the same KPIs."""
    _, rec = run_calls(WORK, engine=request.param)
    return replication_kpis(rec, build_model_spec(WORK))


def test_call_figures_count_calls_only(kpis):
    o = kpis["overall"]
    assert (o["offered"], o["asked"], o["answered"], o["queue_abandoned"]) == (2, 2, 1, 1)
    assert o["offered"] == sum(o[k] for k in ("answered", "abandoned", "disconnected",
                                              "self_served", "blocked"))
    assert o["answer_rate"] == o["abandon_rate"] == 0.5
    assert o["aht_s"] == 100  # the call's talk, not the chores' 200 s
    assert o["asa_s"] == 0
    assert list(kpis["by_class"]) == ["call"]


def test_agent_figures_keep_the_work(kpis):
    o, g = kpis["overall"], kpis["by_group"]["g"]
    assert g["busy_hours"] == pytest.approx(500 / 3600)
    assert o["occupancy"] == pytest.approx(500 / (g["staffed_hours"] * 3600))
    assert o["cost"] == pytest.approx(10)
    assert o["cost_per_call"] == pytest.approx(10)  # per answered call, not per task


def test_own_work_is_reported_apart(kpis):
    o, w = kpis["overall"], kpis["by_work"]["chore"]
    available = kpis["by_group"]["g"]["staffed_hours"] * 3600
    for k in (o, w):
        assert k["work_tasks"] == 2
        assert k["work_hours"] == pytest.approx(400 / 3600)
        assert k["work_share"] == pytest.approx(400 / available)


def test_interval_totals_and_terminal_summary_count_calls_only():
    from sim.summary_table import format_summary

    _, rec = run_calls(WORK)
    spec = build_model_spec(WORK)
    calls = interval_frames(rec, spec, 0)[0]
    assert calls.loc[calls["class"] == "ALL", "offered"].sum() == 2
    assert calls.loc[calls["class"] == "chore", "offered"].sum() == 2  # kept by class
    text = format_summary(run_spec(WORK).summary)
    assert "chore" not in text.splitlines()[1]  # no column for the work
    assert "own work        2 tasks, 0.1 agent-h" in text


def test_report_shows_the_work_apart_from_the_calls(tmp_path):
    from sim.report import write_run_report

    cfg = compose_cfg(["scenario=basic", "output.calls=true", "output.progress=false"])
    cfg["scenario"] = WORK
    simulate(cfg, tmp_path)
    page = write_run_report(tmp_path).read_text(encoding="utf-8")
    assert "The agents&#x27; own work (not calls)" in page or \
        "The agents' own work (not calls)" in page
    assert '"name":"chore"' not in page.replace(" ", "")  # not in the day or the flow


def test_report_totals_several_kinds_of_work(tmp_path):
    from sim.report import write_run_report

    two = scenario(WORK, classes__mail={"mix": 0, "priority": 6, "queue": "w",
                                        "handle_time": 100, "kind": "work"},
                   arrivals__trace=[*WORK["arrivals"]["trace"], [800, "mail"]])
    cfg = compose_cfg(["scenario=basic", "output.progress=false"])
    cfg["scenario"] = two
    simulate(cfg, tmp_path)
    rows = [r for r in table_rows_all(write_run_report(tmp_path).read_text(encoding="utf-8"))
            if r[1:2] == ["tasks done"]]
    assert [(r[0], r[2]) for r in rows] == [("all own work", "3"), ("chore", "2"),
                                             ("mail", "1")]


def table_rows_all(html: str) -> list[list[str]]:
    """Every table row's cells, in order (table_rows keeps one row per first cell)."""
    import html as htmllib
    import re

    return [[htmllib.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", tr)]
            for tr in re.findall(r"<tr>(.*?)</tr>", html)]


def test_a_bad_kind_is_one_error_naming_the_key():
    with pytest.raises(ConfigError, match=r"scenario\.classes\.chore\.kind: must be one of "
                                          r"'call' or 'work', got 'chores'"):
        build_model_spec(scenario(WORK, classes__chore__kind="chores"))


def test_default_kind_is_a_call():
    spec = build_model_spec(scenario(WORK, classes__chore__kind="call"))
    assert not any(c.work for c in spec.classes)
    assert not build_model_spec(scenario(classes__b={"mix": 0.5, "queue": "q",
                                                      "handle_time": 50})).classes[1].work


def test_the_groups_answered_and_aht_count_calls_only(kpis):
    """The desk answered one call (100 s) and did two chores (200 s each): its answered
    calls and AHT are the call's, its busy time keeps the chores (above)."""
    g = kpis["by_group"]["g"]
    assert g["answered"] == 1
    assert g["aht_s"] == 100


def test_the_groups_interval_table_counts_calls_only():
    """groups_intervals: the desk's answered calls per interval, no chore among them."""
    _, rec = run_calls(WORK)
    groups = interval_frames(rec, build_model_spec(WORK), 0)[1]
    assert groups["answered"].sum() == 1
