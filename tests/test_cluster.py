"""Sweeps on real cluster launchers (extra ``cluster``): a local Ray cluster started for
the test and submitit's local executor give the basic launcher's sweep.parquet exactly;
an unreachable cluster is refused before any work starts."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

BIN = Path(sys.executable).parent
CCSIM = str(BIN / "ccsim")
RAY = BIN / "ray"
BASE = ["scenario=hotline_small", "output.calls=false", "output.report=false", "n_reps=2",
        "scenario.load=0.9,1.1"]


def _missing(module: str) -> bool:
    return importlib.util.find_spec(module) is None


needs_ray = pytest.mark.skipif(
    _missing("hydra_plugins.hydra_ray_launcher") or not RAY.exists(),
    reason="the cluster extra is not installed (pip install -e '.[cluster]': "
           "hydra-ray-launcher and ray)")
needs_submitit = pytest.mark.skipif(
    _missing("hydra_plugins.hydra_submitit_launcher"),
    reason="the cluster extra is not installed (pip install -e '.[cluster]': "
           "hydra-submitit-launcher)")


def sweep(tmp: Path, name: str, *args: str,
          env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([CCSIM, "-m", *BASE, f"hydra.sweep.dir={tmp / name}", *args],
                          cwd=tmp, capture_output=True, text=True, timeout=600, env=env)


def table(tmp: Path, name: str) -> pd.DataFrame:
    return pd.read_parquet(tmp / name / "sweep.parquet")


@pytest.fixture(scope="module")
def basic(tmp_path_factory):
    """The reference: the same sweep on Hydra's basic launcher."""
    tmp = tmp_path_factory.mktemp("basic")
    proc = sweep(tmp, "basic")
    assert proc.returncode == 0, proc.stderr
    return table(tmp, "basic")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def ray_cluster(tmp_path_factory):
    """A Ray head on this machine (2 CPUs), started for these tests and stopped after
    them, even when they fail: ``ray start --block`` in its own process group, ended by
    its id (``ray stop`` would end every Ray on the machine).

    It runs with token authentication and its own token file, as a shared cluster
    should: whether a ``~/.ray/auth_token`` exists (a private ``ray.init()`` writes one)
    must not decide the test. Yields the address and the environment a client needs."""
    tmp = tmp_path_factory.mktemp("ray")
    port = _free_port()
    token = tmp / "auth_token"
    token.write_text(secrets.token_hex(32))
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0", "RAY_AUTH_MODE": "token",
           "RAY_AUTH_TOKEN_PATH": str(token)}
    env.pop("RAY_AUTH_TOKEN", None)
    log = (tmp / "ray.log").open("w")
    head = subprocess.Popen(
        [str(RAY), "start", "--head", "--block", "--num-cpus=2", f"--port={port}",
         "--node-ip-address=127.0.0.1", "--include-dashboard=false", "--disable-usage-stats"],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=env)
    try:
        address = f"127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if head.poll() is not None:
                pytest.fail(f"ray start exited: {(tmp / 'ray.log').read_text()[-2000:]}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(1)
        else:
            pytest.fail("the Ray head did not come up in 120 s")
        time.sleep(3)  # the raylet registers after the GCS answers
        yield address, env
    finally:
        _stop(head)
        log.close()
        # ray start writes the head's address down for `auto`; once the head is gone the
        # note is stale and a later private `ray.init()` would try to join it
        note = Path("/tmp/ray/ray_current_cluster")
        with contextlib.suppress(OSError):
            if note.read_text().strip().endswith(f":{port}"):
                note.unlink()


def _stop(proc: subprocess.Popen) -> None:
    for sig, wait in ((signal.SIGTERM, 30), (signal.SIGKILL, 10)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(wait)
            time.sleep(1)  # children leave after the head
        except subprocess.TimeoutExpired:
            continue
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)  # whatever of this group is left


@needs_ray
def test_a_sweep_on_a_ray_cluster_equals_the_basic_launchers(tmp_path, basic, ray_cluster):
    address, env = ray_cluster
    proc = sweep(tmp_path, "ray", "hydra/launcher=ray",
                 f"+hydra.launcher.ray.init.address={address}", env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    pd.testing.assert_frame_equal(table(tmp_path, "ray"), basic)
    # fine units: each point's 2 replications ran as 2 tasks on the cluster's workers
    tasks = list((tmp_path / "ray").glob("*/tasks/task_*.json"))
    assert len(tasks) == 4


@needs_submitit
def test_a_submitit_local_sweep_equals_the_basic_launchers(tmp_path, basic):
    proc = sweep(tmp_path, "submitit", "hydra/launcher=submitit_local",
                 "hydra.launcher.timeout_min=10")
    assert proc.returncode == 0, proc.stderr[-3000:]
    pd.testing.assert_frame_equal(table(tmp_path, "submitit"), basic)


def _local_cluster_answers() -> bool:
    """Whether ``ray start --head`` on this machine left an address that answers."""
    try:
        host, _, port = Path("/tmp/ray/ray_current_cluster").read_text().split()[0].rpartition(":")
        socket.create_connection((host, int(port)), timeout=2).close()
    except (OSError, ValueError, IndexError):
        return False
    return True


@needs_ray
@pytest.mark.parametrize("address", ["127.0.0.1:1", "auto", "no-port"])
def test_an_unreachable_ray_cluster_is_refused_before_any_work(tmp_path, address):
    if address == "auto" and _local_cluster_answers():
        pytest.skip("a Ray cluster runs on this machine: auto finds it")
    proc = sweep(tmp_path, "nowhere", "hydra/launcher=ray",
                 f"+hydra.launcher.ray.init.address={address}")
    assert proc.returncode == 2, proc.stderr[-2000:]
    line = proc.stderr.strip()
    assert line.count("\n") == 0 and line.startswith("ccsim: error: hydra.launcher.ray.init."
                                                      "address:"), line
    assert not list(tmp_path.glob("nowhere/*/reps"))  # nothing ran


FAKE_SLURM = Path(__file__).parent / "fake_slurm"


def slurm_sweep(tmp: Path, name: str, *args: str, **env: str) -> subprocess.CompletedProcess:
    """The README's SLURM example, on a stand-in for sbatch/srun/sacct (tests/fake_slurm):
    submitit's real SLURM code path, job arrays run as local processes."""
    environ = {**os.environ, "PATH": f"{FAKE_SLURM}{os.pathsep}{os.environ['PATH']}",
               "FAKE_SLURM_SPOOL": str(tmp / "spool"), "FAKE_SLURM_PYTHON": sys.executable,
               **env}
    return subprocess.run([CCSIM, "-m", *BASE, f"hydra.sweep.dir={tmp / name}",
                           "hydra/launcher=submitit_slurm", "hydra.launcher.partition=compute",
                           "hydra.launcher.timeout_min=60", "hydra.launcher.mem_gb=4",
                           "hydra.launcher.cpus_per_task=1",
                           "hydra.launcher.array_parallelism=2", *args],
                          cwd=tmp, capture_output=True, text=True, timeout=900, env=environ)


@needs_submitit
def test_the_readme_slurm_example_submits_its_keys_and_equals_the_basic_launcher(tmp_path,
                                                                                 basic):
    proc = slurm_sweep(tmp_path, "slurm")
    assert proc.returncode == 0, proc.stderr[-3000:]
    pd.testing.assert_frame_equal(table(tmp_path, "slurm"), basic)
    (script,) = (tmp_path / "spool").glob("*.sbatch")
    text = script.read_text()
    for line in ("--partition=compute", "--time=60", "--mem=4GB", "--cpus-per-task=1",
                 "--array=0-3%2"):  # 2 points x 2 replications = 4 tasks, 2 at once
        assert f"#SBATCH {line}\n" in text


def _final_states(spool: Path, timeout_s: float = 30.0) -> set[str]:
    """The fake scheduler's task states once it has recorded every task's end: it polls
    its tasks every 0.2 s, so a task's COMPLETED may land just after submitit, reading
    the task's own result file, has already returned (seen once in CI: RUNNING)."""
    import time

    deadline = time.monotonic() + timeout_s
    while True:
        states = {f.read_text() for f in spool.glob("*.state")}
        if not states & {"PENDING", "RUNNING"} or time.monotonic() > deadline:
            return states
        time.sleep(0.2)


@needs_submitit
def test_a_failed_slurm_job_shown_completed_is_still_a_failed_point(tmp_path):
    """SLURM may show a failed submitit job as COMPLETED: ccsim trusts its own records."""
    proc = slurm_sweep(tmp_path, "lies", "scenario.groups.vip_desk.staffing=4,-1",
                       FAKE_SLURM_ALWAYS_COMPLETED="1")
    states = _final_states(tmp_path / "spool")
    assert states == {"COMPLETED"}  # the scheduler says every job is fine
    assert proc.returncode == 1, proc.stderr[-3000:]
    points = {p.parent.name: json.loads(p.read_text())["status"]
              for p in (tmp_path / "lies").glob("*/point.json")}
    assert sorted(points.values()) == ["failed", "failed", "ok", "ok"], points
    assert all(status == "failed" for name, status in points.items() if "=-1" in name)
