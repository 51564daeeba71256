"""What a reader is shown (issue 17): every figure labelled by what it counts, rates with
the counts they come from, theory beside simulation, intervals of shares inside [0, 1]."""

from __future__ import annotations

import html as htmllib
import json
import re
from pathlib import Path

import pytest
from test_report import ccsim

from sim.report import write_run_report
from sim.report.page import fmt


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    """The hotline scenario (blacklist tier, second line), two replications."""
    d = tmp_path_factory.mktemp("reading") / "out"
    ccsim("scenario=hotline_small", "n_reps=2", f"hydra.run.dir={d}", cwd=d.parent)
    return d


def table_rows(html: str) -> dict[str, list[str]]:
    """Every table row of a page: first cell -> the other cells (text, unescaped)."""
    rows = {}
    for tr in re.findall(r"<tr>(.*?)</tr>", html):
        cells = [htmllib.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", tr)]
        if cells:
            rows.setdefault(cells[0], cells[1:])
    return rows


def test_each_headline_figure_is_labelled_by_what_it_counts(run_dir):
    """Point 1: "forced disconnects" showed the whole disconnected outcome (IVR hang-ups
    included) and "blocked (no line / blacklist refused)" hid the refused blacklist calls."""
    s = json.loads((run_dir / "summary.json").read_text())
    o, black = s["overall"], s["by_tier"]["blacklist"]
    rows = table_rows((run_dir / "report.html").read_text(encoding="utf-8"))
    mean = lambda st: fmt(st["mean"], "count")  # noqa: E731
    assert rows["disconnected by the system"][0] == mean(o["disconnected"])
    assert rows["… of which forced disconnects (maximum wait reached)"][0] == \
        mean(o["forced_disconnects"])
    hangups = [k for k in rows if k.startswith("… of which hung up by the IVR")]
    assert len(hangups) == 1 and rows[hangups[0]][0] == mean(o["ivr_hangups"])
    assert black["ivr_hangups"]["mean"] > 0 and black["asked"]["mean"] == 0
    assert rows["    … of which blacklist calls refused"][0] == mean(black["ivr_hangups"])
    assert rows["blocked (no free line)"][0] == mean(o["blocked"])
    closed = (o["disconnected"]["mean"] - o["forced_disconnects"]["mean"]
              - o["ivr_hangups"]["mean"])
    assert rows["… of which still waiting when the centre closed"][0] == fmt(closed, "count")
    assert "forced disconnects" not in rows


def test_abandon_rate_agrees_with_its_definition_and_counts(run_dir):
    """Point 2: abandon rate = abandoned in queue / asked, shown beside both counts."""
    s = json.loads((run_dir / "summary.json").read_text())
    o = s["overall"]
    assert o["queue_abandoned"]["mean"] == pytest.approx(
        o["abandoned"]["mean"] - o["ivr_abandoned"]["mean"])
    rows = table_rows((run_dir / "report.html").read_text(encoding="utf-8"))
    assert rows["… of which abandoned in queue"][0] == fmt(o["queue_abandoned"]["mean"], "count")
    assert rows["asked for an agent (entered a queue)"][0] == fmt(o["asked"]["mean"], "count")
    assert rows["abandon rate (abandoned in queue / asked)"][0] == \
        fmt(o["abandon_rate"]["mean"], "pct")
    # with equal-sized replications the mean rate is close to the ratio of mean counts
    ratio = o["queue_abandoned"]["mean"] / o["asked"]["mean"]
    assert o["abandon_rate"]["mean"] == pytest.approx(ratio, abs=0.005)
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    assert "**abandon rate** = queue_abandoned / asked" in readme


def test_report_rewrites_the_same(run_dir, tmp_path):
    out = write_run_report(run_dir, tmp_path / "again.html")
    assert table_rows(out.read_text(encoding="utf-8")) == \
        table_rows((run_dir / "report.html").read_text(encoding="utf-8"))


def test_terminal_summary_shows_the_counts_behind_the_rates(run_dir):
    from sim.summary_table import format_summary

    s = json.loads((run_dir / "summary.json").read_text())
    rows = {ln.split()[0]: ln.split()[1] for ln in format_summary(s).splitlines()[1:]
            if ln.strip() and not ln.startswith(" ")}
    o = s["overall"]
    assert rows["asked"] == f"{o['asked']['mean']:.0f}"
    assert rows["queue_abandoned"] == f"{o['queue_abandoned']['mean']:.0f}"
    assert rows["abandon_rate"] == f"{o['abandon_rate']['mean']:.1%}"


def test_intervals_of_shares_stay_inside_0_1():
    """Point 4: a t interval over replications of a share near 100 % left [0, 1]
    (e.g. [0.9982, 1.001]): clipped, and the reports draw the clipped bars."""
    from sim.kpi import aggregate, share_interval, t_interval
    from sim.report.data import clipped, error_bars

    values = [1.0, 1.0, 0.997, 1.0]
    raw = t_interval(values, 0.95)
    assert raw["high"] > 1  # what was reported before
    st = share_interval("service_level", values, 0.95)
    assert st["high"] == 1.0 and st["low"] == raw["low"] and st["half_width"] == raw["half_width"]
    assert clipped(st) and not clipped(raw)
    assert share_interval("asa_s", [1.0, 2.0, 3.0], 0.95) == t_interval([1.0, 2.0, 3.0], 0.95)
    reps = [{"overall": {"answer_rate": v, "asa_s": -v}} for v in values]
    out = aggregate(reps, 0.95)["overall"]
    assert out["answer_rate"]["high"] == 1.0
    assert out["asa_s"]["high"] == pytest.approx(-raw["low"])  # not a share: not clipped
    up, down = error_bars(st["mean"], st["low"], st["high"], st["half_width"], 100)
    assert up == pytest.approx(100 * (1 - st["mean"])) and down == pytest.approx(
        100 * st["half_width"])


def test_the_gate_shows_a_share_interval_inside_0_1():
    from sim.check.decide import Check, judge

    check = Check("answer_rate", "target", ("overall", None, "answer_rate"), 0.9, None,
                  ">= 0.9")
    o = judge(check, [1.0, 1.0, 0.997, 1.0], 0.95, "ci")
    assert o.high == 1.0 and o.low > 0.9 and o.verdict == "pass"


def test_every_share_in_a_run_summary_lies_in_0_1(run_dir):
    from sim.kpi_specs import names

    shares = names(fmt="pct")

    s = json.loads((run_dir / "summary.json").read_text())
    blocks = [s["overall"], *(k for scope in ("by_class", "by_tier", "by_reason")
                              for k in s.get(scope, {}).values())]
    seen = 0
    for block in blocks:
        for kpi, st in block.items():
            if kpi in shares and st.get("low") is not None:
                assert 0.0 <= st["low"] <= st["mean"] <= st["high"] <= 1.0, (kpi, st)
                seen += 1
    assert seen > 50


# --- the run report: answer on top, flow by tier, second line, money, parameters ---------

def _main(run_dir: Path) -> str:
    return (run_dir / "report.html").read_text(encoding="utf-8").split("<main>", 1)[1]


def test_the_report_opens_with_a_one_sentence_answer(run_dir):
    """Point 9: who misses their target by how much, and where agents ran out."""
    from sim.report.answer import answer
    from sim.report.data import label, load_run

    run = load_run(run_dir)
    first = re.match(r'\s*<p class="answer">(.*?)</p>', _main(run_dir))
    assert first, "the answer is not the first thing on the page"
    sentence = htmllib.unescape(first.group(1))
    assert sentence == answer(run) and sentence.endswith(".") and sentence.count(". ") == 0
    for tier, k in run.summary["by_tier"].items():
        target, sl = k["sl_target"]["mean"], k["service_level"]["mean"]
        if target is not None and sl is not None and sl < target:
            assert label(tier) in sentence and f"{target:.0%} target" in sentence


def test_answer_sentence_from_known_figures(tmp_path):
    from sim.report.answer import answer
    from sim.report.data import RunData

    def tier(sl, target):
        return {"service_level": {"mean": sl}, "sl_target": {"mean": target}}

    run = RunData(tmp_path, {"by_tier": {"gold": tier(0.95, 0.9), "member": tier(0.62, 0.75),
                                          "ordinary": tier(0.61, 0.75)}})
    assert answer(run) == ("Ordinary member and ordinary callers miss their 75% target by "
                           "13–14 points.")
    run = RunData(tmp_path, {"by_tier": {"gold": tier(0.95, 0.9)}})
    assert answer(run) == "Every tier meets its service-level target."


def test_call_flow_links_are_coloured_by_tier_in_tier_order(run_dir):
    """Point 10."""
    from sim.report.data import label, load_run
    from sim.report.flow import _rgba, call_flow
    from sim.report.run_figures import TIER_COLOURS

    run = load_run(run_dir)
    sankey = call_flow(run).data[0]
    tiers = list(run.summary["by_tier"])
    nodes = list(sankey.node.label)
    assert nodes[:len(tiers)] == [label(t) for t in tiers]  # first column, tier order
    ys = list(sankey.node.y)[:len(tiers)]
    assert ys == sorted(ys)  # drawn top to bottom in that order
    colours = {_rgba(TIER_COLOURS[t], 0.45) for t in tiers}
    assert set(sankey.link.color) <= colours and len(set(sankey.link.color)) > 3
    # every link out of a tier node has that tier's colour
    for s, c in zip(sankey.link.source, sankey.link.color, strict=True):
        if s < len(tiers):
            assert c == _rgba(TIER_COLOURS[tiers[s]], 0.45)


def test_second_line_legend_has_no_empty_outbound_entry_and_marks_the_drain(run_dir):
    """Points 11, 12."""
    from sim.report.data import load_run
    from sim.report.run_figures import second_line

    fig = second_line(load_run(run_dir))
    for trace in fig.data:
        assert "outbound" not in (trace.name or "")
        if trace.showlegend is not False:
            assert len(trace.y) and any(v == v for v in trace.y), trace.name
    drain = [t for t in fig.data if "drain" in (t.name or "")]
    assert drain and all(len(t.x) == 1 for t in drain)
    last = max(max(t.x) for t in fig.data)
    assert all(t.x[0] == last for t in drain)
    others = [t for t in fig.data if t.name and t.name.endswith(" closed")]
    assert others and all(last not in list(t.x) for t in others)
    assert any("drain" in a.text for a in fig.layout.annotations)


def test_money_carries_the_scenario_currency(run_dir):
    """Point 13."""
    from sim.config import build_model_spec
    from sim.errors import ConfigError

    rows = table_rows(_main(run_dir))
    assert rows["cost per answered call"][0].endswith(" CNY")
    assert "cost (CNY)" in _main(run_dir) and "Amounts in CNY" in _main(run_dir)
    cfg = __import__("yaml").safe_load((run_dir / "resolved_config.yaml").read_text())
    scenario = {**cfg["scenario"], "currency": 5}
    with pytest.raises(ConfigError, match="scenario.currency"):
        build_model_spec(scenario)


def test_scenario_parameters_are_a_readable_table(run_dir):
    """Point 14: no truncated JSON; dotted settings, distributions by name."""
    main = _main(run_dir)
    part = htmllib.unescape(main[main.index("Scenario parameters"):])
    cells = re.findall(r"<td[^>]*>(.*?)</td>", part)
    assert not any(c.startswith(("{", "[")) or c.endswith("…") for c in cells)
    rows = table_rows(part)
    assert rows["horizon.intervals_per_day"] == ["16"]
    assert rows["arrivals.calls_per_interval"][0].startswith("16 values (one per interval)")
    assert rows["ordinary member"][3].startswith("exponential (mean ")  # tiers: patience
    assert "policy.name" in rows


def test_readme_documents_every_output_column(run_dir):
    """Point 26: each column of each output table has its type and unit in the README."""
    import pandas as pd

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    section = readme.split("### Columns: type and unit", 1)[1].split("\n### ", 1)[0]
    for name in OUTPUT_TABLES:
        assert f"**`{name}" in section, name
        for col in pd.read_parquet(run_dir / f"{name}.parquet").columns:
            assert re.search(rf"\b{re.escape(col)}\b", section), (name, col)
    for col in pd.read_csv(run_dir / "replications.csv").columns:
        assert re.search(rf"`{col}`", section), col


OUTPUT_TABLES = ("calls", "intervals", "groups_intervals", "queues_intervals",
                 "second_line_intervals", "outbound_intervals", "wait_histogram")


def test_counts_are_stored_as_integers(run_dir):
    """Point 21: whole-number columns are int64 on disk, not float64."""
    import pandas as pd

    from sim.kpi import CALL_COUNTS

    ints = {"intervals": CALL_COUNTS, "groups_intervals": ("answered",),
            "second_line_intervals": ("opened", "closed", "backlog"),
            "outbound_intervals": ("callbacks_made", "callbacks_answered", "campaign_calls"),
            "wait_histogram": ("calls",)}
    for name, cols in ints.items():
        frame = pd.read_parquet(run_dir / f"{name}.parquet")
        assert {c: str(frame[c].dtype) for c in cols} == dict.fromkeys(cols, "int64"), name


def test_calls_read_with_nullable_types(run_dir):
    """Point 22: a plain read gives ``agent`` as Int32 and ``resolved`` as a nullable
    boolean, null exactly when no agent answered."""
    import pandas as pd

    calls = pd.read_parquet(run_dir / "calls.parquet")
    assert str(calls["agent"].dtype) == "Int32" and str(calls["resolved"].dtype) == "boolean"
    answered = calls["outcome"] == "answered"
    assert (calls["agent"].notna() == answered).all()
    assert (calls["resolved"].notna() == answered).all()
    assert calls["resolved"].any() and not calls["resolved"].dropna().all()


def test_interval_tables_are_tidy(run_dir):
    """Points 24/25: groups and queues, pools and outbound, each in their own table with
    no column empty by construction."""
    import pandas as pd

    for name in OUTPUT_TABLES[1:]:
        frame = pd.read_parquet(run_dir / f"{name}.parquet")
        empty = [c for c in frame.columns if c != "occupancy" and frame[c].isna().all()]
        assert not empty, (name, empty)  # occupancy: NaN only while nobody is staffed
    queues = pd.read_parquet(run_dir / "queues_intervals.parquet")
    groups = pd.read_parquet(run_dir / "groups_intervals.parquet")
    assert "queue" not in groups and "group" not in queues and groups["group"].notna().all()
    pools = pd.read_parquet(run_dir / "second_line_intervals.parquet")
    assert "outbound" not in set(pools["pool"]) and "callbacks_made" not in pools


def test_a_scenario_without_prices_shows_its_cost_as_not_priced(tmp_path):
    """A calibrated scenario has no cost_per_hour: its report said 'cost 0' and 'cost per
    answered call 0', which reads as free staff. It says 'not priced' now, with a note;
    a priced run keeps its amounts (test_money_carries_the_scenario_currency)."""
    d = tmp_path / "out"
    ccsim("scenario=hotline_small", "n_reps=1",
          *(f"scenario.groups.{g}.cost_per_hour=0"
            for g in ("vip_desk", "general_desk", "faults_desk")),
          *(f"scenario.second_line.pools.{p}.cost_per_hour=0" for p in ("back_office", "repair")),
          f"hydra.run.dir={d}", cwd=tmp_path)
    s = json.loads((d / "summary.json").read_text())["overall"]
    assert s["cost"]["mean"] == 0 and s["staffed_hours"]["mean"] > 0
    rows = table_rows(_main(d))
    assert rows["cost per answered call"] == ["not priced", "—"]
    assert rows["cost"] == ["not priced", "—"]
    assert rows["general desk"][-1] == "not priced"
    assert "Not priced: no staff hour of this scenario has a price" in _main(d)


def test_kpis_a_scenario_does_not_model_are_not_shown_as_zero(run_dir, tmp_path):
    """A scenario of call classes (a calibrated one) has no customers' needs nor second
    line: its report showed first-contact resolution 0.0 % and work orders 0, which read
    as 'nobody resolved'. The headline leaves them out and the indicators say 'not
    modelled'; the hotline run (tiers, second line) keeps its figures."""
    d = tmp_path / "out"
    ccsim("scenario=anonymous_bank", "n_reps=1", "output.intervals=false",
          f"hydra.run.dir={d}", cwd=tmp_path)
    rows = table_rows(_main(d))
    assert json.loads((d / "summary.json").read_text())["overall"]["fcr"]["mean"] == 0
    assert "first-contact resolution" not in rows and "work orders" not in rows
    indicators = [cells[1:] for cells in _all_rows(_main(d)) if cells[:1] == ["service level"]]
    assert ["first-contact resolution — not modelled (no scenario.tiers)", "—", "—"] in \
        indicators
    hot = table_rows(_main(run_dir))
    assert hot["first-contact resolution"][0] != "—" and "work orders" in hot


def test_a_sweep_of_such_scenarios_leaves_those_kpis_out_with_a_note(tmp_path):
    """The comparison report and the terminal table of a sweep over a calibrated scenario
    had columns of FCR 0.0 % and cost per call 0 for every point; they are named in a
    note instead."""
    d = tmp_path / "sweep"
    proc = ccsim("-m", "scenario=anonymous_bank", "policy=reservation", "policy.params.reserve=1",
          "policy.params.vip_queue=direct_line", "policy.params.reserve_from=3,4", "n_reps=1",
          "output.intervals=false", f"hydra.sweep.dir={d}", cwd=tmp_path)
    page = _main(d)
    heads = [htmllib.unescape(h) for h in re.findall(r"<th[^>]*>(.*?)</th>", page)]
    assert "answer rate" in heads and "first-contact resolution" not in heads
    assert not any(h.startswith("cost") for h in heads)
    assert ("Not shown, 0 in every point: first-contact resolution: not modelled "
            "(no scenario.tiers); cost per answered call: not priced.") in htmllib.unescape(page)
    # the terminal table likewise (its header abbreviates FCR as FCR%)
    assert "FCR%" not in proc.stdout and "answer%" in proc.stdout
    assert ("(not shown, 0 in every point: first-contact resolution: not modelled (no "
            "scenario.tiers); cost per answered call: not priced)") in proc.stdout


def _all_rows(html: str) -> list[list[str]]:
    return [[htmllib.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", tr)]
            for tr in re.findall(r"<tr>(.*?)</tr>", html)]


def test_a_kpi_is_left_out_only_when_no_point_models_it(tmp_path):
    """A sweep over a calibrated and a hotline scenario keeps FCR (one point models it);
    over calibrated points only it leaves FCR out; reading stops at a point that models
    every such KPI."""
    import pandas as pd
    import yaml

    from sim.report.modelled import not_shown

    def point(name: str, scenario: dict) -> None:
        (tmp_path / name).mkdir()
        (tmp_path / name / "resolved_config.yaml").write_text(
            yaml.safe_dump({"scenario": scenario}))

    overall = pd.DataFrame({"job": [0, 0, 1, 1], "kpi": ["cost", "staffed_hours"] * 2,
                            "mean": [5.0, 8.0, 6.0, 8.0]})
    point("0_bank", {"classes": {}})
    assert not_shown(tmp_path, overall) == {
        "fcr": "not modelled (no scenario.tiers)"}
    point("1_hotline", {"tiers": {"gold": {}}, "second_line": {"pools": {}}})
    assert not_shown(tmp_path, overall) == {}
    free = overall.assign(mean=[0.0, 8.0, 0.0, 8.0])
    assert not_shown(tmp_path, free) == {"cost_per_call": "not priced"}
