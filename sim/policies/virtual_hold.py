"""Callback offer (virtual hold) at the waiting announcements: the caller is offered a
callback that keeps the place in the queue; one who accepts hangs up, no longer abandons
or is disconnected, and is called back when an agent reaches the place. Acceptance is
drawn from the call's own keyed stream, so it is the same call under every policy."""

from __future__ import annotations

from pydantic import Field

from sim.policies.base import Policy
from sim.sampling import draw
from sim.schema.policy import ANNOUNCEMENT_REF, PolicyParams

ACCEPT_DRAW = 1500  # draw index in the call's stream (see sim.model.calls.Draw)


class VirtualHold(Policy):
    name = "virtual_hold"

    class Params(PolicyParams):
        accept_prob: float = Field(0.3, ge=0, le=1, description="probability a caller "
                                   "accepts the offer")
        at_announcements: list[int] = Field([1, 2], json_schema_extra=ANNOUNCEMENT_REF,
                                            description="announcements (1 = first) at "
                                            "which the callback is offered")

    def __init__(self, accept_prob: float = 0.3, at_announcements: tuple = (1, 2)):
        if not 0 <= accept_prob <= 1:
            raise ValueError("accept_prob must be in [0, 1]")
        self.accept_prob = float(accept_prob)
        self.at = tuple(int(a) for a in at_announcements)

    def offer_callback(self, call, announcement: int) -> bool:
        return (announcement in self.at
                and draw(call.key, ACCEPT_DRAW + announcement) < self.accept_prob)
