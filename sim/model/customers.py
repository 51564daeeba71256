"""Customers and their needs across contacts: caller ID, repeat calls, first-contact
resolution (FCR) and the episodes behind customer-value KPIs (hotline scenarios).

Memory stays flat in the horizon: an episode is counted into a (tier, end state) tally and
dropped once its FCR window has passed and nothing can change it any more (no call of
that need in the system, no work order open for it). A later contact of the same need
would open a new episode anyway, so the tally is exactly what keeping every episode gave.
"""

from __future__ import annotations

import math
from collections import deque
from typing import TYPE_CHECKING, cast

import numpy as np

from sim.model.calls import Call, Draw, Outcome
from sim.model.component import Component, Core
from sim.model.spec import KeyCustomerSpec
from sim.sampling import derive_key, draw, stream_key

if TYPE_CHECKING:
    from sim.model.second_line import WorkOrder
    from sim.records import Recorder


# how a need ended (domain brief §9), the columns of the episode tally
VALUE_STATES = ("silent_unhappy", "complained_unresolved", "resolved", "resolved_quickly")

Need = tuple[int, int]  # (customer, reason)


class Episode:
    """One customer's need (customer, reason) across contacts: for repeat-call, FCR and
    customer-value KPIs."""

    __slots__ = ("tier", "last_seen", "asked", "resolved", "quick", "fcr_cls",
                 "fcr_interval", "fcr_t")

    def __init__(self, tier: int, now: float):
        self.tier = tier
        self.last_seen = now
        self.asked = False  # asked for an agent at least once
        self.resolved = False
        self.quick = False  # resolved at the first contact
        self.fcr_cls = -1  # where the pending first-contact resolution was counted
        self.fcr_interval = -1
        self.fcr_t = math.nan

    @property
    def state(self) -> int:
        """How the need ended: an index into :data:`VALUE_STATES`."""
        if self.resolved:
            return 3 if self.quick else 2
        return 1 if self.asked else 0


class Customers(Component):
    """Who calls and why: identifies each attempt's customer, draws whether the agent
    resolved the need, and counts first-contact resolutions (taken back when the same
    need calls again within the FCR window)."""

    def __init__(self, core: Core):
        spec = core.spec
        self.spec = spec
        self.classes = spec.classes
        self.contacts: dict[Need, Episode] = {}  # open episodes by need
        # episodes that can no longer change, counted by tier and end state
        self.tally = np.zeros((max(len(spec.tiers), 1), len(VALUE_STATES)), dtype=np.int64)
        self.busy: dict[Need, int] = {}  # calls in the system + open work orders, by need
        self.seen: deque[tuple[float, Need]] = deque()  # (contact time, need), in time order
        self.held: list[Need] = []  # needs past their window, still busy at the last sweep
        self.fcr = np.zeros((len(spec.classes), spec.n_intervals))
        # closed loop: a work order resolves the need when its callback reaches the
        # customer, not when the order closes
        self.loop = spec.operations.callbacks is not None
        self.key = spec.operations.key_customers
        if self.key is not None:
            self.key_stream = stream_key(core.seed, core.rep, "key_customers")
            self.key_calls = np.zeros((len(self.key.grades), spec.n_intervals))

    def on_admit(self, call: Call, now: float) -> None:
        """Caller-ID lookup: customer, tier and reason; a repeat contact of an episode?"""
        c = self.classes[call.cls]
        call.tier, call.reason = c.tier, c.reason
        if call.customer < 0:
            pop = self.spec.population
            call.customer = (int(draw(call.key, Draw.CUSTOMER) * pop) if pop
                             else (1 << 40) + call.id)
        if self.key is not None:
            self._key_person(call)
        need = (call.customer, call.reason)
        self.busy[need] = self.busy.get(need, 0) + 1
        self.seen.append((now, need))
        ep = self.contacts.get(need)
        if ep is not None and now - ep.last_seen > self.spec.fcr_window_s:
            self._count(ep)  # a new need, long after the last contact
            ep = None
        if ep is None:
            self.contacts[need] = Episode(call.tier, now)
        else:
            call.repeat = True
            ep.last_seen = now
            if ep.fcr_cls >= 0 and now - ep.fcr_t <= self.spec.fcr_window_s:
                # a repeat within the window: the earlier contact did not resolve it after all
                self.fcr[ep.fcr_cls, ep.fcr_interval] -= 1
                ep.fcr_cls = -1
                ep.quick = False

    def _key_person(self, call: Call) -> None:
        """Caller ID matches a key person of a government/enterprise customer: the call is
        served as the grade's VIP tier (same reason; the customer, so every call of it)."""
        key = cast(KeyCustomerSpec, self.key)
        u = draw(derive_key(self.key_stream, call.customer), 0)
        for g, share in enumerate(key.shares):
            if u < share:
                to = key.class_map[g][call.cls]
                if to >= 0:
                    c = self.classes[to]
                    call.cls, call.priority, call.queue = to, c.priority, c.queue
                    call.tier = c.tier
                    self.key_calls[g, call.interval] += 1
                return
            u -= share

    def on_ask(self, call: Call, now: float) -> None:
        self.contacts[(call.customer, call.reason)].asked = True

    def on_answer(self, call: Call, now: float) -> None:
        """Did the agent resolve the need? (Unresolved: the second line takes it.)"""
        res = self.classes[call.cls].resolution
        call.resolved = int(not res or draw(call.key, Draw.RESOLUTION) < res[call.group])
        if call.resolved:
            self._resolved(call, now)
        if call.resolved or self.spec.second_line is None:
            self._release((call.customer, call.reason))
        # else the need stays busy until its work order, opened when the talk ends, is done

    def on_end(self, call: Call, now: float) -> None:
        if call.outcome == Outcome.SELF_SERVED:
            self._resolved(call, now)
        self._release((call.customer, call.reason))

    def on_order_done(self, wo: WorkOrder, now: float) -> None:
        if not self.loop:
            self._order_resolved(wo)

    def on_callback_reached(self, wo: WorkOrder, now: float) -> None:
        if self.loop:
            self._order_resolved(wo)

    def _order_resolved(self, wo: WorkOrder) -> None:
        ep = self.contacts.get((wo.customer, wo.reason))
        if ep is not None:
            ep.resolved = True
        self._release((wo.customer, wo.reason))

    def _release(self, need: Need) -> None:
        left = self.busy[need] - 1
        if left:
            self.busy[need] = left
        else:
            del self.busy[need]

    def _count(self, ep: Episode) -> None:
        self.tally[ep.tier, ep.state] += 1

    def on_interval_end(self, k: int, now: float) -> None:
        """Count and drop the episodes that can no longer change: past their FCR window
        (a new contact would open a new episode) with nothing of theirs in progress."""
        window = self.spec.fcr_window_s
        stale = []
        while self.seen and now - self.seen[0][0] > window:
            t, need = self.seen.popleft()
            ep = self.contacts.get(need)
            if ep is not None and ep.last_seen == t:  # else a later contact renewed it
                stale.append(need)
        held, self.held = self.held + stale, []
        for need in held:
            ep = self.contacts.get(need)
            if ep is None or now - ep.last_seen <= window:
                continue  # counted already, or renewed (its own entry in seen)
            if need in self.busy:
                self.held.append(need)
            else:
                self._count(ep)
                del self.contacts[need]

    def _resolved(self, call: Call, now: float) -> None:
        """The need was met by this contact (agent or self-service)."""
        ep = self.contacts[(call.customer, call.reason)]
        if not ep.resolved and not call.repeat:
            ep.quick = True
            if call.outcome == Outcome.ANSWERED:
                self.fcr[call.cls, call.interval] += 1
                ep.fcr_cls, ep.fcr_interval, ep.fcr_t = call.cls, call.interval, now
        ep.resolved = True

    def episode_tally(self) -> np.ndarray:
        """Every episode of the run by (tier, end state): the counted ones and those still
        open at the end."""
        out = self.tally.copy()
        for ep in self.contacts.values():
            out[ep.tier, ep.state] += 1
        return out

    def finish(self, rec: Recorder) -> None:
        rec.fcr = self.fcr
        rec.features.episodes = self.episode_tally()
        if self.key is not None:
            rec.features.key_calls = self.key_calls
