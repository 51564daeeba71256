"""Call flow from arrival through IVR and queues to outcome, as a sankey diagram."""

from __future__ import annotations

from sim.report.data import RunData, label, work_classes
from sim.report.run_figures import TIER_COLOURS, tier_of
from sim.report.run_figures import colour as colour_of

ENDINGS = {"agent": "answered", "self_service": "self-served in the IVR",
           "queue_abandon": "abandoned in queue", "ivr_abandon": "abandoned in the IVR",
           "ivr_hangup": "hung up by the IVR", "forced_disconnect": "forced disconnect",
           "press2_self_service": "took press-2 self-service", "closed": "center closed",
           "outage_notice": "told of the outage, left", "no_line": "no free line (blocked)"}
OUTCOMES = ("answered", "abandoned", "disconnected", "self_served", "blocked")


def call_flow(run: RunData):
    """Calls per replication: tier → (ended in IVR | queued) → ending, every link coloured
    by its tier, tiers in the order of the scenario (priority order)."""
    calls = run.table("calls", ["rep", "class", "t_queue", "ending", "group"])
    if calls is not None:  # calls only: the agents' own work is no call
        calls = calls[~calls["class"].isin(work_classes(run))]
    if calls is not None and len(calls):
        links = _links_from_calls(calls)
    else:
        links = _links_from_summary(run)
    if not links:
        return None
    order = list(run.summary.get("by_tier") or run.summary.get("by_class") or {})
    return _sankey(links, order)


Link = tuple[str, str, str, float]  # tier, source node, target node, calls per replication


def _links_from_calls(calls) -> list[Link]:
    n_reps = max(int(calls["rep"].nunique()), 1)
    tier = calls["class"].map(tier_of)
    stage = calls["t_queue"].notna().map({True: "queued for an agent",
                                          False: "ended before a queue"})
    end = calls["ending"].astype(str).map(lambda e: ENDINGS.get(e, e))
    answered = calls["ending"].astype(str).isin(("agent", "recalled"))  # recalled: away work cut
    end = end.where(~answered, "answered by " + calls["group"].astype(str).map(label))
    links = []
    for a, b in ((tier.map(label), stage), (stage, end)):
        counts = (a.to_frame("a").assign(b=b.to_numpy(), tier=tier.to_numpy())
                  .value_counts(["tier", "a", "b"], sort=False))
        links += [(t, src, dst, n / n_reps) for (t, src, dst), n in counts.items() if n > 0]
    return links


def _links_from_summary(run: RunData) -> list[Link]:
    """Without calls.parquet: segment → outcome from the summary's mean counts."""
    scope = "by_tier" if run.summary.get("by_tier") else "by_class"
    links = []
    for name, kpis in run.summary.get(scope, {}).items():
        for outcome in OUTCOMES:
            n = (kpis.get(outcome) or {}).get("mean") or 0.0
            if n > 0:
                links.append((name, label(name), outcome.replace("_", "-"), n))
    return links


def _rgba(hex_colour: str, alpha: float) -> str:
    h = hex_colour.lstrip("#")
    return f"rgba({int(h[0:2], 16)},{int(h[2:4], 16)},{int(h[4:6], 16)},{alpha})"


def _columns(links: list[Link], order: list[str]) -> list[list[str]]:
    """Nodes column by column: tiers in scenario order, then each later column's nodes in
    first-seen order with "answered ..." first."""
    rank = {label(t): i for i, t in enumerate(order)}
    sources = {s for _, s, _, _ in links}
    targets = {d for _, _, d, _ in links}
    first = sorted(sources - targets, key=lambda n: (rank.get(n, len(rank)), n))
    cols, seen = [first], set(first)
    while True:
        nxt = list(dict.fromkeys(d for _, s, d, _ in links if s in cols[-1] and d not in seen))
        if not nxt:
            return cols
        nxt.sort(key=lambda n: not n.startswith("answered"))
        cols.append(nxt)
        seen.update(nxt)


def _sankey(links: list[Link], order: list[str]):
    import plotly.graph_objects as go

    cols = _columns(links, order)
    nodes = [n for c in cols for n in c]
    index = {n: i for i, n in enumerate(nodes)}
    size = {n: max(sum(v for _, s, _, v in links if s == n),
                   sum(v for _, _, d, v in links if d == n)) for n in nodes}
    xs, ys = [], []
    for k, col in enumerate(cols):  # fixed positions keep the tier order top to bottom
        total = sum(size[n] for n in col) or 1.0
        cum = 0.0
        for n in col:
            xs.append(0.001 + 0.998 * k / max(len(cols) - 1, 1))
            ys.append(min(0.999, max(0.001, 0.02 + 0.96 * (cum + size[n] / 2) / total)))
            cum += size[n]
    colour = {t: TIER_COLOURS.get(t, colour_of(i)) for i, t in
              enumerate(dict.fromkeys(t for t, _, _, _ in links))}
    fig = go.Figure(go.Sankey(
        arrangement="fixed", valueformat=",.0f", valuesuffix=" calls",
        node={"label": nodes, "pad": 14, "thickness": 16, "x": xs, "y": ys,
              "color": [_rgba(colour[t], 0.9) if (t := _tier_of_node(n, colour)) else
                        "#8e9aa6" for n in nodes]},
        link={"source": [index[s] for _, s, _, _ in links],
              "target": [index[d] for _, _, d, _ in links],
              "value": [v for _, _, _, v in links],
              "color": [_rgba(colour[t], 0.45) for t, _, _, _ in links],
              "customdata": [label(t) for t, _, _, _ in links],
              "hovertemplate": "%{customdata}: %{source.label} → %{target.label}<br>"
                               "%{value} per replication<extra></extra>"}))
    fig.update_layout(title="Call flow: tier → IVR or queue → outcome (calls per replication; "
                            "links coloured by tier)", height=600)
    return fig


def _tier_of_node(node: str, colour: dict) -> str | None:
    return next((t for t in colour if label(t) == node), None)
