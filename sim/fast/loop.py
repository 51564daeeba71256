"""The compiled event loop: ``sim.model.center.Center`` in Numba (with the hotline's tiers,
customers and IVR tree, outbound blending, the outage, the second line with its
callbacks, redials chasing open work orders and complaint escalation;
``sim.fast.engine.LACKS`` lists what it still lacks).

Why it gives the same calls, call for call:

- SimPy orders events by (time, insertion counter); every event of the model is a
  NORMAL-priority timeout, so a binary heap keyed (t, eid), eid counting every
  scheduling, pops them in the same order, provided each handler schedules in the same
  order as its ``Center`` counterpart and computes times with the same float operations
  (``now + delay``, ``delay`` as in center.py). Each handler below names its original.
- Per-call variates are drawn in numpy before the loop exactly as ``DayCalls`` does (so are
  the outage's surge calls, and each campaign task's time and handle time); the
  draws inside the loop (a virtual-hold acceptance; caller ID, IVR node times and
  decisions in ``call.k`` sequence, the agent's resolution; whether a failed attempt
  redials, its delay, the redial's key and variates) are ``sim.sampling.draw`` and
  ``derive_key`` ported to integer arithmetic: the same bits, fed to the same float
  operations (``Distribution.sample1``'s).
- Calls live in recycled slots; queue levels are ring buffers of (slot, call id, t_queue)
  with lazy removal as in ``CallQueue``: an entry is live while its slot still holds that
  call id in state WAITING. Work orders live in recycled slots too, from the answer of
  their unresolved call until the order is done and its callbacks are over; a pool's
  waiting orders and the callbacks owed are FIFO lists linked through those slots.

The loop is resumable: all state is in arrays, and it returns to the Python driver
(``sim.fast.engine``) when the record buffer holds a chunk to fold (FLUSH), an array
needs to grow (GROW), the next day's arrivals are needed (NEED_DAY), a policy routed a
call to a group without a handle time for it (ERROR), or the run is over (DONE).
Everything is a top-level function so that Numba's on-disk cache hits.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numba import njit as _numba_njit

from sim.fast import customers as cust
from sim.fast import ivr as ivr_
from sim.fast import redial as rdl
from sim.fast.rng import GOLDEN, derive, draw, mix
from sim.sampling import _part_code

# numba's stubs do not list the private `_nrt=False` option (no runtime allocation in the
# loop), so the decorator is typed loosely; it is the same object as numba.njit.
njit: Any = _numba_njit

# loop status
DONE, FLUSH, GROW, NEED_DAY, ERROR = 0, 1, 2, 3, 4
# event types
EV_ARRIVAL, EV_IVR_DONE, EV_WAIT, EV_ANNOUNCE, EV_ELIGIBLE, EV_WAKEUP = 0, 1, 2, 3, 4, 5
EV_FREE, EV_HANGUP, EV_TICK, EV_CLOSE, EV_NODE = 6, 7, 8, 9, 10
# availability (fast-avail range 25-29): an agent back from not ready or a break, partial
# presence over, a daily break starts
EV_BACK, EV_PARTIAL_END, EV_BREAK = 25, 26, 27
EV_REDIAL = 11  # a = the slot that keeps the failed attempt (Redials._on_redial)
EV_WALK = 12  # the end of an IVR walk (ivr_walk): a = slot, b = its decision (walk_code)
# call states (sim.model.calls.State)
IVR, WAITING, SERVING, FINISHED = 0, 1, 2, 3
# outcomes and endings (sim.model.calls.Outcome / Ending)
ANSWERED, ABANDONED, DISCONNECTED, SELF_SERVED, BLOCKED = 0, 1, 2, 3, 4
E_AGENT, E_QUEUE_ABANDON, E_FORCED, E_CLOSED, E_NO_LINE, E_RECALLED = 0, 1, 2, 3, 9, 10
E_IVR_ABANDON, E_IVR_HANGUP, E_SELF_SERVICE, E_PRESS2_SELF_SERVICE = 4, 5, 6, 7
RESOLUTION_DRAW = 2000  # sim.model.calls.Draw.RESOLUTION
REDIAL_DRAW, REDIAL_DELAY_DRAW = 2001, 2002  # Draw.REDIAL, Draw.REDIAL_DELAY
PATIENCE_DRAW, HANDLE_DRAW, ACW_DRAW, ANSWER_DELAY_DRAW = 3, 4, 5, 6  # a redial's Draw.*
PRESS2_DRAW = 1000  # sim.model.calls.Draw.PRESS2 (+ announcement number)
# policies
P_BASE, P_FIFO, P_OVERFLOW, P_RESERVATION, P_DYNAMIC, P_VHOLD = 0, 1, 2, 3, 4, 5
ACCEPT_DRAW = 1500  # sim.policies.virtual_hold.ACCEPT_DRAW

# si: integer scalars
S_EID, S_HN, S_NEXT_ID, S_IN_SYSTEM, S_NREC, S_FREE_TOP, S_OFF, S_BUF_N = 0, 1, 2, 3, 4, 5, 6, 7
# sp[11] (ints): intervals, lines (-1: none), record chunk, heap margin, IVR walks on
IP_WALK = 4
S_MORE_DAYS, S_GROW, S_HELD_SEQ, S_LVL_SEQ, S_STARTED, S_ERR_SLOT, S_ERR_GROUP = (
    8, 9, 10, 11, 12, 13, 14)
S_ERR_CLS, S_HOT = 15, 16
N_SI = 17
# ci columns, cf columns: one row per call slot (slot-major, so that the handlers touch one
# call's fields in one or two cache lines; field-major rows cost a quarter of the loop)
C_ID, C_CLS, C_PRIO, C_QUEUE, C_STATE, C_INTERVAL, C_ANNOUNCED, C_PENDING = 0, 1, 2, 3, 4, 5, 6, 7
C_VIRTUAL, C_HELD_SEQ, C_LEVEL = 8, 9, 10
# hotline: caller ID, the need's reason and tier, IVR node, last draw index, failures
C_CUSTOMER, C_REASON, C_TIER, C_NODE, C_K, C_FAILURES, C_REPEAT, C_RESOLVED = range(11, 19)
C_PRESSED2 = 19
C_NOTICED = 20  # the outage notice was played to this call (Call.noticed)
C_ATTEMPT = 21  # 1 for a first call, n for the (n-1)-th redial
# seat sites: the caller's region (-1: not asked yet) and dialect need (-1: Mandarin),
# restricted to its dialect's agents (Call.region, dialect, restricted)
C_REGION, C_DIALECT, C_RESTRICTED = 22, 23, 24
# agents called back from away work: the call's queue visits (Call.visit), and its wait
# token (-1: none), the reaction events of its current wait carry it (a stale one from
# an earlier visit or call in the slot finds another)
C_VISIT, C_WAIT = 25, 26
N_CI = 27
F_TARR, F_PATIENCE, F_IVR, F_TQUEUE, F_TLEFT, F_DELAY = 0, 1, 2, 3, 4, 5
N_CF = 6
# level meta rows
L_HEAD, L_LEN, L_CREATED = 0, 1, 2
# queue rows: qi (n, pending, peak), qf (area, t_last, last_area)
Q_N, Q_PENDING, Q_PEAK = 0, 1, 2
Q_AREA, Q_TLAST, Q_LAST = 0, 1, 2
# group rows: gi, gf
G_PRESENT, G_BUSY, G_TO_LEAVE, G_TARGET, G_NEXT_ID, G_FREE_HEAD, G_FREE_LEN, G_SPARE_LEN = (
    0, 1, 2, 3, 4, 5, 6, 7)
G_BUSY_AREA, G_STAFFED_AREA, G_TLAST, G_LAST_BUSY, G_LAST_STAFFED = 0, 1, 2, 3, 4
# record rows: ri (id, class, interval, outcome, group, agent, ending, customer, repeat,
# resolved), rf
R_ID, R_CLS, R_INTERVAL, R_OUTCOME, R_GROUP, R_AGENT, R_ENDING = 0, 1, 2, 3, 4, 5, 6
R_CUSTOMER, R_REPEAT, R_RESOLVED = 7, 8, 9
R_ATTEMPT = 10
N_RI = 11
# hotline spec rows: sp[12] (population, n_reasons), sp[13] (fcr_window_s,), sp[14] by class
# (tier, reason, IVR entry, has resolution, own work), sp[15] resolution by (class, group), sp[16]
# level by (class, queue), sp[17] the IVR tree (sim.fast.ivr.node_arrays), sp[18] press-2
# probability by queue, sp[19] the IVR node a caller who presses 2 goes to, by queue
H_POP, H_REASONS = 0, 1
K_TIER, K_REASON, K_ENTRY, K_HAS_RES, K_WORK = 0, 1, 2, 3, 4
R_TARR, R_TQUEUE, R_TANSWER, R_TEND, R_ACW, R_TLEFT = 0, 1, 2, 3, 4, 5
N_RF = 6
# availability and key customers: st[ST_AVAIL] = (ai, af, agent's call key by (group,
# agent), owed breaks' agents by (group, ring position), owed breaks' (duration, window
# end) by (group, ring position), group_away_s by (group, interval), key calls by (grade,
# interval)); sp[SP_AVAIL] = (xi, headcount the partial agent leaves by (group, interval),
# partial presence s by (group, interval), breaks (start_s, duration_s, share) by (group,
# break), breaks by group (-1: no availability), not-ready probability by group, not-ready
# time laws (sim.fast.ivr.node_arrays, one node per group), key grades' shares, served
# class by (grade, class), key customers' stream key, queues whose waiting callers the
# group's last agent stays for by (group, queue) (AgentGroup.stay; 0/1))
ST_AVAIL = 27
SP_AVAIL = 20
A_AWAY, A_OWED_HEAD, A_OWED_LEN = 0, 1, 2  # ai rows: agents not ready or on break
A_AREA, A_LAST = 0, 1  # af rows: away agent-seconds, at the last interval close
X_PER_DAY, X_KEY = 0, 1  # xi: intervals per day, key customers on
X_STAY = 2  # xi: some group's last agent stays for waiting callers
AV_STAY = 10  # sp[SP_AVAIL][AV_STAY]: the stay-for queues by (group, queue)
B_START, B_DURATION, B_SHARE = 0, 1, 2
NOT_READY_DRAW, NOT_READY_TIME_DRAW = 2010, 2011  # sim.model.calls.Draw
# second line (sim.model.second_line): its events, its state st[ST_SECOND] (a tuple indexed
# by W_*) and its spec sp[SP_SECOND] (indexed by SL_*); empty pools when it is off
EV_OPEN_ORDER, EV_ORDER_DONE, EV_CB_RETRY = 15, 16, 17
ST_SECOND = 29
SP_SECOND = 23
W_I, W_F, W_KEY, W_STACK, W_S, W_GI, W_GF, W_RING, W_SPARE, W_Q, W_ORDERS, W_REC = range(12)
W_CB = 12  # the callbacks' counters by interval (OutboundRecord: CB_* rows)
# work order int columns (O_NEXT links its pool's channel, then the callbacks owed)
# O_ID: WorkOrder.id while the order is open, else -1 (an event holding (slot, id) of an
# order finds out whether it is still open, as Redials._on_chase asks)
O_CLS, O_INTERVAL, O_NEED, O_POOL, O_FRONT, O_NEXT, O_ATTEMPT, O_ID = range(8)
N_OI = 8
O_TOPEN = 0  # work order float columns
N_OF = 1
# free slots, orders opened, the callbacks owed (head, tail), orders whose customer is not
# reached yet (Outbound.open_loops)
WS_FREE_TOP, WS_NEXT_ID, WS_CB_HEAD, WS_CB_TAIL, WS_OPEN_LOOPS = range(5)
N_WS = 5
CB_MADE, CB_ANSWERED, CB_UNREACHABLE, CB_SAT_MADE, CB_SAT_REACHED = range(5)
RING_S = 30.0  # sim.model.outbound.RING_S
PQ_OPEN = 4  # pool rows: (head, tail) of the green channel, of the others; open orders
# SecondLineRecord fields, in its order
SL_OPENED, SL_CLOSED, SL_CLOSED_AT, SL_TTC, SL_BACKLOG, SL_BUSY, SL_STAFFED = range(7)
SL_ON, SL_BY_REASON, SL_VIP, SL_GREEN, SL_STAFFING, SL_LAWS, SL_SALT = range(7)
SL_SAT, SL_F = 7, 8  # satisfaction pools (flags), (callback answer probability,)
# sp[SP_SECOND][SL_ON]: second line on, callbacks on (with outbound), closed loop on, its
# max_attempts; laws after the pools': callback time, satisfaction time, retry delay
SLI_ON, SLI_CALLBACKS, SLI_LOOP, SLI_MAX_ATTEMPTS = range(4)
# outbound blending and the outage (sim.model.outbound, sim.model.outage): a campaign task
# reaches the deque, an agent's outbound call is done; the outage notice's ending
EV_OB_TASK, EV_OB_DONE = 20, 21
E_OUTAGE_NOTICE = 8
ST_OB, SP_OB = 28, 21
# sp[SP_OB] = (obi, obf, blended groups, blended flag by group): obi (outbound on,
# max_inbound_waiting, notice node, menu node, outage reason, ticket threshold, outage on;
# nodes -2 when off), obf (reserved share, horizon_s, outage start_s, duration_s)
OB_ON, OB_MAX_WAIT, OB_NOTICE, OB_MENU, OB_REASON, OB_THRESHOLD, OB_OUTAGE = range(7)
OBF_RESERVED, OBF_HORIZON, OBF_START, OBF_DURATION = range(4)
# st[ST_OB] = (oi, of, agents on outbound calls by group, task times, task handle times,
# the task deque (handle times), campaign calls by interval): oi (deque head, tail, tasks
# still to schedule [from, to), at the arrival of position trigger (-1: at the start),
# fault calls in the outage window), of (ticket_open_s)
O_HEAD, O_TAIL, O_SCHED_FROM, O_SCHED_TO, O_TRIGGER, O_CALLS = range(6)
O_TICKET = 0
# redials: sp[SP_REDIAL] (sim.fast.redial.redial_arrays)
SP_REDIAL = 22
# redials chasing an open work order (Redials.on_order_opened, _on_chase) and complaint
# escalation (sim.model.complaints.Complaints), fast-escalation range 30-34: a chase (a =
# the order's slot, b = its id), a level's deadline (a = the slot, b = id * levels + level)
EV_CHASE, EV_DEADLINE = 30, 31
ST_ESC = 30
SP_ESC = 24
CHASE_DRAW, CHASE_DELAY_DRAW = 2003, 2004  # Draw.CHASE, Draw.CHASE_DELAY
# st[ST_ESC] = (ei by work-order slot: the answered call's customer, attempt and reason, a
# complaint order still open (Complaints.open); the call's key by work-order slot;
# ComplaintRecord's orders by interval, escalations by (level, interval), (closed_in_time,
# overdue))
E_CUSTOMER, E_ATTEMPT, E_REASON, E_COMPLAINT = range(4)
N_EI = 4
EF_IN_TIME, EF_OVERDUE = 0, 1
# sp[SP_ESC] = (xi, xf, the levels' after_s, the chase delay law (sim.fast.ivr.node_arrays,
# one node)): xi (chase on, complaints on, complaint reason), xf (chase prob, time limit)
XE_CHASE, XE_COMPLAINTS, XE_REASON = 0, 1, 2
XF_CHASE_PROB, XF_LIMIT = 0, 1
# seat sites and dialect routing (sim.model.sites), fast-sites range 35-39: a restricted
# call's dialect fallback (a = the slot, b = its call id)
EV_FALLBACK = 35
ST_SITES = 31
SP_SITES = 25
# sp[SP_SITES] = (ti: on, dialects, dialect_first, normal levels (side levels follow);
# tf: fallback_s, service_level_s; cumulative region shares; dialect by region (-1:
# Mandarin only); dialect need by (region, class); speaks by (group, dialect) 0/1; keys:
# stream_key(seed, rep, "site_region"), the salt of derive_key(key, "site_region"))
T_ON, T_DIALECTS, T_FIRST, T_NLV = range(4)
TF_FALLBACK, TF_SL = 0, 1
# st[ST_SITES] = (SiteRecord.region counters (SITE_REGION_FIELDS, region, interval), its
# group counters (SITE_GROUP_FIELDS, group, interval), idle counts saved by site_route)
RG_ASKED, RG_ANSWERED, RG_IN_SL, RG_DIALECT_ASKED, RG_IN_DIALECT, RG_IN_MANDARIN = range(6)
GR_ANSWERED, GR_IN_SL, GR_IN_DIALECT, GR_IN_MANDARIN = range(4)
# agents in away work called back by a caller who waited his reaction time
# (sim.model.availability: Availability.waiting, _on_reaction, answered, task_cut),
# fast-react range 40-44: a caller's reaction (a = his slot, b = wait token * groups +
# the group), the end of an away task, in place of EV_FREE (a = the group, b = the task's
# number * agent capacity + the agent; stale once the task is dropped for a caller)
EV_REACTION, EV_AWAY_END = 40, 41
ST_REACT = 32
SP_REACT = 26
REACTION_DRAW = 3000  # sim.model.calls.Draw.REACTION (+ queue visit - 1)
# st[ST_REACT] = (rs: the next wait token and away-task number; by (group, agent) the
# number of the agent's away task, -1: none; numbers grow in answer order, so the agent
# longest in away work has the lowest, as Availability.away's insertion order; the away
# tasks' records (ri, rf rows) by group * agent capacity + agent, kept from the answer to
# the task's end or drop, Availability.rows; by (group, agent) the number of his last away
# task whose trunk line is free, -1: none, Availability.hung)
RS_WAITS, RS_TASKS = 0, 1
# sp[SP_REACT] = (groups reacting to each queue's callers (0: none), reacting by (queue,
# group) 0/1 (Availability.reactors), away work by (group, queue) 0/1 of a reacting group,
# the reaction time laws (sim.fast.ivr.node_arrays, node q * groups + g))
RX_N, RX_REACTS, RX_AWAY, RX_LAWS = range(4)
# callers routed by the queue they find (``classes.NAME.when_busy`` / ``when_free``,
# Center._identify): sp[SP_SWITCH] = (by class the number of targets when busy and when
# free, their classes and probabilities by (class, side, j), the switch queues by (class,
# queue) 0/1); the new class's variates come from derive_key(key, "when_busy") through
# the class-law tables of sp[SP_REDIAL] (sim.fast.redial.redial_arrays)
SP_SWITCH = 27
SW_N, SW_TO, SW_P, SW_QUEUES = range(4)
WHEN_BUSY_DRAW = 2020  # sim.model.calls.Draw.WHEN_BUSY
WHEN_BUSY_CODE = np.uint64(_part_code("when_busy"))


# -- event heap: (t, eid) order, as SimPy's heapq of (t, priority, eid) -------------------
# A 4-ary heap (children of i: 4i + 1 .. 4i + 4, side by side in memory; half the levels
# of a binary heap) of entries (t, eid * EV_SPAN + type, a, b) in st[2], st[3], st[5],
# st[6] (st[4] is a one-element placeholder): eids are distinct, so the packed key orders entries
# exactly as (t, eid) does, and a sift moves four arrays, not five. Any heap of distinct
# keys pops them in the same order, so the sifts may be shaped for speed.
EV_SPAN = 64  # event types are below it


@njit(cache=True, _nrt=False, inline="always")
def earlier(ht, he, i, t, key):
    """Entry ``i`` comes before the entry (t, key)."""
    return ht[i] < t or (ht[i] == t and he[i] < key)


@njit(cache=True, _nrt=False)
def schedule(st, delay, ty, a, b):
    """An event ``delay`` from now (``Environment.timeout``)."""
    push(st, st[1][0] + delay, ty, a, b)


@njit(cache=True, _nrt=False, inline="always")
def push(st, t, ty, a, b):
    """An event at time ``t``, after every event scheduled before it at that time."""
    si, ht, he, ha, hb = st[0], st[2], st[3], st[5], st[6]
    key = si[S_EID] * EV_SPAN + ty
    si[S_EID] += 1
    i = si[S_HN]
    si[S_HN] = i + 1
    while i > 0:
        p = (i - 1) >> 2
        if earlier(ht, he, p, t, key):
            break
        ht[i], he[i], ha[i], hb[i] = ht[p], he[p], ha[p], hb[p]
        i = p
    ht[i], he[i], ha[i], hb[i] = t, key, a, b


@njit(cache=True, _nrt=False, inline="always")
def next_type(st):
    """The type of the next event (the heap is not empty)."""
    return st[3][0] & (EV_SPAN - 1)


@njit(cache=True, _nrt=False, inline="always")
def first_of(ht, he, i, j):
    """Of entries ``i`` and ``j``, the earlier, without a branch: which child of a node
    comes first is a coin toss that the branch predictor misses about half the time, and
    these misses were most of the heap's cost (``telecom10000``: ~1.3 M pops from a heap
    of ~3,000 events, six levels of four children each)."""
    ti, tj = ht[i], ht[j]
    return j if (tj < ti) | ((tj == ti) & (he[j] < he[i])) else i


@njit(cache=True, _nrt=False)
def pop_event(st):
    """Take the first event out: the hole at the root sinks to a leaf, each step to the
    earliest child (of four, a tournament of two pairs), then the last entry rises into
    it (as heapq's _siftup does, saving the comparisons of the last entry on the way
    down). Keys are distinct, so the earliest child is the same whichever way it is
    found."""
    si, ht, he, ha, hb = st[0], st[2], st[3], st[5], st[6]
    t, ty, a, b = ht[0], he[0] & (EV_SPAN - 1), ha[0], hb[0]
    n = si[S_HN] - 1
    si[S_HN] = n
    if n > 0:
        lt, le, la, lb = ht[n], he[n], ha[n], hb[n]
        i, c = 0, 1
        while c < n:
            if c + 3 < n:
                m = first_of(ht, he, first_of(ht, he, c, c + 1),
                             first_of(ht, he, c + 2, c + 3))
            else:
                m = c
                for j in range(c + 1, n):
                    m = first_of(ht, he, m, j)
            ht[i], he[i], ha[i], hb[i] = ht[m], he[m], ha[m], hb[m]
            i, c = m, 4 * m + 1
        while i > 0:
            p = (i - 1) >> 2
            if earlier(ht, he, p, lt, le):
                break
            ht[i], he[i], ha[i], hb[i] = ht[p], he[p], ha[p], hb[p]
            i = p
        ht[i], he[i], ha[i], hb[i] = lt, le, la, lb
    return t, ty, a, b


# -- accounting (CallQueue._account, AgentGroup.account) --------------------------------
@njit(cache=True, _nrt=False)
def q_account(st, q, now):
    qi, qf = st[17], st[18]
    qf[Q_AREA, q] += (qi[Q_N, q] + qi[Q_PENDING, q]) * (now - qf[Q_TLAST, q])
    qf[Q_TLAST, q] = now


@njit(cache=True, _nrt=False)
def q_grow(st, q, now, eligible, pending):
    qi = st[17]
    q_account(st, q, now)
    qi[Q_N, q] += eligible
    qi[Q_PENDING, q] += pending
    if qi[Q_N, q] + qi[Q_PENDING, q] > qi[Q_PEAK, q]:
        qi[Q_PEAK, q] = qi[Q_N, q] + qi[Q_PENDING, q]


@njit(cache=True, _nrt=False)
def g_account(st, g, now):
    gi, gf = st[19], st[20]
    dt = now - gf[G_TLAST, g]
    if dt:
        gf[G_BUSY_AREA, g] += gi[G_BUSY, g] * dt
        gf[G_STAFFED_AREA, g] += gi[G_PRESENT, g] * dt
        st[ST_AVAIL][1][A_AREA, g] += st[ST_AVAIL][0][A_AWAY, g] * dt
        gf[G_TLAST, g] = now


# -- agents (AgentGroup) -----------------------------------------------------------------
@njit(cache=True, _nrt=False)
def free_append(st, g, agent):
    gi, ring = st[19], st[21]
    cap = ring.shape[1]
    ring[g, (gi[G_FREE_HEAD, g] + gi[G_FREE_LEN, g]) % cap] = agent
    gi[G_FREE_LEN, g] += 1


@njit(cache=True, _nrt=False)
def free_pop_right(st, g):
    gi, ring = st[19], st[21]
    gi[G_FREE_LEN, g] -= 1
    return ring[g, (gi[G_FREE_HEAD, g] + gi[G_FREE_LEN, g]) % ring.shape[1]]


@njit(cache=True, _nrt=False)
def take(st, g, now):
    gi, ring = st[19], st[21]
    g_account(st, g, now)
    gi[G_BUSY, g] += 1
    agent = ring[g, gi[G_FREE_HEAD, g]]
    gi[G_FREE_HEAD, g] = (gi[G_FREE_HEAD, g] + 1) % ring.shape[1]
    gi[G_FREE_LEN, g] -= 1
    return agent


@njit(cache=True, _nrt=False)
def untake(st, g, agent):
    """AgentGroup.untake: the agent just taken found no call: idle again, first in the
    longest-idle order as before."""
    gi, ring = st[19], st[21]
    gi[G_BUSY, g] -= 1
    gi[G_FREE_HEAD, g] = (gi[G_FREE_HEAD, g] - 1) % ring.shape[1]
    ring[g, gi[G_FREE_HEAD, g]] = agent
    gi[G_FREE_LEN, g] += 1


@njit(cache=True, _nrt=False)
def set_target(st, sp, g, headcount, now):
    gi, spare = st[19], st[22]
    g_account(st, g, now)
    gi[G_TARGET, g] = headcount
    surplus = gi[G_PRESENT, g] - gi[G_TO_LEAVE, g] - headcount
    if surplus > 0:
        idle_leaving = min(surplus, gi[G_FREE_LEN, g])
        if idle_leaving == gi[G_PRESENT, g] and callers_wait(st, sp, g):
            idle_leaving -= 1  # the last agent stays, owed a log-out like a working one
        for _ in range(idle_leaving):
            spare[g, gi[G_SPARE_LEN, g]] = free_pop_right(st, g)
            gi[G_SPARE_LEN, g] += 1
        gi[G_PRESENT, g] -= idle_leaving
        gi[G_TO_LEAVE, g] += surplus - idle_leaving
        return 0
    deficit = -surplus
    kept = min(deficit, gi[G_TO_LEAVE, g])
    gi[G_TO_LEAVE, g] -= kept
    joined = deficit - kept
    for _ in range(joined):
        if gi[G_SPARE_LEN, g]:
            gi[G_SPARE_LEN, g] -= 1
            free_append(st, g, spare[g, gi[G_SPARE_LEN, g]])
        else:
            gi[G_NEXT_ID, g] += 1
            free_append(st, g, gi[G_NEXT_ID, g] - 1)
    gi[G_PRESENT, g] += joined
    return joined


@njit(cache=True, _nrt=False)
def release(st, sp, g, agent, now):
    gi, spare = st[19], st[22]
    g_account(st, g, now)
    gi[G_BUSY, g] -= 1
    if gi[G_TO_LEAVE, g] and not last_stays(st, sp, g):
        gi[G_TO_LEAVE, g] -= 1
        gi[G_PRESENT, g] -= 1
        spare[g, gi[G_SPARE_LEN, g]] = agent
        gi[G_SPARE_LEN, g] += 1
        return False
    return True


@njit(cache=True, _nrt=False)
def callers_wait(st, sp, g):
    """AgentGroup.stay(): callers wait (queued or in their answer delay) in a queue the
    group's last agent stays for (none named: False)."""
    stay, qi = sp[SP_AVAIL][AV_STAY], st[17]
    waiting = False
    for q in range(stay.shape[1]):
        waiting = waiting or (stay[g, q] != 0 and qi[Q_N, q] + qi[Q_PENDING, q] > 0)
    return waiting


@njit(cache=True, _nrt=False)
def last_stays(st, sp, g):
    """AgentGroup._last_stays: the group's last agent, owed a log-out, stays for the
    callers still waiting for him."""
    return st[19][G_PRESENT, g] == 1 and callers_wait(st, sp, g)


@njit(cache=True, _nrt=False)
def caller_left(st, sp, now):
    """Availability.caller_left (AgentGroup.leave_if_unneeded): a last agent who stayed
    idle for waiting callers logs out once none waits."""
    gi, spare, stay = st[19], st[22], sp[SP_AVAIL][AV_STAY]
    for g in range(gi.shape[1]):
        stayer = False  # one of Availability.stayers
        for q in range(stay.shape[1]):
            stayer = stayer or stay[g, q] != 0
        if not stayer:
            continue
        if (gi[G_TO_LEAVE, g] and gi[G_FREE_LEN, g] and gi[G_PRESENT, g] == 1
                and not callers_wait(st, sp, g)):
            g_account(st, g, now)
            gi[G_PRESENT, g] -= 1
            gi[G_TO_LEAVE, g] -= 1
            spare[g, gi[G_SPARE_LEN, g]] = free_pop_right(st, g)
            gi[G_SPARE_LEN, g] += 1


# -- queue levels (CallQueue.levels): ring buffers of (slot, id, t_queue) -----------------
@njit(cache=True, _nrt=False)
def level_created(st, lv):
    si, lm = st[0], st[16]
    if lm[L_CREATED, lv] < 0:
        lm[L_CREATED, lv] = si[S_LVL_SEQ]
        si[S_LVL_SEQ] += 1


@njit(cache=True, _nrt=False)
def level_at(st, lv, j):
    """Ring position of the ``j``-th entry of level ``lv``."""
    return (st[16][L_HEAD, lv] + j) % st[13].shape[1]


@njit(cache=True, _nrt=False)
def level_push(st, lv, slot, cid, tq):
    lslot, lid, ltq, lm = st[13], st[14], st[15], st[16]
    level_created(st, lv)
    p = level_at(st, lv, lm[L_LEN, lv])
    lslot[lv, p], lid[lv, p], ltq[lv, p] = slot, cid, tq
    lm[L_LEN, lv] += 1
    if lm[L_LEN, lv] >= lslot.shape[1] - 1:
        st[0][S_GROW] = 1


@njit(cache=True, _nrt=False)
def level_insert(st, lv, slot, cid, tq):
    """CallQueue.insert: at its place by queue entry time, scanning from the tail."""
    lslot, lid, ltq, lm = st[13], st[14], st[15], st[16]
    level_created(st, lv)
    j = lm[L_LEN, lv]
    while j and ltq[lv, level_at(st, lv, j - 1)] > tq:
        p, r = level_at(st, lv, j), level_at(st, lv, j - 1)
        lslot[lv, p], lid[lv, p], ltq[lv, p] = lslot[lv, r], lid[lv, r], ltq[lv, r]
        j -= 1
    p = level_at(st, lv, j)
    lslot[lv, p], lid[lv, p], ltq[lv, p] = slot, cid, tq
    lm[L_LEN, lv] += 1
    if lm[L_LEN, lv] >= lslot.shape[1] - 1:
        st[0][S_GROW] = 1


@njit(cache=True, _nrt=False)
def level_popleft(st, lv):
    lm = st[16]
    lm[L_HEAD, lv] = (lm[L_HEAD, lv] + 1) % st[13].shape[1]
    lm[L_LEN, lv] -= 1


@njit(cache=True, _nrt=False)
def is_waiting(st, slot, cid):
    ci = st[7]
    return ci[slot, C_ID] == cid and ci[slot, C_STATE] == WAITING


@njit(cache=True, _nrt=False)
def live_head(st, lv):
    """The slot of the live call at the head of level ``lv`` (dead heads dropped), or -1."""
    lslot, lid, lm = st[13], st[14], st[16]
    while lm[L_LEN, lv]:
        p = lm[L_HEAD, lv]
        if is_waiting(st, lslot[lv, p], lid[lv, p]):
            return lslot[lv, p]
        level_popleft(st, lv)
    return -1


# -- policies (sim.policies.*) -------------------------------------------------------------
@njit(cache=True, _nrt=False)
def may_take(st, pol, g, slot):
    """Overflow._may_take."""
    pi, pf, home = pol[0], pol[1], pol[6]
    ci, cf = st[7], st[8]
    if home[ci[slot, C_QUEUE]] == g:
        return True
    if pi[1] and g == pi[2]:
        return True
    return st[1][0] - cf[slot, F_TQUEUE] >= pf[0] - 1e-9


@njit(cache=True, _nrt=False, inline="always")
def held(st, pi, g):
    """Reservation.held: the reserve, at most all but one of the agents on duty (the
    headcount less those not ready or on break, AgentGroup.on_duty), none while fewer
    than reserve_from (pi[5]) are on duty."""
    on_duty = max(st[19][G_TARGET, g] - st[ST_AVAIL][0][A_AWAY, g], 0)
    if on_duty < pi[5]:
        return 0
    return max(min(pi[4], on_duty - 1), 0)


@njit(cache=True, _nrt=False)
def route(st, pol, slot):
    """Policy.route (and the overrides of Overflow and Reservation): a group or -1."""
    pi, offer, offer_n = pol[0], pol[2], pol[3]
    gi, ci = st[19], st[7]
    q = ci[slot, C_QUEUE]
    code = pi[0]
    for j in range(offer_n[q]):
        g = offer[q, j]
        if gi[G_FREE_LEN, g] == 0:
            continue
        if code == P_OVERFLOW and not may_take(st, pol, g, slot):
            continue
        if (code == P_RESERVATION and g == pi[2] and q != pi[3]
                and gi[G_FREE_LEN, g] <= held(st, pi, g)):
            continue
        return g
    return -1


@njit(cache=True, _nrt=False, inline="always")
def best_head(st, pol, sp, g, accept):
    """sim.policies.base.best_head over the queues ``g`` serves; ``accept``: 0 all,
    1 Overflow._may_take, 2 the VIP queue only (Reservation). Returns (slot, level)."""
    served, served_n, pi = pol[4], pol[5], pol[0]
    q_lv_start, q_lv_n, lv_prio = sp[6], sp[7], sp[8]
    qi, ci, cf = st[17], st[7], st[8]
    best, best_lv, best_prio, best_tq = -1, -1, 0, 0.0
    for j in range(served_n[g]):
        q = served[g, j]
        if not qi[Q_N, q]:
            continue
        for lv in range(q_lv_start[q], q_lv_start[q] + q_lv_n[q]):
            slot, at = seen_head(st, sp, g, lv)
            if slot < 0:
                continue
            if accept == 1 and not may_take(st, pol, g, slot):
                continue
            if accept == 2 and ci[slot, C_QUEUE] != pi[3]:
                continue
            prio, tq = lv_prio[lv], cf[slot, F_TQUEUE]
            if best < 0 or prio < best_prio or (prio == best_prio and tq < best_tq):
                best, best_lv, best_prio, best_tq = slot, at, prio, tq
            break
    return best, best_lv


@njit(cache=True, _nrt=False, inline="always")
def select(st, pol, sp, g):
    """Policy.select: the waiting call a free agent of ``g`` takes (slot, level) or -1."""
    pi, served, served_n, weight = pol[0], pol[4], pol[5], pol[7]
    q_lv_start, q_lv_n = sp[6], sp[7]
    qi, cf, gi = st[17], st[8], st[19]
    code = pi[0]
    if code == P_OVERFLOW:
        return best_head(st, pol, sp, g, 1)
    if (code == P_RESERVATION and g == pi[2] and pi[6]  # hold_freed
            and gi[G_FREE_LEN, g] < held(st, pi, g)):
        return best_head(st, pol, sp, g, 2)
    if code != P_FIFO and code != P_DYNAMIC:
        return best_head(st, pol, sp, g, 0)
    now = st[1][0]
    best, best_lv, best_score = -1, -1, -1.0
    for j in range(served_n[g]):
        q = served[g, j]
        if not qi[Q_N, q]:
            continue
        for lv in range(q_lv_start[q], q_lv_start[q] + q_lv_n[q]):
            slot, at = seen_head(st, sp, g, lv)
            if slot < 0:
                continue
            if code == P_FIFO:
                if best < 0 or cf[slot, F_TQUEUE] < cf[best, F_TQUEUE]:
                    best, best_lv = slot, at
            else:
                score = (now - cf[slot, F_TQUEUE]) * weight[lv]
                if score > best_score:
                    best, best_lv, best_score = slot, at, score
    return best, best_lv


@njit(cache=True, _nrt=False)
def offer_callback(st, pol, slot, announcement):
    """VirtualHold.offer_callback: accepted from the call's own stream."""
    pi, pf, at = pol[0], pol[1], pol[8]
    if pi[0] != P_VHOLD or announcement >= at.shape[0] or not at[announcement]:
        return False
    return draw(st[11][slot], ACCEPT_DRAW + announcement) < pf[1]


# -- calls --------------------------------------------------------------------------------
@njit(cache=True, _nrt=False)
def record(st, slot, outcome, ending, group, agent, acw, t_answer, t_end):
    """Recorder.add: one call attempt's record (records.COLUMNS)."""
    si = st[0]
    n = si[S_NREC]
    si[S_NREC] = n + 1
    write_record(st, st[23], st[24], n, slot, outcome, ending, group, agent, acw, t_answer,
                 t_end)


@njit(cache=True, _nrt=False)
def write_record(st, ri, rf, n, slot, outcome, ending, group, agent, acw, t_answer, t_end):
    """Recorder.row: the record of the call in ``slot`` into column ``n`` of ``ri``,
    ``rf``."""
    ci, cf = st[7], st[8]
    ri[R_ID, n], ri[R_CLS, n], ri[R_INTERVAL, n] = ci[slot, C_ID], ci[slot, C_CLS], ci[
        slot, C_INTERVAL]
    ri[R_OUTCOME, n], ri[R_GROUP, n], ri[R_AGENT, n], ri[R_ENDING, n] = (
        outcome, group, agent, ending)
    rf[R_TARR, n], rf[R_TQUEUE, n], rf[R_TANSWER, n] = cf[slot, F_TARR], cf[
        slot, F_TQUEUE], t_answer
    rf[R_TEND, n], rf[R_ACW, n], rf[R_TLEFT, n] = t_end, acw, cf[slot, F_TLEFT]
    ri[R_CUSTOMER, n], ri[R_REPEAT, n], ri[R_RESOLVED, n] = (
        ci[slot, C_CUSTOMER], ci[slot, C_REPEAT], ci[slot, C_RESOLVED])
    ri[R_ATTEMPT, n] = ci[slot, C_ATTEMPT]


@njit(cache=True, _nrt=False)
def free_slot(st, slot):
    si, ci, stack = st[0], st[7], st[12]
    ci[slot, C_STATE] = FINISHED
    ci[slot, C_ID] = -1
    stack[si[S_FREE_TOP]] = slot
    si[S_FREE_TOP] += 1


@njit(cache=True, _nrt=False)
def need_of(st, sp, slot):
    """The call's need (customer, reason) as one episode key."""
    ci = st[7]
    return ci[slot, C_CUSTOMER] * sp[12][H_REASONS] + ci[slot, C_REASON]


@njit(cache=True, _nrt=False)
def end_call(st, sp, slot, outcome, ending, now):
    """Center._end and its on_end hooks (Customers: a self-served need is resolved;
    Redials)."""
    record(st, slot, outcome, ending, -1, -1, 0.0, np.nan, now)
    if st[0][S_HOT]:
        ci = st[7]
        if outcome == SELF_SERVED:
            cust.resolved(st[25], need_of(st, sp, slot), ci[slot, C_REPEAT], False,
                          ci[slot, C_CLS], ci[slot, C_INTERVAL], now, st[26])
        cust.release(st[25], need_of(st, sp, slot))
    if redial_after(st, sp, slot, outcome, ending):
        return  # the slot keeps the attempt for its redial
    free_slot(st, slot)


@njit(cache=True, _nrt=False)
def leave(st, sp, slot, outcome, ending, now):
    """Center._leave."""
    if not sp[14][st[7][slot, C_CLS], K_WORK]:
        st[0][S_IN_SYSTEM] -= 1
    end_call(st, sp, slot, outcome, ending, now)


@njit(cache=True, _nrt=False)
def answer(st, sp, slot, g, agent, now):
    """Center._answer."""
    si, ci, cf, svc, acw_ = st[0], st[7], st[8], st[9], st[10]
    talk = svc[slot, g]
    if talk != talk:
        si[S_ERR_SLOT], si[S_ERR_GROUP], si[S_ERR_CLS] = slot, g, ci[slot, C_CLS]
        return
    ci[slot, C_STATE] = SERVING
    cf[slot, F_TLEFT] = now
    acw = acw_[slot, g]
    if si[S_HOT]:  # Customers.on_answer: did the agent resolve the need?
        c = ci[slot, C_CLS]
        ci[slot, C_RESOLVED] = int(not sp[14][c, K_HAS_RES] or draw(
            st[11][slot], RESOLUTION_DRAW) < sp[15][c, g])
        if ci[slot, C_RESOLVED]:
            cust.resolved(st[25], need_of(st, sp, slot), ci[slot, C_REPEAT], True, c,
                          ci[slot, C_INTERVAL], now, st[26])
        if ci[slot, C_RESOLVED] or not sp[SP_SECOND][SL_ON][0]:
            cust.release(st[25], need_of(st, sp, slot))
        else:  # the need stays busy until its work order is done
            sl_answer(st, sp, slot, talk, now)
    site_answer(st, sp, slot, g, now)  # Sites.on_answer, the last on_answer hook
    st[ST_AVAIL][2][g, agent] = st[11][slot]  # the key its EV_FREE carries in Center
    line = -1  # the hang-up's group: an away task's (its number then identifies it)
    task = 0
    if sp[SP_REACT][RX_AWAY][g, ci[slot, C_QUEUE]]:  # Availability.answered
        R = st[ST_REACT]
        tasks, rs = R[1], R[0]
        tasks[g, agent] = rs[RS_TASKS]
        rs[RS_TASKS] += 1
        # its record waits for the task's end (it may be cut short)
        write_record(st, R[2], R[3], g * tasks.shape[1] + agent, slot, ANSWERED, E_AGENT, g,
                     agent, acw, now, now + talk)
        line, task = g, tasks[g, agent] * tasks.shape[1] + agent
        schedule(st, talk + acw, EV_AWAY_END, g, task)
    else:
        record(st, slot, ANSWERED, E_AGENT, g, agent, acw, now, now + talk)
        schedule(st, talk + acw, EV_FREE, g, agent)
    if sp[14][ci[slot, C_CLS], K_WORK]:
        pass  # own work holds no line
    elif sp[11][1] >= 0:
        schedule(st, talk, EV_HANGUP, line, task)
    else:
        si[S_IN_SYSTEM] -= 1
    free_slot(st, slot)


@njit(cache=True, _nrt=False)
def wait_timer(st, sp, slot, q, waited):
    """Center._wait_timer: the next announcement, abandonment or forced disconnect."""
    ci, cf = st[7], st[8]
    q_maxwait, q_ann, q_nann = sp[3], sp[4], sp[5]
    if ci[slot, C_VIRTUAL]:
        return
    limit = q_maxwait[q] if q_maxwait[q] < cf[slot, F_PATIENCE] else cf[slot, F_PATIENCE]
    k = ci[slot, C_ANNOUNCED]
    if k < q_nann[q] and q_ann[q, k] < limit:
        schedule(st, q_ann[q, k] - waited, EV_ANNOUNCE, slot, ci[slot, C_ID])
    elif limit < math.inf:
        schedule(st, limit - waited, EV_WAIT, slot, ci[slot, C_ID])


@njit(cache=True, _nrt=False)
def wakeups(st, pol, slot, after):
    """Policy.wakeups (Overflow: one at delay_s), minus ``after`` (an answer delay)."""
    pi, pf = pol[0], pol[1]
    if pi[0] == P_OVERFLOW and pf[0] > 0:
        if after == 0.0:
            schedule(st, pf[0], EV_WAKEUP, slot, st[7][slot, C_ID])
        elif pf[0] > after:
            schedule(st, pf[0] - after, EV_WAKEUP, slot, st[7][slot, C_ID])


@njit(cache=True, _nrt=False, inline="always")
def ask_agent(st, sp, pol, slot, now):
    """Center._ask_agent."""
    ci, cf = st[7], st[8]
    cf[slot, F_TQUEUE] = now
    cf[slot, F_TLEFT] = np.nan
    if ci[slot, C_VISIT] == 0 and sp[SP_SWITCH][SW_N].shape[0]:
        switch_class(st, sp, pol, slot)
    ci[slot, C_VISIT] += 1
    ci[slot, C_WAIT] = -1  # the reactions of an earlier visit are stale
    if st[0][S_HOT]:
        cust.asked(st[25], need_of(st, sp, slot))
    site_ask(st, sp, slot, now)  # Sites.on_ask, the last on_ask hook
    q = ci[slot, C_QUEUE]
    if cf[slot, F_DELAY] > 0:
        ci[slot, C_STATE] = WAITING
        ci[slot, C_PENDING] = 1
        ci[slot, C_HELD_SEQ] = st[0][S_HELD_SEQ]
        st[0][S_HELD_SEQ] += 1
        q_grow(st, q, now, 0, 1)
        wait_timer(st, sp, slot, q, 0.0)
        schedule(st, cf[slot, F_DELAY], EV_ELIGIBLE, slot, ci[slot, C_ID])
        return
    g = site_route(st, sp, pol, slot)
    if g >= 0:
        answer(st, sp, slot, g, take(st, g, now), now)
        return
    ci[slot, C_STATE] = WAITING
    level_push(st, site_level(st, sp, slot), slot, ci[slot, C_ID], now)
    q_grow(st, q, now, 1, 0)
    wait_timer(st, sp, slot, q, 0.0)
    wakeups(st, pol, slot, 0.0)
    react_waiting(st, sp, slot, 0.0)


@njit(cache=True, _nrt=False)
def switch_class(st, sp, pol, slot):
    """Center._identify: a caller who finds a caller waiting (or held) in his switch
    classes' queues, or no agent the policy routes him to, becomes one of his class's
    ``when_busy`` classes, one who finds neither one of its ``when_free`` classes (draw
    WHEN_BUSY, cumulative probabilities in order); the new class's variates are drawn at
    derive_key(key, "when_busy")."""
    sw, ci, qi = sp[SP_SWITCH], st[7], st[17]
    n, to, p, queues = sw[SW_N], sw[SW_TO], sw[SW_P], sw[SW_QUEUES]
    c = ci[slot, C_CLS]
    if n[c, 0] + n[c, 1] == 0:
        return
    busy = False
    for q in range(queues.shape[1]):
        if queues[c, q] and qi[Q_N, q] + qi[Q_PENDING, q] > 0:
            busy = True
    if not busy:
        busy = site_route(st, sp, pol, slot) < 0
    side = 0 if busy else 1
    u, acc = draw(st[11][slot], WHEN_BUSY_DRAW), 0.0
    for j in range(n[c, side]):
        acc += p[c, side, j]
        if u < acc:
            t = to[c, side, j]
            ci[slot, C_CLS] = t
            ci[slot, C_PRIO], ci[slot, C_QUEUE], ci[slot, C_LEVEL] = sp[0][t], sp[1][t], sp[2][t]
            redial_draws(st, sp, slot, derive(st[11][slot], WHEN_BUSY_CODE))
            return


@njit(cache=True, _nrt=False)
def on_eligible(st, sp, pol, slot, cid, now):
    """Center._on_eligible: the answer delay is over."""
    if not is_waiting(st, slot, cid):
        return
    ci, cf = st[7], st[8]
    q = ci[slot, C_QUEUE]
    ci[slot, C_PENDING] = 0
    q_account(st, q, now)
    st[17][Q_PENDING, q] -= 1
    g = site_route(st, sp, pol, slot)
    if g >= 0:
        answer(st, sp, slot, g, take(st, g, now), now)
        return
    level_insert(st, site_level(st, sp, slot), slot, cid, cf[slot, F_TQUEUE])
    q_grow(st, q, now, 1, 0)
    wakeups(st, pol, slot, cf[slot, F_DELAY])
    react_waiting(st, sp, slot, cf[slot, F_DELAY])


@njit(cache=True, _nrt=False)
def unqueue(st, sp, slot, now):
    """Center._unqueue."""
    ci, qi = st[7], st[17]
    q = ci[slot, C_QUEUE]
    q_account(st, q, now)
    if ci[slot, C_PENDING]:
        ci[slot, C_PENDING] = 0
        qi[Q_PENDING, q] -= 1
    else:
        qi[Q_N, q] -= 1
    if sp[SP_AVAIL][0][X_STAY]:
        caller_left(st, sp, now)


@njit(cache=True, _nrt=False)
def on_wakeup(st, sp, pol, slot, cid, now):
    """Center._on_wakeup. Center also drops a wake-up from an earlier queue visit (a
    caller who pressed 2 and came back); the compiled Overflow, the one built-in policy
    with wake-ups, measures the wait from the current visit, so such a wake-up finds no
    group here either, and the outputs are the same."""
    if not is_waiting(st, slot, cid):
        return
    g = site_route(st, sp, pol, slot)
    if g >= 0:
        q = st[7][slot, C_QUEUE]
        q_account(st, q, now)
        st[17][Q_N, q] -= 1
        answer(st, sp, slot, g, take(st, g, now), now)


@njit(cache=True, _nrt=False)
def on_announce(st, sp, pol, out, slot, cid, now):
    """Center._on_announce: virtual hold offered, else press 2 for self-service, else the
    next wait timer."""
    if not is_waiting(st, slot, cid):
        return
    ci, cf = st[7], st[8]
    cls, k = ci[slot, C_CLS], ci[slot, C_INTERVAL]
    out[0][cls, k] += 1
    ci[slot, C_ANNOUNCED] += 1
    if offer_callback(st, pol, slot, ci[slot, C_ANNOUNCED]):
        ci[slot, C_VIRTUAL] = 1
        out[1][cls, k] += 1
        return
    q = ci[slot, C_QUEUE]
    p2 = sp[18][q]
    if p2 and draw(st[11][slot], PRESS2_DRAW + ci[slot, C_ANNOUNCED]) < p2:
        if not ci[slot, C_PENDING]:  # if it comes back, it queues anew (CallQueue.forget)
            level_remove(st, site_level(st, sp, slot), slot, cid)
        unqueue(st, sp, slot, now)
        cf[slot, F_TLEFT] = now
        out[5][cls, k] += 1
        ci[slot, C_STATE] = IVR
        ci[slot, C_PRESSED2] = 1
        ivr_enter(st, sp, slot, sp[19][q])
        return
    wait_timer(st, sp, slot, q, now - cf[slot, F_TQUEUE])


@njit(cache=True, _nrt=False)
def on_wait_timer(st, sp, slot, cid, now):
    """Center._on_wait_timer: abandonment or forced disconnect."""
    if not is_waiting(st, slot, cid):
        return
    cf = st[8]
    unqueue(st, sp, slot, now)
    cf[slot, F_TLEFT] = now
    if cf[slot, F_PATIENCE] < sp[3][st[7][slot, C_QUEUE]]:
        leave(st, sp, slot, ABANDONED, E_QUEUE_ABANDON, now)
    else:
        leave(st, sp, slot, DISCONNECTED, E_FORCED, now)


@njit(cache=True, _nrt=False)
def pop_head(st, q, lv, now):
    """CallQueue.pop_head."""
    level_popleft(st, lv)
    q_account(st, q, now)
    st[17][Q_N, q] -= 1


@njit(cache=True, _nrt=False, inline="always")
def on_agent_free(st, sp, pol, g, agent, now):
    """Center._on_agent_free of an agent that was on an inbound call (the outbound hooks:
    reserved outbound first, outbound work when no waiting call wants it)."""
    if not release(st, sp, g, agent, now):
        return
    if after_call(st, sp, pol, g, agent, now, 1):
        return
    ob_on = sp[SP_OB][0][OB_ON]
    if ob_on and ob_claim(st, sp, g, agent, now, 0):
        return
    slot, lv = select(st, pol, sp, g)
    if slot >= 0:
        pop_head(st, st[7][slot, C_QUEUE], lv, now)
        g_account(st, g, now)
        st[19][G_BUSY, g] += 1
        answer(st, sp, slot, g, agent, now)
        return
    if ob_on and ob_offer(st, sp, pol, g, agent, now, 0):
        return
    free_append(st, g, agent)


@njit(cache=True, _nrt=False)
def fill(st, sp, pol, g, now):
    """Center._fill: each idle agent in turn is offered a waiting call, no longer counted
    idle while the policy chooses (as a freed agent is not)."""
    while st[19][G_FREE_LEN, g]:
        agent = take(st, g, now)
        slot, lv = select(st, pol, sp, g)
        if slot < 0:
            untake(st, g, agent)
            break
        pop_head(st, st[7][slot, C_QUEUE], lv, now)
        answer(st, sp, slot, g, agent, now)
    ob_idle(st, sp, pol, now)  # the on_agents_idle hook


@njit(cache=True, _nrt=False)
def close_interval(st, out, k, now):
    """Center._close_interval: busy/staffed agent-seconds and queue area of interval k."""
    gf, qf = st[20], st[18]
    busy_s, staffed_s, queue_area = out[2], out[3], out[4]
    for g in range(gf.shape[1]):
        g_account(st, g, now)
        busy_s[g, k] = gf[G_BUSY_AREA, g] - gf[G_LAST_BUSY, g]
        staffed_s[g, k] = gf[G_STAFFED_AREA, g] - gf[G_LAST_STAFFED, g]
        gf[G_LAST_BUSY, g] = gf[G_BUSY_AREA, g]
        gf[G_LAST_STAFFED, g] = gf[G_STAFFED_AREA, g]
        af = st[ST_AVAIL][1]
        st[ST_AVAIL][5][g, k] = af[A_AREA, g] - af[A_LAST, g]
        af[A_LAST, g] = af[A_AREA, g]
    for q in range(qf.shape[1]):
        q_account(st, q, now)
        queue_area[q, k] = qf[Q_AREA, q] - qf[Q_LAST, q]
        qf[Q_LAST, q] = qf[Q_AREA, q]


@njit(cache=True, _nrt=False)
def on_tick(st, sp, pol, out, k, now):
    """Center._on_tick_at: close interval k-1, set headcounts of k, schedule the next."""
    staffing, fp, ip = sp[9], sp[10], sp[11]
    n_intervals = ip[0]
    if k > 0:
        close_interval(st, out, k - 1, now)
        if st[0][S_HOT] and now > sp[13][0]:  # none is past the window before (seen >= 0)
            cust.drop_stale(st[25], now, sp[13][0])
        sl_interval_end(st, k - 1, now)
    if k < n_intervals:
        for g in range(staffing.shape[0]):
            if set_target(st, sp, g, staffing[g, k], now):
                fill(st, sp, pol, g, now)
        sl_interval_start(st, sp, k, now)
        avail_interval_start(st, sp, k, now)  # the last on_interval_start hook
        schedule(st, fp[0] * (k + 1) - now, EV_TICK, k + 1, 0)
    elif math.isfinite(fp[1]):
        schedule(st, fp[1], EV_CLOSE, 0, 0)


@njit(cache=True, _nrt=False)
def close_levels(st, sp, q, lo, hi, now):
    """Center._close for levels ``lo``..``hi`` of queue ``q``: their waiting calls are
    disconnected, level by level in the order the levels were created."""
    lslot, lid, lm, cf = st[13], st[14], st[16], st[8]
    done = -1  # creation numbers are distinct: visit the levels in increasing order
    while True:
        lv = -1
        for j in range(lo, hi):
            c = lm[L_CREATED, j]
            if c > done and (lv < 0 or c < lm[L_CREATED, lv]):
                lv = j
        if lv < 0:
            break
        done = lm[L_CREATED, lv]
        while lm[L_LEN, lv]:
            p = lm[L_HEAD, lv]
            slot, cid = lslot[lv, p], lid[lv, p]
            level_popleft(st, lv)
            if is_waiting(st, slot, cid):
                q_account(st, q, now)
                st[17][Q_N, q] -= 1
                cf[slot, F_TLEFT] = now
                leave(st, sp, slot, DISCONNECTED, E_CLOSED, now)


@njit(cache=True, _nrt=False)
def close(st, sp, now):
    """Center._close: calls still waiting are disconnected, queue by queue (its levels,
    then with seat sites its side levels), then calls still in their answer delay, in
    hold order."""
    ci, cf = st[7], st[8]
    q_lv_start, q_lv_n = sp[6], sp[7]
    for q in range(q_lv_start.shape[0]):
        lo, hi = q_lv_start[q], q_lv_start[q] + q_lv_n[q]
        close_levels(st, sp, q, lo, hi, now)
        if sp[SP_SITES][0][T_ON]:  # then its side levels (SitedQueue.deques)
            close_levels(st, sp, q, site_level_of(sp, lo, 0), site_level_of(sp, hi, 0), now)
    while True:  # held calls, in the order they were held (Center._held)
        first = -1
        for slot in range(ci.shape[0]):
            if ci[slot, C_PENDING] == 1 and ci[slot, C_STATE] == WAITING and (
                    first < 0 or ci[slot, C_HELD_SEQ] < ci[first, C_HELD_SEQ]):
                first = slot
        if first < 0:
            break
        unqueue(st, sp, first, now)
        cf[first, F_TLEFT] = now
        leave(st, sp, first, DISCONNECTED, E_CLOSED, now)


# -- agent availability (sim.model.availability.Availability) ----------------------------
@njit(cache=True, _nrt=False)
def avail_interval_start(st, sp, k, now):
    """Availability.on_interval_start: partial presence ends, the day's breaks start."""
    xa = sp[SP_AVAIL]
    per_day, partial, breaks, n_breaks = xa[0][X_PER_DAY], xa[2], xa[3], xa[4]
    interval_s = sp[10][0]
    for g in range(n_breaks.shape[0]):
        if n_breaks[g] < 0:
            continue
        if partial[g, k] > 0:
            schedule(st, partial[g, k], EV_PARTIAL_END, g, k)
        day_start = (k - k % per_day) * interval_s
        for j in range(n_breaks[g]):
            t = day_start + breaks[g, j, B_START]
            if now <= t and t < now + interval_s:
                schedule(st, t - now, EV_BREAK, g, j)


@njit(cache=True, _nrt=False)
def away(st, g, agent, duration, now):
    """Availability._away: the agent (idle ones already out of the idle ring) is not
    ready or on break until ``duration`` has passed."""
    g_account(st, g, now)
    st[ST_AVAIL][0][A_AWAY, g] += 1
    schedule(st, duration, EV_BACK, g, agent)


@njit(cache=True, _nrt=False)
def on_break(st, sp, g, j, now):
    """Availability._on_break: a share of the present agents goes on break, the most
    recently idle at once; the rest is owed by working agents when their call is done."""
    gi, brk = st[19], sp[SP_AVAIL][3]
    duration = brk[g, j, B_DURATION]
    # Python's round() of a float is half-to-even, as np.rint
    n = int(np.rint(brk[g, j, B_SHARE] * (gi[G_PRESENT, g] - gi[G_TO_LEAVE, g])))
    idle = min(n, gi[G_FREE_LEN, g])
    for _ in range(idle):
        away(st, g, free_pop_right(st, g), duration, now)
    if n > idle:
        ai, owed_n, owed_f = st[ST_AVAIL][0], st[ST_AVAIL][3], st[ST_AVAIL][4]
        while ai[A_OWED_LEN, g] and owed_f[1, g, ai[A_OWED_HEAD, g]] <= now:
            owed_popleft(st, g)  # as after_call would before using it: the ring stays short
        p = (ai[A_OWED_HEAD, g] + ai[A_OWED_LEN, g]) % owed_n.shape[1]
        owed_n[g, p], owed_f[0, g, p], owed_f[1, g, p] = n - idle, duration, now + duration
        ai[A_OWED_LEN, g] += 1


@njit(cache=True, _nrt=False)
def owed_popleft(st, g):
    ai = st[ST_AVAIL][0]
    ai[A_OWED_HEAD, g] = (ai[A_OWED_HEAD, g] + 1) % st[ST_AVAIL][3].shape[1]
    ai[A_OWED_LEN, g] -= 1


@njit(cache=True, _nrt=False, inline="always")
def after_call(st, sp, pol, g, agent, now, keyed):
    """Availability.after_call: a released agent takes an owed break or goes not ready
    (from its call's stream; ``keyed`` 0 after an outbound call, which has no key: no
    not-ready then); True if so. Under a policy that holds idle agents back
    (Reservation) idle agents take waiting calls then (Center.reoffer)."""
    xa = sp[SP_AVAIL]
    if xa[4][g] < 0:
        return False
    ai, owed_n, owed_f = st[ST_AVAIL][0], st[ST_AVAIL][3], st[ST_AVAIL][4]
    while ai[A_OWED_LEN, g] and owed_f[1, g, ai[A_OWED_HEAD, g]] <= now:
        owed_popleft(st, g)  # that break's window is over
    if ai[A_OWED_LEN, g]:
        h = ai[A_OWED_HEAD, g]
        owed_n[g, h] -= 1
        if owed_n[g, h] <= 0:
            owed_popleft(st, g)
        away(st, g, agent, owed_f[0, g, h], now)
    else:
        key = st[ST_AVAIL][2][g, agent]
        if not keyed or xa[5][g] <= 0 or draw(key, NOT_READY_DRAW) >= xa[5][g]:
            return False
        away(st, g, agent, ivr_.node_time(xa[6], g, draw(key, NOT_READY_TIME_DRAW)), now)
    if pol[0][0] == P_RESERVATION:
        fill(st, sp, pol, g, now)
    return True


@njit(cache=True, _nrt=False, inline="always")
def on_back(st, sp, pol, g, agent, now):
    """Availability._on_back (AgentGroup.resume): idle and offered waiting calls, or
    logged out if the headcount fell meanwhile."""
    gi, spare = st[19], st[22]
    g_account(st, g, now)
    st[ST_AVAIL][0][A_AWAY, g] -= 1
    if gi[G_TO_LEAVE, g] and not last_stays(st, sp, g):
        gi[G_TO_LEAVE, g] -= 1
        gi[G_PRESENT, g] -= 1
        spare[g, gi[G_SPARE_LEN, g]] = agent
        gi[G_SPARE_LEN, g] += 1
        return
    free_append(st, g, agent)
    fill(st, sp, pol, g, now)


# -- key customers (Customers._key_person) ------------------------------------------------
@njit(cache=True, _nrt=False)
def key_person(st, sp, slot):
    """Caller ID matches a key person of a grade: served as the grade's class (same reason,
    the grade's tier); the draw is the customer's own (derive_key of its number)."""
    ci, xa = st[7], sp[SP_AVAIL]
    shares, cmap = xa[7], xa[8]
    u = draw(mix(xa[9][0] ^ mix(np.uint64(ci[slot, C_CUSTOMER]) + GOLDEN)), 0)
    for g in range(shares.shape[0]):
        if u < shares[g]:
            to = cmap[g, ci[slot, C_CLS]]
            if to >= 0:
                ci[slot, C_CLS], ci[slot, C_PRIO], ci[slot, C_QUEUE] = to, sp[0][to], sp[1][to]
                ci[slot, C_LEVEL], ci[slot, C_TIER] = sp[2][to], sp[14][to, K_TIER]
                st[ST_AVAIL][6][g, ci[slot, C_INTERVAL]] += 1
            return
        u -= shares[g]


# -- second line (sim.model.second_line.SecondLine): work orders and their pools ----------
# Pools are AgentGroups like the front line's, on arrays of their own (the ag_* kernels
# below are the group kernels above with the arrays passed in). A work order lives in a
# recycled slot from the answer of its unresolved call to its completion; the pools'
# waiting orders are FIFO lists linked through O_NEXT, one per channel.
@njit(cache=True, _nrt=False)
def ag_account(gi, gf, g, now):
    """AgentGroup.account."""
    dt = now - gf[G_TLAST, g]
    if dt:
        gf[G_BUSY_AREA, g] += gi[G_BUSY, g] * dt
        gf[G_STAFFED_AREA, g] += gi[G_PRESENT, g] * dt
        gf[G_TLAST, g] = now


@njit(cache=True, _nrt=False)
def ag_free_append(gi, ring, g, agent):
    """AgentGroup.make_idle: last in the longest-idle order."""
    cap = ring.shape[1]
    ring[g, (gi[G_FREE_HEAD, g] + gi[G_FREE_LEN, g]) % cap] = agent
    gi[G_FREE_LEN, g] += 1


@njit(cache=True, _nrt=False)
def ag_take(gi, gf, ring, g, now):
    """AgentGroup.take: the longest-idle agent starts work."""
    ag_account(gi, gf, g, now)
    gi[G_BUSY, g] += 1
    agent = ring[g, gi[G_FREE_HEAD, g]]
    gi[G_FREE_HEAD, g] = (gi[G_FREE_HEAD, g] + 1) % ring.shape[1]
    gi[G_FREE_LEN, g] -= 1
    return agent


@njit(cache=True, _nrt=False)
def ag_set_target(gi, gf, ring, spare, g, headcount, now):
    """AgentGroup.set_target: returns how many agents joined."""
    ag_account(gi, gf, g, now)
    gi[G_TARGET, g] = headcount
    surplus = gi[G_PRESENT, g] - gi[G_TO_LEAVE, g] - headcount
    if surplus > 0:
        idle_leaving = min(surplus, gi[G_FREE_LEN, g])
        for _ in range(idle_leaving):  # the most recently idle leave first
            gi[G_FREE_LEN, g] -= 1
            spare[g, gi[G_SPARE_LEN, g]] = ring[
                g, (gi[G_FREE_HEAD, g] + gi[G_FREE_LEN, g]) % ring.shape[1]]
            gi[G_SPARE_LEN, g] += 1
        gi[G_PRESENT, g] -= idle_leaving
        gi[G_TO_LEAVE, g] += surplus - idle_leaving
        return 0
    deficit = -surplus
    kept = min(deficit, gi[G_TO_LEAVE, g])
    gi[G_TO_LEAVE, g] -= kept
    joined = deficit - kept
    for _ in range(joined):
        if gi[G_SPARE_LEN, g]:
            gi[G_SPARE_LEN, g] -= 1
            ag_free_append(gi, ring, g, spare[g, gi[G_SPARE_LEN, g]])
        else:
            gi[G_NEXT_ID, g] += 1
            ag_free_append(gi, ring, g, gi[G_NEXT_ID, g] - 1)
    gi[G_PRESENT, g] += joined
    return joined


@njit(cache=True, _nrt=False)
def ag_release(gi, gf, spare, g, agent, now):
    """AgentGroup.release: False if the agent logs out (headcount fell meanwhile)."""
    ag_account(gi, gf, g, now)
    gi[G_BUSY, g] -= 1
    if gi[G_TO_LEAVE, g]:
        gi[G_TO_LEAVE, g] -= 1
        gi[G_PRESENT, g] -= 1
        spare[g, gi[G_SPARE_LEN, g]] = agent
        gi[G_SPARE_LEN, g] += 1
        return False
    return True


@njit(cache=True, _nrt=False)
def sl_full(st, sp):
    """Fewer free work-order slots than one event can fill (the driver grows them)."""
    return sp[SP_SECOND][SL_ON][0] != 0 and st[ST_SECOND][W_S][WS_FREE_TOP] < sp[11][3]


@njit(cache=True, _nrt=False)
def sl_answer(st, sp, slot, talk, now):
    """SecondLine.on_answer: the unresolved call's work order opens when the talk ends (a
    slot holds what the order needs of the call, whose own slot is freed now)."""
    W, S, ci = st[ST_SECOND], sp[SP_SECOND], st[7]
    wi, ws = W[W_I], W[W_S]
    ws[WS_FREE_TOP] -= 1
    w = W[W_STACK][ws[WS_FREE_TOP]]
    pool = S[SL_BY_REASON][ci[slot, C_REASON]]
    wi[w, O_CLS], wi[w, O_INTERVAL] = ci[slot, C_CLS], ci[slot, C_INTERVAL]
    wi[w, O_NEED], wi[w, O_POOL] = need_of(st, sp, slot), pool
    wi[w, O_FRONT] = int(S[SL_VIP][ci[slot, C_TIER]] != 0 and S[SL_GREEN][pool] != 0)
    wi[w, O_ATTEMPT] = 0
    W[W_KEY][w] = mix(st[11][slot] ^ S[SL_SALT][0])  # derive_key(call.key, "work_order")
    esc_store(st, slot, w)
    schedule(st, (now + talk) - now, EV_OPEN_ORDER, w, 0)  # call.t_end - now


@njit(cache=True, _nrt=False)
def sl_start(st, sp, w, pool, worker):
    """SecondLine._start: the processing time from the order's first draw."""
    W = st[ST_SECOND]
    t = ivr_.node_time(sp[SP_SECOND][SL_LAWS], pool, draw(W[W_KEY][w], 0))
    schedule(st, t, EV_ORDER_DONE, w, worker)


@njit(cache=True, _nrt=False)
def sl_append(W, pool, w):
    """A waiting order joins its pool's channel (green or the others)."""
    wi, pq = W[W_I], W[W_Q]
    c = 0 if wi[w, O_FRONT] else 2
    wi[w, O_NEXT] = -1
    if pq[pool, c] < 0:
        pq[pool, c] = w
    else:
        wi[pq[pool, c + 1], O_NEXT] = w
    pq[pool, c + 1] = w


@njit(cache=True, _nrt=False)
def sl_next(W, pool):
    """SecondLine._next: the first order of the green channel, else of the others, or -1."""
    wi, pq = W[W_I], W[W_Q]
    for c in (0, 2):
        w = pq[pool, c]
        if w >= 0:
            pq[pool, c] = wi[w, O_NEXT]
            if pq[pool, c] < 0:
                pq[pool, c + 1] = -1
            return w
    return -1


@njit(cache=True, _nrt=False)
def on_open_order(st, sp, w, now):
    """SecondLine._on_open_order and open: counted, then started or queued."""
    W = st[ST_SECOND]
    wi, gi = W[W_I], W[W_GI]
    pool, k = wi[w, O_POOL], wi[w, O_INTERVAL]
    W[W_ORDERS][wi[w, O_CLS], k] += 1
    wi[w, O_ID] = W[W_S][WS_NEXT_ID]
    W[W_S][WS_NEXT_ID] += 1
    W[W_F][w, O_TOPEN] = now
    W[W_REC][SL_OPENED, pool, k] += 1
    W[W_Q][pool, PQ_OPEN] += 1
    if gi[G_FREE_LEN, pool]:
        sl_start(st, sp, w, pool, ag_take(gi, W[W_GF], W[W_RING], pool, now))
    else:
        sl_append(W, pool, w)
    esc_order_opened(st, sp, w, now)  # Center.order_opened's hooks


@njit(cache=True, _nrt=False)
def on_order_done(st, sp, pol, w, worker, now):
    """SecondLine._on_done and its order_done hooks (Customers: the need is resolved and
    no longer busy, unless the loop waits for the callback; Outbound: a callback is owed);
    the worker takes the next waiting order or idles."""
    W = st[ST_SECOND]
    wi, rec, gi, gf, ws = W[W_I], W[W_REC], W[W_GI], W[W_GF], W[W_S]
    pool, k = wi[w, O_POOL], wi[w, O_INTERVAL]
    rec[SL_CLOSED, pool, k] += 1
    rec[SL_CLOSED_AT, pool, min(int(now // sp[10][0]), sp[11][0] - 1)] += 1
    rec[SL_TTC, pool, k] += now - W[W_F][w, O_TOPEN]
    W[W_Q][pool, PQ_OPEN] -= 1
    wi[w, O_ID] = -1
    esc_order_done(st, sp, w, now)  # Complaints.on_order_done (schedules nothing)
    S = sp[SP_SECOND][SL_ON]
    if not S[SLI_LOOP]:  # Customers.on_order_done
        order_resolved(st, w)
    if S[SLI_CALLBACKS]:  # Outbound.on_order_done: call the customer back
        cb_push(W, w)
        if S[SLI_LOOP]:
            ws[WS_OPEN_LOOPS] += 1
        ob_idle(st, sp, pol, now)
    else:
        wo_free(W, w)
    if ag_release(gi, gf, W[W_SPARE], pool, worker, now):
        nxt = sl_next(W, pool)
        if nxt < 0:
            ag_free_append(gi, W[W_RING], pool, worker)
        else:  # keep_busy
            ag_account(gi, gf, pool, now)
            gi[G_BUSY, pool] += 1
            sl_start(st, sp, nxt, pool, worker)


@njit(cache=True, _nrt=False)
def sl_interval_start(st, sp, k, now):
    """SecondLine.on_interval_start: the pools' staffing; joining workers take orders."""
    W, staffing = st[ST_SECOND], sp[SP_SECOND][SL_STAFFING]
    gi, gf, ring, spare = W[W_GI], W[W_GF], W[W_RING], W[W_SPARE]
    for p in range(gi.shape[1]):
        if ag_set_target(gi, gf, ring, spare, p, staffing[p, k], now):
            while gi[G_FREE_LEN, p]:
                nxt = sl_next(W, p)
                if nxt < 0:
                    break
                sl_start(st, sp, nxt, p, ag_take(gi, gf, ring, p, now))


@njit(cache=True, _nrt=False)
def sl_interval_end(st, k, now):
    """SecondLine.on_interval_end: the pools' busy and staffed seconds, their backlog."""
    W = st[ST_SECOND]
    gi, gf, rec = W[W_GI], W[W_GF], W[W_REC]
    for p in range(gi.shape[1]):
        ag_account(gi, gf, p, now)
        rec[SL_BUSY, p, k] = gf[G_BUSY_AREA, p] - gf[G_LAST_BUSY, p]
        rec[SL_STAFFED, p, k] = gf[G_STAFFED_AREA, p] - gf[G_LAST_STAFFED, p]
        gf[G_LAST_BUSY, p] = gf[G_BUSY_AREA, p]
        gf[G_LAST_STAFFED, p] = gf[G_STAFFED_AREA, p]
        rec[SL_BACKLOG, p, k] = W[W_Q][p, PQ_OPEN]


# -- callbacks after work orders (Outbound.on_order_done, _call_back, _on_retry) ----------
@njit(cache=True, _nrt=False)
def wo_free(W, w):
    """The work order's slot is free again (its order done, its callbacks over)."""
    ws = W[W_S]
    W[W_STACK][ws[WS_FREE_TOP]] = w
    ws[WS_FREE_TOP] += 1


@njit(cache=True, _nrt=False)
def order_resolved(st, w):
    """Customers._order_resolved: the need's episode is resolved and no longer busy."""
    if not st[0][S_HOT]:
        return
    cust.order_resolved(st[25], st[ST_SECOND][W_I][w, O_NEED])


@njit(cache=True, _nrt=False)
def cb_push(W, w):
    """A callback after order ``w`` joins the callbacks owed (FIFO)."""
    wi, ws = W[W_I], W[W_S]
    wi[w, O_NEXT] = -1
    if ws[WS_CB_HEAD] < 0:
        ws[WS_CB_HEAD] = w
    else:
        wi[ws[WS_CB_TAIL], O_NEXT] = w
    ws[WS_CB_TAIL] = w


@njit(cache=True, _nrt=False)
def call_back(st, sp, k, now):
    """Outbound._call_back: one attempt of the first callback owed (attempt ``a`` draws
    ``10a + 10``: answered, ``+ 11``: talk, ``+ 12``: delay to the next try); returns how
    long it keeps the agent."""
    W, S = st[ST_SECOND], sp[SP_SECOND]
    wi, ws, rec, laws, si = W[W_I], W[W_S], W[W_CB], S[SL_LAWS], S[SL_ON]
    w = ws[WS_CB_HEAD]
    ws[WS_CB_HEAD] = wi[w, O_NEXT]
    if ws[WS_CB_HEAD] < 0:
        ws[WS_CB_TAIL] = -1
    key, attempt, n_p = W[W_KEY][w], wi[w, O_ATTEMPT], S[SL_STAFFING].shape[0]
    base = 10 * (attempt + 1)
    answered = draw(key, base) < S[SL_F][0]
    satisfaction = si[SLI_LOOP] != 0 and S[SL_SAT][wi[w, O_POOL]] != 0
    t = (ivr_.node_time(laws, n_p + 1 if satisfaction else n_p, draw(key, base + 1))
         if answered else RING_S)
    rec[CB_MADE, k] += 1
    rec[CB_ANSWERED, k] += 1 if answered else 0
    if satisfaction:
        rec[CB_SAT_MADE, k] += 1
        rec[CB_SAT_REACHED, k] += 1 if answered else 0
    if not si[SLI_LOOP]:
        wo_free(W, w)
    elif answered:  # Customers.on_callback_reached
        ws[WS_OPEN_LOOPS] -= 1
        order_resolved(st, w)
        wo_free(W, w)
    elif attempt + 1 < si[SLI_MAX_ATTEMPTS]:
        wi[w, O_ATTEMPT] = attempt + 1
        schedule(st, RING_S + ivr_.node_time(laws, n_p + 2, draw(key, base + 2)),
                 EV_CB_RETRY, w, 0)
    else:
        ws[WS_OPEN_LOOPS] -= 1
        rec[CB_UNREACHABLE, k] += 1
        wo_free(W, w)
    return t


@njit(cache=True, _nrt=False)
def on_cb_retry(st, sp, pol, w, now):
    """Outbound._on_retry: the next attempt is owed; idle blended agents may make it."""
    cb_push(st[ST_SECOND], w)
    ob_idle(st, sp, pol, now)


# -- hotline: caller ID and the IVR tree (Customers.on_admit, sim.model.ivr_flow.Ivr) ------
@njit(cache=True, _nrt=False)
def identify(st, sp, slot, now):
    """Customers.on_admit: customer, tier and reason; a repeat contact of its episode?"""
    ci, hi = st[7], sp[12]
    c = ci[slot, C_CLS]
    ci[slot, C_TIER], ci[slot, C_REASON] = sp[14][c, K_TIER], sp[14][c, K_REASON]
    if ci[slot, C_CUSTOMER] < 0:
        pop = hi[H_POP]
        ci[slot, C_CUSTOMER] = (int(draw(st[11][slot], 0) * pop) if pop
                                else (1 << 40) + ci[slot, C_ID])
    if sp[SP_AVAIL][0][X_KEY]:
        key_person(st, sp, slot)
    ci[slot, C_REPEAT] = int(cust.admit(st[25], need_of(st, sp, slot), ci[slot, C_TIER], now,
                                        sp[13][0], st[26]))


@njit(cache=True, _nrt=False)
def ivr_enter(st, sp, slot, node):
    """Ivr.enter: the node's time from the call's next draw; its end is one timed event
    (EV_NODE), or, where walks are on, the start of a walk (``ivr_walk``)."""
    ci = st[7]
    node = outage_node(st, sp, slot, node)
    ci[slot, C_NODE] = node
    ci[slot, C_K] += 1
    d = ivr_.node_time(sp[17], node, draw(st[11][slot], ci[slot, C_K]))
    if sp[11][IP_WALK] and walkable(d):
        t, code = ivr_walk(sp[17], ci, st[11][slot], sp[SP_OB][0][OB_MENU], slot,
                           st[1][0] + d)
        push(st, t, EV_WALK, slot, code)
    else:
        schedule(st, d, EV_NODE, slot, ci[slot, C_ID])


@njit(cache=True, _nrt=False, inline="always")
def walkable(d):
    """A node time a walk may pass: it ends strictly later than it starts, and ends."""
    return 0.0 < d < math.inf


@njit(cache=True, _nrt=False)
def ivr_walk(ivr, ci, key, menu, slot, t):
    """The nodes a call passes from the one it entered (ending at ``t``), as one event:
    its time and decision (``walk_code``). It takes the arrays it needs, not the state's
    tuples (a call copies its tuple arguments; the handlers that take them are inlined).

    Why it gives the same calls: a node's end reads and writes only the call's own fields
    and draws (``node_decision``, ``node_time``: its key and ``call.k``), except entering
    the outage's menu (``outage_node`` reads the ticket and the clock). So the decisions
    and times of the nodes up to the first that does more (leaves, transfers, hangs up,
    self-serves, or enters that menu) can be taken now: the same draws in the same order,
    the same times by the same sums (``t + d``, as ``now + delay``). Only that last node's
    end is an event, at the same time. Its (t, eid) key is smaller than ``Center``'s
    (scheduled now, not at the previous node's end), which changes the order only against
    another event at exactly the same time scheduled in between. The walk is on only where
    every event time has a continuous part (no trace arrivals: ``IP_WALK``) and passes only
    nodes that take time (``walkable``), so such a tie needs two floats to coincide to the
    last bit; the equality tests check it. It cuts ``telecom10000``'s events by 45 %."""
    while True:
        what, nxt, k, failures = ivr_.node_decision(ivr, ci[slot, C_NODE], key,
                                                    ci[slot, C_K], ci[slot, C_REASON],
                                                    ci[slot, C_FAILURES])
        ci[slot, C_K], ci[slot, C_FAILURES] = k, failures
        if what != ivr_.GO or (nxt == menu and not ci[slot, C_NOTICED]):
            break
        d = ivr_.node_time(ivr, nxt, draw(key, k + 1))
        if not walkable(d):  # entered at the walk's end instead, the draw taken there
            break
        ci[slot, C_NODE], ci[slot, C_K] = nxt, k + 1
        t = t + d
    return t, walk_code(what, nxt)


@njit(cache=True, _nrt=False, inline="always")
def walk_code(what, nxt):
    """A node's decision (what, the next node or queue, -1 for none) as one integer."""
    return (nxt + 1) * 8 + what


@njit(cache=True, _nrt=False, inline="always")
def on_node(st, sp, pol, slot, now):
    """Ivr._on_node: abandon, transfer to a queue, hang up, self-serve, or the next node."""
    ci = st[7]
    what, nxt, k, failures = ivr_.node_decision(sp[17], ci[slot, C_NODE], st[11][slot],
                                                ci[slot, C_K], ci[slot, C_REASON],
                                                ci[slot, C_FAILURES])
    ci[slot, C_K], ci[slot, C_FAILURES] = k, failures
    ivr_act(st, sp, pol, slot, what, nxt, now)


@njit(cache=True, _nrt=False, inline="always")
def ivr_act(st, sp, pol, slot, what, nxt, now):
    """What a node's end does, once decided (by ``on_node``, or by a walk: EV_WALK)."""
    ci = st[7]
    if what == ivr_.ABANDON:
        leave(st, sp, slot, ABANDONED, E_IVR_ABANDON, now)
    elif what == ivr_.TO_QUEUE:
        ci[slot, C_QUEUE], ci[slot, C_LEVEL] = nxt, sp[16][ci[slot, C_CLS], nxt]
        ask_agent(st, sp, pol, slot, now)
    elif what == ivr_.HUNG_UP:
        leave(st, sp, slot, DISCONNECTED, E_IVR_HANGUP, now)
    elif what == ivr_.SELF_SERVED:
        leave(st, sp, slot, SELF_SERVED,
              E_OUTAGE_NOTICE if ci[slot, C_NODE] == sp[SP_OB][0][OB_NOTICE]
              else E_PRESS2_SELF_SERVICE if ci[slot, C_PRESSED2] else E_SELF_SERVICE, now)
    else:
        ivr_enter(st, sp, slot, nxt)


@njit(cache=True, _nrt=False, inline="always")
def admit(st, sp, pol, slot, now):
    """Center.admit of a first call or a redial whose fields are set: the next call id, the
    on_admit hooks (caller ID, key customers, the outage count), lines, then the IVR tree,
    the flat ivr_time or the queue. One function, so that both paths admit alike."""
    si, ci, cf, ip = st[0], st[7], st[8], sp[11]
    cid = si[S_NEXT_ID]
    si[S_NEXT_ID] = cid + 1
    ci[slot, C_ID] = cid
    if si[S_HOT]:
        identify(st, sp, slot, now)
        outage_admit(st, sp, slot, now)
    c = ci[slot, C_CLS]  # a key customer is served as its grade's class
    if not sp[14][c, K_WORK]:  # own work takes no line
        if ip[1] >= 0 and si[S_IN_SYSTEM] >= ip[1]:
            end_call(st, sp, slot, BLOCKED, E_NO_LINE, now)
            return
        si[S_IN_SYSTEM] += 1
    if si[S_HOT] and sp[14][c, K_ENTRY] >= 0:
        ivr_enter(st, sp, slot, sp[14][c, K_ENTRY])
    elif cf[slot, F_IVR] > 0:
        schedule(st, cf[slot, F_IVR], EV_IVR_DONE, slot, cid)
    else:
        ask_agent(st, sp, pol, slot, now)


@njit(cache=True, _nrt=False, inline="always")
def on_arrival(st, sp, pol, day, pos, now):
    """Center._on_arrival and _admit: a first call from the day's pre-drawn variates."""
    si, ci, cf, svc, acw, keys, stack = st[0], st[7], st[8], st[9], st[10], st[11], st[12]
    d_t, d_cls, d_pat, d_ivr, d_svc, d_acw, d_delay, d_key = day
    cls_prio, cls_queue, cls_level, fp, ip = sp[0], sp[1], sp[2], sp[10], sp[11]
    i = pos - si[S_OFF]
    si[S_FREE_TOP] -= 1
    slot = stack[si[S_FREE_TOP]]
    c = d_cls[i]
    ci[slot, C_CLS], ci[slot, C_PRIO], ci[slot, C_QUEUE] = c, cls_prio[c], cls_queue[c]
    ci[slot, C_LEVEL] = cls_level[c]
    ci[slot, C_STATE], ci[slot, C_ANNOUNCED], ci[slot, C_PENDING] = IVR, 0, 0
    ci[slot, C_VIRTUAL] = 0
    ci[slot, C_CUSTOMER], ci[slot, C_K], ci[slot, C_FAILURES] = -1, 16, 0
    ci[slot, C_REPEAT], ci[slot, C_RESOLVED], ci[slot, C_PRESSED2] = 0, -1, 0
    ci[slot, C_NOTICED] = 0
    ci[slot, C_ATTEMPT] = 1
    ci[slot, C_REGION], ci[slot, C_DIALECT], ci[slot, C_RESTRICTED] = -1, -1, 0
    ci[slot, C_VISIT], ci[slot, C_WAIT] = 0, -1
    ci[slot, C_INTERVAL] = min(int(now // fp[0]), ip[0] - 1)
    cf[slot, F_TARR], cf[slot, F_PATIENCE], cf[slot, F_IVR] = now, d_pat[i], d_ivr[i]
    cf[slot, F_TQUEUE], cf[slot, F_TLEFT], cf[slot, F_DELAY] = np.nan, np.nan, d_delay[i]
    for g in range(svc.shape[1]):
        svc[slot, g] = d_svc[i, g]
        acw[slot, g] = d_acw[i, g]
    keys[slot] = d_key[i]
    if pos == st[ST_OB][0][O_TRIGGER]:  # the last call of a day: the next days' on_day
        ob_schedule_tasks(st, now)
    if i + 1 < si[S_BUF_N]:
        schedule(st, d_t[i + 1] - now, EV_ARRIVAL, pos + 1, 0)
        if si[S_HOT] and sp[12][H_POP]:  # the next caller's episode, fetched meanwhile
            cust.prefetch(st[25], int(draw(d_key[i + 1], 0) * sp[12][H_POP])
                          * sp[12][H_REASONS] + sp[14][d_cls[i + 1], K_REASON])
    admit(st, sp, pol, slot, now)


# -- outbound blending (sim.model.outbound.Outbound) and the outage (Outage) --------------
@njit(cache=True, _nrt=False)
def ob_schedule_tasks(st, now):
    """Outbound.on_day: the campaign tasks of the days just loaded, scheduled as
    ``core.at(t - now)`` in the driver's order (day, campaign, time)."""
    oi, times = st[ST_OB][0], st[ST_OB][3]
    for j in range(oi[O_SCHED_FROM], oi[O_SCHED_TO]):
        schedule(st, times[j] - now, EV_OB_TASK, j, 0)
    oi[O_SCHED_FROM] = oi[O_SCHED_TO]


@njit(cache=True, _nrt=False)
def ob_has_work(st, sp, now):
    """Outbound.has_work: callbacks or tasks queued and the horizon not over."""
    oi = st[ST_OB][0]
    return (oi[O_TAIL] > oi[O_HEAD] or st[ST_SECOND][W_S][WS_CB_HEAD] >= 0) and (
        now < sp[SP_OB][1][OBF_HORIZON])


@njit(cache=True, _nrt=False)
def ob_allowed(st, sp, pol, g):
    """Outbound.allowed: few inbound calls wait in the queues ``g`` serves, or a free
    place in the reserved outbound capacity."""
    obi, obf, blended = sp[SP_OB][0], sp[SP_OB][1], sp[SP_OB][3]
    if not blended[g]:
        return False
    served, served_n, qi = pol[4], pol[5], st[17]
    waiting = 0
    for j in range(served_n[g]):  # those g may be offered (Center.waiting_seen)
        waiting += qi[Q_N, served[g, j]] - site_hidden(st, sp, g, served[g, j])
    return waiting <= obi[OB_MAX_WAIT] or (
        st[ST_OB][2][g] < int(obf[OBF_RESERVED] * st[19][G_PRESENT, g]))


@njit(cache=True, _nrt=False)
def ob_start(st, sp, g, agent, now):
    """Outbound.start: ``agent`` (already on outbound) calls a customer back, else makes
    the next campaign call."""
    oi, deque, calls = st[ST_OB][0], st[ST_OB][5], st[ST_OB][6]
    k = min(int(now // sp[10][0]), sp[11][0] - 1)
    if st[ST_SECOND][W_S][WS_CB_HEAD] >= 0:
        handle = call_back(st, sp, k, now)
    else:
        handle = deque[oi[O_HEAD]]
        oi[O_HEAD] += 1
        calls[k] += 1
    schedule(st, handle, EV_OB_DONE, g, agent)


@njit(cache=True, _nrt=False)
def ob_keep_busy(st, sp, g, agent, now, was_out):
    """AgentGroup.keep_busy(OUTBOUND) of a released agent, then Outbound.start."""
    g_account(st, g, now)
    st[19][G_BUSY, g] += 1  # the loop's release took it off the busy count
    st[ST_OB][2][g] += 1 - was_out
    ob_start(st, sp, g, agent, now)


@njit(cache=True, _nrt=False)
def ob_claim(st, sp, g, agent, now, was_out):
    """Outbound.claim_agent: a freed blended agent goes to outbound work while fewer than
    the reserved share of the group's logged-in agents are on it (``was_out``: the agent
    itself was, and does not count)."""
    share = sp[SP_OB][1][OBF_RESERVED]
    if not share or not sp[SP_OB][3][g] or not ob_has_work(st, sp, now):
        return False
    if st[ST_OB][2][g] - was_out >= int(share * st[19][G_PRESENT, g]):
        return False
    ob_keep_busy(st, sp, g, agent, now, was_out)
    return True


# -- redials (sim.model.redial.Redials) ---------------------------------------------------
@njit(cache=True, _nrt=False)
def redial_after(st, sp, slot, outcome, ending):
    """Redials.on_end: a failed attempt (not self-served, not closed, attempts left) is
    redialled after a delay with its kind's probability (an IVR hang-up's own, if set).
    The slot then keeps the attempt's key, class, customer and number for the redial
    (no live call id, so no stale event finds it); True when a redial is scheduled."""
    rd, ci = sp[SP_REDIAL], st[7]
    rn, rf = rd[0], rd[1]
    if (not rn[rdl.RD_ON] or outcome == SELF_SERVED or ci[slot, C_ATTEMPT] >= rn[rdl.RD_MAX]
            or ending == E_CLOSED):
        return False
    j = rdl.RD_P_ABANDONED if outcome == ABANDONED else rdl.RD_P_DISCONNECTED
    if rn[rdl.RD_HANGUP] and ending == E_IVR_HANGUP:
        j = rdl.RD_P_HANGUP  # law rows 0..2 follow the probabilities' order
    key = st[11][slot]
    if not draw(key, REDIAL_DRAW) < rf[j]:
        return False
    delay = rdl.sample1(rd, j, draw(key, REDIAL_DELAY_DRAW))
    ci[slot, C_STATE], ci[slot, C_ID] = FINISHED, -1
    schedule(st, delay, EV_REDIAL, slot, 0)
    return True


@njit(cache=True, _nrt=False)
def ob_offer(st, sp, pol, g, agent, now, was_out):
    """Outbound.offer_agent: a freed agent no waiting call wants takes outbound work."""
    if ob_has_work(st, sp, now) and ob_allowed(st, sp, pol, g):
        ob_keep_busy(st, sp, g, agent, now, was_out)
        return True
    return False


@njit(cache=True, _nrt=False)
def ob_idle(st, sp, pol, now):
    """Outbound.on_agents_idle: idle blended agents take outbound work while allowed."""
    if not sp[SP_OB][0][OB_ON]:
        return
    groups, gi, on_out = sp[SP_OB][2], st[19], st[ST_OB][2]
    for j in range(groups.shape[0]):
        g = groups[j]
        while gi[G_FREE_LEN, g] and ob_has_work(st, sp, now) and ob_allowed(st, sp, pol, g):
            agent = take(st, g, now)
            on_out[g] += 1
            ob_start(st, sp, g, agent, now)


@njit(cache=True, _nrt=False)
def on_task(st, sp, pol, j, now):
    """Outbound._on_task: campaign task ``j`` joins the deque; idle agents may take it."""
    oi = st[ST_OB][0]
    st[ST_OB][5][oi[O_TAIL]] = st[ST_OB][4][j]
    oi[O_TAIL] += 1
    ob_idle(st, sp, pol, now)


@njit(cache=True, _nrt=False, inline="always")
def on_outbound_done(st, sp, pol, g, agent, now):
    """Outbound._on_call_done, Center.agent_free of an agent still in OUTBOUND: logs out,
    or reserved outbound work, a waiting call, outbound work, else idle."""
    on_out = st[ST_OB][2]
    if not release(st, sp, g, agent, now):
        on_out[g] -= 1
        return
    if after_call(st, sp, pol, g, agent, now, 0):  # away: no longer on outbound
        on_out[g] -= 1
        return
    if ob_claim(st, sp, g, agent, now, 1):
        return
    slot, lv = select(st, pol, sp, g)
    if slot >= 0:
        on_out[g] -= 1
        pop_head(st, st[7][slot, C_QUEUE], lv, now)
        g_account(st, g, now)
        st[19][G_BUSY, g] += 1
        answer(st, sp, slot, g, agent, now)
        return
    if ob_offer(st, sp, pol, g, agent, now, 1):
        return
    on_out[g] -= 1
    free_append(st, g, agent)


@njit(cache=True, _nrt=False)
def outage_admit(st, sp, slot, now):
    """Outage.on_admit: count the reason's calls in the window; the ticket opens at the
    threshold."""
    obi, obf = sp[SP_OB][0], sp[SP_OB][1]
    if not obi[OB_OUTAGE]:
        return
    if (st[7][slot, C_REASON] == obi[OB_REASON]
            and obf[OBF_START] <= now < obf[OBF_START] + obf[OBF_DURATION]):
        oi, of = st[ST_OB][0], st[ST_OB][1]
        oi[O_CALLS] += 1
        if oi[O_CALLS] == obi[OB_THRESHOLD] and math.isnan(of[O_TICKET]):
            of[O_TICKET] = now


@njit(cache=True, _nrt=False)
def outage_node(st, sp, slot, node):
    """Outage.node_for: the notice in place of the menu, once per call, while the ticket
    is open and the outage is not over."""
    obi, obf = sp[SP_OB][0], sp[SP_OB][1]
    if node != obi[OB_MENU] or st[7][slot, C_NOTICED]:
        return node
    if not math.isnan(st[ST_OB][1][O_TICKET]) and st[1][0] < obf[OBF_START] + obf[OBF_DURATION]:
        st[7][slot, C_NOTICED] = 1
        return obi[OB_NOTICE]
    return node


@njit(cache=True, _nrt=False)
def redial_draws(st, sp, slot, key):
    """Redials.redial's variates of the class's laws from the redial's own stream:
    handle time and after-call work by group (NaN where none), patience, answer delay."""
    rd, ci, cf, svc, acw = sp[SP_REDIAL], st[7], st[8], st[9], st[10]
    cl = rd[2]
    c, n_g = ci[slot, C_CLS], svc.shape[1]
    u_ht, u_acw = draw(key, HANDLE_DRAW), draw(key, ACW_DRAW)
    for g in range(n_g):
        j, m = cl[c, rdl.CL_GROUPS + g], cl[c, rdl.CL_GROUPS + n_g + g]
        svc[slot, g] = rdl.sample1(rd, j, u_ht) if j >= 0 else np.nan
        acw[slot, g] = rdl.sample1(rd, m, u_acw) if m >= 0 else np.nan
    j = cl[c, rdl.CL_DELAY]
    cf[slot, F_DELAY] = rdl.sample1(rd, j, draw(key, ANSWER_DELAY_DRAW)) if j >= 0 else 0.0
    cf[slot, F_PATIENCE] = rdl.sample1(rd, cl[c, rdl.CL_PATIENCE], draw(key, PATIENCE_DRAW))


@njit(cache=True, _nrt=False, inline="always")
def on_redial(st, sp, pol, slot, now):
    """Redials.redial and Center.admit: the same customer calls again (same class, tier
    and reason), attempt + 1, with a key derived from the last attempt's; no redial from
    the horizon on. ``admit`` admits it as a first call."""
    ci, cf = st[7], st[8]
    cls_prio, cls_queue, cls_level, fp, ip = sp[0], sp[1], sp[2], sp[10], sp[11]
    if now >= sp[SP_REDIAL][1][rdl.RD_HORIZON]:
        free_slot(st, slot)
        return
    attempt = ci[slot, C_ATTEMPT] + 1
    key = rdl.redial_key(st[11][slot], attempt)
    st[11][slot] = key
    redial_draws(st, sp, slot, key)
    c = ci[slot, C_CLS]
    ci[slot, C_PRIO], ci[slot, C_QUEUE], ci[slot, C_LEVEL] = cls_prio[c], cls_queue[c], cls_level[c]
    ci[slot, C_STATE], ci[slot, C_ANNOUNCED], ci[slot, C_PENDING] = IVR, 0, 0
    ci[slot, C_VIRTUAL], ci[slot, C_K], ci[slot, C_FAILURES] = 0, 16, 0
    ci[slot, C_REPEAT], ci[slot, C_RESOLVED], ci[slot, C_PRESSED2] = 0, -1, 0
    ci[slot, C_ATTEMPT] = attempt  # C_CUSTOMER kept: the same customer
    ci[slot, C_NOTICED] = 0  # a new call: the outage notice not yet heard
    ci[slot, C_REGION], ci[slot, C_DIALECT], ci[slot, C_RESTRICTED] = -1, -1, 0  # new Call
    ci[slot, C_VISIT], ci[slot, C_WAIT] = 0, -1
    ci[slot, C_INTERVAL] = min(int(now // fp[0]), ip[0] - 1)
    cf[slot, F_TARR], cf[slot, F_IVR] = now, 0.0
    cf[slot, F_TQUEUE], cf[slot, F_TLEFT] = np.nan, np.nan
    admit(st, sp, pol, slot, now)  # F_IVR 0: a redial has no ivr_time


# -- redials chasing open work orders, complaint escalation -------------------------------
@njit(cache=True, _nrt=False)
def esc_store(st, slot, w):
    """What the order's hooks need of the answered call (whose slot is freed at answer):
    Redials' chase redials it, Complaints looks at its reason."""
    ei, ci = st[ST_ESC][0], st[7]
    ei[w, E_CUSTOMER], ei[w, E_ATTEMPT] = ci[slot, C_CUSTOMER], ci[slot, C_ATTEMPT]
    ei[w, E_REASON], ei[w, E_COMPLAINT] = ci[slot, C_REASON], 0
    st[ST_ESC][1][w] = st[11][slot]


@njit(cache=True, _nrt=False)
def esc_order_opened(st, sp, w, now):
    """Center.order_opened's hooks in hook order: Redials.on_order_opened (the customer
    may chase the order after a delay), then Complaints.on_order_opened (a complaint order
    is counted and gets one deadline per escalation level)."""
    E, X = st[ST_ESC], sp[SP_ESC]
    xi, xf, wi = X[0], X[1], st[ST_SECOND][W_I]
    if xi[XE_CHASE]:
        key = E[1][w]
        if draw(key, CHASE_DRAW) < xf[XF_CHASE_PROB]:
            schedule(st, ivr_.node_time(X[3], 0, draw(key, CHASE_DELAY_DRAW)), EV_CHASE, w,
                     wi[w, O_ID])
    if xi[XE_COMPLAINTS] and E[0][w, E_REASON] == xi[XE_REASON]:
        E[0][w, E_COMPLAINT] = 1
        E[2][wi[w, O_INTERVAL]] += 1
        n = X[2].shape[0]
        for level in range(n):
            schedule(st, X[2][level], EV_DEADLINE, w, wi[w, O_ID] * n + level)


@njit(cache=True, _nrt=False)
def on_chase(st, sp, pol, w, oid, now):
    """Redials._on_chase: the customer chases only an order still open (the slot still
    holds order ``oid``); the answered call, kept with the order, redials from a free call
    slot as ``on_redial`` redials a failed attempt."""
    wi = st[ST_SECOND][W_I]
    if wi[w, O_ID] != oid:
        return
    si, ci, ei = st[0], st[7], st[ST_ESC][0]
    si[S_FREE_TOP] -= 1
    slot = st[12][si[S_FREE_TOP]]
    ci[slot, C_CLS], ci[slot, C_CUSTOMER] = wi[w, O_CLS], ei[w, E_CUSTOMER]
    ci[slot, C_ATTEMPT] = ei[w, E_ATTEMPT]
    st[11][slot] = st[ST_ESC][1][w]
    on_redial(st, sp, pol, slot, now)


@njit(cache=True, _nrt=False)
def on_deadline(st, sp, w, b, now):
    """Complaints._on_deadline: an order still open at its level's time is escalated,
    counted by the interval of now, and SecondLine.escalate moves it, if no one has
    started on it and it is not there yet, to the end of its pool's front channel."""
    n = sp[SP_ESC][2].shape[0]
    W = st[ST_SECOND]
    wi, pq = W[W_I], W[W_Q]
    if wi[w, O_ID] != b // n:
        return  # closed in time for this level
    st[ST_ESC][3][b % n, min(int(now // sp[10][0]), sp[11][0] - 1)] += 1
    if wi[w, O_FRONT]:
        return
    pool = wi[w, O_POOL]
    prev, cur = -1, pq[pool, 2]
    while cur >= 0 and cur != w:  # waiting among the others? (else started)
        prev, cur = cur, wi[cur, O_NEXT]
    if cur < 0:
        return
    nxt = wi[w, O_NEXT]
    if prev < 0:
        pq[pool, 2] = nxt
    else:
        wi[prev, O_NEXT] = nxt
    if nxt < 0:
        pq[pool, 3] = prev
    wi[w, O_FRONT] = 1
    sl_append(W, pool, w)


@njit(cache=True, _nrt=False)
def esc_order_done(st, sp, w, now):
    """Complaints.on_order_done: a complaint order closes in time or overdue."""
    E = st[ST_ESC]
    if not E[0][w, E_COMPLAINT]:
        return
    E[0][w, E_COMPLAINT] = 0
    if now - st[ST_SECOND][W_F][w, O_TOPEN] > sp[SP_ESC][1][XF_LIMIT]:
        E[4][EF_OVERDUE] += 1
    else:
        E[4][EF_IN_TIME] += 1


# -- seat sites and dialect routing (sim.model.sites.Sites) -------------------------------
# A restricted call (a dialect caller before its fallback) waits in a side level of its
# level, one per dialect (SitedQueue.side): side level of (lv, d) is T_NLV + lv * dialects
# + d, so a queue's side levels are one contiguous range.
@njit(cache=True, _nrt=False, inline="always")
def site_level_of(sp, lv, d):
    """The side level of level ``lv`` for dialect ``d``."""
    ti = sp[SP_SITES][0]
    return ti[T_NLV] + lv * ti[T_DIALECTS] + d


@njit(cache=True, _nrt=False)
def site_level(st, sp, slot):
    """The level a waiting call joins: its dialect's side level while restricted."""
    ci = st[7]
    lv = ci[slot, C_LEVEL]
    if not ci[slot, C_RESTRICTED]:
        return lv
    return site_level_of(sp, lv, ci[slot, C_DIALECT])


@njit(cache=True, _nrt=False)
def site_assign(st, sp, slot):
    """Sites._assign: region and dialect need, per customer when customers are modelled
    (derive_key(key, customer)), else per call (derive_key(call.key, "site_region"))."""
    T, ci = sp[SP_SITES], st[7]
    customer = ci[slot, C_CUSTOMER]
    if customer >= 0:
        sub = mix(T[6][0] ^ mix(np.uint64(customer) + GOLDEN))
    else:
        sub = mix(st[11][slot] ^ T[6][1])
    u, cum = draw(sub, 0), T[2]
    r = cum.shape[0] - 1
    for i in range(cum.shape[0]):
        if u < cum[i]:
            r = i
            break
    ci[slot, C_REGION] = r
    d = T[3][r]
    if d >= 0 and draw(sub, 1) < T[4][r, ci[slot, C_CLS]]:
        ci[slot, C_DIALECT] = d


@njit(cache=True, _nrt=False)
def site_ask(st, sp, slot, now):
    """Sites.on_ask: region on the first ask (counted), the dialect caller restricted
    until its fallback (a fresh fallback clock at every ask)."""
    ti, tf = sp[SP_SITES][0], sp[SP_SITES][1]
    if not ti[T_ON]:
        return
    ci, reg = st[7], st[ST_SITES][0]
    first = ci[slot, C_REGION] < 0
    if first:
        site_assign(st, sp, slot)
    r, k = ci[slot, C_REGION], ci[slot, C_INTERVAL]
    if first:
        reg[RG_ASKED, r, k] += 1
        if ci[slot, C_DIALECT] >= 0:
            reg[RG_DIALECT_ASKED, r, k] += 1
    if ci[slot, C_DIALECT] >= 0 and tf[TF_FALLBACK] > 0:
        ci[slot, C_RESTRICTED] = 1
        schedule(st, tf[TF_FALLBACK], EV_FALLBACK, slot, ci[slot, C_ID])


@njit(cache=True, _nrt=False)
def site_answer(st, sp, slot, g, now):
    """Sites.on_answer: answered (within the service level) by region and group, and a
    dialect caller's answer in its dialect or in Mandarin."""
    T, ci = sp[SP_SITES], st[7]
    r = ci[slot, C_REGION]
    if not T[0][T_ON] or r < 0:
        return
    reg, grp = st[ST_SITES][0], st[ST_SITES][1]
    k = ci[slot, C_INTERVAL]
    reg[RG_ANSWERED, r, k] += 1
    grp[GR_ANSWERED, g, k] += 1
    if now - st[8][slot, F_TQUEUE] <= T[1][TF_SL]:
        reg[RG_IN_SL, r, k] += 1
        grp[GR_IN_SL, g, k] += 1
    d = ci[slot, C_DIALECT]
    if d >= 0:
        if T[5][g, d]:
            reg[RG_IN_DIALECT, r, k] += 1
            grp[GR_IN_DIALECT, g, k] += 1
        else:
            reg[RG_IN_MANDARIN, r, k] += 1
            grp[GR_IN_MANDARIN, g, k] += 1
    ci[slot, C_RESTRICTED] = 0


@njit(cache=True, _nrt=False)
def site_route(st, sp, pol, slot):
    """Sites.route: ``route`` with the groups that do not speak a restricted call's
    dialect showing no idle agent (SitedGroup.closed)."""
    ci = st[7]
    if not ci[slot, C_RESTRICTED]:
        return route(st, pol, slot)
    speaks, gi, saved = sp[SP_SITES][5], st[19], st[ST_SITES][2]
    d = ci[slot, C_DIALECT]
    for g in range(gi.shape[1]):
        saved[g] = gi[G_FREE_LEN, g]
        if not speaks[g, d]:
            gi[G_FREE_LEN, g] = 0
    chosen = route(st, pol, slot)
    for g in range(gi.shape[1]):
        gi[G_FREE_LEN, g] = saved[g]
    return chosen


@njit(cache=True, _nrt=False)
def site_head(st, sp, g, lv):
    """SitedQueue.heads for an agent of ``g`` at one priority level: the head of each
    side level of the dialects it speaks and the level's own head, the longest waiting
    (dialect_first: a dialect caller before the level's head). Returns (slot, level)."""
    ti, speaks, cf = sp[SP_SITES][0], sp[SP_SITES][5], st[8]
    n_d = ti[T_DIALECTS]
    best, at = -1, lv
    for d in range(n_d):
        if not speaks[g, d]:
            continue
        side = site_level_of(sp, lv, d)
        slot = live_head(st, side)
        if slot >= 0 and (best < 0 or cf[slot, F_TQUEUE] < cf[best, F_TQUEUE]):
            best, at = slot, side
    if best >= 0 and ti[T_FIRST]:
        return best, at
    slot = live_head(st, lv)
    if slot >= 0 and (best < 0 or cf[slot, F_TQUEUE] < cf[best, F_TQUEUE]):
        best, at = slot, lv
    return best, at


@njit(cache=True, _nrt=False, inline="always")
def seen_head(st, sp, g, lv):
    """The head an agent of ``g`` sees at level ``lv`` (Sites.select's viewer): the
    level's own live head without seat sites. Returns (slot, the level it heads)."""
    if not sp[SP_SITES][0][T_ON]:
        return live_head(st, lv), lv
    return site_head(st, sp, g, lv)


@njit(cache=True, _nrt=False)
def site_hidden(st, sp, g, q):
    """Sites.hidden: calls waiting in ``q`` that ``g`` may not be offered (restricted
    dialect callers of the dialects it does not speak)."""
    ti = sp[SP_SITES][0]
    if not ti[T_ON]:
        return 0
    lslot, lid, lm, speaks = st[13], st[14], st[16], sp[SP_SITES][5]
    n_d, n = ti[T_DIALECTS], 0
    for lv in range(sp[6][q], sp[6][q] + sp[7][q]):
        for d in range(n_d):
            if speaks[g, d]:
                continue
            side = site_level_of(sp, lv, d)
            for j in range(lm[L_LEN, side]):
                p = level_at(st, side, j)
                if is_waiting(st, lslot[side, p], lid[side, p]):
                    n += 1
    return n


@njit(cache=True, _nrt=False)
def on_fallback(st, sp, pol, slot, cid, now):
    """Sites._on_fallback: a restricted call still waiting from that ask joins its
    level at its place by queue entry time (SitedQueue.unrestrict) and is offered to
    any group (Center.offer_again, as a wake-up); in its answer delay it only loses the
    restriction."""
    ci, cf = st[7], st[8]
    if (not is_waiting(st, slot, cid) or cf[slot, F_TQUEUE] + sp[SP_SITES][1][TF_FALLBACK]
            != now or not ci[slot, C_RESTRICTED]):
        return
    ci[slot, C_RESTRICTED] = 0
    if ci[slot, C_PENDING]:
        return
    level_remove(st, site_level_of(sp, ci[slot, C_LEVEL], ci[slot, C_DIALECT]), slot, cid)
    level_insert(st, ci[slot, C_LEVEL], slot, cid, cf[slot, F_TQUEUE])
    on_wakeup(st, sp, pol, slot, cid, now)


@njit(cache=True, _nrt=False)
def level_remove(st, lv, slot, cid):
    """deque.remove: the first entry of ``lv`` holding call ``cid`` in ``slot`` leaves
    and the later entries move up (none: nothing changes)."""
    lslot, lid, ltq, lm = st[13], st[14], st[15], st[16]
    n, j = lm[L_LEN, lv], 0
    while j < n and not (lslot[lv, level_at(st, lv, j)] == slot
                         and lid[lv, level_at(st, lv, j)] == cid):
        j += 1
    if j == n:
        return
    while j + 1 < n:
        p, r = level_at(st, lv, j), level_at(st, lv, j + 1)
        lslot[lv, p], lid[lv, p], ltq[lv, p] = lslot[lv, r], lid[lv, r], ltq[lv, r]
        j += 1
    lm[L_LEN, lv] = n - 1



# -- agents in away work called back (Availability.waiting, _on_reaction, task_cut) -------
@njit(cache=True, _nrt=False)
def react_waiting(st, sp, slot, waited):
    """Availability.waiting: the call may be answered now but waits (``waited``: its
    answer delay); each group reacting to its queue calls an agent back once it has
    waited its reaction time since queue entry (at once if its delay was longer), the
    time drawn once from the call's stream for this visit."""
    R, ci = sp[SP_REACT], st[7]
    q = ci[slot, C_QUEUE]
    if not R[RX_N][q]:
        return
    rs, reacts = st[ST_REACT][0], R[RX_REACTS]
    n_g = reacts.shape[1]
    token = rs[RS_WAITS]
    rs[RS_WAITS] += 1
    ci[slot, C_WAIT] = token
    u = draw(st[11][slot], REACTION_DRAW + ci[slot, C_VISIT] - 1)
    for g in range(n_g):
        if reacts[q, g]:
            d = ivr_.node_time(R[RX_LAWS], q * n_g + g, u) - waited
            schedule(st, 0.0 if d < 0.0 else d, EV_REACTION, slot, token * n_g + g)


@njit(cache=True, _nrt=False)
def on_reaction(st, sp, slot, b, now):
    """Availability._on_reaction and Center.recall: the caller still waits in that
    visit, so the agent of the group longest in away work drops his task (its end event
    goes stale) and answers him, busy throughout (AgentGroup.keep_busy); nobody in away
    work: nothing."""
    ci, gi, tasks = st[7], st[19], st[ST_REACT][1]
    n_g = gi.shape[1]
    g = b % n_g
    if ci[slot, C_STATE] != WAITING or ci[slot, C_WAIT] != b // n_g:
        return  # answered, left, or a reaction of an earlier visit
    agent = -1
    for j in range(gi[G_NEXT_ID, g]):
        if tasks[g, j] >= 0 and (agent < 0 or tasks[g, j] < tasks[g, agent]):
            agent = j
    if agent < 0:
        return
    free_line(st, sp, g, agent, tasks[g, agent])
    tasks[g, agent] = -1  # Availability.dropped: the task's end will find another number
    task_record(st, g, agent, True, now)
    g_account(st, g, now)
    q = ci[slot, C_QUEUE]
    q_account(st, q, now)  # CallQueue.take (its level entry is dropped lazily)
    st[17][Q_N, q] -= 1
    answer(st, sp, slot, g, agent, now)


@njit(cache=True, _nrt=False)
def away_end(st, sp, g, b):
    """Availability.task_cut at an away task's end: its agent (then freed as at any
    call's end, the task no longer his away work), or -1 if the task was dropped for
    a caller (the agent is on that caller now)."""
    tasks = st[ST_REACT][1]
    agent, number = b % tasks.shape[1], b // tasks.shape[1]
    if tasks[g, agent] != number:
        return -1
    free_line(st, sp, g, agent, number)
    tasks[g, agent] = -1
    task_record(st, g, agent, False, 0.0)
    return agent


@njit(cache=True, _nrt=False)
def hangs_up(st, g, b):
    """Availability.hangs_up: a hang-up frees its line (1), unless it is an away task's
    (``g`` >= 0) dropped or ended before it, whose line is free already (0)."""
    if g < 0:
        return 1
    R = st[ST_REACT]
    tasks = R[1]
    agent, number = b % tasks.shape[1], b // tasks.shape[1]
    if tasks[g, agent] != number:
        return 0
    R[4][g, agent] = number
    return 1


@njit(cache=True, _nrt=False)
def free_line(st, sp, g, agent, number):
    """Availability._free_line: away task ``number`` of ``agent`` of ``g`` is dropped or
    ended: its trunk line is free now unless its hang-up came first."""
    R = st[ST_REACT]
    if sp[11][1] < 0 or sp[14][R[2][R_CLS, g * R[1].shape[1] + agent], K_WORK]:
        return
    if R[4][g, agent] != number:
        R[4][g, agent] = number
        st[0][S_IN_SYSTEM] -= 1


@njit(cache=True, _nrt=False)
def task_record(st, g, agent, cut, now):
    """Recorder.add_row of the away task of ``agent`` of ``g``, its record kept since the
    answer; ``cut``: dropped at ``now`` for a caller (Recorder.cut_short: ending
    recalled, ending now, in its talk or its after-call work)."""
    R, ri, rf = st[ST_REACT], st[23], st[24]
    j = g * R[1].shape[1] + agent
    n = st[0][S_NREC]
    st[0][S_NREC] = n + 1
    for i in range(N_RI):
        ri[i, n] = R[2][i, j]
    for i in range(N_RF):
        rf[i, n] = R[3][i, j]
    if cut:
        ri[R_ENDING, n] = E_RECALLED
        t_end = now if now < rf[R_TEND, n] else rf[R_TEND, n]
        rf[R_TEND, n] = t_end
        rf[R_ACW, n] = now - t_end


@njit(cache=True, _nrt=False)
def run(st, sp, pol, day, out):
    """Process events until the driver is needed; returns the loop status."""
    si, sf, ha = st[0], st[1], st[5]
    ip = sp[11]
    chunk, margin = ip[2], ip[3]
    if not si[S_STARTED]:
        si[S_STARTED] = 1
        ob_schedule_tasks(st, sf[0])  # Center.start: the first days' on_day hooks
        if si[S_BUF_N] > 0:
            schedule(st, day[0][0] - sf[0], EV_ARRIVAL, si[S_OFF], 0)
        on_tick(st, sp, pol, out, 0, sf[0])
    while True:
        if si[S_ERR_SLOT] >= 0:
            return ERROR
        if si[S_NREC] >= chunk:
            return FLUSH
        if (si[S_GROW] or si[S_FREE_TOP] < 1 or si[S_HN] + margin > st[2].shape[0]
                or 2 * st[25][3][0] >= st[25][0].shape[0] or sl_full(st, sp)):
            return GROW
        if si[S_HN] == 0:
            close(st, sp, sf[0])
            return DONE
        if (si[S_MORE_DAYS] and next_type(st) == EV_ARRIVAL
                and ha[0] - si[S_OFF] == si[S_BUF_N] - 1):
            return NEED_DAY
        t, ty, a, b = pop_event(st)
        sf[0] = t
        if ty == EV_ARRIVAL:
            on_arrival(st, sp, pol, day, a, t)
        elif ty in (EV_FREE, EV_AWAY_END):
            agent = b if ty == EV_FREE else away_end(st, sp, a, b)
            if agent >= 0:
                on_agent_free(st, sp, pol, a, agent, t)
        elif ty == EV_WAIT:
            on_wait_timer(st, sp, a, b, t)
        elif ty == EV_ANNOUNCE:
            on_announce(st, sp, pol, out, a, b, t)
        elif ty == EV_NODE:
            on_node(st, sp, pol, a, t)
        elif ty == EV_WALK:
            ivr_act(st, sp, pol, a, b & 7, (b >> 3) - 1, t)
        elif ty == EV_IVR_DONE:
            if st[7][a, C_ID] == b:  # Center._on_ivr_time_done
                ask_agent(st, sp, pol, a, t)
        elif ty == EV_ELIGIBLE:
            on_eligible(st, sp, pol, a, b, t)
        elif ty == EV_WAKEUP:
            on_wakeup(st, sp, pol, a, b, t)
        elif ty == EV_HANGUP:
            si[S_IN_SYSTEM] -= hangs_up(st, a, b)
        elif ty == EV_TICK:
            on_tick(st, sp, pol, out, a, t)
        elif ty == EV_BACK:
            on_back(st, sp, pol, a, b, t)
        elif ty == EV_PARTIAL_END:  # Availability._on_partial_end: nobody joins
            set_target(st, sp, a, sp[SP_AVAIL][1][a, b], t)
        elif ty == EV_BREAK:
            on_break(st, sp, a, b, t)
        elif ty == EV_OPEN_ORDER:
            on_open_order(st, sp, a, t)
        elif ty == EV_ORDER_DONE:
            on_order_done(st, sp, pol, a, b, t)
        elif ty == EV_CB_RETRY:
            on_cb_retry(st, sp, pol, a, t)
        elif ty == EV_OB_TASK:
            on_task(st, sp, pol, a, t)
        elif ty == EV_OB_DONE:
            on_outbound_done(st, sp, pol, a, b, t)
        elif ty == EV_REDIAL:
            on_redial(st, sp, pol, a, t)
        elif ty == EV_CHASE:
            on_chase(st, sp, pol, a, b, t)
        elif ty == EV_DEADLINE:
            on_deadline(st, sp, a, b, t)
        elif ty == EV_FALLBACK:
            on_fallback(st, sp, pol, a, b, t)
        elif ty == EV_REACTION:
            on_reaction(st, sp, a, b, t)
        else:
            close(st, sp, t)
