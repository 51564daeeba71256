"""What a routing policy may see of the centre: read-only, typed views.

A policy decides; the engine acts. It sees waiting calls, queues and agent groups through
these protocols (properties and iterators only, nothing to assign or pop), returns the call
or group it chose, and the engine moves exactly that call (:meth:`CallQueue.take`). The
engine's own classes satisfy the protocols structurally, so the views cost nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from sim.model.spec import GroupSpec, QueueSpec


class CallView(Protocol):
    """A call as a policy sees it: who it is, where it waits, since when."""

    @property
    def id(self) -> int: ...
    @property
    def cls(self) -> int: ...  # class index (ModelSpec.classes)
    @property
    def tier(self) -> int: ...  # -1 without caller identification
    @property
    def priority(self) -> int: ...  # smaller is served first
    @property
    def queue(self) -> int: ...  # skill queue index
    @property
    def t_queue(self) -> float: ...  # entered the queue (NaN before)
    @property
    def key(self) -> int: ...  # the call's keyed stream: the only randomness allowed


class QueueView(Protocol):
    """One skill queue: priority levels, FIFO within a level."""

    @property
    def index(self) -> int: ...
    @property
    def spec(self) -> QueueSpec: ...
    @property
    def n(self) -> int: ...  # calls waiting that an agent may answer now

    def heads(self) -> Iterator[CallView]:
        """The first live call of each non-empty priority level, highest priority first."""
        ...

    def waiting(self) -> Iterator[CallView]:
        """Every live call an agent may answer: by priority level, then in queue order."""
        ...


class GroupView(Protocol):
    """One agent skill group."""

    @property
    def index(self) -> int: ...
    @property
    def spec(self) -> GroupSpec: ...
    @property
    def idle(self) -> int: ...  # agents available for a call now (the one just freed excluded)
    @property
    def on_duty(self) -> int: ...  # agents of the headcount not away (idle or working)
