"""``ccsim serve`` without a browser: the form's levers, validation by the project's
schema, the job runner (paired comparison, progress, cancel), saved scenarios, and the
start-up cost of ``ccsim --help``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sim.serve import forms, jobs, scenarios

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def hotline():
    return scenarios.compose("shipped:hotline_small")


@pytest.fixture(scope="module")
def basic():
    return scenarios.compose("shipped:basic")


@pytest.mark.parametrize("name", ["hotline_small", "basic", "telecom10000"])
def test_untouched_form_gives_the_same_config(name):
    """Levers read off a config and applied unchanged give back exactly that config (the
    run keys aside: the form proposes at least 3 replications)."""
    cfg = scenarios.compose(f"shipped:{name}")
    form = forms.levers_of(cfg)
    out = forms.edited(cfg, form)
    assert out["scenario"] == cfg["scenario"]
    assert out["policy"] == cfg["policy"]


def test_levers_change_the_keys_they_name(hotline):
    form = forms.levers_of(hotline)
    form.update({"groups.vip_desk.all_day": 7, "load": 1.1, "patience.gold": 300,
                 "queues.vip.max_wait_s": None, "queues.vip.announce_s": "30",
                 "policy.name": "overflow", "policy.params.delay_s": "35",
                 "outage.enabled": True, "hours.open": 1, "hours.close": 7,
                 "outage.start_h": 2, "outage.duration_h": 1.5, "outage.multiplier": 2.5,
                 "mix.gold": 0.08, "mix.ordinary": 0.55})  # shipped: 0.05 and 0.58
    scn = forms.edited(hotline, form)["scenario"]
    assert (scn["outage"]["start_s"], scn["outage"]["duration_s"],
            scn["outage"]["multiplier"]) == (7200, 5400, 2.5)
    assert (scn["tiers"]["gold"]["share"], scn["tiers"]["ordinary"]["share"]) == (0.08, 0.55)
    vip = scn["groups"]["vip_desk"]["staffing"]
    assert vip == [0, 0] + [7] * 12 + [0, 0]  # 30-min intervals: open 1 h to 7 h
    assert scn["load"] == 1.1 and scn["outage"]["enabled"] is True
    assert scn["tiers"]["gold"]["patience"] == {"dist": "exponential", "mean": 300}
    assert scn["queues"]["vip"]["max_wait_s"] is None
    assert scn["queues"]["vip"]["announce_s"] == [30]
    pol = forms.edited(hotline, form)["policy"]
    assert pol["name"] == "overflow" and pol["params"]["delay_s"] == 35


@pytest.mark.parametrize("change, row, says", [
    ({"groups.vip_desk.all_day": -3}, "groups.vip_desk", ">= 0"),
    ({"groups.general_desk.curve": "10, x"}, "groups.general_desk", "numbers separated"),
    ({"mix.gold": 0.5}, "mix", "sum"),
    ({"patience.diamond": 0}, "patience.diamond", "mean"),
    ({"load": "lots"}, "load", "must be a number"),
    ({"policy.name": "overflow", "policy.params.delay_s": "-5"}, "policy", "delay_s"),
    ({"n_reps": 0}, "run", "n_reps"),
    ({"hours.open": 9, "hours.close": 3}, "hours", "open < close"),
])
def test_bad_input_names_the_field_and_what_is_allowed(hotline, change, row, says):
    form = {**forms.levers_of(hotline), **change}
    with pytest.raises(forms.FormError) as info:
        forms.edited(hotline, form)
    assert row in info.value.messages, info.value.messages
    text = info.value.messages[row]
    assert says in text and "\n" not in text


def test_a_class_mix_not_summing_to_one_is_refused(basic):
    form = {**forms.levers_of(basic), "mix.vip": 0.3}
    with pytest.raises(forms.FormError) as info:
        forms.edited(basic, form)
    assert "mix" in info.value.messages


def _run(tmp_path: Path, base: dict, edited: dict, cancel: bool = False,
         job: str = "20260101-000000-abcdef", cache_dir: Path | None = None) -> Path:
    folder = tmp_path / "sessions" / ("a" * 32) / job
    folder.mkdir(parents=True)
    if cancel:
        (folder / "cancel").touch()
    jobs.run_job(str(folder), [jobs.run_config(base), jobs.run_config(edited)],
                 str(cache_dir) if cache_dir else None)
    return folder


def _vip_cut(hotline: dict) -> tuple[dict, dict]:
    """hotline_small's VIP desk cut from 4 agents to 2, 3 replications: (baseline, edited)."""
    return {**hotline, "n_reps": 3}, forms.edited(hotline, {
        **forms.levers_of(hotline), "n_reps": 3, "groups.vip_desk.all_day": 2})


@pytest.fixture(scope="module")
def vip_cut_job(tmp_path_factory, hotline) -> Path:
    """The VIP cut run as the app runs it, with the baseline cache (a miss: it simulates
    and stores the baseline)."""
    out = tmp_path_factory.mktemp("serve")
    return _run(out, *_vip_cut(hotline), cache_dir=out / jobs.CACHE_DIR)


def test_a_job_compares_the_edited_scenario_with_its_baseline(vip_cut_job, hotline):
    """Fewer VIP agents (4 -> 2): the VIP tiers' service level falls, paired CI clear of
    0; the baseline point is the scenario as it was."""
    from sim.serve import results

    folder = vip_cut_job
    assert jobs.read_status(folder)["state"] == "done"
    table, diffs = results.load(folder)
    rows = {r["id"]: r for r in results.rows(table, diffs, results.tier_targets(hotline))}
    silver = rows["tier.silver.service_level"]
    assert silver["edited_mean"] < silver["baseline_mean"] and silver["verdict"] == "worse"
    assert silver["target"] == "80.0%"
    summary = json.loads((folder / "0_baseline" / "summary.json").read_text())
    assert summary["scenario"] == "hotline_small" and summary["n_reps"] == 3
    assert (folder / "1_edited" / "groups_intervals.parquet").exists()
    assert results.occupancy_figure(folder) is not None
    # "Export report": the comparison report ccsim report writes for a sweep
    from sim.report import write_report

    page = write_report(folder).read_text()
    assert "Paired differences against the baseline" in page and "edited" in page


def test_a_what_if_against_the_same_baseline_reuses_its_replications(
        vip_cut_job, hotline, monkeypatch):
    """Run again against the same baseline: the baseline is copied from the cache that
    the first job filled (only the edited point is simulated), and the comparison is
    exactly the first job's, whose baseline was simulated."""
    from sim.serve import cache, results

    simulated = []
    real = jobs._simulate_point
    monkeypatch.setattr(jobs, "_simulate_point",
                        lambda root, i, cfg, n: simulated.append(i) or real(root, i, cfg, n))
    out = vip_cut_job.parents[2]
    base, edited = _vip_cut(hotline)
    again = _run(out, base, edited, job="20260101-000000-000002",
                 cache_dir=out / jobs.CACHE_DIR)
    assert simulated == [1]  # the edited point only
    key = cache.key(jobs.run_config(base))
    assert cache.reuse_info(vip_cut_job) == {"key": key, "reused": False,
                                             "from_job": vip_cut_job.name}
    assert cache.reuse_info(again) == {"key": key, "reused": True,
                                       "from_job": vip_cut_job.name}
    assert "reused from the cache" in cache.reuse_note(again)
    assert [p.name for p in (out / jobs.CACHE_DIR).iterdir()] == [key]
    files = sorted(p.name for p in (vip_cut_job / "0_baseline").iterdir())
    assert files == sorted(p.name for p in (again / "0_baseline").iterdir())
    for name in files:
        assert (again / "0_baseline" / name).read_bytes() == \
            (vip_cut_job / "0_baseline" / name).read_bytes(), name
    assert results.rows(*results.load(again)) == results.rows(*results.load(vip_cut_job))


def test_the_baseline_cache_key_is_the_whole_run_config(hotline):
    """Another seed, replication count, policy or scenario value is another baseline."""
    import copy

    from sim.serve import cache

    base = jobs.run_config({**hotline, "n_reps": 3})
    k = cache.key(base)
    assert cache.key(copy.deepcopy(base)) == k
    other_scn = copy.deepcopy(base)
    other_scn["scenario"]["load"] = 1.01
    for other in ({**base, "seed": base["seed"] + 1}, {**base, "n_reps": 4},
                  {**base, "policy": scenarios.policy_config("overflow")}, other_scn):
        assert cache.key(other) != k


def test_two_workers_storing_one_baseline_keep_one_whole_entry(tmp_path):
    from sim.serve import cache

    for job in ("a", "b"):
        point = tmp_path / job / "0_baseline"
        point.mkdir(parents=True)
        (point / "summary.json").write_text(job)
    assert cache.store(tmp_path / "cache", "k", tmp_path / "a" / "0_baseline", "a")
    assert not cache.store(tmp_path / "cache", "k", tmp_path / "b" / "0_baseline", "b")
    assert [p.name for p in (tmp_path / "cache").iterdir()] == ["k"]
    assert cache.restore(tmp_path / "cache", "k", tmp_path / "c")["job"] == "a"
    assert (tmp_path / "c" / "summary.json").read_text() == "a"
    assert cache.restore(tmp_path / "cache", "nope", tmp_path / "d") is None


def test_cancel_stops_the_job_at_a_replication(tmp_path, hotline):
    base = {**hotline, "n_reps": 3}
    folder = _run(tmp_path, base, base, cancel=True)
    st = jobs.read_status(folder)
    assert st["state"] == "cancelled" and "baseline replication 0/3" in st["message"]
    assert not (folder / "sweep.parquet").exists()


def test_a_bad_config_fails_the_job_in_one_line(tmp_path, hotline):
    bad = {**hotline, "n_reps": 2, "scenario": {**hotline["scenario"], "load": -1}}
    folder = _run(tmp_path, bad, bad)
    st = jobs.read_status(folder)
    assert st["state"] == "failed" and "scenario.load" in st["message"]
    assert "\n" not in st["message"] and "Traceback" not in st["message"]


def test_job_folders_belong_to_their_session(tmp_path):
    with pytest.raises(ValueError):
        jobs.job_dir(tmp_path, "../../etc", "20260101-000000-abcdef")
    with pytest.raises(ValueError):
        jobs.job_dir(tmp_path, "a" * 32, "../x")
    a, b = jobs.new_session_id(), jobs.new_session_id()
    assert a != b and jobs.SESSION_ID.match(a)


def test_saved_scenario_header_runs_the_what_if(tmp_path, hotline):
    from sim.serve.save import command, save_scenario

    edited = forms.edited(hotline, {**forms.levers_of(hotline), "policy.name": "overflow",
                                    "policy.params.delay_s": "30", "seed": 5})
    path, line = save_scenario(tmp_path, "my_whatif", edited)
    assert path == tmp_path / "scenario" / "my_whatif.yaml"
    assert "scenario=my_whatif" in line and "policy.params.delay_s=30" in line
    assert "seed=5" in line
    # the saved file composes back to exactly the edited scenario and policy
    again = scenarios.compose(f"file:{path}")
    assert again["scenario"] == edited["scenario"]
    from sim.check.runs import compose_config

    cfg = compose_config(command(tmp_path, "my_whatif", edited)[0:0] + [
        a for a in command(tmp_path, "my_whatif", edited)])
    assert cfg["scenario"] == edited["scenario"] and cfg["policy"] == edited["policy"]
    assert cfg["seed"] == 5 and cfg["n_reps"] == edited["n_reps"]
    with pytest.raises(Exception, match="plain file name"):
        save_scenario(tmp_path, "../evil", edited)


def test_help_lists_serve_without_importing_dash():
    code = ("import sys; from sim.cli import short_help; text = short_help(); "
            "assert 'ccsim serve' in text, text; "
            "assert 'dash' not in sys.modules and 'plotly' not in sys.modules; print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=REPO, timeout=60)
    assert out.stdout.strip() == "ok", out.stderr


def test_bad_options_are_one_line():
    for argv, says in ((["--port", "0"], "--port"), (["--scenario", "nope"], "--scenario")):
        out = subprocess.run([sys.executable, "-m", "sim", "serve", *argv],
                             capture_output=True, text=True, cwd=REPO, timeout=60)
        assert out.returncode == 2
        lines = out.stderr.strip().splitlines()
        assert len(lines) == 1 and says in lines[0], out.stderr


def test_two_sessions_run_side_by_side_in_the_pool(tmp_path, basic):
    """Two tabs (sessions) submit at once to the worker pool: each job has its own
    folder and its own numbers (the edited VIP desk of each), the baselines agree."""
    runner = jobs.Runner(tmp_path, workers=2)
    try:
        submitted = {}
        for agents in (1, 6):
            session = jobs.new_session_id()
            edited = forms.edited(basic, {**forms.levers_of(basic), "n_reps": 2,
                                          "groups.vip_desk.all_day": agents})
            base = {**basic, "n_reps": 2, "seed": edited["seed"]}
            submitted[agents] = (session, runner.submit(session, base, edited))
        for session, job in submitted.values():
            runner.futures[f"{session}/{job}"].result(timeout=600)  # type: ignore[attr-defined]
            assert runner.status(session, job)["state"] == "done"
    finally:
        runner.close()
    folders = {a: jobs.job_dir(tmp_path, *sj) for a, sj in submitted.items()}
    assert folders[1] != folders[6]
    summary = {a: json.loads((f / "1_edited" / "summary.json").read_text())
               for a, f in folders.items()}
    base = {a: json.loads((f / "0_baseline" / "summary.json").read_text())
            for a, f in folders.items()}
    assert base[1]["overall"] == base[6]["overall"]
    # one cache entry for their common baseline, whichever worker stored it first
    assert len(list((tmp_path / jobs.CACHE_DIR).iterdir())) == 1
    vip = {a: s["by_class"]["vip"]["service_level"]["mean"] for a, s in summary.items()}
    assert vip[1] < vip[6]


@pytest.mark.slow
def test_plan_it_for_me_gives_a_plan_the_form_applies(tmp_path, basic):
    """"Plan it for me": ``ccsim staff`` on the edited scenario in a plan folder; its
    staffing.csv per desk goes into the levers, and the edited config then carries
    exactly that staffing (a minute or more: marked slow)."""
    import pandas as pd
    import yaml

    from sim.serve import plan

    folder = tmp_path / "plan"
    (folder / "scenario").mkdir(parents=True)
    (folder / "scenario" / "basic.yaml").write_text(
        yaml.safe_dump(basic["scenario"], sort_keys=False))
    code = plan.run_plan(str(folder), "basic", plan.plan_overrides(basic), "basic")
    done = plan.outcome(folder)
    assert done is not None and done["code"] == code == 0, done
    table = pd.read_csv(folder / "report" / "staffing.csv")
    assert set(done["plan"]) == set(basic["scenario"]["groups"])
    form = forms.levers_of(basic)
    for desk, agents in done["plan"].items():
        form[f"groups.{desk}.curve"] = ", ".join(map(str, agents))
        assert agents == list(table[table["group"] == desk].sort_values("interval")["agents"])
    scn = forms.edited(basic, form)["scenario"]
    for desk, agents in done["plan"].items():
        assert scn["groups"][desk]["staffing"] == agents


def test_a_dragged_line_sets_whole_agents_at_least_zero():
    """The staffing curve's drag (plotly relayoutData of an editable line shape): the
    interval dragged gets the whole number of agents nearest to where it was dropped,
    never below 0; a moved end counts when only one end moved; nothing else changes."""
    from sim.serve import curve

    values = [4.0, 4.0, 2.5, 0.0]
    assert curve.dragged(values, {"shapes[1].x0": 1.1, "shapes[1].y0": 6.4,
                                  "shapes[1].x1": 1.9, "shapes[1].y1": 6.4}) == [4, 6, 2.5, 0]
    assert curve.dragged(values, {"shapes[0].y1": 7.6}) == [8, 4, 2.5, 0]  # one end
    assert curve.dragged(values, {"shapes[0].y0": 4.0, "shapes[0].y1": 1.4}) == [1, 4, 2.5, 0]
    assert curve.dragged(values, {"shapes[3].y0": -2.7, "shapes[3].y1": -2.7})[3] == 0
    assert curve.dragged(values, {"autosize": True}) is None
    assert curve.dragged(values, {"xaxis.range[0]": 1, "shapes[9].y0": 3}) is None
    assert curve.dragged(values, None) is None


def test_the_curve_and_its_field_agree_both_ways(hotline):
    """Field -> curve: the figure draws one bar and one draggable line per interval at
    the field's values (an all-day number wins, as it does in a run). Curve -> field: the
    text written after a drag is what the run takes as the desk's staffing."""
    from sim.serve import curve

    form = forms.levers_of(hotline)
    text = form["groups.vip_desk.curve"]
    values = curve.values_of(None, text)
    assert curve.text(values) == text
    assert curve.values_of("5", text) == [5.0]
    assert curve.values_of(None, "4, x") is None
    n = forms.per_day(hotline["scenario"])
    fig = curve.figure("vip_desk", curve.per_interval([5.0], n), 0.5)
    assert fig["data"][0]["y"] == [5.0] * n
    assert [s["y0"] for s in fig["layout"]["shapes"]] == [5.0] * n
    assert all(s["y0"] == s["y1"] and s["type"] == "line" for s in fig["layout"]["shapes"])
    from sim.serve.layout import staffing_curve

    (graph,) = [c for c in staffing_curve(hotline["scenario"], form)
                if getattr(c, "id", None) == "curve-graph"]
    assert graph.config["edits"] == {"shapePosition": True}  # the lines drag, nothing else
    new = curve.dragged(curve.per_interval(values, n), {"shapes[3].y0": 7.2,
                                                        "shapes[3].y1": 7.2})
    scn = forms.edited(hotline, {**form, "groups.vip_desk.curve": curve.text(new)})["scenario"]
    assert scn["groups"]["vip_desk"]["staffing"] == new and new[3] == 7


def test_a_calibrated_scenario_is_offered_and_composes_as_written(tmp_path, monkeypatch):
    """"Pick a scenario, shipped or calibrated": a file ``ccsim calibrate`` wrote under
    outputs/calibrate/ is in the list and composes to exactly its content; the app's own
    saved scenarios too. A file elsewhere in the working directory is not offered."""
    import yaml

    monkeypatch.chdir(tmp_path)
    scn = yaml.safe_load((REPO / "configs" / "scenario" / "basic.yaml").read_text())
    scn.update(name="calibrated", load=0.7)
    (tmp_path / "outputs" / "calibrate").mkdir(parents=True)
    (tmp_path / "outputs" / "calibrate" / "calibrated.yaml").write_text(yaml.safe_dump(scn))
    (tmp_path / "elsewhere.yaml").write_text(yaml.safe_dump(scn))
    out = tmp_path / "outputs" / "serve"
    (out / "scenario").mkdir(parents=True)
    (out / "scenario" / "mine.yaml").write_text(yaml.safe_dump({**scn, "name": "mine"}))
    offered = scenarios.choices(out)
    assert set(scenarios.shipped()) <= set(offered)
    source = offered["calibrated (outputs/calibrate)"]
    assert source == "file:outputs/calibrate/calibrated.yaml"
    assert scenarios.compose(source)["scenario"] == scn
    assert scenarios.compose(offered[f"mine ({out / 'scenario'})"])["scenario"]["name"] == "mine"
    assert not any("elsewhere" in label for label in offered)


def test_a_run_writes_only_inside_the_apps_output_folder(tmp_path, basic, monkeypatch):
    """The app's jobs (worker pool, baseline cache, outputs) write under --out only: run
    from an empty working directory, nothing appears beside the output folder."""
    out, cwd = tmp_path / "out", tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    runner = jobs.Runner(out, workers=1)
    try:
        session = jobs.new_session_id()
        edited = forms.edited(basic, {**forms.levers_of(basic), "n_reps": 1,
                                      "groups.vip_desk.all_day": 3})
        job = runner.submit(session, {**basic, "n_reps": 1, "seed": edited["seed"]}, edited)
        runner.futures[f"{session}/{job}"].result(timeout=600)  # type: ignore[attr-defined]
        assert runner.status(session, job)["state"] == "done"
    finally:
        runner.close()
    assert list(cwd.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cwd", "out"]
    assert (jobs.job_dir(out, session, job) / "1_edited" / "summary.json").exists()


def test_costs_where_no_staff_hour_has_a_price_are_left_out(vip_cut_job):
    """A calibrated scenario prices no staff hour: its cost rows read 0 against 0, as if
    staff were free. With every cost 0 in both points the rows go; priced, they stay."""
    from sim.serve import results

    table, diffs = results.load(vip_cut_job)
    priced = {r["id"] for r in results.rows(table, diffs)}
    assert {"overall.ALL.cost", "overall.ALL.cost_per_call"} <= priced
    free = table.copy()
    free.loc[free["kpi"].isin(["cost", "cost_per_call", "second_line_cost"]), "mean"] = 0.0
    ids = {r["id"] for r in results.rows(free, diffs)}
    assert ids == priced - {"overall.ALL.cost", "overall.ALL.cost_per_call"}
