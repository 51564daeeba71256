"""Building blocks shared by the scenario sections: strict config, bounded number types
(each bound a documented limit in :mod:`sim.schema.limits`), per-interval values, and the
error a validator raises to name a key below the value it checks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from sim.schema import limits

# strict: no truthy strings, no number from a string; extra keys refused; no inf/nan
STRICT = ConfigDict(strict=True, extra="forbid", allow_inf_nan=False)


class Section(BaseModel):
    """A mapping in a config file: strict types, unknown keys refused."""

    model_config = STRICT


class KeyedError(ValueError):
    """Raised in a validator: ``sub`` is the key below the validated value that is wrong
    (``mix`` of a class), so the one-line error names the full key."""

    def __init__(self, sub: str, message: str):
        self.sub = sub
        self.message = message
        super().__init__(f"{sub}: {message}")


def _integral(v: Any) -> Any:
    """An integer written as a float (``3.0``, e.g. from a computed override) is that
    integer; ``2.5``, strings and booleans stay errors."""
    if isinstance(v, float) and not isinstance(v, bool) and v.is_integer():
        return int(v)
    return v


def _listlike(v: Any) -> Any:
    """A tuple of values (a spec built in Python) is read as the list it stands for."""
    return list(v) if isinstance(v, tuple) else v


# an integer (an integral float is accepted as that integer); bounds on the field
Int = Annotated[int, BeforeValidator(_integral)]


Seconds = Annotated[float, Field(ge=0, le=limits.MAX_TIME_S)]
PositiveSeconds = Annotated[float, Field(gt=0, le=limits.MAX_TIME_S)]
Probability = Annotated[float, Field(ge=0, le=1)]
Money = Annotated[float, Field(ge=0, le=limits.MAX_MONEY)]
Calls = Annotated[float, Field(ge=0, le=limits.MAX_CALLS_PER_INTERVAL)]
Agents = Annotated[int, BeforeValidator(_integral), Field(ge=0, le=limits.MAX_AGENTS)]
# A scalar (every interval), one value per interval of the day (repeated daily), or one
# per interval of the horizon: the length is checked against the horizon by :func:`expand`.
PerIntervalCalls = Annotated[Calls | list[Calls], BeforeValidator(_listlike)]
PerIntervalAgents = Annotated[Agents | list[Agents], BeforeValidator(_listlike)]
# A time law (a number of seconds, null, or {dist: NAME, ...}): checked by
# sim.schema.distribution.parse, which knows each law's parameters and limits.
LAW = "time law"  # marks the field for ``ccsim keys``
Law = Annotated[Any, LAW]
Names = Annotated[list[str], BeforeValidator(_listlike)]


# expand(key, value, *, integer) bound to a horizon: one value per interval
PerInterval = Callable[..., tuple]


def expand(key: str, value: float | list, per_day: int, days: int, *, integer: bool
           ) -> tuple:
    """A validated per-interval value as one value per interval of the horizon."""
    from sim.errors import ConfigError

    values = list(value) if isinstance(value, list) else [value] * per_day
    if len(values) not in (per_day, per_day * days):
        allowed = f"{per_day}" + (f" or {per_day * days}" if days > 1 else "")
        raise ConfigError(key, f"has {len(values)} values; allowed: a scalar or {allowed} "
                               f"(one per interval)")
    if len(values) == per_day:
        values = values * days
    return tuple(int(v) if integer else float(v) for v in values)
