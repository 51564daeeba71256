"""Complaint escalation: a complaint the agent cannot settle at once becomes a work order
that climbs the escalation levels while it stays open (002: answered at once, else an
e-work order; 003: graded handling with time limits).

At each level's ``after_s`` (from the order's opening) an order still open is escalated:
counted at that level and, if no one has started on it yet, moved to the front channel of
its pool (before ordinary orders). An order closed later than ``time_limit_s`` after it
opened, or still open past it when the run ends, is overdue.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.model.component import Component, Core
from sim.records import ComplaintRecord

if TYPE_CHECKING:
    from sim.model.calls import Call
    from sim.model.second_line import SecondLine, WorkOrder
    from sim.model.spec import ComplaintSpec
    from sim.records import Recorder


class Complaints(Component):
    def __init__(self, spec: ComplaintSpec, core: Core, second_line: SecondLine):
        self.spec = spec
        self.core = core
        self.second_line = second_line
        self.open: dict[int, WorkOrder] = {}
        self.record = ComplaintRecord(
            orders=np.zeros(core.spec.n_intervals),
            escalations=np.zeros((len(spec.levels), core.spec.n_intervals)))

    def on_order_opened(self, call: Call, wo: WorkOrder, now: float) -> None:
        if wo.reason != self.spec.reason:
            return
        self.open[wo.id] = wo
        self.record.orders[wo.interval] += 1
        for level, after in enumerate(self.spec.levels):
            self.core.at(after, self._on_deadline, (wo, level))

    def _on_deadline(self, event) -> None:
        wo, level = event.value
        if wo.id not in self.open:
            return  # closed in time for this level
        self.record.escalations[level, self.core.interval_of(self.core.now)] += 1
        self.second_line.escalate(wo)

    def on_order_done(self, wo: WorkOrder, now: float) -> None:
        if self.open.pop(wo.id, None) is None:
            return
        if now - wo.t_open > self.spec.time_limit_s:
            self.record.overdue += 1
        else:
            self.record.closed_in_time += 1

    def finish(self, rec: Recorder) -> None:
        now = self.core.now
        self.record.overdue += sum(1 for wo in self.open.values()
                                   if now - wo.t_open > self.spec.time_limit_s)
        self.record.still_open = float(len(self.open))
        rec.features.complaints = self.record
