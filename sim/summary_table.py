"""A compact terminal table of a run's headline KPIs."""

from __future__ import annotations

from sim.kpi_specs import KPIS

# the counts a reader needs to recompute the rates: answer_rate = answered / asked,
# abandon_rate = queue_abandoned / asked
ROWS = ("offered", "asked", "answered", "queue_abandoned", "answer_rate", "service_level",
        "abandon_rate", "asa_s", "aht_s")


def _cell(stat: dict, fmt: str) -> str:
    if stat["mean"] is None:
        return "-"
    text = fmt.format(stat["mean"])
    if stat.get("half_width") is not None:
        text += " ±" + fmt.format(stat["half_width"]).rstrip("%")
        if fmt.endswith("%}"):
            text += "%"
    return text


HOTLINE_ROWS = ("fcr", "containment", "repeat_rate", "forced_disconnects")


def format_summary(summary: dict) -> str:
    """Overall and per tier (hotline) or per class; targets marked met/missed."""
    by = summary.get("by_tier") or summary["by_class"]
    names = ["overall", *by]
    scopes = [summary["overall"], *by.values()]
    width = max(14, *(len(n) for n in names))
    lines = [f"{summary['scenario']} · policy {summary['policy']} · seed {summary['seed']} · "
             f"{summary['n_reps']} rep(s), {summary['confidence']:.0%} CI"]
    lines.append(f"{'':16}" + "".join(f"{n:>{width + 2}}" for n in names))
    rows = ROWS + (HOTLINE_ROWS if "by_tier" in summary else ())
    for kpi in rows:
        fmt = KPIS[kpi].terminal
        lines.append(f"{kpi:16}" + "".join(f"{_cell(s[kpi], fmt):>{width + 2}}" for s in scopes))
    if "by_tier" in summary:
        marks = [""] + [_target(s) for s in by.values()]
        lines.append(f"{'SL target':16}" + "".join(f"{m:>{width + 2}}" for m in marks))
    occ = summary["overall"]["occupancy"]
    lines.append(f"{'occupancy':16}{_cell(occ, KPIS['occupancy'].terminal):>{width + 2}}")
    if summary.get("by_work"):
        lines.append(_own_work(summary["overall"]))
    return "\n".join(lines)


def _own_work(overall: dict) -> str:
    """The agents' own work (classes of kind: work), apart: no call figure above counts it;
    occupancy does."""
    tasks = _cell(overall["work_tasks"], "{:.0f}")
    hours = _cell(overall["work_hours"], "{:.1f}")
    share = _cell(overall["work_share"], KPIS["work_share"].terminal)
    return (f"{'own work':16}{tasks} tasks, {hours} agent-h, {share} of available time "
            f"(not calls; in occupancy)")


def _target(tier: dict) -> str:
    target = tier["sl_target"]["mean"]
    sl = tier["service_level"]["mean"]
    if target is None or sl is None:
        return "-"
    return f"{target:.0%} {'met' if sl >= target else 'MISSED'}"
