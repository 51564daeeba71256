"""``engine: fast`` runs with Numba's JIT off (``NUMBA_DISABLE_JIT=1``, Numba's debugging
switch: every jitted function is plain Python), and gives the same files as the SimPy
reference, as it does compiled. The customers' table prefetch, an intrinsic that cannot
run in pure Python, is an overload of a pure-Python no-op there. Tiny runs (a few dozen
calls): the pure-Python loop is slow."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_fast_engine import assert_same_outputs, run_both
from test_fast_reaction import BASE as REACT

TESTS = Path(__file__).parent
# compose as the tests do, check that the loop really is plain Python, run fast
SCRIPT = f"""
import sys
sys.path.insert(0, {str(TESTS)!r})
from pathlib import Path
import sim.fast.loop as loop
from test_fast_engine import compose_cfg
from sim.runner import simulate
assert not hasattr(loop.run, "py_func"), "the JIT is on"
simulate(compose_cfg([*sys.argv[2:], "engine=fast", "output.calls=true",
                      "output.progress=false"]), Path(sys.argv[1]))
"""
RUNS = {
    # the hotline's compiled features: IVR, customers (the prefetch), second line,
    # outbound, redials
    "hotline_small": ["scenario=hotline_small", "scenario.load=0.02"],
    # agents called back from away work, away tasks cut short
    "reaction": [*REACT, "scenario.load=0.04"],
}


@pytest.mark.parametrize("run", sorted(RUNS))
def test_the_fast_engine_runs_without_the_jit(run, tmp_path):
    over = [*RUNS[run], "n_reps=1"]
    slow, fast = run_both(over, tmp_path)
    nojit = tmp_path / "nojit"
    env = {**os.environ, "NUMBA_DISABLE_JIT": "1"}
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(nojit), *over], env=env,
                          capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "overflow" not in done.stderr  # SplitMix64 wraps modulo 2**64 on purpose
    summary = assert_same_outputs(slow, nojit, min_offered=20)
    assert_same_outputs(slow, fast, min_offered=20)
    assert summary["conservation"]["offered"] < 500  # tiny, as the pure-Python loop needs
