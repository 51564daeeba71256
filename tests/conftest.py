"""Session set-up shared by every test module."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session", autouse=True)
def compiled_fast_engine():
    """Compile (or load from Numba's on-disk cache) the fast engine once, before any test
    starts a ``ccsim`` subprocess: engine=auto runs small scenarios on it, and a first
    compilation inside a subprocess would eat into that subprocess's timeout."""
    from simhelpers import TINY, run_calls, scenario

    run_calls(scenario(TINY, arrivals={"trace": [[1.0, "a"]]}))
