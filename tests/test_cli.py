"""The ``ccsim`` command: fast help, configs that compose and validate, the output contract
of a run, reproducibility, and ``python -m sim`` == ``ccsim``."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

import sim.cli
from sim.config import build_model_spec, build_run_spec

REPO = Path(__file__).resolve().parent.parent
CCSIM = shutil.which("ccsim", path=str(Path(sys.executable).parent)) or "ccsim"
EXPERIMENTS = sorted(p.stem for p in (REPO / "experiments").glob("*.yaml"))
HEAVY = ("numba", "plotly", "pyarrow", "scipy", "pandas")
TINY_RUN = ["experiment=erlang_c", "n_reps=2", "scenario.horizon.intervals_per_day=6"]
KPIS = ("offered", "answered", "abandoned", "answer_rate", "service_level", "asa_s", "aht_s",
        "occupancy")
CALL_COLUMNS = ("rep", "call_id", "class", "t_arrival", "t_queue", "t_answer", "t_end",
                "outcome", "group", "agent")


def run(cmd: list[str], out_dir: Path, *args: str) -> subprocess.CompletedProcess:
    proc = subprocess.run([*cmd, f"hydra.run.dir={out_dir}", *args], cwd=out_dir.parent,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    return proc


# --- help -----------------------------------------------------------------------------

def test_help_is_fast_and_imports_no_heavy_module():
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "sim", "--help"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "ccsim" in proc.stdout and "experiment" in proc.stdout
    # -X importtime: "import time: self | cumulative | package.module" on stderr
    imported = {line.rsplit("|", 1)[-1].strip().split(".")[0]
                for line in proc.stderr.splitlines() if line.startswith("import time:")}
    assert "hydra" in imported  # the timing really was recorded
    assert not imported & set(HEAVY), sorted(imported & set(HEAVY))


def test_help_into_a_closed_pipe_stops_quietly():
    """``ccsim --help | head -1``: the reader closes the pipe before the help is written;
    the command stops with no traceback (it printed one before)."""
    proc = subprocess.Popen([sys.executable, "-m", "sim", "--help"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 1
    assert err == ""


def test_a_run_into_a_closed_pipe_is_not_called_a_run_directory_error(tmp_path):
    """A broken pipe is an OSError, like an unwritable run directory: a run whose reader
    left (``ccsim ... | head -1``) stops with exit 1, not "hydra.run.dir: cannot write"."""
    proc = subprocess.Popen([sys.executable, "-m", "sim", "scenario=hotline_small", "n_reps=1",
                             f"hydra.run.dir={tmp_path}"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=300) == 1
    assert "hydra.run.dir" not in err and "Traceback" not in err


# --- configs compose and validate ------------------------------------------------------

def compose_cfg(*overrides: str):
    with initialize_config_dir(config_dir=sim.cli.CONFIG_DIR, version_base="1.3"):
        cfg = compose("config", overrides=list(overrides))
    return OmegaConf.to_container(cfg, resolve=True)


def test_config_dir_is_the_repository_configs():
    assert Path(sim.cli.CONFIG_DIR) == REPO / "configs"
    # experiment=NAME finds every study: configs/experiment is experiments/ itself
    assert (REPO / "configs" / "experiment").resolve() == (REPO / "experiments").resolve()


def test_default_config_composes_and_validates():
    cfg = compose_cfg()
    spec = build_model_spec(cfg["scenario"])
    run_spec = build_run_spec(cfg)
    assert spec.name == "telecom10000" and spec.n_intervals == 48 and spec.has_tiers
    assert run_spec.n_reps >= 1 and 0 < run_spec.confidence < 1


def test_there_are_experiments():
    assert {"erlang_c", "erlang_a", "cobham"} <= set(EXPERIMENTS)


@pytest.mark.parametrize("name", EXPERIMENTS)
def test_experiment_composes_and_validates(name):
    cfg = compose_cfg(f"experiment={name}")
    spec = build_model_spec(cfg["scenario"])
    build_run_spec(cfg)
    # the experiment really was applied: it names its scenario or its sweep
    assert name in (spec.name, cfg["sweep"]["name"])
    if spec.name == name:  # a model of its own (not a study of the reference scenario)
        assert cfg["params"], f"experiment {name} documents no params.* keys"


def _nudged(value):
    """A different, still valid value for a documented parameter."""
    if value is None:
        return 100
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, float):
        return value * 0.9 if value else 0.1
    if isinstance(value, list) and all(isinstance(v, (int, float)) for v in value):
        return [_nudged(v) for v in value]
    pytest.skip(f"no generic change for a parameter like {value!r}")


def _param_cases():
    cases = []
    for name in EXPERIMENTS:
        params = OmegaConf.load(REPO / "experiments" / f"{name}.yaml").get("params") or {}
        for key in params:
            cases.append(pytest.param(name, key, id=f"{name}-{key}"))
    return cases


@pytest.mark.parametrize(("name", "key"), _param_cases())
def test_documented_param_changes_the_model(name, key):
    base_cfg = compose_cfg(f"experiment={name}")
    new = _nudged(base_cfg["params"][key])
    value = json.dumps(new) if isinstance(new, list) else str(new)
    cfg = compose_cfg(f"experiment={name}", f"params.{key}={value}")
    assert cfg["params"][key] == new
    assert build_model_spec(cfg["scenario"]) != build_model_spec(base_cfg["scenario"])


def test_params_agents_sets_the_staffing():
    base = build_model_spec(compose_cfg("experiment=erlang_c")["scenario"])
    spec = build_model_spec(compose_cfg("experiment=erlang_c", "params.agents=15")["scenario"])
    assert set(base.groups[0].staffing) == {14}
    assert spec.groups[0].staffing == (15,) * spec.n_intervals


# --- a run: output contract, reproducibility, entry points -----------------------------

@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Tiny runs: a and b same seed (b via python -m sim), c another seed, d no calls file."""
    root = tmp_path_factory.mktemp("runs")
    dirs = {k: root / k for k in "abcd"}
    ccsim, pym = [CCSIM], [sys.executable, "-m", "sim"]
    procs = {
        "a": run(ccsim, dirs["a"], *TINY_RUN, "seed=7", "output.calls=true"),
        "b": run(pym, dirs["b"], *TINY_RUN, "seed=7", "output.calls=true"),
        "c": run(ccsim, dirs["c"], *TINY_RUN, "seed=8", "output.calls=true"),
        "d": run(ccsim, dirs["d"], *TINY_RUN, "seed=7", "output.calls=false"),
    }
    return dirs, procs


def summary(run_dir: Path) -> dict:
    return json.loads((run_dir / "summary.json").read_text())


def test_run_writes_the_output_files(runs):
    dirs, procs = runs
    a = dirs["a"]
    for name in ("summary.json", "calls.parquet", "intervals.parquet", "intervals.csv",
                 "groups_intervals.parquet", "groups_intervals.csv", "queues_intervals.parquet",
                 "queues_intervals.csv", "resolved_config.yaml"):
        assert (a / name).is_file(), name
    assert str(a) in procs["a"].stdout  # tells where the outputs went


def test_summary_json_contract(runs):
    s = summary(runs[0]["a"])
    assert {"overall", "by_class", "by_group", "conservation"} <= set(s)
    for kpi in KPIS:
        assert {"mean", "half_width"} <= set(s["overall"][kpi]), kpi
        assert isinstance(s["overall"][kpi]["mean"], (int, float)), kpi
    assert set(s["by_class"]) == {"calls"} and set(s["by_group"]) == {"agents"}
    assert s["n_reps"] == 2 and s["seed"] == 7
    assert s["conservation"]["offered"] > 0


def test_calls_parquet_has_one_row_per_call_attempt(runs):
    a = runs[0]["a"]
    calls = pd.read_parquet(a / "calls.parquet")
    assert set(CALL_COLUMNS) <= set(calls.columns)
    assert len(calls) == summary(a)["conservation"]["offered"]
    assert sorted(calls["rep"].unique()) == [0, 1]
    assert not calls.duplicated(["rep", "call_id"]).any()
    assert set(calls["class"].astype(str)) == {"calls"}


def test_resolved_config_is_the_run_config(runs):
    resolved = OmegaConf.load(runs[0]["a"] / "resolved_config.yaml")
    assert resolved.seed == 7 and resolved.n_reps == 2
    assert resolved.scenario.name == "erlang_c"
    assert resolved.scenario.horizon.intervals_per_day == 6
    assert "hydra" not in resolved


def test_no_calls_file_same_kpis(runs):
    dirs, _ = runs
    assert not (dirs["d"] / "calls.parquet").exists()
    assert (dirs["d"] / "summary.json").is_file()
    a, d = summary(dirs["a"]), summary(dirs["d"])
    for scope in ("overall", "by_class", "by_group", "conservation"):
        assert a[scope] == d[scope], scope


def test_same_seed_is_reproducible_across_entry_points(runs):
    """Run a (ccsim) and run b (python -m sim), same config and seed, two dirs."""
    dirs, _ = runs
    a, b = dirs["a"], dirs["b"]
    assert (a / "summary.json").read_bytes() == (b / "summary.json").read_bytes()
    assert (a / "intervals.csv").read_bytes() == (b / "intervals.csv").read_bytes()
    assert (a / "groups_intervals.csv").read_bytes() == (b / "groups_intervals.csv").read_bytes()
    assert pd.read_parquet(a / "calls.parquet").equals(pd.read_parquet(b / "calls.parquet"))


def test_other_seed_gives_other_results(runs):
    dirs, _ = runs
    a, c = dirs["a"], dirs["c"]
    assert summary(a)["overall"] != summary(c)["overall"]
    assert not pd.read_parquet(a / "calls.parquet").equals(pd.read_parquet(c / "calls.parquet"))


def test_python_m_sim_and_ccsim_report_errors_alike(tmp_path):
    out = []
    for cmd in ([CCSIM], [sys.executable, "-m", "sim"]):
        proc = subprocess.run([*cmd, f"hydra.run.dir={tmp_path}", "experiment=nope"],
                              cwd=tmp_path, capture_output=True, text=True, timeout=60)
        out.append((proc.returncode, proc.stderr))
    assert out[0] == out[1]
    assert out[0][0] == 2 and "experiment" in out[0][1]


def test_help_fits_one_screen_and_lists_every_subcommand(capsys, monkeypatch):
    """Issue 17 point 15: ``ccsim --help`` was Hydra's 993-line config dump."""
    monkeypatch.setitem(sim.cli.SUBCOMMANDS, "frobnicate", ("sim.report", "main"))
    with pytest.raises(SystemExit) as exc:
        sim.cli.main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert len(lines) <= 40 and max(len(ln) for ln in lines) <= 100
    for name in sim.cli.SUBCOMMANDS:  # new subcommands appear without editing the help
        assert f"ccsim {name}" in out
    assert "rewrite the report" in out  # each with its docstring's summary
    for group in ("scenario", "policy", "experiment"):
        assert group in out
    assert "telecom10000" in out and "erlang_c" in out and "--cfg job" in out
