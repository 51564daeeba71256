"""The routing-policy interface: the decisions a contact centre's router makes.

1. ``route(call)`` — a call asks for an agent (or a wake-up fires): which group with an
   idle agent takes it now, or none (the call waits in its queue).
2. ``select(group)`` — an agent of ``group`` becomes free: which waiting call it takes,
   or none (the agent stays idle or does outbound work). The engine answers exactly the
   call returned, wherever it waits in its queue.
3. ``wakeups(call)`` — waits (seconds) at which ``route`` is asked again for a waiting
   call: how overflow after a delay is expressed.
4. ``offer_callback(call, announcement)`` — at a waiting announcement, whether the caller
   is offered (and accepts) a callback that keeps the place in the queue (virtual hold).

Reservation is a rule inside ``route``/``select``. A policy sees the centre's queues,
groups and calls through read-only views (:mod:`sim.policies.view`) and changes nothing:
it returns a decision and the engine carries it out. It draws no random numbers of its own
except from the call's keyed stream (``sim.sampling.draw(call.key, ...)``), so common random
numbers hold across policies. Parameters come from ``policy.params`` in the config as
keyword arguments.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from sim.schema.policy import PolicyParams

if TYPE_CHECKING:
    from sim.model.spec import ModelSpec
    from sim.policies.view import CallView, GroupView, QueueView


class Policy:
    """Base policy: a new call goes to the first group, in its queue's preference order,
    with an idle agent; a freed agent takes the highest-priority, longest-waiting call of
    the queues its group serves (strict priority). Subclasses override what they change."""

    name = "base"
    # True if idle agents may be held back while calls wait (a reserve): the engine then
    # re-offers waiting calls when a group's agents on duty fall
    holds_idle = False
    Params = PolicyParams  # policy.params: a subclass declares its own model

    def bind(self, queues: Sequence[QueueView], groups: Sequence[GroupView],
             spec: ModelSpec, now: Callable[[], float] = lambda: 0.0) -> None:
        self.queues = queues
        self.groups = groups
        self.spec = spec
        self.now = now  # the simulation clock
        # for each group, the queues it serves in its preference order
        self.served: list[list[QueueView]] = [[queues[q] for q in g.spec.queues]
                                              for g in groups]
        self.offer_to: list[list[GroupView]] = [[groups[g] for g in q.spec.groups]
                                                for q in queues]

    def route(self, call: CallView) -> GroupView | None:
        for group in self.offer_to[call.queue]:
            if group.idle:
                return group
        return None

    def select(self, group: GroupView) -> CallView | None:
        return best_head(self.served[group.index])

    def wakeups(self, call: CallView) -> tuple[float, ...]:
        return ()

    def offer_callback(self, call: CallView, announcement: int) -> bool:
        return False


def best_head(queues: Iterable[QueueView],
              accept: Callable[[CallView], bool] | None = None) -> CallView | None:
    """The highest-priority, longest-waiting live call at the head of any priority level of
    ``queues`` that ``accept(call)`` allows (ties: earlier queue in the list)."""
    best = None
    for queue in queues:
        for call in queue.heads():
            if accept is not None and not accept(call):
                continue
            if best is None or call.priority < best.priority or (
                    call.priority == best.priority and call.t_queue < best.t_queue):
                best = call
            break  # lower levels of this queue cannot beat its head
    return best
