"""HTML reports: ``write_run_report`` for a run, ``write_comparison_report`` for a sweep,
and ``ccsim report DIR`` to (re)write either."""

from __future__ import annotations

import sys
from pathlib import Path

from sim.report.compare_report import write_comparison_report
from sim.report.run_report import write_run_report

__all__ = ["main", "write_comparison_report", "write_report", "write_run_report"]


def write_report(directory: Path) -> Path:
    """A sweep directory gets a comparison report, a run directory a run report."""
    directory = Path(directory)
    if (directory / "sweep.parquet").exists():
        return write_comparison_report(directory)
    return write_run_report(directory)


def main(argv: list[str]) -> int:
    """``ccsim report DIR [DIR ...]``: rewrite the report of each run or sweep directory."""
    from sim.errors import ConfigError, OneLineParser

    parser = OneLineParser(prog="ccsim report", description=(
        "Write report.html for a run directory (summary.json) or a sweep directory "
        "(sweep.parquet). The page embeds plotly.js and opens offline."))
    parser.add_argument("dirs", nargs="+", type=Path, metavar="DIR")
    args = parser.parse_args(argv)
    for d in args.dirs:
        if not d.is_dir():
            print(f"ccsim: error: {d}: no such directory (want a run or sweep output "
                  f"directory)", file=sys.stderr)
            return 2
        try:
            print(f"report: {write_report(d)}")
        except ConfigError as exc:
            print(f"ccsim: error: {exc}", file=sys.stderr)
            return 2
    return 0
