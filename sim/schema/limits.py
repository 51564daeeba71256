"""Documented limits on inputs: beyond them a run cannot finish in reasonable time or
memory, or a distribution's moments overflow. Each is reported as ``key: ... <= LIMIT``.

``ccsim keys`` prints them; the README's key reference points there.
"""

SECONDS_PER_DAY = 86400.0
MAX_DAYS = 366                  # horizon.days: one year
MAX_INTERVALS_PER_DAY = 1440    # one-minute intervals
MIN_INTERVAL_S = 1.0            # horizon.interval_s: one second ...
MAX_INTERVAL_S = SECONDS_PER_DAY  # ... to one day
MAX_HORIZON_S = MAX_DAYS * SECONDS_PER_DAY  # days × intervals_per_day × interval_s
MAX_CALLS_PER_INTERVAL = 1e6    # expected calls of one interval (after load)
MAX_CALLS = 1e8                 # expected calls over the whole horizon (after load)
MAX_LOAD = 1000.0               # scenario.load multiplier
MAX_AGENTS = 100_000            # agents of one group (or pool) in one interval
MAX_TIME_S = 1e9                # any time parameter (mean, sd, value, bound), seconds
MIN_MEAN_S = 1e-6               # a positive mean below a microsecond is a typing error
MAX_CV = 1e3                    # sd / mean of lognormal and gamma (moments stay finite)
MAX_SEED = 2**64 - 1            # seeds are 64-bit (larger ones would wrap)
MAX_REPS = 100_000              # n_reps
MAX_JOBS = 1024                 # n_jobs
MAX_PRIORITY = 1000             # priority levels
MAX_REDIAL_ATTEMPTS = 1000
MAX_POPULATION = 10**9          # customers.population
MAX_MONEY = 1e12                # costs per hour, annual values (currency units)
MAX_LINES = 10_000_000         # scenario.lines (trunk lines)


def check_volume(key: str, volume, load_note: str = "") -> None:
    """Expected calls per interval and over the horizon stay within the documented limits
    (the product of factors that each pass can still be absurd: load × volume)."""
    import math

    from sim.errors import ConfigError

    peak = max(volume, default=0.0)
    total = math.fsum(volume)
    if not math.isfinite(total) or peak > MAX_CALLS_PER_INTERVAL:
        raise ConfigError(key, f"expected calls per interval{load_note} must be <= "
                               f"{MAX_CALLS_PER_INTERVAL:.0e}, got {peak:.3g}")
    if total > MAX_CALLS:
        raise ConfigError(key, f"expected calls over the horizon{load_note} must be <= "
                               f"{MAX_CALLS:.0e}, got {total:.3g}")


# (key, limit, unit) — the documented limits as ``ccsim keys`` prints them
TABLE = (
    ("scenario.horizon.days", f"1 .. {MAX_DAYS}", "days"),
    ("scenario.horizon.interval_s", f"{MIN_INTERVAL_S:g} .. {MAX_INTERVAL_S:g}", "s"),
    ("scenario.horizon.intervals_per_day", f"1 .. {MAX_INTERVALS_PER_DAY}", "intervals"),
    ("scenario.horizon (days x intervals_per_day x interval_s)", f"<= {MAX_HORIZON_S:g}",
     "s"),
    ("scenario.load", f"0 .. {MAX_LOAD:g}", "x"),
    ("expected calls per interval (any calls_per_interval, x load)",
     f"<= {MAX_CALLS_PER_INTERVAL:g}", "calls"),
    ("expected calls over the horizon (x load)", f"<= {MAX_CALLS:g}", "calls"),
    ("agents per group or pool and interval (staffing)", f"0 .. {MAX_AGENTS}", "agents"),
    ("any time or distribution parameter", f"0 .. {MAX_TIME_S:g}", "s"),
    ("lognormal/gamma mean", f">= {MIN_MEAN_S:g}", "s"),
    ("lognormal/gamma sd", f"<= {MAX_CV:g} x mean", "s"),
    ("handle, after-call, IVR, processing, callback, campaign, redial times",
     "finite (null/none refused)", ""),
    ("seed", f"0 .. {MAX_SEED}", ""),
    ("n_reps", f"1 .. {MAX_REPS}", ""),
    ("n_jobs", f"1 .. {MAX_JOBS}", "processes"),
)
