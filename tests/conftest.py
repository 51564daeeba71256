"""Session set-up shared by every test module."""

from __future__ import annotations

import pytest

AUTO_ENGINES = ("fast", "simpy")


def pytest_generate_tests(metafunc):
    """A module marked ``reference_too`` runs each test twice: once as shipped (auto picks
    the compiled engine where it can) and once with auto meaning the SimPy reference, so
    a rule broken in the reference fails its own test, not only an equality test."""
    if metafunc.definition.get_closest_marker("reference_too"):
        metafunc.parametrize("auto_engine", AUTO_ENGINES, indirect=True,
                             ids=[f"auto-{e}" for e in AUTO_ENGINES])


@pytest.fixture(autouse=True)
def auto_engine(request, monkeypatch):
    """What ``engine=auto`` means for this test (subprocesses inherit it)."""
    from sim.fast.engine import AUTO_ENV

    value = getattr(request, "param", None)
    if value is not None:
        monkeypatch.setenv(AUTO_ENV, value)
    return value


@pytest.fixture(scope="session", autouse=True)
def compiled_fast_engine():
    """Compile (or load from Numba's on-disk cache) the fast engine once, before any test
    starts a ``ccsim`` subprocess: engine=auto runs small scenarios on it, and a first
    compilation inside a subprocess would eat into that subprocess's timeout."""
    from simhelpers import TINY, run_calls, scenario

    run_calls(scenario(TINY, arrivals={"trace": [[1.0, "a"]]}))
