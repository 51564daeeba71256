"""Synthetic "other month" Anonymous Bank logs made from January 1999's rows, for the tests
that check calibration and validation do not assume January (``test_calibrate_months``).

A log is written from a map ``{new date: January date}``: every row of the January day is
copied with its date replaced, so a day keeps its calls but falls on another date (and,
when the map says so, another weekday). No data file is committed: the logs are built in
the test's tmp dir from the shipped January log."""

from __future__ import annotations

import datetime as dt
import gzip
from pathlib import Path

from sim.calibrate import SHIPPED_LOG


def january_days() -> dict[str, list[str]]:
    """The shipped log's lines (no line end) by date field (YYMMDD), header under ''."""
    days: dict[str, list[str]] = {}
    with gzip.open(SHIPPED_LOG, "rt", newline="") as fh:
        days[""] = [fh.readline().rstrip("\r\n")]
        for line in fh:
            line = line.rstrip("\r\n")
            days.setdefault(line.split("\t")[5], []).append(line)
    return days


def yymmdd(day: dt.date) -> str:
    return f"{day:%y%m%d}"


def write_month(path: Path, days: dict[str, list[str]], dates: dict[dt.date, dt.date],
                extra: list[str] = ()) -> Path:
    """A log whose day ``new`` holds the calls of January's day ``dates[new]``; ``extra``
    lines (e.g. malformed rows) are appended as they are."""
    lines = list(days[""])
    for new, old in sorted(dates.items()):
        for line in days[yymmdd(old)]:
            f = line.split("\t")
            f[5] = yymmdd(new)
            lines.append("\t".join(f))
    lines += list(extra)
    path.write_text("\r\n".join(lines) + "\r\n")
    return path


def same_weekdays(start: dt.date, n: int, source: dt.date = dt.date(1999, 1, 3)) -> dict:
    """``n`` days from ``start``, each filled with the January day of the same weekday
    counted from ``source`` (3 January 1999, a Sunday) onwards."""
    shift = (start.weekday() - source.weekday()) % 7
    jan = [source + dt.timedelta(days=shift + i) for i in range(n)]
    jan = [d if d.day not in (11, 12) else d + dt.timedelta(days=7) for d in jan]
    return {start + dt.timedelta(days=i): jan[i] for i in range(n)}
