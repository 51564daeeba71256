"""Run replications of a validated scenario and write the output contract.

Outputs in ``out_dir``: ``summary.json`` (KPIs, mean and CI over replications),
``replications.csv`` (one row per replication and KPI), ``calls.parquet`` (one row per
call attempt, optional), ``intervals.parquet/.csv`` (per interval and class),
``groups_intervals`` (per interval and skill group), ``queues_intervals`` (per interval and
queue), ``wait_histogram``, hotline ``second_line_intervals`` (per pool) and
``outbound_intervals`` (each as .parquet and .csv), and ``resolved_config.yaml``.
Column types and units: README, *Columns: type and unit*.
"""

from __future__ import annotations

import functools
import importlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import numpy as np

from sim import __version__
from sim.config import RunSpec, build_model_spec, build_run_spec
from sim.errors import ConfigError
from sim.kpi import (
    CALL_COUNTS,
    aggregate,
    all_fields,
    call_kpis,
    call_rows,
    check_conservation,
    replication_kpis,
)
from sim.model.calls import ENDINGS, OUTCOMES
from sim.model.center import Center
from sim.model.spec import ModelSpec
from sim.policies.base import Policy
from sim.records import Recorder

POLICY_PACKAGES = ("sim.policies.",)
POLICY_KEYS = {"name", "class", "params"}


@dataclass(frozen=True)
class PolicyFactory:
    """Makes a fresh policy for each replication, with its validated parameters."""

    cls: type[Policy]
    params: tuple[tuple[str, object], ...] = ()

    @property
    def name(self) -> str:
        return self.cls.name

    def __call__(self) -> Policy:
        return self.cls(**dict(self.params))

    def check(self, spec: ModelSpec) -> None:
        """The parameters' name references resolve in this scenario (queues, ...)."""
        if _declares_params(self.cls):
            self.cls.Params.model_validate(dict(self.params)).check(spec)


@dataclass
class RunResult:
    summary: dict
    replications: list[dict]
    intervals: Any  # pandas DataFrame
    groups_intervals: Any
    extra_frames: dict = field(default_factory=dict)  # name -> DataFrame (hotline outputs)
    run: RunSpec | None = None  # how it was run (seed, replications, outputs)


def load_policy(cfg: Mapping, packages: tuple[str, ...] = ()) -> PolicyFactory:
    """The policy named by ``policy.class``: an import path under ``sim.policies.`` or
    under an installed package the user allow-listed in ``policy_packages``."""
    if not isinstance(cfg, Mapping):
        raise ConfigError("policy", "must be a mapping with keys name, class, params "
                                    f"(or policy=NAME: {', '.join(policy_names())})")
    for k in cfg:
        if k not in POLICY_KEYS:
            allowed = ", ".join(sorted(POLICY_KEYS))
            raise ConfigError(f"policy.{k}", f"unknown key; allowed: {allowed}")
    allowed_pk = POLICY_PACKAGES + tuple(p.rstrip(".") + "." for p in packages if p)
    path = cfg.get("class")
    if not isinstance(path, str) or not path.startswith(allowed_pk) or not _dotted(path):
        raise ConfigError("policy.class", f"must be an import path under "
                                          f"{', '.join(allowed_pk)} (add a package to "
                                          f"policy_packages to allow it); got {path!r}")
    cls = _import_policy(path)
    params = cfg.get("params") or {}
    if not isinstance(params, Mapping):
        raise ConfigError("policy.params", "must be a mapping of parameter: value")
    if _declares_params(cls):
        from sim.schema.errors import validate

        model = validate(cls.Params, dict(params), "policy.params")
        params = model.model_dump(include=model.model_fields_set)
    else:  # a plug-in policy without a Params model: its __init__ names the parameters
        _check_params(cls, params)
    factory = PolicyFactory(cls, tuple(sorted(params.items())))
    try:
        factory()
    except (TypeError, ValueError) as exc:
        raise ConfigError("policy.params", str(exc)) from None
    return factory


def _dotted(path: str) -> bool:
    return all(part.isidentifier() for part in path.split("."))


def _import_policy(path: str) -> type[Policy]:
    """Import ``path`` only from an installed package: the current directory (first on
    ``sys.path`` under ``python -m sim``) is no source of code."""
    import os
    import sys

    module, _, name = path.rpartition(".")
    cwd = os.path.realpath(os.getcwd())
    here = {"", ".", cwd}
    saved = list(sys.path)
    sys.path[:] = [p for p in sys.path if p not in here and os.path.realpath(p or ".") != cwd
                   or module.startswith("sim.")]
    try:
        cls = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        raise ConfigError("policy.class", f"cannot import {path!r} from an installed "
                                          f"package; allowed: "
                                          f"{', '.join(available_policies())}") from None
    finally:
        sys.path[:] = saved
    if not (isinstance(cls, type) and issubclass(cls, Policy)):
        raise ConfigError("policy.class", f"{path!r} is not a sim.policies.base.Policy")
    return cls


def _declares_params(cls: type[Policy]) -> bool:
    from sim.schema.policy import PolicyParams

    return cls.Params is not PolicyParams or not _init_params(cls)


def _init_params(cls: type[Policy]) -> list[str]:
    import inspect

    named = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    return [n for n, p in inspect.signature(cls.__init__).parameters.items()
            if n != "self" and p.kind in named]


def _check_params(cls: type[Policy], params: Mapping) -> None:
    allowed = _init_params(cls)
    for k in params:
        if k not in allowed:
            raise ConfigError(f"policy.params.{k}", f"unknown parameter of {cls.__name__}; "
                                                    f"allowed: {', '.join(allowed) or 'none'}")


def policy_names() -> list[str]:
    """The policy=NAME options shipped in configs/policy."""
    from sim.paths import CONFIG_DIR

    return sorted(p.stem for p in (Path(CONFIG_DIR) / "policy").glob("*.yaml"))


def available_policies() -> list[str]:
    """Import paths of the policy classes shipped in sim.policies."""
    import pkgutil

    import sim.policies

    out = []
    for mod in pkgutil.iter_modules(sim.policies.__path__):
        module = importlib.import_module(f"sim.policies.{mod.name}")
        out += [f"{module.__name__}.{k}" for k, v in vars(module).items()
                if isinstance(v, type) and issubclass(v, Policy) and v is not Policy
                and v.__module__ == module.__name__]
    return sorted(out)


class CallFile:
    """Streams call records into calls.parquet, chunk by chunk (flat memory)."""

    def __init__(self, path: Path, spec: ModelSpec):
        import pyarrow as pa

        self.pa = pa
        self.path = path
        self.classes = pa.array([c.name for c in spec.classes])
        self.groups = pa.array([g.name for g in spec.groups])
        self.outcomes = pa.array(list(OUTCOMES))
        self.endings = pa.array(list(ENDINGS))
        self.writer: Any = None  # a pyarrow ParquetWriter from the first chunk on
        self.rep = 0

    def __call__(self, cols: dict[str, np.ndarray]) -> None:
        import pyarrow.parquet as pq

        pa = self.pa
        group = cols["group_idx"]
        no_group = group < 0
        table = pa.table({
            "rep": pa.array(np.full(len(group), self.rep, dtype=np.int32)),
            "call_id": pa.array(cols["call_id"].astype(np.int64)),
            "class": pa.DictionaryArray.from_arrays(cols["class_idx"].astype(np.int32),
                                                    self.classes),
            "interval": pa.array(cols["interval"].astype(np.int32)),
            "t_arrival": pa.array(cols["t_arrival"]),
            "t_queue": pa.array(cols["t_queue"], from_pandas=True),
            "t_answer": pa.array(cols["t_answer"], from_pandas=True),
            "t_left_queue": pa.array(cols["t_left_queue"], from_pandas=True),
            "t_end": pa.array(cols["t_end"]),
            "outcome": pa.DictionaryArray.from_arrays(cols["outcome_code"].astype(np.int32),
                                                      self.outcomes),
            "group": pa.DictionaryArray.from_arrays(
                pa.array(np.where(no_group, 0, group).astype(np.int32), mask=no_group),
                self.groups),
            "agent": pa.array(cols["agent"].astype(np.int32), mask=no_group),
            "acw_s": pa.array(cols["acw_s"]),
            "ending": pa.DictionaryArray.from_arrays(cols["ending_code"].astype(np.int32),
                                                     self.endings),
            "customer": pa.array(cols["customer"].astype(np.int64)),
            "attempt": pa.array(cols["attempt"].astype(np.int32)),
            "repeat": pa.array(cols["repeat"].astype(bool)),
            "resolved": pa.array(cols["resolved"] == 1, mask=cols["resolved"] < 0),
        })
        if self.writer is None:
            self.schema = _with_nullable_pandas_types(table.schema)
            self.writer = pq.ParquetWriter(self.path, self.schema)
        self.writer.write_table(table.cast(self.schema))

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


# columns that may be null but are not floats: pandas reads them as these nullable dtypes
NULLABLE_PANDAS_TYPES = {"agent": "Int32", "resolved": "boolean"}


def _with_nullable_pandas_types(schema):
    """The schema with pandas metadata naming the nullable dtypes, so that a plain
    ``pd.read_parquet`` gives ``agent`` as Int32 and ``resolved`` as boolean, not float."""
    import pyarrow as pa

    frame = schema.empty_table().to_pandas().astype(NULLABLE_PANDAS_TYPES)
    pandas_meta = pa.Schema.from_pandas(frame, preserve_index=False).metadata[b"pandas"]
    return schema.with_metadata({b"pandas": pandas_meta})


def run_replication(spec: ModelSpec, policy_cls, seed: int, rep: int,
                    call_sink=None, progress: bool = False, engine: str = "auto") -> Recorder:
    """Simulate replication ``rep``; its random inputs depend only on (seed, rep).
    ``engine``: simpy, fast (compiled, the same calls) or auto (fast where supported)."""
    from sim.fast.engine import FastRun, resolve_engine, run_fast

    rec = Recorder.for_spec(spec, call_sink)
    center: Center | FastRun
    if resolve_engine(engine, spec, policy_cls) == "fast":
        center = run_fast(spec, policy_cls(), seed, rep, rec)
    else:
        center = Center(spec, policy_cls(), seed, rep, rec, progress)
        center.run()
    totals = check_conservation(rec)
    if totals["offered"] != center.next_id or center.in_system != 0:
        raise RuntimeError(f"conservation violated: {center.next_id} calls created, "
                           f"{totals['offered']} recorded, {center.in_system} left in system")
    return rec


def _counts_as_int(frame):
    """Counts are whole numbers: stored as int64, not as the float sums they come from."""
    return frame.astype(dict.fromkeys(CALL_COUNTS, "int64"))


def _interval_base(spec: ModelSpec, rep: int, k: int) -> dict:
    return {"rep": rep, "interval": k, "start_s": k * spec.interval_s}


def interval_frames(rec: Recorder, spec: ModelSpec, rep: int):
    """Tidy per-interval tables: one row per (interval, class), per (interval, group) and
    per (interval, queue)."""
    import pandas as pd

    fields = all_fields(rec)
    rows = []
    for c in spec.classes:
        for k in range(spec.n_intervals):
            row = call_kpis({f: a[c.index, k] for f, a in fields.items()})
            rows.append({**_interval_base(spec, rep, k), "class": c.name, **row})
    calls = call_rows(spec)  # "ALL" totals calls only, not the agents' own work
    for k in range(spec.n_intervals):
        row = call_kpis({f: a[calls, k].sum() for f, a in fields.items()})
        rows.append({**_interval_base(spec, rep, k), "class": "ALL", **row})
    grows = []
    for g in spec.groups:
        for k in range(spec.n_intervals):
            staffed = rec.group_staffed_s[g.index, k]
            grows.append({
                **_interval_base(spec, rep, k), "group": g.name,
                "headcount": float(g.staffing[k]), "staffed_agents": staffed / spec.interval_s,
                "busy_agents": rec.group_busy_s[g.index, k] / spec.interval_s,
                "occupancy": rec.group_busy_s[g.index, k] / staffed if staffed else math.nan,
                "answered": int(rec.group_answered[g.index, k]),
            })
    qrows = [{**_interval_base(spec, rep, k), "queue": q.name,
              "mean_queue_length": rec.queue_area[q.index, k] / spec.interval_s}
             for q in spec.queues for k in range(spec.n_intervals)]
    return _counts_as_int(pd.DataFrame(rows)), pd.DataFrame(grows), pd.DataFrame(qrows)


def wait_histogram_frame(rec: Recorder, spec: ModelSpec, rep: int):
    """Queue waits per class in 1-second bins (non-empty bins only; warm-up left out)."""
    import numpy as np
    import pandas as pd

    from sim.records import WAIT_BIN_S

    cls, ans, b = np.nonzero(rec.wait_hist)
    return pd.DataFrame({"rep": rep, "class": [spec.classes[i].name for i in cls],
                         "answered": ans.astype(bool), "wait_s": b * WAIT_BIN_S,
                         "calls": rec.wait_hist[cls, ans, b].astype(np.int64)})


def second_line_frames(rec: Recorder, spec: ModelSpec, rep: int) -> dict:
    """Per interval and second-line pool (``second_line_intervals``): work orders opened
    (by the interval of the call) and closed (in the interval they closed; after the
    horizon: the last), backlog at the interval's end, staffed and busy back-office agents.
    Per interval (``outbound_intervals``): callbacks and campaign calls the front line made.
    """
    import pandas as pd

    out = {}
    second, ob = rec.features.second_line, rec.features.outbound
    if second is not None and spec.second_line is not None:
        out["second_line_intervals"] = pd.DataFrame([
            {**_interval_base(spec, rep, k), "pool": p.name,
             "opened": int(second.opened[p.index, k]),
             "closed": int(second.closed_at[p.index, k]),
             "backlog": int(second.backlog[p.index, k]),
             "staffed_agents": second.staffed_s[p.index, k] / spec.interval_s,
             "busy_agents": second.busy_s[p.index, k] / spec.interval_s}
            for p in spec.second_line.pools for k in range(spec.n_intervals)])
    if ob is not None:
        out["outbound_intervals"] = pd.DataFrame([
            {**_interval_base(spec, rep, k), "callbacks_made": int(ob.callbacks_made[k]),
             "callbacks_answered": int(ob.callbacks_answered[k]),
             "campaign_calls": int(ob.campaign_calls[k])}
            for k in range(spec.n_intervals)])
    return out


def simulate(cfg: Mapping, out_dir: Path | None = None,
             written: Mapping | None = None) -> RunResult:
    """Validate ``cfg`` (the composed config as plain containers), run, write outputs;
    ``written`` is the config copied into them (environment values left out)."""
    spec = build_model_spec(cast(Mapping, cfg.get("scenario")))
    run = build_run_spec(cfg)
    packages = tuple(cfg.get("policy_packages") or ())
    policy_cls = load_policy(cfg.get("policy", {"name": "strict_priority",
                                               "class": "sim.policies.strict_priority."
                                                        "StrictPriority"}), packages)
    policy_cls.check(spec)
    return simulate_spec(spec, run, policy_cls, out_dir, cfg if written is None else written)


@dataclass
class RepOutput:
    """What one replication contributes to a run (picklable: it may come from a worker)."""

    totals: dict
    kpis: dict
    frames: dict  # name -> DataFrame (interval tables), empty when not wanted


def replicate(spec: ModelSpec, policy_cls, seed: int, rep: int, frames: bool,
              sink=None, progress: bool = False, engine: str = "auto") -> RepOutput:
    """Run replication ``rep`` and reduce it to KPIs (and interval tables)."""
    rec = run_replication(spec, policy_cls, seed, rep, sink, progress, engine)
    out = {}
    if frames:
        out["intervals"], out["groups_intervals"], out["queues_intervals"] = \
            interval_frames(rec, spec, rep)
        out["wait_histogram"] = wait_histogram_frame(rec, spec, rep)
        out.update(second_line_frames(rec, spec, rep))
    return RepOutput(check_conservation(rec), replication_kpis(rec, spec), out)


def replicate_to_file(spec: ModelSpec, policy_cls, seed: int, rep: int, frames: bool,
                      calls_path: str | None, engine: str = "auto") -> RepOutput:
    """A worker's replication: its calls go to a part file the parent merges in order."""
    call_file = CallFile(Path(calls_path), spec) if calls_path else None
    if call_file is not None:
        call_file.rep = rep
    try:
        return replicate(spec, policy_cls, seed, rep, frames, call_file, engine=engine)
    finally:
        if call_file is not None:
            call_file.close()


def _serial(spec: ModelSpec, run: RunSpec, policy_cls, frames: bool, calls: Path | None,
            progress) -> list[RepOutput]:
    call_file = CallFile(calls, spec) if calls is not None else None
    outs = []
    try:
        for rep in range(run.n_reps):
            if call_file is not None:
                call_file.rep = rep
            outs.append(replicate(spec, policy_cls, run.seed, rep, frames, call_file,
                                  run.progress and _is_terminal(), run.engine))
            progress(rep)
    finally:
        if call_file is not None:
            call_file.close()
    return outs


def _parallel(spec: ModelSpec, run: RunSpec, policy_cls, frames: bool, calls: Path | None,
              progress) -> list[RepOutput]:
    """Replications in ``run.n_jobs`` processes; every replication draws from its own
    streams, so the numbers are those of a serial run, gathered in replication order."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    parts = [None if calls is None else str(calls.with_name(f".{calls.name}.part{r}"))
             for r in range(run.n_reps)]
    n = run.n_reps
    with ProcessPoolExecutor(min(run.n_jobs, n),
                             mp_context=multiprocessing.get_context("spawn")) as pool:
        outs = []
        for rep, out in enumerate(pool.map(replicate_to_file, [spec] * n, [policy_cls] * n,
                                           [run.seed] * n, range(n), [frames] * n, parts,
                                           [run.engine] * n)):
            outs.append(out)
            progress(rep)
    if calls is not None:
        _merge_parts([Path(cast(str, p)) for p in parts], calls)
    return outs


def _merge_parts(parts: list[Path], target: Path) -> None:
    import pyarrow.parquet as pq

    writer = None
    try:
        for part in parts:
            if not part.exists():  # a replication that recorded no call
                continue
            table = pq.read_table(part)
            writer = writer or pq.ParquetWriter(target, table.schema)
            writer.write_table(table)
            part.unlink()
    finally:
        if writer is not None:
            writer.close()


def simulate_spec(spec: ModelSpec, run: RunSpec, policy_cls,
                  out_dir: Path | None = None, cfg: Mapping | None = None) -> RunResult:
    import dataclasses

    from sim.fast.engine import resolve_engine

    # which engine runs, decided once: engine=fast with something it lacks fails here,
    # before any output is written
    run = dataclasses.replace(run, engine=resolve_engine(run.engine, spec, policy_cls))
    calls = None
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        if run.write_calls:
            calls = out_dir / "calls.parquet"
    frames = run.write_intervals or out_dir is None
    runner = _parallel if run.n_jobs > 1 and run.n_reps > 1 else _serial
    outs = runner(spec, run, policy_cls, frames, calls, _progress(run))
    result = run_result(summary_header(spec, run, policy_cls), outs, run)
    if out_dir is not None:
        write_outputs(result, out_dir, run, cfg)
    return result


def summary_header(spec: ModelSpec, run: RunSpec, policy_cls) -> dict:
    """What summary.json says about the run besides its KPIs (a sweep task stores it with
    each replication, so a point can be assembled without rebuilding the model)."""
    return {"ccsim_version": __version__, "scenario": spec.name, "policy": policy_cls.name,
            "engine": run.engine, "seed": run.seed, "n_reps": run.n_reps,
            "confidence": run.confidence, "service_level_s": spec.service_level_s,
            "warmup_intervals": spec.warmup_intervals}


def run_result(header: dict, outs: list[RepOutput], run: RunSpec) -> RunResult:
    """The run's result from its replications, in replication order (a run's own, or a
    sweep point's gathered from the tasks that computed them: the same numbers)."""
    import pandas as pd

    per_rep = [o.kpis for o in outs]
    totals = [o.totals for o in outs]
    tables = {name: pd.concat([o.frames[name] for o in outs if name in o.frames],
                              ignore_index=True)
              for name in dict.fromkeys(k for o in outs for k in o.frames)}
    summary = {**header, **aggregate(per_rep, run.confidence),
               "conservation": {k: sum(t[k] for t in totals) for k in totals[0]}}
    intervals = tables.pop("intervals", None)
    gintervals = tables.pop("groups_intervals", None)
    return RunResult(summary, per_rep, intervals, gintervals, tables, run)


def _is_terminal() -> bool:
    import sys

    return sys.stderr.isatty()


def _progress(run: RunSpec):
    """A bar on a terminal; elsewhere (CI, a log file) one line per replication on stderr,
    so a long run is never silent."""
    if not run.progress or run.n_reps < 2:
        return lambda rep: None
    if not _is_terminal():
        import sys
        import time

        t0 = time.perf_counter()

        def line(rep: int) -> None:
            print(f"replication {rep + 1}/{run.n_reps} done ({time.perf_counter() - t0:.0f} s)",
                  file=sys.stderr, flush=True)

        return line
    from tqdm import tqdm

    bar = tqdm(total=run.n_reps, desc="replications", unit="rep", disable=None)
    return lambda rep: bar.update(1) if rep < run.n_reps - 1 else (bar.update(1), bar.close())


def replication_table(per_rep: list[dict]):
    """One tidy row per (replication, scope, name, kpi)."""
    import pandas as pd

    rows = []
    for rep, r in enumerate(per_rep):
        rows += [{"rep": rep, "scope": "overall", "name": "ALL", "kpi": k, "value": v}
                 for k, v in r["overall"].items()]
        for scope in (s for s in r if s != "overall"):
            rows += [{"rep": rep, "scope": scope[3:], "name": n, "kpi": k, "value": v}
                     for n, kpis in r[scope].items() for k, v in kpis.items()]
    return pd.DataFrame(rows)


def write_outputs(result: RunResult, out_dir: Path, run: RunSpec, cfg: Mapping | None) -> None:
    (out_dir / "summary.json").write_text(json.dumps(result.summary, indent=2, allow_nan=False,
                                                     default=_json_default) + "\n")
    replication_table(result.replications).to_csv(out_dir / "replications.csv", index=False)
    if run.write_intervals and result.intervals is not None:
        result.intervals.to_parquet(out_dir / "intervals.parquet", index=False)
        result.intervals.to_csv(out_dir / "intervals.csv", index=False)
        result.groups_intervals.to_parquet(out_dir / "groups_intervals.parquet", index=False)
        result.groups_intervals.to_csv(out_dir / "groups_intervals.csv", index=False)
        for name, frame in result.extra_frames.items():
            frame.to_parquet(out_dir / f"{name}.parquet", index=False)
            frame.to_csv(out_dir / f"{name}.csv", index=False)
    if cfg is not None:
        (out_dir / "resolved_config.yaml").write_text(resolved_yaml(cfg))


def resolved_yaml(cfg: Mapping) -> str:
    """The config as run, without Hydra's own settings (also the resume key of a sweep).

    Text identical to ``OmegaConf.to_yaml`` (same string quoting), emitted by libyaml:
    20-40x faster, which matters once per sweep task."""
    import yaml
    from omegaconf import OmegaConf

    plain = {k: v for k, v in cfg.items() if k != "hydra"}
    try:
        return yaml.dump(plain, Dumper=_yaml_dumper(), default_flow_style=False,
                         allow_unicode=True, sort_keys=False)
    except yaml.representer.RepresenterError:  # not plain containers: OmegaConf's way
        return OmegaConf.to_yaml(OmegaConf.create(plain))


@functools.cache
def _yaml_dumper():
    """libyaml's safe dumper with OmegaConf's rule for strings: quoted when they would
    read back as a bool, int or float."""
    import yaml
    from omegaconf._utils import OmegaConfDumper

    dumper = type("ResolvedDumper", (getattr(yaml, "CSafeDumper", yaml.SafeDumper),), {})
    dumper.add_representer(str, OmegaConfDumper.str_representer)
    return dumper


def _json_default(o):
    if isinstance(o, np.generic):
        return o.item()
    raise TypeError(type(o).__name__)
