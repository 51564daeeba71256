"""``scenario.redial``: callers who try again after an abandoned, disconnected or
unresolved attempt."""

from __future__ import annotations

from pydantic import Field

from sim.schema import limits
from sim.schema.common import Int, Law, Probability, Section
from sim.schema.scenario import register_section


class RedialKind(Section):
    prob: Probability = Field(0.0, description="probability of calling again")
    delay: Law = Field(600, description="time before the redial, s (finite)")


class Redial(Section):
    abandoned: RedialKind = Field(default_factory=RedialKind)
    disconnected: RedialKind = Field(default_factory=RedialKind)
    unresolved: RedialKind = Field(default_factory=RedialKind)
    max_attempts: Int = Field(10, ge=0, le=limits.MAX_REDIAL_ATTEMPTS,
        description="attempts of one customer's need at most")


register_section("redial", Redial | None, None, "callers who call again (null: none)")
