"""``ccsim validate --day-mix``: the compared days simulated one after another, each with
its own volumes and staffing, instead of one mean day (issue 16).

A calibration simulates one *mean* day of its day type. The log's days are not alike
(on January weekdays the calls of 16-19 h range from 49 to 198 an hour and the agents
present follow them), and waits are convex in the load, so the mean day's waits are not
the mean of the days' waits. Here each compared day is predicted from its own calls per
interval and agents present, keeping the calibration's behaviour exactly as ``--predict``
does (``sim.calibrate.predict.predict_scenario``), and the days are laid end to end as
one scenario of that many days: a replication is one run of all of them. Besides the
usual tables, each day's abandonment, mean wait of served callers and share answered at
once are set against the log's, with Pearson r over the days: which days a model given
their volumes and staffing sees coming.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

# the per-interval keys of a calibrated scenario (one value per interval of the day)
PER_INTERVAL = ("calls_per_interval", "staffing", "shrinkage")
DAY_METRICS = ("abandon_rate", "mean_wait_served_s", "answered_at_once_of_requests")


def per_interval_keys(scenario: dict, n: int) -> list[tuple[str, ...]]:
    """Paths of the scenario's per-interval lists of ``n`` values."""
    out: list[tuple[str, ...]] = []

    def walk(node, path: tuple[str, ...]) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, (*path, k))
        elif isinstance(node, list) and len(node) == n and path[-1] in PER_INTERVAL:
            out.append(path)

    walk(scenario, ())
    return out


def _get(node, path: tuple[str, ...]):
    for k in path:
        node = node[k]
    return node


def _set(node, path: tuple[str, ...], value) -> None:
    for k in path[:-1]:
        node = node[k]
    node[path[-1]] = value


def tally_moved(per_day: list[dict[str, str]]) -> dict[str, dict[str, int]]:
    """Class -> what happened to it (pooled, dropped, routed into ...) -> on how many
    days; a day's own figures (in parentheses) left out, so each is one line: never
    silent, never one line per day."""
    moved: dict[str, dict[str, int]] = {}
    for day in per_day:
        for cls, what in day.items():
            what = what.split(" (")[0]
            moved.setdefault(cls, {}).setdefault(what, 0)
            moved[cls][what] += 1
    return moved


def days_in_a_row(behaviour: dict, report: dict, targets: list) -> dict:
    """The behaviour with each target day's volumes and presence, the days in a row."""
    from sim.calibrate.predict import predict_scenario

    if not targets:
        raise ValueError("--day-mix: no days to simulate")
    n = behaviour["horizon"]["intervals_per_day"]
    keys = per_interval_keys(behaviour, n)
    predicted = [predict_scenario(behaviour, report, t) for t in targets]
    days = [scn for scn, _ in predicted]
    moved = tally_moved([info["classes_moved"] for _, info in predicted])
    report["day_mix"] = {"days": len(days), "classes_moved": moved}
    scn = copy.deepcopy(days[0])
    for path in keys:
        _set(scn, path, [v for d in days for v in _get(d, path)])
    scn["horizon"] = {**scn["horizon"], "days": len(days)}
    return scn


def day_calibrations(df, dq, opts, fmt, dates: list) -> list:
    """One calibration per date, of its volumes and presence only (no tuning). Classes
    are labelled over the whole log first, as every calibration labels them: labelled
    day by day, a class with fewer than ``min_class_calls`` calls on one day (on a
    Saturday: p0_NW, p1_PS) would be pooled into ``p<priority>_other`` or dropped."""
    from sim.calibrate.calibration import calibrate, label_classes

    one = copy.copy(opts)
    one.hidden_fill, one.days = 1.0, "all"
    df = df.assign(**{"class": label_classes(df, opts.min_class_calls)})
    out = []
    for date in dates:
        try:
            out.append(calibrate(df[df["date"] == date], dq, one, fmt))
        except ValueError as exc:
            raise ValueError(f"--day-mix: day {str(date)[:10]} cannot be read on its own "
                             f"({exc}); allowed: days each with calls and agents") from None
    return out


def by_day(log, intervals, dates: list, day_s: float = 86400.0) -> pd.DataFrame:
    """Each day's abandonment, mean wait of served callers and share answered at once,
    log against simulation (day i of the run is ``dates[i]``; over the replications),
    counted as ``sim.calibrate.validate.compare`` counts."""
    import pandas as pd

    from sim.calibrate import validate as val
    from sim.calibrate.hidden import HIDDEN

    index = {d: i for i, d in enumerate(dates)}
    lc = val.log_counts(log, 20.0).assign(day=lambda t: t["date"].map(index))
    f = intervals[~intervals["class"].isin(["ALL", HIDDEN])]  # as sim_counts
    sc = val.sim_counts(f).assign(day=(f["start_s"] // day_s).astype(int).to_numpy())
    parts = {}
    for name, counts in (("log", lc), ("sim", sc)):
        g = counts.groupby("day")[list(val.SUMS)].sum()
        parts[name] = pd.DataFrame({
            "abandon_rate": g["abandoned"] / g["base"],
            "mean_wait_served_s": g["wait_served_s"] / g["served"],
            "answered_at_once_of_requests": g["at_once"] / g["base"]})
    table = pd.concat(parts, axis=1).reindex(range(len(dates)))
    table.index = pd.Index([str(d)[:10] for d in dates], name="date")
    return table


def day_r(table: pd.DataFrame) -> dict[str, float]:
    """Pearson r over the days, log against simulation, of each metric (nan with fewer
    than three days)."""
    if len(table) < 3:
        return dict.fromkeys(DAY_METRICS, float("nan"))
    return {m: float(table[("log", m)].corr(table[("sim", m)])) for m in DAY_METRICS}


def day_rows(table: pd.DataFrame) -> list[dict]:
    """Rows of the overall table: r over the days, reported without a target."""
    import math

    return [{"metric": f"daily_shape:{m} (Pearson r)", "log": 1.0, "sim": r,
             "sim_half_width": math.nan, "difference": r - 1.0, "tolerance": math.nan,
             "within": None} for m, r in day_r(table).items()]


def long_table(table: pd.DataFrame) -> pd.DataFrame:
    """``validation_by_day.csv``: date, metric, log, sim."""
    t = table.stack(level=1, future_stack=True).reset_index()
    t.columns = ["date", "metric", "log", "sim"]
    return t
