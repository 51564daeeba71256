"""The drag-able staffing curve: one desk's agents per interval drawn as bars, each with a
horizontal line shape on top that the manager drags up or down (plotly's editable shape
positions, ``config.edits.shapePosition``). A drag comes back as the graph's
``relayoutData`` (``shapes[k].y0`` / ``shapes[k].y1``); the new value is snapped to a
whole number of agents, at least 0, and written into the desk's comma-separated curve
field, which stays the one source the run reads. The figure is always redrawn from
that field, so the two never disagree."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence

SHAPE_KEY = re.compile(r"^shapes\[(\d+)\]\.(y0|y1)$")
COLOUR = "#1f77b4"


def values_of(all_day, curve) -> list[float] | None:
    """The staffing the desk's fields give, one value per interval as typed (all day:
    one value); None when a field does not read as numbers (its message comes at Run)."""
    from sim.errors import ConfigError
    from sim.serve.forms import numbers

    try:
        if all_day is not None and str(all_day).strip():
            return [float(all_day)]
        values = numbers("curve", curve)
    except (ConfigError, ValueError):
        return None
    return [float(v) for v in values] or None


def per_interval(values: Sequence[float], n: int) -> list[float]:
    """One value a day stretched to ``n`` intervals; a list is taken as it is."""
    return [values[0]] * n if len(values) == 1 else list(values)


def dragged(values: Sequence[float], relayout: Mapping | None) -> list | None:
    """The curve after a drag: each moved interval set to the whole number of agents
    (>= 0) nearest to where its line was dropped; None when ``relayout`` moved no line.
    Dragging one end of a line moves only that end: the end that moved most counts."""
    moved: dict[int, dict[str, float]] = {}
    for k, v in (relayout or {}).items():
        m = SHAPE_KEY.match(str(k))
        if m and isinstance(v, int | float) and math.isfinite(v) and int(m[1]) < len(values):
            moved.setdefault(int(m[1]), {})[m[2]] = float(v)
    if not moved:
        return None
    out: list = list(values)
    for k, ends in moved.items():
        drop = max(ends.values(), key=lambda y: abs(y - values[k]))
        out[k] = max(0, round(drop))
    return out


def text(values: Sequence[float]) -> str:
    """The curve field's text for these values."""
    from sim.serve.forms import curve_text

    return curve_text([int(v) if float(v).is_integer() else v for v in values])


def figure(desk: str, values: Sequence[float], interval_h: float) -> dict:
    """Bars of agents per interval and one draggable line per bar (a plain figure dict:
    no plotly import on the request thread)."""
    n = len(values)
    top = max([*values, 1.0])
    x = [(k + 0.5) * interval_h for k in range(n)]
    pad = 0.06 * interval_h
    shapes = [{"type": "line", "xref": "x", "yref": "y", "x0": k * interval_h + pad,
               "x1": (k + 1) * interval_h - pad, "y0": v, "y1": v,
               "line": {"color": COLOUR, "width": 5}} for k, v in enumerate(values)]
    return {
        "data": [{"type": "bar", "x": x, "y": list(values), "width": interval_h * 0.88,
                  "marker": {"color": "rgba(31,119,180,0.25)"}, "name": desk,
                  "hovertemplate": "%{x:.2f} h: %{y} agents<extra></extra>"}],
        "layout": {
            "title": {"text": f"{desk}: agents per interval (drag a line)",
                      "font": {"size": 13}},
            "height": 230, "margin": {"l": 40, "r": 10, "t": 30, "b": 36},
            "dragmode": False, "showlegend": False, "shapes": shapes,
            "xaxis": {"title": {"text": "hour of the simulated day", "font": {"size": 11}},
                      "range": [0, n * interval_h], "fixedrange": True},
            "yaxis": {"title": {"text": "agents", "font": {"size": 11}},
                      "range": [-0.05 * top - 0.5, top * 1.3 + 2], "fixedrange": True},
        },
    }
