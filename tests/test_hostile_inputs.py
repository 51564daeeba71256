"""Hostile inputs (issue 13): each case that once gave a traceback, a hang or a nonsense
result now gives exit code 2 and exactly one stderr line naming the key and what is
allowed (or the documented behaviour: Ctrl-C exits 130 with one line)."""

from __future__ import annotations

import contextlib
import gzip
import io
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sim.calibrate import SHIPPED_LOG
from sim.cli import main

CCSIM = shutil.which("ccsim", path=str(Path(sys.executable).parent)) or "ccsim"
QUIET = ["output.calls=false", "output.report=false", "output.intervals=false",
         "output.progress=false"]
LAUGHS = "a: &a [" + ", ".join(["lol"] * 9) + "]\n" + "".join(
    f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi",
                                                                  strict=True))


def run_main(args: list[str], tmp_path: Path, monkeypatch) -> tuple[int, str]:
    """``ccsim ARGS`` in this process: (exit code, stderr)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HYDRA_FULL_ERROR", "1")
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            main(args)
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
    return code, err.getvalue()


def assert_one_line(code: int, err: str, *needles: str, want: int = 2) -> None:
    assert "Traceback" not in err, err
    assert code == want, (code, err)
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].strip(), f"want exactly one line:\n{err}"
    for needle in needles:
        assert needle in err, f"{needle!r} not in {err!r}"


BASIC = ["scenario=basic", *QUIET]
HOTLINE = ["scenario=hotline_small", *QUIET]
# (id, overrides, needles: the key first, then what is allowed)
RUN_CASES = [
    # tracebacks
    ("policy-null", [*BASIC, "policy=null"], ["policy", "allowed", "fifo"]),
    ("policy-package-empty", [*BASIC, "policy_packages=[\"\"]", "policy.class=.fifo"],
     ["policy_packages[0]", "dotted Python name"]),
    ("run-dir-is-a-file", [*BASIC, "hydra.run.dir=/dev/null"],
     ["hydra.run.dir", "/dev/null", "allowed"]),
    ("load-overflows", [*BASIC, "scenario.load=1e308"], ["scenario.load", "<= 1000"]),
    ("calls-per-interval-huge", [*BASIC, "scenario.arrivals.calls_per_interval=1e12"],
     ["scenario.arrivals.calls_per_interval", "<= 1e+06"]),
    ("load-times-volume", [*BASIC, "scenario.load=1000",
                           "scenario.arrivals.calls_per_interval=5000"],
     ["scenario.arrivals.calls_per_interval", "(x load)", "<= 1e+06"]),
    ("horizon-days-huge", [*BASIC, "scenario.horizon.days=100000"],
     ["scenario.horizon.days", "<= 366"]),
    ("gamma-moments-overflow",
     [*BASIC, "scenario.classes.vip.handle_time={dist:gamma,mean:1e-300,sd:1e300}"],
     ["scenario.classes.vip.handle_time", "<= 1e+09"]),
    ("gamma-tiny-mean", [*BASIC, "scenario.classes.vip.handle_time={dist:gamma,mean:1e-300,"
                                 "sd:1}"],
     ["scenario.classes.vip.handle_time.mean", ">= 1e-06"]),
    ("lognormal-sd-huge", [*BASIC, "scenario.classes.vip.handle_time={dist:lognormal,mean:1,"
                                   "sd:1e200}"],
     ["scenario.classes.vip.handle_time", "<= 1e+09"]),
    ("lognormal-cv-huge", [*BASIC, "scenario.classes.vip.handle_time={dist:lognormal,"
                                   "mean:0.001,sd:1e5}"],
     ["scenario.classes.vip.handle_time.sd", "<= 1000 x mean"]),
    ("ivr-time-null", [*BASIC, "+scenario.classes.vip.ivr_time=null"],
     ["scenario.classes.vip.ivr_time", "finite time"]),
    ("processing-time-null", [*HOTLINE, "scenario.second_line.pools.repair.processing_time=null"],
     ["scenario.second_line.pools.repair.processing_time", "finite time"]),
    # hangs
    ("staffing-billion", [*BASIC, "scenario.groups.general_desk.staffing=1000000000"],
     ["scenario.groups.general_desk.staffing", "<= 100000"]),
    # nonsense accepted
    ("callback-handle-time-null", [*HOTLINE, "scenario.second_line.callback.handle_time=null"],
     ["scenario.second_line.callback.handle_time", "finite time"]),
    ("campaign-handle-time-null",
     [*HOTLINE, "scenario.outbound.campaigns.care.handle_time=null"],
     ["scenario.outbound.campaigns.care.handle_time", "finite time"]),
    ("outage-enabled-string", [*HOTLINE, "scenario.outage.enabled='false'"],
     ["scenario.outage.enabled", "true or false", "'false'"]),
    ("green-channel-string", [*HOTLINE, "scenario.second_line.pools.repair.green_channel='no'"],
     ["scenario.second_line.pools.repair.green_channel", "true or false"]),
    ("idle-vip-string", [*BASIC, "policy=overflow", "policy.params.idle_vip_take_general=maybe"],
     ["policy.params.idle_vip_take_general", "true or false", "maybe"]),
    ("reservation-unknown-queue", [*BASIC, "policy=reservation", "policy.params.vip_queue=nope"],
     ["policy.params.vip_queue", "nope", "allowed: vip, general"]),
    ("overflow-unknown-queue", [*BASIC, "policy=overflow", "policy.params.vip_queue=nope"],
     ["policy.params.vip_queue", "allowed: vip, general"]),
    ("virtual-hold-no-such-announcement",
     [*HOTLINE, "policy=virtual_hold", "policy.params.at_announcements=[5]"],
     ["policy.params.at_announcements", "5", "allowed: 1..2"]),
    ("seed-wraps", [*BASIC, "seed=18446744073709551616"],
     ["seed", "<= 18446744073709551615"]),
    ("interval-tiny", [*BASIC, "scenario.horizon.interval_s=1e-9"],
     ["scenario.horizon.interval_s", ">= 1", "<= 86400"]),
    ("interval-huge", [*BASIC, "scenario.horizon.interval_s=1e300"],
     ["scenario.horizon.interval_s", "<= 86400"]),
    ("tiers-empty-mapping", [*HOTLINE, "scenario.tiers={}"],
     ["scenario.tiers", "removes nothing", "scenario.tiers.NAME=null"]),
    ("classes-empty-mapping", [*BASIC, "scenario.classes={}"],
     ["scenario.classes", "removes nothing"]),
    ("ivr-nodes-empty-mapping", [*HOTLINE, "scenario.ivr.nodes={}"],
     ["scenario.ivr.nodes", "removes nothing"]),
    # messages
    ("policy-param-wrong-type", [*BASIC, "policy=overflow", "policy.params.delay_s=abc"],
     ["policy.params.delay_s", "must be a number", "'abc'"]),
    ("policy-param-not-integer", [*BASIC, "policy=reservation", "policy.params.reserve=abc"],
     ["policy.params.reserve", "must be an integer", "'abc'"]),
    ("policy-param-unknown", [*BASIC, "policy=fifo", "+policy.params.nope=1"],
     ["policy.params.nope", "unknown key"]),
    ("callback-target-blocked", [*BASIC, "+hydra.callbacks.x._target_=os.system"],
     ["hydra.callbacks.x._target_", "'os.system' is not allowed", "sim.sweep.CollectSweep"]),
    # safety
    ("scenario-name-escapes", [*BASIC, "scenario.name=../../x"],
     ["scenario.name", "plain name", "'../../x'"]),
    ("policy-class-not-dotted", [*BASIC, "policy.class=sim.policies.fifo..Fifo"],
     ["policy.class", "import path"]),
]


@pytest.mark.parametrize("args,needles", [c[1:] for c in RUN_CASES],
                         ids=[c[0] for c in RUN_CASES])
def test_bad_run_input_is_one_line(args, needles, tmp_path, monkeypatch):
    code, err = run_main([f"hydra.run.dir={tmp_path / 'run'}", *args], tmp_path, monkeypatch)
    assert_one_line(code, err, *needles)
    assert not (tmp_path / "run" / "summary.json").exists()


def test_scenario_name_cannot_leave_the_output_folder(tmp_path, monkeypatch):
    """With the default run directory (outputs/${scenario.name}/...), nothing is created
    outside the working directory."""
    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    code, err = run_main([*BASIC, "scenario.name=../../x"], work, monkeypatch)
    assert_one_line(code, err, "scenario.name")
    assert not (tmp_path / "x").exists() and not (work / "outputs").exists()


def test_billion_laughs_scenario_file_fails_fast(tmp_path, monkeypatch):
    (tmp_path / "scenario").mkdir()
    (tmp_path / "scenario" / "laughs.yaml").write_text(LAUGHS)
    assert len(LAUGHS) < 400
    t0 = time.perf_counter()
    code, err = run_main(["--config-dir", str(tmp_path), "scenario=laughs",
                          f"hydra.run.dir={tmp_path / 'run'}"], tmp_path, monkeypatch)
    assert time.perf_counter() - t0 < 30
    assert_one_line(code, err, "laughs.yaml", "aliases expand to more than")


@pytest.mark.parametrize("factory,target", [("()", "builtins.open"), ("()", "os.system"),
                                            ("class", "builtins.open")])
def test_experiment_file_cannot_run_code_through_logging(factory, target, tmp_path,
                                                         monkeypatch):
    """Python's logging config calls what ``()``/``class`` name with the other keys as
    arguments: an experiment file truncated a file through ``builtins.open`` this way
    (issue 13). Refused in one line before anything runs; the file keeps its content."""
    victim = tmp_path / "victim.txt"
    victim.write_text("keep")
    (tmp_path / "cd" / "experiment").mkdir(parents=True)
    (tmp_path / "cd" / "experiment" / "evil.yaml").write_text(
        "# @package _global_\nhydra:\n  job_logging:\n    handlers:\n      evil:\n"
        f"        '{factory}': {target}\n        file: {victim}\n        mode: w\n"
        "    root:\n      handlers: [evil]\n")
    code, err = run_main(["--config-dir", str(tmp_path / "cd"), "experiment=evil", *BASIC,
                          f"hydra.run.dir={tmp_path / 'run'}"], tmp_path, monkeypatch)
    assert_one_line(code, err, f"hydra.job_logging.handlers.evil.{factory}", repr(target),
                    "allowed: a class of logging.")
    assert victim.read_text() == "keep" and not (tmp_path / "run").exists()


def test_bad_logging_config_is_one_line(tmp_path, monkeypatch):
    code, err = run_main([*BASIC, "hydra.job_logging.handlers.file.class=logging.Nope",
                          f"hydra.run.dir={tmp_path / 'run'}"], tmp_path, monkeypatch)
    assert_one_line(code, err, "hydra.job_logging", "logging.Nope", "allowed")


def test_env_values_are_not_copied_into_outputs(tmp_path, monkeypatch):
    monkeypatch.setenv("CCSIM_SECRET_DESC", "token-4711")
    code, err = run_main(["experiment=erlang_c", "scenario.horizon.intervals_per_day=4",
                          *QUIET, "+scenario.description=${oc.env:CCSIM_SECRET_DESC}",
                          f"hydra.run.dir={tmp_path / 'run'}"], tmp_path, monkeypatch)
    assert code == 0, err
    written = (tmp_path / "run" / "resolved_config.yaml").read_text()
    assert "token-4711" not in written and "<from the environment>" in written
    assert "token-4711" not in (tmp_path / "run" / "summary.json").read_text()


def test_ctrl_c_ends_with_one_line_and_exit_130(tmp_path):
    proc = subprocess.Popen(
        [CCSIM, f"hydra.run.dir={tmp_path / 'run'}", "output.progress=false", "n_reps=50"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    time.sleep(6)  # inside the run (start-up is 2-3 s on a quiet machine)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert_one_line(proc.returncode, err, "interrupted", want=130)


# ---- ccsim calibrate / check / report ----

@pytest.fixture(scope="module")
def truncated_gz(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("logs") / "truncated.txt.gz"
    path.write_bytes(SHIPPED_LOG.read_bytes()[:5000])
    return path


@pytest.fixture(scope="module")
def corrupt_gz(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("logs") / "corrupt.txt.gz"
    data = bytearray(gzip.compress(b"x" * 10000))
    data[20:40] = bytes(20)
    path.write_bytes(bytes(data))
    return path


def _generic_log(path: Path, wait: str = "40", call2: str = "c2", service: str = "120"
                 ) -> Path:
    rows = ["call_id,date,priority,type,arrival,ivr_s,queued,wait_s,outcome,answer,"
            "service_s,server",
            f"c1,2024-03-04,1,billing,09:00:00,5,1,{wait},served,,{service},ann",
            f"{call2},2024-03-04,1,billing,09:01:00,5,1,75,abandoned,,,"]
    path.write_text("\n".join(rows) + "\n")
    return path


def test_calibrate_truncated_gz(truncated_gz, tmp_path, monkeypatch):
    code, err = run_main(["calibrate", str(truncated_gz), "--out", str(tmp_path / "s.yaml")],
                         tmp_path, monkeypatch)
    assert_one_line(code, err, "truncated.txt.gz", "cannot read", "allowed")


def test_calibrate_corrupt_gz(corrupt_gz, tmp_path, monkeypatch):
    code, err = run_main(["calibrate", str(corrupt_gz), "--out", str(tmp_path / "s.yaml")],
                         tmp_path, monkeypatch)
    assert_one_line(code, err, "corrupt.txt.gz", "cannot read", "allowed")


@pytest.mark.parametrize("option,value,needles", [
    ("--interval-s", "0", ["--interval-s 0", "divisor of 86400"]),
    ("--interval-s", "-1800", ["--interval-s -1800", "divisor of 86400"]),
    ("--hidden-fill", "nan", ["--hidden-fill nan", "finite number >= 0"]),
    ("--hidden-fill", "inf", ["--hidden-fill inf", "finite number >= 0"]),
    ("--name", "../../x", ["--name", "plain name"]),
    ("--out", "/proc/nope/s.yaml", ["--out", "cannot write"]),
])
def test_calibrate_bad_option_fails_before_reading(option, value, needles, tmp_path,
                                                   monkeypatch):
    t0 = time.perf_counter()
    args = ["calibrate", str(SHIPPED_LOG), option, value]
    if option != "--out":
        args += ["--out", str(tmp_path / "s.yaml")]
    code, err = run_main(args, tmp_path, monkeypatch)
    assert_one_line(code, err, *needles)
    assert time.perf_counter() - t0 < 20  # before the calibration, not after it


def test_generic_log_huge_wait_and_duplicate_ids_are_dropped_and_counted(tmp_path):
    from sim.calibrate.schema import read_log

    df, dq = read_log(_generic_log(tmp_path / "huge.csv", wait="1e300"), "generic")
    assert dq.dropped == {"malformed": 1} and dq.kept == 1 and dq.conserved
    df, dq = read_log(_generic_log(tmp_path / "inf.csv", wait="inf"), "generic")
    assert dq.dropped == {"malformed": 1}
    df, dq = read_log(_generic_log(tmp_path / "dup.csv", call2="c1"), "generic")
    assert dq.dropped == {"duplicate_call_id": 1} and list(df["call_id"]) == ["c1"]


@pytest.mark.parametrize("service", ["inf", "1e300", "-5"])
def test_generic_log_impossible_service_time_is_not_kept(service, tmp_path):
    """Issue 13: ``service_s=inf`` was kept without a flag; an infinite, absurd or negative
    service time is dropped (counted) or flagged, never silently used."""
    import math

    from sim.calibrate.schema import read_log

    df, dq = read_log(_generic_log(tmp_path / "s.csv", service=service), "generic")
    assert dq.conserved
    assert dq.dropped or dq.flagged, (dq.dropped, dq.flagged)
    kept = df.loc[df["call_id"] == "c1"]
    if len(kept) and "service_s" in kept:
        v = float(kept["service_s"].iloc[0])
        assert not (math.isfinite(v) and v > 0 and v == float(service))


def test_bank_log_negative_times_are_flagged(tmp_path):
    from sim.calibrate.schema import read_log

    with gzip.open(SHIPPED_LOG, "rt") as f:
        lines = [next(f) for _ in range(40)]
    rows = [ln.rstrip("\n").split("\t") for ln in lines[1:]]
    served = next(r for r in rows if r[12] == "AGENT")
    hang = next(r for r in rows if r[12] == "HANG" and r[9] != "0:00:00")
    served[15], hang[11] = "-3", "-5"  # ser_time, q_time
    log = tmp_path / "bank.txt"
    log.write_text("".join([lines[0], *("\t".join(r) + "\n" for r in (served, hang))]))
    _, dq = read_log(log, "anonymous_bank")
    assert dq.flagged.get("negative_wait_time", 0) > 0
    assert dq.flagged.get("negative_service_time", 0) > 0


def test_check_sla_binary_file(tmp_path, monkeypatch):
    sla = tmp_path / "sla.yaml"
    sla.write_bytes(bytes(range(256)) * 4)
    code, err = run_main(["check", "--sla", str(sla)], tmp_path, monkeypatch)
    assert_one_line(code, err, "sla.yaml", "not a text file")


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("run") / "run"
    proc = subprocess.run([CCSIM, "experiment=erlang_c", "scenario.horizon.intervals_per_day=4",
                           "output.report=false", f"hydra.run.dir={out}"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return out


def test_report_on_truncated_parquet(run_dir, tmp_path, monkeypatch):
    bad = tmp_path / "run"
    shutil.copytree(run_dir, bad)
    data = (bad / "intervals.parquet").read_bytes()
    (bad / "intervals.parquet").write_bytes(data[: len(data) // 2])
    code, err = run_main(["report", str(bad)], tmp_path, monkeypatch)
    assert_one_line(code, err, "intervals.parquet", "cannot be read")


def test_report_on_empty_summary(tmp_path, monkeypatch):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "summary.json").write_text("{}")
    code, err = run_main(["report", str(tmp_path / "run")], tmp_path, monkeypatch)
    assert_one_line(code, err, "summary.json", "not a ccsim run summary")


def test_policy_module_in_the_working_directory_is_not_imported(tmp_path, monkeypatch):
    """Under ``python -m sim`` the working directory is on sys.path: a file there must
    not become code, even in an allow-listed package name."""
    (tmp_path / "evil_pkg.py").write_text(
        "import pathlib; pathlib.Path('PWNED').write_text('x')\n")
    proc = subprocess.run([sys.executable, "-m", "sim", "scenario=basic", *QUIET,
                           "policy_packages=[evil_pkg]", "policy.class=evil_pkg.Lifo",
                           f"hydra.run.dir={tmp_path / 'run'}"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])})
    assert_one_line(proc.returncode, proc.stderr, "policy.class", "installed package")
    assert not (tmp_path / "PWNED").exists()


def test_keys_reference_is_generated_from_the_schema(capsys):
    """Every run key, every policy parameter and every documented limit is listed."""
    from sim.runner import available_policies
    from sim.schema import limits
    from sim.schema.run import RunConfig

    with pytest.raises(SystemExit) as done:
        main(["keys"])
    assert done.value.code == 0
    text = capsys.readouterr().out
    for name in RunConfig.model_fields:
        assert f"\n  {name}" in text, name
    assert "policy.params.vip_queue: str; default 'vip'" in text
    assert "policy.params.reserve: int; default 2; >= 0, <= 100000" in text
    for key, lim, _ in limits.TABLE:
        assert f"{key}: {lim}" in text
    for path in available_policies():
        assert path in text


def _point(d: Path, summary: str, config: str = "n_jobs: 1\nseed: 1\n") -> Path:
    import json

    d.mkdir(parents=True)
    (d / "point.json").write_text(json.dumps({"overrides": [f"seed={d.name}"],
                                              "status": "ok", "error": None}))
    (d / "summary.json").write_text(summary)
    (d / "resolved_config.yaml").write_text(config)
    return d


def test_sweep_point_with_corrupt_summary_is_recomputed_and_collected_as_failed(tmp_path):
    from sim.sweep import collect, point_done

    bad = _point(tmp_path / "1", "{not json")
    assert not point_done(bad, "n_jobs: 1\nseed: 1\n")  # resume recomputes it
    table = collect(tmp_path)
    row = table[table["point"].notna()].iloc[0]
    assert row["status"] == "failed" and "summary.json" in row["error"]


def test_sweep_resume_with_another_n_jobs_keeps_the_points(tmp_path):
    from sim.sweep import point_done

    done = _point(tmp_path / "1", "{}", "n_jobs: 1\nseed: 1\noutput: {progress: true}\n")
    assert point_done(done, "n_jobs: 2\nseed: 1\noutput: {progress: false}\n")
    assert not point_done(done, "n_jobs: 2\nseed: 2\noutput: {progress: false}\n")


def test_sweep_collection_failure_drops_stale_tables_and_fails_the_exit_code(tmp_path,
                                                                           monkeypatch):
    """Issue 13: collection failed only as a Hydra warning, exit 0, a stale sweep.parquet
    kept. Now the stale tables go and FAILED makes ``ccsim -m`` exit 1; a point whose
    summary.json is corrupt is a failed point (exit 1 too), never silently skipped."""
    from omegaconf import OmegaConf

    from sim import sweep

    cfg = OmegaConf.create({"hydra": {"sweep": {"dir": str(tmp_path)}},
                            "output": {"report": False}})
    _point(tmp_path / "1", "{not json")
    sweep.collect_and_report(cfg)
    table = sweep.collect(tmp_path)
    assert list(table[table["status"] != "ok"]["point"]) == sweep.FAILED and sweep.FAILED
    assert (tmp_path / "sweep.parquet").exists()  # rewritten with the failed point

    def broken(*args, **kwargs):
        raise ValueError("cannot collect")

    monkeypatch.setattr(sweep, "collect", broken)
    sweep.collect_and_report(cfg)
    assert sweep.FAILED == ["collection"]
    assert not (tmp_path / "sweep.parquet").exists() and not (tmp_path / "sweep.csv").exists()
