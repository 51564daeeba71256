"""Holiday tables (``sim/data/holidays/NAME.yaml``, shipped with the package): days left
out of the model fits and forecast like an ordinary weekday (``like``), e.g. a holiday like
a Saturday."""

from __future__ import annotations

from pathlib import Path

from sim.forecast.history import HistoryError
from sim.forecast.models import Holiday

BANK_TABLE = "israel_1999"


def table_dir() -> Path:
    """Shipped tables live beside the data they describe (package data, not Hydra config:
    a folder in configs/ would show as a config group)."""
    return Path(__file__).resolve().parent.parent / "data" / "holidays"


def load(spec: str, fmt: str, hist) -> dict[str, Holiday]:
    """The table named by ``--holidays`` (``auto``: the bank's for its data, else none)."""
    return table(spec, hist.quality.source.endswith(("(anonymous_bank_counts)",
                                                     "(call log, anonymous_bank)")))


def resolve(spec: str, bank: bool) -> str:
    """``--holidays`` with ``auto`` resolved: the bank's table when ``bank``, else none."""
    if spec == "auto":
        return BANK_TABLE if bank else "none"
    return spec


def table(spec: str, bank: bool) -> dict[str, Holiday]:
    """The table named by ``--holidays`` (``auto``: ``resolve``); shared by ``ccsim
    forecast`` and ``ccsim calibrate``."""
    spec = resolve(spec, bank)
    if spec == "none":
        return {}
    path = Path(spec)
    if path.suffix not in (".yaml", ".yml"):
        path = table_dir() / f"{spec}.yaml"
        if not path.is_file():
            names = sorted(p.stem for p in table_dir().glob("*.yaml"))
            raise HistoryError(f"--holidays {spec!r}: unknown table; allowed: auto, none, "
                               f"{', '.join(names)} or a .yaml file")
    return read(path)


def read(path: Path) -> dict[str, Holiday]:
    """A holiday table, checked against its schema (:mod:`sim.schema.forecast`)."""
    import yaml

    from sim.errors import ConfigError
    from sim.schema.errors import validate
    from sim.schema.forecast import HolidayTable

    if not path.is_file():
        raise HistoryError(f"--holidays {path}: no such file")
    try:
        doc = yaml.safe_load(path.read_text())
    except (yaml.YAMLError, UnicodeDecodeError):
        raise HistoryError(f"--holidays {path}: invalid YAML") from None
    try:
        table = validate(HolidayTable, doc, "")
    except ConfigError as exc:  # "days[0].like 'Funday': allowed: one of Monday, ..."
        what, got, value = exc.message.rpartition(", got ")
        where = f"{exc.key or 'top level'} {value}" if got else exc.key or "top level"
        allowed = what.removeprefix("must be ") if got else exc.message
        raise HistoryError(f"--holidays {path}: {where}: allowed: {allowed}") from None
    return {d.date.isoformat(): Holiday(d.date.isoformat(), d.name, d.like)
            for d in table.days}
