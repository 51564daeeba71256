"""One Hydra composition per sweep point, not two per task.

Hydra composes every job's config twice — the sweeper checks each batch
(``validate_batch_is_legal``), then the launcher composes it again to run it — and a
composition (defaults tree, every YAML file parsed again) costs ~0.2 s on an idle core,
more than a short replication. A sweep's tasks of one point differ only in ``sweep.task``
(sim.sweep_cluster.split_points), so ``TaskConfigs`` composes each point once per process
and gives its other tasks a copy with the task number set: the same config the composition
gives (tests/test_sweep_tasks.py compares them key for key, Hydra's part included),
except that only task 0 writes the point's ``.hydra/`` files.

Installed on the running Hydra's own config loader when a multirun starts (the sweeper and
every launcher reach it through their HydraContext, pickled to joblib's and Ray's workers
with it). Each process keeps the points of the current sweep only. A point composed by one
process is also left in the sweep directory (``.compose/``, named by this sweep's random
token and the point), so that another (joblib's other workers, which compose their tasks
themselves) reads it (~0.05 s) instead of composing it again (~0.25 s per point and
worker); the directory goes when the multirun ends.

Where the jobs are composed elsewhere (joblib's workers, submitit's jobs), the sweeper's
check does not compose them in the launching process (``check_batch``, ``PointCheck``:
one composition per set of config-group choices, the values applied to a copy), so that
process's serial part does not grow by a composition per point. A point's config itself is
derived the same way (``PointCheck.compose``: the template's copy, the values applied, then
the parts of Hydra's node that depend on the job's overrides), ~0.05 s instead of ~0.3 s.

The check also numbers the points in the command line's order (``sweep.order``) and hands
the launcher the dearest jobs first (sim.sweep_cluster.dearest_first).
"""

from __future__ import annotations

import copy
import hashlib
import os
import pickle
import shutil
import uuid
from pathlib import Path
from typing import Any

TASK_KEY = "sweep.task"
SHARED_DIR = ".compose"  # in the sweep directory: points composed by the launching process
_CACHE: dict = {"token": None, "points": {}}  # this process's composed points, one sweep
_COMPOSERS: dict = {}  # sweep token -> this process's templates (TaskConfigs.compose)


class TaskConfigs:
    """``load_sweep_config`` of a sweep whose jobs are tasks: compose a point once, derive
    its other tasks. Anything else (no task key, a hand-made exclude list that names the
    task in the job's directory) is composed by Hydra as usual."""

    def __init__(self, loader, token: str):
        self.loader = loader
        self.token = token
        self.checker: PointCheck | None = None
        self.by_template = True  # check points by PointCheck (else: compose them)
        self.orders: dict = {}  # point -> its place in the command line's grid
        # point -> (a replication's expected cost, n_reps)
        self.weights: dict[Any, tuple[float, int]] = {}
        self.share = False  # templates left in .compose/ for the other processes (install)
        self.env: dict[str, str] = {}  # what the jobs read from the environment (install)

    def __getstate__(self) -> dict:
        """Pickled to the launcher's workers with Hydra's context: without the launching
        process's templates (they check points there, and only there)."""
        return {**self.__dict__, "checker": None, "orders": {}, "weights": {}}

    def compose(self, master_config, sweep_overrides: list[str]):
        """The job's config as Hydra composes it, from this process's template of the
        job's group choices (``PointCheck.compose``): ~0.3 s of composition a point on an
        idle core become a copy, in joblib's workers (each composes its points) and in the
        launching process of the basic and Ray launchers. The templates are the process's,
        not this object's: a joblib worker unpickles a new one with every job."""
        if self.token not in _COMPOSERS:  # a new sweep: the last one's templates go
            _COMPOSERS.clear()
            _COMPOSERS[self.token] = PointCheck(self.loader, self._shared_by())
        return _COMPOSERS[self.token].compose(master_config, sweep_overrides)

    def __call__(self, master_config, sweep_overrides: list[str]):
        for name, value in self.env.items():  # a worker started before the sweep set it
            os.environ.setdefault(name, value)
        found = _task_override(sweep_overrides)
        if found is None:
            return self.compose(master_config, sweep_overrides)
        index, task = found
        from sim import sweep_profile

        with sweep_profile.timed("compose"):  # in the launching process only
            config = self._config(master_config, sweep_overrides, index, task)
        return only_first_writes_hydra_dir(config, task)

    def check(self, master_config, sweep_overrides: list[str]) -> float | None:
        """The sweeper's check that a job composes, done cheaply (``PointCheck``): the
        launching process need not compose every point where the launcher's workers
        compose them again anyway (in parallel: joblib's, submitit's). Where the launcher
        composes them in this process (basic, Ray: ``by_template`` off), composing the
        point here is the check, and the launcher reuses it. Returns the job's expected
        cost (sim.sweep_cluster.task_cost; None: not a task of a point)."""
        found = _task_override(sweep_overrides)
        point = None if found is None else tuple(  # the point, whichever task of it
            o if i != found[0] else TASK_KEY for i, o in enumerate(sweep_overrides))
        if not self.by_template:  # the launcher composes it here: compose it once now
            self._weigh(point, self(master_config, sweep_overrides))
        else:
            from sim import sweep_profile

            with sweep_profile.timed("check"):
                if self.checker is None:
                    self.checker = PointCheck(self.loader, self._shared_by())
                if point is None or point not in self.checker.points:
                    self._weigh(point, self.checker(master_config, sweep_overrides))
                    self.checker.points.add(point)
        if point not in self.weights:
            return None
        from sim.sweep_cluster import task_cost

        return task_cost(*self.weights[point], sweep_overrides)

    def _shared_by(self) -> str | None:
        """The token templates are shared by, in this sweep's ``.compose/`` (None: kept in
        the process): the launching process's, composed for its checks, are read by
        joblib's workers instead of each composing its own (~0.3 s before its first
        replication)."""
        return self.token if self.share else None

    def _weigh(self, point: tuple | None, config) -> None:
        """Keep what a point's jobs cost (each of its tasks: ``task_cost``)."""
        if point is None:
            return
        from sim.sweep_cluster import rep_weight

        try:
            n_reps = int(config.get("n_reps", 1))
        except (TypeError, ValueError):
            return
        self.weights[point] = (rep_weight(config), n_reps)

    def _config(self, master_config, sweep_overrides: list[str], index: int, task: int):
        if _CACHE["token"] != self.token:  # a new sweep: forget the last one's points
            _CACHE.update(token=self.token, points={})
        key = tuple(o if i != index else TASK_KEY for i, o in enumerate(sweep_overrides))
        shared = _shared_file(master_config, self.token, key)
        known = _CACHE["points"].get(key) or _read_shared(shared)
        if known is None:
            config = self.compose(master_config, sweep_overrides)
            if _derivable(config, sweep_overrides[index]):
                _CACHE["points"][key] = (copy.deepcopy(config), sweep_overrides[index])
                _write_shared(shared, _CACHE["points"][key])
            return config
        _CACHE["points"][key] = known
        pristine, composed_with = known
        return with_task(pristine, composed_with, task, master_config)


class PointCheck:
    """Does a job's config compose? Hydra's answer, composing each distinct set of config
    group choices once. Hydra composes a job in two steps (ConfigLoaderImpl
    ._load_configuration_impl): the defaults tree, which only the group choices, ``hydra.*``
    and the search path decide, then the value overrides applied one by one
    (``_apply_overrides_to_config``). A sweep's points mostly differ in values only, so this
    composes the first step once per distinct rest (the *template*) and applies each point's
    value overrides to a copy: the same checks on the same config, raising Hydra's own
    errors; ~0.3 s of composition a point become a copy (tests/test_sweep_tasks.py compares
    it with full compositions, errors included). Only a check: the jobs are composed by
    the launcher as usual. Where anything differs from that plan (a template that does not
    compose, another Hydra), the point is composed in full."""

    def __init__(self, loader, token: str | None = None):
        self.loader = loader
        self.token = token  # a sweep's: templates shared in its .compose/ (None: not)
        self.templates: dict[tuple, Any] = {}
        self.repos: dict[tuple, Any] = {}  # the config sources, by search path override
        # points checked: a point's tasks differ only in sweep.task, an int set to an int
        self.points: set = set()

    def __call__(self, master_config, sweep_overrides: list[str]):
        """The job's config as far as the check builds it: its keys and values, not Hydra's
        node (that is the template's). Raises what Hydra's composition of the job raises."""
        derived = self._derive(master_config, sweep_overrides)
        return self._compose(master_config, sweep_overrides) if derived is None else derived[0]

    def compose(self, master_config, sweep_overrides: list[str]):
        """The job's config exactly as Hydra composes it (``load_sweep_config``), Hydra's
        node included: the check's config, then what ``_load_configuration_impl`` sets
        from the job's overrides — their lists and the override dirname (the rest of
        Hydra's node depends on the group choices only: the template's). A copy and a few
        assignments instead of a composition (tests/test_sweep_tasks.py compares the two,
        key for key)."""
        from hydra._internal.config_loader_impl import get_overrides_dirname
        from omegaconf import OmegaConf

        derived = self._derive(master_config, sweep_overrides)
        if derived is None:
            return self._compose(master_config, sweep_overrides)
        config, parsed = derived
        app = [o for o in parsed if not o.is_hydra_override()]
        hydra = config.hydra
        hydra.overrides.hydra = [o.input_line for o in parsed if o.is_hydra_override()]
        hydra.overrides.task = [o.input_line for o in app]
        dirname = hydra.job.config.override_dirname
        hydra.job.override_dirname = get_overrides_dirname(
            overrides=app, kv_sep=dirname.kv_sep, item_sep=dirname.item_sep,
            exclude_keys=dirname.exclude_keys)
        OmegaConf.copy_cache(from_config=master_config, to_config=config)  # as Hydra does
        return config

    def _derive(self, master_config, sweep_overrides: list[str]):
        """(the template's copy with the job's values applied, the parsed overrides); None
        where the plan does not hold (another Hydra, a template that does not compose)."""
        from hydra._internal.config_loader_impl import ConfigLoaderImpl
        from hydra._internal.defaults_list import Overrides
        from hydra.core.override_parser.overrides_parser import OverridesParser
        from hydra.types import RunMode
        from omegaconf import OmegaConf

        if not hasattr(self.loader, "_process_config_searchpath"):  # another Hydra
            return None
        config_name = master_config.hydra.job.config_name
        hydras = OmegaConf.to_container(master_config.hydra.overrides.hydra)
        overrides = [*(hydras or []), *sweep_overrides]  # as load_sweep_config has them
        parsed = OverridesParser.create().parse_overrides(overrides)  # Hydra's parse errors
        values = [o for o in Overrides(self._repo(config_name, parsed), parsed).config_overrides
                  if not o.key_or_group.startswith("hydra")]
        rest = tuple(o.input_line for o in parsed if not any(o is v for v in values))
        key = (config_name, rest)
        if key not in self.templates:
            shared = (None if self.token is None
                      else _shared_file(master_config, self.token, ("template", key)))
            template = _read_shared(shared)
            if template is None:
                try:
                    template = self.loader.load_configuration(
                        config_name=config_name, overrides=list(rest), run_mode=RunMode.RUN)
                except Exception:  # noqa: BLE001 - Hydra's own composition says what is wrong
                    return None
                _write_shared(shared, template)
            self.templates[key] = template
        config = copy.deepcopy(self.templates[key])
        ConfigLoaderImpl._apply_overrides_to_config(values, config)
        return config, parsed

    def _repo(self, config_name: str, parsed: list):
        """The config sources as Hydra's composition sets them up for these overrides
        (``_parse_overrides_and_create_caching_repo``): they depend only on the config
        name and a ``hydra.searchpath`` override. Tells groups from values."""
        from hydra._internal.config_repository import CachingConfigRepository

        key = (config_name, tuple(o.input_line for o in parsed
                                  if o.get_key_element() == "hydra.searchpath"))
        if key not in self.repos:
            repo = CachingConfigRepository(self.loader.repository)
            self.loader._process_config_searchpath(config_name, parsed, repo)
            self.repos[key] = repo
        return self.repos[key]

    def _compose(self, master_config, sweep_overrides: list[str]):
        return full_compose(self.loader, master_config, sweep_overrides)


def full_compose(loader, master_config, sweep_overrides: list[str]):
    """Hydra's own composition of a job: the loader class's method, past the instance's
    ``load_sweep_config`` that ``install`` replaces."""
    return type(loader).load_sweep_config(loader, master_config, sweep_overrides)


def _shared_file(master_config, token: str, key: tuple) -> Path | None:
    """Where this sweep's point ``key`` is shared with other processes (None: no sweep
    directory). The name holds the sweep's random token: no other run's file matches."""
    from omegaconf import OmegaConf

    sweep_dir = OmegaConf.select(master_config, "hydra.sweep.dir")
    if not sweep_dir:
        return None
    digest = hashlib.sha256(repr((token, key)).encode()).hexdigest()[:24]
    return Path(str(sweep_dir)) / SHARED_DIR / f"{digest}.pkl"


def _read_shared(path: Path | None):
    try:
        with path.open("rb") as f:  # type: ignore[union-attr]
            return pickle.load(f)  # noqa: S301 - written by this sweep (token in the name)
    except (OSError, AttributeError, pickle.PickleError, EOFError):
        return None


def _write_shared(path: Path | None, known: Any) -> None:
    """Atomically (a worker reads all of it or nothing); a failure only costs the workers
    a composition."""
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(pickle.dumps(known, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(tmp, path)
    except (OSError, pickle.PickleError, TypeError, AttributeError):
        return


def remove_shared(sweep_dir: Path) -> None:
    """The multirun is over: its shared compositions are of no further use."""
    shutil.rmtree(Path(sweep_dir) / SHARED_DIR, ignore_errors=True)


def only_first_writes_hydra_dir(config, task: int):
    """Hydra writes the job's config into the job's directory (``.hydra/``, three YAML
    files): a point's tasks share its directory, so task 0 writes them and the others,
    which would only overwrite them with their own task number, skip that work."""
    if task != 0:
        from omegaconf import read_write

        with read_write(config):
            config.hydra.output_subdir = None
    return config


def _task_override(overrides: list[str]) -> tuple[int, int] | None:
    """(position, task number) of the one ``sweep.task=N`` override, if there is one."""
    hits = [i for i, o in enumerate(overrides) if o.partition("=")[0] == TASK_KEY]
    if len(hits) != 1:
        return None
    value = overrides[hits[0]].partition("=")[2]
    return (hits[0], int(value)) if value.isdigit() else None


def _derivable(config, override: str) -> bool:
    """The task number appears only where ``with_task`` sets it."""
    hydra = config.hydra
    return (list(hydra.overrides.task).count(override) == 1
            and TASK_KEY not in str(hydra.job.override_dirname))


def with_task(pristine, composed_with: str, task: int, master_config):
    """A copy of a point's composed config for task ``task`` of it."""
    from omegaconf import OmegaConf, open_dict, read_write

    config = copy.deepcopy(pristine)
    with read_write(config), open_dict(config):
        config.sweep.task = task
        overrides = config.hydra.overrides.task
        overrides[list(overrides).index(composed_with)] = f"{TASK_KEY}={task}"
    OmegaConf.copy_cache(from_config=master_config, to_config=config)  # as Hydra does
    return config


def install(on_launch=None, by_template: bool = True, env: dict | None = None) -> None:
    """Compose each point once from now on, in this multirun (called when it starts), and
    check the points without composing them (``check_batch``; ``by_template`` off: by
    composing them, when the launcher composes the jobs in this process anyway);
    ``on_launch`` is called once the sweeper has checked its first batch, when the
    launcher starts its jobs; ``env``: variables the jobs read, set in the workers that
    were started before this process set them (sim.sweep_warm.prestart)."""
    from hydra.core.global_hydra import GlobalHydra

    gh = GlobalHydra.instance()
    if not gh.is_initialized() or gh.hydra is None:
        return
    loader = gh.hydra.config_loader
    configs = TaskConfigs(loader, uuid.uuid4().hex)
    configs.by_template = by_template
    configs.share = True  # .compose/ is removed when the multirun ends
    configs.env = dict(env or {})
    loader.load_sweep_config = configs  # type: ignore[method-assign]
    _ON_LAUNCH[:] = [on_launch] if on_launch is not None else []
    from hydra.plugins.sweeper import Sweeper

    if Sweeper.validate_batch_is_legal is not check_batch:
        _HYDRAS_CHECK[:] = [Sweeper.validate_batch_is_legal]
        Sweeper.validate_batch_is_legal = check_batch  # type: ignore[method-assign,assignment]


def _launches_this_list(sweeper, batch) -> bool:
    """Hydra's basic sweeper launches the very list it checks (``BasicSweeper.sweep``), so
    the check may put its jobs in another order; other sweepers (Optuna, Ax...) pair the
    launcher's returns with their own trials: left as they are."""
    from hydra._internal.core_plugins.basic_sweeper import BasicSweeper

    return isinstance(batch, list) and type(sweeper) is BasicSweeper


_HYDRAS_CHECK: list = []  # Sweeper.validate_batch_is_legal as Hydra defines it
_ON_LAUNCH: list = []  # called when the first batch is checked (install's on_launch)


def check_batch(sweeper, batch) -> None:
    """The sweeper's check of a batch of jobs before it launches them (Hydra's
    ``Sweeper.validate_batch_is_legal``, which composes each job in full): through
    ``TaskConfigs.check`` when the sweep's loader is ours."""
    context = getattr(sweeper, "hydra_context", None)
    load = getattr(getattr(context, "config_loader", None), "load_sweep_config", None)
    if not isinstance(load, TaskConfigs):
        _HYDRAS_CHECK[0](sweeper, batch)
        return
    from sim import sweep_cluster

    ordered = _launches_this_list(sweeper, batch)
    if ordered:  # each job says its point's place, whatever order the jobs run in
        batch[:] = sweep_cluster.number_points(batch, load.orders)
    costs = [load.check(sweeper.config, list(overrides)) for overrides in batch]
    if ordered:
        batch[:] = sweep_cluster.dearest_first(batch, costs)
    from sim import sweep_profile

    sweep_profile.mark("launch")
    while _ON_LAUNCH:
        _ON_LAUNCH.pop()()
