"""Sweep tasks: a point's replications as separate units of work give exactly a plain
run's outputs, resume per replication, and a lost worker's task is retried and recorded."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim.sweep_tasks import task_reps, task_weight

CCSIM = str(Path(sys.executable).with_name("ccsim"))
BASE = ["scenario=hotline_small", "output.calls=false", "output.report=false"]


def ccsim(tmp: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([CCSIM, *args], cwd=tmp, capture_output=True, text=True,
                          timeout=600, env={**os.environ, **(env or {})})


def sweep(tmp: Path, name: str, *args: str, env: dict | None = None):
    return ccsim(tmp, "-m", *BASE, f"hydra.sweep.dir={tmp / name}", *args, env=env)


def table(tmp: Path, name: str) -> pd.DataFrame:
    return pd.read_parquet(tmp / name / "sweep.parquet")


def point_dir(tmp: Path, name: str, load: str) -> Path:
    (found,) = [p.parent for p in (tmp / name).glob("*/point.json")
                if f"scenario.load={load}" in p.parent.name]
    return found


@pytest.mark.parametrize("n_reps,tasks", [(5, 5), (5, 2), (2, 5), (7, 3), (1, 1), (25, 2),
                                          (30, 4), (29, 4), (14, 3), (13, 3), (1000, 13)])
def test_tasks_cover_every_replication_once(n_reps, tasks):
    shares = [list(task_reps(t, tasks, n_reps)) for t in range(tasks)]
    assert [r for s in shares for r in s] == list(range(n_reps))  # in order, each once
    sizes = [len(s) for s in shares]
    weights = [task_weight(t, tasks) for t in range(tasks)]
    if tasks > 1 and n_reps >= sum(weights):  # largest first, each close to its weight
        assert sizes == sorted(sizes, reverse=True) and min(sizes) >= 1
        assert weights == [(tasks - t) ** 2 for t in range(tasks)]
        assert all(abs(n - n_reps * w / sum(weights)) < 1 for n, w in zip(sizes, weights,
                                                                          strict=True))
    else:  # balanced: one task per replication stays one per replication
        assert max(sizes) - min(sizes) <= 1


def test_the_last_tasks_are_the_smallest():
    """2 workers, 4 points x 25 replications: 2 tasks a point, 20 then 5 replications
    (weights 4 : 1)."""
    assert [len(task_reps(t, 2, 25)) for t in range(2)] == [20, 5]
    assert [len(task_reps(t, 25, 25)) for t in range(25)] == [1] * 25


@pytest.fixture(scope="module")
def split(tmp_path_factory):
    """One sweep, each point's 3 replications in 3 tasks; and a plain run of one point."""
    tmp = tmp_path_factory.mktemp("tasks")
    proc = sweep(tmp, "split", "n_reps=3", "scenario.load=0.9,1.1", "sweep.tasks=3")
    plain = ccsim(tmp, *BASE, "n_reps=3", "scenario.load=0.9", f"hydra.run.dir={tmp / 'plain'}")
    assert proc.returncode == 0 and plain.returncode == 0, proc.stderr + plain.stderr
    return tmp, proc


def test_a_point_run_in_tasks_writes_exactly_a_plain_runs_outputs(split):
    tmp, proc = split
    assert proc.stdout.count(": replication ") == 6  # 2 points x 3 tasks of one replication
    point = point_dir(tmp, "split", "0.9")
    for name in ("summary.json", "replications.csv", "intervals.parquet", "intervals.csv",
                 "groups_intervals.parquet", "wait_histogram.parquet",
                 "second_line_intervals.csv"):
        assert (point / name).read_bytes() == (tmp / "plain" / name).read_bytes(), name
    info = json.loads((point / "point.json").read_text())
    assert info["status"] == "ok" and info["tasks"] == 3 and info["retries"] == 0
    assert (point / "tasks" / "finalized.json").exists()  # by its last task, not collection
    assert "sweep.task=0" in (point / ".hydra" / "overrides.yaml").read_text()
    assert not any("sweep.task" in o for o in info["overrides"])


def test_the_same_sweep_as_whole_points_gives_the_same_table(split):
    tmp, _ = split
    whole = sweep(tmp, "whole", "n_reps=3", "scenario.load=0.9,1.1", "sweep.tasks=1")
    assert whole.returncode == 0, whole.stderr
    assert whole.stdout.count("replications 0-2") == 2
    pd.testing.assert_frame_equal(table(tmp, "split"), table(tmp, "whole"))


def test_resume_is_per_replication(split):
    """A replication that never finished is the only one run again, whatever the split
    of the rerun; the table is the undisturbed sweep's."""
    tmp, _ = split
    shutil.copytree(tmp / "split", tmp / "resumed")
    lost = point_dir(tmp, "resumed", "1.1") / "reps" / "rep_0001.json"
    lost.unlink()
    (tmp / "resumed" / "sweep.parquet").unlink()
    again = sweep(tmp, "resumed", "n_reps=3", "scenario.load=0.9,1.1", "sweep.tasks=1")
    assert again.returncode == 0, again.stderr
    ran = {p.parent.parent.name: json.loads(p.read_text())["ran"]
           for p in (tmp / "resumed").glob("*/tasks/task_0000.json")}
    assert sorted(ran.values()) == [[], [1]]
    assert "replications 0-2: done before, skipped" in again.stdout
    resumed = table(tmp, "resumed")
    # its first attempt left a start and no result: the rerun is recorded as a retry
    assert resumed.groupby("point")["retries"].first().to_dict() == {"scenario.load=0.9": 0,
                                                                   "scenario.load=1.1": 1}
    pd.testing.assert_frame_equal(resumed.drop(columns="retries"),
                                  table(tmp, "split").drop(columns="retries"))


def test_a_lost_worker_is_retried_and_recorded(tmp_path, split):
    """A joblib worker killed mid-replication (as a lost node): the launcher fails, ccsim
    reruns what never finished, and the table is the undisturbed sweep's."""
    tmp, _ = split
    marker = tmp_path / "killed.txt"
    proc = sweep(tmp_path, "lost", "n_reps=3", "scenario.load=0.9,1.1", "sweep.tasks=3",
                 "hydra/launcher=joblib", "hydra.launcher.n_jobs=2",
                 env={"CCSIM_TEST_LOSE_WORKER": str(marker)})
    assert proc.returncode == 0, proc.stderr
    killed_point, _, killed_rep = marker.read_text().split()[:3]  # a worker really died
    assert "running the sweep again for them (retry 1 of 2" in proc.stderr
    lost = table(tmp_path, "lost")
    # (the pool goes down with its worker: a task in flight beside it is retried too)
    assert lost.groupby("point")["retries"].first().sum() >= 1
    pd.testing.assert_frame_equal(lost.drop(columns="retries"),
                                  table(tmp, "split").drop(columns="retries"))
    info = json.loads((tmp_path / "lost" / killed_point / "point.json").read_text())
    assert int(killed_rep) in info["retried_reps"] and info["status"] == "ok"


def test_a_failing_task_is_recorded_and_the_others_go_on(tmp_path):
    proc = sweep(tmp_path, "bad", "n_reps=2", "scenario.load=0.9,-1")
    assert proc.returncode == 1  # some points failed
    assert "Traceback" not in proc.stderr
    bad = json.loads((point_dir(tmp_path, "bad", "-1") / "point.json").read_text())
    assert bad["status"] == "failed" and "scenario.load" in bad["error"]
    ok = json.loads((point_dir(tmp_path, "bad", "0.9") / "point.json").read_text())
    assert ok["status"] == "ok" and ok["n_reps"] == 2
    assert (ok["order"], bad["order"]) == (0, 1)  # the command line's, a failure's too
    assert list(table(tmp_path, "bad").drop_duplicates("job")["point"]) == [
        "scenario.load=0.9", "scenario.load=-1"]


@pytest.mark.parametrize("key", ["sweep.task", "sweep.order"])
def test_the_task_key_is_not_set_by_hand(tmp_path, key):
    proc = sweep(tmp_path, "hand", "n_reps=2", "scenario.load=0.9,1.1", f"{key}=1")
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and f"ccsim: error: {key}: " in proc.stderr
    assert not list((tmp_path / "hand").glob("*/reps"))  # nothing ran


def test_resolved_config_text_is_omegaconfs(tmp_path):
    """The fast libyaml writer of a task's resolved config (also the resume key) gives
    OmegaConf.to_yaml's text exactly, strings that read back as bool/int/float quoted."""
    from omegaconf import OmegaConf

    from sim.check.runs import compose_config
    from sim.runner import resolved_yaml

    cfg = compose_config(["scenario=telecom10000", "scenario.name='1e3'",
                          "+extra=[true, 'yes', '12', '1.5', 'on', abc, null]"])
    plain = {k: v for k, v in cfg.items() if k != "hydra"}
    assert resolved_yaml(cfg) == OmegaConf.to_yaml(OmegaConf.create(plain))
    assert "name: '1e3'" in resolved_yaml(cfg)


def test_cached_t_quantile_is_scipys():
    from scipy.stats import t

    from sim.kpi import t_interval, t_quantile

    for conf, df in [(0.95, 1), (0.9, 4), (0.99, 29)]:
        assert t_quantile(conf, df) == t.ppf((1 + conf) / 2, df)
    x = [1.0, 2.0, 4.0]
    hw = t.ppf(0.975, 2) * 1.5275252316519468 / 3 ** 0.5
    assert t_interval(x, 0.95)["half_width"] == pytest.approx(hw, rel=1e-12)


def test_a_larger_n_reps_adds_replications_to_the_points_done(split):
    """Rerunning a sweep with more replications keeps each point's directory and runs only
    the new replications; the table is that of a sweep run with them from the start."""
    tmp, _ = split
    first = sweep(tmp, "grown", "n_reps=2", "scenario.load=0.9,1.1", "sweep.tasks=2")
    assert first.returncode == 0, first.stderr
    grown = sweep(tmp, "grown", "n_reps=3", "scenario.load=0.9,1.1", "sweep.tasks=3")
    assert grown.returncode == 0, grown.stderr
    # replication 2 of each point runs; 0 and 1 of each are skipped
    assert grown.stdout.count("replication 2: ok") == 2
    assert grown.stdout.count("done before, skipped") == 4
    assert len(list((tmp / "grown").glob("*/point.json"))) == 2
    pd.testing.assert_frame_equal(table(tmp, "grown"), table(tmp, "split"))


@pytest.mark.parametrize("in_file", [False, True])
def test_n_reps_is_not_swept(tmp_path, in_file):
    """Neither on the command line nor in an experiment's sweeper params: nothing runs."""
    swept = ["n_reps=2,3"]
    if in_file:
        (tmp_path / "cfg" / "experiment").mkdir(parents=True)
        (tmp_path / "cfg" / "experiment" / "swept.yaml").write_text(
            "# @package _global_\nhydra:\n  sweeper:\n    params:\n      n_reps: 2,3\n")
        swept = ["-cd", str(tmp_path / "cfg"), "experiment=swept"]
    proc = ccsim(tmp_path, "-m", *swept, *BASE, f"hydra.sweep.dir={tmp_path / 'bad'}")
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("ccsim: error: n_reps: one value per sweep")
    assert len(proc.stderr.strip().splitlines()) == 1
    assert not list((tmp_path / "bad").glob("*/reps/rep_*.json"))


def test_a_task_config_derived_from_its_point_is_hydras_composition(tmp_path):
    """sim.sweep_compose composes each point once and sets the task number in a copy for
    its other tasks: every key (Hydra's own included) equals what Hydra composes."""
    from hydra import initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra
    from hydra.types import RunMode
    from omegaconf import OmegaConf

    from sim import sweep_compose
    from sim.paths import CONFIG_DIR

    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(config_dir=CONFIG_DIR, version_base="1.3"):
            hydra = GlobalHydra.instance().hydra
            master = hydra.compose_config(
                "config", ["scenario=hotline_small", "n_reps=4", "scenario.load=0.9,1.1",
                           "policy=fifo", f"hydra.sweep.dir={tmp_path}",
                           "hydra.job.chdir=false"], run_mode=RunMode.MULTIRUN)
            sweep_compose.install()
            cached = hydra.config_loader.load_sweep_config
            composed = []
            cached.compose = lambda m, ov: composed.append(ov) or sweep_compose.TaskConfigs(
                hydra.config_loader, "real").compose(m, ov)
            for load in ("0.9", "1.1"):
                for task in (0, 3, 1):
                    job = [f"sweep.task={task}", "scenario=hotline_small", "n_reps=4",
                           f"scenario.load={load}", "policy=fifo"]
                    derived = cached(master, job)
                    real = type(hydra.config_loader).load_sweep_config(
                        hydra.config_loader, master, job)
                    # only task 0 writes the point's .hydra/ files (the same for all)
                    assert derived.hydra.output_subdir == (".hydra" if task == 0 else None)
                    real.hydra.output_subdir = derived.hydra.output_subdir
                    assert OmegaConf.to_yaml(derived) == OmegaConf.to_yaml(real), (load, task)
                    assert derived.sweep.task == task
            assert [ov[0] for ov in composed] == ["sweep.task=0", "sweep.task=0"]  # per point
            # another process of the sweep (a joblib worker: same token, nothing in memory)
            # reads the point composed here from the sweep directory instead of composing it
            sweep_compose._CACHE["points"].clear()
            job = ["sweep.task=2", "scenario=hotline_small", "n_reps=4", "scenario.load=1.1",
                   "policy=fifo"]
            shared = cached(master, job)
            real = type(hydra.config_loader).load_sweep_config(hydra.config_loader, master, job)
            real.hydra.output_subdir = None
            assert OmegaConf.to_yaml(shared) == OmegaConf.to_yaml(real)
            assert len(composed) == 2 and len(list((tmp_path / ".compose").glob("*.pkl"))) == 2
            sweep_compose.remove_shared(tmp_path)
            assert not (tmp_path / ".compose").exists()
    finally:
        GlobalHydra.instance().clear()


@pytest.mark.parametrize("n_reps,points,workers,expected", [
    (10, 4, 2, 2),      # the benchmark: 8 tasks of 5 replications, 4 per core
    (10, 4, 1, 1),      # one worker: whole points, nothing to balance
    (10, 4, None, 10),  # workers unknown (a Ray cluster): one task per replication
    (20, 120, 100, 4),  # the grid on 100 cores: 480 tasks of 5 replications
    (20, 20, 100, 20),  # 20 x 20 on 100 cores: every replication its own task
    (3, 2, 2, 3),       # never more tasks than replications
    (5, 40, 2, 1),      # many points: whole points already balance
    (4, 0, 2, 4),       # points unknown (a range sweep): as if one point
])
def test_auto_task_sizes(n_reps, points, workers, expected):
    from sim.sweep_cluster import auto_tasks

    assert auto_tasks(n_reps, points, workers) == expected


def _launcher(target: str, **keys) -> dict:
    return {"hydra": {"launcher": {"_target_": target, **keys}}}


def test_the_workers_auto_sizes_for_come_from_the_launchers_config():
    from omegaconf import OmegaConf

    from sim import sweep_cluster as sc

    cores = os.cpu_count() or 1
    cases = [(_launcher(sc.BASIC_LAUNCHER), 1),
             (_launcher(sc.JOBLIB_LAUNCHER, n_jobs=3), 3),
             (_launcher(sc.JOBLIB_LAUNCHER, n_jobs=-1), cores),
             (_launcher(sc.RAY_LAUNCHER, ray={"init": {"address": None}}), cores),
             (_launcher(sc.RAY_LAUNCHER, ray={"init": {"address": "local", "num_cpus": 6}}), 6),
             (_launcher(sc.RAY_LAUNCHER, ray={"init": {"address": "auto"}}), None),
             (_launcher(sc.SLURM_LAUNCHER, array_parallelism=200), 200),
             (_launcher(sc.LOCAL_SUBMITIT_LAUNCHER), cores),
             (_launcher("some.other.Launcher"), None)]
    for config, workers in cases:
        assert sc.launcher_workers(OmegaConf.create(config)) == workers, config


def test_the_launching_process_composes_points_only_where_the_launcher_does():
    """Where the launcher composes every job in the launching process (basic, Ray, one
    joblib job at a time) the sweeper's check composes the point (the launcher reuses
    it); elsewhere it checks by template (sim.sweep_compose.PointCheck)."""
    from omegaconf import OmegaConf

    from sim import sweep_cluster as sc

    here = [_launcher(sc.BASIC_LAUNCHER), _launcher(sc.JOBLIB_LAUNCHER, n_jobs=1),
            _launcher(sc.RAY_LAUNCHER, ray={"init": {"address": "auto"}})]
    elsewhere = [_launcher(sc.JOBLIB_LAUNCHER, n_jobs=2), _launcher(sc.SLURM_LAUNCHER),
                 _launcher(sc.LOCAL_SUBMITIT_LAUNCHER), _launcher("some.other.Launcher")]
    assert all(sc.jobs_composed_here(OmegaConf.create(c)) for c in here)
    assert not any(sc.jobs_composed_here(OmegaConf.create(c)) for c in elsewhere)


@pytest.mark.parametrize("value", ["0", "-2", "1.5", "abc", "true", "'1,2'", "1,2"])
def test_a_bad_task_count_is_refused_in_one_line(tmp_path, value):
    proc = sweep(tmp_path, "bad", "n_reps=2", "scenario.load=0.9,1.1", f"sweep.tasks={value}")
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("ccsim: error: sweep.tasks: "), proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "auto" in proc.stderr
    assert not list((tmp_path / "bad").glob("*/reps"))  # nothing ran


def test_auto_sized_tasks_give_the_same_table_and_resume_per_replication(split):
    """sweep.tasks=auto on one joblib worker runs whole points (1 task each, not 3): the
    table is the one-replication tasks'. Resumed with another sizing (3 tasks a point),
    only the task holding the lost replication runs it."""
    tmp, _ = split
    auto = sweep(tmp, "auto", "n_reps=3", "scenario.load=0.9,1.1", "sweep.tasks=auto",
                 "hydra/launcher=joblib", "hydra.launcher.n_jobs=1")
    assert auto.returncode == 0, auto.stderr
    assert auto.stdout.count("replications 0-2: ok") == 2
    pd.testing.assert_frame_equal(table(tmp, "auto"), table(tmp, "split"))
    assert json.loads((point_dir(tmp, "auto", "0.9") / "point.json").read_text())["tasks"] == 1
    (point_dir(tmp, "auto", "1.1") / "reps" / "rep_0001.json").unlink()
    again = sweep(tmp, "auto", "n_reps=3", "scenario.load=0.9,1.1", "sweep.tasks=3")
    assert again.returncode == 0, again.stderr
    ran = sorted(json.loads(p.read_text())["ran"] for p in (tmp / "auto").glob("*/tasks/*.json")
                 if p.name.startswith("task_"))
    assert ran == [[], [], [], [], [], [1]]
    pd.testing.assert_frame_equal(table(tmp, "auto").drop(columns="retries"),
                                  table(tmp, "split").drop(columns="retries"))


LOADS = [0.8, 0.85, 0.9, 0.95, 1.0, 1.05, 1.1, 1.15]


def test_the_dearest_tasks_go_out_first():
    """8 points x 20 replications in 2 tasks a point (16 + 4), in Hydra's order (every
    point's task 0, then every task 1; points in the command line's order, load rising):
    handed out in descending replications x load, so each wave starts with the 1.15-load
    point and the sweep ends on the cheapest task; every job keeps its point's place."""
    from sim.sweep_cluster import dearest_first, number_points, rep_weight, task_cost

    def job(task, load):
        return [f"sweep.task={task}", "n_reps=20", f"scenario.load={load}", "sweep.tasks=2"]

    hydras = [job(t, load) for t in range(2) for load in LOADS]
    numbered = number_points(hydras, {})
    assert [o[-1] for o in numbered] == [f"sweep.order={i}" for i in range(8)] * 2
    costs = [task_cost(load, 20, o) for o in numbered for load in [float(o[2].split("=")[1])]]
    out = dearest_first(numbered, costs)
    assert sorted(map(tuple, out)) == sorted(map(tuple, numbered))  # the same jobs
    assert out[:8] == [numbered[i] for i in reversed(range(8))]  # 16 replications each
    assert out[8][:3] == ["sweep.task=1", "n_reps=20", "scenario.load=1.15"]  # last wave
    assert out[-1] == job(1, 0.8) + ["sweep.order=0"]  # the cheapest task: last
    assert dearest_first(numbered, [None] * 16) == numbered  # costs unknown: as given
    assert rep_weight({"scenario": {"load": 1.1, "horizon": {"days": 2}}}) == 2.2
    assert rep_weight({"scenario": {"load": "${x}"}}) == rep_weight({}) == 1.0


def test_joblib_runs_dearest_first_and_tables_keep_the_command_lines_order(tmp_path, split):
    """Under joblib the 1.1-load point's tasks (dearer) run before the 0.9 one's, given
    second on the command line; the point directories, point.json's ``order`` and
    sweep.parquet (``job`` included) are the command line's, equal to the basic
    launcher's. (Fails if Hydra's basic sweeper stops launching the list it checks.)"""
    proc = sweep(tmp_path, "dear", "n_reps=3", "scenario.load=0.9,1.1", "sweep.tasks=3",
                 "hydra/launcher=joblib", "hydra.launcher.n_jobs=2")
    assert proc.returncode == 0, proc.stderr[-2000:]
    jobs = {load: sorted(json.loads(p.read_text())["job"] for p in
                         (point_dir(tmp_path, "dear", load) / "tasks").glob("task_*.json"))
            for load in ("0.9", "1.1")}
    assert jobs == {"1.1": [0, 1, 2], "0.9": [3, 4, 5]}
    orders = {load: json.loads((point_dir(tmp_path, "dear", load) / "point.json").read_text())
              ["order"] for load in ("0.9", "1.1")}
    assert orders == {"0.9": 0, "1.1": 1}
    dear = table(tmp_path, "dear")
    assert list(dear.drop_duplicates("job")["scenario.load"]) == [0.9, 1.1]
    basic_tmp, _ = split
    pd.testing.assert_frame_equal(dear, table(basic_tmp, "split"))
    for name in ("sweep_replications.parquet", "sweep_differences.parquet"):
        pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "dear" / name),
                                      pd.read_parquet(basic_tmp / "split" / name))


def test_joblib_tasks_run_in_the_workers_warmed_when_the_sweep_started(tmp_path, split):
    """sim.sweep_warm starts joblib's reusable executor when the multirun starts and warms
    its workers (imports, the compiled engine); the launcher's Parallel must reuse those
    very processes, or the warm-up is wasted: every replication there records whether its
    process was warmed (the basic launcher's never are), and the table is the same."""
    proc = sweep(tmp_path, "warm", "n_reps=3", "scenario.load=0.9,1.1", "sweep.tasks=3",
                 "hydra/launcher=joblib", "hydra.launcher.n_jobs=2")
    assert proc.returncode == 0, proc.stderr[-2000:]
    recs = [json.loads(p.read_text()) for p in (tmp_path / "warm").rglob("reps/rep_*.json")]
    assert len(recs) == 6 and any(r["warmed"] for r in recs)
    basic_tmp, _ = split
    basic = [json.loads(p.read_text()) for p in (basic_tmp / "split").rglob("reps/rep_*.json")]
    assert basic and not any(r["warmed"] for r in basic)
    pd.testing.assert_frame_equal(table(tmp_path, "warm"), table(basic_tmp, "split"))
    # the command line names joblib: its workers started before the sweep set the total
    # in the environment (sim.sweep_warm.prestart), and still number their lines of it
    # two worker processes may write onto one line: count the replication markers
    tags = re.findall(r"\[(\d+/\d+)\] [^\[]*?: replication ", proc.stdout)
    assert sorted(tags) == [f"{k}/6" for k in range(1, 7)], proc.stdout


def test_workers_started_from_the_command_line_are_the_launchers(monkeypatch):
    """sim.sweep_warm.prestart starts joblib's workers before the config is composed, from
    the command line alone: ``start`` must adopt them when the composed launcher asks for
    the same ``Parallel`` (then joblib reuses them), and stop them when it asks for others
    (an experiment file's settings) or when no multirun takes them over (bad input)."""
    from hydra import compose, initialize_config_dir

    from sim import sweep_warm
    from sim.paths import CONFIG_DIR

    monkeypatch.setattr(sweep_warm, "warm", lambda payload: None)  # no replication here
    monkeypatch.setattr(sweep_warm, "warm_imports", lambda: None)
    cmd = ["scenario=hotline_small", "hydra/launcher=joblib", "hydra.launcher.n_jobs=2"]

    def composed(*overrides: str):
        with initialize_config_dir(config_dir=CONFIG_DIR, version_base="1.3"):
            return compose("config", [*cmd, *overrides], return_hydra_config=True)

    try:
        assert sweep_warm.prestart(["scenario=hotline_small"]) == 0  # not joblib: nothing
        assert sweep_warm.prestart(cmd) == 2
        early = sweep_warm._EARLY[0][0]
        assert sweep_warm.start(composed()) == 2
        assert sweep_warm._EXECUTOR[0] is early and not sweep_warm._EARLY  # adopted
        sweep_warm.release()
        assert sweep_warm.prestart(cmd) == 2
        early = sweep_warm._EARLY[0][0]
        assert sweep_warm.start(composed("hydra.launcher.max_nbytes=1M")) == 2
        assert early._flags.shutdown and sweep_warm._EXECUTOR[0] is not early  # replaced
        sweep_warm.release()
        assert sweep_warm.prestart(cmd) == 2
        early = sweep_warm._EARLY[0][0]
        sweep_warm.abandon()
        assert early._flags.shutdown and not sweep_warm._EARLY
    finally:
        sweep_warm.abandon()
        sweep_warm.release()


CHECKED_JOBS = [  # (a job's overrides, whether Hydra composes it)
    (["scenario=hotline_small", "scenario.load=0.9", "policy=fifo"], True),
    (["scenario.load=0.95", "scenario=hotline_small", "sweep.task=1", "sweep.order=3"], True),
    (["scenario=hotline_small", "hydra.verbose=true", "scenario.load=1.1"], True),  # hydra's
    (["scenario=hotline_small", "scenario.load=1.1", "policy=fifo"], True),  # same template
    (["scenario=hotline_small", "scenario.load=1.1", "policy=pooled"], True),  # another
    (["scenario=telecom10000", "scenario.load=1.1", "n_reps=3", "+extra.key=1"], True),
    (["scenario=hotline_small", "++n_reps=5", "~output.progress", "experiment=erlang_c"], True),
    (["scenario=hotline_small", "output={calls: false}", "+params.x=2"], True),
    (["scenario=hotline_small", "scenario.no_such_key=1"], False),
    (["scenario=hotline_small", "+n_reps=3"], False),  # adds a key that exists
    (["scenario=hotline_small", "~no_such_key"], False),
    (["scenario=hotline_small", "n_reps.x=1"], False),
    (["scenario=hotline_small", "policy=no_such_policy"], False),
    (["scenario=hotline_small", "scenario.load=0.9", "scenario.load=[1,2"], False),
]


class _NotComposing:
    """A config loader that refuses to compose (whatever is asked of it is read)."""

    def __init__(self, loader):
        self._loader = loader

    def __getattr__(self, name: str):
        if name == "load_configuration":
            raise AssertionError("composed, not read from .compose/")
        return getattr(self._loader, name)


def test_the_sweepers_check_of_a_point_is_hydras_composition(tmp_path):
    """sim.sweep_compose.PointCheck checks a job without composing it in full (a template
    per set of group choices, the value overrides applied to a copy): it must accept what
    Hydra's composition accepts, with the same keys and values, and refuse what it refuses
    with the same error (the exception, its message and its cause: the one-line messages
    of sim.cli read them). ``PointCheck.compose`` (the jobs' configs, in joblib's workers
    and for the basic launcher) must give Hydra's composition itself, Hydra's node
    included (overrides, override dirname)."""
    from hydra import initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra
    from hydra.types import RunMode
    from omegaconf import OmegaConf

    from sim import sweep_compose
    from sim.paths import CONFIG_DIR

    def outcome(compose, job, values=True):
        try:
            config = compose(master, job)
        except Exception as exc:  # noqa: BLE001 - compared below
            cause = exc.__cause__
            return (type(exc), str(exc), type(cause), str(cause), getattr(cause, "full_key",
                                                                        None))
        return OmegaConf.to_yaml({k: v for k, v in config.items() if k != "hydra"} if values
                                 else config)

    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(config_dir=CONFIG_DIR, version_base="1.3"):
            hydra = GlobalHydra.instance().hydra
            master = hydra.compose_config(
                "config", ["scenario=hotline_small", "scenario.load=0.9,1.1",
                           f"hydra.sweep.dir={tmp_path}", "hydra.job.chdir=false"],
                run_mode=RunMode.MULTIRUN)
            loader = hydra.config_loader
            check = sweep_compose.PointCheck(loader)
            for job, composes in CHECKED_JOBS:
                real = outcome(lambda m, ov: type(loader).load_sweep_config(loader, m, ov), job)
                assert isinstance(real, str) == composes, (job, real)  # the cases are right
                assert outcome(check, job) == real, job
                whole = outcome(lambda m, ov: type(loader).load_sweep_config(loader, m, ov), job,
                                values=False)
                assert outcome(check.compose, job, values=False) == whole, job
            # one template per distinct rest: 3 of hotline_small (fifo, pooled, the
            # default policy), one more with hydra.verbose, telecom10000's, the experiment's
            # (its output.progress deletion is a value: applied to a copy)
            assert len(check.templates) == 6
            # a sweep's processes share their templates (.compose/): a joblib worker reads
            # the launching process's instead of composing its own, and gets Hydra's configs
            writer = sweep_compose.PointCheck(loader, "token")
            reader = sweep_compose.PointCheck(_NotComposing(loader), "token")
            for job, composes in CHECKED_JOBS:
                if composes:
                    writer.compose(master, job)
                    whole = outcome(lambda m, ov: type(loader).load_sweep_config(loader, m, ov),
                                    job, values=False)
                    assert outcome(reader.compose, job, values=False) == whole, job
            assert len(list((tmp_path / ".compose").glob("*.pkl"))) == 6
    finally:
        GlobalHydra.instance().clear()


def test_the_launching_process_checks_points_without_composing_them(tmp_path, split):
    """Under joblib the sweeper's check (``sim.sweep_compose.check_batch``) composes no
    point in full: the workers compose them; the table is the basic launcher's. Under the
    basic launcher each point is composed once there (the check's, reused by the jobs)."""
    from sim.sweep_profile import CPU_FILE_ENV

    basic = sweep(tmp_path, "here", "n_reps=3", "scenario.load=0.9,1.1", "sweep.tasks=3",
                  env={CPU_FILE_ENV: str(tmp_path / "here.json")})
    assert basic.returncode == 0, basic.stderr[-2000:]
    timed = json.loads((tmp_path / "here.json").read_text())["timed"]
    # through TaskConfigs (a composition per point, copies for its other tasks: see
    # test_a_task_config_derived_...), in the sweeper's check and in each job: 2 x 6 calls
    assert "check" not in timed and len(timed["compose"]) == 12

    cpu = tmp_path / "cpu.json"
    proc = sweep(tmp_path, "checked", "n_reps=3", "scenario.load=0.9,1.1", "sweep.tasks=3",
                 "hydra/launcher=joblib", "hydra.launcher.n_jobs=2", env={CPU_FILE_ENV: str(cpu)})
    assert proc.returncode == 0, proc.stderr[-2000:]
    timed = json.loads(cpu.read_text())["timed"]
    assert len(timed["check"]) == 6 and "compose" not in timed  # 2 points x 3 tasks
    basic_tmp, _ = split
    pd.testing.assert_frame_equal(table(tmp_path, "checked"), table(basic_tmp, "split"))
