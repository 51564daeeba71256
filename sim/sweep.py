"""Sweeps: run every point of a Hydra multirun, keep going past failures, resume, and
collect every point into one tidy table with paired differences against a baseline.

The launcher runs *tasks*, not points: each point's replications are split into
``sweep.tasks`` units of work (default ``auto``: sized from the sweep and the launcher's
workers, one per replication where the workers are not known; sim.sweep_cluster.auto_tasks),
so a grid of 20 points x 20 replications can keep 400 workers busy. Every task records each
replication in the point's directory (``multirun/SWEEP/OVERRIDES/reps``) as it finishes;
rerunning the same sweep skips every replication already done with the same config (resume
per replication).
When the multirun ends, the ``CollectSweep`` callback assembles each point from those
records (its outputs and ``point.json``: overrides, status ok/failed/incomplete, error,
retries) — never from the scheduler's status — and writes, in the sweep directory:

- ``sweep.parquet`` / ``sweep.csv``: one row per (point, scope, name, KPI) with the
  overrides as typed columns, scenario_name, mean, CI half-width, low, high, n, status, error,
  best (see sim.compare);
- ``sweep_replications.parquet``: one row per (point, replication, scope, name, KPI);
- ``sweep_differences.parquet`` / ``.csv``: paired differences per KPI of each point
  against its own baseline (sim.compare.baselines; replication i against replication i:
  with the same seed these are common random numbers), mean and t-interval.
"""

from __future__ import annotations

import json
import math
import os
import sys
from pathlib import Path

POINT_FILE = "point.json"
FAILED: list[str] = []  # points that failed in this process's last multirun
INCOMPLETE: list[str] = []  # points with replications that never finished (lost workers)
# the sweep's progress bar, kept out of the callback object: the joblib launcher pickles
# callbacks to its workers (which then simply have no bar; their points print [k/N] lines)
_BAR: list = []


def overrides_dict(overrides: list[str]) -> dict[str, str]:
    from sim.sweep_tasks import TASK_KEYS

    out = {}
    for o in overrides:
        key, _, value = o.lstrip("+~").partition("=")
        if key not in TASK_KEYS:
            out[key] = value
    return out


def point_done(out_dir: Path, resolved_yaml: str) -> bool:
    """A point already computed with exactly this config (resume)."""
    p = out_dir / POINT_FILE
    if not p.exists():
        return False
    try:
        info = json.loads(p.read_text())
        old = (out_dir / "resolved_config.yaml").read_text()
        json.loads((out_dir / "summary.json").read_text())  # a corrupt summary: recompute
    except (OSError, ValueError):
        return False
    return info.get("status") == "ok" and _resume_key(old) == _resume_key(resolved_yaml)


def _resume_key(text: str):
    """The config without the keys that do not change the numbers (processes, progress
    bar): resuming with another ``n_jobs`` keeps the points done."""
    import yaml

    try:
        cfg = yaml.safe_load(text)
    except yaml.YAMLError:
        return None
    if isinstance(cfg, dict):
        cfg.pop("n_jobs", None)
        if isinstance(cfg.get("output"), dict):
            cfg["output"].pop("progress", None)
    return cfg


def write_point(out_dir: Path, overrides: list[str], status: str, error: str | None,
                job: int = 0) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / POINT_FILE).write_text(json.dumps(
        {"overrides": list(overrides), "status": status, "error": error, "job": job},
        indent=1) + "\n")


def finalize_points(sweep_dir: Path) -> None:
    """Assemble every point that tasks ran from their records (sim.sweep_tasks), unless
    the task that finished it last already did (in its worker)."""
    from sim.sweep_tasks import TASKS_DIR, finalize_point, finalized

    for point_dir in sorted({p.parent.parent for p in sweep_dir.rglob(f"{TASKS_DIR}/task_*.json")}):
        if not finalized(point_dir):
            finalize_point(point_dir)


def _points(sweep_dir: Path) -> list[tuple[Path, dict]]:
    found = []
    for p in sorted(sweep_dir.rglob(POINT_FILE)):
        try:
            found.append((p.parent, json.loads(p.read_text())))
        except (OSError, ValueError):
            continue
    return sorted(found, key=lambda x: (_place(x[1]), str(x[0])))


def _place(info: dict) -> int:
    """A point's place in the sweep's tables: the command line's order (``order``, the
    jobs may have run in another), else its first job's number (a sweeper that keeps its
    own order)."""
    order = info.get("order")
    return int(order) if order is not None else int(info.get("job", 0))


def _summary(point_dir: Path) -> dict | None:
    try:
        summary = json.loads((point_dir / "summary.json").read_text())
    except (OSError, ValueError):
        return None
    return summary if isinstance(summary, dict) else None


def collect(sweep_dir: Path, baseline: str | None = None, confidence: float = 0.95):
    """Gather all points under ``sweep_dir`` into the tidy tables; returns the KPI table."""
    import pandas as pd

    finalize_points(sweep_dir)
    points = _points(sweep_dir)
    if not points:
        return None
    from sim.compare import typed_column

    # keys in command-line order (the first swept one is what the sweep compares)
    keys = list(dict.fromkeys(k for _, info in points for k in overrides_dict(info["overrides"])))
    values = [overrides_dict(info["overrides"]) for _, info in points]
    varying = [k for k in keys if len({v.get(k) for v in values}) > 1]
    typed = {k: typed_column([v.get(k) for v in values]) for k in keys}
    rows, reps = [], []
    for job, (d, info) in enumerate(points):
        ov = values[job]
        label = ",".join(f"{k}={ov.get(k)}" for k in varying) or d.name
        base = {"job": job, **{k: typed[k][job] for k in keys}, "point": label,
                "retries": int(info.get("retries") or 0)}
        summary = _summary(d) if info["status"] == "ok" else None
        if summary is None and info["status"] == "ok":
            info = {**info, "status": "failed", "error": f"{d / 'summary.json'}: missing or "
                                                         f"not valid JSON"}
        if info["status"] != "ok":
            rows.append({**base, "scenario_name": None, "scope": None, "name": None, "kpi": None,
                         "mean": math.nan, "half_width": math.nan, "low": math.nan,
                         "high": math.nan, "n": 0, "status": info["status"],
                         "error": info.get("error")})
            continue
        assert summary is not None
        base["scenario_name"] = summary.get("scenario")  # "scenario" may be a swept key
        for scope, block in summary.items():
            if scope == "overall":
                block = {"ALL": block}
            elif not scope.startswith("by_"):
                continue
            for name, kpis in block.items():
                for kpi, st in kpis.items():
                    rows.append({**base, "scope": scope.removeprefix("by_"), "name": name,
                                 "kpi": kpi, **_stat(st), "status": "ok", "error": None})
        rep_file = d / "replications.csv"
        if rep_file.exists():
            r = pd.read_csv(rep_file)
            for k, v in base.items():
                r[k] = v
            reps.append(r)
    table = pd.DataFrame(rows)
    table["best"] = False
    if reps:
        rep_table = pd.concat(reps, ignore_index=True)
        jobs = rep_table[["job", *keys]].drop_duplicates("job").sort_values("job")
        from sim.compare import baselines, best_points, treatment

        treat = treatment(keys, varying, baseline)
        marked = best_points(rep_table, jobs, varying, treat, confidence, ranked_kpis())
        table["best"] = [(j, sc, nm, k) in marked for j, sc, nm, k in zip(
            table["job"], table["scope"], table["name"], table["kpi"], strict=True)]
        rep_table.to_parquet(sweep_dir / "sweep_replications.parquet", index=False)
        pairs = baselines(jobs, varying, baseline, treat)
        diffs = paired_differences(rep_table, keys, pairs, confidence)
        if diffs is not None:
            diffs.to_parquet(sweep_dir / "sweep_differences.parquet", index=False)
            diffs.to_csv(sweep_dir / "sweep_differences.csv", index=False)
    table.to_parquet(sweep_dir / "sweep.parquet", index=False)
    table.to_csv(sweep_dir / "sweep.csv", index=False)
    return table


def _stat(st) -> dict:
    if not isinstance(st, dict):
        return {"mean": math.nan, "half_width": math.nan, "low": math.nan, "high": math.nan,
                "n": 0}
    f = lambda v: math.nan if v is None else float(v)  # noqa: E731
    return {"mean": f(st.get("mean")), "half_width": f(st.get("half_width")),
            "low": f(st.get("low")), "high": f(st.get("high")), "n": int(st.get("n") or 0)}


def paired_differences(rep_table, keys: list[str], pairs: dict[int, int], confidence: float):
    """Point minus its own baseline (``pairs``: job -> baseline job, see
    sim.compare.baselines), replication by replication, per (scope, name, kpi); rows by
    job, then (scope, name, kpi)."""
    import numpy as np

    from sim.kpi import t_interval_groups

    idx = ["scope", "name", "kpi", "rep"]
    base_of = rep_table["job"].map(pairs)
    mask = base_of.notna() & (base_of != rep_table["job"])
    if not mask.any():
        return None
    left = rep_table[mask].assign(baseline_job=base_of[mask].astype("int64"))
    right = rep_table[["job", *idx, "value"]].rename(columns={"job": "baseline_job",
                                                              "value": "b"})
    joined = left.merge(right, on=["baseline_job", *idx], how="inner")  # left's order
    if joined.empty:
        return None
    by = ["job", "scope", "name", "kpi"]
    codes = joined.groupby(by, sort=True).ngroup().to_numpy()
    n_groups = int(codes.max()) + 1
    d = (joined["value"] - joined["b"]).to_numpy(dtype=float)
    n, mean, hw = t_interval_groups(d, codes, n_groups, confidence)
    first = np.unique(codes, return_index=True)[1]  # each group's first row, by code
    out = joined.iloc[first][["job", *keys, "baseline_job", "scope", "name", "kpi"]]
    out = out.assign(diff_mean=mean, diff_half_width=hw, diff_low=mean - hw,
                     diff_high=mean + hw, n=n)
    out = out[n > 0].reset_index(drop=True)
    return out if len(out) else None


def ranked_kpis() -> dict[str, bool]:
    """The comparison table's ranked KPIs (from the registry): kpi -> higher is better."""
    from sim.kpi_specs import TABLE_KPIS, better

    return {k: better(k) == "high" for k in TABLE_KPIS if better(k) != "neutral"}


def format_comparison(table, diffs=None, width: int | None = None,
                      hidden: dict[str, str] | None = None) -> str:
    """The terminal summary of a sweep (see sim.compare.format_comparison), without the
    KPIs ``hidden`` names (kpi -> why: ``sim.report.modelled.not_shown``)."""
    from sim.compare import format_comparison as fmt
    from sim.kpi_specs import TABLE_KPIS
    from sim.report.modelled import not_shown_note

    hidden = hidden or {}
    text = fmt(table, diffs, tuple(k for k in TABLE_KPIS if k not in hidden), width)
    return text + f"\n  ({not_shown_note(hidden)})" if hidden else text


def _callback_base():
    from hydra.experimental.callback import Callback

    return Callback


class CollectSweep(_callback_base()):  # type: ignore[misc]  # Hydra's, imported on use
    """Hydra callback: when a multirun ends, collect its points and print the comparison."""

    def on_multirun_start(self, config, **kwargs) -> None:
        from sim import sweep_cluster, sweep_profile

        sweep_profile.start()  # the launching process's CPU by phase, for sweep_bench

        sweep_cluster.check_launcher(config)  # an unreachable cluster: exit 2, nothing run
        check_not_swept(config)
        points = sweep_size(config)
        total = points * sweep_cluster.split_points(config, points)
        from sim import sweep_compose

        sweep_compose.remove_shared(Path(config.hydra.sweep.dir))  # an interrupted run's
        # each point composed once, not twice per task; collection's modules imported
        # while the launcher's workers run the tasks
        sweep_compose.install(on_launch=lambda: prefetch_collection(config),
                              by_template=not sweep_cluster.jobs_composed_here(config),
                              env={TOTAL_ENV: str(total)})
        # Tasks may run in worker processes (joblib): they read the total from the env
        # (workers started before this point get it with their jobs: TaskConfigs.env).
        os.environ[TOTAL_ENV] = str(total)
        _BAR.clear()
        if total and (config.get("output") or {}).get("progress", True) is True:
            from tqdm import tqdm

            _BAR.append(tqdm(total=total, desc="sweep", unit="point", disable=None))
        from sim import sweep_warm

        sweep_warm.start(config)  # joblib's workers load the engine while points compose

    def on_job_end(self, config, job_return, **kwargs) -> None:
        if _BAR:  # points run in this process (basic launcher)
            _BAR[0].update(1)

    def on_multirun_end(self, config, **kwargs) -> None:
        from sim import sweep_compose, sweep_profile, sweep_warm

        sweep_profile.mark("multirun_end")
        if _BAR:
            _BAR.pop().close()
        sweep_warm.release()  # joblib's workers exit while the sweep is collected
        sweep_compose.remove_shared(Path(config.hydra.sweep.dir))
        collect_and_report(config)
        sweep_profile.mark("collected")


COLLECTION_MODULES = ("pandas", "pyarrow.parquet", "scipy.special", "sim.compare", "sim.kpi",
                      "sim.kpi_specs")


def prefetch_collection(config) -> None:
    """Import what collection needs in a background thread while the tasks run in the
    launcher's workers: the launching process only waits for them then, and these imports
    (~1 CPU-s) would otherwise run after the last task, on the sweep's serial path. Not
    under a launcher that runs the tasks in this process (basic: they import them)."""
    import threading

    from sim.sweep_cluster import launcher_workers

    if launcher_workers(config) == 1:
        return
    names: tuple[str, ...] = COLLECTION_MODULES
    if (config.get("output") or {}).get("report", True) is not False:
        names += ("sim.report.compare_report",)
    threading.Thread(target=_import_all, args=(names,), name="ccsim-collection-imports",
                     daemon=True).start()


def _import_all(names: tuple[str, ...]) -> None:
    import importlib

    for name in names:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - collection imports it again and says what fails
            return


def collect_and_report(config) -> None:
    """Collect the sweep into its tables, print the comparison, write the report; records
    in FAILED / INCOMPLETE what did not finish (the exit code and the retry loop read them)."""
    sweep_dir = Path(config.hydra.sweep.dir)
    INCOMPLETE.clear()
    try:
        table = collect(sweep_dir, config.get("sweep", {}).get("baseline"),
                        float(config.get("confidence", 0.95)))
    except Exception as exc:  # Hydra would only warn: say it, drop stale tables, exit 1
        for name in ("sweep.parquet", "sweep.csv", "sweep_differences.parquet",
                     "sweep_differences.csv", "sweep_replications.parquet"):
            (sweep_dir / name).unlink(missing_ok=True)
        print(f"ccsim: error: {sweep_dir}: collecting the sweep failed "
              f"({type(exc).__name__}: {' '.join(str(exc).split())})", file=sys.stderr)
        FAILED[:] = ["collection"]
        return
    if table is None:
        return
    import pandas as pd

    diff_file = sweep_dir / "sweep_differences.parquet"
    diffs = pd.read_parquet(diff_file) if diff_file.exists() else None
    from sim.report.modelled import not_shown

    ok = table[(table["status"] == "ok") & (table["scope"] == "overall")]
    print(format_comparison(table, diffs, hidden=not_shown(sweep_dir, ok)))
    print(f"sweep table: {sweep_dir / 'sweep.parquet'}")
    FAILED[:] = list(table[table["status"] != "ok"]["point"])
    INCOMPLETE[:] = list(table[table["status"] == "incomplete"]["point"].unique())
    if (config.get("output") or {}).get("report", True) is not False:
        from sim.report import write_comparison_report

        print(f"report: {write_comparison_report(sweep_dir)}")


TOTAL_ENV = "CCSIM_SWEEP_TOTAL"


def _sweep_overrides(config) -> list:
    """The sweep's swept overrides, parsed: the command line's, then the sweeper params of
    an experiment file that the command line does not override."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    params = dict(config.hydra.sweeper.get("params") or {})
    given = [str(o) for o in config.hydra.overrides.task]
    cmd_keys = {o.split("=", 1)[0].lstrip("+~") for o in given}
    given += [f"{k}={v}" for k, v in params.items() if k not in cmd_keys]
    return [o for o in OverridesParser.create().parse_overrides(given) if o.is_sweep_override()]


def sweep_size(config) -> int:
    """How many points the sweep has: the product of its swept values (0 if unknown)."""
    try:
        n = 1
        for o in _sweep_overrides(config):
            n *= len(list(o.sweep_string_iterator()))
        return n
    except Exception:  # a range or glob we cannot count: progress shows no total
        return 0


def check_not_swept(config) -> None:
    """``n_reps`` is each point's replications, not a point's identity (it is left out of
    the point directory so that a larger n_reps adds replications): one value per sweep."""
    from sim import sweep_cluster

    try:
        swept = {o.key_or_group for o in _sweep_overrides(config)}
    except Exception:  # unparsable overrides are reported by Hydra itself
        return
    if "n_reps" in swept:
        sweep_cluster.fail("n_reps: one value per sweep, it was swept; allowed: a single "
                           "count (rerun a sweep with a larger n_reps to add replications "
                           "to its points)")
    if sweep_cluster.TASKS_KEY in swept:
        sweep_cluster.fail(f"{sweep_cluster.TASKS_KEY}: one value per sweep, it was swept; "
                           f"allowed: auto or a whole number >= 1 (tasks per point)")


def progress_tag(job: int) -> str:
    total = int(os.environ.get(TOTAL_ENV, "0") or 0)
    return f"[{job + 1}/{total}] " if total else f"[{job + 1}] "
