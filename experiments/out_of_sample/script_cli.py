"""The research scripts' command line: bad input — a missing log or run directory, an
unreadable file, a bad value or a usage error — is one line on stderr and exit code 2,
as with ``ccsim``'s own commands, never a traceback."""

from __future__ import annotations

import sys
from pathlib import Path

ALLOWED = "an existing call log and run directories, as the script's --help says"


def parser(doc: str | None):
    """The script's argument parser, described by its docstring's first paragraph."""
    from sim.errors import OneLineParser

    return OneLineParser(description=(doc or "").split("\n\n")[0])


def log_runs_parser(doc: str | None, day_type: bool = True):
    """The parser of a script that reads the log (the shipped one by default), run
    directories (a ``ccsim validate`` output, re-simulated with its calls kept, or a run
    with ``calls.parquet``) and, with ``day_type``, ``--day-type``."""
    from sim.calibrate import SHIPPED_LOG

    p = parser(doc)
    p.add_argument("log", type=Path, nargs="?", default=SHIPPED_LOG)
    p.add_argument("runs", type=Path, nargs="*", help="run directories")
    if day_type:
        p.add_argument("--day-type", default="weekday")
    return p


def run(main) -> None:
    """Run ``main()`` as the script's whole job and exit with its code."""
    from sim.errors import one_line

    raise SystemExit(one_line(main, Path(sys.argv[0]).name, allowed=ALLOWED))
