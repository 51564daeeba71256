"""The forecast as a scenario file: a base scenario with the target days' volumes and the
day-level forecast error (``arrivals.day_volume_cv``), which ``ccsim scenario=NAME`` (and
``ccsim staff``, ``ccsim check``, which take the same overrides) run directly."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sim.forecast.history import HistoryError


def base_path(name_or_file: str) -> Path:
    """A scenario file, or the name of one in the configs' ``scenario/`` group."""
    from sim.paths import CONFIG_DIR

    path = Path(name_or_file)
    if path.suffix in (".yaml", ".yml"):
        if not path.is_file():
            raise HistoryError(f"--scenario {path}: no such file")
        return path
    group = Path(CONFIG_DIR) / "scenario"
    path = group / f"{name_or_file}.yaml"
    if not path.is_file():
        names = sorted(p.stem for p in group.glob("*.yaml"))
        raise HistoryError(f"--scenario {name_or_file!r}: unknown scenario; allowed: "
                           f"{', '.join(names)} or a .yaml file")
    return path


def load_base(name_or_file: str) -> dict:
    import yaml

    path = base_path(name_or_file)
    try:
        scn = yaml.safe_load(path.read_text())
    except yaml.YAMLError:
        raise HistoryError(f"--scenario {path}: invalid YAML") from None
    if not isinstance(scn, dict) or "arrivals" not in scn:
        raise HistoryError(f"--scenario {path}: not a scenario (needs horizon, arrivals, "
                           f"queues, groups)")
    return scn


def resolution(scn: dict, history_interval_s: int) -> int:
    """How many history intervals make one scenario interval (an error if none fits)."""
    hz = scn.get("horizon", {}) or {}
    interval_s = float(hz.get("interval_s", 1800))
    per_day = int(hz.get("intervals_per_day", 48))
    if abs(interval_s * per_day - 86400) > 1e-6:
        raise HistoryError(f"--scenario: horizon.interval_s × intervals_per_day = "
                           f"{interval_s * per_day:g} s; a forecast needs whole days (86400)")
    factor = interval_s / history_interval_s
    if factor < 1 or factor != int(factor):
        raise HistoryError(f"--scenario: its interval ({interval_s:g} s) is not a multiple of "
                           f"the history's ({history_interval_s} s); allowed: a scenario "
                           f"whose interval_s is a multiple of {history_interval_s}")
    return int(factor)


def own_volume_classes(scn: dict, fixed: set[str]) -> list[str]:
    classes = scn.get("classes") or {}
    return [c for c, v in classes.items()
            if isinstance(v, dict) and "calls_per_interval" in v and c not in fixed]


def build(scn: dict, total: np.ndarray, by_class: dict[str, np.ndarray], day_cv: float,
          name: str, fixed: set[str]) -> tuple[dict, list[str]]:
    """The new scenario (a copy of ``scn``) and notes on how the volumes were placed.

    ``total`` and ``by_class`` are expected calls per scenario interval (days × per_day).
    Classes of the base with their own ``calls_per_interval`` get the forecast of the
    class of the same name; a history without classes is split among them by the base's
    own class shares per interval. ``fixed`` classes (e.g. hidden work: not calls) keep
    the base's volumes."""
    import copy

    out = copy.deepcopy(scn)
    days = total.shape[0]
    out["name"] = name
    out.setdefault("horizon", {})["days"] = days
    arr = out["arrivals"]
    notes: list[str] = []
    own = own_volume_classes(out, fixed)
    if own:
        placed = _class_volumes(out, own, total, by_class, notes)
        for c in own:
            out["classes"][c]["calls_per_interval"] = _rounded(placed[c])
        arr["calls_per_interval"] = 0
    else:
        if by_class:
            notes.append("the base scenario has no classes with their own volumes: the "
                         "history's classes are summed and split by the base's mix")
        arr["calls_per_interval"] = _rounded(total)
    arr["day_volume_cv"] = round(float(day_cv), 4)
    return out, notes


def _class_volumes(scn: dict, own: list[str], total: np.ndarray,
                   by_class: dict[str, np.ndarray], notes: list[str]) -> dict:
    per_day = total.shape[1]
    base = {c: _per_day(scn["classes"][c]["calls_per_interval"], per_day, c) for c in own}
    if by_class:
        out = {c: np.zeros_like(total) for c in own}
        for c, v in by_class.items():
            target = c if c in out else _pool(c, out)
            if target is None:
                raise HistoryError(f"history class {c!r} is not a class of the base scenario; "
                                   f"allowed: {', '.join(own)} (or p<priority>_other to pool)")
            if target != c:
                notes.append(f"history class {c} pooled into {target}")
            out[target] += v
        return out
    b = np.array([base[c] for c in own])  # classes × per_day
    col = b.sum(axis=0)
    day_share = b.sum(axis=1) / b.sum() if b.sum() > 0 else np.full(len(own), 1 / len(own))
    share = np.where(col > 0, b / np.where(col > 0, col, 1), day_share[:, None])
    notes.append("the history has no classes: each interval's forecast is split among "
                 f"{len(own)} classes by the base scenario's class shares in that interval")
    return {c: total * share[i] for i, c in enumerate(own)}


def _pool(cls: str, out: dict) -> str | None:
    prio = cls.split("_")[0]
    other = f"{prio}_other"
    return other if other in out else None


def _per_day(value, per_day: int, name: str) -> np.ndarray:
    v = np.atleast_1d(np.asarray(value, float))
    if len(v) == 1:
        return np.full(per_day, v[0])
    if len(v) < per_day or len(v) % per_day:
        raise HistoryError(f"--scenario: classes.{name}.calls_per_interval has {len(v)} "
                           f"values; allowed: 1 or a multiple of {per_day}")
    return v[:per_day]


def _rounded(m: np.ndarray) -> list[float]:
    return [round(float(x), 4) for x in np.ravel(m)]


def to_yaml(scn: dict, header_lines: list[str]) -> str:
    import yaml

    class Dumper(yaml.SafeDumper):
        def ignore_aliases(self, data):  # every class reads alone
            return True

    body = yaml.dump(scn, Dumper=Dumper, sort_keys=False, default_flow_style=None, width=96)
    return "".join(f"# {ln}\n" for ln in header_lines) + body


def write(scn: dict, path: Path, header_lines: list[str]) -> None:
    """Write the scenario, once it passes the scenario schema (a forecast never leaves a
    file ``ccsim`` would refuse)."""
    from sim.config import build_model_spec

    build_model_spec(scn)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(to_yaml(scn, header_lines))
