"""Seat sites and dialect routing (``scenario.sites``): an eligibility rule the core
applies under every routing policy, as it applies answer delays.

A caller who needs its region's dialect is *restricted* from the moment it asks for an
agent until it has waited ``fallback_s``: while restricted, it waits in a side list of its
queue that only agents who speak the dialect see (:class:`SitedQueue`), and when it asks
for an agent the policy is shown only the groups that speak it (:class:`SitedGroup`:
the others show no idle agent). At the fallback the call takes its place, by queue entry
time, among the queue's other calls and is offered to any group, as a policy wake-up
would. Mandarin callers are never held back: every agent speaks Mandarin.

Policies stay unaware: they read ``heads()``/``waiting()`` and ``idle`` as always; the
core sets whose eyes they look through (:class:`Viewer`) around each decision.
"""

from __future__ import annotations

import heapq
import itertools
from collections import deque
from collections.abc import Iterator
from typing import TYPE_CHECKING, cast

import numpy as np

from sim.model.agents import _IDLE, AgentGroup
from sim.model.calls import Call, State
from sim.model.component import Component
from sim.model.queues import CallQueue, place
from sim.records import SITE_GROUP_FIELDS, SITE_REGION_FIELDS, SiteRecord
from sim.sampling import derive_key, draw, stream_key

if TYPE_CHECKING:
    from sim.model.component import Core
    from sim.model.spec import GroupSpec, QueueSpec, SitesSpec
    from sim.policies.view import CallView, GroupView
    from sim.records import Recorder

PURPOSE = "site_region"  # keyed stream of a caller's region and dialect need


class Viewer:
    """The dialects of the agent group a policy is choosing a call for (empty: none)."""

    __slots__ = ("dialects", "dialect_first")

    def __init__(self, dialect_first: bool = True) -> None:
        self.dialects: frozenset[int] = frozenset()
        # an agent takes a waiting caller of its dialect before the longer-waiting head of
        # the same priority level (scenario.sites.dialect_first)
        self.dialect_first = dialect_first


class SitedQueue(CallQueue):
    """A skill queue whose restricted (dialect, before fallback) calls wait in side lists
    by (dialect, priority), visible only to agents who speak the dialect."""

    __slots__ = ("side", "viewer")

    def __init__(self, spec: QueueSpec, viewer: Viewer):
        super().__init__(spec)
        self.side: dict[tuple[int, int], deque[Call]] = {}
        self.viewer = viewer

    def _side(self, call: Call) -> deque[Call]:
        key = (call.dialect, call.priority)
        side = self.side.get(key)
        if side is None:
            side = self.side[key] = deque()
        return side

    def push(self, call: Call, now: float) -> None:
        if not call.restricted:
            super().push(call, now)
            return
        self._side(call).append(call)
        self._grow(now, 1, 0)

    def insert(self, call: Call, now: float) -> None:
        if not call.restricted:
            super().insert(call, now)
            return
        place(self._side(call), call)
        self._grow(now, 1, 0)

    def unrestrict(self, call: Call) -> None:
        """The dialect fallback: the call moves from its side list to its priority level,
        at its place by queue entry time (still counted waiting)."""
        self.side[call.dialect, call.priority].remove(call)
        call.restricted = False
        place(self._level(call.priority), call)

    def take(self, call: Call, now: float) -> None:
        if not call.restricted:
            super().take(call, now)
            return
        side = self.side[call.dialect, call.priority]
        if side and side[0] is call:
            side.popleft()
        self.account(now)
        self.n -= 1

    def _visible(self) -> tuple[list[int], tuple[int, ...]]:
        """The priority levels in view and the viewer's dialects in ascending order (the
        order ties between dialect lists are settled in; the compiled loop's too)."""
        mine = self.viewer.dialects
        prios = set(self.prios)
        prios.update(p for (d, p), side in self.side.items() if d in mine and side)
        return sorted(prios), tuple(sorted(mine))

    def heads(self) -> Iterator[Call]:
        if not self.n:
            return
        if not self.viewer.dialects or not self.side:
            yield from super().heads()
            return
        prios, mine = self._visible()
        first = self.viewer.dialect_first
        for p in prios:
            best = None
            for d in (*mine, -1):  # dialect side lists, then the level itself
                if d < 0 and first and best is not None:
                    break  # dialect_first: its dialect's caller before the level's head
                dq = self.levels.get(p) if d < 0 else self.side.get((d, p))
                while dq and dq[0].state != State.WAITING:
                    dq.popleft()  # left earlier
                if dq and (best is None or dq[0].t_queue < best.t_queue):
                    best = dq[0]
            if best is not None:
                yield best

    def waiting(self) -> Iterator[Call]:
        if not self.n:
            return
        if not self.viewer.dialects or not self.side:
            yield from super().waiting()
            return
        prios, mine = self._visible()
        for p in prios:
            sides = [self.side.get((d, p), ()) for d in mine]
            level = self.levels.get(p, ())
            seq: Iterator[Call]
            if self.viewer.dialect_first:
                seq = itertools.chain(heapq.merge(*sides, key=_entry), level)
            else:
                seq = heapq.merge(level, *sides, key=_entry)
            for call in seq:
                if call.state == State.WAITING:
                    yield call

    def deques(self) -> Iterator[deque[Call]]:
        yield from self.levels.values()
        yield from self.side.values()


def _entry(call: Call) -> float:
    return call.t_queue


class SitedGroup(AgentGroup):
    """An agent group that shows no idle agent while ``closed`` (a restricted call whose
    dialect it does not speak is being routed)."""

    __slots__ = ("closed",)

    def __init__(self, spec: GroupSpec):
        super().__init__(spec)
        self.closed = False

    @property
    def idle(self) -> int:
        return 0 if self.closed else self.count[_IDLE]


class Sites(Component):
    """Draws each caller's region and dialect need, applies the dialect rule around the
    policy's decisions, and counts per region and per group what the KPIs need."""

    def __init__(self, core: Core, spec: SitesSpec, viewer: Viewer):
        self.core = core
        self.spec = spec
        self.viewer = viewer
        self.policy = core.policy
        groups = core.groups
        self.speaks = [spec.site_dialects[g.spec.site] for g in groups]
        # per dialect: the groups that do not speak it (closed while such a call routes)
        self.closed_to: list[list[SitedGroup]] = [
            [cast(SitedGroup, g) for g in groups if d not in self.speaks[g.index]]
            for d in range(len(spec.dialects))]
        self.key = stream_key(core.seed, core.rep, PURPOSE)
        self.cum = np.cumsum(spec.region_share).tolist()
        self.sl = core.spec.service_level_s
        nr, ng, ni = len(spec.regions), len(groups), core.spec.n_intervals
        # by (region, arrival interval)
        self.region = {k: np.zeros((nr, ni)) for k in SITE_REGION_FIELDS}
        # by (group, arrival interval)
        self.group = {k: np.zeros((ng, ni)) for k in SITE_GROUP_FIELDS}

    # -- callers ---------------------------------------------------------------------------
    def _assign(self, call: Call) -> None:
        """Region and dialect need: per customer when customers are modelled (the same
        person every call), else per call; from their own keyed stream, so no other draw
        of any call changes."""
        sub = (derive_key(self.key, call.customer) if call.customer >= 0
               else derive_key(call.key, PURPOSE))
        u = draw(sub, 0)
        r = next((i for i, c in enumerate(self.cum) if u < c), len(self.cum) - 1)
        call.region = r
        d = self.spec.region_dialect[r]
        if d >= 0 and draw(sub, 1) < self.spec.dialect_need[r][call.cls]:
            call.dialect = d

    def on_ask(self, call: Call, now: float) -> None:
        first = call.region < 0
        if first:
            self._assign(call)
        r, k = call.region, call.interval
        if first:
            self.region["asked"][r, k] += 1
            if call.dialect >= 0:
                self.region["dialect_asked"][r, k] += 1
        if call.dialect >= 0 and self.spec.fallback_s > 0:
            call.restricted = True
            self.core.at(self.spec.fallback_s, self._on_fallback, (call, now))

    def _on_fallback(self, event) -> None:
        call, asked = event.value
        if call.state != State.WAITING or call.t_queue != asked or not call.restricted:
            return  # answered, gone, or asking again (a fresh fallback clock)
        if call.pending:  # still in its answer delay: it will enter unrestricted
            call.restricted = False
            return
        self.core.queues[call.queue].unrestrict(call)
        self.core.offer_again(call, self.core.now)

    def on_answer(self, call: Call, now: float) -> None:
        if call.region < 0:
            return  # answered without asking (not a queue call)
        g, r, k = call.group, call.region, call.interval
        in_sl = now - call.t_queue <= self.sl
        reg, grp = self.region, self.group
        reg["answered"][r, k] += 1
        grp["answered"][g, k] += 1
        if in_sl:
            reg["answered_in_sl"][r, k] += 1
            grp["answered_in_sl"][g, k] += 1
        if call.dialect >= 0:
            field = "in_dialect" if call.dialect in self.speaks[g] else "in_mandarin"
            reg[field][r, k] += 1
            grp[field][g, k] += 1
        call.restricted = False

    # -- the policy's decisions, through the dialect rule ------------------------------------
    def route(self, call: CallView) -> GroupView | None:
        """``policy.route`` shown only the groups that speak a restricted call's dialect."""
        if not call.restricted:  # type: ignore[attr-defined]
            return self.policy.route(call)
        closed = self.closed_to[call.dialect]  # type: ignore[attr-defined]
        for g in closed:
            g.closed = True
        try:
            return self.policy.route(call)
        finally:
            for g in closed:
                g.closed = False

    def select(self, group: GroupView) -> CallView | None:
        """``policy.select`` with the group's dialects' restricted calls in view."""
        self.viewer.dialects = self.speaks[group.index]
        try:
            return self.policy.select(group)
        finally:
            self.viewer.dialects = frozenset()

    def hidden(self, group: AgentGroup, queue: CallQueue) -> int:
        """Calls waiting in ``queue`` that ``group``'s agents may not be offered: dialect
        callers before their fallback whose dialect the group does not speak."""
        side = cast(SitedQueue, queue).side
        mine = self.speaks[group.index]
        return sum(call.state == State.WAITING for (d, _), dq in side.items()
                   if d not in mine for call in dq)

    def finish(self, rec: Recorder) -> None:
        rec.features.sites = SiteRecord(self.region, self.group)

