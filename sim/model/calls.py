"""A call attempt and its outcomes.

Every call ends in exactly one outcome; offered = answered + abandoned + disconnected +
self-served + blocked, checked after every replication. ``Ending`` says more precisely
where and why (the KPIs for IVR hang-ups, forced disconnects, containment come from it).
"""

from __future__ import annotations

from enum import IntEnum


class Outcome(IntEnum):
    """How a call attempt ended (codes are stable: they are stored in calls.parquet)."""

    ANSWERED = 0  # served by an agent
    ABANDONED = 1  # the caller hung up while waiting (or in the IVR)
    DISCONNECTED = 2  # the system ended the call (forced disconnect, IVR hang-up, closing)
    SELF_SERVED = 3  # resolved in the IVR without an agent
    BLOCKED = 4  # no line free on arrival


OUTCOMES = tuple(o.name.lower() for o in Outcome)


class Ending(IntEnum):
    """Where and why a call ended (stable codes)."""

    AGENT = 0  # answered
    QUEUE_ABANDON = 1  # patience ran out while waiting for an agent
    FORCED_DISCONNECT = 2  # the system's maximum wait (60 s at 10000)
    CLOSED = 3  # still waiting when the centre closed
    IVR_ABANDON = 4  # hung up inside the IVR
    IVR_HANGUP = 5  # the IVR ended the call (e.g. verification failed too often)
    SELF_SERVICE = 6  # resolved by IVR self-service
    PRESS2_SELF_SERVICE = 7  # left the queue by pressing 2, resolved by self-service
    OUTAGE_NOTICE = 8  # told about a known outage, left satisfied
    NO_LINE = 9  # blocked on arrival
    RECALLED = 10  # answered away work its agent dropped for a waiting caller (ends then)


ENDINGS = tuple(e.name.lower() for e in Ending)


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
        "ending", "key", "k", "customer", "attempt", "tier", "reason", "node", "failures",
        "announced", "pressed2", "noticed", "resolved", "repeat", "t_left_queue", "virtual",
        "answer_delay", "pending", "region", "dialect", "restricted", "visit",
    )

    def __init__(self, id: int, cls: int, priority: int, queue: int, t_arrival: float,
                 interval: int, patience: float, ivr_time: float, service, acw,
                 key: int = 0, customer: int = -1, attempt: int = 1,
                 answer_delay: float = 0.0):
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
        self.t_queue = float("nan")  # asked for an agent (entered a skill queue)
        self.t_left_queue = float("nan")  # answered, gave up, or pressed 2
        self.t_answer = float("nan")
        self.t_end = float("nan")
        self.group = -1
        self.agent = -1
        self.outcome = -1
        self.ending = -1
        self.key = key  # the call's own random sub-stream (sim.sampling.draw)
        self.k = 16  # next draw index for sequential IVR decisions
        self.customer = customer
        self.attempt = attempt  # 1 for a first call, n for the (n-1)-th redial
        self.tier = -1
        self.reason = -1
        self.node = -1
        self.failures = 0
        self.announced = 0
        self.pressed2 = False
        self.noticed = False
        self.resolved = -1  # 1 resolved by the agent, 0 not (work order), -1 not answered
        self.virtual = False  # accepted a callback that keeps the place (virtual hold)
        self.repeat = False  # same customer and reason called within the FCR window before
        # time in the queue before it may be answered (e.g. a mandatory announcement)
        self.answer_delay = answer_delay
        self.visit = 0  # times it asked for an agent: events of an earlier visit are stale
        self.pending = False  # in the queue, still in its answer delay
        # scenario.sites: caller's region and the dialect it needs (-1: none, Mandarin);
        # restricted: offered only to agents who speak it (before the dialect fallback)
        self.region = -1
        self.dialect = -1
        self.restricted = False


class Draw(IntEnum):
    """Fixed draw indices of a call's sub-stream, so every decision has its own number."""

    CUSTOMER = 0
    PATIENCE = 3
    HANDLE = 4
    ACW = 5
    ANSWER_DELAY = 6  # redials only: first calls draw it from the class-day stream
    RESOLUTION = 2000
    REDIAL = 2001
    REDIAL_DELAY = 2002
    CHASE = 2003
    CHASE_DELAY = 2004
    NOT_READY = 2010  # the agent who served the call goes not ready after it
    NOT_READY_TIME = 2011
    WHEN_BUSY = 2020  # which class a caller who finds the queue busy becomes
    REACTION = 3000  # + queue visit - 1: how long a waiting caller waits for an agent away
    PRESS2 = 1000  # + announcement number
