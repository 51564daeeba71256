"""A call attempt and its outcomes.

Every call ends in exactly one outcome; offered = answered + abandoned + disconnected +
self-served + blocked, checked after every replication.
"""

from __future__ import annotations

from enum import IntEnum


class Outcome(IntEnum):
    """How a call attempt ended (codes are stable: they are stored in calls.parquet)."""

    ANSWERED = 0  # served by an agent
    ABANDONED = 1  # the caller hung up while waiting (or in the IVR)
    DISCONNECTED = 2  # the system ended the wait (forced disconnect, centre closed)
    SELF_SERVED = 3  # resolved in the IVR without an agent
    BLOCKED = 4  # no line free on arrival


OUTCOMES = tuple(o.name.lower() for o in Outcome)


class State(IntEnum):
    IVR = 0
    WAITING = 1
    SERVING = 2
    DONE = 3


class Call:
    """One call attempt as it moves through the centre; plain slots for speed."""

    __slots__ = (
        "id", "cls", "priority", "queue", "t_arrival", "interval", "patience", "ivr_time",
        "service", "acw", "state", "t_queue", "t_answer", "t_end", "group", "agent", "outcome",
    )

    def __init__(self, id: int, cls: int, priority: int, queue: int, t_arrival: float,
                 interval: int, patience: float, ivr_time: float, service, acw):
        self.id = id
        self.cls = cls
        self.priority = priority
        self.queue = queue
        self.t_arrival = t_arrival
        self.interval = interval
        self.patience = patience
        self.ivr_time = ivr_time
        self.service = service  # handle (talk) time by group index
        self.acw = acw  # after-call work by group index
        self.state = State.IVR
        self.t_queue = float("nan")
        self.t_answer = float("nan")
        self.t_end = float("nan")
        self.group = -1
        self.agent = -1
        self.outcome = -1
