"""Call records → per-(class, interval) accumulators, and optionally calls.parquet.

Records are buffered in columns and folded into accumulators in chunks, so with the call
file switched off memory stays flat however long the horizon. The buffer is compact: a
few hundred records as tuples (cheap to append), then packed into numpy columns (136 bytes
a record, not the ~500 of a tuple of Python numbers), up to a chunk of 65,536 records —
the fold boundaries the compiled engine mirrors, so KPI sums stay bit-identical.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

import numpy as np

from sim.model.calls import Call, Ending

if TYPE_CHECKING:
    from sim.model.spec import ModelSpec

COLUMNS = ("call_id", "class_idx", "interval", "t_arrival", "t_queue", "t_answer", "t_end",
           "outcome_code", "group_idx", "agent", "acw_s", "ending_code", "customer", "attempt",
           "repeat", "resolved", "t_left_queue")
# the buffer's packed columns: integer codes and ids, then times (records.COLUMNS order
# restored on flush)
INT_COLUMNS = ("call_id", "class_idx", "interval", "outcome_code", "group_idx", "agent",
               "ending_code", "customer", "attempt", "repeat", "resolved")
FLOAT_COLUMNS = ("t_arrival", "t_queue", "t_answer", "t_end", "acw_s", "t_left_queue")
# the columns sim.fast.fold.fold_chunk reads, in its argument order
FOLD_COLUMNS = ("class_idx", "interval", "outcome_code", "ending_code", "group_idx", "attempt",
                "repeat", "resolved", "t_queue", "t_left_queue", "t_answer", "t_end", "acw_s")
# positions in a staged record (Recorder.row)
ROW_ENDING = INT_COLUMNS.index("ending_code")
ROW_T_END = len(INT_COLUMNS) + FLOAT_COLUMNS.index("t_end")
ROW_ACW = len(INT_COLUMNS) + FLOAT_COLUMNS.index("acw_s")
STAGE = 512  # records appended as tuples before they are packed
# per (class, interval) call counters and sums, the raw material of every KPI
CALL_FIELDS = ("offered", "answered", "abandoned", "disconnected", "self_served", "blocked",
               "asked", "answered_no_wait", "answered_in_sl", "wait_answered_s",
               "wait_answered_sq", "talk_s", "acw_s", "wait_abandoned_s", "wait_queued_s",
               "ivr_abandoned", "ivr_hangups", "forced_disconnects", "closed_disconnects",
               "press2_self_served", "outage_informed", "resolved", "repeats", "redials",
               "short_abandoned")
# counted by the centre directly (not per call record)
EVENT_FIELDS = ("fcr", "work_orders", "announcements", "press2", "virtual_holds")
# queue waits per class in 1-second bins (the last holds every longer wait): the waiting-time
# distribution in flat memory, for reports of runs that write no calls.parquet
WAIT_BIN_S = 1.0
SITE_REGION_FIELDS = ("asked", "answered", "answered_in_sl", "dialect_asked", "in_dialect",
                      "in_mandarin")
SITE_GROUP_FIELDS = ("answered", "answered_in_sl", "in_dialect", "in_mandarin")
WAIT_BINS = 3600


def _zeros(*shape: int) -> np.ndarray:
    return np.zeros(shape)


@dataclass
class SecondLineRecord:
    """Work orders per (pool, interval): what the second line did in one replication."""

    opened: np.ndarray
    closed: np.ndarray  # by interval opened
    closed_at: np.ndarray  # by interval closed (drain: the last)
    time_to_close_s: np.ndarray  # by interval opened
    backlog: np.ndarray  # open orders at the end of each interval
    busy_s: np.ndarray
    staffed_s: np.ndarray

    @classmethod
    def zeros(cls, n_pools: int, n_intervals: int) -> SecondLineRecord:
        return cls(*(_zeros(n_pools, n_intervals) for _ in range(7)))


@dataclass
class OutboundRecord:
    """Outbound calls made by blended agents, per interval."""

    callbacks_made: np.ndarray
    callbacks_answered: np.ndarray
    campaign_calls: np.ndarray
    # closed loop (operations.callbacks): customers given up on after the last attempt,
    # satisfaction callbacks after a repair (made, reached)
    callbacks_unreachable: np.ndarray
    satisfaction_made: np.ndarray
    satisfaction_reached: np.ndarray
    callbacks_pending_end: float = 0.0  # orders closed whose customer was never reached

    @classmethod
    def zeros(cls, n_intervals: int) -> OutboundRecord:
        z = [_zeros(n_intervals) for _ in range(6)]
        return cls(z[0], z[1], z[2], z[3], z[4], z[5])


@dataclass
class ComplaintRecord:
    """Complaint work orders (operations.complaints): opened per interval, escalations
    per (level, interval of escalation), and how many closed within the time limit."""

    orders: np.ndarray
    escalations: np.ndarray
    closed_in_time: float = 0.0
    overdue: float = 0.0  # closed late, or open past the limit when the run ended
    still_open: float = 0.0


@dataclass
class SiteRecord:
    """Seat sites (scenario.sites): counters by (region, interval) and (group, interval),
    by arrival interval; ``in_dialect``/``in_mandarin``: dialect callers answered by an
    agent who speaks their dialect / by one who does not (after the fallback)."""

    region: dict[str, np.ndarray]
    group: dict[str, np.ndarray]

    @classmethod
    def zeros(cls, n_regions: int, n_groups: int, n_intervals: int) -> SiteRecord:
        return cls({k: _zeros(n_regions, n_intervals) for k in SITE_REGION_FIELDS},
                   {k: _zeros(n_groups, n_intervals) for k in SITE_GROUP_FIELDS})


@dataclass
class FeatureRecord:
    """What the hotline features (second line, outbound, customers, outage) leave of one
    replication: plain data, no engine objects."""

    second_line: SecondLineRecord | None = None
    outbound: OutboundRecord | None = None
    complaints: ComplaintRecord | None = None
    key_calls: np.ndarray | None = None  # calls of key persons per (grade, interval)
    # episodes by (tier, end state) (sim.model.customers.VALUE_STATES)
    episodes: np.ndarray = field(default_factory=lambda: np.zeros((0, 4), dtype=np.int64))
    ticket_open_s: float = math.nan  # the outage's repair ticket (NaN: none opened)
    sites: SiteRecord | None = None


class Recorder:
    """Collects finished calls for one replication."""

    def __init__(self, n_classes: int, n_intervals: int, n_groups: int, n_queues: int,
                 service_level_s: float, call_sink=None, chunk: int = 1 << 16,
                 first_interval: int = 0, short_abandon_s: float = 0.0):
        self.n_classes = n_classes
        self.n_intervals = n_intervals
        self.sl = service_level_s
        self.short_s = short_abandon_s  # queue abandons quicker than this are "short"
        self.sink = call_sink  # callable taking a dict of column arrays, or None
        self.chunk = chunk
        self.buf: list[tuple] = []  # staged records (INT_COLUMNS + FLOAT_COLUMNS order)
        self.n_packed = 0  # records packed into the columns below since the last flush
        self.packed_i = np.zeros((len(INT_COLUMNS), 0), dtype=np.int64)
        self.packed_f = np.zeros((len(FLOAT_COLUMNS), 0))
        self.calls = {f: np.zeros((n_classes, n_intervals)) for f in CALL_FIELDS}
        # EVENT_FIELDS, counted by the centre and its features
        self.fcr = _zeros(n_classes, n_intervals)
        self.work_orders = _zeros(n_classes, n_intervals)
        self.announcements = _zeros(n_classes, n_intervals)
        self.press2 = _zeros(n_classes, n_intervals)
        self.virtual_holds = _zeros(n_classes, n_intervals)
        self.group_busy_s = np.zeros((n_groups, n_intervals))
        self.group_staffed_s = np.zeros((n_groups, n_intervals))
        # agent-seconds logged in but not ready or on break (groups.NAME.availability)
        self.group_away_s = np.zeros((n_groups, n_intervals))
        self.group_answered = np.zeros((n_groups, n_intervals))  # by arrival interval
        self.group_handle_s = np.zeros((n_groups, n_intervals))
        self.queue_area = np.zeros((n_queues, n_intervals))  # call-seconds waiting
        self.first_interval = first_interval  # warm-up intervals stay out of the histogram
        # [class, answered (1) or not (0), bin]: waits of calls that queued
        self.wait_hist = np.zeros((n_classes, 2, WAIT_BINS))
        self.features = FeatureRecord()
        # by class, 1: its answered records count in the groups' answered calls and handle
        # time; 0: the agents' own work (kind: work; their busy time keeps it)
        self.group_calls = np.ones(n_classes, dtype=np.int64)

    @classmethod
    def for_spec(cls, spec: ModelSpec, call_sink=None) -> Recorder:
        """An empty record of one replication of ``spec``, with a zero record for each
        feature the spec has (so KPI names are known before anything runs)."""
        rec = cls(len(spec.classes), spec.n_intervals, len(spec.groups), len(spec.queues),
                  spec.service_level_s, call_sink, first_interval=spec.warmup_intervals,
                  short_abandon_s=spec.short_abandon_s)
        rec.group_calls = np.array([not c.work for c in spec.classes], dtype=np.int64)
        if spec.second_line is not None:
            rec.features.second_line = SecondLineRecord.zeros(len(spec.second_line.pools),
                                                              spec.n_intervals)
        if spec.outbound is not None:
            rec.features.outbound = OutboundRecord.zeros(spec.n_intervals)
        kc = spec.operations.key_customers
        if kc is not None:
            rec.features.key_calls = _zeros(len(kc.grades), spec.n_intervals)
        c = spec.operations.complaints
        if c is not None and spec.second_line is not None:
            rec.features.complaints = ComplaintRecord(
                _zeros(spec.n_intervals), _zeros(len(c.levels), spec.n_intervals))
        if spec.sites is not None:
            rec.features.sites = SiteRecord.zeros(len(spec.sites.regions), len(spec.groups),
                                                  spec.n_intervals)
        return rec

    def event_counts(self) -> dict[str, np.ndarray]:
        """The EVENT_FIELDS arrays by name."""
        return {"fcr": self.fcr, "work_orders": self.work_orders,
                "announcements": self.announcements, "press2": self.press2,
                "virtual_holds": self.virtual_holds}

    def add(self, c: Call) -> None:
        self.add_row(self.row(c))

    @staticmethod
    def row(c: Call) -> tuple:
        """``c``'s record as it stands: codes and ids (INT_COLUMNS), then times."""
        acw = c.acw[c.group] if c.group >= 0 else 0.0
        return (c.id, c.cls, c.interval, c.outcome, c.group, c.agent, c.ending, c.customer,
                c.attempt, c.repeat, c.resolved, c.t_arrival, c.t_queue, c.t_answer, c.t_end,
                acw, c.t_left_queue)

    @staticmethod
    def cut_short(row: tuple, now: float) -> tuple:
        """The record ``row`` of an answered call whose agent dropped it at ``now``
        (away work, availability.reaction_time): ending RECALLED, ending now (in its talk:
        the talk ends now, no after-call work; in its after-call work: that work does)."""
        cut = list(row)
        t_end = now if now < row[ROW_T_END] else row[ROW_T_END]
        cut[ROW_ENDING], cut[ROW_T_END], cut[ROW_ACW] = Ending.RECALLED, t_end, now - t_end
        return tuple(cut)

    def add_row(self, row: tuple) -> None:
        self.buf.append(row)
        if len(self.buf) >= STAGE or self.n_packed + len(self.buf) >= self.chunk:
            self._pack()
            if self.n_packed >= self.chunk:
                self.flush()

    def _pack(self) -> None:
        """Move the staged tuples into the packed columns (capacity doubling up to a chunk:
        a short run never holds a whole chunk's buffer)."""
        k = len(self.buf)
        if not k:
            return
        n, cap = self.n_packed, self.packed_i.shape[1]
        if n + k > cap:
            new = min(max(2 * cap, n + k, STAGE), max(self.chunk, n + k))
            grown_i = np.zeros((len(INT_COLUMNS), new), dtype=np.int64)
            grown_f = np.zeros((len(FLOAT_COLUMNS), new))
            grown_i[:, :n] = self.packed_i[:, :n]
            grown_f[:, :n] = self.packed_f[:, :n]
            self.packed_i, self.packed_f = grown_i, grown_f
        rows = np.array(self.buf, dtype=np.float64).T  # ids < 2**53: exact as floats
        ni = len(INT_COLUMNS)
        self.packed_i[:, n:n + k] = rows[:ni]
        self.packed_f[:, n:n + k] = rows[ni:]
        self.n_packed = n + k
        self.buf = []

    def flush(self) -> None:
        self._pack()
        n = self.n_packed
        if not n:
            return
        cols: dict[str, np.ndarray] = {
            name: self.packed_i[j, :n].copy() for j, name in enumerate(INT_COLUMNS)}
        cols |= {name: self.packed_f[j, :n].copy() for j, name in enumerate(FLOAT_COLUMNS)}
        cols["repeat"] = cols["repeat"].astype(np.bool_)
        cols = {name: cols[name] for name in COLUMNS}
        self.n_packed = 0
        self._fold(cols)
        if self.sink is not None:
            self.sink(cols)

    def _fold(self, c: dict[str, np.ndarray]) -> None:
        """Add a chunk of records to the accumulators (one compiled pass, the same sums
        as a bincount per counter)."""
        from sim.fast.fold import FIELDS, fold_chunk

        fold = cast(Callable[..., None], fold_chunk)  # a Numba dispatcher, typed as called
        n_cells = self.n_classes * self.n_intervals
        sums = np.zeros((len(CALL_FIELDS), n_cells))
        g_handle = np.zeros(self.group_answered.size)
        fold(*(np.ascontiguousarray(c[k]) for k in FOLD_COLUMNS), self.n_intervals,
             float(self.sl), float(self.short_s), self.first_interval, WAIT_BINS, WAIT_BIN_S,
             np.array([CALL_FIELDS.index(f) for f in FIELDS], dtype=np.int64), sums,
             # flat views (copy=False: an error, never a copy the counts are lost in)
             np.reshape(self.wait_hist, -1, copy=False),
             np.reshape(self.group_answered, -1, copy=False), g_handle, self.group_calls)
        self.group_handle_s += g_handle.reshape(self.group_answered.shape)
        for f, row in zip(CALL_FIELDS, sums, strict=True):
            self.calls[f] += row.reshape(self.n_classes, self.n_intervals)
