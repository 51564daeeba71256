"""Callers who call again: after abandoning or being disconnected, and to chase a work
order still open. A redial is a new call attempt of the same customer (same class, tier,
reason) with its own keyed stream derived from the previous attempt's."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from sim.model.calls import Call, Draw, Ending, Outcome
from sim.model.component import Component, Core
from sim.model.spec import CallClass, RedialSpec
from sim.sampling import derive_key, draw

if TYPE_CHECKING:
    from sim.model.second_line import WorkOrder


def class_draws(c: CallClass, key: int) -> tuple[float, float, list[float], list[float]]:
    """A caller's patience, answer delay, handle times and after-call work by group, drawn
    from class ``c``'s laws at ``key``'s fixed draw indices (a redial's new attempt, a
    caller switched to another class): the same key gives the same caller."""
    u_ht, u_acw = draw(key, Draw.HANDLE), draw(key, Draw.ACW)
    delay = (c.answer_delay.sample1(draw(key, Draw.ANSWER_DELAY))
             if c.answer_delay is not None else 0.0)
    return (c.patience.sample1(draw(key, Draw.PATIENCE)), delay,
            [d.sample1(u_ht) if d else math.nan for d in c.handle_time],
            [d.sample1(u_acw) if d else math.nan for d in c.after_call_work])


class Redials(Component):
    def __init__(self, core: Core, spec: RedialSpec):
        self.core = core
        self.spec = spec
        self.hangup = core.spec.operations.ivr_hangup_redial

    def on_end(self, call: Call, now: float) -> None:
        """An attempt that failed (not self-served) may be redialled after a delay."""
        r = self.spec
        if (call.outcome == Outcome.SELF_SERVED or call.attempt >= r.max_attempts
                or call.ending == Ending.CLOSED):
            return
        kind = "abandoned" if call.outcome == Outcome.ABANDONED else "disconnected"
        prob, law = r.prob[kind], r.delay[kind]
        if self.hangup is not None and call.ending == Ending.IVR_HANGUP:
            prob, law = self.hangup  # told there is no agent for them: fewer call again
        if draw(call.key, Draw.REDIAL) < prob:
            delay = law.sample1(draw(call.key, Draw.REDIAL_DELAY))
            self.core.at(delay, self._on_redial, call)

    def on_order_opened(self, call: Call, wo: WorkOrder, now: float) -> None:
        """A work-order customer may call again to chase the order."""
        r = self.spec
        if draw(call.key, Draw.CHASE) < r.prob["unresolved"]:
            delay = r.delay["unresolved"].sample1(draw(call.key, Draw.CHASE_DELAY))
            self.core.at(delay, self._on_chase, (call, wo))

    def _on_chase(self, event) -> None:
        """The customer chases only an order still open."""
        call, wo = event.value
        if math.isnan(wo.t_done):
            self.redial(call, self.core.now)

    def _on_redial(self, event) -> None:
        self.redial(event.value, self.core.now)

    def redial(self, prev: Call, now: float) -> None:
        """The same customer calls again (same tier and reason); its own random stream."""
        core = self.core
        if now >= core.spec.horizon_s:
            return
        c = core.spec.classes[prev.cls]
        key = derive_key(prev.key, "redial", prev.attempt + 1)
        patience, delay, service, acw = class_draws(c, key)
        call = Call(-1, c.index, c.priority, c.queue, now, core.interval_of(now), patience,
                    0.0, service, acw, key, prev.customer, prev.attempt + 1, delay)
        core.admit(call, now)
