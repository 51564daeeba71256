"""Skill queues: priority levels between classes, FIFO within a level.

Abandoned calls are removed lazily (marked, then skipped when they reach the head), so
leaving the queue is O(1) whatever its length. Calls still in their answer delay
(``classes.NAME.answer_delay``) are *pending*: they count in the queue's length but are
not in the levels, so no policy can see or select them until they become eligible.
"""

from __future__ import annotations

from collections import deque

from sim.model.calls import Call, State
from sim.model.spec import QueueSpec


class CallQueue:
    """Waiting calls of one skill queue, with a time integral of its length."""

    __slots__ = ("spec", "index", "levels", "prios", "n", "area", "t_last", "peak",
                 "pending")

    def __init__(self, spec: QueueSpec):
        self.spec = spec
        self.index = spec.index
        self.levels: dict[int, deque[Call]] = {}
        self.prios: list[int] = []  # priority levels in use, ascending (served first)
        self.n = 0  # live waiting calls eligible to be answered
        self.pending = 0  # waiting calls still in their answer delay (not in ``levels``)
        self.area = 0.0  # integral of n over time, for mean queue length
        self.t_last = 0.0
        self.peak = 0

    def _account(self, now: float) -> None:
        self.area += (self.n + self.pending) * (now - self.t_last)
        self.t_last = now

    def _level(self, priority: int) -> deque[Call]:
        level = self.levels.get(priority)
        if level is None:
            level = self.levels[priority] = deque()
            self.prios = sorted(self.levels)
        return level

    def _grow(self, now: float, eligible: int, pending: int) -> None:
        self._account(now)
        self.n += eligible
        self.pending += pending
        if self.n + self.pending > self.peak:
            self.peak = self.n + self.pending

    def push(self, call: Call, now: float) -> None:
        self._level(call.priority).append(call)
        self._grow(now, 1, 0)

    def hold(self, call: Call, now: float) -> None:
        """``call`` enters the queue in its answer delay: counted, not yet selectable."""
        self._grow(now, 0, 1)

    def release(self, call: Call, now: float) -> None:
        """``call``'s answer delay ended: it leaves the pending count (see :meth:`insert`)."""
        self._account(now)
        self.pending -= 1

    def insert(self, call: Call, now: float) -> None:
        """Put a call whose answer delay ended at its place in its level, ordered by queue
        entry time: the delay costs it no position to calls that entered after it."""
        level = self._level(call.priority)
        j = len(level)
        while j and level[j - 1].t_queue > call.t_queue:
            j -= 1
        level.insert(j, call)
        self._grow(now, 1, 0)

    def head(self) -> Call | None:
        """The live call first in line (highest priority, longest waiting), not removed."""
        if not self.n:
            return None
        for p in self.prios:
            level = self.levels[p]
            while level:
                call = level[0]
                if call.state == State.WAITING:
                    return call
                level.popleft()  # left earlier (abandoned / disconnected)
        return None

    def pop_head(self, call: Call, now: float) -> None:
        """Remove ``call``, which :meth:`head` just returned."""
        self.levels[call.priority].popleft()
        self._account(now)
        self.n -= 1

    def leave(self, now: float, pending: bool = False) -> None:
        """A waiting call left from inside the queue (its state is already changed);
        ``pending``: it left during its answer delay."""
        self._account(now)
        if pending:
            self.pending -= 1
        else:
            self.n -= 1
