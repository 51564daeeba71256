"""The second line: work orders for what the front line could not resolve.

An unresolved call opens a work order, when its talk ends, in the pool for its reason
(back office, repair); the pool works its own hours (a staffing table) through orders
FIFO, VIP tiers first where the pool has a green channel; a finished order asks the front
line for an outbound callback (the closed loop). Backlog and time to close are recorded
per interval.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

import numpy as np

from sim.model.agents import AgentGroup
from sim.model.component import Component, Core
from sim.model.spec import PoolSpec, SecondLineSpec
from sim.records import SecondLineRecord
from sim.sampling import derive_key, draw

if TYPE_CHECKING:
    from sim.model.calls import Call
    from sim.records import Recorder


class WorkOrder:
    __slots__ = ("id", "customer", "reason", "tier", "vip", "pool", "t_open", "t_done", "key",
                 "cls", "interval", "started", "front")

    def __init__(self, id, call, pool, vip, now, interval):
        self.id = id
        self.customer = call.customer
        self.reason = call.reason
        self.tier = call.tier
        self.cls = call.cls
        self.vip = vip
        self.pool = pool
        self.t_open = now
        self.t_done = float("nan")
        self.key = derive_key(call.key, "work_order")
        self.interval = interval
        self.started = False
        self.front = self.vip  # waits in the pool's front channel


class SecondLine(Component):
    """Pools of back-office staff working through work orders."""

    def __init__(self, spec: SecondLineSpec, core: Core, n_intervals: int):
        self.spec = spec
        self.core = core
        self.vip = core.spec.vip_by_tier()
        self.pools: list[AgentGroup[PoolSpec]] = [AgentGroup(p) for p in spec.pools]
        self.waiting: list[tuple[deque[WorkOrder], deque[WorkOrder]]] = [
            (deque(), deque()) for _ in spec.pools]  # (green channel, others)
        self.open_orders: dict[int, WorkOrder] = {}
        self.next_id = 0
        n = len(spec.pools)
        self.record = SecondLineRecord.zeros(n, n_intervals)
        self.work_orders = np.zeros((len(core.spec.classes), n_intervals))  # by call
        self._last = np.zeros((n, 2))

    def on_answer(self, call: Call, now: float) -> None:
        """An unresolved call opens its work order when the talk ends."""
        if call.resolved == 0:
            self.core.at(call.t_end - now, self._on_open_order, call)

    def _on_open_order(self, event) -> None:
        call = event.value
        now = self.core.now
        self.work_orders[call.cls, call.interval] += 1
        wo = self.open(call, self.vip[call.tier], now)
        self.core.order_opened(call, wo, now)

    def open(self, call, vip: bool, now: float) -> WorkOrder:
        pool = self.spec.pool_by_reason[call.reason]
        wo = WorkOrder(self.next_id, call, pool, vip and self.spec.pools[pool].green_channel,
                       now, call.interval)
        self.next_id += 1
        self.open_orders[wo.id] = wo
        self.record.opened[pool, wo.interval] += 1
        group = self.pools[pool]
        if group.idle:
            self._start(wo, group, group.take(now))
        else:
            self.waiting[pool][0 if wo.vip else 1].append(wo)
        return wo

    def _start(self, wo: WorkOrder, group: AgentGroup, worker: int) -> None:
        wo.started = True
        t = self.spec.pools[wo.pool].processing_time.sample1(draw(wo.key, 0))
        self.core.at(t, self._on_done, (wo, group, worker))

    def _on_done(self, event) -> None:
        wo, group, worker = event.value
        now = self.core.now
        rec = self.record
        wo.t_done = now
        del self.open_orders[wo.id]
        rec.closed[wo.pool, wo.interval] += 1
        rec.closed_at[wo.pool, self.core.interval_of(now)] += 1
        rec.time_to_close_s[wo.pool, wo.interval] += now - wo.t_open
        self.core.order_done(wo, now)
        if group.release(worker, now):
            nxt = self._next(wo.pool)
            if nxt is None:
                group.make_idle(worker)
            else:
                group.keep_busy(worker, now)
                self._start(nxt, group, worker)

    def escalate(self, wo: WorkOrder) -> None:
        """An escalated order no one has started yet moves to its pool's front channel
        (after orders already there)."""
        if wo.started or wo.front:
            return
        wo.front = True
        self.waiting[wo.pool][1].remove(wo)
        self.waiting[wo.pool][0].append(wo)

    def _next(self, pool: int) -> WorkOrder | None:
        for q in self.waiting[pool]:
            if q:
                return q.popleft()
        return None

    def on_interval_start(self, k: int, now: float) -> None:
        """The pools' staffing for interval ``k``; joining workers take waiting orders."""
        for p, group in zip(self.spec.pools, self.pools, strict=True):
            if group.set_target(p.staffing[k], now):
                while group.idle:
                    nxt = self._next(p.index)
                    if nxt is None:
                        break
                    self._start(nxt, group, group.take(now))

    def on_interval_end(self, k: int, now: float) -> None:
        rec = self.record
        for i, group in enumerate(self.pools):
            group.account(now)
            rec.busy_s[i, k] = group.busy_area - self._last[i, 0]
            rec.staffed_s[i, k] = group.staffed_area - self._last[i, 1]
            self._last[i] = (group.busy_area, group.staffed_area)
        for i in range(len(self.pools)):
            rec.backlog[i, k] = sum(1 for wo in self.open_orders.values() if wo.pool == i)

    def finish(self, rec: Recorder) -> None:
        rec.work_orders = self.work_orders
        rec.features.second_line = self.record
