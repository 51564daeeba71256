"""The out-of-sample runs of run.sh (issue 16) as one tidy table, the README's met/missed
table, and the hourly Pearson r a perfect model could reach.

Each case is one ``ccsim validate --predict`` run of GROUPS x REPS replications (seed 1);
replication group g (replications (g-1)*REPS ... g*REPS-1) is one independent validation,
compared with the log exactly as ``ccsim validate`` compares (``sim.calibrate.validate.
compare`` with the out-of-sample targets, and the long-wait flag). Five groups stand for
five seeds: independent streams, the same statistical meaning, with the calibration (the
expensive part on a shared machine) done once per case instead of five times.

**Ceiling of the hourly r.** An hourly curve of the log is the mean of a few days, and
the simulation's the mean of a few replications: both carry sampling noise, so even a
model with exactly the right expected curve correlates with the log by at most
(Spearman's attenuation)

    r_max = sqrt(rel_log * rel_sim),  rel = 1 - mean_h var(noise_h) / var_h(curve),

the two curves' reliabilities. Each hour's noise variance (of a ratio of sums, as the
validation computes it) is the bootstrap variance over the log's days, or over the
group's replications, resampled with replacement. ``r_max_log`` is the log's ceiling
alone (infinitely many replications). Hours: those the validation compares.

**Noise of the levels.** The log's level (abandonment, answered at once, mean wait of
served callers) over a day type's D days is itself one draw: a model with exactly the
right expected level misses it by the log's noise plus the group's. Two estimates of a
D-day log's standard deviation, each by the delta method of a ratio of sums
(``sim.calibrate.validate.ratio_sd``, as ``ccsim validate`` reports them): over the log's
D days (which vary in volumes and staffing too, which a prediction is given) and over D
of the run's mean-day replications (the model's own: each day the same mean day; a
``--day-mix`` run's replication is itself the D days, so over one of them). With
the group's standard deviation (REPS replications), the chance that such a perfect
model meets a target of tolerance t with one group is erf(t / (sd * sqrt 2)), sd the two
combined (normal approximation); with every one of G groups, all judged against the same
log, it is E_L[P(|G - L| <= t)^G] over the log's deviation L; and z is the pooled run's
difference over the log's sd (either estimate) and the pooled run's own combined.

Writes OUT/table.csv (case, group, target, log, sim, difference, tolerance, met),
OUT/ceiling.csv (case, group, curve, r, r_max_log, r_max, log_days, reps, day_mix: under
the day mix the ceilings do not bound r, said below the table), OUT/edges.csv (mean wait with
and without the near-empty edge hours), OUT/level_noise.csv and prints the Markdown
tables.
Usage: python analyse.py LOG OUT REPS
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import script_cli
from long_waits import days_per_rep  # run by path: neighbour scripts

from sim.calibrate import validate as val

CASES = {"halves": ("weekday", "second-half"), "odd_even": ("weekday", "even"),
         "halves_back": ("weekday", "first-half"), "even_odd": ("weekday", "odd"),
         "friday": ("friday", "all"), "saturday": ("saturday", "all")}
# validation.csv metric -> (README name, unit shown, scale)
TARGETS = {
    "abandon_rate": ("abandonment ±1.5 pt", "pt", 100.0),
    "answered_at_once_of_requests": ("answered at once ±3 pt", "pt", 100.0),
    "mean_wait_served_s (relative difference)": ("mean wait of served ±10 %", "%", 100.0),
    "hourly_shape:answered_per_day (Pearson r)": ("hourly r volume ≥ 0.8", "r", 1.0),
    "hourly_shape:abandon_rate (Pearson r)": ("hourly r abandonment ≥ 0.8", "r", 1.0),
    "hourly_shape:answered_at_once_of_requests (Pearson r)":
        ("hourly r answered at once ≥ 0.8", "r", 1.0),
    "hourly_shape:mean_wait_served_s (Pearson r)": ("hourly r mean wait ≥ 0.8", "r", 1.0),
    val.FLAG_METRIC: ("long-wait flag (days beyond the log's longest)", "s", 1.0),
}
SHAPES = ("answered_per_day", "abandon_rate", "answered_at_once_of_requests",
          "mean_wait_served_s")
SUMS = list(val.SUMS)
LEVELS = ("abandon_rate", "answered_at_once_of_requests", "mean_wait_served_s")


def log_of(path: Path, day_type: str, days: str):
    """The predicted days' calls, exactly as the validation reads them (no tuning)."""
    from sim.calibrate.calibration import Options, calibrate
    from sim.calibrate.schema import read_log, sniff

    df, dq = read_log(path, "auto")
    return calibrate(df, dq, Options(day_type=day_type, days=days, hidden_fill=1.0),
                     sniff(path)).log


def validations(case: str, log, iv, hist, reps: int, per_rep: int = 1) -> list[dict]:
    """One row per replication group and target, as ``ccsim validate`` judges them."""
    rows = []
    for g in range(iv["rep"].nunique() // reps):
        pick = range(g * reps, (g + 1) * reps)
        res = val.compare(log, iv[iv["rep"].isin(pick)], 20.0, 0.95, val.PREDICT_TARGETS,
                          val.PREDICT_MIN_R, days_per_rep=per_rep)
        flag = val.long_wait_row(val.long_waits(log, hist[hist["rep"].isin(pick)], per_rep))
        overall = pd.concat([res["overall"], pd.DataFrame([flag])], ignore_index=True)
        for r in overall[overall["metric"].isin(TARGETS)].itertuples(index=False):
            name, unit, scale = TARGETS[r.metric]
            rows.append({"case": case, "group": g + 1, "target": name, "log": r.log,
                         "sim": r.sim, "sim_half_width": r.sim_half_width,
                         "difference": r.difference, "tolerance": r.tolerance,
                         "shown": r.sim if unit in ("r", "s") else r.difference * scale,
                         "unit": unit, "met": bool(r.within)})
    return rows


def cube(counts, unit: str, hours: list[int]) -> np.ndarray:
    """Sums by (unit, hour, sum): a unit is a log day or a replication."""
    g = counts.groupby([unit, "hour"])[SUMS].sum()
    units = sorted(counts[unit].unique())
    full = pd.MultiIndex.from_product([units, hours], names=[unit, "hour"])
    return g.reindex(full, fill_value=0.0).to_numpy().reshape(len(units), len(hours),
                                                              len(SUMS))


def curves(x: np.ndarray) -> dict[str, np.ndarray]:
    """Hourly curves from summed counts ``x[..., hour, sum]`` (volume up to a factor,
    which leaves r unchanged)."""
    s = {k: x[..., i] for i, k in enumerate(SUMS)}
    with np.errstate(invalid="ignore", divide="ignore"):
        return {"answered_per_day": s["served"], "abandon_rate": s["abandoned"] / s["base"],
                "answered_at_once_of_requests": s["at_once"] / s["base"],
                "mean_wait_served_s": s["wait_served_s"] / s["served"]}


def reliability(x: np.ndarray, rng, b: int = 2000) -> dict[str, float]:
    """1 - mean bootstrap noise variance / variance over hours, for each curve."""
    n = x.shape[0]
    w = rng.multinomial(n, np.full(n, 1.0 / n), size=b).astype(float)
    boot = curves(np.einsum("bu,uhs->bhs", w, x))
    obs = curves(x.sum(axis=0))
    out = {}
    for m in SHAPES:
        noise = float(np.nanmean(np.nanvar(boot[m], axis=0, ddof=1)))
        spread = float(np.nanvar(obs[m], ddof=1))
        out[m] = max(1.0 - noise / spread, 0.0) if spread > 0 else float("nan")
    return out


def ceilings(case: str, log, iv, reps: int, rng) -> list[dict]:
    lc = val.log_counts(log, 20.0)
    per_day = lc.groupby("hour")["base"].sum() / lc["date"].nunique()
    hours = sorted(per_day[per_day >= val.SHAPE_MIN_CALLS].index)
    lc = lc[lc["hour"].isin(hours)]
    rel_log = reliability(cube(lc, "date", hours), rng)
    obs_log = curves(cube(lc, "date", hours).sum(axis=0))
    sc = val.sim_counts(iv)
    sc = sc[sc["hour"].isin(hours)]
    rows = []
    for g in range(sc["rep"].nunique() // reps):
        x = cube(sc[sc["rep"].isin(range(g * reps, (g + 1) * reps))], "rep", hours)
        rel_sim, obs_sim = reliability(x, rng), curves(x.sum(axis=0))
        for m in SHAPES:
            ok = ~(np.isnan(obs_log[m]) | np.isnan(obs_sim[m]))
            rows.append({"case": case, "group": g + 1, "curve": m,
                         "r": float(np.corrcoef(obs_log[m][ok], obs_sim[m][ok])[0, 1]),
                         "r_max_log": float(np.sqrt(rel_log[m])),
                         "r_max": float(np.sqrt(rel_log[m] * rel_sim[m])),
                         "log_days": int(lc["date"].nunique()), "reps": reps})
    return rows


def chance_met(tolerance: float, *sds: float) -> float:
    """Chance that a difference of mean 0 and the independent standard deviations
    ``sds`` lies within ``± tolerance`` (normal approximation)."""
    sd = val.combined_sd(*sds)
    return 1.0 if sd == 0 else math.erf(tolerance / (sd * math.sqrt(2.0)))


def chance_all(tolerance: float, sd_log: float, sd_group: float, groups: int) -> float:
    """Chance that every one of ``groups`` independent groups lies within ``± tolerance``
    of one log that is itself off its expectation by N(0, sd_log) (normal approximation,
    integrated on a grid over the log's deviation)."""
    if sd_log == 0:
        return chance_met(tolerance, sd_group) ** groups
    dev = np.linspace(-8.0, 8.0, 4001) * sd_log
    weight = np.exp(-0.5 * (dev / sd_log) ** 2)
    if sd_group == 0:
        each = (np.abs(dev) <= tolerance).astype(float)
    else:
        from scipy.special import erf

        z = np.sqrt(2.0) * sd_group
        each = 0.5 * (erf((tolerance - dev) / z) - erf((-tolerance - dev) / z))
    return float(np.sum(weight * each ** groups) / np.sum(weight))


def flag_fails_from(log_units: int, sim_units: int) -> int | None:
    """The fewest simulated units beyond the log's longest wait that miss the flag
    (``validate.precedence_p`` under ``FLAG_ALPHA``); None: no count can."""
    return next((k for k in range(1, sim_units + 1)
                 if val.precedence_p(log_units, sim_units, k) < val.FLAG_ALPHA), None)


def flag_all_fail(log_units: int, group_units: int, groups: int) -> float:
    """Chance that a model right in distribution misses the long-wait flag in every one
    of ``groups`` groups of ``group_units`` simulated units (days, or runs of the days in
    a row against the log as one unit) judged against one log of ``log_units``: units
    exchangeable, the log's longest at quantile u ~ Beta(D, 1), each simulated unit beyond
    it with chance 1 - u, a group missing from k of them (``flag_fails_from``): the
    integral of D u^(D-1) P(Binomial(S, 1 - u) >= k)^G over [0, 1]."""
    from scipy.integrate import quad
    from scipy.stats import binom

    d, s, g = log_units, group_units, groups
    k = flag_fails_from(d, s)
    if k is None:
        return 0.0
    return float(quad(lambda u: d * u ** (d - 1) * binom.sf(k - 1, s, 1 - u) ** g,
                      0.0, 1.0)[0])


def level_noise(case: str, log, iv, reps: int, per_rep: int = 1) -> list[dict]:
    """Per level: the log's, the pooled run's difference, the standard deviation of a
    log of the same days by two estimates, of a group, and a perfect model's chance to
    meet the out-of-sample target with one group (module docstring). ``per_rep``: days a
    replication simulates (``--day-mix``: all D of them, so one replication is a log of
    the D days as the model makes it, not one D-th of it)."""
    days = val.log_counts(log, 20.0).groupby("date")[SUMS].sum().assign(days=1.0)
    runs = val.sim_counts(iv).groupby("rep")[SUMS].sum().assign(days=float(per_rep))
    d, n = len(days), len(runs)
    groups = n // reps
    log_lv, sim_lv = curves(days[SUMS].sum().to_numpy()), curves(runs[SUMS].sum().to_numpy())
    sd_days, sd_model = val.ratio_sd(days, d), val.ratio_sd(runs, d / per_rep)
    sd_group, se_pooled = val.ratio_sd(runs, reps), val.ratio_sd(runs, n)
    rows = []
    for m in LEVELS:
        tol, rel = val.PREDICT_TARGETS[m]
        lg = float(log_lv[m])
        scale = lg if rel else 1.0  # a relative target: its tolerance in the level's unit
        rows.append({
            "case": case, "level": m, "log_days": d, "reps": reps, "log": lg,
            "sim_pooled": float(sim_lv[m]),
            "difference": (float(sim_lv[m]) - lg) / scale,
            "sd_log_days": sd_days[m] / scale, "sd_log_model": sd_model[m] / scale,
            "sd_group": sd_group[m] / scale, "tolerance": tol,
            "chance_met_model": chance_met(tol * scale, sd_model[m], sd_group[m]),
            "chance_met_days": chance_met(tol * scale, sd_days[m], sd_group[m]),
            "groups": groups,
            "chance_all_model": chance_all(tol * scale, sd_model[m], sd_group[m], groups),
            "chance_all_days": chance_all(tol * scale, sd_days[m], sd_group[m], groups),
            # unlimited replications: only the log's own deviation is left
            "chance_unlimited_model": chance_met(tol * scale, sd_model[m]),
            "chance_unlimited_days": chance_met(tol * scale, sd_days[m]),
            "flag_all_groups_fail": flag_all_fail(*val.flag_units(d, reps, per_rep), groups),
            "z_model": val.z_score(float(sim_lv[m]), lg, sd_model[m], se_pooled[m]),
            "z_days": val.z_score(float(sim_lv[m]), lg, sd_days[m], se_pooled[m])})
    return rows


def markdown_noise(c: pd.DataFrame) -> str:
    lines = ["| case | level | pooled run − log | sd of the log: model / its days "
             "| sd of a group | chance a perfect model meets it, per group: model / days "
             "| in all groups: model / days | unlimited runs: model / days | z: model / days "
             "|", "|---|---|---|---|---|---|---|---|---|"]
    for r in c.itertuples(index=False):
        u = 100.0
        unit = " %" if val.PREDICT_TARGETS[r.level][1] else " pt"
        lines.append(f"| {r.case} ({r.log_days} days) | {r.level} | "
                     f"{r.difference * u:+.1f}{unit} | {r.sd_log_model * u:.1f} / "
                     f"{r.sd_log_days * u:.1f}{unit} | {r.sd_group * u:.1f}{unit} | "
                     f"{r.chance_met_model:.2f} / {r.chance_met_days:.2f} | "
                     f"{r.chance_all_model:.2f} / {r.chance_all_days:.2f} ({r.groups}) | "
                     f"{r.chance_unlimited_model:.2f} / {r.chance_unlimited_days:.2f} | "
                     f"{r.z_model:+.1f} / {r.z_days:+.1f} |")
    return "\n".join(lines)


def edges(case: str, log, iv) -> dict:
    """Mean wait of served callers over all hours and over the hours the shapes compare
    (>= 5 log calls a day), log and simulation (all replications): how much of a level
    miss sits in the near-empty hours at the day's edges."""
    lc, sc = val.log_counts(log, 20.0), val.sim_counts(iv)
    per_day = lc.groupby("hour")["base"].sum() / lc["date"].nunique()
    busy = set(per_day[per_day >= val.SHAPE_MIN_CALLS].index)

    def wait(c):
        return float(c["wait_served_s"].sum() / c["served"].sum())

    return {"case": case, "log_all": wait(lc), "sim_all": wait(sc),
            "log_busy": wait(lc[lc["hour"].isin(busy)]),
            "sim_busy": wait(sc[sc["hour"].isin(busy)]),
            "edge_share_log": float(lc.loc[~lc["hour"].isin(busy), "served"].sum()
                                    / lc["served"].sum()),
            "edge_share_sim": float(sc.loc[~sc["hour"].isin(busy), "served"].sum()
                                    / sc["served"].sum())}


def markdown_targets(t: pd.DataFrame) -> str:
    groups = sorted(t["group"].unique())
    lines = [f"| target | case | groups {', '.join(map(str, groups))} | met |",
             "|---|---|---|---|"]
    for name in dict.fromkeys(n for n, _, _ in TARGETS.values()):
        for case in dict.fromkeys(t["case"]):
            c = t[(t["target"] == name) & (t["case"] == case)].sort_values("group")
            if c.empty:
                continue
            unit = c["unit"].iloc[0]
            fmt = {"r": "{:.2f}", "s": "{:.0f}"}.get(unit, "{:+.1f}")
            cells = " / ".join(fmt.format(v) + ("" if m else " ✘")
                               for v, m in zip(c["shown"], c["met"], strict=True))
            if unit == "s":
                cells += f" (log {c['log'].iloc[0]:.0f})"
            lines.append(f"| {name} | {case} | {cells} | {int(c['met'].sum())}/{len(c)} |")
    return "\n".join(lines)


def met_summary(t: pd.DataFrame) -> str:
    """Group-targets met per case and over all cases (the README's totals)."""
    per = t.groupby("case", sort=False)["met"].agg(["sum", "size"])
    return ("group-targets met: " + ", ".join(f"{c} {int(r['sum'])}/{int(r['size'])}"
                                              for c, r in per.iterrows())
            + f"; all {int(t['met'].sum())}/{len(t)}")


def markdown_ceiling(c: pd.DataFrame) -> str:
    lines = ["| case | hourly curve | r (groups) | r max: log noise only | "
             "r max: log + replications (groups) |", "|---|---|---|---|---|"]
    for (case, m), g in c.groupby(["case", "curve"], sort=False):
        g = g.sort_values("group")
        lines.append(f"| {case} ({g['log_days'].iloc[0]} days) | {m} | "
                     + " / ".join(f"{r:.2f}" for r in g["r"])
                     + f" | {g['r_max_log'].iloc[0]:.2f} | "
                     + " / ".join(f"{r:.2f}" for r in g["r_max"]) + " |")
    return "\n".join(lines)


def main(log_path: Path, out: Path, reps: int) -> None:
    rng = np.random.default_rng(16)
    rows, ceil, edge, noise = [], [], [], []
    for case, (day_type, days) in CASES.items():
        run = out / case
        if not (run / "intervals.parquet").exists():
            continue
        log = log_of(log_path, day_type, days)
        iv = pd.read_parquet(run / "intervals.parquet")
        hist = pd.read_parquet(run / "wait_histogram.parquet")
        per_rep = days_per_rep(run)
        rows += validations(case, log, iv, hist, reps, per_rep)
        ceil += [{**r, "day_mix": per_rep > 1} for r in ceilings(case, log, iv, reps, rng)]
        edge.append(edges(case, log, iv))
        noise += level_noise(case, log, iv, reps, per_rep)
    if not rows:
        raise ValueError(f"{out}: no case run in it; allowed: a run.sh OUT with "
                         f"{', '.join(CASES)}/intervals.parquet")
    t, c = pd.DataFrame(rows), pd.DataFrame(ceil)
    t.drop(columns=["shown", "unit"]).to_csv(out / "table.csv", index=False,
                                             float_format="%.6g")
    c.to_csv(out / "ceiling.csv", index=False, float_format="%.4g")
    print(markdown_targets(t), "\n")
    print(met_summary(t), "\n")
    print(markdown_ceiling(c), "\n")
    mixed = sorted(c.loc[c["day_mix"], "case"].unique())
    if mixed:
        print(f"day mix ({', '.join(mixed)}): each simulated day takes the log day's own "
              "calls per interval, so its hourly curves share the log's volume noise and "
              "r may exceed these ceilings, which bound a model of the mean day\n")
    e = pd.DataFrame(edge)
    e.to_csv(out / "edges.csv", index=False, float_format="%.4g")
    print("| case | mean wait log / sim, all hours | busy hours only | served in edge hours "
          "log / sim |\n|---|---|---|---|")
    for r in e.itertuples(index=False):
        print(f"| {r.case} | {r.log_all:.1f} / {r.sim_all:.1f} s ({r.sim_all / r.log_all - 1:+.0%})"
              f" | {r.log_busy:.1f} / {r.sim_busy:.1f} s ({r.sim_busy / r.log_busy - 1:+.0%}) | "
              f"{r.edge_share_log:.1%} / {r.edge_share_sim:.1%} |")
    n = pd.DataFrame(noise)
    n.to_csv(out / "level_noise.csv", index=False, float_format="%.4g")
    print("\n" + markdown_noise(n))
    print("\nlong-wait flag failed in every group by a model right in distribution: "
          + ", ".join(f"{c} {g['flag_all_groups_fail'].iloc[0]:.2f}"
                      for c, g in n.groupby("case", sort=False)))


def cli(argv: list[str] | None = None) -> None:
    p = script_cli.parser(__doc__)
    p.add_argument("log", type=Path, help="the call log the runs were validated against")
    p.add_argument("out", type=Path, help="run.sh's OUT (case directories in it)")
    p.add_argument("reps", type=int, help="replications a group (run.sh's REPS)")
    a = p.parse_args(argv)
    if a.reps < 1:
        raise ValueError(f"reps: {a.reps}; allowed: an integer >= 1")
    main(a.log, a.out, a.reps)


if __name__ == "__main__":
    script_cli.run(cli)
