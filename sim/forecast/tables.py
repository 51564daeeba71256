"""The column contract of what ``ccsim forecast`` writes: name, type, unit, bounds.

A small typed spec rather than a dataframe-validation library (pandera is not in the
environment, and four flat tables do not need one). Every table is checked against it
just before it is written, so a code change that renames, drops, retypes or fills a column
out of its range fails at once instead of reaching a planner's spreadsheet; the README's
column reference lists the same columns, and a test holds the two together.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from sim.forecast.models import LEVELS

LEVEL_NAMES = ("interval", "scenario_interval", "day")  # backtest levels
MODEL_NAMES = ("ets", "historical_average", "seasonal_naive")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class Column:
    """One column: pandas dtype kind (``str``, ``int64``, ``float64``), unit, and what its
    values may be (``low``/``high`` inclusive bounds, a regex ``pattern`` or ``choices``
    for text, ``nullable``: empty/NaN allowed)."""

    name: str
    dtype: str
    unit: str
    low: float | None = None
    high: float | None = None
    nullable: bool = False
    pattern: str | None = None
    choices: tuple[str, ...] | None = None


def _calls(name: str) -> Column:
    return Column(name, "float64", "calls", low=0.0)


_DAY = (Column("date", "str", "date", pattern=r"\d{4}-\d{2}-\d{2}"),
        Column("weekday", "str", "", choices=WEEKDAYS),
        Column("holiday", "str", "", nullable=True))
_BANDS = tuple(_calls(f"{side}{round(lv * 100)}") for lv in LEVELS for side in ("lo", "hi"))

TABLES: dict[str, tuple[Column, ...]] = {
    "forecast_intervals": (
        *_DAY, Column("interval", "int64", "", low=0),
        Column("start", "str", "HH:MM", pattern=r"\d{2}:\d{2}"),
        _calls("expected_calls"), *_BANDS),
    "forecast_days": (
        *_DAY, Column("like", "str", "", nullable=True, choices=WEEKDAYS),
        _calls("expected_calls"), *_BANDS, Column("day_cv", "float64", "", low=0.0)),
    "backtest": (
        Column("model", "str", "", choices=MODEL_NAMES),
        Column("horizon_week", "int64", "weeks", low=1, high=2),
        Column("level", "str", "", choices=LEVEL_NAMES),
        Column("wape", "float64", "share", low=0.0, nullable=True),
        Column("cover80", "float64", "share", low=0.0, high=1.0, nullable=True),
        Column("cover95", "float64", "share", low=0.0, high=1.0, nullable=True),
        Column("n", "int64", "cells", low=0), Column("n_cover", "int64", "cells", low=0),
        Column("origins", "int64", "", low=1)),
    "backtest_by_day": (
        Column("model", "str", "", choices=MODEL_NAMES),
        Column("horizon_day", "int64", "days", low=1, high=14),
        Column("wape_interval", "float64", "share", low=0.0, nullable=True),
        Column("wape_day", "float64", "share", low=0.0, nullable=True)),
}


def columns(name: str) -> list[str]:
    return [c.name for c in TABLES[name]]


def problems(name: str, frame) -> list[str]:
    """Every way ``frame`` differs from table ``name``'s spec (empty: it conforms)."""
    import pandas as pd

    spec = TABLES[name]
    want = columns(name)
    if list(frame.columns) != want:
        return [f"{name}: columns {list(frame.columns)}, the spec says {want}"]
    if frame.empty:
        return []  # a history too short for one backtest origin: the header alone
    out = []
    for c in spec:
        s = frame[c.name]
        if c.dtype == "str":
            empty = s.isna() | (s.astype("string") == "")
            vals = s[~empty].astype(str)
            kind_ok = pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s) \
                or bool(empty.all())
            bad = vals[~vals.map(lambda v, c=c: _text_ok(c, v))]
        else:
            empty = s.isna()
            vals = s[~empty]
            kind_ok = (pd.api.types.is_integer_dtype(s) if c.dtype == "int64"
                       else pd.api.types.is_float_dtype(s) or bool(empty.all()))
            bad = vals[~vals.map(lambda v, c=c: _number_ok(c, v))]
        if not kind_ok:
            out.append(f"{name}.{c.name}: dtype {s.dtype}, the spec says {c.dtype}")
        if empty.any() and not c.nullable:
            out.append(f"{name}.{c.name}: {int(empty.sum())} empty values, not allowed")
        if len(bad):
            out.append(f"{name}.{c.name}: {len(bad)} values out of spec, e.g. {bad.iloc[0]!r}")
    return out


def _text_ok(c: Column, v: str) -> bool:
    if c.choices is not None and v not in c.choices:
        return False
    return c.pattern is None or re.fullmatch(c.pattern, v) is not None


def _number_ok(c: Column, v) -> bool:
    v = float(v)
    return math.isfinite(v) and (c.low is None or v >= c.low) and (
        c.high is None or v <= c.high)


def checked(name: str, frame):
    """``frame`` if it matches its spec; else a bug in the forecast code (not bad input):
    RuntimeError naming every column that differs, before anything is written."""
    errs = problems(name, frame)
    if errs:
        raise RuntimeError("forecast table out of its column spec: " + "; ".join(errs))
    return frame


def read(path) -> object:
    """A written table read back with the spec's types (text columns stay text, empty
    text is '' not NaN)."""
    import pandas as pd

    name = path.name.removesuffix(".csv")
    spec = TABLES[name]
    frame = pd.read_csv(path, dtype={c.name: object for c in spec if c.dtype == "str"},
                        keep_default_na=False, na_values={c.name: [""] for c in spec
                                                          if c.dtype != "str"})
    return frame
