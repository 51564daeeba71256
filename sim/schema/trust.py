"""What a config file may make ccsim execute (the trust model, README "Trust model").

Hydra instantiates ``_target_`` classes named in ``hydra.callbacks``, ``hydra.launcher``
and ``hydra.sweeper``, and Python's logging calls the ``()``/``class`` of
``hydra.job_logging``/``hydra.hydra_logging``: any config file or override could otherwise
run any callable (``builtins.open``, ``os.system``). ccsim allows only its own callback,
Hydra's plugins and logging's classes, checked on the composed config before Hydra
instantiates anything or creates a directory.
"""

from __future__ import annotations

import re
from typing import Any

from sim.errors import ConfigError

CALLBACKS = ("sim.sweep.CollectSweep",)
PLUGIN_PREFIXES = ("hydra._internal.", "hydra_plugins.")
LOGGING_PREFIXES = ("logging.", "colorlog.")  # what hydra.*_logging may construct
# A scenario name is one path component: it names outputs/NAME and calibrated files.
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


def check_name(key: str, name: Any) -> str:
    """A name used as a folder or file name cannot leave the output folder."""
    if not isinstance(name, str) or not SAFE_NAME.match(name) or ".." in name:
        raise ConfigError(key, f"must be a plain name (letters, digits, _ . -, at most 100, "
                               f"no '..' or '/'), got {name!r}")
    return name


def check_targets(cfg: Any) -> None:
    """Refuse ``_target_`` callables a config may not run, and unsafe scenario names."""
    from omegaconf import OmegaConf

    callbacks = OmegaConf.select(cfg, "hydra.callbacks") or {}
    for name, node in callbacks.items():
        target = node.get("_target_") if hasattr(node, "get") else None
        if target not in CALLBACKS:
            raise ConfigError(f"hydra.callbacks.{name}._target_",
                              f"{target!r} is not allowed; allowed: {', '.join(CALLBACKS)}")
    for part in ("launcher", "sweeper"):
        target = OmegaConf.select(cfg, f"hydra.{part}._target_")
        if target is not None and not str(target).startswith(PLUGIN_PREFIXES):
            plugins = ", ".join(PLUGIN_PREFIXES)
            raise ConfigError(f"hydra.{part}._target_", f"{target!r} is not allowed; allowed: "
                                                        f"a Hydra plugin ({plugins}...)")
    for part in ("job_logging", "hydra_logging"):
        node = OmegaConf.select(cfg, f"hydra.{part}")
        if node is not None:
            _check_logging(f"hydra.{part}", OmegaConf.to_container(node, resolve=False))
    name = OmegaConf.select(cfg, "scenario.name", throw_on_missing=False)
    if name is not None:
        check_name("scenario.name", name)


def _check_logging(key: str, node: Any) -> None:
    """Python's logging config calls what ``()`` and ``class`` name with the other keys as
    arguments (``(): builtins.open`` truncates a file): only logging's own classes and
    colorlog's formatters (Hydra's colorlog plugin) may be named."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k in ("()", "class") and not str(v).startswith(LOGGING_PREFIXES):
                raise ConfigError(f"{key}.{k}", f"{v!r} is not allowed; allowed: a class "
                                                f"of {' or '.join(LOGGING_PREFIXES)}")
            _check_logging(f"{key}.{k}", v)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            _check_logging(f"{key}[{i}]", v)


def guard_hydra() -> None:
    """Check every composed config before Hydra instantiates its callbacks (the first
    thing it instantiates, before launcher, sweeper and output directory)."""
    import hydra._internal.hydra as hydra_run

    base = hydra_run.Callbacks
    if getattr(base, "ccsim_guarded", False):
        return

    class GuardedCallbacks(base):  # type: ignore[misc, valid-type]
        ccsim_guarded = True

        def __init__(self, config=None) -> None:
            if config is not None:
                check_targets(config)
            super().__init__(config)

    # hydra declares Callbacks as a class, not a variable; it is replaced on purpose
    hydra_run.Callbacks = GuardedCallbacks  # type: ignore[misc]


MAX_YAML_NODES = 1_000_000  # values a config file may expand to through YAML aliases


def _expanded_size(node, memo: dict) -> int:
    """Values under a YAML node once every alias is expanded (shared nodes counted once
    per use, computed once each: a billion-laughs file is measured, not expanded)."""
    key = id(node)
    if key not in memo:
        memo[key] = 1
        if isinstance(node.value, list):
            memo[key] += sum(_expanded_size(x, memo) for item in node.value
                             for x in (item if isinstance(item, tuple) else (item,)))
    return memo[key]


def guard_yaml() -> None:
    """Bound what YAML aliases may expand to in the config files Hydra loads (a 400-byte
    "billion laughs" file would otherwise hang the composition)."""
    import omegaconf._utils as omegaconf_utils
    import yaml

    base = omegaconf_utils.get_yaml_loader
    if getattr(base, "ccsim_guarded", False):
        return

    def bounded_loader():
        class BoundedLoader(base()):
            def compose_node(self, parent, index):
                if self.check_event(yaml.AliasEvent):
                    event = self.peek_event()
                    node = self.anchors.get(event.anchor)
                    if node is not None:
                        memo = self.__dict__.setdefault("_ccsim_memo", {})
                        used = self.__dict__.get("_ccsim_used", 0) + _expanded_size(node, memo)
                        self._ccsim_used = used
                        if used > MAX_YAML_NODES:
                            raise yaml.composer.ComposerError(
                                None, None, f"aliases expand to more than {MAX_YAML_NODES:,} "
                                "values; allowed: fewer or no aliases", event.start_mark)
                return super().compose_node(parent, index)

        return BoundedLoader

    bounded_loader.ccsim_guarded = True  # type: ignore[attr-defined]
    omegaconf_utils.get_yaml_loader = bounded_loader
