"""The ``ccsim`` command: a Hydra app over ``configs/`` (``experiment=NAME`` selects a study).

Bad input of any kind (config key, value, override, file) ends with one line on stderr
naming the key and what is allowed, and exit code 2 — never a traceback.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import hydra
from omegaconf import DictConfig

EXIT_BAD_INPUT = 2
CONFIG_DIR = str(Path(__file__).resolve().parent.parent / "configs")  # editable install


def _fail(message: str) -> None:
    print(f"ccsim: error: {message}", file=sys.stderr)
    raise SystemExit(EXIT_BAD_INPUT)


def _one_line(exc: BaseException) -> str:
    """Hydra/OmegaConf errors span lines; keep the informative first line of each level."""
    parts = []
    while exc is not None and len(parts) < 2:
        first = str(exc).strip().splitlines()
        if first and first[0] not in parts:
            parts.append(first[0].rstrip("."))
        exc = exc.__cause__
    return ": ".join(parts) or type(exc).__name__


@hydra.main(version_base="1.3", config_path=CONFIG_DIR, config_name="config")
def _app(cfg: DictConfig) -> dict:
    from hydra.core.hydra_config import HydraConfig
    from omegaconf import OmegaConf

    from sim.runner import simulate
    from sim.summary_table import format_summary

    out_dir = Path(HydraConfig.get().runtime.output_dir)
    plain = OmegaConf.to_container(cfg, resolve=True)
    result = simulate(plain, out_dir)
    print(format_summary(result.summary))
    print(f"outputs: {out_dir}")
    return result.summary


def main(argv: list[str] | None = None) -> None:
    """Entry point of ``ccsim`` and ``python -m sim``."""
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    from sim.errors import ConfigError

    if argv is not None:
        sys.argv = [sys.argv[0], *argv]
    os.environ["HYDRA_FULL_ERROR"] = "1"  # let errors reach us; we print them as one line
    try:
        _app()
    except ConfigError as exc:
        _fail(str(exc))
    except (HydraException, OmegaConfBaseException) as exc:
        _fail(_one_line(exc))
