"""Holiday tables (``sim/data/holidays/NAME.yaml``, shipped with the package): days left
out of the model fits and forecast like an ordinary weekday (``like``), e.g. a holiday like
a Saturday."""

from __future__ import annotations

from pathlib import Path

from sim.forecast.history import HistoryError
from sim.forecast.models import WEEKDAYS, Holiday

BANK_TABLE = "israel_1999"


def table_dir() -> Path:
    """Shipped tables live beside the data they describe (package data, not Hydra config:
    a folder in configs/ would show as a config group)."""
    return Path(__file__).resolve().parent.parent / "data" / "holidays"


def load(spec: str, fmt: str, hist) -> dict[str, Holiday]:
    """The table named by ``--holidays`` (``auto``: the bank's for its data, else none)."""
    if spec == "none":
        return {}
    if spec == "auto":
        bank = hist.quality.source.endswith(("(anonymous_bank_counts)",
                                             "(call log, anonymous_bank)"))
        return read(table_dir() / f"{BANK_TABLE}.yaml") if bank else {}
    path = Path(spec)
    if path.suffix not in (".yaml", ".yml"):
        path = table_dir() / f"{spec}.yaml"
        if not path.is_file():
            names = sorted(p.stem for p in table_dir().glob("*.yaml"))
            raise HistoryError(f"--holidays {spec!r}: unknown table; allowed: auto, none, "
                               f"{', '.join(names)} or a .yaml file")
    return read(path)


def read(path: Path) -> dict[str, Holiday]:
    import datetime

    import yaml

    if not path.is_file():
        raise HistoryError(f"--holidays {path}: no such file")
    try:
        doc = yaml.safe_load(path.read_text())
    except yaml.YAMLError:
        raise HistoryError(f"--holidays {path}: invalid YAML") from None
    days = doc.get("days") if isinstance(doc, dict) else None
    if not isinstance(days, list):
        raise HistoryError(f"--holidays {path}: needs a list 'days' of {{date, name, like}}")
    out = {}
    for i, d in enumerate(days):
        key = f"--holidays {path}: days[{i}]"
        if not isinstance(d, dict) or "date" not in d:
            raise HistoryError(f"{key}: needs date (YYYY-MM-DD), name and like")
        date = d["date"]
        if isinstance(date, str):
            try:
                date = datetime.date.fromisoformat(date)
            except ValueError:
                raise HistoryError(f"{key}.date {date!r}: allowed: YYYY-MM-DD") from None
        if not isinstance(date, datetime.date):
            raise HistoryError(f"{key}.date {date!r}: allowed: YYYY-MM-DD")
        like = d.get("like")
        if like is not None and like not in WEEKDAYS:
            raise HistoryError(f"{key}.like {like!r}: allowed: null or one of "
                               f"{', '.join(WEEKDAYS)}")
        out[date.isoformat()] = Holiday(date.isoformat(), str(d.get("name", "")), like)
    return out
