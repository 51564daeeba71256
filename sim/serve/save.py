"""Saving an edited what-if as a scenario file ``ccsim`` runs as it is.

Hydra finds a scenario by ``scenario=NAME`` in a ``scenario/`` folder of a search-path
directory, so the file goes to ``OUT/scenario/NAME.yaml`` (as ``ccsim staff`` does). The
scenario keeps its ``name`` (an SLA spec's scenario guard still accepts it); the routing
policy and the run keys are not scenario keys, so the header gives the one command that
reproduces the app's numbers.
"""

from __future__ import annotations

import re
from pathlib import Path

from sim.errors import ConfigError

PLAIN = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,60}$")


def hydra_value(v) -> str:
    """A value in Hydra's override grammar."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "null"
    if isinstance(v, list | tuple):
        return "[" + ",".join(hydra_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ",".join(f"{k}:{hydra_value(x)}" for k, x in v.items()) + "}"
    return str(v)


def run_overrides(cfg: dict) -> list[str]:
    """The non-scenario keys the what-if ran with: policy (and its params), seed, n_reps."""
    from sim.serve.scenarios import policies, policy_config

    pol = cfg.get("policy") or {}
    out = []
    name = pol.get("name")
    if name in policies():
        out.append(f"policy={name}")
        default = policy_config(name)["params"]
        out += [f"policy.params.{k}={hydra_value(v)}"
                for k, v in (pol.get("params") or {}).items() if default.get(k) != v]
    return out + [f"seed={cfg.get('seed')}", f"n_reps={cfg.get('n_reps')}"]


def command(out_dir: Path, name: str, cfg: dict) -> list[str]:
    """``ccsim`` arguments running the saved scenario with the what-if's settings."""
    return [f"hydra.searchpath=[file://{Path(out_dir).resolve()}]", f"scenario={name}",
            *run_overrides(cfg)]


def save_scenario(out_dir: Path, name: str | None, cfg: dict) -> tuple[Path, str]:
    """Write ``OUT/scenario/NAME.yaml``; returns its path and the shell command."""
    import shlex

    import yaml

    if not name or not PLAIN.match(name):
        raise ConfigError("scenario name", f"{name!r} is not a plain file name; allowed: a "
                                           "letter, then letters, digits, _ or - (at most 61)")
    path = Path(out_dir) / "scenario" / f"{name}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    args = command(out_dir, name, cfg)
    line = "ccsim " + " ".join(shlex.quote(a) for a in args)
    header = (f"# Saved by ccsim serve: the what-if edited from scenario "
              f"{cfg['scenario'].get('name')!r}.\n# Run it with the same numbers as the app:\n"
              f"#   {line}\n")
    path.write_text(header + yaml.safe_dump(cfg["scenario"], sort_keys=False,
                                            default_flow_style=None, width=100))
    return path, line
