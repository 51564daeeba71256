"""What a finished job shows: the baseline and the edited scenario side by side with
paired-difference CIs (read from the job's sweep tables), and the figures — the
comparison report's own (sim.report.compare_report) plus occupancy per desk over the
day from each point's interval table."""

from __future__ import annotations

import math
from pathlib import Path

from sim.kpi_specs import KPIS, better, title
from sim.report.data import kind
from sim.report.modelled import COSTS, unpriced
from sim.report.page import fmt

# (scope, kpi) rows of the side-by-side table, in this order; tiers, desks follow
OVERALL_ROWS = ("service_level", "abandon_rate", "asa_s", "answer_rate", "occupancy",
                "cost_per_call", "cost", "retained_value", "value_at_risk")


def load(folder: Path):
    """(KPI table, paired differences) of a finished job."""
    import pandas as pd

    table = pd.read_parquet(folder / "sweep.parquet")
    dpath = folder / "sweep_differences.parquet"
    diffs = pd.read_parquet(dpath) if dpath.exists() else None
    return table, diffs


def _cell(st, k: str) -> str:
    if st is None or st["mean"] is None or (isinstance(st["mean"], float)
                                             and math.isnan(st["mean"])):
        return "—"
    hw = st["half_width"]
    text = fmt(st["mean"], kind(k))
    return text if hw is None or math.isnan(hw) else f"{text} ± {fmt(hw, kind(k))}"


def _diff(d, k: str) -> tuple[str, str]:
    """(text, verdict): verdict better / worse / same (CI holds 0) / neutral."""
    if d is None:
        return "—", "same"
    scale = 100 if kind(k) == "pct" else 1
    unit = " pt" if scale == 100 else ""
    hw = d["diff_half_width"]
    text = f"{scale * d['diff_mean']:+.1f}{unit}"
    if hw is not None and not math.isnan(hw):
        text += f" ± {scale * hw:.1f}"
    clear = not (math.isnan(d["diff_low"]) or math.isnan(d["diff_high"])) and (
        d["diff_low"] > 0 or d["diff_high"] < 0)
    if not clear:
        return text, "same"
    if better(k) == "neutral":
        return text, "neutral"
    up = d["diff_low"] > 0
    return text, "better" if up == (better(k) == "high") else "worse"


def rows(table, diffs, targets: dict[str, float] | None = None) -> list[dict]:
    """One row per KPI shown: label, baseline, edited, difference, verdict, target."""
    ok = table[table["status"] == "ok"]
    jobs = sorted(int(j) for j in ok["job"].unique())
    if len(jobs) < 2:
        return []
    base_job, edit_job = jobs[0], jobs[1]
    cell = ok.set_index(["job", "scope", "name", "kpi"])
    dcell = (diffs.set_index(["scope", "name", "kpi"]) if diffs is not None and len(diffs)
             else None)
    wanted = [("overall", "ALL", k) for k in OVERALL_ROWS]
    tiers = ok[(ok["scope"] == "tier") & (ok["kpi"] == "service_level")]
    wanted += [("tier", n, "service_level") for n in dict.fromkeys(tiers["name"])]
    if not len(tiers):
        classes = ok[(ok["scope"] == "class") & (ok["kpi"] == "service_level")]
        wanted += [("class", n, "service_level") for n in dict.fromkeys(classes["name"])]
    desks = ok[(ok["scope"] == "group") & (ok["kpi"] == "occupancy")]
    wanted += [("group", n, "occupancy") for n in dict.fromkeys(desks["name"])]
    unpriced = all(_unpriced(cell, j) for j in (base_job, edit_job))
    out = []
    for scope, name, k in wanted:
        if (base_job, scope, name, k) not in cell.index or (unpriced and k in COSTS):
            continue  # a cost of 0 where no staff hour has a price is no figure
        b, e = cell.loc[(base_job, scope, name, k)], cell.loc[(edit_job, scope, name, k)]
        if math.isnan(b["mean"]) and math.isnan(e["mean"]):
            continue  # e.g. the service level of a tier no agent serves
        d = dcell.loc[(scope, name, k)] if dcell is not None and (scope, name, k) in \
            dcell.index else None
        text, verdict = _diff(d, k)
        label = title(k) if scope == "overall" else f"{title(k)} · {scope} {name}"
        target = (targets or {}).get(name) if scope == "tier" else None
        out.append({"id": f"{scope}.{name}.{k}", "kpi": label, "baseline": _cell(b, k),
                    "edited": _cell(e, k), "difference": text, "verdict": verdict,
                    "target": "—" if target is None else fmt(target, "pct"),
                    "baseline_mean": float(b["mean"]), "edited_mean": float(e["mean"])})
    return out


def _unpriced(cell, job: int) -> bool:
    def mean(k: str):
        key = (job, "overall", "ALL", k)
        return float(cell.loc[key]["mean"]) if key in cell.index else None
    return unpriced(mean("cost"), mean("staffed_hours"), mean("second_line_cost"))


def tier_targets(cfg: dict) -> dict[str, float]:
    tiers = (cfg.get("scenario") or {}).get("tiers") or {}
    return {t: float(s["sl_target"]) for t, s in tiers.items()
            if isinstance(s, dict) and s.get("sl_target") is not None}


def figures(folder: Path, table, diffs, targets: dict[str, float]) -> list:
    """The comparison report's figures for this job, plus occupancy over the day."""
    from sim.compare import point_labels
    from sim.report.compare_report import _diff_bars, _tier_bars

    names = point_labels(table, ["what_if"])
    table = table.assign(point=table["job"].map(names))
    ok = table[table["status"] == "ok"]
    figs = []
    tiers = ok[(ok["scope"] == "tier") & (ok["kpi"] == "service_level")]
    if len(tiers):
        fig = _tier_bars(tiers, ["what_if"])
        for i, (tier, target) in enumerate(targets.items()):
            fig.add_scatter(x=list(dict.fromkeys(tiers["point"])), y=[100 * target] * 2,
                            mode="lines", line={"dash": "dot", "color": "black"},
                            name="target" if i == 0 else None, showlegend=i == 0,
                            legendgroup="target", hovertext=f"{tier} target")
        fig.update_layout(title="Service level by tier against target (dotted)")
        figs.append(("tier-sl", fig))
    if diffs is not None and len(diffs):
        d = diffs.assign(baseline=diffs["baseline_job"].map(names))
        kpis = [k for k in ("service_level", "abandon_rate", "asa_s", "occupancy",
                            "cost_per_call") if k in set(d["kpi"])]
        figs.append(("diffs", _diff_bars(d, table, kpis, ["what_if"], "money units")))
    occ = occupancy_figure(folder)
    if occ is not None:
        figs.append(("occupancy", occ))
    return figs


def occupancy_figure(folder: Path):
    """Occupancy per desk over the day, mean over replications: baseline dashed, edited
    solid (from each point's groups_intervals table)."""
    import pandas as pd
    import plotly.graph_objects as go

    from sim.report.run_figures import colour

    fig = go.Figure()
    for dash, point in (("dash", "0_baseline"), ("solid", "1_edited")):
        path = folder / point / "groups_intervals.parquet"
        if not path.exists():
            return None
        g = pd.read_parquet(path)
        g = g[g["group"].notna()] if "group" in g.columns else g.iloc[0:0]
        mean = g.groupby(["group", "start_s"], sort=False)["occupancy"].mean().reset_index()
        for i, (desk, d) in enumerate(mean.groupby("group", sort=False)):
            fig.add_scatter(x=d["start_s"] / 3600, y=100 * d["occupancy"], mode="lines",
                            name=f"{desk} ({point[2:]})",
                            line={"dash": dash, "color": colour(i)})
    fig.update_layout(title="Occupancy per desk over the day (dashed: baseline)", height=420)
    fig.update_xaxes(title_text="hour of the simulated day")
    fig.update_yaxes(title_text="% of staffed time busy", range=[0, 105])
    return fig


def known(k: str) -> bool:
    return k in KPIS
