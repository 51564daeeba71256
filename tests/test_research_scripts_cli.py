"""The research scripts in experiments/out_of_sample answer bad input as ``ccsim`` does:
one line on stderr naming what was wrong, exit code 2, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

FOLDER = Path(__file__).resolve().parent.parent / "experiments" / "out_of_sample"
SCRIPTS = sorted(p.name for p in FOLDER.glob("*.py") if p.name != "script_cli.py")
# each script's arguments naming a file or directory that does not exist
MISSING = {"analyse.py": ["/no/such.txt", "/no/such_out", "5"],
           "day_mix.py": ["/no/such.yaml", "/no/such.json"],
           "long_waits.py": ["/no/such_run"], "load_response.py": ["/no/such.csv"],
           "routed.py": ["/no/such.yaml", "/no/such_out.yaml"]}


def _written() -> list[Path]:
    """The folder's entries but Python's bytecode cache (imports write it)."""
    return sorted(p for p in FOLDER.iterdir() if p.name != "__pycache__")


def _run(script: str, args: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(FOLDER / script), *args], cwd=FOLDER,
                          capture_output=True, text=True, timeout=300)


def test_every_script_runs_through_the_one_line_entry_point():
    for name in SCRIPTS:
        text = (FOLDER / name).read_text(encoding="utf-8")
        main = text[text.index('if __name__ == "__main__":'):]
        assert "script_cli.run(" in main, name
        assert "argparse.ArgumentParser(" not in text, name


@pytest.mark.parametrize("script", SCRIPTS)
def test_a_missing_input_is_one_line_and_exit_2(script):
    before = _written()
    r = _run(script, MISSING.get(script, ["/no/such.txt"]))
    assert _written() == before  # nothing written before the input is read
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{script}: error: ")
    assert "/no/such" in lines[0]


@pytest.mark.parametrize(("script", "args", "said"), [
    ("analyse.py", [], "the following arguments are required: log, out, reps"),
    ("freed_agents.py", ["--no-such-option"], "unrecognized arguments: --no-such-option")])
def test_a_usage_error_is_one_line_and_exit_2(script, args, said):
    r = _run(script, args)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and said in r.stderr


def test_analyse_names_an_out_without_runs_and_a_bad_group_size(tmp_path):
    r = _run("analyse.py", ["/no/such.txt", str(tmp_path), "5"])
    assert r.returncode == 2 and "no case run in it" in r.stderr
    r = _run("analyse.py", ["/no/such.txt", str(tmp_path), "0"])
    assert r.returncode == 2 and "reps: 0; allowed: an integer >= 1" in r.stderr
