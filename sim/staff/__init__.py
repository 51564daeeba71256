"""``ccsim staff``: the staffing (and shift) plan that meets every SLA target at least cost.

``main(argv)`` is the command (heavy imports happen inside, so ``--help`` is fast).
"""

from __future__ import annotations


def main(argv: list[str] | None = None) -> int:
    """``ccsim staff --sla NAME``: the staffing plan meeting every target at least cost.

    ``--shifts FILE`` adds a roster; exit 0 met, 1 the best plan misses, 2 bad input."""
    from sim.staff.cli import main as _main

    return _main(argv)


__all__ = ["main"]
