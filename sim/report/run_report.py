"""The report of one run: headline KPIs against targets, the day, waits, agents, flow,
second line, money, validation and the scenario, with warnings first."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, cast

from sim.report import modelled
from sim.report import run_figures as figs
from sim.report.answer import answer
from sim.report.checks import run_warnings
from sim.report.data import RunData, clipped, kind, label, load_run
from sim.report.flow import call_flow
from sim.report.page import Page, fmt
from sim.report.sites import sites_section

# Outcome counts (they sum to offered), each followed by its parts, then the rates with
# the counts they are computed from: every figure is labelled by what it counts.
HEADLINE = ("offered", "answered", "abandoned", "queue_abandoned", "ivr_abandoned",
            "disconnected", "forced_disconnects", "ivr_hangups", "closed_disconnects",
            "self_served", "blocked", "asked", "answer_rate", "service_level", "abandon_rate",
            "short_abandons", "service_level_excl_short", "abandon_rate_excl_short",
            "asa_s", "mean_wait_s", "aht_s", "occupancy", "fcr", "containment", "repeat_rate",
            "resolution_rate", "work_orders", "callbacks_made", "cost_per_call")
NAMES = {"offered": "calls offered (all outcomes below sum to this)",
         "answered": "answered by an agent",
         "abandoned": "abandoned (in queue or in the IVR)",
         "queue_abandoned": "… of which abandoned in queue",
         "ivr_abandoned": "… of which abandoned in the IVR",
         "disconnected": "disconnected by the system",
         "forced_disconnects": "… of which forced disconnects (maximum wait reached)",
         "ivr_hangups": "… of which hung up by the IVR (failed verification, refused "
                        "blacklist calls)",
         "closed_disconnects": "… of which still waiting when the centre closed",
         "self_served": "self-served in the IVR", "blocked": "blocked (no free line)",
         "asked": "asked for an agent (entered a queue)",
         "answer_rate": "answer rate (answered / asked)",
         "service_level": "service level (answered within T / asked)",
         "abandon_rate": "abandon rate (abandoned in queue / asked)",
         "short_abandons": "short abandons (hung up in queue within short_abandon_s)",
         "service_level_excl_short": "service level without short abandons",
         "abandon_rate_excl_short": "abandon rate without short abandons",
         "asa_s": "ASA (mean wait of answered calls)",
         "mean_wait_s": "mean wait of all who asked", "aht_s": "AHT (talk + after-call work)",
         "fcr": "first-contact resolution", "containment": "IVR containment",
         "cost_per_call": "cost per answered call"}
MONEY = ("cost", "second_line_cost", "staffed_hours", "cost_per_call", "retained_value",
         "value_at_risk", "episodes", "episodes_resolved_quickly", "episodes_resolved",
         "episodes_complained_unresolved", "episodes_silent_unhappy")


def write_run_report(run_dir: Path, out: Path | None = None) -> Path:
    """Write ``report.html`` for the run in ``run_dir`` and return its path."""
    run = load_run(Path(run_dir))
    page = Page(f"ccsim report — {run.summary.get('scenario', 'scenario')}", _subtitle(run))
    page.text(answer(run), "answer")
    page.warnings(run_warnings(run) + _validation_warnings(run))
    _headline(page, run)
    _own_work(page, run)
    _indicators(page, run)
    _exact(page, run)
    _tiers(page, run)
    for title, make in (("The day", figs.day_profile), ("Waiting times", figs.wait_distribution),
                        ("Agents and queues", figs.agents_and_queues),
                        ("Call flow", call_flow), ("Second line", figs.second_line)):
        fig = make(run)
        page.heading(title)
        if fig is None:
            page.text(_missing(title), "note")
        else:
            page.figure(fig)
    _money(page, run)
    sites_section(page, run, currency(run))
    _validation(page, run)
    _parameters(page, run)
    out = out or run.dir / "report.html"
    out.write_text(page.render(), encoding="utf-8")
    return out


def _subtitle(run: RunData) -> list[str]:
    s = run.summary
    lines = [f"policy {s.get('policy')} · seed {s.get('seed')} · {s.get('n_reps')} "
             f"replication(s) · {s.get('confidence', 0.95):.0%} confidence intervals · "
             f"ccsim {s.get('ccsim_version')}"]
    if run.overrides:
        lines.append("reproduce: ccsim " + " ".join(run.overrides))
    return lines


def _missing(title: str) -> str:
    return {"Waiting times": "No queued calls, or no wait tables written "
                             "(output.intervals=false and output.calls=false).",
            "Second line": "This scenario has no second line (work orders)."}.get(
        title, "The run wrote no interval tables (output.intervals=false).")


def _ci(st: dict, k: str) -> str:
    hw = st.get("half_width")
    if hw is None or (isinstance(hw, float) and math.isnan(hw)):
        return "—"
    if clipped(st):  # a share near 0 or 100 %: its interval, cut at the possible range
        return f"{fmt(st['low'], k)} – {fmt(st['high'], k)} (clipped to 0–100%)"
    return f"± {fmt(hw, k).rstrip(' s')}{' s' if k == 's' else ''}".replace("± —", "—")


def _headline(page: Page, run: RunData) -> None:
    page.heading("Headline figures")
    rows = []
    for k in HEADLINE:
        st = _closed(run) if k == "closed_disconnects" else run.kpi(k)
        if st.get("mean") is None or unmodelled(run, k):
            continue
        rows.append((NAMES.get(k, k.replace("_", " ")), _value(run, st["mean"], k),
                     _interval(run, st, k)))
        if k == "ivr_hangups":
            rows += _refused(run)
    page.table(("KPI", "estimate", "confidence interval"), rows)
    t = f'{run.summary.get("service_level_s", 20):g}'
    page.text(f"Counts are calls per replication. Answer rate, service level and abandon rate "
              f"are shares of the calls that asked for an agent; service level counts calls "
              f"answered within T = {t} s. Callers who hung up in the IVR never asked, so "
              f"they are in 'abandoned' but not in the abandon rate.", "note")


WORK = {"work_tasks": "tasks done", "work_hours": "agent-hours on them",
        "work_share": "share of the agents' available time (logged in, not away)"}


def _own_work(page: Page, run: RunData) -> None:
    """The agents' own work (classes of kind: work), apart from the calls."""
    by_work = run.summary.get("by_work") or {}
    if not by_work:
        return
    page.heading("The agents' own work (not calls)")
    scopes: list[tuple[str, str, str | None]] = [("all own work", "overall", None)] \
        if len(by_work) > 1 else []
    scopes += [(label(n), "by_work", n) for n in by_work]
    shown = {k: "num" if k == "work_hours" else kind(k) for k in WORK}  # hours: 3 digits
    rows = []
    for who, scope, name in scopes:
        for k, what in WORK.items():
            st = run.kpi(k, scope, name)
            rows.append((who, what, fmt(st["mean"], shown[k]), _ci(st, shown[k])))
    page.table(("work", "figure", "estimate", "confidence interval"), rows, left=2)
    page.text("Work of kind 'work' (e.g. the calibrated hidden work): the agents do it "
              "between calls, so it counts in occupancy and cost, but it is no call: the "
              "figures above count calls only. Agent-hours as recorded (a task dropped for a "
              "waiting caller counts up to the drop); skill groups' answered and AHT "
              "include the tasks.", "note")


def _indicators(page: Page, run: RunData) -> None:
    """The headline KPIs in 10000's four indicator classes (002), with every indicator
    the documents name that the model can compute; the others say why not."""
    from sim.kpi_specs import INDICATOR_CLASSES

    rows = []
    for cls, items in INDICATOR_CLASSES.items():
        for name, k in items:
            st = run.kpi(k) if k is not None else {}
            if k is not None and st.get("mean") is None:
                continue  # a feature this scenario does not have
            if k is not None and (why := unmodelled(run, k)):
                rows.append((cls, f"{name} — {why}", "—", "—"))
                continue
            value = "—" if k is None else _value(run, st["mean"], k)
            rows.append((cls, name, value, "—" if k is None else _interval(run, st, k)))
    page.heading("Indicators by class (10000's four classes)")
    page.table(("class", "indicator", "estimate", "confidence interval"), rows, left=2)
    page.text("002 says 10000 monitors 23 daily indicators in four classes without listing "
              "them; these are the indicators 002, 003 and 004 name, as far as the model "
              "computes them. Short abandons hung up within short_abandon_s.", "note")


def _closed(run: RunData) -> dict:
    """Disconnected calls that were neither forced disconnects nor IVR hang-ups: those
    still waiting at closing (the rest of the outcome; no CI)."""
    parts: list[Any] = [run.kpi(k).get("mean") for k in ("disconnected", "forced_disconnects",
                                                         "ivr_hangups")]
    if any(p is None for p in parts):
        return {"mean": None}
    return {"mean": parts[0] - parts[1] - parts[2], "half_width": None}


def _refused(run: RunData) -> list[tuple[str, str, str]]:
    """Tiers refused agent service (blacklist): their IVR hang-ups, named as such."""
    rows = []
    for tier, k in (run.summary.get("by_tier") or {}).items():
        hangups, asked = k.get("ivr_hangups") or {}, k.get("asked") or {}
        if hangups.get("mean") and not asked.get("mean"):
            rows.append((f"    … of which {label(tier)} calls refused", fmt(
                hangups["mean"], "count"), _ci(hangups, "count")))
    return rows


def _exact(page: Page, run: RunData) -> None:
    """Theory experiments: simulation beside the exact formula, and whether it is in the CI."""
    from sim.exact import compare, fmt_value

    rows = compare(run.summary, run.config)
    if not rows:
        return
    conf = run.summary.get("confidence", 0.95)
    page.heading("Simulation vs exact theory")
    page.table(("figure", "summary.json name", "simulation", f"{conf:.0%} CI", "exact",
                "exact inside the CI"),
               [(r.what, r.kpi, fmt_value(r.kpi, r.mean),
                 "—" if r.low is None else f"{fmt_value(r.kpi, r.low)} – "
                                           f"{fmt_value(r.kpi, r.high)}",
                 fmt_value(r.kpi, r.exact), {True: "yes", False: "no", None: "—"}[r.inside])
                for r in rows], left=2,
               classes=[{True: "met", False: "missed", None: ""}[r.inside] for r in rows])
    page.text("Exact values from sim.theory for this run's own parameters (steady state); "
              "the simulation covers a finite day after its warm-up, so an exact value "
              "outside the interval now and then is expected at the stated confidence.",
              "note")


def verdict(st: dict, target: float) -> tuple[str, str]:
    """met / missed against a target, and whether the confidence interval is clear of it."""
    mean, low, high = st.get("mean"), st.get("low"), st.get("high")
    if mean is None or math.isnan(mean):
        return "no calls", ""
    clear = low is None or high is None or low >= target or high < target
    word = "met" if mean >= target else "missed"
    return (word, word) if clear else (f"{word} (CI straddles target)", "uncertain")


def _tiers(page: Page, run: RunData) -> None:
    tiers = run.summary.get("by_tier") or {}
    if not tiers:
        return
    page.heading("Service level by tier against target")
    rows, classes = [], []
    for tier in tiers:
        st = run.kpi("service_level", "by_tier", tier)
        target = run.kpi("sl_target", "by_tier", tier).get("mean")
        has_target = target is not None and not math.isnan(target)
        word, cls = (verdict(st, cast(float, target)) if has_target
                     else ("no target (not served)", ""))
        rows.append((label(tier), fmt(run.kpi("offered", "by_tier", tier)["mean"], "count"),
                     fmt(st["mean"], "pct"), _ci(st, "pct"),
                     fmt(target, "pct") if has_target else "—", word))
        classes.append(cls)
    page.table(("tier", "calls offered", "service level", "CI", "target", "verdict"), rows,
               classes=classes)
    fig = figs.tier_service_levels(run)
    if fig is not None:
        page.figure(fig)


def currency(run: RunData) -> str:
    """The scenario's money unit (``scenario.currency``), shown with every amount."""
    return run.scenario.get("currency") or "money units"


def unpriced(run: RunData) -> bool:
    """No staff hour of the run has a price (``sim.report.modelled.unpriced``)."""
    return modelled.unpriced(run.kpi("cost").get("mean"), run.kpi("staffed_hours").get("mean"),
                             run.kpi("second_line_cost").get("mean"))


def unmodelled(run: RunData, k: str) -> str | None:
    return modelled.unmodelled(run.scenario, k)


def _value(run: RunData, value, k: str) -> str:
    if k in modelled.COSTS and unpriced(run):
        return modelled.UNPRICED
    text = fmt(value, kind(k))
    return f"{text} {currency(run)}" if kind(k) == "money" and text != "—" else text


def _interval(run: RunData, st: dict, k: str) -> str:
    return "—" if k in modelled.COSTS and unpriced(run) else _ci(st, kind(k))


def _money(page: Page, run: RunData) -> None:
    rows = [(k.replace("_", " "), _value(run, run.kpi(k)["mean"], k),
             _interval(run, run.kpi(k), k))
            for k in MONEY if run.kpi(k).get("mean") is not None]
    groups = run.summary.get("by_group") or {}
    if not rows and not groups:
        return
    page.heading("Cost and customer value")
    if rows:
        page.table(("figure", "estimate", "confidence interval"), rows)
    if groups:
        page.table(("skill group", "answered", "AHT", "occupancy", "staffed hours",
                    f"cost ({currency(run)})"),
                   [(label(g), fmt(_m(k, "answered"), "count"), fmt(_m(k, "aht_s"), "s"),
                     fmt(_m(k, "occupancy"), "pct"), fmt(_m(k, "staffed_hours"), "num"),
                     modelled.UNPRICED if unpriced(run) else fmt(_m(k, "cost"), "money"))
                    for g, k in groups.items()])
    states = [(g, k) for g, k in groups.items() if _m(k, "not_ready_share") is not None]
    if states:
        page.table(("skill group", "not ready (share of logged-in time)", "available hours",
                    "idle hours", "occupancy on available time", "shrinkage"),
                   [(label(g), fmt(_m(k, "not_ready_share"), "pct"),
                     fmt(_m(k, "available_hours"), "num"), fmt(_m(k, "idle_hours"), "num"),
                     fmt(_m(k, "occupancy_available"), "pct"), fmt(_m(k, "shrinkage"), "pct"))
                    for g, k in states])
        page.text("Agent states: scheduled headcount less shrinkage is logged in; not-ready "
                  "and break time is logged in but takes no call (groups.NAME.availability).",
                  "note")
    if unpriced(run):
        page.text("Not priced: no staff hour of this scenario has a price (cost_per_hour is 0 "
                  "for every group and second-line pool, as in a scenario calibrated from a "
                  "log), so no cost is shown; set groups.NAME.cost_per_hour to see one.",
                  "note")
    page.text(f"Amounts in {currency(run)} (scenario.currency). Cost is agent cost per "
              "staffed hour by group (front line and second line); customer value applies "
              "the domain brief's retention figures to each customer's experience.", "note")


def _m(kpis: dict, k: str):
    st = kpis.get(k)
    return st.get("mean") if isinstance(st, dict) else st


def _validation_warnings(run: RunData) -> list[str]:
    v = run.csv("validation")
    if v is None or "within" not in v:
        return []
    from sim.calibrate.validate import FLAG_METRIC

    bad = v[~v["within"].astype(bool)]
    return [_flag_warning(r) if r.metric == FLAG_METRIC else
            f"Validation against the log: {r.metric} is off by {r.difference:.3g}"
            + (f" (tolerance {r.tolerance:.3g})" if r.tolerance == r.tolerance else "")
            + f"{_noise_note(getattr(r, 'z', None))}." for r in bad.itertuples()]


def _flag_warning(r) -> str:
    """The long-wait flag missed (``validate.long_wait_row``), in words."""
    from sim.calibrate.validate import FLAG_ALPHA

    return (f"Validation against the log: simulated waits up to {r.sim:.0f} s, longer than "
            f"anything in the log ({r.log:.0f} s), on more simulated days than a model "
            f"right in distribution would show (chance under {FLAG_ALPHA * 100:g} %; counts in "
            f"calibration.json, long_waits).")


def _noise_note(z) -> str:
    """How the miss compares with the log's own noise (``validate.compare``'s z)."""
    if z is None or z != z:  # absent, or NaN (no noise estimate for this row)
        return ""
    where = "within" if abs(z) < 2 else "beyond"
    return f", {where} the log's own noise ({z:+.1f} standard deviations)"


def _validation(page: Page, run: RunData) -> None:
    v = run.csv("validation")
    if v is None:
        return
    page.heading("Calibration and validation against the call log")
    page.table(list(v.columns), [[_cell(x) for x in r] for r in v.itertuples(index=False)],
               classes=["met" if w else "missed" for w in v.get("within", [True] * len(v))])
    hourly = run.csv("validation_hourly")
    if hourly is not None and len(hourly):
        page.figure(_hourly_figure(hourly))
    by_day = run.csv("validation_by_day")
    if by_day is not None and len(by_day):
        _day_by_day(page, by_day)


DAY_METRICS = {"abandon_rate": ("abandonment", "pct"),
               "answered_at_once_of_requests": ("answered at once", "pct"),
               "mean_wait_served_s": ("mean wait of served", "s")}


def _day_by_day(page: Page, by_day) -> None:
    """``--day-mix``: each compared day, log against simulation, the day whose mean wait
    the model misses most (relative) first: which days a manager should look at."""
    t = by_day.pivot(index="date", columns="metric", values=["log", "sim"])
    wait = t[("sim", "mean_wait_served_s")] / t[("log", "mean_wait_served_s")] - 1
    order = wait.abs().sort_values(ascending=False).index
    page.heading("Day by day: log vs simulation")
    page.table(["date", *(f"{name}: log / sim" for name, _ in DAY_METRICS.values()),
                "mean wait: sim vs log"],
               [[d, *(f"{fmt(t.loc[d, ('log', m)], k)} / {fmt(t.loc[d, ('sim', m)], k)}"
                      for m, (_, k) in DAY_METRICS.items()), f"{wait[d]:+.0%}"]
                for d in order])
    page.text("ccsim validate --day-mix: each day simulated with its own calls per interval "
              "and agents present; rows sorted by the mean wait's relative miss.", "note")


def _cell(x) -> str:
    """A table cell: a number to 4 digits, blank where the row has none (NaN)."""
    if isinstance(x, float):
        return "" if x != x else f"{x:.4g}"
    return str(x)


def _hourly_figure(hourly):
    from plotly.subplots import make_subplots

    metrics = list(dict.fromkeys(hourly["metric"]))
    fig = make_subplots(rows=len(metrics), cols=1, shared_xaxes=True, subplot_titles=metrics,
                        vertical_spacing=0.25 / max(len(metrics), 1))
    for i, m in enumerate(metrics, start=1):
        h = hourly[hourly["metric"] == m]
        for col, dash in (("log", "solid"), ("sim", "dot")):
            fig.add_scatter(x=h["hour"], y=h[col], mode="lines+markers", name=col,
                            line={"dash": dash, "color": "#12355b" if col == "log"
                                  else "#e07b39"}, showlegend=i == 1, row=i, col=1)
        fig.update_yaxes(title_text=_unit(m), row=i, col=1)
    fig.update_xaxes(title_text="hour of day (h)", row=len(metrics), col=1)
    fig.update_layout(height=260 * len(metrics) + 80, title="Hour by hour: log vs simulation")
    return fig


def _unit(metric: str) -> str:
    m = metric.lower()
    if "wait" in m or m.endswith("_s"):
        return "seconds"
    if "volume" in m or "answered" in m or "calls" in m:
        return "calls per hour"
    return "share of calls"


PARTS = {"tiers": "tier", "reasons": "reason", "classes": "call class", "groups": "skill group",
         "queues": "queue", "ivr.nodes": "IVR node", "second_line.pools": "second-line pool"}


def _parameters(page: Page, run: RunData) -> None:
    """The scenario as a manager reads it: one row per setting (dotted key, readable
    value), then one table per part (tiers, groups, ...) with one row per member."""
    sc = run.scenario
    if not sc:
        return
    page.heading("Scenario parameters")
    parts = {k: _at(sc, k) for k in PARTS if isinstance(_at(sc, k), dict) and _at(sc, k)}
    flat = [(k, v) for k, v in _flatten(sc, "") if not any(
        k == p or k.startswith(p + ".") for p in parts) and k != "description"]
    policy = run.config.get("policy") or {}
    flat += [(f"policy.{k}", v) for k, v in _flatten(policy, "")]
    if sc.get("description"):
        page.text(str(sc["description"]), "note")
    page.table(("setting", "value"), flat, left=2)
    for part, table in parts.items():
        _part_table(page, PARTS[part], table)


def _at(tree: Any, dotted: str):
    for key in dotted.split("."):
        tree = tree.get(key) if isinstance(tree, dict) else None
    return tree


def _flatten(value, prefix: str) -> list[tuple[str, str]]:
    """Nested settings as (dotted key, readable value); a distribution stays one value."""
    if isinstance(value, dict) and value and not _is_dist(value):
        out = []
        for k, v in value.items():
            out += _flatten(v, f"{prefix}.{k}" if prefix else str(k))
        return out
    return [(prefix, readable(value))]


def _is_dist(v) -> bool:
    return isinstance(v, dict) and "dist" in v


def readable(v) -> str:
    """One setting as text: distributions by name and parameters, per-interval tables by
    their length and range, mappings as "key: value" pairs."""
    if v is None:
        return "none"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int | float):
        return f"{v:,}" if isinstance(v, int) else f"{v:,.6g}"
    if _is_dist(v):
        args = ", ".join(f"{k} {readable(x)}" for k, x in v.items() if k != "dist")
        return f"{v['dist']} ({args})" if args else str(v["dist"])
    if isinstance(v, list):
        if v and all(isinstance(x, int | float) and not isinstance(x, bool) for x in v):
            if len(set(v)) == 1:
                return f"{readable(v[0])} in each of {len(v)} intervals"
            if len(v) > 6:
                return f"{len(v)} values (one per interval), {min(v):,g}–{max(v):,g}"
        return ", ".join(readable(x) for x in v) or "none"
    if isinstance(v, dict):
        return "; ".join(f"{k}: {readable(x)}" for k, x in v.items()) or "none"
    return str(v)


def _part_table(page: Page, what: str, table: dict) -> None:
    rows = {n: dict(_flatten(v, "")) if isinstance(v, dict) else {"": readable(v)}
            for n, v in table.items()}
    cols = list(dict.fromkeys(c for r in rows.values() for c in r))
    page.text(f"{what}s", "")
    page.table([what, *[c.replace("_", " ") for c in cols]],
               [[label(n), *[r.get(c, "—") for c in cols]] for n, r in rows.items()],
               left=len(cols) + 1)
