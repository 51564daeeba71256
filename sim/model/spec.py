"""The validated model spec: what the simulation runs, built once from config.

Frozen dataclasses with indices resolved, so the event loop never looks up names.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sim.model.distributions import Distribution
from sim.model.ivr import IvrSpec
from sim.schema.availability import AvailabilitySpec

DEFAULT_VIP_TIERS = ("diamond", "gold", "silver")


@dataclass(frozen=True)
class CallClass:
    """Callers who share a tier/reason: arrival share, priority, queue and time laws."""

    name: str
    index: int
    mix: float
    priority: int  # smaller is served first
    queue: int
    patience: Distribution
    ivr_time: Distribution
    handle_time: tuple[Distribution | None, ...]  # by group index; None: group can't serve
    after_call_work: tuple[Distribution | None, ...]
    tier: int = -1  # index into ModelSpec.tiers (hotline scenarios)
    reason: int = -1  # index into ModelSpec.reasons
    entry: int = -1  # first IVR node; -1: straight to ``queue`` after ``ivr_time``
    resolution: tuple[float, ...] = ()  # P(agent of group g resolves it); () means always
    # own expected calls per interval (whole horizon, load applied); () means the share
    # ``mix`` of the scenario's calls_per_interval (classes with their own daily shape)
    volume: tuple[float, ...] = ()
    # time in the queue before the call may be answered (a mandatory in-queue
    # announcement); None: answerable at once
    answer_delay: Distribution | None = None
    # the agents' own work (``kind: work``), not a call: the KPIs leave it out of every
    # call figure and count it apart; the engines treat it as any class, but it takes no
    # trunk line (``lines``): it is not a phone call
    work: bool = False
    # (class index, probability): a caller who finds those classes' queues busy or no agent
    # free becomes one of them (``classes.NAME.when_busy``; both engines); ``when_free``:
    # the same for a caller who finds an agent free and nobody waiting there
    when_busy: tuple[tuple[int, float], ...] = ()
    when_free: tuple[tuple[int, float], ...] = ()


@dataclass(frozen=True)
class TierSpec:
    """A customer tier: priority, service-level target, value, whether agents serve it."""

    name: str
    index: int
    share: float
    priority: int
    sl_target: float  # nan: no target
    annual_value: float
    agent_service: bool


@dataclass(frozen=True)
class QueueSpec:
    """A skill queue; ``groups`` may answer it, in preference order."""

    name: str
    index: int
    groups: tuple[int, ...]
    max_wait_s: float  # forced disconnect after this wait (inf: never)
    announce_s: tuple[float, ...] = ()  # announcements while waiting ("please hold")
    press2_prob: float = 0.0  # at an announcement, P(caller presses 2 for self-service)
    press2_node: int = -1  # IVR node a caller who presses 2 goes to


@dataclass(frozen=True)
class GroupSpec:
    """An agent skill group with a headcount per interval of the horizon."""

    name: str
    index: int
    staffing: tuple[int, ...]  # one per interval of the whole horizon
    queues: tuple[int, ...]  # queues it serves, in its own preference order
    cost_per_hour: float
    # agent states inside the scheduled headcount (shrinkage, not ready, breaks); None: off
    availability: AvailabilitySpec | None = None
    site: int = -1  # index into SitesSpec.names (scenario.sites); -1: sites off


@dataclass(frozen=True)
class RedialSpec:
    """Callers who call again: probability and delay after each kind of failure."""

    prob: dict[str, float]  # keys: abandoned, disconnected, unresolved
    delay: dict[str, Distribution]
    max_attempts: int = 10


@dataclass(frozen=True)
class PoolSpec:
    """A second-line pool (back office, repair) working through work orders."""

    name: str
    index: int
    staffing: tuple[int, ...]
    processing_time: Distribution
    green_channel: bool  # VIP tiers first
    cost_per_hour: float


@dataclass(frozen=True)
class SecondLineSpec:
    pools: tuple[PoolSpec, ...]
    pool_by_reason: tuple[int, ...]  # pool index by reason
    callback_time: Distribution
    callback_answer_prob: float


@dataclass(frozen=True)
class CampaignSpec:
    name: str
    tasks_per_interval: tuple[float, ...]
    handle_time: Distribution


@dataclass(frozen=True)
class OutboundSpec:
    """Blended agents take outbound work when few inbound calls wait."""

    groups: tuple[int, ...]
    max_inbound_waiting: int
    campaigns: tuple[CampaignSpec, ...]


@dataclass(frozen=True)
class OutageSpec:
    """A network fault: more calls of one reason for a while; a repair ticket once the
    count of such calls reaches a threshold, after which the IVR tells callers."""

    reason: int
    start_s: float
    duration_s: float
    multiplier: float
    ticket_threshold: int
    notice_node: int
    menu_node: int


@dataclass(frozen=True)
class CallbackLoopSpec:
    """Callbacks that close the loop: a work order resolves the need only when its
    callback reaches the customer; unanswered callbacks are retried after a delay up to
    ``max_attempts``, then the customer counts as unreachable."""

    max_attempts: int
    retry_delay: Distribution
    satisfaction_pools: tuple[int, ...] = ()  # pools whose callback is a satisfaction one
    satisfaction_time: Distribution | None = None  # its talk time (None: callback_time)


@dataclass(frozen=True)
class ComplaintSpec:
    """Complaint work orders escalate a level at each ``levels`` time (seconds after
    opening) while open; closed after ``time_limit_s`` they are overdue."""

    reason: int
    level_names: tuple[str, ...]
    levels: tuple[float, ...]
    time_limit_s: float


@dataclass(frozen=True)
class KeyCustomerSpec:
    """Government/enterprise key persons (grades such as 5A, 1B) recognised by caller ID
    among callers of ordinary tiers and served as their grade's VIP tier (002)."""

    grades: tuple[str, ...]
    shares: tuple[float, ...]  # per grade: share of the eligible callers' customers
    # per grade: class index -> the class it is served as (-1: not an eligible class)
    class_map: tuple[tuple[int, ...], ...]


@dataclass(frozen=True)
class OperationsSpec:
    """The operations features of a hotline (issue 15); each None is off."""

    callbacks: CallbackLoopSpec | None = None
    complaints: ComplaintSpec | None = None
    key_customers: KeyCustomerSpec | None = None
    # redials after the IVR hung up (verification failed, blacklist self-service only):
    # (probability, delay); None: as after any disconnection (redial.disconnected)
    ivr_hangup_redial: tuple[float, Distribution] | None = None
    # blended groups: this share of their logged-in agents may do outbound work even
    # while inbound calls wait (0: outbound only when few inbound calls wait)
    outbound_reserved_share: float = 0.0


@dataclass(frozen=True)
class SitesSpec:
    """Seat sites and caller regions (``scenario.sites``): a caller who needs its region's
    dialect is offered only to agents who speak it until it has waited ``fallback_s``."""

    names: tuple[str, ...]  # sites
    dialects: tuple[str, ...]  # every dialect spoken somewhere, sorted
    site_dialects: tuple[frozenset[int], ...]  # per site: dialect indices its agents speak
    regions: tuple[str, ...]
    region_share: tuple[float, ...]
    region_dialect: tuple[int, ...]  # per region: dialect index, -1 for Mandarin only
    dialect_need: tuple[tuple[float, ...], ...]  # [region][class]: P(needs the dialect)
    fallback_s: float
    dialect_first: bool = True  # a freed dialect agent takes its dialect's callers first


RETENTION_DEFAULT = {"silent_unhappy": 0.09, "complained_unresolved": 0.19,
                     "resolved": 0.54, "resolved_quickly": 0.82}


@dataclass(frozen=True)
class ModelSpec:
    """Everything one replication needs, validated."""

    name: str
    interval_s: float
    intervals_per_day: int
    days: int
    warmup_intervals: int
    calls_per_interval: tuple[float, ...]  # one per interval of the whole horizon, load applied
    day_volume_cv: float
    classes: tuple[CallClass, ...]
    queues: tuple[QueueSpec, ...]
    groups: tuple[GroupSpec, ...]
    lines: int | None  # trunk capacity; arrivals beyond it are blocked
    service_level_s: float
    drain_s: float  # how long after the horizon calls in progress may still finish
    trace: tuple[tuple[float, int], ...] | None = None  # fixed arrivals (t, class) instead
    tiers: tuple[TierSpec, ...] = ()
    reasons: tuple[str, ...] = ()
    ivr: IvrSpec | None = None
    population: int = 0  # customers; 0: every call is a new customer
    redial: RedialSpec | None = None
    second_line: SecondLineSpec | None = None
    outbound: OutboundSpec | None = None
    outage: OutageSpec | None = None
    fcr_window_s: float = 259200.0
    retention: dict[str, float] = field(default_factory=lambda: dict(RETENTION_DEFAULT))
    tier_of_vip: tuple[bool, ...] = ()  # per tier: served through the green channel
    short_abandon_s: float = 0.0  # queue abandons quicker than this are counted apart
    operations: OperationsSpec = field(default_factory=lambda: OperationsSpec())
    sites: SitesSpec | None = None  # seat sites and dialect routing; None: off

    def vip_by_tier(self) -> tuple[bool, ...]:
        """Per tier: a VIP, served through the second line's green channel. From
        ``tier_of_vip`` when the config sets it; else the 10000 rule (diamond, gold and
        silver customers are VIPs: domain brief, seed file 004)."""
        if self.tier_of_vip:
            return self.tier_of_vip
        return tuple(t.name in DEFAULT_VIP_TIERS for t in self.tiers)

    @property
    def has_tiers(self) -> bool:
        return bool(self.tiers)

    @property
    def routes_by_queue(self) -> bool:
        """Some class switches its callers by the queue they find (``when_busy`` /
        ``when_free``)."""
        return any(c.when_busy or c.when_free for c in self.classes)

    @property
    def n_intervals(self) -> int:
        return self.intervals_per_day * self.days

    @property
    def horizon_s(self) -> float:
        return self.n_intervals * self.interval_s

    @property
    def day_s(self) -> float:
        return self.intervals_per_day * self.interval_s
