"""Comparing the points of a sweep fairly: which points are comparable, which baseline
each point is paired with, which point is best (only when the paired differences say
so), readable point labels, and the terminal table.

The *treatment* key is what a sweep compares (the key ``sweep.baseline`` names, else the
first key swept on the command line, e.g. ``policy``); the other swept keys (e.g.
``scenario.load``) define *comparable* points: a point is paired with the baseline of its
own load and ranked against the points of its own load only.
"""

from __future__ import annotations

import math
import shutil
import textwrap

from sim.kpi_specs import kpi_fmt, short


def parse_value(text):
    """An override's value as the type it denotes: 0.9 -> float, 3 -> int, true -> bool."""
    if text is None or not isinstance(text, str):
        return text
    low = text.strip().lower()
    if low in ("true", "false"):
        return low == "true"
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return text.strip("'\"")


def typed_column(values: list) -> list:
    """A sweep key's column: numbers or booleans when every value is one, else strings."""
    parsed = [parse_value(v) for v in values]
    present = [p for p in parsed if p is not None]
    if present and all(isinstance(p, bool) for p in present):
        return parsed
    if present and all(isinstance(p, int | float) and not isinstance(p, bool)
                       for p in present):
        if any(isinstance(p, float) for p in present):
            return [None if p is None else float(p) for p in parsed]
        return parsed
    return [None if v is None else str(v) for v in values]


def treatment(order: list[str], varying: list[str], baseline: str | None) -> str | None:
    """The key a sweep compares: the first key of ``sweep.baseline``, else the first swept
    key in command-line order."""
    if baseline:
        first = baseline.split(",")[0].split("=")[0].lstrip("+~").strip()
        if first in varying:
            return first
    return next((k for k in order if k in varying), None)


def baselines(jobs, varying: list[str], baseline: str | None, treat: str | None) -> dict:
    """job -> the job it is paired with: the baseline's values on the keys ``baseline``
    names (default: the treatment key's first value), the job's own on every other key."""
    if jobs.empty or treat is None:
        return {}
    want = {}
    for part in (baseline or "").split(","):
        if "=" in part:
            k, v = part.lstrip("+~").split("=", 1)
            want[k.strip()] = parse_value(v.strip())
    if not want:
        want = {treat: jobs.sort_values("job")[treat].iloc[0]}
    others = [k for k in varying if k not in want]
    out = {}
    for r in jobs.to_dict("records"):
        match = jobs
        for k, v in want.items():
            if k in jobs.columns:
                match = match[match[k].map(lambda x, v=v: _same(x, v))]
        for k in others:
            match = match[match[k].map(lambda x, v=r[k]: _same(x, v))]
        if len(match):
            out[int(r["job"])] = int(match["job"].iloc[0])
    return out


def _same(a, b) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float):
        return math.isclose(float(a), float(b))
    return str(a) == str(b)


def groups(jobs, varying: list[str], treat: str | None) -> list[list[int]]:
    """Comparable points: jobs with the same values of every swept key but the treatment."""
    others = [k for k in varying if k != treat]
    if not others:
        return [sorted(int(j) for j in jobs["job"])]
    key = jobs[others].astype(str).agg("|".join, axis=1)
    return [sorted(int(j) for j in g["job"]) for _, g in jobs.groupby(key, sort=False)]


def best_points(rep_table, jobs, varying: list[str], treat: str | None, confidence: float,
                ranked: dict[str, bool]) -> set[tuple[int, str, str, str]]:
    """(job, scope, name, kpi) of each point that is best among its comparable points with
    every paired difference against them excluding 0 (``ranked``: kpi -> higher is better).
    With replications that cannot separate the points, nothing is marked."""
    rep_table = rep_table[rep_table["kpi"].isin(list(ranked))]
    marked: set[tuple[int, str, str, str]] = set()
    for members in groups(jobs, varying, treat):
        if len(members) >= 2:
            marked |= _best_of(rep_table[rep_table["job"].isin(members)], confidence, ranked)
    return marked


def _best_of(rows, confidence: float, ranked: dict[str, bool]) -> set[tuple[int, str, str, str]]:
    """``best_points`` within one set of comparable points, every KPI at once: values as
    an array (KPI, job, replication), NaN where missing."""
    import numpy as np

    from sim.kpi import t_interval_groups

    if rows.empty:
        return set()
    kpi_keys = rows[["scope", "name", "kpi"]].drop_duplicates().sort_values(
        ["scope", "name", "kpi"]).reset_index(drop=True)
    kpi_code = rows.merge(kpi_keys.reset_index(), on=["scope", "name", "kpi"], how="left")[
        "index"].to_numpy()
    job_ids, job_code = np.unique(rows["job"].to_numpy(), return_inverse=True)
    rep_ids, rep_code = np.unique(rows["rep"].to_numpy(), return_inverse=True)
    values = np.full((len(kpi_keys), len(job_ids), len(rep_ids)), np.nan)
    values[kpi_code, job_code, rep_code] = rows["value"].to_numpy(dtype=float)
    present = ~np.isnan(values)
    count = present.sum(axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(present, values, 0.0).sum(axis=2) / count  # as pandas' mean
    high = np.array([ranked[k] for k in kpi_keys["kpi"]])
    has = count > 0
    cand = np.where(has, np.where(high[:, None], means, -means), -np.inf)
    best = cand.argmax(axis=1)  # the first of equal means, as max() over jobs in order
    k_idx = np.flatnonzero(has.sum(axis=1) >= 2)
    others = [(k, j) for k in k_idx for j in np.flatnonzero(has[k]) if j != best[k]]
    if not others:
        return set()
    ks, js = np.array(others).T
    diffs = values[ks, best[ks]] - values[ks, js]  # replication by replication
    pair = np.repeat(np.arange(len(ks)), diffs.shape[1])
    _, mean, hw = t_interval_groups(diffs.ravel(), pair, len(ks), confidence)
    with np.errstate(invalid="ignore"):
        clear_pair = np.where(high[ks], mean - hw > 0, mean + hw < 0)
    clear = np.ones(len(kpi_keys), dtype=bool)
    np.logical_and.at(clear, ks, clear_pair)
    return {(int(job_ids[best[k]]), *kpi_keys.iloc[k]) for k in k_idx if clear[k]}


def point_labels(table, varying: list[str]) -> dict[int, str]:
    """job -> its swept values without the ``key=`` prefixes, e.g. "overflow · 1.2"."""
    points = table.drop_duplicates("job")
    if not varying:
        return {int(r.job): str(r.point) for r in points.itertuples()}
    return {int(j): " · ".join(_show(v) for v in vals) for j, *vals in
            points[["job", *varying]].itertuples(index=False)}


def _show(v) -> str:
    if isinstance(v, float) and v.is_integer():
        return f"{v:g}"
    return str(v)


def _cell(kpi: str, mean: float, hw: float) -> str:
    if mean is None or math.isnan(mean):
        return "-"
    s = 100 if kpi_fmt(kpi) == "pct" else 1
    text = f"{s * mean:.1f}"
    return text if hw is None or math.isnan(hw) else f"{text}±{s * hw:.1f}"


def _diff_cell(kpi: str, r) -> str:
    s = 100 if kpi_fmt(kpi) == "pct" else 1
    hw = r["diff_half_width"]
    none = hw is None or math.isnan(hw)  # one replication: no interval
    text = f"{s * r['diff_mean']:+.1f}" + ("" if none else f"±{s * hw:.1f}")
    sig = not none and (r["diff_low"] > 0 or r["diff_high"] < 0)
    return text + ("*" if sig else "")


def format_comparison(table, diffs=None, kpis: tuple[str, ...] = (),
                      width: int | None = None) -> str:
    """The terminal summary: one row per point (labels without ``key=``), as many KPI
    columns as fit the terminal; ★ where a point is best with every paired difference
    clear of 0; then paired differences against each point's own baseline."""
    width = width or shutil.get_terminal_size((100, 24)).columns
    ok = table[(table["status"] == "ok") & (table["scope"] == "overall")]
    failed = table[table["status"] != "ok"].drop_duplicates("job")
    varying = varying_keys(table)
    labels = point_labels(table, varying)
    jobs = sorted(int(j) for j in ok["job"].unique())
    shown = [k for k in kpis if k in set(ok["kpi"])]
    lead = max([10, *(len(labels[j]) for j in jobs)]) + 2
    fits = shown[:max(1, (width - lead) // 13)]
    lines = [f"{len(jobs)} point(s) ok, {len(failed)} failed"
             + (f" · {scenario_of(table)}" if scenario_of(table) else "")]
    if jobs:
        cell = ok.set_index(["job", "kpi"])
        head = " · ".join(varying) if varying else "point"
        lines.append(f"{head[:lead - 1]:<{lead}}" + "".join(f"{short(k):>13}"
                                                            for k in fits))
        for j in jobs:
            row = []
            for k in fits:
                if (j, k) not in cell.index:
                    row.append("-")
                    continue
                r = cell.loc[(j, k)]
                best = bool(r.get("best", False)) if hasattr(r, "get") else False
                row.append(_cell(k, r["mean"], r["half_width"]) + ("★" if best else " "))
            lines.append(f"{labels[j]:<{lead}}" + "".join(f"{c:>13}" for c in row))
        notes = [f"% columns in percent; ★ best among points of the same "
                 f"{same_as(table, diffs, varying)} with every paired difference clear of 0"]
        if len(fits) < len(shown):
            notes.append(f"{len(shown) - len(fits)} more KPI column(s) in sweep.csv and "
                         f"report.html (terminal {width} columns wide)")
        lines += [textwrap.fill(f"({n})", width - 1, initial_indent="  ",
                                subsequent_indent="   ") for n in notes]
    lines += _diff_lines(diffs, labels, shown, width)
    for r in failed.itertuples():
        lines.append(f"FAILED {labels.get(int(r.job), r.point)}: {r.error}")
    return "\n".join(lines)


def _diff_lines(diffs, labels: dict[int, str], kpis: list[str], width: int) -> list[str]:
    if diffs is None or not len(diffs):
        return []
    d = diffs[(diffs["scope"] == "overall") & diffs["kpi"].isin(kpis)]
    if not len(d):
        return []
    pairs = d.drop_duplicates("job")[["job", "baseline_job"]].itertuples(index=False)
    names = {int(j): f"{labels[int(j)]} vs {labels[int(b)]}" for j, b in pairs}
    lead = max(len(n) for n in names.values()) + 2
    fits = kpis[:max(1, (width - lead) // 13)]
    lines = [textwrap.fill("paired differences, each point minus its own baseline (same "
                           "seeds: common random numbers; * = CI excludes 0):", width - 1)]
    lines.append(f"{'point vs baseline':<{lead}}" + "".join(f"{short(k):>13}"
                                                             for k in fits))
    cell = d.set_index(["job", "kpi"])
    for job, name in names.items():
        row = [_diff_cell(k, cell.loc[(job, k)]) if (job, k) in cell.index else "-"
               for k in fits]
        lines.append(f"{name:<{lead}}" + "".join(f"{c:>13}" for c in row))
    return lines


STANDARD = {"job", "point", "scenario_name", "scope", "name", "kpi", "mean", "half_width", "low",
            "high", "n", "status", "error", "best", "retries"}


def compared_key(table, diffs, varying: list[str]) -> str | None:
    """The key the sweep compares: where points and their baselines differ (else the first
    swept key)."""
    if diffs is not None and len(diffs):
        points = table.drop_duplicates("job").set_index("job")
        for k in varying:
            if any(str(points.at[j, k]) != str(points.at[b, k])
                   for j, b in zip(diffs["job"], diffs["baseline_job"], strict=True)):
                return k
    return varying[0] if varying else None


def same_as(table, diffs, varying: list[str]) -> str:
    """What makes points comparable, for the ★ note: the swept keys but the compared one."""
    treat = compared_key(table, diffs, varying)
    return " · ".join(k for k in varying if k != treat) or "sweep"


def varying_keys(table) -> list[str]:
    """Swept keys (override columns with more than one value), in column order."""
    keys = [c for c in table.columns if c not in STANDARD]
    return [k for k in keys if table[k].astype(str).nunique() > 1]


def scenario_of(table) -> str:
    if "scenario_name" not in table.columns:
        return ""
    names = [str(x) for x in table["scenario_name"].dropna().unique()]
    return "scenario " + ", ".join(names) if names else ""
