"""Distribution parameters within documented limits: moments that stay finite (no
overflow in lognormal's sigma or gamma's shape), and finite times where a time must end."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sim.errors import ConfigError
from sim.schema.limits import MAX_CV, MAX_TIME_S, MIN_MEAN_S

if TYPE_CHECKING:
    from sim.model.distributions import Distribution


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


def by_group(key: str, field: str, base: Any, overrides: Mapping[str, Any] | None,
             group_names: list[str]) -> tuple[Distribution, ...]:
    """A time law for every group: the default unless overridden by group (a policy may
    route a call to any group: pooling, reservation). Finite: it keeps an agent busy."""
    default = parse(f"{key}.{field}", base)
    over = overrides or {}
    out = tuple(parse(f"{key}.{field}_by_group.{g}", over[g]) if g in over
                else default for g in group_names)
    if any(d.mean == math.inf for d in out):
        raise ConfigError(f"{key}.{field}", "must be finite (not none)")
    return out
