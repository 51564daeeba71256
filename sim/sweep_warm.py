"""Warm joblib's workers while the sweep starts, not when their first task arrives.

joblib's loky workers are started by the launcher's first ``Parallel`` call, after the
launching process has composed every point; each then imports the task's code (Hydra,
pandas, sim.runner) and loads the compiled engine from Numba's cache (~3 s on an idle
core) in its first task, while the other worker waits for nothing: all of it on the
sweep's critical path. ``start`` (called when the multirun starts) builds the same reusable
loky executor that the launcher's ``Parallel`` will reuse (joblib keeps one per process and
reuses it when the arguments are the same: the launcher's own, taken from its config), and
gives each worker ``warm``: the imports and a tiny replication of the sweep's scenario on
its engine, so the engine's machine code for this scenario's types is loaded. Meanwhile the
launching process composes the points. Nothing here changes a number: a warm-up's output is
thrown away, and a warm-up that fails (any reason) only leaves the worker cold.

When the command line itself names the launcher (``-m ... hydra/launcher=joblib``),
``prestart`` starts the workers earlier still, before the launching process composes the
sweep's config (~1 s of Hydra on one core while the other idles): they import a task's
modules meanwhile (``warm_imports``); ``start`` then adopts them, or drops them if the
composed launcher config asks for other ones (an experiment file's joblib settings).
"""

from __future__ import annotations

from sim.sweep_worker import warm, warm_imports

_EXECUTOR: list = []  # in the launching process: the executor warmed for this multirun
_EARLY: list = []  # (executor, its Parallel arguments) started by prestart, not adopted yet
JOBLIB_OVERRIDE = "hydra/launcher=joblib"
LAUNCHER_PREFIX = "hydra.launcher."


def start(config) -> int:
    """Start the joblib launcher's workers and warm them; returns how many were asked to
    warm (0: another launcher, or joblib could not be set up like the launcher does)."""
    from omegaconf import OmegaConf

    from sim.sweep_cluster import JOBLIB_LAUNCHER

    if str(OmegaConf.select(config, "hydra.launcher._target_") or "") != JOBLIB_LAUNCHER:
        abandon()
        return 0
    try:
        kwargs = launcher_kwargs(config)
        if _EARLY and _EARLY[0][1] != kwargs:  # not the launcher's workers: joblib would
            abandon()  # replace them, after waiting for their imports
        _EARLY.clear()
        executor, workers = _executor(kwargs)
        payload = _payload(config)
    except Exception:  # noqa: BLE001 - a head start only: the tasks warm themselves
        return 0
    for _ in range(workers):
        executor.submit(warm, payload)
    _EXECUTOR[:] = [executor]
    return workers


def prestart(overrides: list[str]) -> int:
    """Start joblib's workers from the command line's overrides alone, before the config
    is composed, when they select the joblib launcher; each imports a task's modules.
    The launcher's arguments are its config's defaults with the command line's
    ``hydra.launcher.KEY=VALUE`` values (``start`` checks them against the composed
    config). Returns how many workers were started (0: not asked for, or not possible)."""
    if JOBLIB_OVERRIDE not in overrides or _EARLY:
        return 0
    try:
        kwargs = _command_line_kwargs(overrides)
        executor, workers = _executor(kwargs)
    except Exception:  # noqa: BLE001 - a head start only: start() begins them as before
        return 0
    for _ in range(workers):
        executor.submit(warm_imports)
    _EARLY[:] = [(executor, kwargs)]
    return workers


def abandon() -> None:
    """Stop the workers ``prestart`` began if no multirun adopted them (bad input, another
    launcher): killed at once, so an error exits without waiting for their imports."""
    while _EARLY:
        _EARLY.pop()[0].shutdown(wait=False, kill_workers=True)


def release() -> None:
    """The multirun's tasks are over: let the workers exit now, while this process
    collects the sweep, instead of at its exit (joining them there took ~1.5 s after the
    tables were written). A retry or another multirun starts a new executor."""
    while _EXECUTOR:
        _EXECUTOR.pop().shutdown(wait=False)


def launcher_kwargs(config) -> dict:
    """``Parallel``'s arguments exactly as Hydra's joblib launcher builds them
    (hydra_joblib_launcher._core.launch): its config, loky, the numbers parsed."""
    from hydra.utils import instantiate

    return _parallel_kwargs(dict(instantiate(config.hydra.launcher).joblib))


def _parallel_kwargs(kwargs: dict) -> dict:
    from hydra_plugins.hydra_joblib_launcher._core import process_joblib_cfg

    kwargs["backend"] = "loky"
    process_joblib_cfg(kwargs)
    return kwargs


def _command_line_kwargs(overrides: list[str]) -> dict:
    """``launcher_kwargs`` as far as the command line tells: the joblib launcher's config
    (its dataclass's defaults) with the command line's ``hydra.launcher.*`` values."""
    from hydra_plugins.hydra_joblib_launcher.config import JobLibLauncherConf
    from omegaconf import OmegaConf

    values = [o.removeprefix(LAUNCHER_PREFIX) for o in overrides if o.startswith(LAUNCHER_PREFIX)]
    conf = OmegaConf.merge(OmegaConf.structured(JobLibLauncherConf),
                           OmegaConf.from_dotlist(values))
    plain = OmegaConf.to_container(conf, resolve=True)
    assert isinstance(plain, dict)
    plain.pop("_target_", None)
    return _parallel_kwargs(plain)


def _executor(kwargs: dict):
    """The reusable executor the launcher's ``Parallel`` will get (joblib reuses it when
    its arguments are equal, and they are the launcher's), and its number of workers."""
    from joblib import Parallel

    with Parallel(**kwargs) as parallel:
        executor = parallel._backend._workers
        workers = parallel._effective_n_jobs()
    if executor is None:  # one job: joblib runs it in this process, nothing to warm
        raise ValueError("no worker processes")
    return executor, workers


def _payload(config) -> tuple:
    """What ``warm`` needs, plain (pickled to the workers): the sweep's scenario, policy,
    policy packages and engine, before any point's overrides."""
    from omegaconf import OmegaConf

    def plain(key: str):  # the hydra node cannot be resolved before a job runs
        node = OmegaConf.select(config, key)
        return OmegaConf.to_container(node, resolve=True) if OmegaConf.is_config(node) else node

    return (plain("scenario"), plain("policy") or {}, tuple(plain("policy_packages") or ()),
            plain("engine"))
