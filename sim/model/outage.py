"""A network outage as the centre sees it: fault calls counted, a repair ticket opened at
a threshold, and from then the IVR tells callers of the fault (hotline scenarios)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from sim.model.calls import Call
from sim.model.component import Component
from sim.model.spec import OutageSpec

if TYPE_CHECKING:
    from sim.records import Recorder


class Outage(Component):
    def __init__(self, spec: OutageSpec):
        self.spec = spec
        self.calls = 0  # fault calls during the outage
        self.ticket_open_s = math.nan

    def on_admit(self, call: Call, now: float) -> None:
        o = self.spec
        if call.reason == o.reason and o.start_s <= now < o.start_s + o.duration_s:
            self.calls += 1
            if self.calls == o.ticket_threshold and math.isnan(self.ticket_open_s):
                self.ticket_open_s = now

    def notice_on(self, now: float) -> bool:
        """The IVR announces the outage: a ticket is open and the outage is not over."""
        o = self.spec
        return (not math.isnan(self.ticket_open_s)) and now < o.start_s + o.duration_s

    def node_for(self, call: Call, index: int, now: float) -> int:
        """The IVR node a call enters instead of ``index``: the outage notice, once per
        call, in place of the menu where fault callers would choose."""
        if index == self.spec.menu_node and not call.noticed and self.notice_on(now):
            call.noticed = True
            return self.spec.notice_node
        return index

    def finish(self, rec: Recorder) -> None:
        rec.features.ticket_open_s = self.ticket_open_s
