"""``scenario.queues``: where calls wait, which groups answer them, announcements and the
forced disconnect."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from sim.errors import ConfigError
from sim.schema.common import Names, PositiveSeconds, Probability, Section
from sim.schema.scenario import register_section


class Queue(Section):
    """A queue served by skill groups in the order listed (unless a group orders them)."""

    groups: Names = Field(min_length=1, description="groups answering this queue")
    max_wait_s: PositiveSeconds | None = Field(None, description="forced disconnect after "
                                               "this wait, s (null: none)")
    announce_s: list[PositiveSeconds] | None = Field(None, description="waits at which an "
                                                     "announcement plays, s (e.g. [20, 40])")
    press2_prob: Probability = Field(0.0, description="share of callers who press 2 at an "
                                     "announcement (hotline scenarios)")
    press2_node: str | None = Field(None, description="IVR node pressing 2 leads to "
                                    "[checked: IVR node]")


def live(entries: dict[str, Any] | None) -> list[str]:
    """Entry names in order; an entry set to null is removed (how a config file deletes an
    inherited class, queue or group)."""
    return [name for name, v in (entries or {}).items() if v is not None]


def check_queues(scn: Any) -> None:
    """Every group a queue names exists, once."""
    groups = live(scn.groups)
    for section in ("queues", "groups"):
        if not live(getattr(scn, section)):
            raise ConfigError(f"scenario.{section}", "must define at least one entry")
    for name in live(scn.queues):
        key = f"scenario.queues.{name}.groups"
        listed = scn.queues[name].groups
        for g in listed:
            if g not in groups:
                raise ConfigError(key, f"unknown group {g!r}; allowed: {', '.join(groups)}")
        if len(set(listed)) != len(listed):
            raise ConfigError(key, "lists a group twice")


register_section("queues", dict[str, Queue | None], ..., "queues by name", check_queues)
