"""The configuration as ``ccsim`` composes it, and its replications, run on demand.

Replication i of a configuration depends only on (seed, i): asking for more replications
runs only the new indices, and every configuration sees the same callers in replication i
(common random numbers).
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import TYPE_CHECKING, cast

from sim.check.spec import SLAError

if TYPE_CHECKING:
    from sim.model.spec import ModelSpec
    from sim.runner import PolicyFactory

RUN_ONLY_KEYS = ("hydra", "n_reps", "confidence", "output")  # not part of the model
# Hydra's compose API works through one process-wide GlobalHydra; the what-if app composes
# from its server's threads and its job worker at once, so compositions take turns.
_COMPOSING = threading.Lock()


def compose_config(overrides: Sequence[str]) -> dict:
    """The config ``ccsim OVERRIDES`` would run, as plain containers."""
    import yaml
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra
    from hydra.errors import HydraException
    from omegaconf import OmegaConf
    from omegaconf.errors import OmegaConfBaseException

    from sim import cli

    overrides = list(overrides)
    _check_syntax(overrides)
    args = SimpleNamespace(overrides=overrides, config_path=None, config_name=None,
                           config_dir=None)
    try:
        with _COMPOSING:
            GlobalHydra.instance().clear()
            with initialize_config_dir(config_dir=cli.CONFIG_DIR, version_base="1.3"):
                cfg = compose(cli.CONFIG_NAME, overrides=overrides)
        return cast(dict, OmegaConf.to_container(cfg, resolve=True))
    except OmegaConfBaseException as exc:
        raise SLAError(cli.omegaconf_message(exc)) from None
    except HydraException as exc:
        raise SLAError(cli.hydra_message(exc, args)) from None
    except yaml.YAMLError as exc:
        raise SLAError(cli.yaml_message(exc)) from None


def _check_syntax(overrides: list[str]) -> None:
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import OverrideParseException

    from sim.cli import OVERRIDE_FORMS

    parser = OverridesParser.create()
    for text in overrides:
        key = override_key(text)
        try:
            parser.parse_overrides([text])
        except OverrideParseException:
            raise SLAError(f"{key or '(no key)'}: malformed override {text!r}; allowed "
                           f"forms: {OVERRIDE_FORMS}") from None


def override_key(text: str) -> str:
    return re.split(r"[=@]", text, maxsplit=1)[0].lstrip("+~").strip()


def config_hash(cfg: Mapping) -> str:
    """A short hash of the model part of a config (scenario, policy, seed...)."""
    model = {k: v for k, v in cfg.items() if k not in RUN_ONLY_KEYS}
    text = json.dumps(model, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass
class Setup:
    """A validated configuration, ready to run."""

    cfg: dict
    model: ModelSpec
    policy: PolicyFactory
    seed: int
    n_reps: int
    confidence: float
    hash: str = field(init=False)

    def __post_init__(self) -> None:
        self.hash = config_hash(self.cfg)


def build_setup(cfg: dict) -> Setup:
    """Validate a composed config the way ``ccsim`` does (one-line errors)."""
    from sim.config import build_model_spec, build_run_spec
    from sim.errors import ConfigError
    from sim.runner import load_policy

    try:
        model = build_model_spec(cast(Mapping, cfg.get("scenario")))
        run = build_run_spec(cfg)
        packages = cfg.get("policy_packages") or ()
        if isinstance(packages, str) or not all(isinstance(p, str) for p in packages):
            raise ConfigError("policy_packages", "must be a list of package names")
        policy = load_policy(cfg.get("policy") or {}, tuple(packages))
    except ConfigError as exc:
        raise SLAError(str(exc)) from None
    return Setup(cfg, model, policy, run.seed, run.n_reps, run.confidence)


def kpi_template(setup: Setup) -> dict:
    """The KPI dict of a replication of this scenario (names only; values meaningless),
    from an empty record: validates targets without simulating."""
    from sim.kpi import replication_kpis
    from sim.records import Recorder

    return replication_kpis(Recorder.for_spec(setup.model), setup.model)


def one_replication(model, policy, seed: int, rep: int) -> dict:
    """KPIs of replication ``rep`` (a top-level function: it runs in worker processes)."""
    from sim.runner import replicate

    return replicate(model, policy, seed, rep, frames=False).kpis


class Replications:
    """The replications of one setup, run when first asked for and kept."""

    def __init__(self, setup: Setup, jobs: int = 1, log: Callable[[str], None] | None = None):
        self.setup = setup
        self.jobs = max(1, jobs)
        self.log = log or (lambda line: None)
        self.values: list[dict] = []
        self.seconds = 0.0

    def upto(self, n: int) -> list[dict]:
        """Replications 0..n-1, running only those not run yet."""
        todo = range(len(self.values), n)
        if todo:
            t0 = time.perf_counter()
            self.values += self._run(todo)
            dt = time.perf_counter() - t0
            self.seconds += dt
            self.log(f"replications {todo.start + 1}..{todo.stop} run in {dt:.1f} s")
        return self.values[:n]

    def _run(self, todo: range) -> list[dict]:
        """The replications ``todo``, each logged as it finishes (a gate is never silent
        for a minute)."""
        s = self.setup
        t0 = time.perf_counter()
        done = []

        def note(rep: int) -> None:
            self.log(f"  replication {rep + 1} done ({time.perf_counter() - t0:.0f} s)")

        if self.jobs == 1 or len(todo) == 1:
            for r in todo:
                done.append(one_replication(s.model, s.policy, s.seed, r))
                note(r)
            return done
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        workers = min(self.jobs, len(todo))
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(workers, mp_context=ctx) as pool:
            n = len(todo)
            for r, out in zip(todo, pool.map(one_replication, [s.model] * n, [s.policy] * n,
                                             [s.seed] * n, todo), strict=True):
                done.append(out)
                note(r)
        return done
