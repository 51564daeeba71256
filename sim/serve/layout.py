"""The page: scenario picker and levers on the left, results on the right. Every lever
input has the id ``{"type": "lever", "key": KEY}`` (its key in sim.serve.forms); each
row has a message element ``{"type": "msg", "row": ROW}`` for its validation message."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sim.serve import forms

CSS = {
    "page": {"fontFamily": "system-ui, sans-serif", "margin": "0 16px", "color": "#1b2733"},
    "left": {"width": "440px", "flex": "none", "paddingRight": "16px",
             "borderRight": "1px solid #d8dee4", "overflowY": "auto", "maxHeight": "92vh"},
    "right": {"flex": "1", "paddingLeft": "16px", "minWidth": "0"},
    "row": {"display": "flex", "alignItems": "center", "gap": "6px", "margin": "3px 0",
            "flexWrap": "wrap"},
    "label": {"width": "150px", "fontSize": "13px"},
    "msg": {"color": "#c0392b", "fontSize": "12px", "width": "100%"},
    "input": {"width": "80px"},
    "wide": {"width": "260px"},
    "h3": {"margin": "14px 0 4px", "fontSize": "15px"},
    "button": {"marginRight": "6px", "padding": "4px 12px"},
}


def lever(key: str, value: Any, kind: Any = "number", style: str = "input",
          title: str | None = None, **extra):
    """A lever's input, with a small caption before it when ``title`` is given."""
    from dash import dcc, html

    box = dcc.Input(id={"type": "lever", "key": key}, type=kind, value=value,
                    debounce=False, style=CSS[style], **extra)
    if title is None:
        return box
    return html.Span([html.Span(title + " ", style={"fontSize": "11px"}), box])


def msg(row: str):
    from dash import html

    return html.Div(id={"type": "msg", "row": row}, style=CSS["msg"])


def labelled(text: str, *inputs, row: str | None = None):
    from dash import html

    children = [html.Span(text, style=CSS["label"]), *inputs]
    if row is not None:
        children.append(msg(row))
    return html.Div(children, style=CSS["row"])


def levers(cfg: Mapping) -> list:
    """The lever panel of a composed config."""
    from dash import dcc, html

    from sim.serve.scenarios import policies

    form = forms.levers_of(cfg)
    scn = cfg["scenario"]
    n = forms.per_day(scn)
    staffing: list = [html.H3("Agents per desk", style=CSS["h3"]),
                      html.Div(f"All day (one number) or one per interval ({n} a day, "
                               f"{forms.interval_s(scn) / 60:g} min each).",
                               style={"fontSize": "12px"})]
    for g in scn["groups"]:
        staffing.append(labelled(g, lever(f"groups.{g}.all_day", None, placeholder="all day"),
                                 lever(f"groups.{g}.curve", form[f"groups.{g}.curve"], "text",
                                       "wide"), row=f"groups.{g}"))
    staffing += staffing_curve(scn, form)
    staffing.append(labelled("open from / to (h)", lever("hours.open", form["hours.open"]),
                             lever("hours.close", form["hours.close"]), row="hours"))
    out: list = [html.Div(staffing, id="staffing-levers")]
    out += [html.H3("Call volume", style=CSS["h3"]),
            labelled("load (x volume)", lever("load", form["load"], step="any"), row="load")]
    if "outage.enabled" in form:
        out.append(labelled("outage", dcc.Checklist(
            id={"type": "lever", "key": "outage.enabled"}, options=[{"label": "on",
                                                                     "value": "on"}],
            value=["on"] if form["outage.enabled"] else [], inline=True),
            lever("outage.start_h", form["outage.start_h"], step="any", title="start (h)"),
            lever("outage.duration_h", form["outage.duration_h"], step="any",
                  title="duration (h)"),
            lever("outage.multiplier", form["outage.multiplier"], step="any",
                  title="call multiplier"), row="outage"))
    kind, members = forms.tiers_or_classes(scn)
    mixes = [m for m in members if f"mix.{m}" in form]
    if mixes:
        out.append(html.H3("Tier mix (shares summing to 1)" if kind == "tiers" else
                           "Class mix (shares summing to 1)", style=CSS["h3"]))
        out += [labelled(m, lever(f"mix.{m}", form[f"mix.{m}"], step="any")) for m in mixes]
        out.append(msg("mix"))
    pats = [m for m in members if form.get(f"patience.{m}") is not None]
    if pats:
        out.append(html.H3("Patience (mean seconds before hanging up)", style=CSS["h3"]))
        out += [labelled(m, lever(f"patience.{m}", form[f"patience.{m}"], step="any"),
                         row=f"patience.{m}") for m in pats]
    out.append(html.H3("Waiting rules per queue", style=CSS["h3"]))
    for q in scn["queues"]:
        inputs = []
        if f"queues.{q}.announce_s" in form:
            inputs.append(lever(f"queues.{q}.announce_s", form[f"queues.{q}.announce_s"],
                                "text", title="announcements at (s)"))
        inputs.append(lever(f"queues.{q}.max_wait_s", form[f"queues.{q}.max_wait_s"],
                            step="any", placeholder="never", title="disconnect after (s)"))
        out.append(labelled(f"{q}: announce / cut", *inputs, row=f"queues.{q}"))
    out += [html.H3("Routing policy", style=CSS["h3"]),
            labelled("policy", dcc.Dropdown(id={"type": "lever", "key": "policy.name"},
                                            options=policies(), value=form["policy.name"],
                                            clearable=False, style={"width": "200px"}),
                     row="policy"),
            html.Div(policy_params(form), id="policy-params"),
            html.H3("Replications", style=CSS["h3"]),
            labelled("replications / seed", lever("n_reps", form["n_reps"], min=1),
                     lever("seed", form["seed"], min=0), row="run")]
    return out


def staffing_curve(scn: Mapping, form: Mapping) -> list:
    """A desk picker and its drag-able curve (sim.serve.curve), drawn from the desk's
    curve field as the form starts."""
    from dash import dcc, html

    from sim.serve import curve

    desks = list(scn["groups"])
    if not desks:
        return []
    desk = desks[0]
    values = curve.values_of(None, form[f"groups.{desk}.curve"]) or [0.0]
    fig = curve.figure(desk, curve.per_interval(values, forms.per_day(scn)),
                       forms.interval_s(scn) / 3600)
    return [labelled("staffing curve of", dcc.Dropdown(
                id="curve-desk", options=desks, value=desk, clearable=False,
                style={"width": "200px"})),
            html.Div("Drag a desk's line up or down to set its agents in that interval "
                     "(whole agents, 0 or more); the desk's field follows, and typing in "
                     "the field redraws the curve.", style={"fontSize": "11px"}),
            # shape positions are the only edit: no zoom, no mode bar, titles fixed
            dcc.Graph(id="curve-graph", figure=fig, config={
                "edits": {"shapePosition": True}, "displayModeBar": False,
                "scrollZoom": False}),
            html.Div(id="curve-msg", style={"fontSize": "12px"})]


def policy_params(form: Mapping) -> list:
    return [labelled(k.removeprefix("policy.params."), lever(k, v, "text", "wide"))
            for k, v in form.items() if k.startswith("policy.params.")]


def page(choices: Mapping[str, str], default: str, out_dir: str):
    from dash import dcc, html

    button = CSS["button"]
    left = html.Div([
        html.Div([html.Span("scenario", style=CSS["label"]),
                  dcc.Dropdown(id="scenario", options=[{"label": k, "value": v}
                                                       for k, v in choices.items()],
                               value=default, clearable=False, style={"width": "280px"})],
                 style=CSS["row"]),
        html.Div(id="scenario-msg", style=CSS["msg"]),
        html.Div(id="levers"),
        html.Hr(),
        html.Div([html.Button("Run what-if", id="run", style=button),
                  html.Button("Cancel", id="cancel", style=button),
                  html.Button("Plan it for me", id="plan", style=button)]),
        html.Progress(id="progress", value="0", max="1", style={"width": "100%"}),
        html.Div(id="progress-text", style={"fontSize": "12px"}),
        html.Div(id="run-msg", style=CSS["msg"]),
        html.Div(id="plan-msg", style={"fontSize": "12px"}),
        html.Hr(),
        html.Div([dcc.Input(id="save-name", type="text", placeholder="scenario name",
                            style={"width": "160px"}),
                  html.Button("Save scenario", id="save", style=button),
                  html.Button("Export report", id="export", style=button)], style=CSS["row"]),
        html.Div(id="save-msg", style={"fontSize": "12px", "wordBreak": "break-all"}),
        dcc.Download(id="download"),
    ], id="left-panel", style=CSS["left"])
    right = html.Div([html.Div("Pick a scenario, change a lever, press Run: the edited "
                               "scenario runs against the unchanged one on the same random "
                               "inputs.", id="results-note", style={"fontSize": "13px"}),
                      html.Div(id="plan-view"), html.Div(id="results")],
                     style=CSS["right"])
    return html.Div([
        dcc.Store(id="session", storage_type="session"),
        dcc.Store(id="job", storage_type="session"),
        dcc.Store(id="plan-job", storage_type="memory"),
        dcc.Store(id="done-job", storage_type="memory"),
        dcc.Interval(id="tick", interval=500, disabled=True),
        html.H2("ccsim what-if", style={"margin": "10px 0 2px"}),
        html.Div(f"Runs on this machine only; everything it writes goes under {out_dir}.",
                 style={"fontSize": "12px", "marginBottom": "8px"}),
        html.Div([left, right], style={"display": "flex"}),
    ], style=CSS["page"])


def results_view(rows: list[dict], figs: list, note: str):
    from dash import dash_table, dcc, html

    colours = {"better": "#d7f2e0", "worse": "#f9d9d6"}
    table = dash_table.DataTable(  # type: ignore[attr-defined]
        id="results-table",
        columns=[{"name": n, "id": i} for n, i in (("KPI", "kpi"), ("baseline", "baseline"),
                                                  ("edited", "edited"),
                                                  ("edited − baseline (paired CI)", "difference"),
                                                  ("target", "target"))],
        data=rows,
        style_cell={"fontFamily": "system-ui, sans-serif", "fontSize": "13px",
                    "textAlign": "right", "padding": "3px 8px"},
        style_cell_conditional=[{"if": {"column_id": "kpi"}, "textAlign": "left"}],
        style_data_conditional=[{"if": {"filter_query": f'{{verdict}} = "{v}"',
                                        "column_id": "difference"}, "backgroundColor": c}
                                for v, c in colours.items()],
    )
    return [html.Div(note, style={"fontSize": "12px", "margin": "6px 0"}), table,
            *[dcc.Graph(id=f"fig-{name}", figure=fig, config={"displaylogo": False})
              for name, fig in figs]]
