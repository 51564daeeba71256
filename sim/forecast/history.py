"""Arrival-count history in one form — a day × interval matrix per class — from three sources.

The generic CSV schema (``--format generic``), one row per interval (and class), header
required:

========= ===============================================================================
column    meaning
========= ===============================================================================
timestamp start of the interval, local wall-clock time, ISO 8601 (``1999-01-03 07:30`` or
          ``1999-01-03T07:30:00``); an optional UTC offset (``+02:00``, ``Z``) lets
          daylight-saving jumps be seen: the wall-clock time is what is forecast
count     calls that arrived in the interval (a number >= 0; closed intervals are 0)
class     optional: call class; a class without a row in an interval that has rows of
          other classes had no calls there
========= ===============================================================================

Every interval of every day from the first to the last date needs a row (zeros
included); a missing one is a *gap*. The interval length is the most common spacing of
the timestamps and must divide a day. Also read: the Anonymous Bank's year of 6-minute
counts (``anonymous_bank_counts``) and any call log the ``calibrate`` adapters read
(``sim.calibrate.schema.ADAPTERS``; counted per ``--interval-s``, classes
``p<priority>_<type>``).

Nothing is dropped silently: gaps, duplicate timestamps, negative, non-numeric or
off-grid counts, fractional counts and UTC-offset (DST) changes are counted in
:class:`Quality` and printed. Cells without a usable count are NaN; the models impute them
from the same weekday and interval of other weeks (counted too).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from sim.calibrate.schema import DataQuality

if TYPE_CHECKING:
    import pandas as pd

DAY_S = 86400
BANK_COUNTS_HEADER = "calls,u,Date,Day,Month"
GENERIC_COLUMNS = ("timestamp", "count")
SHIPPED_COUNTS = Path(__file__).resolve().parent.parent / "data" / \
    "anonymous_bank_arrivals_6min_1999.csv.gz"
TOTAL = "ALL"


class HistoryError(ValueError):
    """Bad history file or option: one line naming it and what is allowed."""


@dataclass
class Quality(DataQuality):
    """What happened to every row of a history file (``rows_read == kept + sum(dropped)``,
    with example line numbers), plus ``gaps``: cells of the grid that no row filled."""

    gaps: int = 0
    gap_note: str = ""

    def drop(self, category: str, rows, note: str = "") -> None:
        """``rows``: a boolean mask or indices of data rows (line = row + 2)."""
        lines = _lines(rows)
        if lines:
            super().drop(category, lines, note)

    def flag(self, category: str, rows, note: str = "") -> None:
        lines = _lines(rows)
        if lines:
            super().flag(category, lines, note)

    def to_dict(self) -> dict:
        return {**super().to_dict(), "gaps": self.gaps, "gap_note": self.gap_note}

    def table(self) -> str:
        text = super().table()
        if self.gaps:
            text += f"\n  gaps (cells without a row): {self.gaps:>7}  {self.gap_note}"
        return text


def _lines(rows) -> list[int]:
    rows = np.asarray(rows)
    idx = np.flatnonzero(rows) if rows.dtype == bool else rows.astype(np.int64)
    return (idx + 2).tolist()  # the header is line 1


@dataclass
class History:
    """Counts per class on a grid of whole days (``dates``) × intervals of ``interval_s``;
    NaN marks a cell without a usable count."""

    dates: pd.DatetimeIndex  # consecutive days
    interval_s: int
    counts: dict[str, np.ndarray]  # class -> (days, slots)
    quality: Quality

    @property
    def slots(self) -> int:
        return DAY_S // self.interval_s

    @property
    def classes(self) -> list[str]:
        return [c for c in self.counts if c != TOTAL]

    @property
    def total(self) -> np.ndarray:
        return self.counts[TOTAL]


def sniff(path: Path) -> str:
    from sim.calibrate.schema import LogError, first_line
    from sim.calibrate.schema import sniff as sniff_log

    head = first_line(path)
    if head.replace(" ", "").startswith(BANK_COUNTS_HEADER):
        return "anonymous_bank_counts"
    cols = [c.strip().lower() for c in head.split(",")]
    if set(GENERIC_COLUMNS) <= set(cols):
        return "generic"
    try:
        return sniff_log(path)
    except LogError:
        raise HistoryError(f"{path}: unrecognised history header {head[:60]!r}; allowed: "
                           f"the generic CSV (timestamp, count[, class]), the Anonymous Bank "
                           f"counts ({BANK_COUNTS_HEADER}) or a call log "
                           f"({', '.join(_log_formats())})") from None


def _log_formats() -> list[str]:
    from sim.calibrate.schema import adapter_names

    return adapter_names()


def formats() -> list[str]:
    return ["generic", "anonymous_bank_counts", *(f"log:{f}" for f in _log_formats())]


def read_history(path: str | Path, fmt: str = "auto", interval_s: int | None = None) -> History:
    """Read a history file with the named reader (``auto``: by its header)."""
    path = Path(path)
    if not path.is_file():
        raise HistoryError(f"{path}: no such history file")
    if fmt == "auto":
        fmt = sniff(path)
        fmt = fmt if fmt in ("generic", "anonymous_bank_counts") else f"log:{fmt}"
    if fmt == "generic":
        return read_generic(path)
    if fmt == "anonymous_bank_counts":
        return read_bank_counts(path)
    if fmt.startswith("log:") and fmt[4:] in _log_formats():
        return read_call_log(path, fmt[4:], interval_s or 1800)
    raise HistoryError(f"--format {fmt!r}: unknown history format; allowed: auto, "
                       f"{', '.join(formats())}")


def _read_csv(path: Path):
    import pandas as pd

    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, EOFError,
            OSError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise HistoryError(f"{path}: not a readable CSV ({first})") from None


def _numeric_counts(text, q: Quality, usable):
    """Counts as floats; among ``usable`` rows, non-numeric and negative ones become NaN
    (dropped, counted once each)."""
    import pandas as pd

    value = pd.to_numeric(pd.Series(text).str.strip(), errors="coerce").to_numpy(float, copy=True)
    value[~np.isfinite(value)] = np.nan
    bad = usable & np.isnan(value)
    q.drop("non_numeric_count", bad, "count is not a number (cell left as a gap)")
    neg = usable & ~bad & (value < 0)
    q.drop("negative_count", neg, "count below 0 (cell left as a gap)")
    frac = usable & ~bad & ~neg & (value != np.round(value))
    q.flag("fractional_count", frac, "count not a whole number: kept as it is")
    value[neg | ~usable] = np.nan
    return value


def _grid(q: Quality, days, slot, cls, value, interval_s: int) -> History:
    """Place rows (day as datetime64[D], slot, class, value) on the day × interval grid;
    duplicates keep the first row (the others counted); gaps counted."""
    import pandas as pd

    ok = ~np.isnan(value)
    row = np.flatnonzero(ok)
    days, slot, cls, value = days[ok], slot[ok], cls[ok], value[ok]
    if len(days) == 0:
        raise HistoryError(f"{q.source}: no usable count in the file")
    first, last = days.min(), days.max()
    dates = pd.date_range(first, last, freq="D")
    slots = DAY_S // interval_s
    d = ((days - first) // np.timedelta64(1, "D")).astype(np.int64)
    cell = d * slots + slot
    frame = pd.DataFrame({"cell": cell, "cls": cls, "value": value})
    dup = frame.duplicated(["cell", "cls"], keep="first").to_numpy()
    q.drop("duplicate_timestamp", row[dup], "a second row for the same interval and class: "
           "the first row is kept")
    frame = frame[~dup]
    q.kept = int(len(frame))
    names = sorted(frame["cls"].unique())
    seen = np.zeros(len(dates) * slots, bool)
    seen[frame["cell"].to_numpy()] = True
    counts = {}
    for name in names:
        m = np.where(seen, 0.0, np.nan)
        part = frame[frame["cls"] == name]
        m[part["cell"].to_numpy()] = part["value"].to_numpy()
        counts[name] = m.reshape(len(dates), slots)
    counts[TOTAL] = np.sum([counts[n] for n in names], axis=0)
    q.gaps = int((~seen).sum())
    q.gap_note = "interval with no usable row: missing data, imputed from the same " \
        "weekday and interval of other weeks"
    if names == [""]:
        counts = {TOTAL: counts[TOTAL]}
    return History(dates=dates, interval_s=interval_s, counts=counts, quality=q)


def read_generic(path: Path) -> History:
    """The generic CSV schema (module docstring)."""
    import pandas as pd

    raw = _read_csv(path)
    raw.columns = [c.strip().lower() for c in raw.columns]
    missing = [c for c in GENERIC_COLUMNS if c not in raw.columns]
    if missing:
        raise HistoryError(f"{path}: missing column {missing[0]!r}; the generic history "
                           f"schema needs: timestamp, count (and optionally class)")
    q = Quality(source=f"{path.name} (generic)", rows_read=len(raw))
    ts = raw["timestamp"].str.strip()
    offset = ts.str.extract(r"(Z|[+-]\d{2}:?\d{2})$")[0]
    local = pd.to_datetime(ts.str.replace(r"(Z|[+-]\d{2}:?\d{2})$", "", regex=True),
                           format="ISO8601", errors="coerce")
    bad_ts = local.isna().to_numpy()
    q.drop("bad_timestamp", bad_ts, "timestamp is not an ISO 8601 date and time")
    value = _numeric_counts(raw["count"], q, ~bad_ts)
    secs = (local - local.dt.normalize()).dt.total_seconds().to_numpy()
    interval_s = _interval(local[~bad_ts], path)
    off_grid = ~bad_ts & ~np.isnan(value) & (np.nan_to_num(secs) % interval_s != 0)
    q.drop("off_grid_timestamp", off_grid, f"timestamp not at the start of a "
           f"{interval_s}-s interval")
    value[off_grid] = np.nan
    cls = raw["class"].str.strip().to_numpy(object) if "class" in raw.columns else \
        np.full(len(raw), "", object)
    _dst(q, local, offset, cls, value)
    days = local.dt.normalize().to_numpy("datetime64[D]")
    slot = (np.nan_to_num(secs) // interval_s).astype(np.int64)
    return _grid(q, days, slot, cls, value, interval_s)


def _interval(local, path: Path) -> int:
    """The most common spacing of the distinct timestamps (seconds), dividing a day."""
    t = np.unique(local.to_numpy("datetime64[s]").astype(np.int64))
    steps = np.diff(t)
    steps = steps[steps > 0]
    if len(steps) == 0:
        raise HistoryError(f"{path}: fewer than two distinct timestamps: no interval length")
    values, n = np.unique(steps, return_counts=True)
    step = int(values[np.argmax(n)])
    if DAY_S % step:
        raise HistoryError(f"{path}: interval length {step} s (the most common timestamp "
                           f"spacing) does not divide a day; allowed: e.g. 300, 360, 900, 1800")
    return step


def _dst(q: Quality, local, offset, cls, value) -> None:
    """UTC-offset changes (DST): counted; a wall-clock interval seen twice under two offsets
    (the repeated hour in autumn) has its counts added, counted as ``dst_repeated``."""
    import pandas as pd

    known = offset.notna().to_numpy() & local.notna().to_numpy()
    if not known.any():
        return
    rows = np.flatnonzero(known)
    offs = offset.to_numpy(object)[known]
    minutes = np.array([0 if o == "Z" else (1 if o[0] == "+" else -1) *
                        (int(o[1:3]) * 60 + int(o[-2:])) for o in offs])
    utc = local.to_numpy("datetime64[s]")[known] - minutes.astype("timedelta64[m]")
    order = np.argsort(utc, kind="stable")  # in true time order
    offs, rows = offs[order], rows[order]
    q.flag("utc_offset_change", rows[1:][offs[1:] != offs[:-1]], "the UTC offset changes "
           "(a DST jump): counts are placed by wall-clock time; the spring gap shows as gaps")
    frame = pd.DataFrame({"t": local.to_numpy(), "c": cls, "o": offset.to_numpy(object),
                          "v": value})
    ok = frame["t"].notna() & ~np.isnan(value)
    groups = frame[ok].groupby(["t", "c"], sort=False)
    offs_n = groups["o"].transform("nunique")
    repeat = frame[ok][offs_n > 1]
    if len(repeat):
        first = ~repeat.duplicated(["t", "c", "o"], keep="first")
        distinct = repeat[first]
        sums = distinct.groupby(["t", "c"])["v"].transform("sum")
        lead = ~distinct.duplicated(["t", "c"], keep="first")
        extra = distinct.index[~lead.to_numpy()]
        value[distinct.index[lead.to_numpy()]] = sums[lead].to_numpy()
        value[extra] = np.nan
        q.drop("dst_repeated", np.asarray(extra), "wall-clock interval seen twice under two UTC "
               "offsets (autumn DST): its counts are added into the first row")


def read_bank_counts(path: Path) -> History:
    """The Anonymous Bank's 6-minute counts: ``calls,u,Date,Day,Month``; Date = days since
    1970-01-01, u = interval of the day 1..240."""
    import pandas as pd

    raw = _read_csv(path)
    need = BANK_COUNTS_HEADER.split(",")
    missing = [c for c in need if c not in raw.columns]
    if missing:
        raise HistoryError(f"{path}: missing column {missing[0]!r}; the Anonymous Bank "
                           f"counts have: {', '.join(need)}")
    q = Quality(source=f"{path.name} (anonymous_bank_counts)", rows_read=len(raw))
    u = pd.to_numeric(raw["u"], errors="coerce").to_numpy(float, copy=True)
    day = pd.to_numeric(raw["Date"], errors="coerce").to_numpy(float, copy=True)
    bad = ~np.isfinite(u) | ~np.isfinite(day) | (u < 1) | (u > 240) | (u != np.round(u)) | \
        (day != np.round(day))
    q.drop("bad_interval_or_date", bad, "u not an integer 1..240 or Date not an "
           "integer day")
    value = _numeric_counts(raw["calls"], q, ~bad)
    days = (np.datetime64("1970-01-01") + np.where(bad, 0, day).astype(np.int64)
            ).astype("datetime64[D]")
    named = pd.DatetimeIndex(days).day_name().to_numpy()
    mismatch = ~bad & (named != raw["Day"].str.strip().to_numpy())
    q.flag("weekday_mismatch", mismatch, "the Day column disagrees with Date "
           "(Date is used)")
    slot = (np.where(bad, 1, u) - 1).astype(np.int64)
    return _grid(q, days, slot, np.full(len(raw), "", object), value, 360)


def read_call_log(path: Path, fmt: str, interval_s: int) -> History:
    """A call log through a ``calibrate`` adapter: calls counted by arrival time, per
    class ``p<priority>_<type>``; a day without any call is a gap (whole day missing)."""
    import pandas as pd

    from sim.calibrate.schema import LogError, read_log

    if interval_s <= 0 or DAY_S % interval_s:
        raise HistoryError(f"--interval-s {interval_s}: allowed: a divisor of 86400 "
                           f"(e.g. 360, 900, 1800)")
    try:
        df, dq = read_log(path, fmt)
    except LogError as exc:
        raise HistoryError(str(exc)) from None
    print(dq.table())
    q = Quality(source=f"{path.name} (call log, {fmt})", rows_read=len(df))
    t = df["t_arrival"].to_numpy(float)
    slot = np.floor(t / interval_s).astype(np.int64)
    late = slot >= DAY_S // interval_s
    q.flag("past_midnight", late, "arrival at or after midnight: counted on the next "
           "day")
    dates = pd.to_datetime(df["date"]).to_numpy("datetime64[D]") + (slot // (DAY_S // interval_s)
                                                                     ).astype("timedelta64[D]")
    slot = slot % (DAY_S // interval_s)
    cls = ("p" + df["priority"].astype(str) + "_" + df["type"].astype(str)).to_numpy(object)
    frame = pd.DataFrame({"d": dates, "s": slot, "c": cls}).value_counts().reset_index()
    q.kept = len(df)
    first, last = frame["d"].min(), frame["d"].max()
    all_days = pd.date_range(first, last, freq="D")
    slots = DAY_S // interval_s
    present = set(pd.DatetimeIndex(frame["d"]).normalize())
    names = sorted(frame["c"].unique())
    counts = {}
    di = ((frame["d"].to_numpy("datetime64[D]") - np.datetime64(first, "D"))
          // np.timedelta64(1, "D")).astype(np.int64)
    missing_days = [i for i, d in enumerate(all_days) if d not in present]
    for name in names:
        m = np.zeros((len(all_days), slots))
        sel = (frame["c"] == name).to_numpy()
        m[di[sel], frame["s"].to_numpy()[sel]] = frame["count"].to_numpy()[sel]
        m[missing_days] = np.nan
        counts[name] = m
    counts[TOTAL] = np.sum([counts[n] for n in names], axis=0)
    q.gaps = len(missing_days) * slots
    q.gap_note = f"{len(missing_days)} day(s) without a single call in the log: missing " \
        "data, imputed"
    return History(dates=all_days, interval_s=interval_s, counts=counts, quality=q)
