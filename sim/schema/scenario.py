"""The scenario schema: a model composed of section models, each in its own module.

A section module defines its pydantic model and registers it with one line::

    register_section("operations", Operations | None, None, "shift rules of the desks")

Every module of ``sim.schema`` is imported before the scenario model is built, so a new
section needs no edit here. Cross-section name references (queues → groups, classes →
queues, ...) are checked once the whole scenario has validated.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field, create_model, model_validator

from sim.schema import limits
from sim.schema.common import STRICT, Seconds


@dataclass(frozen=True)
class SectionInfo:
    annotation: Any
    default: Any
    description: str
    check: Callable[[Any], None] | None  # name references into other sections


SECTIONS: dict[str, SectionInfo] = {}
# the order sections are validated and listed in (the first error is reported); sections
# not named here follow in the order they registered
ORDER = ("horizon", "arrivals", "queues", "groups", "classes", "customers", "tiers",
         "reasons", "reason_share_by_tier", "ivr", "redial", "second_line", "outbound",
         "outage", "value")


def register_section(name: str, annotation: Any, default: Any = ..., description: str = "",
                     check: Callable[[Any], None] | None = None) -> None:
    """Add ``scenario.NAME`` to the schema (``...`` as default: required). ``check``
    receives the validated scenario and raises ConfigError for a dangling name."""
    SECTIONS[name] = SectionInfo(annotation, default, description, check)
    scenario_model.cache_clear()


class ScenarioBase(BaseModel):
    """Top-level scalars of a scenario; the sections are added by :func:`scenario_model`."""

    model_config = STRICT
    name: str = Field("scenario", description="names outputs/NAME (a plain name)")
    description: str | None = Field(None, description="free text for reports")
    service_level_s: Seconds = Field(20.0, description="service level threshold, seconds")
    load: float = Field(1.0, ge=0, le=limits.MAX_LOAD,
                        description="multiplies every expected volume")
    currency: str = Field("", description="currency label of costs (reports only)")
    lines: int | None = Field(None, ge=1, le=limits.MAX_LINES,
                              description="trunk lines (calls in the system); null: no limit")
    fcr_window_s: Seconds = Field(259200.0, description="a repeat of the same need within "
                                  "this many seconds undoes a first-contact resolution")
    short_abandon_s: Seconds = Field(
        0.0, description="queue abandons that waited less than this are short abandons, "
                         "counted apart; service level and abandon rate are also reported "
                         "without them (0: none)")

    @model_validator(mode="after")
    def _references(self) -> ScenarioBase:
        for _, info in _ordered():
            if info.check is not None:
                info.check(self)
        return self


def _ordered() -> list[tuple[str, SectionInfo]]:
    known = [(n, SECTIONS[n]) for n in ORDER if n in SECTIONS]
    return known + [(n, i) for n, i in SECTIONS.items() if n not in ORDER]


def _load_sections() -> None:
    import sim.schema as package

    for mod in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"sim.schema.{mod.name}")


@functools.cache
def scenario_model() -> type[BaseModel]:
    """The scenario model with every registered section (built once per registry)."""
    _load_sections()
    fields: dict[str, Any] = {
        name: (info.annotation, Field(info.default, description=info.description))
        for name, info in _ordered()}
    return create_model("Scenario", __base__=ScenarioBase, **fields)


def validate_scenario(scn: Any) -> Any:
    """The scenario mapping validated (types, limits, keys, names), or one ConfigError."""
    from sim.schema.errors import validate

    return validate(scenario_model(), scn, "scenario")
