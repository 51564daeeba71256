"""Distribution parameters within documented limits: moments that stay finite (no
overflow in lognormal's sigma or gamma's shape), and finite times where a time must end."""

from __future__ import annotations

import math
from typing import Any

from sim.errors import ConfigError
from sim.schema.limits import MAX_CV, MAX_TIME_S, MIN_MEAN_S


def parse(key: str, spec: Any, *, finite: bool = False):
    """:func:`sim.model.distributions.parse_distribution`, then the limits. ``finite``:
    null / ``{dist: none}`` (never ends) is refused — a handle or processing time that
    never ends would keep an agent busy for ever."""
    from sim.model.distributions import (
        Empirical,
        Gamma,
        Lognormal,
        Never,
        Uniform,
        parse_distribution,
    )

    dist = parse_distribution(key, spec)
    if isinstance(dist, Never):
        if finite:
            raise ConfigError(key, "must be a finite time (a number of seconds or a "
                                   "distribution), not null or none")
        return dist
    values = list(dist.values) if isinstance(dist, Empirical) else [
        getattr(dist, a) for a in ("mean_s", "sd_s", "value", "high") if hasattr(dist, a)]
    if any(v > MAX_TIME_S for v in values):
        raise ConfigError(key, f"times must be <= {MAX_TIME_S:g} s, got {max(values):g}")
    if isinstance(dist, (Lognormal, Gamma)):
        if dist.mean_s < MIN_MEAN_S:
            raise ConfigError(f"{key}.mean", f"must be >= {MIN_MEAN_S:g} s for {dist.name}, "
                                             f"got {dist.mean_s:g}")
        if dist.sd_s / dist.mean_s > MAX_CV:
            raise ConfigError(f"{key}.sd", f"must be <= {MAX_CV:g} x mean for {dist.name} "
                                           f"(moments overflow beyond), got {dist.sd_s:g}")
    if isinstance(dist, Uniform) and not math.isfinite(dist.high - dist.low):
        raise ConfigError(f"{key}.high", f"must be <= {MAX_TIME_S:g} s")
    return dist
