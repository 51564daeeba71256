"""Call logs in one canonical form: the generic CSV schema, data quality, adapter registry.

Every log format is read by an *adapter* into the same canonical table, so calibration and
validation never see a vendor's columns. A new centre's format is one adapter: a module
with ``read(path) -> (DataFrame, DataQuality)`` registered in :data:`ADAPTERS`.

The generic CSV schema (``--format generic``), one row per call attempt, header required:

========== ===============================================================================
column     meaning
========== ===============================================================================
call_id    unique id of the call attempt
date       day the call arrived, ``YYYY-MM-DD``
priority   priority label as the centre logs it (e.g. 0, 1, 2)
type       service type label (e.g. PS, NE)
arrival    clock time the call entered the system (IVR start), ``HH:MM:SS`` or seconds
ivr_s      seconds spent in the IVR before asking for an agent (>= 0)
queued     1 if the call entered the agent queue, 0 if it was answered at once or ended
           in the IVR
wait_s     seconds waited in the queue (0 when not queued)
outcome    ``served`` (an agent answered), ``abandoned`` (hung up in the queue) or
           ``ivr_abandoned`` (ended in the IVR without asking for an agent);
           ``ignore`` marks a record to skip (counted)
answer     clock time an agent answered (empty unless served)
service_s  seconds of service (empty unless served)
server     agent id (empty when unknown)
========== ===============================================================================

Times past midnight are given as clock times of the next day: an ``answer`` earlier
than ``arrival`` means the next day (counted as ``past_midnight``). ``write_generic``
writes any canonical table in this schema (and ``--format generic`` reads it back
unchanged).
"""

from __future__ import annotations

import importlib
import zlib
from dataclasses import dataclass, field
from pathlib import Path

GENERIC_COLUMNS = ("call_id", "date", "priority", "type", "arrival", "ivr_s", "queued",
                   "wait_s", "outcome", "answer", "service_s", "server")
OUTCOMES = ("served", "abandoned", "ivr_abandoned")
# canonical columns every adapter returns (times in seconds since midnight of ``date``)
CANONICAL = ("call_id", "date", "priority", "type", "t_arrival", "ivr_s", "queued",
             "wait_s", "outcome", "t_answer", "service_s", "server")
MAX_DURATION_S = 86400.0  # an IVR, wait or service time longer than a day is malformed
ADAPTERS = {
    "generic": "sim.calibrate.schema",
    "anonymous_bank": "sim.calibrate.anonymous_bank",
}


class LogError(ValueError):
    """Bad input (file, format, column): one line naming the thing and what is allowed."""


@dataclass
class DataQuality:
    """What happened to every row: kept, dropped by category, or kept with a flag.

    Invariant: ``rows_read == kept + sum(dropped.values())``; flags count kept rows that
    were corrected or are excluded from one estimate (e.g. zero service times)."""

    source: str
    rows_read: int = 0
    kept: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    flagged: dict[str, int] = field(default_factory=dict)
    examples: dict[str, list[int]] = field(default_factory=dict)  # first line numbers
    notes: dict[str, str] = field(default_factory=dict)

    def drop(self, category: str, lines: list[int], note: str = "") -> None:
        self._count(self.dropped, category, lines, note)

    def flag(self, category: str, lines: list[int], note: str = "") -> None:
        self._count(self.flagged, category, lines, note)

    def _count(self, table: dict, category: str, lines: list[int], note: str) -> None:
        table[category] = table.get(category, 0) + len(lines)
        self.examples.setdefault(category, [])
        self.examples[category] = (self.examples[category] + list(lines))[:5]
        if note:
            self.notes[category] = note

    @property
    def conserved(self) -> bool:
        return self.rows_read == self.kept + sum(self.dropped.values())

    def to_dict(self) -> dict:
        return {"source": self.source, "rows_read": self.rows_read, "kept": self.kept,
                "dropped": dict(self.dropped), "flagged": dict(self.flagged),
                "conserved": self.conserved, "example_lines": dict(self.examples),
                "notes": dict(self.notes)}

    def table(self) -> str:
        """The data-quality table printed by ``ccsim calibrate`` and ``ccsim validate``."""
        rows = [("rows read", self.rows_read, ""), ("kept", self.kept, "")]
        rows += [(f"dropped: {k}", v, self.notes.get(k, "")) for k, v in self.dropped.items()]
        rows += [(f"kept, flagged: {k}", v, self.notes.get(k, ""))
                 for k, v in self.flagged.items()]
        width = max(len(r[0]) for r in rows)
        lines = [f"data quality ({self.source}): "
                 f"{'rows conserved' if self.conserved else 'ROWS NOT CONSERVED'}"]
        lines += [f"  {name:<{width}}  {n:>7}  {note}".rstrip() for name, n, note in rows]
        return "\n".join(lines)


def adapter_names() -> list[str]:
    return sorted(ADAPTERS)


def read_log(path: str | Path, fmt: str = "auto"):
    """Read a call log with the named adapter (``auto``: by sniffing the header).

    Returns ``(DataFrame with CANONICAL columns, DataQuality)``; raises :class:`LogError`."""
    path = Path(path)
    if not path.is_file():
        raise LogError(f"{path}: no such log file")
    if fmt == "auto":
        fmt = sniff(path)
    if fmt not in ADAPTERS:
        raise LogError(f"--format {fmt!r}: unknown log format; allowed: auto, "
                       f"{', '.join(adapter_names())}")
    df, dq = importlib.import_module(ADAPTERS[fmt]).read(path)
    if not dq.conserved:
        raise RuntimeError(f"adapter {fmt} lost rows: {dq.to_dict()}")
    return df[list(CANONICAL)], dq


def open_text(path: Path):
    """A text handle on a plain or gzip-compressed file."""
    import gzip

    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8", errors="replace", newline="")
    return open(path, encoding="utf-8", errors="replace", newline="")


def first_line(path: Path) -> str:
    try:
        with open_text(path) as fh:
            return fh.readline().strip()
    except (OSError, EOFError, zlib.error) as exc:  # gzip: truncated or corrupt
        why = " ".join(str(getattr(exc, "strerror", None) or exc).split()) or "truncated"
        raise LogError(f"{path}: cannot read ({why}); allowed: a complete plain or gzip "
                       f"call log") from None


def sniff(path: Path) -> str:
    """The adapter whose header matches the file's first line."""
    head = first_line(path)
    if head.startswith("vru+line") or head.startswith("vru_line"):
        return "anonymous_bank"
    cols = [c.strip() for c in head.split(",")]
    if set(GENERIC_COLUMNS) <= set(cols):
        return "generic"
    raise LogError(f"{path}: unrecognised log header {head[:60]!r}; allowed formats: "
                   f"{', '.join(adapter_names())} (give --format, or use the generic CSV "
                   f"columns {', '.join(GENERIC_COLUMNS)})")


def clock_seconds(values):
    """``HH:MM:SS`` clock times (00:00:00 to 23:59:59) or plain seconds to float seconds
    (NaN where unparsable or out of range)."""
    import numpy as np
    import pandas as pd

    s = pd.Series(values, dtype="string").str.strip()
    parts = s.str.extract(r"^(\d{1,2}):(\d{2}):(\d{2})$").astype(float)
    ok = (parts[0] < 24) & (parts[1] < 60) & (parts[2] < 60)
    hms = (parts[0] * 3600 + parts[1] * 60 + parts[2]).where(ok)
    plain = pd.to_numeric(s.where(parts[0].isna()), errors="coerce")
    return np.where(parts[0].notna(), hms, plain).astype(float)


def read(path: Path):
    """The generic CSV adapter (see the module docstring for the schema)."""
    import numpy as np
    import pandas as pd

    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except (pd.errors.ParserError, UnicodeDecodeError, EOFError, OSError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise LogError(f"{path}: not a readable CSV ({first})") from None
    missing = [c for c in GENERIC_COLUMNS if c not in raw.columns]
    if missing:
        raise LogError(f"{path}: missing column {missing[0]!r}; the generic schema needs: "
                       f"{', '.join(GENERIC_COLUMNS)}")
    dq = DataQuality(source=f"{path.name} (generic)", rows_read=len(raw))
    line = np.arange(len(raw)) + 2  # header is line 1
    out = pd.DataFrame({"call_id": raw["call_id"], "priority": raw["priority"],
                        "type": raw["type"], "server": raw["server"].fillna("")})
    out["date"] = pd.to_datetime(raw["date"], format="%Y-%m-%d", errors="coerce")
    out["t_arrival"] = clock_seconds(raw["arrival"])
    out["t_answer"] = clock_seconds(raw["answer"])
    for col in ("ivr_s", "wait_s", "service_s"):
        out[col] = pd.to_numeric(raw[col], errors="coerce")
    out["queued"] = raw["queued"].str.strip().map({"1": True, "0": False})
    outcome = raw["outcome"].str.strip().str.lower()
    out["outcome"] = outcome
    ignore = outcome.eq("ignore").to_numpy()
    bad_outcome = ~outcome.isin(OUTCOMES).to_numpy() & ~ignore
    served = outcome.eq("served").to_numpy()
    bad = np.array(out["date"].isna() | np.isnan(out["t_arrival"]) | out["ivr_s"].isna()
                   | out["wait_s"].isna() | out["queued"].isna()
                   | ~out["ivr_s"].between(0, MAX_DURATION_S)
                   | ~out["wait_s"].between(0, MAX_DURATION_S), dtype=bool)
    bad = bad | (served & ~np.array(out["service_s"].between(0, MAX_DURATION_S)))
    duplicate = np.array(raw["call_id"].duplicated(), dtype=bool)
    keep = np.ones(len(raw), bool)
    for name, mask, note in (("ignored", ignore, "outcome 'ignore'"),
                             ("unknown_outcome", bad_outcome,
                              f"outcome not one of {', '.join(OUTCOMES)}, ignore"),
                             ("malformed", bad & keep, "unparsable, negative or longer "
                                                       "than a day (ivr_s, wait_s, service_s)"),
                             ("duplicate_call_id", duplicate, "call_id seen on an earlier "
                                                              "row: only the first kept")):
        mask = mask & keep
        if mask.any():
            dq.drop(name, line[mask].tolist(), note)
        keep &= ~mask
    out = out[keep].copy()
    out["queued"] = out["queued"].astype(bool)
    served = out["outcome"].eq("served")
    derive = served & out["t_answer"].isna()  # answer = arrival + IVR + wait
    out.loc[derive, "t_answer"] = (out["t_arrival"] + out["ivr_s"] + out["wait_s"])[derive]
    answer = out["t_answer"].to_numpy()
    late = (out["outcome"].eq("served") & (answer < out["t_arrival"])).to_numpy()
    if late.any():
        dq.flag("past_midnight", line[keep][late].tolist(), "answer after midnight: +24 h")
        out.loc[late, "t_answer"] = answer[late] + 86400
    _flag_service(out, line[keep], dq)
    dq.kept = len(out)
    return out.reset_index(drop=True), dq


def _flag_service(out, lines, dq: DataQuality) -> None:
    """Served calls with zero service time or no server: kept, flagged (a served call is a
    served call for the KPIs; it is left out of the handle-time fit or the staffing)."""
    served = out["outcome"].eq("served").to_numpy()
    zero = served & (out["service_s"] == 0).to_numpy()
    if zero.any():
        dq.flag("zero_service_time", lines[zero].tolist(),
                "served, service time 0: kept for KPIs, left out of handle-time fits")
    unknown = served & out["server"].isin(["", "NO_SERVER"]).to_numpy()
    if unknown.any():
        dq.flag("served_without_server", lines[unknown].tolist(),
                "served, no agent named: kept for KPIs, left out of staffing")


def _clock(seconds):
    import numpy as np

    s = np.asarray(seconds, dtype=float)
    ok = np.isfinite(s)
    t = np.where(ok, np.mod(np.round(np.where(ok, s, 0)), 86400), 0).astype(int)
    text = [f"{x // 3600:02d}:{x % 3600 // 60:02d}:{x % 60:02d}" for x in t]
    return [v if good else "" for v, good in zip(text, ok, strict=True)]


def write_generic(df, path: Path) -> None:
    """A canonical table as the generic CSV schema: how any adapter's output (or another
    centre's export) becomes a file ``--format generic`` reads back unchanged."""
    import pandas as pd

    out = pd.DataFrame({
        "call_id": df["call_id"], "date": df["date"].dt.strftime("%Y-%m-%d"),
        "priority": df["priority"], "type": df["type"], "arrival": _clock(df["t_arrival"]),
        "ivr_s": df["ivr_s"], "queued": df["queued"].astype(int), "wait_s": df["wait_s"],
        "outcome": df["outcome"], "answer": _clock(df["t_answer"]),
        "service_s": df["service_s"], "server": df["server"]})
    out.to_csv(path, index=False, float_format="%.10g")
