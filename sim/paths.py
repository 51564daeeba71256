"""Where ccsim's shipped configuration lives (a leaf module: the CLI, the runner and the
subcommands all need it, and none of them may import another for it)."""

from __future__ import annotations

import sys
from pathlib import Path


def _config_dir() -> str:
    """The checkout's configs/ (editable install), else the copy a wheel installs."""
    here = Path(__file__).resolve().parent.parent / "configs"
    if (here / "config.yaml").is_file():
        return str(here)
    return str(Path(sys.prefix) / "share" / "ccsim" / "configs")


CONFIG_DIR = _config_dir()
