"""The agents' unlogged work, modelled as a hidden class and queue of its own: its name
and volume, shared by calibration, tuning and validation (kept apart so none of them
imports another in a cycle)."""

from __future__ import annotations

HIDDEN = "hidden_work"  # class and queue: the agents' unlogged work


BASES = ("unlogged", "available")  # what the fill is a share of (``--hidden-base``)


def hidden_agent_s(hidden: dict) -> list[float]:
    """Agent-seconds of hidden work per interval: the fill (1 until tuned; one per
    interval when fitted by hour) times the unlogged agent time, or, with the
    ``available`` base, times the available agent time but never more than the unlogged
    time (agents cannot be away longer than they are not talking)."""
    unlogged = hidden["unlogged_agent_s"]
    fill = hidden.get("fill_by_interval") or [
        hidden["fill"] if hidden["fill"] is not None else 1.0] * len(unlogged)
    if hidden.get("base", "unlogged") == "unlogged":
        return [f * s for f, s in zip(fill, unlogged, strict=True)]
    return [min(f * a, s) for f, a, s in zip(fill, hidden["available_agent_s"], unlogged,
                                             strict=True)]


def hidden_volume(hidden: dict) -> list[float]:
    """Expected hidden tasks per interval: the hidden agent time over the mean task."""
    return [round(x / hidden["task_mean_s"], 4) for x in hidden_agent_s(hidden)]
