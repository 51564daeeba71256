"""``engine: fast`` reproduces ``engine: simpy`` call for call: every output file of a run
(calls.parquet, summary.json, intervals, groups, replications) is equal, on the shipped
non-hotline scenarios under every built-in policy; what it cannot run is refused in one
line (exit 2), never run on SimPy behind the user's back."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf
from simhelpers import POLICIES, TINY, make_policy

import sim.cli
from sim.config import build_model_spec
from sim.errors import ConfigError
from sim.fast.engine import resolve_engine
from sim.policies.base import Policy
from sim.runner import simulate

CCSIM = shutil.which("ccsim", path=str(Path(sys.executable).parent)) or "ccsim"
RUNS = [
    ["scenario=single_queue", "n_reps=2"],
    ["experiment=erlang_c", "n_reps=2", "scenario.horizon.intervals_per_day=12"],
    ["experiment=erlang_a", "n_reps=1"],
    ["experiment=cobham", "n_reps=1", "scenario.horizon.days=1"],
    # virtual_hold needs waiting announcements (refused without): its own run below
    *(["scenario=basic", f"policy={p}"] for p in POLICIES if p != "virtual_hold"),
    ["scenario=basic", "policy=overflow", "policy.params.idle_vip_take_general=true"],
    ["scenario=basic", "policy=reservation", "policy.params.reserve=1",
     "+scenario.lines=12", "+scenario.queues.vip.announce_s=[10,30]",
     "+scenario.queues.general.max_wait_s=90"],
    # a reserve beyond the VIP desk's headcount: capped at the agents on duty less one
    ["scenario=basic", "policy=reservation", "policy.params.reserve=99"],
    ["scenario=basic", "policy=virtual_hold", "+scenario.queues.general.announce_s=[15,30]",
     "+scenario.classes.vip.answer_delay=4", "scenario.arrivals.day_volume_cv=0.2",
     "scenario.horizon.days=2", "n_reps=2"],
]


def compose_cfg(overrides: list[str]) -> dict:
    with initialize_config_dir(config_dir=sim.cli.CONFIG_DIR, version_base="1.3"):
        cfg = compose("config", overrides=overrides)
    return OmegaConf.to_container(cfg, resolve=True)


def run_both(overrides: list[str], tmp_path: Path) -> tuple[Path, Path]:
    dirs = []
    for engine in ("simpy", "fast"):
        cfg = compose_cfg([*overrides, f"engine={engine}", "output.calls=true",
                           "output.progress=false"])
        out = tmp_path / engine
        simulate(cfg, out)
        dirs.append(out)
    return dirs[0], dirs[1]


@pytest.mark.parametrize("overrides", RUNS, ids=lambda o: " ".join(o))
def test_every_output_file_equals_simpy(overrides, tmp_path):
    slow, fast = run_both(overrides, tmp_path)
    names = sorted(p.name for p in slow.iterdir())
    assert names == sorted(p.name for p in fast.iterdir())
    assert "calls.parquet" in names and "intervals.parquet" in names
    a = json.loads((slow / "summary.json").read_text())
    b = json.loads((fast / "summary.json").read_text())
    assert (a.pop("engine"), b.pop("engine")) == ("simpy", "fast")
    assert a == b  # every KPI, CI and conservation count, floats bit-equal
    assert a["conservation"]["offered"] > 1000
    for name in names:
        if name in ("summary.json", "resolved_config.yaml"):
            continue
        assert (slow / name).read_bytes() == (fast / name).read_bytes(), name


def test_auto_picks_fast_where_supported_and_simpy_elsewhere():
    basic = build_model_spec(compose_cfg(["scenario=basic"])["scenario"])
    hotline = build_model_spec(compose_cfg(["scenario=hotline_small"])["scenario"])
    for name in POLICIES:
        assert resolve_engine("auto", basic, make_policy(name)) == "fast"
        assert resolve_engine("auto", hotline, make_policy(name)) == "simpy"
    assert resolve_engine("simpy", basic, make_policy("fifo")) == "simpy"


class MyPolicy(Policy):
    name = "mine"


def test_fast_with_a_python_policy_or_a_hotline_is_refused():
    basic = build_model_spec(TINY)
    with pytest.raises(ConfigError, match=r"engine: fast does not support the Python "
                                          r"policy .*MyPolicy"):
        resolve_engine("fast", basic, MyPolicy)
    assert resolve_engine("auto", basic, MyPolicy) == "simpy"
    with pytest.raises(ConfigError, match="engine: must be one of"):
        resolve_engine("numba", basic, make_policy("fifo"))


@pytest.mark.parametrize("args, needles", [
    (["scenario=hotline_small", "engine=fast"], ["engine", "fast does not support",
                                                 "hotline", "engine=simpy"]),
    (["scenario=basic", "engine=turbo"], ["engine", "'auto', 'simpy' or 'fast'", "turbo"]),
])
def test_cli_refuses_in_one_line_with_exit_2(args, needles, tmp_path):
    proc = subprocess.run([CCSIM, f"hydra.run.dir={tmp_path / 'run'}", "n_reps=1", *args],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    for needle in needles:
        assert needle in lines[0]
    assert not (tmp_path / "run" / "summary.json").exists()
