"""The figures of a run report, each from the run's output tables (means over replications).

Every axis is labelled with its unit; tiers and groups carry the domain brief's names."""

from __future__ import annotations

import numpy as np

from sim.report.data import RunData, error_bars, label, work_classes

TIER_COLOURS = {"diamond": "#5b8def", "gold": "#d4a017", "silver": "#8e9aa6",
                "member": "#2e9e5b", "ordinary": "#e07b39", "blacklist": "#444444"}
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#7f7f7f", "#bcbd22", "#17becf")


def colour(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def _x_hours(start_s) -> np.ndarray:
    return np.asarray(start_s, dtype=float) / 3600.0


def tier_of(cls: str) -> str:
    """Hotline classes are "tier/reason"; a simple scenario's class is its own segment."""
    return str(cls).split("/")[0]


def segment_intervals(run: RunData):
    """Per (segment, interval): offered, asked, answered, answered within T, pooled over
    replications (a segment is a tier in a hotline, a call class otherwise)."""
    df = run.table("intervals", ["rep", "interval", "start_s", "class", "offered", "asked",
                                 "answered", "service_level"])
    if df is None:
        return None
    # neither the all-classes total row nor the agents' own work (no calls)
    df = df[~df["class"].isin({"ALL", *work_classes(run)})]
    df = df.assign(segment=df["class"].map(tier_of),
                   within=(df["service_level"].fillna(0.0) * df["asked"]))
    g = df.groupby(["segment", "interval", "start_s"], as_index=False)[
        ["offered", "asked", "answered", "within"]].sum()
    g[["offered", "asked", "answered", "within"]] /= max(int(df["rep"].nunique()), 1)
    return g


def day_profile(run: RunData):
    """Calls offered per interval (stacked by segment) and service level per interval."""
    from plotly.subplots import make_subplots

    g = segment_intervals(run)
    if g is None:
        return None
    t = f'{run.summary.get("service_level_s", 20):g}'
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08,
                        subplot_titles=("Calls offered per interval",
                                        f"Service level per interval (answered within {t} s)"))
    for seg, s in g.groupby("segment", sort=False):
        colour = TIER_COLOURS.get(seg)
        x = _x_hours(s["start_s"])
        fig.add_bar(x=x, y=s["offered"], name=label(seg), legendgroup=seg,
                    marker_color=colour, row=1, col=1)
        if s["asked"].sum() > 0:
            sl = np.where(s["asked"] > 0, s["within"] / s["asked"].where(s["asked"] > 0), np.nan)
            fig.add_scatter(x=x, y=100 * sl, name=f"{label(seg)} SL", legendgroup=seg,
                            mode="lines+markers", line={"color": colour}, showlegend=False,
                            row=2, col=1)
    tot = g.groupby("start_s", as_index=False)[["asked", "answered"]].sum()
    ar = tot["answered"] / tot["asked"].where(tot["asked"] > 0)
    fig.add_scatter(x=_x_hours(tot["start_s"]), y=100 * ar, name="answer rate (all)",
                    mode="lines", line={"color": "black", "dash": "dot"}, row=2, col=1)
    fig.update_layout(barmode="stack", height=640, title="The day, interval by interval")
    fig.update_xaxes(title_text="time since start of day 1 (h)", row=2, col=1)
    fig.update_yaxes(title_text="calls per interval", row=1, col=1)
    fig.update_yaxes(title_text="% of calls asking for an agent", range=[0, 105], row=2, col=1)
    return fig


def tier_service_levels(run: RunData):
    """Service level per tier with its confidence interval, against the tier's target."""
    import plotly.graph_objects as go

    tiers = [t for t, k in run.summary.get("by_tier", {}).items()
             if (k.get("asked") or {}).get("mean")]
    if not tiers:
        return None
    sl = [run.kpi("service_level", "by_tier", t) for t in tiers]
    bars = [error_bars(s["mean"], s.get("low"), s.get("high"), s.get("half_width"), 100)
            for s in sl]
    fig = go.Figure()
    fig.add_bar(x=[label(t) for t in tiers], y=[100 * s["mean"] for s in sl],
                error_y={"type": "data", "array": [b[0] for b in bars],
                         "arrayminus": [b[1] for b in bars], "visible": True},
                marker_color=[TIER_COLOURS.get(t, "#5b8def") for t in tiers],
                name="service level")
    targets = [run.kpi("sl_target", "by_tier", t).get("mean") for t in tiers]
    fig.add_scatter(x=[label(t) for t in tiers], y=[100 * v if v == v and v is not None
                                                    else None for v in targets],
                    mode="markers", marker={"symbol": "line-ew-open", "size": 40,
                                            "line": {"width": 3, "color": "black"}},
                    name="target")
    t = f'{run.summary.get("service_level_s", 20):g}'
    fig.update_layout(title=f"Service level by tier (answered within {t} s), with "
                            f"{run.summary.get('confidence', 0.95):.0%} CI", height=420)
    fig.update_xaxes(title_text="customer tier")
    fig.update_yaxes(title_text="% answered within target time", range=[0, 105])
    return fig


def wait_counts(run: RunData):
    """Queued calls per (segment, 1-s wait bin), pooled over replications: from the run's
    wait histogram (flat memory, warm-up excluded), else binned from calls.parquet."""
    from sim.records import WAIT_BIN_S, WAIT_BINS

    h = run.table("wait_histogram")
    if h is None:
        calls = run.table("calls", ["class", "t_queue", "t_left_queue"])
        if calls is None:
            return None
        calls = calls[calls["t_queue"].notna() & calls["t_left_queue"].notna()]
        wait = (calls["t_left_queue"] - calls["t_queue"]).to_numpy()
        b = np.minimum((wait / WAIT_BIN_S).astype(np.int64), WAIT_BINS - 1)
        h = calls[["class"]].assign(wait_s=b * WAIT_BIN_S, calls=1.0)
    if h.empty:
        return None
    h = h.assign(segment=h["class"].map(tier_of))
    return h.groupby(["segment", "wait_s"], sort=False)["calls"].sum()


def wait_distribution(run: RunData):
    """Distribution of queue waits per segment: the share waiting less than x seconds."""
    import plotly.graph_objects as go

    from sim.records import WAIT_BIN_S

    counts = wait_counts(run)
    if counts is None:
        return None
    total = counts.groupby("wait_s").sum().sort_index()
    top = float(total.index[np.searchsorted(total.cumsum(), 0.999 * total.sum())])
    fig = go.Figure()
    for seg in dict.fromkeys(counts.index.get_level_values(0)):
        c = counts.loc[seg].sort_index()
        c = c[c.index <= top]
        share = 100 * c.cumsum() / counts.loc[seg].sum()
        # from 0 to the plot's right edge (a tier whose waits end early stays flat)
        fig.add_scatter(x=np.concatenate(([0.0], c.index + WAIT_BIN_S, [top + WAIT_BIN_S])),
                        y=np.concatenate(([0.0], share, share.iloc[-1:])), mode="lines",
                        line_shape="hv",
                        name=f"{label(seg)} ({counts.loc[seg].sum():,.0f} calls)",
                        line={"color": TIER_COLOURS.get(seg)})
    t = float(run.summary.get("service_level_s", 20))
    fig.add_vline(x=t, line_dash="dash", annotation_text=f"service-level threshold {t:g} s")
    fig.update_layout(title="Waiting time in queue (answered and abandoned callers, all "
                            "replications)", height=420)
    fig.update_xaxes(title_text="wait in queue (s, 1-s bins)")
    fig.update_yaxes(title_text="% of queued callers waiting less than this",
                     range=[0, 101])
    return fig


def agents_and_queues(run: RunData):
    """Occupancy and staffed agents per group, and mean queue length per queue."""
    from plotly.subplots import make_subplots

    g, q = run.table("groups_intervals"), run.table("queues_intervals")
    if g is None or q is None:
        return None
    groups = g.groupby(["group", "start_s"], as_index=False, sort=False)[
        ["staffed_agents", "busy_agents", "occupancy"]].mean()
    queues = q.groupby(["queue", "start_s"], as_index=False, sort=False)[
        "mean_queue_length"].mean()
    fig = make_subplots(rows=3, cols=1, shared_xaxes=True, vertical_spacing=0.07,
                        subplot_titles=("Agent occupancy per skill group",
                                        "Agents staffed per skill group",
                                        "Mean queue length per skill queue"))
    for i, (name, s) in enumerate(groups.groupby("group", sort=False)):
        x = _x_hours(s["start_s"])
        fig.add_scatter(x=x, y=100 * s["occupancy"], name=label(name), legendgroup=name,
                        mode="lines", line={"color": colour(i)}, row=1, col=1)
        fig.add_scatter(x=x, y=s["staffed_agents"], name=label(name), legendgroup=name,
                        mode="lines", line={"shape": "hv", "color": colour(i)},
                        showlegend=False, row=2, col=1)
    for i, (name, s) in enumerate(queues.groupby("queue", sort=False)):
        fig.add_scatter(x=_x_hours(s["start_s"]), y=s["mean_queue_length"],
                        name=f"queue {label(name)}", mode="lines",
                        line={"color": colour(i + 5), "dash": "dot"}, row=3, col=1)
    fig.update_layout(height=820, title="Agents and queues over the day")
    fig.update_yaxes(title_text="occupancy (%)", range=[0, 105], row=1, col=1)
    fig.update_yaxes(title_text="agents", row=2, col=1)
    fig.update_yaxes(title_text="calls waiting", row=3, col=1)
    fig.update_xaxes(title_text="time since start of day 1 (h)", row=3, col=1)
    return fig


def second_line(run: RunData):
    """Work-order backlog per back-office pool, with orders opened and closed."""
    from plotly.subplots import make_subplots

    s = run.table("second_line_intervals")
    if s is None:
        return None
    if s.empty:
        return None
    pools = s.groupby(["pool", "start_s"], as_index=False, sort=False)[
        ["opened", "closed", "backlog"]].mean()
    last = float(pools["start_s"].max())
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.1,
                        subplot_titles=("Open work orders (backlog) at interval end",
                                        "Work orders opened (above 0) and closed (below 0) "
                                        "per interval"))
    for i, (name, p) in enumerate(pools.groupby("pool", sort=False)):
        x, c = _x_hours(p["start_s"]), colour(i)
        day = (p["start_s"] < last).to_numpy()
        fig.add_scatter(x=x, y=p["backlog"], name=label(name), legendgroup=name,
                        mode="lines", line={"color": c}, row=1, col=1)
        fig.add_bar(x=x, y=p["opened"], name=f"{label(name)} opened", legendgroup=name,
                    marker_color=c, showlegend=False, row=2, col=1)
        fig.add_bar(x=x[day], y=-p["closed"][day], name=f"{label(name)} closed",
                    legendgroup=name, marker={"color": c, "opacity": 0.45}, showlegend=False,
                    row=2, col=1)
        # the last interval also holds every order closed in the drain after the horizon
        fig.add_bar(x=x[~day], y=-p["closed"][~day],
                    name="closed in the last interval, incl. the drain after the horizon",
                    legendgroup="drain", hovertext=label(name),
                    marker={"color": c, "opacity": 0.45, "pattern": {"shape": "/"}},
                    showlegend=i == 0, row=2, col=1)
    fig.add_annotation(x=last / 3600, y=0, yshift=-8, row=2, col=1, showarrow=True, ax=-90,
                       ay=30, yanchor="top", text="last interval: closed in the drain after "
                       "the horizon too", font={"size": 11})
    fig.update_layout(height=600, barmode="relative", title="Second line (back office)")
    fig.update_yaxes(title_text="work orders", row=1, col=1)
    fig.update_yaxes(title_text="work orders per interval", row=2, col=1)
    fig.update_xaxes(title_text="time since start of day 1 (h)", row=2, col=1)
    return fig
