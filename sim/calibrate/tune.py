"""The one parameter fitted by simulation: how much of the agents' unlogged time is
busy (``hidden_fill``).

Why by simulation: the share of callers answered at once depends on how often an agent is
free when a call arrives, which no closed formula gives for priorities, reservation,
hidden work and time-varying staffing. The statistic fitted is the log's share of callers
served at once (so that share is in-sample in the validation); abandonment, waits,
service level, volumes and the hourly curves are left to validation.

``--hidden-fill-by hour`` fits one fill per hour of the day instead, each to that hour's
share answered at once (hours with fewer than ``MIN_BLOCK_CALLS`` callers over the
calibration days share one fill): why, the log's agents not talking are free for an
arriving caller far more often in the evening than by day (docs/calibration.md, *What limits the
levels*, 4), which one fill for the whole day cannot carry. All hours are bisected
together, each on its own bracket, from the same simulations.

``--fit-on day-mix`` runs each step's simulation on the calibration's own days in a row,
each with its own volumes and staffing (``sim.calibrate.day_mix``, what ``ccsim validate
--day-mix`` and a prediction of other days simulate), instead of one mean day: waits are
convex in the load, so the mean day may answer more callers at once than the days it
averages, and a fill fitted on it is then fitted partly to that difference (January:
at the same fill the mean Friday answers 1.4 points more at once than the five Fridays
in a row; on weekdays the two agree within 0.3 points; FINDINGS.md, item 24).
"""

from __future__ import annotations

import math

from sim.calibrate.hidden import HIDDEN, hidden_volume

FILL_RANGE = (0.0, 1.2)
STEPS = 7
# an hour fitted on its own needs this many callers over the calibration days: the
# binomial standard error of its at-once share is then <= 3.5 points, about the +-3 point
# tolerance the share is judged by
MIN_BLOCK_CALLS = 200
QUIET = -1  # the block of the hours with fewer callers


def log_at_once(log) -> float:
    asked = log[log["outcome"].isin(["served", "abandoned"])]
    return float(((asked["outcome"] == "served") & (asked["wait_s"] <= 0)).mean())


def sim_at_once(scenario: dict, policy: dict, reps: int, seed: int) -> float:
    from sim.calibrate.validate import sim_counts, simulate_scenario

    sc = sim_counts(simulate_scenario(scenario, policy, reps, seed).intervals)
    return float(sc["at_once"].sum() / sc["base"].sum())


def replications(opts, scenario: dict) -> int:
    """Replications per step: ``fit_reps`` mean days, or (days in a row) as few runs of
    all the days as simulate at least as many days."""
    return max(1, math.ceil(opts.fit_reps / scenario["horizon"].get("days", 1)))


def _step_scenario(cal, simulated) -> dict:
    """What a step simulates: the mean day, or ``simulated(cal)`` (the days in a row)."""
    return cal.scenario if simulated is None else simulated(cal)


def _method(text: str, opts, scenario: dict) -> str:
    days = scenario["horizon"].get("days", 1)
    on = (f"the {days} calibration days in a row" if opts.fit_on == "day-mix"
          else "one mean day")
    return (f"{text}, {replications(opts, scenario)} replications of {on} per step, seed "
            f"{opts.seed + 1} (validation uses {opts.seed})")


def fit_hidden_fill(cal, opts, simulated=None) -> None:
    """Bisection on the fill (the at-once share falls as the fill grows); updates the
    scenario's hidden-work volumes and the report in place. ``simulated``: what a step
    simulates at its fill (``--fit-on day-mix``: the calibration days in a row), else
    the mean day."""
    target = log_at_once(cal.log)
    hidden = cal.report["hidden_work"]
    lo, hi = FILL_RANGE
    trace = []
    for _ in range(STEPS):
        mid = (lo + hi) / 2
        hidden["fill"] = mid
        cal.scenario["classes"][HIDDEN]["calls_per_interval"] = hidden_volume(hidden)
        scenario = _step_scenario(cal, simulated)
        got = sim_at_once(scenario, cal.policy, replications(opts, scenario), opts.seed + 1)
        trace.append({"fill": round(mid, 4), "at_once": got})
        lo, hi = (mid, hi) if got > target else (lo, mid)
    hidden["fill"] = round((lo + hi) / 2, 4)
    cal.scenario["classes"][HIDDEN]["calls_per_interval"] = hidden_volume(hidden)
    hidden["fit"] = {"target_log_at_once": target, "steps": trace,
                     "on": opts.fit_on, "range": list(FILL_RANGE),
                     "at_bound": lo == FILL_RANGE[0] or hi == FILL_RANGE[1],
                     "method": _method(f"bisection on {FILL_RANGE}", opts, scenario)}


def hour_blocks(log) -> tuple[dict[int, int], dict[int, float]]:
    """Each hour's block (itself, or ``QUIET``) and each block's at-once share in the
    log."""
    asked = log[log["outcome"].isin(["served", "abandoned"])]
    hour = (asked["t_arrival"] // 3600).clip(0, 23).astype(int)
    at_once = (asked["outcome"] == "served") & (asked["wait_s"] <= 0)
    calls = hour.value_counts()
    block = {h: (h if calls.get(h, 0) >= MIN_BLOCK_CALLS else QUIET) for h in range(24)}
    b = hour.map(block)
    share = at_once.groupby(b).mean()
    return block, {int(k): float(v) for k, v in share.items()}


def fit_hidden_fill_by_hour(cal, opts, simulated=None) -> None:
    """Bisection on one fill per block of hours, all blocks in each simulation; updates
    the scenario's hidden-work volumes and the report in place (``fill_by_interval``;
    ``fill`` becomes the unlogged-time weighted mean, for display). ``simulated`` as in
    ``fit_hidden_fill``."""
    from sim.calibrate.validate import sim_counts, simulate_scenario

    block, target = hour_blocks(cal.log)
    hidden = cal.report["hidden_work"]
    n = len(hidden["unlogged_agent_s"])
    interval_s = 86400 / n
    of = [block[int(k * interval_s // 3600) % 24] for k in range(n)]
    lo = {b: FILL_RANGE[0] for b in target}
    hi = {b: FILL_RANGE[1] for b in target}
    trace = []
    for _ in range(STEPS):
        mid = {b: (lo[b] + hi[b]) / 2 for b in target}
        _set_fill(cal, hidden, [mid.get(b, 1.0) for b in of])
        scenario = _step_scenario(cal, simulated)
        sc = sim_counts(simulate_scenario(scenario, cal.policy, replications(opts, scenario),
                                          opts.seed + 1).intervals)
        by = sc.assign(block=sc["hour"].map(block)).groupby("block")[["at_once", "base"]].sum()
        got = {b: float(by.at_once.get(b, 0.0) / max(by.base.get(b, 0.0), 1e-9))
               for b in target}
        trace.append({"fill": {str(b): round(mid[b], 4) for b in target},
                      "at_once": {str(b): round(got[b], 4) for b in target}})
        for b in target:
            lo[b], hi[b] = (mid[b], hi[b]) if got[b] > target[b] else (lo[b], mid[b])
    _set_fill(cal, hidden, [round((lo[b] + hi[b]) / 2, 4) if b in target else 1.0
                            for b in of])
    hidden["fit"] = {"target_log_at_once_by_block": {str(b): t for b, t in target.items()},
                     "block_of_hour": {str(h): b for h, b in block.items()},
                     "steps": trace,
                     "on": opts.fit_on,
                     "method": _method(f"bisection on {FILL_RANGE} per block of hours (an "
                                       f"hour with >= {MIN_BLOCK_CALLS} callers is its own "
                                       f"block, the others share block {QUIET}), all blocks "
                                       "in each simulation", opts, scenario)}


def _set_fill(cal, hidden: dict, fill: list[float]) -> None:
    """Fills per interval into the report (with their weighted mean) and the scenario."""
    unlogged = hidden["unlogged_agent_s"]
    hidden["fill_by_interval"] = fill
    hidden["fill"] = round(sum(f * s for f, s in zip(fill, unlogged, strict=True))
                           / max(sum(unlogged), 1e-9), 4)
    cal.scenario["classes"][HIDDEN]["calls_per_interval"] = hidden_volume(hidden)
