"""Does the mean day hide the log's day mix? (issue 16, 2026-12-04)

A calibration simulates one *mean* day of its day type: each class's calls per interval
and the agents present per interval averaged over the days. The log's days are not
alike: on January weekdays the calls of 16-19 h range from 49 to 198 an hour (coefficient
of variation 0.36, against 0.06 for Poisson noise around one mean day) and the agents
present follow them (4.6 to 8.2, correlation 0.78). Waits are convex in the load, so the
mean day's waits are not the mean of the days' waits, and a calibration that fits its
hidden work to the log's waits on the mean day may fit the day mix instead.

This script keeps a calibration's behaviour and simulates the day type's days one after
another, each with its own volumes and presence (``sim.calibrate.day_mix``, what ``ccsim
validate --day-mix`` does), then compares with the log exactly as ``ccsim validate``
does (``answered_per_day`` here counts the whole run of days as one day and is not
comparable). The behaviour is simulated both ways, mean day and day mix, with the same
seed; ``--volumes blocks`` and ``--fit`` are the variants of FINDINGS.md, item 11.

Usage: python day_mix.py SCENARIO CALIBRATION_JSON [LOG] [--day-type T] [--days D]
         [--predict T[:D]] [--n-reps N] [--seed S] [--out DIR]
SCENARIO and CALIBRATION_JSON: a calibration's scenario file and its calibration.json
(``ccsim calibrate LOG --out S.yaml --report-dir DIR``); --predict: the day type whose
days are simulated (default: the calibration's own, in sample).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pandas as pd
import script_cli

SHIPPED_LOG = "sim/data/anonymous_bank_january1999.txt.gz"


def day_targets(log_path: str, day_type: str, days: str, interval_s: int):
    """Calibrations (volumes and presence only, no tuning) at the behaviour's intervals:
    the selected days pooled (the mean day), then one per day."""
    from sim.calibrate import OneLineParser, _common, _options
    from sim.calibrate.calibration import calibrate
    from sim.calibrate.day_mix import day_calibrations
    from sim.calibrate.schema import read_log, sniff

    p = OneLineParser(prog="day_mix")
    p.add_argument("log")
    _common(p)
    args = p.parse_args([log_path, "--day-type", day_type, "--days", days,
                         "--interval-s", str(interval_s)])
    opts = _options(args, "day")
    opts.hidden_fill = 1.0  # only volumes and presence are used
    df, dq = read_log(Path(log_path), "auto")
    fmt = sniff(Path(log_path))
    pooled = calibrate(df, dq, opts, fmt)
    return pooled, day_calibrations(df, dq, opts, fmt, sorted(pooled.log["date"].unique()))


BLOCKS_H = (0, 10, 13, 16, 19, 22, 24)  # parts of the day for --volumes blocks


def smooth_volumes(day, pooled) -> None:
    """The day's calls per interval as the mean day's profile times the day's own volume
    in each part of the day (``BLOCKS_H``): its counts per interval, taken as Poisson
    means, would add their own Poisson noise a second time."""
    from sim.calibrate.hidden import HIDDEN

    classes = [c for c in pooled.scenario["classes"] if c != HIDDEN]
    mean = {c: pooled.scenario["classes"][c]["calls_per_interval"] for c in classes}
    own = {c: (day.scenario["classes"].get(c) or {}).get("calls_per_interval")
           for c in classes}
    n = len(next(iter(mean.values())))
    hours = [k * 24 / n for k in range(n)]
    for lo, hi in zip(BLOCKS_H, BLOCKS_H[1:], strict=False):
        ks = [k for k in range(n) if lo <= hours[k] < hi]
        m = sum(mean[c][k] for c in classes for k in ks)
        d = sum(own[c][k] for c in classes if own[c] for k in ks)
        f = d / m if m > 0 else 0.0
        for c in classes:
            if c not in day.scenario["classes"]:
                day.scenario["classes"][c] = copy.deepcopy(pooled.scenario["classes"][c])
                day.scenario["classes"][c]["calls_per_interval"] = [0.0] * n
            cpi = day.scenario["classes"][c]["calls_per_interval"]
            for k in ks:
                cpi[k] = round(mean[c][k] * f, 4)


def scaled(behaviour: dict, scale: float) -> dict:
    """The behaviour with its hidden work times ``scale`` (its share of available time
    scales with it, and so does every predicted day's)."""
    from sim.calibrate.hidden import HIDDEN

    out = copy.deepcopy(behaviour)
    c = out["classes"].get(HIDDEN)
    if c is not None:
        c["calls_per_interval"] = [round(v * scale, 4) for v in c["calls_per_interval"]]
    return out


def fit_scale(behaviour: dict, report: dict, own: list, log, policy: dict, seed: int,
              steps: int = 6, runs: int = 1, most: float = 2.0) -> tuple[float, list, bool]:
    """Bisection on the hidden work's scale in [0, ``most``] so that the calibration's own
    days, simulated in a row, answer the log's share at once (what ``ccsim calibrate``
    fits on the mean day; seed + 1 as there). Also whether the bisection ended at a bound
    of the range (the share not reached within it: said, not hidden)."""
    from sim.calibrate.day_mix import days_in_a_row
    from sim.calibrate.tune import log_at_once, sim_at_once

    target = log_at_once(log)
    lo, hi, trace = 0.0, most, []
    for _ in range(steps):
        mid = (lo + hi) / 2
        got = sim_at_once(days_in_a_row(scaled(behaviour, mid), report, own), policy,
                          runs, seed + 1)
        trace.append((round(mid, 4), round(got, 4)))
        lo, hi = (mid, hi) if got > target else (lo, mid)
    return round((lo + hi) / 2, 4), trace, lo == 0.0 or hi == most


def replay(mix: dict, log, seed: int) -> dict:
    """``--volumes trace``: the days' own calls replayed at their logged arrival times
    (``arrivals.trace``, IVR entry, the calls that asked for an agent, a class the
    behaviour lacks pooled into its priority's ``_other`` or left out), so no Poisson
    noise is added to the log's; the hidden-work tasks, not in the log, are drawn once
    as Poisson arrivals at the mix's rates (seeded), the same in every replication."""
    import numpy as np

    from sim.calibrate.hidden import HIDDEN

    out = copy.deepcopy(mix)
    classes = set(out["classes"])
    dates = sorted(log["date"].unique())
    day = log["date"].map({d: i for i, d in enumerate(dates)})
    asked = log[log["outcome"].isin(["served", "abandoned"])]
    cls = asked["class"].where(asked["class"].isin(classes),
                               asked["class"].str.split("_").str[0] + "_other")
    keep = cls.isin(classes)
    t = day[asked.index] * 86400.0 + asked["t_arrival"]
    trace = [[float(a), str(c)] for a, c in zip(t[keep], cls[keep], strict=True)]
    hidden = out["classes"].get(HIDDEN)
    if hidden is not None:
        rng = np.random.default_rng(seed)
        interval_s = out["horizon"]["interval_s"]
        for k, lam in enumerate(hidden["calls_per_interval"]):
            for u in np.sort(rng.uniform(0, interval_s, rng.poisson(lam))):
                trace.append([k * interval_s + float(u), HIDDEN])
    horizon = out["horizon"]["days"] * 86400.0
    out["arrivals"] = {"trace": sorted(x for x in trace if x[0] < horizon)}
    for c in out["classes"].values():  # the trace replaces the Poisson streams
        c["calls_per_interval"] = 0
    print(f"replayed {int(keep.sum())} logged calls ({int((~keep).sum())} of classes the "
          f"behaviour lacks left out) and {len(trace) - int(keep.sum())} hidden tasks")
    return out


def _free_s(scn: dict, report: dict) -> list[float]:
    """Expected unlogged agent time per interval: available agent time less the talk,
    wrap-up and not-ready time its volumes imply (what ``predict_scenario`` caps the
    hidden work by)."""
    from sim.calibrate.hidden import HIDDEN
    from sim.calibrate.predict import _expected_work

    group = scn["groups"]["agents"]
    interval_s = scn["horizon"]["interval_s"]
    n = len(group["staffing"])
    shrink = (group.get("availability") or {}).get("shrinkage") or [0.0] * n
    volumes = {c: v["calls_per_interval"] for c, v in scn["classes"].items() if c != HIDDEN}
    work = _expected_work(scn, volumes, report.get("answered_share", 0.9), n)
    return [max(a * (1 - s) * interval_s - w, 0.0)
            for a, s, w in zip(group["staffing"], shrink, work, strict=True)]


def unlogged_base(behaviour: dict, report: dict, mix: dict, n: int) -> dict:
    """``--hidden-on unlogged``: each day's hidden work in proportion to its expected
    unlogged time, at the ratio the behaviour's own mean day has (hidden / expected
    unlogged), instead of a share of its available time."""
    from sim.calibrate.fit import law_mean
    from sim.calibrate.hidden import HIDDEN

    hidden = behaviour["classes"].get(HIDDEN)
    if hidden is None:
        return mix
    task = law_mean(hidden["handle_time"])
    ratio = sum(hidden["calls_per_interval"]) * task / max(sum(_free_s(behaviour, report)),
                                                           1e-9)
    out = copy.deepcopy(mix)
    out["classes"][HIDDEN]["calls_per_interval"] = [
        round(ratio * f / task, 4) for f in _free_s(out, report)]
    days = len(out["classes"][HIDDEN]["calls_per_interval"]) / n
    per_day = sum(out["classes"][HIDDEN]["calls_per_interval"]) * task / 3600 / days
    print(f"hidden work on expected unlogged time: ratio {ratio:.4f}, {per_day:.1f} "
          f"agent-hours a day (mean day {sum(hidden['calls_per_interval']) * task / 3600:.1f})")
    return out


def simulate(scenario: dict, policy: dict, n_reps: int, seed: int):
    from sim.calibrate import validate as val

    return val.simulate_scenario(scenario, policy, n_reps, seed).intervals


def compare(scenario: dict, intervals, log) -> pd.DataFrame:
    """``ccsim validate``'s overall table against the out-of-sample targets."""
    from sim.calibrate import validate as val

    out = val.compare(log, intervals, float(scenario.get("service_level_s", 20)),
                      0.95, val.PREDICT_TARGETS, val.PREDICT_MIN_R)["overall"]
    return out.set_index("metric")[["log", "sim", "sim_half_width", "difference", "within"]]


def main(argv: list[str] | None = None) -> None:
    import yaml

    from sim.calibrate.calibration import policy_for
    from sim.calibrate.day_mix import by_day, day_r, days_in_a_row

    p = script_cli.parser(__doc__)
    p.add_argument("scenario", type=Path)
    p.add_argument("calibration", type=Path)
    p.add_argument("log", nargs="?", default=SHIPPED_LOG)
    p.add_argument("--day-type", default="weekday")
    p.add_argument("--days", default="all")
    p.add_argument("--predict", default=None)
    p.add_argument("--n-reps", type=int, default=5)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", type=Path, default=Path("outputs/day_mix"))
    p.add_argument("--reserve", type=int, default=1,
                   help="agents kept for the direct line (default 1, from reserve_from)")
    p.add_argument("--reserve-from", type=int, default=None,
                   help="headcount from which the reserve applies (default: the calibration's)")
    p.add_argument("--hidden-scale", type=float, default=1.0,
                   help="hidden work times this (default 1: the calibration's own)")
    p.add_argument("--volumes", choices=("counts", "blocks", "trace"), default="counts",
                   help="each day's calls per interval: its own counts (default) or the "
                        "mean profile scaled to its volume in each part of the day")
    p.add_argument("--hidden-on", choices=("available", "unlogged"), default="available",
                   help="each day's hidden work: the behaviour's share of its available "
                        "time (as --predict) or in proportion to its expected unlogged time")
    p.add_argument("--fit", action="store_true", help="fit --hidden-scale on the "
                   "calibration's own days in a row (their at-once share) first")
    p.add_argument("--fit-max", type=float, default=2.0,
                   help="largest hidden-work scale --fit tries (default 2)")
    a = p.parse_args(argv)
    behaviour = yaml.safe_load(a.scenario.read_text())
    report = json.loads(a.calibration.read_text())
    day_type, _, days = (a.predict or f"{a.day_type}:{a.days}").partition(":")
    interval_s = int(behaviour["horizon"]["interval_s"])
    pooled, targets = day_targets(a.log, day_type, days or "all", interval_s)
    if a.volumes == "blocks":
        for t in targets:
            smooth_volumes(t, pooled)
    log = pooled.log
    policy = policy_for(behaviour, a.reserve, report["direct_line_reserve"]["used"]
                        if a.reserve_from is None else a.reserve_from)
    if a.fit:
        own_pooled, own = (pooled, targets) if not a.predict else day_targets(
            a.log, a.day_type, a.days, interval_s)
        if a.volumes == "blocks" and a.predict:
            for t in own:
                smooth_volumes(t, own_pooled)
        a.hidden_scale, trace, bound = fit_scale(behaviour, report, own, own_pooled.log,
                                                 policy, a.seed, most=a.fit_max)
        print(f"hidden-work scale fitted on the own days in a row: {a.hidden_scale} "
              f"(steps scale, at once: {trace})")
        if bound:
            print(f"warning: the fit ended at a bound of 0-{a.fit_max:g}: the log's share "
                  f"at once is not reached within it (--fit-max)")
    mix = days_in_a_row(scaled(behaviour, a.hidden_scale), report, targets)
    if a.hidden_on == "unlogged":
        mix = unlogged_base(scaled(behaviour, a.hidden_scale), report, mix,
                            behaviour["horizon"]["intervals_per_day"])
    if a.volumes == "trace":
        mix = replay(mix, log, a.seed)
    mean_day = behaviour
    if a.predict:  # the mean of the predicted days, as ``ccsim validate --predict``
        from sim.calibrate.predict import predict_scenario

        mean_day = predict_scenario(behaviour, report, pooled)[0]
    a.out.mkdir(parents=True, exist_ok=True)
    (a.out / "day_mix.yaml").write_text(yaml.safe_dump(mix, sort_keys=False))
    rows = {}
    rows["mean day"] = compare(mean_day, simulate(mean_day, policy, a.n_reps * len(targets),
                                                  a.seed), log)
    name = (f"day mix ({len(targets)} days, {a.volumes}, hidden on {a.hidden_on}), "
            f"hidden x {a.hidden_scale}")
    intervals = simulate(mix, policy, a.n_reps, a.seed)
    rows[name] = compare(mix, intervals, log)
    table = pd.concat(rows, axis=1)
    table.to_csv(a.out / "day_mix.csv")
    daily = by_day(log, intervals, sorted(log["date"].unique()))
    daily.to_csv(a.out / "by_day.csv")
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(f"{day_type} ({days or 'all'}): {len(targets)} days; mean day "
              f"{a.n_reps * len(targets)} replications, day mix {a.n_reps} runs of the "
              f"{len(targets)} days (seed {a.seed})")
        print(table.round(3).to_string())
        print("\nday by day (log / simulation, mean over the runs):")
        print(daily.round(3).to_string())
        print(f"r over the days, log against simulation: {day_r(daily)}")


if __name__ == "__main__":
    script_cli.run(main)
