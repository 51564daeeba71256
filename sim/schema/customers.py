"""``scenario.customers`` and ``scenario.value``: who calls (caller IDs) and what keeping
them is worth (retention by how a need ended)."""

from __future__ import annotations

from pydantic import Field

from sim.model.spec import RETENTION_DEFAULT
from sim.schema import limits
from sim.schema.common import Int, Probability, Section
from sim.schema.scenario import register_section


class Customers(Section):
    population: Int = Field(0, ge=0, le=limits.MAX_POPULATION,
                            description="distinct customers (repeat calls find each "
                                        "other); 0: every call a new customer")


class Retention(Section):
    """Share of customers kept, by how their need ended (domain brief §9)."""

    silent_unhappy: Probability = Field(
        RETENTION_DEFAULT["silent_unhappy"], description="never reached an agent")
    complained_unresolved: Probability = Field(
        RETENTION_DEFAULT["complained_unresolved"], description="asked, not resolved")
    resolved: Probability = Field(
        RETENTION_DEFAULT["resolved"], description="resolved after several contacts")
    resolved_quickly: Probability = Field(
        RETENTION_DEFAULT["resolved_quickly"], description="resolved at the first contact")


class Value(Section):
    retention: Retention | None = Field(None, description="retention by outcome")


register_section("customers", Customers, Customers(), "the customer base (hotline)")
register_section("value", Value | None, None, "customer value (hotline)")
