"""The page's callbacks. Each runs in a request thread and only reads forms, submits
work to the pool and reads job folders: no simulation runs here. A failure becomes one
line on the page (``guarded``), never a traceback, and leaves what is shown untouched."""

from __future__ import annotations

from pathlib import Path

from sim.serve import curve, forms, jobs, layout, results, scenarios
from sim.serve.guard import form_values, guarded


def register(app, runner: jobs.Runner, out_dir: Path) -> None:
    from dash import ALL, Input, Output, State, ctx, dcc, no_update
    from dash.exceptions import PreventUpdate

    composed: dict[str, dict] = {}

    def base_config(source: str) -> dict:
        if source not in composed:
            composed[source] = scenarios.compose(source)
        return composed[source]

    def msg_outputs(messages: dict[str, str]) -> tuple[list[str], str]:
        rows = [o["id"]["row"] for o in ctx.outputs_list[0]]
        shown = [messages.get(r, "") for r in rows]
        unplaced = [m for r, m in messages.items() if r not in rows]
        return shown, "; ".join(unplaced)

    @app.callback(Output("session", "data"), Input("session", "modified_timestamp"),
                  State("session", "data"))
    def session(_ts, data):
        if data and jobs.SESSION_ID.match(str(data)):
            raise PreventUpdate
        return jobs.new_session_id()

    @app.callback(Output("levers", "children"), Output("scenario-msg", "children"),
                  Input("scenario", "value"))
    @guarded(2, 1)
    def pick(source):
        return layout.levers(base_config(source)), ""

    def desk_curve(form: dict, desk: str, source: str) -> tuple[list | None, float]:
        """(the desk's agents per interval, None if its fields are not numbers; the
        interval in hours)."""
        scn = base_config(source)["scenario"]
        values = curve.values_of(form.get(f"groups.{desk}.all_day"),
                                 form.get(f"groups.{desk}.curve"))
        return (None if values is None else curve.per_interval(values, forms.per_day(scn)),
                forms.interval_s(scn) / 3600)

    @app.callback(Output("curve-graph", "figure"), Output("curve-msg", "children"),
                  Input("curve-desk", "value"), Input({"type": "lever", "key": ALL}, "value"),
                  State("scenario", "value"), prevent_initial_call=True)
    @guarded(2, 1)
    def curve_view(desk, _values, source):
        """Field -> curve: the desk picked, or its fields edited, redraw the curve."""
        trigger = ctx.triggered_id
        if isinstance(trigger, dict) and not str(trigger.get("key")).startswith(
                f"groups.{desk}."):
            raise PreventUpdate
        values, hours = desk_curve(form_values(ctx.inputs_list[1]), desk, source)
        if values is None:  # not numbers yet: Run names the field and what is allowed
            raise PreventUpdate
        return curve.figure(desk, values, hours), no_update

    @app.callback(Output({"type": "lever", "key": ALL}, "value", allow_duplicate=True),
                  Output("curve-graph", "figure", allow_duplicate=True),
                  Output("curve-msg", "children", allow_duplicate=True),
                  Input("curve-graph", "relayoutData"), State("curve-desk", "value"),
                  State({"type": "lever", "key": ALL}, "value"), State("scenario", "value"),
                  prevent_initial_call=True)
    @guarded(3, 2)
    def curve_drag(relayout, desk, _values, source):
        """Curve -> field: a dragged line sets that interval's agents in the desk's curve
        field (whole, >= 0) and clears its all-day number, which would override it."""
        values, hours = desk_curve(form_values(ctx.states_list[1]), desk, source)
        new = None if values is None else curve.dragged(values, relayout)
        if new is None:
            raise PreventUpdate
        fields = {f"groups.{desk}.curve": curve.text(new), f"groups.{desk}.all_day": None}
        levers = [fields.get(o["id"]["key"], no_update) for o in ctx.outputs_list[0]]
        changed = [f"{k * hours:g}-{(k + 1) * hours:g} h: {forms.curve_text(v)} -> "
                   f"{forms.curve_text(w)}" for k, (v, w) in enumerate(zip(values, new,
                                                                           strict=True))
                   if v != w]
        return levers, curve.figure(desk, new, hours), (
            f"last drag, {desk}: " + "; ".join(changed) + " agents" if changed else "")

    @app.callback(Output("policy-params", "children"),
                  Input({"type": "lever", "key": "policy.name"}, "value"),
                  prevent_initial_call=True)
    @guarded(1, 0)
    def policy_params(name):
        pol = scenarios.policy_config(name)
        return layout.policy_params({f"policy.params.{k}": forms.param_text(v)
                                     for k, v in pol["params"].items()})

    @app.callback(Output({"type": "msg", "row": ALL}, "children"),
                  Output("run-msg", "children"), Output("job", "data"),
                  Output("tick", "disabled"),
                  Input("run", "n_clicks"),
                  State({"type": "lever", "key": ALL}, "value"),
                  State("scenario", "value"), State("session", "data"),
                  prevent_initial_call=True)
    @guarded(4, 1)
    def run(_n, _values, source, session):
        form = form_values(ctx.states_list[0])
        base = base_config(source)
        try:
            edited = forms.edited(base, form)
        except forms.FormError as exc:
            shown, unplaced = msg_outputs(exc.messages)
            return shown, unplaced or "not run: fix the marked fields", no_update, no_update
        baseline = {**base, "n_reps": edited["n_reps"], "seed": edited["seed"]}
        job = runner.submit(session, baseline, edited)
        return [""] * len(ctx.outputs_list[0]), "", job, False

    @app.callback(Output("progress", "value"), Output("progress", "max"),
                  Output("progress-text", "children"), Output("done-job", "data"),
                  Output("tick", "disabled", allow_duplicate=True),
                  Input("tick", "n_intervals"), State("job", "data"),
                  State("session", "data"), prevent_initial_call=True)
    @guarded(5, 2)
    def tick(_n, job, session):
        """Progress only (cheap, every half second); a finished job is handed to
        ``render`` once, with the ticking stopped, so a slow render is never superseded."""
        if not job:
            return no_update, no_update, no_update, no_update, True
        st = runner.status(session, job)
        text = f"{st['state']}: {st.get('message', '')}"
        if st["state"] not in jobs.DONE:
            return str(st.get("done", 0)), str(st.get("total", 1)), text, no_update, False
        if st["state"] != "done":
            return "0", "1", text, no_update, True
        return "1", "1", done_text(runner, session, job), job, True

    @app.callback(Output("results", "children"),
                  Output("progress-text", "children", allow_duplicate=True),
                  Input("done-job", "data"), State("session", "data"),
                  State("scenario", "value"), prevent_initial_call=True)
    @guarded(2, 1)
    def render(job, session, source):
        folder = jobs.job_dir(out_dir, session, job)
        return show(folder, base_config(source)), done_text(runner, session, job)

    @app.callback(Output("progress-text", "children", allow_duplicate=True),
                  Input("cancel", "n_clicks"), State("job", "data"), State("session", "data"),
                  prevent_initial_call=True)
    @guarded(1, 0)
    def cancel(_n, job, session):
        if not job:
            return "nothing to cancel"
        runner.cancel(session, job)
        return "cancelling at the next replication ..."

    @app.callback(Output({"type": "msg", "row": ALL}, "children", allow_duplicate=True),
                  Output("save-msg", "children"),
                  Input("save", "n_clicks"),
                  State({"type": "lever", "key": ALL}, "value"), State("scenario", "value"),
                  State("save-name", "value"), prevent_initial_call=True)
    @guarded(2, 1)
    def save(_n, _values, source, name):
        from sim.serve.save import save_scenario

        form = form_values(ctx.states_list[0])
        try:
            edited = forms.edited(base_config(source), form)
        except forms.FormError as exc:
            shown, unplaced = msg_outputs(exc.messages)
            return shown, unplaced or "not saved: fix the marked fields"
        path, command = save_scenario(out_dir, name, edited)
        return [""] * len(ctx.outputs_list[0]), f"saved {path} · run it: {command}"

    @app.callback(Output("download", "data"),
                  Output("save-msg", "children", allow_duplicate=True),
                  Input("export", "n_clicks"), State("job", "data"), State("session", "data"),
                  prevent_initial_call=True)
    @guarded(2, 1)
    def export(_n, job, session):
        from sim.report import write_comparison_report

        if not job or runner.status(session, job)["state"] != "done":
            return no_update, "nothing to export yet: run a what-if first"
        path = write_comparison_report(jobs.job_dir(out_dir, session, job))
        return dcc.send_file(str(path), filename=f"whatif_{job}.html"), f"report: {path}"

    from sim.serve.plan import register_plan

    register_plan(app, runner, out_dir, base_config)


def done_text(runner: jobs.Runner, session: str, job: str) -> str:
    reused = runner.baseline_reused(session, job)
    return f"done: job {job}" + (" · baseline reused from the cache" if reused else "")


def show(folder: Path, cfg: dict) -> list:
    from sim.serve.cache import reuse_note

    table, diffs = results.load(folder)
    targets = results.tier_targets(cfg)
    n = int(table["n"].max())
    note = (f"Job {folder.name}: {n} replications each, the same seeds for both (common "
            "random numbers); differences are edited minus baseline with their paired "
            "confidence interval (green: a real improvement, red: a real loss, plain: "
            "indistinguishable). "
            + (reuse_note(folder) or ""))
    return layout.results_view(results.rows(table, diffs, targets),
                               results.figures(folder, table, diffs, targets), note)
