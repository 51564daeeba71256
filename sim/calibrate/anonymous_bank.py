"""Adapter for the Anonymous Bank call log (Technion SEE lab, 1999; ``sim/data``).

Tab-separated, one header line, 17 fields (see ``sim/data/PROVENANCE.md``). What it does
with the log's quirks — every row is kept, corrected and flagged, or dropped and counted:

- a row without 17 fields, or with an unparsable date, time or number: dropped
  (``malformed``); an outcome other than AGENT/HANG/PHANTOM: dropped
  (``unknown_outcome``); PHANTOM records ("a virtual record to ignore"): dropped
  (``phantom``); a service type outside PS, PE, IN, NE, NW, TT: dropped
  (``unknown_type``); a date that is not YYMMDD (00-68: 20xx): ``malformed``; a priority
  other than 0, 1, 2: kept as its own classes, flagged (``unknown_priority``);
- a time earlier than the one before it by more than 12 h is the next day: +24 h
  (flag ``past_midnight``); an IVR exit a little *before* the IVR entry (a clock skew of
  seconds): the call is taken to arrive at the IVR exit with no IVR time
  (flag ``ivr_exit_before_entry``);
- HANG with a queue record is a queue abandonment, HANG without one ended in the IVR;
  HANG with a service time: kept as abandoned (flag ``abandoned_with_service_time``);
- served with service time 0 or without a server name: kept (flags, see ``schema``).

``call_id`` repeats across VRU lines, so the call id is ``vru+line:call_id``.
"""

from __future__ import annotations

from pathlib import Path

from sim.calibrate.schema import DataQuality, LogError, _flag_service, clock_seconds, open_text

FIELDS = ("vru+line", "call_id", "customer_id", "priority", "type", "date", "vru_entry",
          "vru_exit", "vru_time", "q_start", "q_exit", "q_time", "outcome", "ser_start",
          "ser_exit", "ser_time", "server")
TYPES = ("PS", "PE", "IN", "NE", "NW", "TT")
OUTCOMES = ("AGENT", "HANG", "PHANTOM")
PRIORITIES = ("0", "1", "2")  # the data README's; another is kept and flagged
CLOCKS = ("vru_entry", "vru_exit", "q_start", "q_exit", "ser_start", "ser_exit")
NUMBERS = ("vru_time", "q_time", "ser_time")
DAY = 86400.0
# the bank's working week (Israel): Sunday to Thursday; Friday short; Saturday evening
DAY_TYPES = {"Sunday": "weekday", "Monday": "weekday", "Tuesday": "weekday",
             "Wednesday": "weekday", "Thursday": "weekday", "Friday": "friday",
             "Saturday": "saturday"}


def _rows(path: Path, dq: DataQuality) -> tuple[list[list[str]], list[int]]:
    """Split lines into fields; a row with the wrong number of fields is dropped."""
    rows, lines, bad = [], [], []
    with open_text(path) as fh:
        header = fh.readline().rstrip("\r\n").split("\t")
        if tuple(h.strip() for h in header) != FIELDS:
            missing = [f for f in FIELDS if f not in [h.strip() for h in header]]
            what = f"missing column {missing[0]!r}" if missing else "columns out of order"
            raise LogError(f"{path}: not an Anonymous Bank log ({what}); expected tab-"
                           f"separated columns {', '.join(FIELDS)}")
        for n, text in enumerate(fh, start=2):
            text = text.rstrip("\r\n")
            if not text.strip():
                continue
            parts = text.split("\t")
            if len(parts) != len(FIELDS):
                bad.append(n)
                continue
            rows.append([p.strip() for p in parts])
            lines.append(n)
    dq.rows_read = len(rows) + len(bad)
    if bad:
        dq.drop("malformed", bad, f"not {len(FIELDS)} tab-separated fields, or a field "
                                  "that does not parse")
    return rows, lines


def read(path: Path):
    """The log as the canonical table (``sim.calibrate.schema.CANONICAL``) and its quality."""
    import numpy as np
    import pandas as pd

    dq = DataQuality(source=f"{path.name} (anonymous_bank)")
    rows, lines = _rows(path, dq)
    raw = pd.DataFrame(rows, columns=list(FIELDS))
    line = np.asarray(lines, dtype=np.int64)
    t = {c: clock_seconds(raw[c]) for c in CLOCKS}
    num = {c: pd.to_numeric(raw[c], errors="coerce").to_numpy(float) for c in NUMBERS}
    # YYMMDD: 69-99 are 19xx, 00-68 20xx (POSIX), so a log of 2000 is not read as 1900
    date = pd.to_datetime(raw["date"], format="%y%m%d", errors="coerce")
    bad = (date.isna().to_numpy() | ~raw["date"].str.fullmatch(r"\d{6}").to_numpy()
           | ~raw["priority"].str.fullmatch(r"\d+").to_numpy())
    for a in (*t.values(), *num.values()):
        bad |= np.isnan(a)
    keep = ~bad
    if bad.any():
        dq.drop("malformed", line[bad].tolist())
    for name, mask, note in (
            ("unknown_outcome", ~raw["outcome"].isin(OUTCOMES).to_numpy(),
             f"outcome not one of {', '.join(OUTCOMES)}"),
            ("phantom", raw["outcome"].eq("PHANTOM").to_numpy(),
             "PHANTOM: a virtual record to ignore (data README)"),
            ("unknown_type", ~raw["type"].isin(TYPES).to_numpy(),
             f"type not one of {', '.join(TYPES)}")):
        mask = mask & keep
        if mask.any():
            dq.drop(name, line[mask].tolist(), note)
        keep &= ~mask
    odd = keep & ~raw["priority"].isin(PRIORITIES).to_numpy()
    if odd.any():
        dq.flag("unknown_priority", line[odd].tolist(), f"priority not one of "
                f"{', '.join(PRIORITIES)} (data README): kept, classes of its own")
    out = _canonical(raw, t, num, date, keep, line, dq)
    _flag_service(out, line[keep], dq)
    dq.kept = len(out)
    return out.reset_index(drop=True), dq


def _canonical(raw, t, num, date, keep, line, dq: DataQuality):
    import numpy as np
    import pandas as pd

    t = {c: a[keep] for c, a in t.items()}
    num = {c: a[keep] for c, a in num.items()}
    raw, line = raw[keep], line[keep]
    queued = t["q_start"] > 0  # 0:00:00 means "never queued"
    served = raw["outcome"].eq("AGENT").to_numpy()
    wrapped = np.zeros(len(raw), bool)
    for start, end in (("vru_entry", "vru_exit"), ("q_start", "q_exit"),
                       ("ser_start", "ser_exit"), ("vru_entry", "ser_start")):
        w = (t[end] > 0) & (t[start] - t[end] > DAY / 2)
        t[end] = np.where(w, t[end] + DAY, t[end])
        wrapped |= w
    ivr = num["vru_time"].copy()
    ivr = np.where(ivr < -DAY / 2, ivr + DAY, ivr)
    skew = ivr < 0
    arrival = np.where(skew, t["vru_exit"], t["vru_entry"])
    ivr = np.where(skew, 0.0, ivr)
    answer = np.where(t["ser_start"] > 0, t["ser_start"], arrival + ivr + num["q_time"])
    if wrapped.any():
        dq.flag("past_midnight", line[wrapped].tolist(), "a time after midnight: +24 h")
    if skew.any():
        dq.flag("ivr_exit_before_entry", line[skew].tolist(),
                "IVR exit before entry: arrival at the IVR exit, IVR time 0")
    for col, name in (("q_time", "negative_wait_time"), ("ser_time", "negative_service_time")):
        neg = num[col] < 0
        if neg.any():
            dq.flag(name, line[neg].tolist(), f"{col} < 0 (clock skew): times from the "
                                              f"start/exit stamps where used")
    hang_service = ~served & (num["ser_time"] > 0)
    if hang_service.any():
        dq.flag("abandoned_with_service_time", line[hang_service].tolist(),
                "HANG with a service time: kept as abandoned")
    outcome = np.where(served, "served", np.where(queued, "abandoned", "ivr_abandoned"))
    return pd.DataFrame({
        "call_id": (raw["vru+line"] + ":" + raw["call_id"]).to_numpy(),
        "date": date[keep].to_numpy(), "priority": raw["priority"].to_numpy(),
        "type": raw["type"].to_numpy(), "t_arrival": arrival, "ivr_s": ivr,
        "queued": queued, "wait_s": np.where(queued, num["q_time"], 0.0),
        "outcome": outcome, "t_answer": np.where(served, answer, np.nan),
        "service_s": np.where(served, num["ser_time"], np.nan),
        "server": raw["server"].replace("NO_SERVER", "").to_numpy(),
    })
