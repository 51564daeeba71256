"""``scenario.groups.NAME.availability``: agent states inside the scheduled headcount.

Scheduled headcount (``staffing``) stays the input; what agents can take calls follows
from the states (issue 15, item 1; issue 16's availability model):

- ``shrinkage`` (default 0): share of the scheduled agents absent (absence, training,
  meetings), a number or one per interval. Present = staffing x (1 - shrinkage); a
  fractional present headcount n + f means n agents for the whole interval and one more
  for its first f x interval_s seconds (fractional presence is kept, never rounded away:
  0.2 agents at night is an agent present 6 minutes of a half hour).
- ``not_ready`` (default off): after each call (and its after-call work) the agent goes
  not ready (置忙) with probability ``prob`` for a time drawn from ``duration``; the draws
  come from the call's own keyed stream, so the same call decides the same under every
  policy.
- ``breaks`` (default none): ``[{start_s, duration_s, share}]``, each day: at ``start_s``
  (seconds after midnight) a share of the present agents goes on break for
  ``duration_s`` -- idle agents at once, working ones when their call is done.

Kept apart from ``sim.config`` (which is moving to pydantic) so both merge cleanly: this
module parses and checks the keys; ``sim.config`` calls :func:`parse` and stores the
result on the group.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sim.errors import ConfigError
from sim.model.distributions import Distribution

KEYS = {"shrinkage", "not_ready", "breaks"}
NOT_READY_KEYS = {"prob", "duration"}
BREAK_KEYS = {"start_s", "duration_s", "share"}


@dataclass(frozen=True)
class BreakSpec:
    start_s: float  # seconds after midnight, every day
    duration_s: float
    share: float  # of the agents present at start_s


@dataclass(frozen=True)
class AvailabilitySpec:
    """A group's agent states: presence per interval, not-ready after calls, breaks."""

    full: tuple[int, ...]  # agents present for the whole interval, per interval of horizon
    partial_s: tuple[float, ...]  # seconds one more agent is present from interval start
    shrinkage: tuple[float, ...]
    not_ready_prob: float = 0.0
    not_ready: Distribution | None = None
    breaks: tuple[BreakSpec, ...] = ()

    def head_at_start(self, k: int) -> int:
        """Agents logged in at the start of interval ``k``."""
        return self.full[k] + (1 if self.partial_s[k] > 0 else 0)


def _share(key: str, v: Any) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= 1:
        raise ConfigError(key, f"must be a share between 0 and 1, got {v!r}")
    return float(v)


def _mapping(key: str, v: Any, allowed: set[str]) -> Mapping:
    if not isinstance(v, Mapping):
        raise ConfigError(key, f"must be a mapping with keys {', '.join(sorted(allowed))}")
    for k in v:
        if k not in allowed:
            raise ConfigError(f"{key}.{k}", f"unknown key; allowed: "
                                            f"{', '.join(sorted(allowed))}")
    return v


def _seconds(key: str, v: Any, *, high: float) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= high \
            or math.isnan(v):
        raise ConfigError(key, f"must be a number of seconds between 0 and {high:g}, got {v!r}")
    return float(v)


def parse(key: str, value: Any, staffing: Sequence[int], per_day: int, interval_s: float
          ) -> AvailabilitySpec | None:
    """The group's availability, or None when the key is absent or null (off: every
    scheduled agent present and ready, as before the key existed)."""
    if value is None:
        return None
    v = _mapping(key, value, KEYS)
    n = len(staffing)
    shrink = v.get("shrinkage", 0.0)
    if isinstance(shrink, Sequence) and not isinstance(shrink, str):
        if len(shrink) not in (per_day, n):
            raise ConfigError(f"{key}.shrinkage", f"has {len(shrink)} values; allowed: a "
                                                  f"number or {per_day} (one per interval)")
        shares = [_share(f"{key}.shrinkage[{i}]", s) for i, s in enumerate(shrink)]
        shares = (shares * (n // len(shares)))[:n]
    else:
        shares = [_share(f"{key}.shrinkage", shrink)] * n
    present = [s * (1 - x) for s, x in zip(staffing, shares, strict=True)]
    full = tuple(int(math.floor(p + 1e-9)) for p in present)
    partial = tuple(round((p - f) * interval_s, 6) if p - f > 1e-9 else 0.0
                    for p, f in zip(present, full, strict=True))
    prob, dur = 0.0, None
    if v.get("not_ready") is not None:
        nr = _mapping(f"{key}.not_ready", v["not_ready"], NOT_READY_KEYS)
        prob = _share(f"{key}.not_ready.prob", nr.get("prob", 0.0))
        if prob > 0:
            if nr.get("duration") is None:
                raise ConfigError(f"{key}.not_ready.duration", "required when prob > 0 (a "
                                                               "distribution of seconds)")
            from sim.schema.distribution import parse as parse_distribution

            dur = parse_distribution(f"{key}.not_ready.duration", nr["duration"], finite=True)
    breaks = []
    raw = v.get("breaks") or []
    if isinstance(raw, str) or not isinstance(raw, Sequence):
        raise ConfigError(f"{key}.breaks", "must be a list of {start_s, duration_s, share}")
    day_s = per_day * interval_s
    for i, b in enumerate(raw):
        bk = f"{key}.breaks[{i}]"
        b = _mapping(bk, b, BREAK_KEYS)
        missing = BREAK_KEYS - set(b)
        if missing:
            raise ConfigError(f"{bk}.{sorted(missing)[0]}", "required (start_s, duration_s, "
                                                           "share)")
        start = _seconds(f"{bk}.start_s", b["start_s"], high=day_s)
        if start >= day_s:
            raise ConfigError(f"{bk}.start_s", f"must be before the end of the day "
                                               f"({day_s:g} s)")
        breaks.append(BreakSpec(start, _seconds(f"{bk}.duration_s", b["duration_s"],
                                                high=day_s),
                                _share(f"{bk}.share", b["share"])))
    return AvailabilitySpec(full, partial, tuple(shares), prob, dur, tuple(breaks))
