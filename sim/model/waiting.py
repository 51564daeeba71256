"""How a wait in a skill queue ends without an agent: the forced-disconnect rule.

A waiting caller hangs up when patience runs out; the system disconnects a call that has
waited ``max_wait_s`` (10000: 60 s). Whichever comes first ends the wait. A caller on
virtual hold (a callback that keeps the place) has hung up already and waits for nothing.
"""

from __future__ import annotations

import math

from sim.model.calls import Call, Ending, Outcome
from sim.model.spec import QueueSpec


def next_wait_event(call: Call, q: QueueSpec) -> tuple[float, bool] | None:
    """When (seconds of waiting) the next thing happens to a waiting call, and whether it
    is an announcement (else the wait ends: :func:`wait_ending`); None: nothing will
    (virtual hold, or infinite patience and no maximum wait)."""
    if call.virtual:
        return None
    limit = min(call.patience, q.max_wait_s)
    if call.announced < len(q.announce_s) and q.announce_s[call.announced] < limit:
        return q.announce_s[call.announced], True
    if limit < math.inf:
        return limit, False
    return None


def wait_ending(call: Call, q: QueueSpec) -> tuple[Outcome, Ending]:
    """Who ended a wait that reached its limit: the caller, whose patience was
    shorter than the system's maximum wait, or the system."""
    if call.patience < q.max_wait_s:
        return Outcome.ABANDONED, Ending.QUEUE_ABANDON
    return Outcome.DISCONNECTED, Ending.FORCED_DISCONNECT
