"""Bad input on the ``ccsim`` command line: one line on stderr naming the key and what is
allowed, exit code 2, no traceback, no silent fix (each case runs the real command)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

CCSIM = shutil.which("ccsim", path=str(Path(sys.executable).parent)) or "ccsim"


def run_ccsim(args: list[str], tmp_path: Path, flags: tuple[str, ...] = ()
              ) -> subprocess.CompletedProcess:
    """Flags first: argparse takes the overrides as one run of positional arguments. The
    cases target the small ``basic`` scenario (classes vip/ordinary, desks vip/general)."""
    return subprocess.run([CCSIM, *flags, f"hydra.run.dir={tmp_path / 'run'}",
                           "scenario=basic", *args],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)


def assert_bad_input(proc: subprocess.CompletedProcess, *needles: str) -> str:
    err = proc.stderr
    assert "Traceback" not in err, err
    assert proc.returncode == 2, (proc.returncode, err)
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].strip(), f"want exactly one non-empty line:\n{err}"
    for needle in needles:
        assert needle in err, f"{needle!r} not in {err!r}"
    return err


# (id, command-line overrides, strings the one error line must contain: the full dotted
# key first, then what is allowed)
CASES = [
    ("unknown-scenario-key", ["+scenario.foo=1"],
     ["scenario.foo", "allowed", "horizon", "arrivals"]),
    ("override-missing-key", ["scenario.fooo=1"],
     ["scenario.fooo", "allowed", "horizon", "arrivals"]),
    ("override-missing-nested-key", ["scenario.horizon.dayz=2"],
     ["scenario.horizon.dayz", "allowed", "intervals_per_day"]),
    ("override-missing-class", ["scenario.classes.nope.mix=1"],
     ["scenario.classes.nope.mix", "allowed", "vip", "ordinary"]),
    ("override-under-a-value", ["n_reps.x=1"], ["n_reps.x", "not a mapping"]),
    ("delete-missing-key", ["~scenario.fooo"], ["scenario.fooo", "allowed", "horizon"]),
    ("delete-second-of-two", ["~scenario.arrivals.day_volume_cv", "~scenario.fooo"],
     ["scenario.fooo: cannot delete", "allowed", "horizon"]),
    ("unknown-top-level-key", ["+foo=1"], ["foo", "allowed", "n_reps", "scenario"]),
    ("negative-rate", ["scenario.arrivals.calls_per_interval=-3"],
     ["scenario.arrivals.calls_per_interval", ">= 0", "-3"]),
    ("n-jobs-zero", ["n_jobs=0"], ["n_jobs", ">= 1"]),
    ("class-mix-and-own-volume", ["+scenario.classes.vip.calls_per_interval=5"],
     ["scenario.classes.vip.mix", "not both"]),
    ("mix-not-summing-to-1", ["scenario.classes.vip.mix=0.5"],
     ["scenario.classes.*.mix", "sum to 1", "vip=0.5"]),
    ("unknown-distribution", ["scenario.classes.vip.handle_time.dist=weibull"],
     ["scenario.classes.vip.handle_time.dist", "weibull", "exponential", "lognormal"]),
    ("distribution-missing-param", ["~scenario.classes.vip.handle_time.sd"],
     ["scenario.classes.vip.handle_time.sd", "mean, sd"]),
    ("staffing-wrong-length", ["scenario.groups.vip_desk.staffing=[1,2,3]"],
     ["scenario.groups.vip_desk.staffing", "3 values", "48"]),
    ("unknown-group-in-queue", ["scenario.queues.vip.groups=[nobody]"],
     ["scenario.queues.vip.groups", "nobody", "vip_desk", "general_desk"]),
    ("unknown-queue-in-class", ["scenario.classes.vip.queue=nowhere"],
     ["scenario.classes.vip.queue", "nowhere", "general"]),
    ("unknown-experiment", ["experiment=nope"],
     ["experiment", "nope", "erlang_c", "erlang_a", "cobham"]),
    ("reaction-time-negative",
     ["+scenario.groups.vip_desk.availability={reaction_time: -5, away_work: [vip]}"],
     ["scenario.groups.vip_desk.availability.reaction_time"]),
    ("unknown-policy-option", ["policy=nope"], ["policy", "nope", "fifo", "strict_priority"]),
    ("policy-class-outside-package", ["policy.class=os.system"],
     ["policy.class", "os.system", "sim.policies."]),
    ("policy-class-unknown", ["policy.class=sim.policies.fifo.Nope"],
     ["policy.class", "sim.policies.fifo.Nope"]),
    ("unknown-policy-key", ["+policy.foo=1"], ["policy.foo", "allowed", "class"]),
    ("n_reps-not-integer", ["n_reps=2.5"], ["n_reps", "integer", "2.5"]),
    ("n_reps-not-a-number", ["n_reps=abc"], ["n_reps", "integer", "abc"]),
    ("n_reps-zero", ["n_reps=0"], ["n_reps", ">= 1"]),
    ("confidence-above-1", ["confidence=1.5"], ["confidence", "(0, 1)", "1.5"]),
    ("confidence-zero", ["confidence=0"], ["confidence", "(0, 1)"]),
    ("output-flag-not-bool", ["output.calls=maybe"], ["output.calls", "true or false"]),
    ("malformed-override-bracket", ["scenario.arrivals=["],
     ["scenario.arrivals", "malformed override", "KEY=VALUE"]),
    ("malformed-override-no-equals", ["n_reps"], ["n_reps", "malformed override", "KEY=VALUE"]),
    ("malformed-override-empty-key", ["=3"], ["'=3'", "empty key", "KEY=VALUE"]),
    ("sweep-without-multirun", ["n_reps=1,2"], ["n_reps", "--multirun", "KEY=[a,b]"]),
    ("unknown-flag", ["--frobnicate"], ["--frobnicate", "--help"]),
    ("sweeper-params-dict", ["hydra.sweeper.params={scenario.load: '0.9,1.1'}"],
     ["hydra.sweeper.params", "not settable", "KEY=a,b", "experiment file"]),
    ("sweeper-params-key", ["+hydra.sweeper.params.scenario.load=0.9,1.1"],
     ["hydra.sweeper.params", "not settable", "KEY=a,b", "experiment file"]),
    ("missing-interpolation", ["scenario.groups.general_desk.staffing=${params.nope}"],
     ["scenario.groups.general_desk.staffing", "params.nope"]),
    ("experiment-unknown-param", ["experiment=erlang_c", "params.agnets=15"],
     ["params.agnets", "allowed", "agents", "aht_s"]),
    ("experiment-bad-param-value", ["experiment=erlang_c", "params.agents=-1"],
     ["scenario.groups.agents.staffing", ">= 0", "-1"]),
]


@pytest.mark.parametrize(("args", "needles"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_one_line_exit_2(args, needles, tmp_path):
    assert_bad_input(run_ccsim(args, tmp_path), *needles)


def test_unknown_policy_class_names_what_is_allowed(tmp_path):
    assert_bad_input(run_ccsim(["policy.class=sim.policies.fifo.Nope"], tmp_path),
                     "policy.class", "sim.policies.fifo.Fifo")


def _config_dir_with(tmp_path: Path, name: str, text: str) -> Path:
    cdir = tmp_path / "extra"
    (cdir / "experiment").mkdir(parents=True)
    (cdir / "experiment" / f"{name}.yaml").write_text(text)
    return cdir


def test_broken_yaml_file_names_the_file(tmp_path):
    cdir = _config_dir_with(tmp_path, "broken", "# @package _global_\nscenario:\n  name: [x\n")
    err = assert_bad_input(run_ccsim(["experiment=broken"], tmp_path, ("-cd", str(cdir))),
                           "broken.yaml", "line", "invalid YAML")
    assert "expected ',' or ']'" in err


def test_bad_key_in_an_experiment_file(tmp_path):
    cdir = _config_dir_with(tmp_path, "badkey",
                            "# @package _global_\nscenario:\n  arrivals:\n    callz: 3\n")
    assert_bad_input(run_ccsim(["experiment=badkey"], tmp_path, ("-cd", str(cdir))),
                     "scenario.arrivals.callz", "allowed", "calls_per_interval")


def test_bad_input_writes_no_results(tmp_path):
    """Bad input is not silently fixed: no run happens, so no summary is written."""
    assert_bad_input(run_ccsim(["n_reps=2.5"], tmp_path), "n_reps")
    assert not (tmp_path / "run" / "summary.json").exists()


@pytest.mark.parametrize("override", ["hydra.sweeper.params={scenario.load: '0.9,1.1'}",
                                      "+hydra.sweeper.params.scenario.load=0.9,1.1"])
def test_sweeper_params_on_a_multirun_command_line_are_one_line(override, tmp_path):
    """Hydra itself fails on these with a traceback (dict form) or a vague line."""
    assert_bad_input(run_ccsim([override], tmp_path, ("-m",)), "hydra.sweeper.params",
                     "not settable", "experiment file")
