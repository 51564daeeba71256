"""The comparison report of a sweep or experiment: KPIs per point with confidence
intervals, paired differences against the baseline, a heatmap for two-dimensional grids."""

from __future__ import annotations

import math
from pathlib import Path

from sim.compare import point_labels, same_as, scenario_of, varying_keys
from sim.errors import ConfigError
from sim.kpi_specs import TABLE_KPIS as KPIS
from sim.kpi_specs import better, title
from sim.report import modelled
from sim.report.data import clipped, error_bars, kind, label
from sim.report.page import Page, fmt

FEW_REPS = 5


def write_comparison_report(sweep_dir: Path, out: Path | None = None) -> Path:
    """Write ``report.html`` for the sweep collected in ``sweep_dir``; return its path."""
    import pandas as pd

    sweep_dir = Path(sweep_dir)
    path = sweep_dir / "sweep.parquet"
    if not path.exists():
        raise ConfigError(str(sweep_dir), "holds no sweep.parquet (run the sweep with "
                                          "ccsim -m ... first)")
    table = pd.read_parquet(path)
    dpath = sweep_dir / "sweep_differences.parquet"
    diffs = pd.read_parquet(dpath) if dpath.exists() else None
    varying = varying_keys(table)
    names = point_labels(table, varying)
    table = table.assign(point=table["job"].map(names))  # values without "key="
    if diffs is not None:
        diffs = diffs.assign(baseline=diffs["baseline_job"].map(names))
    ok = table[table["status"] == "ok"]
    scen = scenario_of(table)
    page = Page(f"ccsim comparison — {sweep_dir.name}" + (f" ({scen})" if scen else ""),
                _subtitle(table, ok, diffs, varying))
    page.warnings(_warnings(table, ok))
    overall = ok[(ok["scope"] == "overall")]
    hidden = modelled.not_shown(sweep_dir, overall)
    kpis = [k for k in KPIS if k in set(overall["kpi"]) and k not in hidden]
    if kpis:
        page.heading("KPIs per point")
        _kpi_table(page, overall, kpis, varying, same_as(table, diffs, varying))
        if hidden:
            note = modelled.not_shown_note(hidden)
            page.text(note[0].upper() + note[1:] + ".", "note")
        page.figure(_kpi_bars(overall, kpis, varying, sweep_currency(sweep_dir)))
    tiers = ok[(ok["scope"] == "tier") & (ok["kpi"] == "service_level")]
    if len(tiers):
        page.heading("Service level by tier per point")
        page.figure(_tier_bars(tiers, varying))
    if diffs is not None and len(diffs):
        page.heading("Paired differences against the baseline")
        page.text("Each point minus its own baseline — the baseline's value of the compared "
                  "key with the point's own values of the other keys — replication by "
                  "replication on the same random inputs (common random numbers); bars are "
                  "mean differences with their confidence intervals. Green: a real "
                  "improvement, red: a real loss (interval clear of 0); grey: not "
                  "distinguishable from the baseline.", "note")
        page.figure(_diff_bars(diffs, table, kpis, varying, sweep_currency(sweep_dir)))
    if len(varying) == 2 and kpis:
        page.heading("Two-way grid")
        for kpi in kpis[:2]:
            page.figure(_heatmap(overall, varying, kpi, sweep_currency(sweep_dir)))
    out = out or sweep_dir / "report.html"
    out.write_text(page.render(), encoding="utf-8")
    return out


def _subtitle(table, ok, diffs, varying: list[str]) -> list[str]:
    points = table.drop_duplicates("job")
    n = ok["n"].max() if len(ok) else 0
    lines = [f"{len(points)} point(s), {int((points['status'] == 'ok').sum())} completed · "
             f"{int(n) if n == n else 0} replication(s) per point"
             + (f" · points labelled {' · '.join(varying)}" if varying else "")]
    if diffs is not None and len(diffs):
        bases = ", ".join(dict.fromkeys(diffs["baseline"].astype(str)))
        lines.append(f"baseline(s): {bases}")
    return lines


def _warnings(table, ok) -> list[str]:
    out = [f"Point {r.point} failed: {r.error}"
           for r in table[table["status"] != "ok"].drop_duplicates("job").itertuples()]
    n = ok["n"].max() if len(ok) else 0
    if n == n and 0 < n < FEW_REPS:
        out.append(f"Only {int(n)} replication(s) per point: confidence intervals are wide; "
                   f"use n_reps={FEW_REPS} or more before ranking close points.")
    return out


def _kpi_table(page: Page, overall, kpis: list[str], varying: list[str], same: str) -> None:
    points = list(dict.fromkeys(overall["point"]))
    cell = overall.set_index(["point", "kpi"])
    rows = []
    for p in points:
        row = [p]
        for k in kpis:
            st = cell.loc[(p, k)] if (p, k) in cell.index else None
            text = "—" if st is None else _with_ci(st, kind(k))
            best = st is not None and bool(st.get("best", False))
            row.append(text + (" ★" if best else ""))
        rows.append(row)
    page.table([" · ".join(varying) or "point", *[title(k) for k in kpis]], rows)
    page.text(f"★ marks a point that is best among the points of the same {same} (highest "
              "for rates of success, lowest for waits, abandonment and cost) with every "
              "paired difference against them clear of 0; where the replications cannot "
              "separate the points, nothing is marked. Occupancy and AHT are not ranked.",
              "note")


def _with_ci(st, k: str) -> str:
    mean, hw = st["mean"], st["half_width"]
    if hw is None or math.isnan(hw):
        return fmt(mean, k)
    if clipped(st):  # a share near 0 or 100 %: the interval cut at the possible range
        return f"{fmt(mean, k)} [{fmt(st['low'], k)}, {fmt(st['high'], k)}]"
    return f"{fmt(mean, k)} ± {fmt(hw, k)}"


def _scale(k: str) -> float:
    return 100.0 if kind(k) == "pct" else 1.0


def _axis(k: str, money: str = "money units") -> str:
    return {"pct": "%", "s": "seconds", "money": money, "count": "calls"}[kind(k)]


def sweep_currency(sweep_dir: Path) -> str:
    """The points' scenario.currency (the unit of cost figures), from a point's config."""
    return next((s.get("currency") for s in modelled.point_scenarios(sweep_dir)), None) \
        or "money units"


def _bars(d, scale: float) -> dict:
    """Error bars from each row's low/high (a share's interval is clipped to [0, 1])."""
    up, down = zip(*(error_bars(r.mean, r.low, r.high, r.half_width, scale)
                     for r in d.itertuples()), strict=True) if len(d) else ((), ())
    return {"type": "data", "array": list(up), "arrayminus": list(down)}


def _kpi_bars(overall, kpis: list[str], varying: list[str], money: str):
    from plotly.subplots import make_subplots

    cols = 2
    rows = math.ceil(len(kpis) / cols)
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=[title(k) for k in kpis],
                        vertical_spacing=0.6 / rows)
    for i, k in enumerate(kpis):
        d, s = overall[overall["kpi"] == k], _scale(k)
        fig.add_bar(x=d["point"], y=d["mean"] * s, showlegend=False, marker_color="#12355b",
                    error_y=_bars(d, s),
                    row=i // cols + 1, col=i % cols + 1)
        fig.update_yaxes(title_text=_axis(k, money), row=i // cols + 1, col=i % cols + 1)
        fig.update_xaxes(title_text=" · ".join(varying) or "point", tickangle=-30,
                         automargin=True, row=i // cols + 1, col=i % cols + 1)
    fig.update_layout(height=380 * rows, title="KPIs per point (mean with confidence interval)")
    return fig


def _tier_bars(tiers, varying: list[str]):
    import plotly.graph_objects as go

    from sim.report.run_figures import TIER_COLOURS

    fig = go.Figure()
    for tier, d in tiers.groupby("name", sort=False):
        fig.add_bar(x=d["point"], y=100 * d["mean"], name=label(tier),
                    marker_color=TIER_COLOURS.get(tier), error_y=_bars(d, 100))
    fig.update_layout(barmode="group", height=460,
                      title="Service level by tier (mean with confidence interval)")
    fig.update_xaxes(title_text=" · ".join(varying) or "point", tickangle=-30, automargin=True)
    fig.update_yaxes(title_text="% answered within target time", range=[0, 105])
    return fig


def _diff_bars(diffs, table, kpis: list[str], varying: list[str], money: str):
    from plotly.subplots import make_subplots

    names = table.drop_duplicates("job").set_index("job")["point"]
    d = diffs[(diffs["scope"] == "overall") & diffs["kpi"].isin(kpis)].copy()
    d["point"] = d["job"].map(names) + " vs " + d["baseline"].astype(str)
    cols = 2
    rows = max(math.ceil(len(kpis) / cols), 1)
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=[f"Δ {title(k)}" for k in kpis],
                        vertical_spacing=0.6 / rows)
    for i, k in enumerate(kpis):
        x, s = d[d["kpi"] == k], _scale(k)
        r, c = i // cols + 1, i % cols + 1
        fig.add_bar(x=x["point"], y=x["diff_mean"] * s, showlegend=False,
                    marker_color=[_diff_colour(k, lo, hi) for lo, hi in
                                  zip(x["diff_low"], x["diff_high"], strict=True)],
                    error_y={"type": "data", "array": x["diff_half_width"].fillna(0) * s},
                    row=r, col=c)
        fig.add_hline(y=0, line_color="black", row=r, col=c)
        fig.update_yaxes(title_text=f"difference ({'points' if s == 100 else _axis(k, money)})",
                         row=r, col=c)
        fig.update_xaxes(title_text="point vs its baseline", tickangle=-30, automargin=True,
                         row=r, col=c)
    fig.update_layout(height=380 * rows, title="Point minus its baseline (paired, CRN)")
    return fig


def _diff_colour(kpi: str, low: float | None, high: float | None) -> str:
    """Green for a real improvement, red for a real loss, grey when the CI holds 0 or
    there is none (one replication)."""
    if better(kpi) == "neutral":
        return "#12355b"
    if low is None or high is None or not (low > 0 or high < 0):
        return "#9aa5b1"
    return "#2e9e5b" if (low > 0) == (better(kpi) == "high") else "#d64545"


def _heatmap(overall, varying: list[str], kpi: str, money: str):
    import plotly.graph_objects as go

    d = overall[overall["kpi"] == kpi]
    grid = d.pivot_table(index=varying[1], columns=varying[0], values="mean", aggfunc="first")
    s = _scale(kpi)
    fig = go.Figure(go.Heatmap(z=grid.to_numpy() * s, x=[str(c) for c in grid.columns],
                               y=[str(i) for i in grid.index], colorscale="RdYlGn"
                               if better(kpi) == "high" else "RdYlGn_r",
                               colorbar={"title": {"text": _axis(kpi, money)}},
                               texttemplate="%{z:.1f}"))
    fig.update_layout(title=f"{title(kpi)} over the grid", height=460)
    fig.update_xaxes(title_text=varying[0], type="category")
    fig.update_yaxes(title_text=varying[1], type="category")
    return fig
