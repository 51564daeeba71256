"""``ccsim serve``: a local what-if web app (Dash) for managers.

``main(argv)`` is the command; Dash and the simulator are imported inside it, so
``ccsim --help`` stays fast."""

from __future__ import annotations


def main(argv: list[str] | None = None) -> int:
    """``ccsim serve [--port N]``: a what-if web page on 127.0.0.1 (edit levers, run
    against the baseline with paired CIs, save, export, plan).

    Writes only under --out (default outputs/serve)."""
    from sim.serve.app import main as _main

    return _main(argv)


__all__ = ["main"]
