"""Skill queues: priority levels between classes, FIFO within a level.

Calls that leave without being at the head (abandoned, overflowed, or answered out of
order by a policy) are removed lazily: their state changes and they are dropped when they
reach the head, so leaving the queue is O(1) whatever its length. Policies read the queue
through :class:`sim.policies.view.QueueView` (``heads``, ``waiting``) and the engine removes
the very call they chose (:meth:`CallQueue.take`). Calls still in their answer delay
(``classes.NAME.answer_delay``) are *pending*: they count in the queue's length but are
not in the levels, so no policy can see or select them until they become eligible.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator

from sim.model.calls import Call, State
from sim.model.spec import QueueSpec


class CallQueue:
    """Waiting calls of one skill queue, with a time integral of its length."""

    __slots__ = ("spec", "index", "levels", "prios", "n", "area", "t_last", "pending")

    def __init__(self, spec: QueueSpec):
        self.spec = spec
        self.index = spec.index
        self.levels: dict[int, deque[Call]] = {}
        self.prios: list[int] = []  # priority levels in use, ascending (served first)
        self.n = 0  # live waiting calls eligible to be answered
        self.pending = 0  # waiting calls still in their answer delay (not in ``levels``)
        self.area = 0.0  # integral of n over time, for mean queue length
        self.t_last = 0.0

    def account(self, now: float) -> None:
        """Bring the length integral up to ``now``."""
        self.area += (self.n + self.pending) * (now - self.t_last)
        self.t_last = now

    def _level(self, priority: int) -> deque[Call]:
        level = self.levels.get(priority)
        if level is None:
            level = self.levels[priority] = deque()
            self.prios = sorted(self.levels)
        return level

    def _grow(self, now: float, eligible: int, pending: int) -> None:
        self.account(now)
        self.n += eligible
        self.pending += pending

    def push(self, call: Call, now: float) -> None:
        self._level(call.priority).append(call)
        self._grow(now, 1, 0)

    def hold(self, call: Call, now: float) -> None:
        """``call`` enters the queue in its answer delay: counted, not yet selectable."""
        self._grow(now, 0, 1)

    def release(self, call: Call, now: float) -> None:
        """``call``'s answer delay ended: it leaves the pending count (see :meth:`insert`)."""
        self.account(now)
        self.pending -= 1

    def insert(self, call: Call, now: float) -> None:
        """Put a call whose answer delay ended at its place in its level, ordered by queue
        entry time: the delay costs it no position to calls that entered after it."""
        place(self._level(call.priority), call)
        self._grow(now, 1, 0)

    def deques(self) -> Iterator[deque[Call]]:
        """Every deque that may hold a waiting call (the centre empties them at closing)."""
        return iter(self.levels.values())

    def heads(self) -> Iterator[Call]:
        """The first live call of each non-empty priority level, highest priority first
        (calls that left earlier are dropped from the level on the way)."""
        if not self.n:
            return
        for p in self.prios:
            level = self.levels[p]
            while level and level[0].state != State.WAITING:
                level.popleft()  # left earlier (abandoned, disconnected, overflowed)
            if level:
                yield level[0]

    def waiting(self) -> Iterator[Call]:
        """Every live call an agent may answer, by priority level then in queue order."""
        if not self.n:
            return
        for p in self.prios:
            for call in self.levels[p]:
                if call.state == State.WAITING:
                    yield call

    def take(self, call: Call, now: float) -> None:
        """An agent answers ``call``, the one the policy chose: it leaves the queue (at
        once if it heads its level, else lazily when it gets there)."""
        level = self.levels[call.priority]
        if level and level[0] is call:
            level.popleft()
        self.account(now)
        self.n -= 1

    def forget(self, call: Call) -> None:
        """Drop ``call``'s entry at once: it left (pressed 2) and may ask again, as a fresh
        entry; a stale entry left for lazy removal would give it back its old place."""
        for dq in self.deques():
            if call in dq:
                dq.remove(call)
                return

    def leave(self, now: float, pending: bool = False) -> None:
        """A waiting call left from inside the queue (its state is already changed);
        ``pending``: it left during its answer delay."""
        self.account(now)
        if pending:
            self.pending -= 1
        else:
            self.n -= 1


def place(level: deque[Call], call: Call) -> None:
    """Put ``call`` in ``level`` ordered by queue entry time (from the back: it is late)."""
    j = len(level)
    while j and level[j - 1].t_queue > call.t_queue:
        j -= 1
    level.insert(j, call)
