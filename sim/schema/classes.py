"""``scenario.classes``: the call classes of a simple scenario (a hotline derives its
classes from tiers × reasons instead)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from sim.errors import ConfigError
from sim.schema import limits
from sim.schema.common import Int, KeyedError, Law, PerIntervalCalls, Probability, Section
from sim.schema.queues import live
from sim.schema.scenario import register_section


class Handling(Section):
    """How long an agent is busy with a call, by default and by group."""

    handle_time: Law = Field(description="talk time, s (finite)")
    handle_time_by_group: dict[str, Law] | None = Field(
        None, description="handle time by group [checked: group]")
    after_call_work: Law = Field(0, description="wrap-up after the call, s (finite)")
    after_call_work_by_group: dict[str, Law] | None = Field(
        None, description="after-call work by group [checked: group]")


class CallClass(Handling):
    """A kind of call: its share of arrivals (or own volume), queue, priority and laws."""

    mix: Probability | None = Field(None, description="share of arrivals.calls_per_interval")
    calls_per_interval: PerIntervalCalls | None = Field(
        None, description="the class's own expected calls per interval (instead of mix)")
    priority: Int = Field(0, ge=0, le=limits.MAX_PRIORITY, description="0 is served first")
    queue: str = Field(description="the queue it waits in [checked: queue]")
    patience: Law = Field(None, description="time before abandoning, s (null: never)")
    ivr_time: Law = Field(0, description="time in the IVR before queueing, s (finite)")
    answer_delay: Law = Field(None, description="time in queue before a call may be "
                              "answered (e.g. a mandatory announcement), s (null: off)")
    when_busy: dict[str, Probability] | None = Field(
        None, description="a caller of this class who finds a caller waiting in the queues "
        "of these classes, or no agent free for him, becomes one of them with these "
        "probabilities (the rest stay): e.g. a VRU that puts callers through unidentified "
        "when an agent is free and identifies the others (SimPy engine) [checked: class]")
    when_free: dict[str, Probability] | None = Field(
        None, description="a caller of this class who finds an agent free for him and "
        "nobody waiting in the queues of his when_busy / when_free classes becomes one of "
        "these with these probabilities (the rest stay): e.g. the share such a VRU "
        "identifies all the same (SimPy engine) [checked: class]")
    kind: Literal["call", "work"] = Field(
        "call", description="call: a customer's call, counted in every call KPI; work: the "
        "agents' own work (e.g. the calibration's hidden_work), which occupies them but is "
        "no call: left out of the call KPIs and reported apart (tasks, agent-hours, share "
        "of available time)")

    @model_validator(mode="after")
    def _volume(self) -> CallClass:
        if self.calls_per_interval is not None and self.mix is not None:
            raise KeyedError("mix", "give either mix (a share of arrivals.calls_per_interval) "
                                    "or calls_per_interval, not both")
        if self.calls_per_interval is None and self.mix is None:
            raise KeyedError("mix", "is required (or calls_per_interval)")
        return self


def by_group_names(scn: Any, key: str, entry: Any, fields: tuple[str, ...]) -> None:
    """Overrides by group name only name groups of the scenario."""
    groups = live(scn.groups)
    for f in fields:
        for g in getattr(entry, f) or {}:
            if g not in groups:
                raise ConfigError(f"{key}.{f}.{g}", f"unknown group; allowed: "
                                                    f"{', '.join(groups)}")


def _check_when_busy(scn: Any, key: str, name: str, names: list[str]) -> None:
    """``when_busy`` and ``when_free`` name other classes, which switch no further; each
    one's shares sum to <= 1."""
    c = scn.classes[name]
    for field in ("when_busy", "when_free"):
        switch = getattr(c, field) or {}
        for other in switch:
            if other not in names or other == name:
                allowed = ", ".join(n for n in names if n != name)
                raise ConfigError(f"{key}.{field}.{other}", f"unknown class; allowed: "
                                                             f"{allowed}")
            if scn.classes[other].when_busy or scn.classes[other].when_free:
                raise ConfigError(f"{key}.{field}.{other}", "switches again (its own "
                                  "when_busy / when_free): allowed: classes without them")
        if sum(switch.values()) > 1 + 1e-9:
            raise ConfigError(f"{key}.{field}", f"probabilities sum to "
                                                f"{sum(switch.values()):.6g}; allowed: at most 1")


def check_classes(scn: Any) -> None:
    """A simple scenario has classes (a hotline has tiers); each names a queue and groups
    that exist; mixes sum to 1."""
    hotline = getattr(scn, "tiers", None) is not None
    if hotline:
        if scn.classes is not None:
            raise ConfigError("scenario.classes", "give either classes (a simple scenario) or "
                                                  "tiers and reasons (a hotline), not both")
        return
    if scn.classes is None:
        raise ConfigError("scenario.classes", "is required")
    names = live(scn.classes)
    if not names:
        raise ConfigError("scenario.classes", "must define at least one entry")
    queues = live(scn.queues)
    for q in queues:
        for k in ("press2_prob", "press2_node"):
            if getattr(scn.queues[q], k):
                raise ConfigError(f"scenario.queues.{q}.{k}", "needs an IVR to send the "
                                  "caller to: only in hotline scenarios (tiers, reasons, ivr)")
    mixes = []
    for name in names:
        c = scn.classes[name]
        key = f"scenario.classes.{name}"
        if c.queue not in queues:
            raise ConfigError(f"{key}.queue", f"unknown queue {c.queue!r}; allowed: "
                                              f"{', '.join(queues)}")
        by_group_names(scn, key, c, ("handle_time_by_group", "after_call_work_by_group"))
        _check_when_busy(scn, key, name, names)
        if c.mix is not None:
            mixes.append((name, c.mix))
    total = sum(m for _, m in mixes)
    if mixes and abs(total - 1.0) > 1e-9:
        each = ", ".join(f"{n}={m:g}" for n, m in mixes)
        raise ConfigError("scenario.classes.*.mix", f"mix probabilities must sum to 1, got "
                                                    f"{total:.6g} ({each})")


register_section("classes", dict[str, CallClass | None] | None, None,
                 "call classes by name (simple scenarios)", check_classes)
