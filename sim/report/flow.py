"""Call flow from arrival through IVR and queues to outcome, as a sankey diagram."""

from __future__ import annotations

from sim.report.data import RunData, label
from sim.report.run_figures import tier_of

ENDINGS = {"agent": "answered", "self_service": "self-served in the IVR",
           "queue_abandon": "abandoned in queue", "ivr_abandon": "abandoned in the IVR",
           "ivr_hangup": "hung up by the IVR", "forced_disconnect": "forced disconnect",
           "press2_self_service": "took press-2 self-service", "closed": "center closed",
           "outage_notice": "told of the outage, left", "no_line": "no free line (blocked)"}
OUTCOMES = ("answered", "abandoned", "disconnected", "self_served", "blocked")


def call_flow(run: RunData):
    """Calls per replication: segment → (ended in IVR | queued) → ending."""
    calls = run.table("calls", ["rep", "class", "t_queue", "ending", "group"])
    if calls is not None and len(calls):
        links = _links_from_calls(calls)
    else:
        links = _links_from_summary(run)
    if not links:
        return None
    return _sankey(links)


def _links_from_calls(calls) -> list[tuple[str, str, float]]:
    n_reps = max(int(calls["rep"].nunique()), 1)
    seg = calls["class"].map(lambda c: label(tier_of(c)))
    stage = calls["t_queue"].notna().map({True: "queued for an agent",
                                          False: "ended before a queue"})
    end = calls["ending"].astype(str).map(lambda e: ENDINGS.get(e, e))
    answered = calls["ending"].astype(str) == "agent"
    end = end.where(~answered, "answered by " + calls["group"].astype(str).map(label))
    links = []
    for a, b in ((seg, stage), (stage, end)):
        counts = a.to_frame("a").assign(b=b.to_numpy()).value_counts(sort=False)
        links += [(src, dst, n / n_reps) for (src, dst), n in counts.items() if n > 0]
    return links


def _links_from_summary(run: RunData) -> list[tuple[str, str, float]]:
    """Without calls.parquet: segment → outcome from the summary's mean counts."""
    scope = "by_tier" if run.summary.get("by_tier") else "by_class"
    links = []
    for name, kpis in run.summary.get(scope, {}).items():
        for outcome in OUTCOMES:
            n = (kpis.get(outcome) or {}).get("mean") or 0.0
            if n > 0:
                links.append((label(name), outcome.replace("_", "-"), n))
    return links


def _sankey(links: list[tuple[str, str, float]]):
    import plotly.graph_objects as go

    nodes = list(dict.fromkeys([s for s, _, _ in links] + [d for _, d, _ in links]))
    index = {n: i for i, n in enumerate(nodes)}
    fig = go.Figure(go.Sankey(
        valueformat=",.0f", valuesuffix=" calls",
        node={"label": nodes, "pad": 14, "thickness": 16},
        link={"source": [index[s] for s, _, _ in links],
              "target": [index[d] for _, d, _ in links],
              "value": [v for _, _, v in links]}))
    fig.update_layout(title="Call flow: tier → IVR or queue → outcome (calls per replication)",
                      height=560)
    return fig
