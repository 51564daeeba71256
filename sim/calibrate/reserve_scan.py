"""``ccsim calibrate --reserve-from scan``: where the direct-line reserve starts, read off
the calibration days simulated one after another (issue 16; research record item 12).

The weekday table of idle agents while ACD callers wait (``sim.calibrate.direct_line``)
fixes that the reserve starts above some headcount, not where: rounding its means gives
one value, other readings of the same table give others. The calibration days give a
second statistic the mean day cannot see: each day simulated with its own volumes and
staffing (``ccsim validate --day-mix``), waits being convex in the load. So each
candidate ``reserve_from`` is calibrated (the hidden-work fill refitted to the share
answered at once, as always) and its days simulated in a row, and the candidate whose
mean wait of served callers over those days is nearest the log's is kept. Only
calibration days are read.

The search assumes what the model implies and the scans of the research record show:
the later the reserve starts, the shorter the waits (the relative error falls with the
candidate). From the table's value it tries 2, 4, 8 ... agents away until the error
changes sign, then bisects the bracket; every candidate simulated is reported.
"""

from __future__ import annotations

from collections.abc import Callable

METRIC = "mean_wait_served_s (relative difference)"


def search(error: Callable[[int], float], start: int, top: int) -> tuple[int, dict]:
    """The candidate in ``0..top`` whose ``error`` (falling with the candidate) is
    nearest 0, and every candidate tried with its error."""
    tried: dict[int, float] = {}

    def e(n: int) -> float:
        if n not in tried:
            tried[n] = error(n)
        return tried[n]

    start = min(max(start, 0), top)
    up = e(start) > 0  # waits too long: the reserve should start later
    near, step = start, 2
    while True:  # 2, 4, 8 ... agents away from the start, until the sign changes
        far = min(top, start + step) if up else max(0, start - step)
        if far == near or (e(far) > 0) != up:
            break
        near, step = far, step * 2
    if far != near:  # a sign change between near and far: bisect it
        lo, hi = sorted((near, far))
        while hi - lo > 1:
            mid = (lo + hi) // 2
            lo, hi = (mid, hi) if e(mid) > 0 else (lo, mid)
    chosen = min(tried, key=lambda n: (abs(tried[n]), n))
    return chosen, dict(sorted(tried.items()))


def day_mix_wait_error(cal, days: dict, n_reps: int, seed: int) -> float:
    """Relative error of the mean wait of served callers, the calibration days simulated
    in a row (``days``: ``cal``'s behaviour over them, as ``ccsim validate --day-mix``
    builds it in sample)."""
    from sim.calibrate.validate import compare, simulate_scenario

    res = simulate_scenario(days, cal.policy, n_reps, seed)
    result = compare(cal.log, res.intervals, float(days.get("service_level_s", 20)),
                     res.summary.get("confidence", 0.95), None, None,
                     days["horizon"]["days"])
    rows = result["overall"].set_index("metric")
    return float(rows.loc[METRIC, "difference"])


def method(n_reps: int, seed: int) -> str:
    return (f"each candidate calibrated (hidden-work fill refitted), the calibration days "
            f"simulated in a row ({n_reps} runs, seed {seed}); kept: the candidate whose "
            f"mean wait of served callers is nearest the log's; from the idle-agent "
            f"table's value, steps of 2, 4, 8 ... agents until the error changes sign, "
            f"then bisection")
