"""The agents' unlogged work, modelled as a hidden class and queue of its own: its name
and volume, shared by calibration, tuning and validation (kept apart so none of them
imports another in a cycle)."""

from __future__ import annotations

HIDDEN = "hidden_work"  # class and queue: the agents' unlogged work


def hidden_volume(hidden: dict) -> list[float]:
    """Expected hidden tasks per interval: the unlogged agent time over the mean task,
    scaled by the fill factor (1 until tuned; one per interval when fitted by hour)."""
    unlogged = hidden["unlogged_agent_s"]
    fill = hidden.get("fill_by_interval") or [
        hidden["fill"] if hidden["fill"] is not None else 1.0] * len(unlogged)
    return [round(f * s / hidden["task_mean_s"], 4)
            for f, s in zip(fill, unlogged, strict=True)]
