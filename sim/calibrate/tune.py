"""The one parameter fitted by simulation: how much of the agents' unlogged time is
busy (``hidden_fill``).

Why by simulation: the share of callers answered at once depends on how often an agent is
free when a call arrives, which no closed formula gives for priorities, reservation,
hidden work and time-varying staffing. The statistic fitted is the log's share of callers
served at once (so that share is in-sample in the validation); abandonment, waits,
service level, volumes and the hourly curves are left to validation.
"""

from __future__ import annotations

from sim.calibrate.hidden import HIDDEN, hidden_volume

FILL_RANGE = (0.0, 1.2)
STEPS = 7


def log_at_once(log) -> float:
    asked = log[log["outcome"].isin(["served", "abandoned"])]
    return float(((asked["outcome"] == "served") & (asked["wait_s"] <= 0)).mean())


def sim_at_once(scenario: dict, policy: dict, reps: int, seed: int) -> float:
    from sim.calibrate.validate import sim_counts, simulate_scenario

    sc = sim_counts(simulate_scenario(scenario, policy, reps, seed).intervals)
    return float(sc["at_once"].sum() / sc["base"].sum())


def fit_hidden_fill(cal, opts) -> None:
    """Bisection on the fill (the at-once share falls as the fill grows); updates the
    scenario's hidden-work volumes and the report in place."""
    target = log_at_once(cal.log)
    hidden = cal.report["hidden_work"]
    lo, hi = FILL_RANGE
    trace = []
    for _ in range(STEPS):
        mid = (lo + hi) / 2
        hidden["fill"] = mid
        cal.scenario["classes"][HIDDEN]["calls_per_interval"] = hidden_volume(hidden)
        got = sim_at_once(cal.scenario, cal.policy, opts.fit_reps, opts.seed + 1)
        trace.append({"fill": round(mid, 4), "at_once": got})
        lo, hi = (mid, hi) if got > target else (lo, mid)
    hidden["fill"] = round((lo + hi) / 2, 4)
    cal.scenario["classes"][HIDDEN]["calls_per_interval"] = hidden_volume(hidden)
    hidden["fit"] = {"target_log_at_once": target, "steps": trace,
                     "method": f"bisection on {FILL_RANGE}, {opts.fit_reps} replications "
                               f"per step, seed {opts.seed + 1} (validation uses {opts.seed})"}
