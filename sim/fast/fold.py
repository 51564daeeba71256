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

# the counters the kernel adds to, by name: ``rows`` (an argument, not a global Numba would
# freeze into its cached machine code) gives each one's row in CALL_FIELDS order
FIELDS = ("offered", "answered", "abandoned", "disconnected", "self_served", "blocked",
          "asked", "answered_no_wait", "answered_in_sl", "wait_answered_s",
          "wait_answered_sq", "talk_s", "acw_s", "wait_abandoned_s", "wait_queued_s",
          "ivr_abandoned", "ivr_hangups", "forced_disconnects", "closed_disconnects",
          "press2_self_served", "outage_informed", "resolved", "repeats", "redials",
          "short_abandoned")
(OFFERED, ANSWERED, ABANDONED, DISCONNECTED, SELF_SERVED, BLOCKED, ASKED, NO_WAIT, IN_SL,
 WAIT_ANSWERED, WAIT_ANSWERED_SQ, TALK, ACW, WAIT_ABANDONED, WAIT_QUEUED, IVR_ABANDONED,
 IVR_HANGUPS, FORCED, CLOSED, PRESS2, OUTAGE, RESOLVED, REPEATS, REDIALS,
 SHORT_ABANDONED) = range(len(FIELDS))
# the outcome and ending codes a record's counters are read from (stable: calls.parquet
# stores them)
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
               wait_bins, bin_s, rows, sums, hist, g_answered, g_handle, g_calls):
    """Add one chunk's records to ``sums`` (FIELDS at ``rows``, by
    class*n_intervals+interval, zeros on entry), the flat wait histogram ``hist`` (queue
    waits by (class, answered, bin of ``bin_s``, the last of ``wait_bins`` holding the
    longer ones), intervals from ``first_interval``) and the answered calls by
    group*n_intervals+interval (``g_answered``: the flat accumulator; ``g_handle``: the
    chunk's handle seconds, zeros on entry) of the classes ``g_calls`` marks (1: calls;
    0: the agents' own work, kept out of the groups' answered calls and AHT)."""
    for i in range(cls.shape[0]):
        k = cls[i] * n_intervals + interval[i]
        o, e = outcome[i], ending[i]
        answered = o == O_ANSWERED
        queued = not math.isnan(t_queue[i])
        wait = t_left[i] - t_queue[i] if queued else 0.0
        sums[rows[OFFERED], k] += 1.0
        if answered:
            talk = t_end[i] - t_answer[i]
            sums[rows[ANSWERED], k] += 1.0
            if wait <= 0:
                sums[rows[NO_WAIT], k] += 1.0
            if wait <= sl:
                sums[rows[IN_SL], k] += 1.0
            sums[rows[WAIT_ANSWERED], k] += wait
            sums[rows[WAIT_ANSWERED_SQ], k] += wait * wait
            sums[rows[TALK], k] += talk
            sums[rows[ACW], k] += acw[i]
            if g_calls[cls[i]]:
                gk = group[i] * n_intervals + interval[i]
                g_answered[gk] += 1.0
                g_handle[gk] += talk + acw[i]
        elif o == O_ABANDONED:
            sums[rows[ABANDONED], k] += 1.0
            if queued:
                sums[rows[WAIT_ABANDONED], k] += wait
        elif o == O_DISCONNECTED:
            sums[rows[DISCONNECTED], k] += 1.0
        elif o == O_SELF_SERVED:
            sums[rows[SELF_SERVED], k] += 1.0
        elif o == O_BLOCKED:
            sums[rows[BLOCKED], k] += 1.0
        if queued:
            sums[rows[ASKED], k] += 1.0
            sums[rows[WAIT_QUEUED], k] += wait
            if interval[i] >= first_interval:
                b = min(int(wait / bin_s), wait_bins - 1)
                hist[(cls[i] * 2 + int(answered)) * wait_bins + b] += 1.0
        if e == E_IVR_ABANDON:
            sums[rows[IVR_ABANDONED], k] += 1.0
        elif e == E_IVR_HANGUP:
            sums[rows[IVR_HANGUPS], k] += 1.0
        elif e == E_FORCED:
            sums[rows[FORCED], k] += 1.0
        elif e == E_CLOSED:
            sums[rows[CLOSED], k] += 1.0
        elif e == E_PRESS2:
            sums[rows[PRESS2], k] += 1.0
        elif e == E_OUTAGE:
            sums[rows[OUTAGE], k] += 1.0
        elif e == E_QUEUE_ABANDON and wait < short_s:
            sums[rows[SHORT_ABANDONED], k] += 1.0
        if resolved[i] == 1:
            sums[rows[RESOLVED], k] += 1.0
        if repeat[i]:
            sums[rows[REPEATS], k] += 1.0
        if attempt[i] > 1:
            sums[rows[REDIALS], k] += 1.0
