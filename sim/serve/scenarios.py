"""Which scenarios the app offers and the configs they compose to: the shipped ones
(``configs/scenario/``) and scenario files found under ``outputs/`` (calibrated, planned,
saved by this app), each composed exactly as ``ccsim`` would compose it."""

from __future__ import annotations

import re
from pathlib import Path

from sim.paths import CONFIG_DIR

# where scenario files written by ccsim's own commands are looked for (read only)
FOUND_UNDER = ("outputs/calibrate", "outputs/staff/scenario", "outputs/forecast")
NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,80}$")


def shipped() -> list[str]:
    return sorted(p.stem for p in (Path(CONFIG_DIR) / "scenario").glob("*.yaml"))


def choices(out_dir: Path) -> dict[str, str]:
    """label -> source: ``shipped:NAME`` or ``file:PATH`` (a scenario YAML)."""
    out = {n: f"shipped:{n}" for n in shipped()}
    dirs = [Path(d) for d in FOUND_UNDER] + [out_dir / "scenario"]
    for d in dirs:
        for p in sorted(d.glob("*.yaml")) if d.is_dir() else []:
            out[f"{p.stem} ({d})"] = f"file:{p}"
    return out


def compose(source: str) -> dict:
    """The composed config (plain containers) of a scenario source; ConfigError if bad."""
    from sim.check.runs import compose_config
    from sim.check.spec import SLAError
    from sim.errors import ConfigError

    kind, _, what = source.partition(":")
    if kind == "shipped" and what in shipped():
        overrides = [f"scenario={what}"]
    elif kind == "file" and what.endswith(".yaml") and Path(what).is_file():
        p = Path(what).resolve()
        # a scenario file is found by name in a scenario/ folder of a search-path dir
        if p.parent.name != "scenario":
            return _with_scenario_file(p)
        overrides = [f"hydra.searchpath=[file://{p.parent.parent}]", f"scenario={p.stem}"]
    else:
        raise ConfigError("scenario", f"unknown scenario {source!r}; allowed: "
                                      f"{', '.join(shipped())} or a YAML file under outputs/")
    try:
        cfg = compose_config(overrides)
    except SLAError as exc:
        raise ConfigError("scenario", str(exc)) from None
    cfg.pop("hydra", None)
    return cfg


def _with_scenario_file(path: Path) -> dict:
    """A scenario file outside a scenario/ folder (``ccsim calibrate``'s): the default
    config with its scenario node replaced by the file's content."""
    import yaml

    from sim.errors import ConfigError

    try:
        scn = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(str(path), f"cannot read the scenario: {' '.join(str(exc).split())}"
                          ) from None
    if not isinstance(scn, dict):
        raise ConfigError(str(path), "is not a scenario mapping")
    cfg = compose(f"shipped:{shipped()[0]}")
    cfg["scenario"] = scn
    return cfg


def policies() -> list[str]:
    return sorted(p.stem for p in (Path(CONFIG_DIR) / "policy").glob("*.yaml"))


def policy_config(name: str) -> dict:
    """``configs/policy/NAME.yaml`` as a mapping (name, class, params)."""
    import yaml

    from sim.errors import ConfigError

    if name not in policies():
        raise ConfigError("policy", f"unknown policy {name!r}; allowed: {', '.join(policies())}")
    cfg = yaml.safe_load((Path(CONFIG_DIR) / "policy" / f"{name}.yaml").read_text())
    cfg.setdefault("params", {})
    cfg["params"] = dict(cfg["params"] or {})
    return cfg


def sla_for(scenario_name: str) -> str | None:
    """The SLA spec named after the scenario (sla/NAME.yaml), which ``ccsim staff`` and
    ``ccsim check`` take by name; None when there is none."""
    from sim.check.gate import sla_dir

    return scenario_name if (sla_dir() / f"{scenario_name}.yaml").is_file() else None
