"""What a report reads from a run directory (the documented output contract)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from sim.errors import ConfigError
from sim.kpi_specs import kpi_fmt

SUMMARY_KEYS = ("scenario", "policy", "n_reps", "overall")  # what every run summary has
TIER_LABELS = {"member": "ordinary member"}  # the domain brief's name for the tier


def label(name: str) -> str:
    """A tier, group, queue or reason as a manager reads it."""
    if name in TIER_LABELS:
        return TIER_LABELS[name]
    words = str(name).replace("_", " ").split(" ")
    return " ".join("VIP" if w == "vip" else w for w in words)


def kind(kpi: str) -> str:
    """How a KPI is formatted: pct, s (seconds), money or count (the KPI registry)."""
    return kpi_fmt(kpi)


def error_bars(mean, low, high, half_width, scale: float = 1.0) -> tuple[float, float]:
    """(above, below) the mean for an error bar: from ``low``/``high`` when known, since a
    share's interval is clipped to [0, 1] (summary.json), else the symmetric half-width."""
    def ok(x) -> bool:
        return x is not None and x == x

    if ok(mean) and ok(low) and ok(high):
        return scale * (high - mean), scale * (mean - low)
    hw = half_width if ok(half_width) else 0.0
    return scale * hw, scale * hw


def clipped(st) -> bool:
    """Whether an interval was clipped to [0, 1] (its ends are not mean ± half-width)."""
    try:
        m, hw, lo, hi = (float(st[k]) for k in ("mean", "half_width", "low", "high"))
    except (KeyError, TypeError, ValueError):
        return False
    return abs(hi - lo - 2 * hw) > 1e-12 * max(1.0, abs(m))


@dataclass
class RunData:
    """A finished run: its summary, config and (when written) its tables."""

    dir: Path
    summary: dict
    config: dict = field(default_factory=dict)
    overrides: list[str] = field(default_factory=list)
    _tables: dict = field(default_factory=dict, repr=False)  # read once (callers don't mutate)

    def table(self, name: str, columns: list[str] | None = None):
        """``name``.parquet as a DataFrame, or None when the run did not write it."""

        key = (name, tuple(columns) if columns else None)
        if key not in self._tables:
            path = self.dir / f"{name}.parquet"
            self._tables[key] = _parquet(path, columns) if path.exists() else None
        return self._tables[key]

    def csv(self, name: str):
        import pandas as pd

        path = self.dir / f"{name}.csv"
        return pd.read_csv(path) if path.exists() else None

    @property
    def scenario(self) -> dict:
        return self.config.get("scenario") or {}

    def kpi(self, kpi: str, scope: str = "overall", name: str | None = None) -> dict:
        block = self.summary.get(scope, {})
        block = block.get(name, {}) if name is not None else block
        st = block.get(kpi)
        return st if isinstance(st, dict) else {"mean": st, "half_width": None}


def work_classes(run: RunData) -> set[str]:
    """Classes of the agents' own work (``classes.NAME.kind: work``): in the tables by
    class, but no calls."""
    classes = run.scenario.get("classes") or {}
    return {n for n, c in classes.items() if isinstance(c, dict) and c.get("kind") == "work"}


def _parquet(path: Path, columns: list[str] | None):
    """A table of the output contract; a truncated or corrupt file is bad input."""
    import pandas as pd

    try:
        return pd.read_parquet(path, columns=columns)
    except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
        why = " ".join(str(exc).split())[:200]
        raise ConfigError(str(path), f"cannot be read ({why}); allowed: a complete parquet "
                                     f"file as ccsim writes it (rerun the scenario)") from None


def load_run(run_dir: Path) -> RunData:
    """Read a run directory; a directory that holds no run is bad input."""
    path = run_dir / "summary.json"
    if not path.exists():
        raise ConfigError(str(run_dir), "holds no summary.json (want a ccsim run output "
                                        "directory or a sweep directory with sweep.parquet)")
    try:
        summary = json.loads(path.read_text())
    except ValueError as exc:
        raise ConfigError(str(path), f"is not valid JSON ({exc})") from None
    missing = [k for k in SUMMARY_KEYS if not isinstance(summary, dict) or k not in summary]
    if missing:
        raise ConfigError(str(path), f"is not a ccsim run summary (no {missing[0]!r}); "
                                     f"allowed: the summary.json a ccsim run writes")
    return RunData(run_dir, summary, _yaml(run_dir / "resolved_config.yaml") or {},
                   _yaml(run_dir / ".hydra" / "overrides.yaml") or [])


def _yaml(path: Path):
    if not path.exists():
        return None
    import yaml

    try:
        return yaml.safe_load(path.read_text())
    except yaml.YAMLError:
        return None
