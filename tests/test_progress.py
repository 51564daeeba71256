"""Long work prints progress lines when not on a terminal, e.g. in CI (issue 17 point 16)."""

from __future__ import annotations

from simhelpers import TINY, make_policy, scenario

from sim.check.runs import Replications
from sim.config import RunSpec, build_model_spec
from sim.runner import simulate_spec


def test_replications_print_a_line_each_when_stderr_is_not_a_terminal(capsys):
    spec = build_model_spec(scenario(TINY))
    run = RunSpec(seed=1, n_reps=3, confidence=0.95, write_calls=False,
                  write_intervals=False, progress=True)
    simulate_spec(spec, run, make_policy("strict_priority"))
    err = capsys.readouterr().err  # captured: not a terminal
    for k in (1, 2, 3):
        assert f"replication {k}/3 done" in err
    run = RunSpec(seed=1, n_reps=3, confidence=0.95, write_calls=False,
                  write_intervals=False, progress=False)  # output.progress=false: silent
    simulate_spec(spec, run, make_policy("strict_priority"))
    assert "replication" not in capsys.readouterr().err


def test_the_gate_logs_each_replication_as_it_finishes(monkeypatch):
    monkeypatch.setattr("sim.check.runs.one_replication",
                        lambda model, policy, seed, rep: {"rep": rep})

    class Setup:
        model = policy = None
        seed = 1

    lines: list[str] = []
    reps = Replications(Setup(), log=lines.append)
    reps.upto(3)
    assert [ln.split(" done")[0].strip() for ln in lines[:3]] == [
        "replication 1", "replication 2", "replication 3"]
    assert lines[3].startswith("replications 1..3 run in")
