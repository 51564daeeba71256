"""The staffing plan's report section: required vs planned agents per desk over the day,
roster coverage vs requirement, service level per target per interval before and after,
agent-hours and cost before and after."""

from __future__ import annotations

from pathlib import Path

from sim.report.page import Page, fmt


def _times(model) -> list[str]:
    return [f"{int(k * model.interval_s) // 3600 % 24:02d}:"
            f"{int(k * model.interval_s) % 3600 // 60:02d}" for k in range(model.n_intervals)]


def write_report(path: Path, s: dict, model, before, after, requirement, ec, ea,
                 roster) -> None:
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    page = Page(f"Staffing plan {s['name']}", [f"scenario {s['scenario']}, SLA {s['sla']}, "
                                               f"policy {s['policy']}, seed {s['seed']}"])
    page.heading("Staffing plan")
    verdict = "every target met" if s["passed"] else "targets NOT met"
    page.text(f"Verdict of ccsim check on the plan: {verdict}. Run the plan: {s['run']}.")
    ah, c = s["agent_hours"], s["cost"]
    page.table(["plan", "agent-hours", "cost"], [
        [name, fmt(ah[key], "count"), fmt(c[key], "money")] for key, name in
        (("before", "reference staffing"), ("erlang_c", "Erlang C per interval"),
         ("erlang_a", "Erlang A per interval"), ("after", "this plan"))])
    page.table(["target", "bound", "before", "after", "verdict"], [
        [a["id"], a["bound"], fmt(b["estimate"], "pct"), fmt(a["estimate"], "pct"),
         a["verdict"]] for b, a in zip(s["targets_before"], s["targets_after"], strict=True)],
        classes=[{"pass": "met", "warn": "uncertain"}.get(a["verdict"], "missed")
                 for a in s["targets_after"]])
    if s["unmet_periods"]:
        page.warnings(f"unmet: {u['desk']} at {u['start']}, {u['agents_missing']:g} agents "
                      f"missing" for u in s["unmet_periods"])
    x = _times(model)
    fig = make_subplots(rows=len(model.groups), cols=1, shared_xaxes=True,
                        subplot_titles=[g.name for g in model.groups])
    for g in model.groups:
        i, show = g.index, g.index == 0
        for y, name, dash in ((before.plan[i], "reference", "dot"), (ec[i], "Erlang C", "dash"),
                              (ea[i], "Erlang A", "dashdot"),
                              (requirement[i], "required (simulated)", "solid"),
                              (after.plan[i], "planned", "solid")):
            fig.add_trace(go.Scatter(x=x, y=y, name=name, legendgroup=name, showlegend=show,
                                     line={"dash": dash, "shape": "hv"}), row=i + 1, col=1)
    fig.update_layout(height=260 * len(model.groups), title="Agents per desk over the day")
    page.figure(fig, "required: the simulation-verified requirement; planned: what the "
                     "scenario file staffs (the roster's on-phone agents with --shifts).")
    if roster is not None:
        page.heading("Roster coverage")
        page.text(f"{s['roster']['shifts']} shifts, {fmt(s['roster']['paid_hours'], 'count')} "
                  f"paid hours (shrinkage {s['roster']['shrinkage']:.0%} applied once); "
                  f"{s['roster']['agents_per_week']} agents to employ per week.")
        fig = go.Figure()
        for g in model.groups:
            fig.add_trace(go.Bar(x=x, y=after.plan[g.index] - requirement[g.index],
                                 name=f"{g.name}: coverage above requirement"))
        fig.update_layout(barmode="group", title="Roster on-phone agents minus requirement",
                          yaxis_title="agents")
        page.figure(fig)
    page.heading("Service level per interval, before and after")
    fig = go.Figure()
    for key, dash in (("before", "dot"), ("after", "solid")):
        for tid, ys in s["service_level_by_interval"][key].items():
            fig.add_trace(go.Scatter(x=x, y=ys, name=f"{tid} {key}", line={"dash": dash}))
    fig.update_layout(yaxis_title="service level", yaxis_tickformat=".0%")
    page.figure(fig, "answered within the threshold / callers who asked for an agent, by "
                     "interval of arrival, mean over replications.")
    path.write_text(page.render())
