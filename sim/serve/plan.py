""""Plan it for me": ``ccsim staff`` on the edited scenario, in the worker pool, with the
SLA spec named after the scenario (``sla/NAME.yaml``); the plan is shown against the
current staffing and "Apply plan" puts it into the agents-per-desk levers.

The plan job's folder (``OUT/sessions/SESSION/plan-JOB``) holds the edited scenario as a
scenario file (``scenario/NAME.yaml``), the planner's outputs (``planned/``, ``report/``)
and its printed lines (``staff.log``)."""

from __future__ import annotations

import contextlib
import json
import secrets
import time
from pathlib import Path

from sim.serve import forms, jobs


def run_plan(folder: str, name: str, overrides: list[str], sla: str) -> int:
    """A worker's plan: ``ccsim staff`` as the command would run it; its exit code."""
    from sim.staff import main as staff_main

    root = Path(folder)
    argv = ["--sla", sla, "--name", f"{name}_plan", "--out",
            str(root / "planned" / "scenario" / f"{name}_plan.yaml"),
            "--report-dir", str(root / "report"), "--jobs", "1",
            f"hydra.searchpath=[file://{root.resolve()}]", f"scenario={name}", *overrides]
    with open(root / "staff.log", "w") as log, contextlib.redirect_stdout(log), \
            contextlib.redirect_stderr(log):
        try:
            code = staff_main(argv)
        except SystemExit as exc:
            code = int(exc.code or 0)
        except Exception as exc:  # one line for the page
            print(f"ccsim staff: error: {type(exc).__name__}: {' '.join(str(exc).split())}")
            code = 2
    (root / "exit_code").write_text(str(code))
    return code


def start(runner: jobs.Runner, out_dir: Path, session: str, cfg: dict) -> str:
    """Write the edited scenario into a new plan folder and submit the planner."""
    from sim.errors import ConfigError
    from sim.serve.scenarios import sla_for

    scn_name = cfg["scenario"].get("name", "scenario")
    sla = sla_for(scn_name)
    if sla is None:
        raise ConfigError("plan", f"no SLA spec for scenario {scn_name} (sla/{scn_name}.yaml): "
                                  "the planner needs its targets")
    job = "plan-" + time.strftime("%Y%m%d-%H%M%S") + "-" + secrets.token_hex(3)
    folder = plan_dir(out_dir, session, job)
    (folder / "scenario").mkdir(parents=True)
    import yaml

    name = forms_name(scn_name)
    (folder / "scenario" / f"{name}.yaml").write_text(yaml.safe_dump(cfg["scenario"],
                                                                     sort_keys=False))
    runner.futures[f"{session}/{job}"] = runner.submit_call(run_plan, str(folder), name,
                                                            plan_overrides(cfg), sla)
    (folder / "staffing_before.json").write_text(json.dumps(
        {g: s.get("staffing") for g, s in cfg["scenario"]["groups"].items()}))
    return job


def plan_overrides(cfg: dict) -> list[str]:
    """The what-if's policy and seed; not its replications: the SLA spec's
    ``replications`` rule decides how many the planner runs."""
    from sim.serve.save import run_overrides

    return [o for o in run_overrides(cfg) if not o.startswith("n_reps=")]


def forms_name(name: str) -> str:
    return "".join(c if c.isalnum() or c in "_-" else "_" for c in name) or "scenario"


def plan_dir(out_dir: Path, session: str, job: str) -> Path:
    if not (jobs.SESSION_ID.match(str(session)) and job.startswith("plan-")
            and jobs.JOB_ID.match(job[5:])):
        raise ValueError("unknown session or plan id")
    return out_dir / "sessions" / session / job


def outcome(folder: Path) -> dict | None:
    """None while the planner runs; else exit code, last line, plan per desk."""
    code_file = folder / "exit_code"
    if not code_file.exists():
        return None
    import pandas as pd

    code = int(code_file.read_text())
    log = (folder / "staff.log").read_text() if (folder / "staff.log").exists() else ""
    lines = [ln for ln in log.splitlines() if ln.strip()]
    table = folder / "report" / "staffing.csv"
    plan = {}
    if table.exists():
        s = pd.read_csv(table).sort_values(["group", "interval"])
        plan = {g: [int(a) for a in d["agents"]] for g, d in s.groupby("group", sort=False)}
    errors = [ln for ln in lines if "error:" in ln]
    return {"code": code, "line": (errors or lines or [""])[-1], "plan": plan}


def figure(before: dict, plan: dict, n: int, step_h: float):
    import plotly.graph_objects as go

    from sim.report.run_figures import colour

    fig = go.Figure()
    x = [k * step_h for k in range(n)]
    for i, (g, agents) in enumerate(plan.items()):
        now = before.get(g)
        now = now if isinstance(now, list) else [now] * n
        fig.add_scatter(x=x, y=now, name=f"{g} now", mode="lines",
                        line={"dash": "dash", "color": colour(i), "shape": "hv"})
        fig.add_scatter(x=x, y=agents[:n], name=f"{g} plan", mode="lines",
                        line={"color": colour(i), "shape": "hv"})
    fig.update_layout(title="Planned agents per desk (dashed: current staffing)", height=380)
    fig.update_xaxes(title_text="hour of the simulated day")
    fig.update_yaxes(title_text="agents")
    return fig


def register_plan(app, runner: jobs.Runner, out_dir: Path, base_config) -> None:
    from dash import ALL, Input, Output, State, ctx, dcc, html, no_update

    from sim.serve.guard import form_values, guarded

    app.layout.children += [dcc.Interval(id="plan-tick", interval=1000, disabled=True),
                            dcc.Store(id="plan-done", storage_type="memory")]

    @app.callback(Output("plan-job", "data"), Output("plan-msg", "children"),
                  Output("plan-tick", "disabled"),
                  Input("plan", "n_clicks"), State({"type": "lever", "key": ALL}, "value"),
                  State("scenario", "value"), State("session", "data"),
                  prevent_initial_call=True)
    @guarded(3, 1)
    def plan(_n, _values, source, session):
        try:
            cfg = forms.edited(base_config(source), form_values(ctx.states_list[0]))
        except forms.FormError as exc:
            return no_update, "not planned: " + "; ".join(exc.messages.values()), no_update
        job = start(runner, out_dir, session, cfg)
        return job, "planning (ccsim staff) ...", False

    @app.callback(Output("plan-msg", "children", allow_duplicate=True),
                  Output("plan-done", "data"),
                  Output("plan-tick", "disabled", allow_duplicate=True),
                  Input("plan-tick", "n_intervals"), State("plan-job", "data"),
                  State("session", "data"), prevent_initial_call=True)
    @guarded(3, 0)
    def poll(_n, job, session):
        """Cheap: is the planner done? (the figure is drawn once, by ``show``)"""
        if not job:
            return no_update, no_update, True
        if not (plan_dir(out_dir, session, job) / "exit_code").exists():
            return "planning (ccsim staff) ...", no_update, False
        return "plan ready (shown on the right)", job, True

    @app.callback(Output("plan-view", "children"),
                  Input("plan-done", "data"), State("session", "data"),
                  State("scenario", "value"), prevent_initial_call=True)
    @guarded(1, 0)
    def show(job, session, source):
        folder = plan_dir(out_dir, session, job)
        done = outcome(folder)
        if done is None or not done["plan"]:
            return (done or {}).get("line") or "the planner stopped without a plan"
        scn = base_config(source)["scenario"]
        before = json.loads((folder / "staffing_before.json").read_text())
        verdict = ("meets every target" if done["code"] == 0 else
                   "best plan found; some targets missed")
        return [html.Div(f"plan: {verdict} — {done['line']}"),
                dcc.Graph(id="plan-figure", figure=figure(before, done["plan"],
                                                          forms.per_day(scn),
                                                          forms.interval_s(scn) / 3600)),
                html.Button("Apply plan", id="apply-plan")]

    @app.callback(Output({"type": "lever", "key": ALL}, "value"),
                  Input("apply-plan", "n_clicks"), State("plan-job", "data"),
                  State("session", "data"), prevent_initial_call=True)
    def apply(_n, job, session):
        from dash.exceptions import PreventUpdate

        try:
            done = outcome(plan_dir(out_dir, session, job)) if job else None
        except (OSError, ValueError):  # no plan to apply: nothing changes
            raise PreventUpdate from None
        plan = (done or {}).get("plan") or {}
        values = []
        for o in ctx.outputs_list:
            key = o["id"]["key"]
            parts = key.split(".")
            if parts[0] == "groups" and parts[1] in plan:
                values.append(None if parts[2] == "all_day" else
                              ", ".join(str(a) for a in plan[parts[1]]))
            else:
                values.append(no_update)
        return values
