"""A compact terminal table of a run's headline KPIs."""

from __future__ import annotations

ROWS = (("offered", "{:.0f}"), ("answered", "{:.0f}"), ("answer_rate", "{:.1%}"),
        ("service_level", "{:.1%}"), ("abandon_rate", "{:.1%}"), ("asa_s", "{:.1f}"),
        ("aht_s", "{:.1f}"))


def _cell(stat: dict, fmt: str) -> str:
    if stat["mean"] is None:
        return "-"
    text = fmt.format(stat["mean"])
    if stat.get("half_width") is not None:
        text += " ±" + fmt.format(stat["half_width"]).rstrip("%")
        if fmt.endswith("%}"):
            text += "%"
    return text


def format_summary(summary: dict) -> str:
    names = ["overall", *summary["by_class"]]
    scopes = [summary["overall"], *summary["by_class"].values()]
    width = max(14, *(len(n) for n in names))
    lines = [f"{summary['scenario']} · policy {summary['policy']} · seed {summary['seed']} · "
             f"{summary['n_reps']} rep(s), {summary['confidence']:.0%} CI"]
    lines.append(f"{'':16}" + "".join(f"{n:>{width + 2}}" for n in names))
    for kpi, fmt in ROWS:
        lines.append(f"{kpi:16}" + "".join(f"{_cell(s[kpi], fmt):>{width + 2}}" for s in scopes))
    occ = summary["overall"]["occupancy"]
    lines.append(f"{'occupancy':16}{_cell(occ, '{:.1%}'):>{width + 2}}")
    return "\n".join(lines)
