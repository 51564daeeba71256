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


def run(main) -> None:
    """Run ``main()`` as the script's whole job and exit with its code."""
    from sim.errors import one_line

    raise SystemExit(one_line(main, Path(sys.argv[0]).name, allowed=ALLOWED))
