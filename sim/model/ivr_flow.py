"""Walking the IVR tree: one timed event per node, then the node's decision (abandon,
branch, self-service, verification, transfer to a queue, hang-up) from the call's own
keyed stream, drawn in sequence (``call.k``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.model.calls import Call, Ending, Outcome
from sim.model.component import Component, Core
from sim.model.distributions import Deterministic
from sim.sampling import draw

if TYPE_CHECKING:
    from sim.model.outage import Outage


class Ivr(Component):
    def __init__(self, core: Core, outage: Outage | None):
        self.core = core
        self.nodes = core.spec.ivr.nodes if core.spec.ivr else ()
        self.outage = outage
        self.notice_node = outage.spec.notice_node if outage is not None else -2
        # hot path (one visit per node per call): bound once. A deterministic node time
        # reads no uniform, so its (pure) draw is skipped; the draw index still advances.
        self._at = core.at
        self._on_node_cb = self._on_node
        self._fixed = tuple(n.time.value if isinstance(n.time, Deterministic) else None
                            for n in self.nodes)

    def enter(self, call: Call, index: int) -> None:
        """``call`` enters node ``index`` (the outage notice instead, while one is on)."""
        if self.outage is not None:
            index = self.outage.node_for(call, index, self.core.now)
        call.node = index
        k = call.k = call.k + 1
        t = self._fixed[index]
        if t is None:
            t = self.nodes[index].time.sample1(draw(call.key, k))
        self._at(t, self._on_node_cb, call)

    def _on_node(self, event) -> None:
        call: Call = event.value
        core = self.core
        now = core.now
        node = self.nodes[call.node]
        if node.abandon_prob:
            call.k += 1
            if draw(call.key, call.k) < node.abandon_prob:
                core.leave(call, Outcome.ABANDONED, Ending.IVR_ABANDON, now)
                return
        kind = node.kind
        if kind == "transfer":
            call.queue = node.queue
            core.ask_agent(call, now)
            return
        if kind == "hangup":
            core.leave(call, Outcome.DISCONNECTED, Ending.IVR_HANGUP, now)
            return
        call.k += 1
        if kind == "menu":
            if node.by_reason is not None:  # the draw is taken (call.k) but not needed
                nxt = node.by_reason[call.reason]
            else:
                u = draw(call.key, call.k)
                nxt = node.branches[-1][0]  # its cumulative share is 1.0 > u
                for target, cum in node.branches:
                    if u < cum:
                        nxt = target
                        break
            self.enter(call, nxt)
            return
        u = draw(call.key, call.k)
        if kind == "self_service":
            if u < node.resolve_prob:
                ending = (Ending.OUTAGE_NOTICE if call.node == self.notice_node
                          else Ending.PRESS2_SELF_SERVICE if call.pressed2
                          else Ending.SELF_SERVICE)
                core.leave(call, Outcome.SELF_SERVED, ending, now)
                return
            nxt = node.next
        else:  # verification
            if u < node.fail_prob:
                call.failures += 1
                nxt = node.on_fail if call.failures > node.max_failures else node.index
            else:
                nxt = node.next
        self.enter(call, nxt)
