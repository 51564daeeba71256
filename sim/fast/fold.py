"""A Recorder chunk folded in one compiled pass (``sim.records.Recorder._fold``).

Each cell's sums are added record by record in the records' order, as the bincounts
the fold once took did, and the chunk's sums are then added to the accumulators as a
whole: the same floats. Records that add 0.0 to a sum are skipped (a sum starts at +0.0
and never becomes -0.0, so adding zero changes nothing). Counts (whole numbers, exact in
a float) go straight into their accumulators, one by one: the same floats as adding the
chunk's count. Both engines fold through it.
"""

from __future__ import annotations

import math

from numba import njit

from sim.model.calls import Ending, Outcome
from sim.records import CALL_FIELDS, WAIT_BIN_S, WAIT_BINS

# rows of the chunk's sums, in CALL_FIELDS order
(OFFERED, ANSWERED, ABANDONED, DISCONNECTED, SELF_SERVED, BLOCKED, ASKED, NO_WAIT, IN_SL,
 WAIT_ANSWERED, WAIT_ANSWERED_SQ, TALK, ACW, WAIT_ABANDONED, WAIT_QUEUED, IVR_ABANDONED,
 IVR_HANGUPS, FORCED, CLOSED, PRESS2, OUTAGE, RESOLVED, REPEATS, REDIALS,
 SHORT_ABANDONED) = range(len(CALL_FIELDS))
# the outcome and ending codes a record's counters are read from
O_ANSWERED, O_ABANDONED = int(Outcome.ANSWERED), int(Outcome.ABANDONED)
O_DISCONNECTED, O_SELF_SERVED = int(Outcome.DISCONNECTED), int(Outcome.SELF_SERVED)
O_BLOCKED = int(Outcome.BLOCKED)
E_QUEUE_ABANDON, E_IVR_ABANDON = int(Ending.QUEUE_ABANDON), int(Ending.IVR_ABANDON)
E_IVR_HANGUP, E_FORCED = int(Ending.IVR_HANGUP), int(Ending.FORCED_DISCONNECT)
E_CLOSED, E_PRESS2 = int(Ending.CLOSED), int(Ending.PRESS2_SELF_SERVICE)
E_OUTAGE = int(Ending.OUTAGE_NOTICE)


@njit(cache=True)
def fold_chunk(cls, interval, outcome, ending, group, attempt, repeat, resolved, t_queue,
               t_left, t_answer, t_end, acw, n_intervals, sl, short_s, first_interval,
               sums, hist, g_answered, g_handle):
    """Add one chunk's records to ``sums`` (CALL_FIELDS by class*n_intervals+interval,
    zeros on entry), the flat wait histogram ``hist`` (queue waits by (class, answered,
    bin), intervals from ``first_interval``) and the answered calls by
    group*n_intervals+interval (``g_answered``: the flat accumulator; ``g_handle``: the
    chunk's handle seconds, zeros on entry)."""
    for i in range(cls.shape[0]):
        k = cls[i] * n_intervals + interval[i]
        o, e = outcome[i], ending[i]
        answered = o == O_ANSWERED
        queued = not math.isnan(t_queue[i])
        wait = t_left[i] - t_queue[i] if queued else 0.0
        sums[OFFERED, k] += 1.0
        if answered:
            talk = t_end[i] - t_answer[i]
            sums[ANSWERED, k] += 1.0
            if wait <= 0:
                sums[NO_WAIT, k] += 1.0
            if wait <= sl:
                sums[IN_SL, k] += 1.0
            sums[WAIT_ANSWERED, k] += wait
            sums[WAIT_ANSWERED_SQ, k] += wait * wait
            sums[TALK, k] += talk
            sums[ACW, k] += acw[i]
            gk = group[i] * n_intervals + interval[i]
            g_answered[gk] += 1.0
            g_handle[gk] += talk + acw[i]
        elif o == O_ABANDONED:
            sums[ABANDONED, k] += 1.0
            if queued:
                sums[WAIT_ABANDONED, k] += wait
        elif o == O_DISCONNECTED:
            sums[DISCONNECTED, k] += 1.0
        elif o == O_SELF_SERVED:
            sums[SELF_SERVED, k] += 1.0
        elif o == O_BLOCKED:
            sums[BLOCKED, k] += 1.0
        if queued:
            sums[ASKED, k] += 1.0
            sums[WAIT_QUEUED, k] += wait
            if interval[i] >= first_interval:
                b = min(int(wait / WAIT_BIN_S), WAIT_BINS - 1)
                hist[(cls[i] * 2 + int(answered)) * WAIT_BINS + b] += 1.0
        if e == E_IVR_ABANDON:
            sums[IVR_ABANDONED, k] += 1.0
        elif e == E_IVR_HANGUP:
            sums[IVR_HANGUPS, k] += 1.0
        elif e == E_FORCED:
            sums[FORCED, k] += 1.0
        elif e == E_CLOSED:
            sums[CLOSED, k] += 1.0
        elif e == E_PRESS2:
            sums[PRESS2, k] += 1.0
        elif e == E_OUTAGE:
            sums[OUTAGE, k] += 1.0
        elif e == E_QUEUE_ABANDON and wait < short_s:
            sums[SHORT_ABANDONED, k] += 1.0
        if resolved[i] == 1:
            sums[RESOLVED, k] += 1.0
        if repeat[i]:
            sums[REPEATS, k] += 1.0
        if attempt[i] > 1:
            sums[REDIALS, k] += 1.0
