"""SLA regression gate (``ccsim check``): is every service-level target of a spec met,
judged on confidence intervals over seeded replications, optionally against a baseline?

``main(argv)`` is the command; ``run_check(...)`` the Python API (returns a Report).
"""

from __future__ import annotations

from sim.check.cli import main
from sim.check.spec import SLAError


def run_check(*args, **kwargs):
    """See sim.check.gate.run_check (imported on use, so ``ccsim check --help`` is fast)."""
    from sim.check.gate import run_check as _run_check

    return _run_check(*args, **kwargs)


__all__ = ["SLAError", "main", "run_check"]
