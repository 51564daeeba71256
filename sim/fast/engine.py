"""``engine: fast``: what it supports, and the Python driver of the compiled loop.

The driver draws each day's calls in numpy exactly as ``sim.model.center.DayCalls`` does
(same streams, same ppf calls on the same index sets, so bit-identical by construction;
a day of one arrival stream a block at a time, ``sim.fast.days``), hands arrays to
``sim.fast.loop.run`` and folds its call records through the Recorder in
chunks of ``Recorder.chunk`` exactly where ``Recorder.add`` would flush — the KPI sums
are accumulated in the same order, so ``summary.json`` comes out bit-equal too.

Supported, under the eight built-in policies: classes, Poisson/NHPP and trace arrivals,
day_volume_cv, several days, patience and abandonment, priority queues with group
preference orders, staffing changes per interval, lines and blocking, answer delays,
announcements and forced disconnect, ivr_time, drain and closing, warm-up; and of the
hotline, tiers with caller ID, episodes and the FCR window, and the IVR tree (menus,
verification, self-service, IVR abandon, hang-up, transfer to a queue), press-2, redials
(with the IVR hang-up's own law), key customers, complaints without the second line,
agent availability (shrinkage with partial presence, not ready after calls, breaks),
outbound blending (campaign tasks, the threshold rule, reserved outbound), the outage
(surge, ticket, IVR notice) and the second line (work orders and their pools, callbacks
after work orders, the closed loop); time laws drawn in the loop may be gamma (scipy's
own kernel), redials chasing open work orders and complaint escalation with the second
line, seat sites with dialect routing, agents called back from away work after a
caller's reaction time, callers routed by the queue they find (``classes.NAME.when_busy``
/ ``when_free``). What it lacks (``LACKS``: the spells a waiting caller ends,
``away_when_idle`` / ``not_ready.yields``) and user policies run on SimPy.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from sim.errors import ConfigError
from sim.fast.days import DayFeed
from sim.model.distributions import Deterministic, Distribution
from sim.model.spec import ModelSpec
from sim.records import (
    COLUMNS,
    SITE_GROUP_FIELDS,
    SITE_REGION_FIELDS,
    Recorder,
    SecondLineRecord,
    SiteRecord,
)

ENGINES = ("auto", "simpy", "fast")
# built-in policy class (module.qualname) -> loop code (sim.fast.loop.P_*)
POLICY_CODES = {
    "sim.policies.strict_priority.StrictPriority": 0,
    "sim.policies.dedicated.Dedicated": 0,
    "sim.policies.pooled.Pooled": 0,
    "sim.policies.fifo.Fifo": 1,
    "sim.policies.overflow.Overflow": 2,
    "sim.policies.reservation.Reservation": 3,
    "sim.policies.dynamic_priority.DynamicPriority": 4,
    "sim.policies.virtual_hold.VirtualHold": 5,
}


# What the compiled loop lacks, checked in order: (what the refusal names, does the spec use
# it?). A scenario is refused naming the first line it uses; a model feature the loop does
# not implement adds one line here (the hotline features in the order they get compiled).
LACKS: tuple[tuple[str, Callable[[ModelSpec], bool]], ...] = (
    ("groups.NAME.availability.away_when_idle / not_ready.yields (spells a waiting caller "
     "ends)", lambda spec: any(g.availability is not None and g.availability.yields
                               for g in spec.groups)),
)


def _law_arrays(laws: list[Distribution]) -> tuple:
    """Time laws as the loop reads them: ``sim.fast.ivr.node_arrays`` of one node per law
    (node i = law i; the loop draws law i with ``ivr.node_time``)."""
    from sim.fast.ivr import node_arrays
    from sim.model.ivr import IvrNode, IvrSpec

    return node_arrays(IvrSpec(tuple(IvrNode(f"law{i}", i, "hangup", law)
                                     for i, law in enumerate(laws))), 1)


def _second_line_laws(spec: ModelSpec) -> list:
    """The second line's time laws in sp[SP_SECOND][SL_LAWS] order: each pool's
    processing time, then the callback's talk time, the satisfaction callback's (the
    callback's without its own) and the closed loop's retry delay (none: 0)."""
    sl = spec.second_line
    if sl is None:
        return []
    loop = spec.operations.callbacks
    sat = loop.satisfaction_time if loop is not None else None
    return [*(p.processing_time for p in sl.pools), sl.callback_time,
            sat if sat is not None else sl.callback_time,
            loop.retry_delay if loop is not None else Deterministic(0.0)]


def _policy_path(policy_cls) -> str:
    cls = getattr(policy_cls, "cls", policy_cls)
    return f"{cls.__module__}.{cls.__qualname__}"


def unsupported(spec: ModelSpec, policy_cls) -> str | None:
    """What the fast engine lacks to run this scenario and policy (None: it can)."""
    for lack, used in LACKS:
        if used(spec):
            return lack
    path = _policy_path(policy_cls)
    if path not in POLICY_CODES:
        return f"the Python policy {path} (only the built-in policies are compiled)"
    return None


AUTO_ENV = "CCSIM_AUTO_ENGINE"


def auto_means_simpy() -> bool:
    """``CCSIM_AUTO_ENGINE=simpy`` makes ``auto`` run the SimPy reference everywhere: the
    test suite's second pass uses it so that the model tests check the reference itself,
    not only its compiled twin (unset or ``fast``: auto picks fast where supported)."""
    import os

    value = os.environ.get(AUTO_ENV, "fast")
    if value not in ("fast", "simpy"):
        raise ConfigError(AUTO_ENV, f"must be fast or simpy (environment variable), got {value!r}")
    return value == "simpy"


def resolve_engine(engine: str, spec: ModelSpec, policy_cls) -> str:
    """The engine that runs: ``auto`` picks fast where supported; ``fast`` asked for with
    something it lacks is bad input (never a silent fallback)."""
    if engine not in ENGINES:
        raise ConfigError("engine", f"must be one of {', '.join(ENGINES)}, got {engine!r}")
    if engine == "simpy" or (engine == "auto" and auto_means_simpy()):
        return "simpy"
    lack = unsupported(spec, policy_cls)
    if lack is None:
        return "fast"
    if engine == "fast":
        raise ConfigError("engine", f"fast does not support {lack}; use engine=simpy "
                                    "(or auto, which picks simpy here)")
    return "simpy"


# -- static arrays -------------------------------------------------------------------------
def _spec_arrays(spec: ModelSpec, chunk: int) -> tuple:
    from sim.fast.ivr import node_arrays

    n_q, n_g = len(spec.queues), len(spec.groups)
    # a queue's priority levels: of the classes queued there (an IVR transfer may send a
    # call of any class to any queue)
    levels = [sorted({c.priority for c in spec.classes if c.queue == q or spec.ivr is not None})
              for q in range(n_q)]
    lv_start = np.cumsum([0] + [len(lv) for lv in levels[:-1]]).astype(np.int64)
    lv_prio = np.array([p for lv in levels for p in lv] or [0], dtype=np.int64)
    level_of = np.array([[lv_start[q] + levels[q].index(c.priority)
                          if c.priority in levels[q] else -1 for q in range(n_q)]
                         for c in spec.classes], dtype=np.int64).reshape(-1, n_q)
    cls_level = np.array([level_of[c.index, c.queue] for c in spec.classes], dtype=np.int64)
    n_ann = max([len(q.announce_s) for q in spec.queues] + [1])
    ann = np.zeros((n_q, n_ann))
    for q in spec.queues:
        ann[q.index, :len(q.announce_s)] = q.announce_s
    # the headcount set at each interval's start (with availability: those present)
    staffing = np.array([g.staffing if g.availability is None else
                         [g.availability.head_at_start(k) for k in range(spec.n_intervals)]
                         for g in spec.groups], dtype=np.int64).reshape(n_g, spec.n_intervals)
    n_breaks = max([len(g.availability.breaks) for g in spec.groups
                    if g.availability is not None] + [0])
    # what one event may schedule (and fill of work-order slots): per answer the agent's
    # release, the hang-up and the work order's opening; per pool worker an order's end
    pools = spec.second_line.pools if spec.second_line is not None else ()
    complaints = spec.operations.complaints
    margin = (3 * int(staffing.max(initial=0)) * n_g + sum(max(p.staffing) for p in pools)
              + 16 + n_g * (2 + n_breaks)  # with a waiting caller's reactions, one a group
              + (len(complaints.levels) + 1 if complaints is not None else 0))
    return (np.array([c.priority for c in spec.classes], dtype=np.int64),
            np.array([c.queue for c in spec.classes], dtype=np.int64), cls_level,
            np.array([q.max_wait_s for q in spec.queues], dtype=np.float64), ann,
            np.array([len(q.announce_s) for q in spec.queues], dtype=np.int64), lv_start,
            np.array([len(lv) for lv in levels], dtype=np.int64), lv_prio, staffing,
            np.array([spec.interval_s, spec.drain_s], dtype=np.float64),
            np.array([spec.n_intervals, -1 if spec.lines is None else spec.lines, chunk,
                      margin, int(spec.trace is None)], dtype=np.int64),  # loop's IP_*
            *_hotline_arrays(spec, level_of, node_arrays(spec.ivr, len(spec.reasons))))


def _second_line_arrays(spec: ModelSpec) -> tuple:
    """sp[SP_SECOND] (sim.fast.loop SL_*, SLI_*): on (callbacks, closed loop and its
    attempts), pool by reason, VIP by tier, green channel and staffing by pool, the time
    laws (``_second_line_laws``, as IVR node times: the same ``sample1`` kernels), the
    work-order key's salt, satisfaction pools, the callback's answer probability. Empty
    pools when it is off, with the same array types."""
    from sim.sampling import _GOLDEN, _mix_py, _part_code

    sl, loop = spec.second_line, spec.operations.callbacks
    pools = sl.pools if sl is not None else ()
    return (np.array([int(sl is not None), int(sl is not None and spec.outbound is not None),
                      int(loop is not None), loop.max_attempts if loop is not None else 0],
                     dtype=np.int64),
            np.array(sl.pool_by_reason if sl is not None else [0], dtype=np.int64),
            np.array([int(v) for v in spec.vip_by_tier()] or [0], dtype=np.int64),
            np.array([int(p.green_channel) for p in pools] or [0], dtype=np.int64),
            np.array([p.staffing for p in pools], dtype=np.int64).reshape(
                len(pools), spec.n_intervals),
            _law_arrays(_second_line_laws(spec) if pools else []),
            # derive_key(key, "work_order") is mix(key ^ this)
            np.array([_mix_py(_part_code("work_order") + _GOLDEN)], dtype=np.uint64),
            np.array([int(loop is not None and p.index in loop.satisfaction_pools)
                      for p in pools] or [0], dtype=np.int64),
            np.array([sl.callback_answer_prob if sl is not None else 0.0]))


def _esc_arrays(spec: ModelSpec) -> tuple:
    """sp[SP_ESC] (sim.fast.loop XE_*, XF_*): redials chasing open work orders (hotline
    with redials and a second line: Redials.on_order_opened) and complaint escalation
    (with the second line); off: flags 0, no levels, a zero delay law."""

    r, c, sl = spec.redial, spec.operations.complaints, spec.second_line
    chase = r is not None and spec.has_tiers and sl is not None
    on = c is not None and sl is not None
    law: Distribution = Deterministic(0.0)
    if r is not None and chase and "unresolved" in r.delay:
        law = r.delay["unresolved"]
    xi = np.array([int(chase), int(on), c.reason if c is not None and on else -1],
                  dtype=np.int64)
    xf = np.array([r.prob.get("unresolved", 0.0) if r is not None and chase else 0.0,
                   c.time_limit_s if c is not None and on else 0.0], dtype=np.float64)
    levels = np.array(c.levels if c is not None and on else (), dtype=np.float64)
    return xi, xf, levels, _law_arrays([law])


def _hotline_arrays(spec: ModelSpec, level_of: np.ndarray, ivr: tuple) -> tuple:
    """sp[12:20] (sim.fast.loop H_*, K_*): caller ID, classes' tiers, reasons, IVR entries,
    whether they have a resolution and are own work, resolution by group, levels by
    (class, queue), the IVR tree, press-2 by queue."""
    n_g = len(spec.groups)
    res = np.ones((len(spec.classes), n_g))
    for c in spec.classes:
        if c.resolution:
            res[c.index] = c.resolution
    by_class = np.array([(c.tier, c.reason, c.entry, int(bool(c.resolution)), int(c.work))
                         for c in spec.classes], dtype=np.int64).reshape(-1, 5)
    return (np.array([spec.population, max(len(spec.reasons), 1)], dtype=np.int64),
            np.array([spec.fcr_window_s]), by_class, res, level_of, ivr,
            np.array([q.press2_prob for q in spec.queues], dtype=np.float64),
            np.array([q.press2_node for q in spec.queues], dtype=np.int64))


def _avail_arrays(spec: ModelSpec, seed: int, rep: int) -> tuple:
    """sp[SP_AVAIL] (sim.fast.loop): groups' availability (partial presence, breaks,
    not-ready probability and time law) and key customers (grades' shares, the class
    each class is served as, the stream of the customers' draws); off: -1 breaks, no
    grades."""
    from sim.sampling import stream_key

    n_g, n_k, n_c = len(spec.groups), spec.n_intervals, len(spec.classes)
    avs = [g.availability for g in spec.groups]
    n_b = max([len(a.breaks) for a in avs if a is not None] + [1])
    full, partial = np.zeros((n_g, n_k), dtype=np.int64), np.zeros((n_g, n_k))
    breaks, n_breaks = np.zeros((n_g, n_b, 3)), np.full(n_g, -1, dtype=np.int64)
    nr_prob = np.zeros(n_g)
    laws: list[Distribution] = []
    for g, a in enumerate(avs):
        law: Distribution = Deterministic(0.0)
        if a is not None:
            full[g], partial[g], n_breaks[g], nr_prob[g] = (a.full, a.partial_s,
                                                            len(a.breaks), a.not_ready_prob)
            for j, b in enumerate(a.breaks):
                breaks[g, j] = (b.start_s, b.duration_s, b.share)
            law = a.not_ready if a.not_ready is not None else law
        laws.append(law)
    kc = spec.operations.key_customers
    stay = np.zeros((n_g, len(spec.queues)), dtype=np.int64)  # AgentGroup.stay's queues
    for g, a in enumerate(avs):
        if a is not None:
            stay[g, list(a.stay_for)] = 1
    xi = np.array([spec.intervals_per_day, int(kc is not None), int(stay.any())],
                  dtype=np.int64)
    shares = np.array(kc.shares if kc is not None else [0.0], dtype=np.float64)
    cmap = (np.array(kc.class_map, dtype=np.int64).reshape(-1, n_c) if kc is not None
            else np.full((1, n_c), -1, dtype=np.int64))
    stream = np.array([stream_key(seed, rep, "key_customers") if kc is not None else 0],
                      dtype=np.uint64)
    return (xi, full, partial, breaks, n_breaks, nr_prob, _law_arrays(laws),
            shares, cmap, stream, stay)


def _outbound_arrays(spec: ModelSpec) -> tuple:
    """sp[SP_OB] (sim.fast.loop OB_*, OBF_*): blended groups, the threshold rule and the
    reserved share; the outage's window, reason, threshold and nodes (-2: no outage, as
    ``Ivr.notice_node``). The same types with either feature off."""
    ob, o = spec.outbound, spec.outage
    groups = np.array(ob.groups if ob is not None else (), dtype=np.int64)
    blended = np.zeros(len(spec.groups), dtype=np.int64)
    blended[groups] = 1
    obi = np.array([int(ob is not None), ob.max_inbound_waiting if ob is not None else 0,
                    o.notice_node if o is not None else -2, o.menu_node if o is not None else -2,
                    o.reason if o is not None else -1, o.ticket_threshold if o is not None else 0,
                    int(o is not None)], dtype=np.int64)
    obf = np.array([spec.operations.outbound_reserved_share, spec.horizon_s,
                    o.start_s if o is not None else 0.0, o.duration_s if o is not None else 0.0],
                   dtype=np.float64)
    return obi, obf, groups, blended


def _sites_arrays(spec: ModelSpec, seed: int, rep: int, n_lv: int) -> tuple:
    """sp[SP_SITES] (sim.fast.loop T_*, TF_*): seat sites and dialect routing; empty
    (off) without ``scenario.sites``, with the same array types."""
    from sim.model.sites import PURPOSE
    from sim.sampling import _GOLDEN, _mix_py, _part_code, stream_key

    sites, n_g = spec.sites, len(spec.groups)
    if sites is None:
        return (np.zeros(4, dtype=np.int64), np.zeros(2), np.zeros(1),
                np.zeros(1, dtype=np.int64), np.zeros((1, 1)),
                np.zeros((n_g, 1), dtype=np.int64), np.zeros(2, dtype=np.uint64))
    n_d = len(sites.dialects)
    speaks = np.array([[int(d in sites.site_dialects[g.site]) for d in range(n_d)]
                       for g in spec.groups], dtype=np.int64).reshape(n_g, n_d)
    return (np.array([1, n_d, int(sites.dialect_first), n_lv], dtype=np.int64),
            np.array([sites.fallback_s, spec.service_level_s]),
            np.array(np.cumsum(sites.region_share).tolist()),  # Sites.cum
            np.array(sites.region_dialect, dtype=np.int64),
            np.array(sites.dialect_need, dtype=np.float64).reshape(len(sites.regions), -1),
            speaks,
            # stream_key(seed, rep, PURPOSE); derive_key(key, PURPOSE) is mix(key ^ salt)
            np.array([stream_key(seed, rep, PURPOSE), _mix_py(_part_code(PURPOSE) + _GOLDEN)],
                     dtype=np.uint64))


def _react_arrays(spec: ModelSpec) -> tuple:
    """sp[SP_REACT] (sim.fast.loop RX_*): agents in away work called back by waiting
    callers (``availability.reaction_time``): the groups reacting to each queue's callers
    (Availability.reactors: a queue the group serves, not its away work), the away-work
    queues of each reacting group, the reaction time laws by queue and group (law
    q * groups + g; off: none reacts)."""

    n_q, n_g = len(spec.queues), len(spec.groups)
    reacts = np.zeros((n_q, n_g), dtype=np.int64)
    away = np.zeros((n_g, n_q), dtype=np.int64)
    laws: list[Distribution] = [Deterministic(0.0)] * (n_q * n_g)  # law q * n_g + g
    for g in spec.groups:
        av = g.availability
        if av is not None and av.reaction is not None:
            away[g.index, list(av.away_work)] = 1
            reacts[[q for q in g.queues if q not in av.away_work], g.index] = 1
            for q in range(n_q):
                law = av.reaction_for(q)  # the queue's own, else the group's
                assert law is not None
                laws[q * n_g + g.index] = law
    return reacts.sum(axis=1), reacts, away, _law_arrays(laws)


def _switch_arrays(spec: ModelSpec) -> tuple:
    """sp[SP_SWITCH] (sim.fast.loop SW_*): callers routed by the queue they find
    (``classes.NAME.when_busy`` / ``when_free``, Center._identify): by class the number
    of targets when busy (side 0) and when free (side 1), their classes and probabilities
    in the spec's order, and the switch classes' queues (0/1 by class and queue); no
    class row at all when no class switches (the loop's test)."""
    n_q = len(spec.queues)
    n_c = len(spec.classes) if spec.routes_by_queue else 0
    width = max([len(c.when_busy) + len(c.when_free) for c in spec.classes] + [1])
    n = np.zeros((n_c, 2), dtype=np.int64)
    to = np.zeros((n_c, 2, width), dtype=np.int64)
    p = np.zeros((n_c, 2, width), dtype=np.float64)
    queues = np.zeros((n_c, n_q), dtype=np.int64)
    for c in spec.classes[:n_c]:
        for side, pairs in enumerate((c.when_busy, c.when_free)):
            n[c.index, side] = len(pairs)
            for j, (t, prob) in enumerate(pairs):
                to[c.index, side, j], p[c.index, side, j] = t, prob
                queues[c.index, spec.classes[t].queue] = 1
    return n, to, p, queues


def _padded(lists: list[list[int]], width: int) -> tuple[np.ndarray, np.ndarray]:
    out = np.zeros((len(lists), max(width, 1)), dtype=np.int64)
    for i, row in enumerate(lists):
        out[i, :len(row)] = row
    return out, np.array([len(r) for r in lists], dtype=np.int64)


def _policy_arrays(spec: ModelSpec, policy, lv_prio: np.ndarray) -> tuple:
    """The policy's bound lists and parameters: ``bind`` runs on the real queue and group
    objects, so dedicated/pooled/reservation lists are the policy's own."""
    from sim.model.agents import AgentGroup
    from sim.model.queues import CallQueue

    queues = [CallQueue(q) for q in spec.queues]
    groups = [AgentGroup(g) for g in spec.groups]
    policy.bind(queues, groups, spec)
    code = POLICY_CODES[_policy_path(type(policy))]
    n_q, n_g = len(queues), len(groups)
    offer, offer_n = _padded([[g.index for g in lst] for lst in policy.offer_to], n_g)
    served, served_n = _padded([[q.index for q in lst] for lst in policy.served], n_q)
    home = np.array([q.groups[0] for q in spec.queues], dtype=np.int64)
    weight = (np.array([policy._weight(int(p)) for p in lv_prio], dtype=np.float64)
              if code == 4 else np.ones(len(lv_prio)))
    at = np.zeros(1, dtype=np.bool_)
    if code == 5 and policy.at:
        at = np.zeros(max(max(policy.at), 0) + 1, dtype=np.bool_)
        for a in policy.at:
            if a >= 0:
                at[a] = True
    vip_home = getattr(policy, "vip_home", -1)
    vip_index = getattr(policy, "vip_index", -1)
    pi = np.array([code, int(getattr(policy, "idle_vip_take_general", False)), vip_home,
                   vip_index, getattr(policy, "reserve", 0),
                   getattr(policy, "reserve_from", 0),
                   int(getattr(policy, "hold_freed", True))], dtype=np.int64)
    pf = np.array([getattr(policy, "delay_s", 0.0), getattr(policy, "accept_prob", 0.0)])
    return pi, pf, offer, offer_n, served, served_n, home, weight, at


def first_capacities(spec: ModelSpec, staffing: np.ndarray, day_calls: int
                     ) -> tuple[int, int, int]:
    """Starting sizes of the loop's tables, from the first day's ``day_calls`` and the
    headcount: call slots (also the event heap's 16 events a call and each queue level's
    room), episode positions and work orders. Growing a table costs a copy and one more
    pass through the loop, so they start near what a day needs; they still grow past it
    (a guess that is short costs time, never a result), and a day, not the horizon,
    sizes them, so memory stays flat in the number of days."""
    headcount = int(staffing.max(axis=1, initial=0).sum()) if staffing.size else 0
    slots = 1 << max(6, headcount.bit_length())  # a call in the system per agent, or 64
    # a day's needs under half the positions: the table grows at half full
    n_eps = 1 << max(10, (2 * day_calls).bit_length()) if spec.has_tiers else 1024
    n_orders = max(64, day_calls // 8)  # open work orders: one call in eight
    return slots, n_eps, n_orders


class FastRun:
    """The loop's state arrays for one replication, grown on demand."""

    policy_name: str  # set by run_fast, named in routing errors

    def __init__(self, spec: ModelSpec, policy, seed: int, rep: int, rec: Recorder):
        from sim.fast.cache import ensure_fresh, notice_if_cold

        ensure_fresh()  # before the loop's cached machine code can load
        notice_if_cold()
        from sim.fast import loop as L
        from sim.fast.customers import table as episodes
        from sim.fast.redial import redial_arrays

        self.L = L
        self.spec, self.seed, self.rep, self.rec = spec, seed, rep, rec
        self.sp = (*_spec_arrays(spec, rec.chunk), _avail_arrays(spec, seed, rep),
                   _outbound_arrays(spec), redial_arrays(spec),
                   _second_line_arrays(spec), _esc_arrays(spec))
        # SP_AVAIL, SP_OB, SP_REDIAL, SP_SECOND, SP_ESC, SP_SITES, SP_REACT, SP_SWITCH
        self.sp = (*self.sp, _sites_arrays(spec, seed, rep, len(self.sp[8])),
                   _react_arrays(spec), _switch_arrays(spec))
        self.pol = _policy_arrays(spec, policy, self.sp[8])
        self.out = (rec.announcements, rec.virtual_holds, rec.group_busy_s,
                    rec.group_staffed_s, rec.queue_area, rec.press2)
        self.feed = DayFeed(spec, seed, rep)
        # CPU seconds by phase (sim.fast.bench --split): the day's draws in numpy, the
        # compiled loop, the fold of records, array growth
        self.cpu = dict.fromkeys(("day draws", "loop", "fold", "grow"), 0.0)
        self.day = self._timed("day draws", self.feed.load, None)
        n_g, n_q, n_lv = len(spec.groups), len(spec.queues), len(self.sp[8])
        si = np.zeros(L.N_SI, dtype=np.int64)
        si[L.S_BUF_N] = len(self.day[0])
        si[L.S_MORE_DAYS] = int(self.feed.more)
        si[L.S_ERR_SLOT] = -1
        si[L.S_HOT] = int(spec.has_tiers)
        cap_a = max(int(self.sp[9].max(initial=0)), 1)
        slots, n_eps, n_orders = first_capacities(spec, self.sp[9], self.feed.day_calls)
        margin = int(self.sp[11][3])
        self.st = [si, np.zeros(1)] + self._heap(16 * slots + margin) + self._slots(slots) + [
            # with seat sites, each level's side levels, one per dialect, follow
            *self._levels(n_lv * (1 + int(self.sp[L.SP_SITES][0][L.T_DIALECTS])), slots),
            np.zeros((3, n_q), dtype=np.int64), np.zeros((3, n_q)),
            np.zeros((8, n_g), dtype=np.int64), np.zeros((5, n_g)),
            np.zeros((n_g, cap_a), dtype=np.int64), np.zeros((n_g, cap_a), dtype=np.int64),
        ] + self._records(slots) + [tuple(episodes(n_eps, len(spec.tiers))), rec.fcr,
                                    self._avail_state(cap_a)]
        si[L.S_FREE_TOP] = len(self.st[12])
        self.st.append(self._outbound_state())
        self._campaign_days(0, -1)
        self.st.append(self._second(n_orders + margin if spec.second_line else 1))
        self.st.append(self._esc_state(len(self.st[L.ST_SECOND][L.W_I])))
        self.st.append(self._sites_state())
        # st[ST_REACT]: the next wait token and away-task number; agents' away tasks and
        # their records; their last away task whose line is free
        self.st.append((np.zeros(2, dtype=np.int64), np.full((n_g, cap_a), -1, dtype=np.int64),
                        np.zeros((L.N_RI, n_g * cap_a), dtype=np.int64),
                        np.zeros((L.N_RF, n_g * cap_a)),
                        np.full((n_g, cap_a), -1, dtype=np.int64)))

    def _sites_state(self) -> tuple:
        """st[ST_SITES] (sim.fast.loop RG_*, GR_*): the SiteRecord's counters by (region,
        interval) and (group, interval), the idle counts site_route saves."""
        spec = self.spec
        n_r = len(spec.sites.regions) if spec.sites is not None else 0
        n_g, n_i = len(spec.groups), spec.n_intervals
        return (np.zeros((len(SITE_REGION_FIELDS), n_r, n_i)),
                np.zeros((len(SITE_GROUP_FIELDS), n_g, n_i)), np.zeros(n_g, dtype=np.int64))

    # -- arrays --------------------------------------------------------------------------
    def _avail_state(self, cap_a: int) -> tuple:
        """st[ST_AVAIL] (sim.fast.loop): away counts and owed-break rings by group, away
        agent-seconds, the key of each agent's call, and the recorder's away seconds and
        key calls (written in place). A ring of n + 2 owed breaks per group is enough:
        those whose window ended are dropped before one is added, and the rest began
        less than a day before, each break of the day at most once."""
        n_g = len(self.spec.groups)
        cap_o = self.sp[self.L.SP_AVAIL][3].shape[1] + 2
        key_calls = self.rec.features.key_calls
        return (np.zeros((3, n_g), dtype=np.int64), np.zeros((2, n_g)),
                np.zeros((n_g, cap_a), dtype=np.uint64), np.zeros((n_g, cap_o), dtype=np.int64),
                np.zeros((2, n_g, cap_o)), self.rec.group_away_s,
                key_calls if key_calls is not None else np.zeros((1, 1)))

    @staticmethod
    def _heap(cap: int) -> list:
        """st[2:7] (sim.fast.loop's heap): times, packed (eid, type) keys, an unused
        placeholder (one element: the key packs the type), a, b."""
        return [np.zeros(cap), np.zeros(cap, dtype=np.int64), np.zeros(1, dtype=np.int64),
                np.zeros(cap, dtype=np.int64), np.zeros(cap, dtype=np.int64)]

    def _slots(self, cap: int) -> list:
        L, n_g = self.L, len(self.spec.groups)
        ci = np.zeros((cap, L.N_CI), dtype=np.int64)
        ci[:, L.C_STATE] = L.FINISHED
        ci[:, L.C_ID] = -1
        return [ci, np.zeros((cap, L.N_CF)), np.zeros((cap, n_g)), np.zeros((cap, n_g)),
                np.zeros(cap, dtype=np.uint64), np.arange(cap)[::-1].copy()]

    def _records(self, n_slots: int) -> list:
        cap = self.rec.chunk + n_slots + 1
        return [np.zeros((self.L.N_RI, cap), dtype=np.int64), np.zeros((self.L.N_RF, cap))]

    @staticmethod
    def _levels(n: int, cap: int) -> list:
        meta = np.zeros((3, n), dtype=np.int64)
        meta[2] = -1
        return [np.zeros((n, cap), dtype=np.int64), np.zeros((n, cap), dtype=np.int64),
                np.zeros((n, cap)), meta]

    def _second(self, cap: int, old: tuple | None = None) -> tuple:
        """st[ST_SECOND] (sim.fast.loop W_*): ``cap`` work-order slots (those of ``old``
        kept, with its pools and counters), the pools' agents, their channels (empty
        lists: -1) and open orders, the work-order counts of the record, and the callbacks'
        counters (the callbacks owed: a list through the orders' slots, head and tail -1)."""
        L, spec = self.L, self.spec
        wi, wf = np.zeros((cap, L.N_OI), dtype=np.int64), np.zeros((cap, L.N_OF))
        wk, stack = np.zeros(cap, dtype=np.uint64), np.arange(cap)[::-1].copy()
        ws = np.zeros(L.N_WS, dtype=np.int64)
        ws[L.WS_FREE_TOP] = cap
        ws[L.WS_CB_HEAD] = ws[L.WS_CB_TAIL] = -1
        if old is not None:  # the free slots of old, then the new ones
            n, top = len(old[L.W_I]), old[L.W_S][L.WS_FREE_TOP]
            wi[:n], wf[:n], wk[:n] = old[L.W_I], old[L.W_F], old[L.W_KEY]
            stack[:top] = old[L.W_STACK][:top]
            stack[top:top + cap - n] = np.arange(n, cap)[::-1]
            ws[:] = old[L.W_S]
            ws[L.WS_FREE_TOP] = top + cap - n
            return (wi, wf, wk, stack, ws, *old[L.W_GI:])
        staffing = self.sp[L.SP_SECOND][L.SL_STAFFING]
        n_p, cap_p = staffing.shape[0], max(int(staffing.max(initial=0)), 1)
        pq = np.full((n_p, 5), -1, dtype=np.int64)
        pq[:, L.PQ_OPEN] = 0
        return (wi, wf, wk, stack, ws, np.zeros((8, n_p), dtype=np.int64), np.zeros((5, n_p)),
                np.zeros((n_p, cap_p), dtype=np.int64), np.zeros((n_p, cap_p), dtype=np.int64),
                pq, np.zeros((len(spec.classes), spec.n_intervals)),
                np.zeros((7, n_p, spec.n_intervals)), np.zeros((5, spec.n_intervals)))

    def _esc_state(self, cap: int, old: tuple | None = None) -> tuple:
        """st[ST_ESC] (sim.fast.loop E_*): by work-order slot (``cap``, those of ``old``
        kept) the answered call's customer, attempt, reason and key and whether it is an
        open complaint order; then the ComplaintRecord's counts (zero-level tables when
        complaints are off)."""
        L, n_k = self.L, self.spec.n_intervals
        ei, ek = np.zeros((cap, L.N_EI), dtype=np.int64), np.zeros(cap, dtype=np.uint64)
        if old is not None:
            n = len(old[0])
            ei[:n], ek[:n] = old[0], old[1]
            return (ei, ek, *old[2:])
        n_lv = len(self.sp[L.SP_ESC][2])
        return ei, ek, np.zeros(n_k), np.zeros((n_lv, n_k)), np.zeros(2)

    def _complaints_finish(self) -> None:
        """Complaints.finish: orders still open past the time limit are overdue too."""
        from sim.records import ComplaintRecord

        L = self.L
        ei, _, orders, escalations, ef = self.st[L.ST_ESC]
        now = float(self.st[1][0])
        t_open = self.st[L.ST_SECOND][L.W_F][:, L.O_TOPEN][ei[:, L.E_COMPLAINT] == 1]
        limit = self.sp[L.SP_ESC][1][L.XF_LIMIT]
        overdue = float(ef[L.EF_OVERDUE])
        overdue += sum(1 for t in t_open.tolist() if now - t > limit)
        self.rec.features.complaints = ComplaintRecord(
            orders.copy(), escalations.copy(), float(ef[L.EF_IN_TIME]), overdue,
            float(len(t_open)))

    def _grow(self) -> None:
        L, st, si = self.L, self.st, self.st[0]
        if self.spec.second_line is not None and (
                st[L.ST_SECOND][L.W_S][L.WS_FREE_TOP] < self.sp[11][3]):
            cap = len(st[L.ST_SECOND][L.W_I])
            st[L.ST_SECOND] = self._second(2 * cap + self.sp[11][3], st[L.ST_SECOND])
            st[L.ST_ESC] = self._esc_state(len(st[L.ST_SECOND][L.W_I]), st[L.ST_ESC])
        self._heap_room(0)
        if si[L.S_FREE_TOP] < 1:
            old_cap = st[7].shape[0]
            new = self._slots(2 * old_cap)
            new[0][:old_cap] = st[7]
            new[1][:old_cap] = st[8]
            new[2][:old_cap] = st[9]
            new[3][:old_cap] = st[10]
            new[4][:old_cap] = st[11]
            new[5][:old_cap] = np.arange(old_cap, 2 * old_cap)[::-1]  # only new slots free
            si[L.S_FREE_TOP] = old_cap
            st[7:13] = new
            n = si[L.S_NREC]
            rec = self._records(2 * old_cap)
            rec[0][:, :n] = st[23][:, :n]
            rec[1][:, :n] = st[24][:, :n]
            st[23:25] = rec
        keys = st[25][0][:, 0]
        if 2 * st[25][3][0] >= len(keys):  # half the positions used: rehash, doubling
            from sim.fast.customers import rehash, table  # if a quarter are live episodes
            # (doubling, not x4: a bigger table costs its fresh pages at the rehash and
            # each interval's drop_stale scan; telecom10000 needs 2**19, not 2**20)

            live = int((keys >= 0).sum())
            new = table(len(keys) * (2 if 4 * live >= len(keys) else 1), len(self.spec.tiers))
            rehash(st[25][0], new[0])
            st[25][3][0] = live
            st[25] = (*new[:2], *st[25][2:])
        if si[L.S_GROW]:
            si[L.S_GROW] = 0
            lslot, lid, ltq, meta = st[13:17]
            n_lv, cap = lslot.shape
            new = self._levels(n_lv, 2 * cap)
            for lv in range(n_lv):
                pos = (meta[0, lv] + np.arange(meta[1, lv])) % cap
                for old, arr in zip((lslot, lid, ltq), new[:3], strict=True):
                    arr[lv, :len(pos)] = old[lv, pos]
            new[3][1:] = meta[1:]
            st[13:17] = new

    # -- outbound campaign tasks and the outage ------------------------------------------
    def _outbound_state(self) -> tuple:
        """st[ST_OB] (sim.fast.loop O_*): the task deque and tables, agents on outbound
        calls, campaign calls (the record's own array), the outage's count and ticket."""
        L, ob = self.L, self.rec.features.outbound
        oi = np.zeros(6, dtype=np.int64)
        oi[L.O_TRIGGER] = -1
        calls = ob.campaign_calls if ob is not None else np.zeros(1)
        return (oi, np.full(1, np.nan), np.zeros(len(self.spec.groups), dtype=np.int64),
                np.zeros(0), np.zeros(0), np.zeros(0), calls)

    def _campaign_days(self, first: int, trigger: int) -> None:
        """Outbound.on_day of days ``first`` to ``next_day - 1`` (those the feed just
        visited): their campaign tasks, drawn as there (times and each task's handle time
        from its own key), for the loop to schedule at the arrival of position ``trigger``
        (-1: at the start), where ``Center._next_day`` runs the hook."""
        from sim.model.arrivals import poisson_times
        from sim.sampling import derived_draws, stream_key

        spec, ob = self.spec, self.spec.outbound
        if ob is None:
            return
        per_day = spec.intervals_per_day
        times: list[float] = []
        handles: list[float] = []
        for day in range(first, self.next_day):
            for c in ob.campaigns:
                volumes = np.asarray(c.tasks_per_interval[day * per_day:(day + 1) * per_day])
                key = stream_key(self.seed, self.rep, "campaign", c.name, day)
                at = poisson_times(volumes, spec.interval_s, key) + day * spec.day_s
                times += at.tolist()
                # each task's handle time from its own key, derive_key(key, j): draw 11
                handles += map(c.handle_time.sample1, derived_draws(key, len(at), 11).tolist())
        L = self.L
        oi, of, on_out, old_t, old_h, deque, calls = self.st[L.ST_OB]
        assert oi[L.O_SCHED_FROM] == oi[L.O_SCHED_TO]  # the last days' tasks are scheduled
        new_t = np.concatenate((old_t, np.array(times, dtype=np.float64)))
        new_h = np.concatenate((old_h, np.array(handles, dtype=np.float64)))
        new_deque = np.zeros(len(new_t))
        new_deque[:len(deque)] = deque
        oi[L.O_SCHED_FROM], oi[L.O_SCHED_TO], oi[L.O_TRIGGER] = len(old_t), len(new_t), trigger
        self.st[L.ST_OB] = (oi, of, on_out, new_t, new_h, new_deque, calls)
        self._heap_room(len(times))

    def _heap_room(self, n: int) -> None:
        """Room in the event heap for ``n`` events scheduled at once (the tasks) beyond
        what one event may schedule."""
        L, st, si = self.L, self.st, self.st[0]
        if si[L.S_HN] + self.sp[11][3] + n > len(st[2]):
            hn = si[L.S_HN]
            new = self._heap(2 * len(st[2]) + self.sp[11][3] + n)
            for i in (0, 1, 3, 4):  # not the placeholder
                new[i][:hn] = st[2 + i][:hn]
            st[2:7] = new

    # -- days ----------------------------------------------------------------------------
    def _need_day(self) -> None:
        L, si = self.L, self.st[0]
        last_i = si[L.S_BUF_N] - 1
        last = tuple(a[last_i:last_i + 1] for a in self.day)
        first = self.next_day
        self.day = self._timed("day draws", self.feed.load, last)
        si[L.S_OFF] += last_i
        self._campaign_days(first, int(si[L.S_OFF]))
        si[L.S_BUF_N] = len(self.day[0])
        si[L.S_MORE_DAYS] = int(self.feed.more)

    # -- records -------------------------------------------------------------------------
    def _emit(self, n: int) -> None:
        """Fold the first ``n`` buffered records as one Recorder chunk."""
        L, ri, rf = self.L, self.st[23], self.st[24]
        sink = self.rec.sink
        # the fold reads the buffer's rows in place; only a sink, which may keep the
        # arrays, gets copies (the buffer is overwritten by the next chunk)
        keep = (lambda a: a.copy()) if sink is not None else (lambda a: a)
        cols = {
            "call_id": keep(ri[L.R_ID, :n]), "class_idx": keep(ri[L.R_CLS, :n]),
            "interval": keep(ri[L.R_INTERVAL, :n]), "t_arrival": keep(rf[L.R_TARR, :n]),
            "t_queue": keep(rf[L.R_TQUEUE, :n]), "t_answer": keep(rf[L.R_TANSWER, :n]),
            "t_end": keep(rf[L.R_TEND, :n]), "outcome_code": keep(ri[L.R_OUTCOME, :n]),
            "group_idx": keep(ri[L.R_GROUP, :n]), "agent": keep(ri[L.R_AGENT, :n]),
            "acw_s": keep(rf[L.R_ACW, :n]), "ending_code": keep(ri[L.R_ENDING, :n]),
            "customer": keep(ri[L.R_CUSTOMER, :n]),
            "attempt": keep(ri[L.R_ATTEMPT, :n]), "repeat": ri[L.R_REPEAT, :n] == 1,
            "resolved": keep(ri[L.R_RESOLVED, :n]), "t_left_queue": keep(rf[L.R_TLEFT, :n]),
        }
        assert tuple(cols) == COLUMNS
        self.rec._fold(cols)
        if sink is not None:
            sink(cols)
        total, si = self.st[0][L.S_NREC], self.st[0]
        ri[:, :total - n] = ri[:, n:total]
        rf[:, :total - n] = rf[:, n:total]
        si[L.S_NREC] = total - n

    def run(self) -> None:
        L = self.L
        chunk = self.rec.chunk
        while True:
            status = self._timed("loop", L.run, tuple(self.st), self.sp, self.pol, self.day,
                                 self.out)
            if status == L.FLUSH:
                self._timed("fold", self._emit, chunk)
            elif status == L.GROW:
                self._timed("grow", self._grow)
            elif status == L.NEED_DAY:
                self._need_day()
            elif status == L.ERROR:
                self._error()
            else:
                break
        while self.st[0][L.S_NREC] >= chunk:
            self._timed("fold", self._emit, chunk)
        if self.st[0][L.S_NREC]:
            self._timed("fold", self._emit, self.st[0][L.S_NREC])
        if self.spec.outage is not None:  # Outage.finish
            self.rec.features.ticket_open_s = float(self.st[L.ST_OB][1][L.O_TICKET])
        if self.spec.has_tiers:  # Customers.finish (rec.fcr is the loop's own array)
            from sim.fast.customers import episode_tally

            self.rec.features.episodes = episode_tally(list(self.st[25]))
        if self.spec.second_line is not None:  # SecondLine.finish
            W = self.st[L.ST_SECOND]
            self.rec.work_orders = W[L.W_ORDERS]
            self.rec.features.second_line = SecondLineRecord(*(a.copy() for a in W[L.W_REC]))
            ob = self.rec.features.outbound
            if ob is not None:  # the callbacks' counters, Outbound.finish
                for i, a in enumerate((ob.callbacks_made, ob.callbacks_answered,
                                       ob.callbacks_unreachable, ob.satisfaction_made,
                                       ob.satisfaction_reached)):
                    a[:] = W[L.W_CB][i]
                ob.callbacks_pending_end = float(W[L.W_S][L.WS_OPEN_LOOPS])
            if self.spec.operations.complaints is not None:
                self._complaints_finish()
        if self.spec.sites is not None:  # Sites.finish
            reg, grp, _ = self.st[L.ST_SITES]
            self.rec.features.sites = SiteRecord(
                {k: reg[i].copy() for i, k in enumerate(SITE_REGION_FIELDS)},
                {k: grp[i].copy() for i, k in enumerate(SITE_GROUP_FIELDS)})

    def _timed(self, phase: str, fn: Callable, *args):
        """``fn(*args)``, its CPU seconds added to ``self.cpu[phase]``."""
        t0 = time.process_time()
        out = fn(*args)
        self.cpu[phase] += time.process_time() - t0
        return out

    def _error(self) -> None:
        si, L = self.st[0], self.L
        cls = self.spec.classes[si[L.S_ERR_CLS]].name
        group = self.spec.groups[si[L.S_ERR_GROUP]].name
        raise RuntimeError(f"policy {self.policy_name} routed a {cls} call to group {group}, "
                           "which has no handle time for it")

    @property
    def next_day(self) -> int:
        """The first day whose calls are not loaded yet (``Center.day_index``)."""
        return self.feed.next_day

    @property
    def next_id(self) -> int:
        return int(self.st[0][self.L.S_NEXT_ID])

    @property
    def in_system(self) -> int:
        return int(self.st[0][self.L.S_IN_SYSTEM])


def run_fast(spec: ModelSpec, policy, seed: int, rep: int, rec: Recorder) -> FastRun:
    """One replication on the compiled loop, its records folded into ``rec``.

    The keyed streams multiply uint64s modulo 2**64 on purpose (SplitMix64); with
    Numba's JIT off (``NUMBA_DISABLE_JIT=1``) that is numpy scalar arithmetic, which
    would warn of an overflow at every draw."""
    with np.errstate(over="ignore"):
        fr = FastRun(spec, policy, seed, rep, rec)
        fr.policy_name = policy.name
        fr.run()
    return fr
