"""Differential property test: on random small scenarios (classes, priorities, queues with
group preference orders, staffing changes, lines, patience, announcements, forced
disconnect, answer delays, IVR time, trace or Poisson arrivals over several days, drain,
agent availability: shrinkage, not ready, breaks, the last agent staying, agents called
back from away work after a caller's reaction time; seat sites with dialect routing)
under every built-in policy, ``engine: fast`` records the same calls as ``engine: simpy``
— every column of every record, in the same order, in the same chunks — and the same
interval accumulators, bit for bit. The same on random small hotlines: tiers, reasons,
caller ID with few or no returning customers, FCR windows, and random IVR trees (menus by
reason and by branch, verification with failures, self-service, IVR abandon, hang-up,
transfers to any queue, press-2, gamma node times), redials (with the IVR hang-up's
own law), key customers, agent availability, outbound blending (campaigns, the
threshold rule, a reserved share), the outage (surge, ticket, IVR notice) and the
second line (pools, VIP tiers, green channel, callbacks, the closed loop) with customers
chasing open work orders and complaint orders escalating, and seat sites (regions, dialect
needs, a short, long or no fallback, dialect_first or queue order; never with agents
called back, which the configuration refuses with them)."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from simhelpers import POLICIES, make_policy

import sim.runner
from sim.config import build_model_spec
from sim.fast.engine import unsupported
from sim.records import Recorder


class _SmallChunks(Recorder):
    """A recorder folding every 7 calls."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, chunk=7, **kwargs)

ACCUMULATORS = ("fcr", "work_orders", "announcements", "press2", "virtual_holds",
                "group_busy_s", "group_staffed_s", "group_answered", "group_handle_s",
                "queue_area", "wait_hist", "group_away_s")


def dist(draw, *, patience: bool = False):
    kind = draw(st.sampled_from(["exponential", "deterministic", "lognormal", "uniform"]
                                + (["none"] if patience else [])))
    mean = draw(st.sampled_from([5.0, 20.0, 45.0, 90.0]))
    if kind == "none":
        return None
    if kind == "deterministic":
        return mean
    if kind == "lognormal":
        return {"dist": "lognormal", "mean": mean, "sd": mean / 2}
    if kind == "uniform":
        return {"dist": "uniform", "low": mean / 2, "high": mean * 1.5}
    return {"dist": "exponential", "mean": mean}


@st.composite
def scenarios(draw):
    per_day = draw(st.integers(2, 5))
    days = draw(st.integers(1, 2))
    interval_s = draw(st.sampled_from([60.0, 100.0, 250.0]))
    n_groups = draw(st.integers(1, 2))
    groups = [f"g{i}" for i in range(n_groups)]
    queue_names = ["vip", "general"][:draw(st.integers(1, 2))]
    queues = {}
    for q in queue_names:
        members = draw(st.permutations(groups))[:draw(st.integers(1, n_groups))]
        queues[q] = {"groups": list(members)}
        if draw(st.booleans()):
            queues[q]["max_wait_s"] = draw(st.sampled_from([15.0, 40.0, 120.0]))
        if draw(st.booleans()):
            queues[q]["announce_s"] = draw(st.sampled_from([[5.0], [10.0, 25.0]]))
    group_cfg = {}
    for g in groups:
        served = [q for q in queue_names if g in queues[q]["groups"]]
        group_cfg[g] = {"staffing": draw(st.lists(st.integers(0, 3), min_size=per_day,
                                                  max_size=per_day))}
        if len(served) > 1 and draw(st.booleans()):
            group_cfg[g]["queues"] = served[::-1]
        if draw(st.integers(0, 2)) == 0:
            group_cfg[g]["availability"] = availability(draw, per_day, interval_s, served)
    n_classes = draw(st.integers(1, 3))
    classes = {}
    for i in range(n_classes):
        c = {"mix": 1.0 / n_classes, "priority": draw(st.integers(0, 2)),
             "queue": draw(st.sampled_from(queue_names)),
             "patience": dist(draw, patience=True), "handle_time": dist(draw)}
        if draw(st.booleans()):
            c["after_call_work"] = dist(draw)
        if draw(st.booleans()):
            c["ivr_time"] = {"dist": "exponential", "mean": 4.0}
        if draw(st.integers(0, 3)) == 0:
            c["answer_delay"] = draw(st.sampled_from([3.0, {"dist": "exponential",
                                                            "mean": 6.0}]))
        if n_groups > 1 and draw(st.booleans()):
            c["handle_time_by_group"] = {"g1": dist(draw)}
        classes[f"c{i}"] = c
    horizon_s = per_day * days * interval_s
    if draw(st.integers(0, 3)) == 0:
        # distinct times: with two calls at the same instant the SimPy engine can compute a
        # delay of -1 ulp to the second one (now + (t - now) rounds up) and stops
        times = sorted(draw(st.lists(st.floats(0, horizon_s, exclude_max=True,
                                               allow_subnormal=False), max_size=25,
                                     unique=True)))
        arrivals = {"trace": [[t, draw(st.sampled_from(list(classes)))] for t in times]}
    else:
        arrivals = {"calls_per_interval": draw(st.lists(
            st.sampled_from([0.0, 2.0, 5.0, 9.0]), min_size=per_day, max_size=per_day))}
        if draw(st.booleans()):
            arrivals["day_volume_cv"] = 0.3
    scn = {"name": "random", "arrivals": arrivals, "classes": classes, "queues": queues,
           "groups": group_cfg,
           "horizon": {"days": days, "interval_s": interval_s, "intervals_per_day": per_day,
                       "drain_s": draw(st.sampled_from([None, 0.0, 150.0])),
                       "warmup_s": draw(st.sampled_from([0.0, interval_s]))}}
    if draw(st.booleans()):
        scn["lines"] = draw(st.integers(1, 4))
    if not reacting(scn) and draw(st.integers(0, 2)) == 0:
        sites(draw, scn)
    return scn


@st.composite
def reacting_scenarios(draw):
    """A random small scenario whose groups all work a backlog (tasks of 30 s to 10 min, no
    patience, the lowest priority; a third of the calls, or a few tasks among the traced
    calls) as away work, the first group and maybe the second calling agents back for the
    other queues' callers after a reaction time of a random law."""
    scn = draw(scenarios())
    scn.pop("sites", None)
    groups = scn["groups"]
    scn["queues"]["backlog"] = {"groups": list(groups)}
    for cfg in groups.values():
        cfg.pop("site", None)
        if "queues" in cfg:
            cfg["queues"].append("backlog")
    for c in scn["classes"].values():
        c["mix"] *= 2 / 3
    scn["classes"]["task"] = {"mix": 1 / 3, "priority": 3, "queue": "backlog",
                              "patience": None, "handle_time": {
                                  "dist": "exponential",
                                  "mean": draw(st.sampled_from([30.0, 120.0, 600.0]))}}
    trace = scn["arrivals"].get("trace")
    if trace is not None:
        h = scn["horizon"]
        horizon_s = h["days"] * h["intervals_per_day"] * h["interval_s"]
        taken = {t for t, _ in trace}
        tasks = draw(st.lists(st.floats(0, horizon_s, exclude_max=True,
                                        allow_subnormal=False), max_size=10, unique=True))
        trace += [[t, "task"] for t in tasks if t not in taken]
        trace.sort()
    for i, cfg in enumerate(groups.values()):
        if i == 0 or draw(st.booleans()):
            cfg.setdefault("availability", {}).update(reaction_time=dist(draw),
                                                      away_work=["backlog"])
    return scn


def reacting(scn: dict) -> bool:
    """Some group calls agents back from away work (refused with seat sites)."""
    return any("reaction_time" in g.get("availability", {}) for g in scn["groups"].values())


def sites(draw, scn: dict) -> None:
    """Seat sites: each group at one of two sites, the second speaking one or two
    dialects; two regions, a dialect need in either; a short, long or no fallback."""
    dialects = ["d0", "d1"][:draw(st.integers(1, 2))]
    regions = {"r0": {"share": 0.5, "dialect": "d0",
                      "dialect_share": draw(st.sampled_from([0.5, 1.0]))},
               "r1": {"share": 0.5}}
    if len(dialects) > 1 or draw(st.booleans()):
        regions["r1"].update(dialect=dialects[-1], dialect_share=0.5)
    scn["sites"] = {"dialect_fallback_s": draw(st.sampled_from([0.0, 4.0, 30.0, 1e6])),
                    "dialect_first": draw(st.booleans()),
                    "sites": {"a": {}, "b": {"dialects": dialects}}, "regions": regions}
    for g in scn["groups"].values():
        g["site"] = draw(st.sampled_from(["a", "b"]))


def availability(draw, per_day: int, interval_s: float, served: list[str]) -> dict:
    """A group's agent states: shrinkage (partial presence), not ready, daily breaks, the
    last agent staying for callers waiting in some of the queues it serves, agents in the
    away work of some of them called back by the others' callers after a reaction time."""
    out: dict = {"shrinkage": draw(st.sampled_from(
        [0.0, 0.3, 0.75, [0.5, 0.1, 0.0, 0.9, 0.25][:per_day] + [0.4] * (per_day - 5)]))}
    if draw(st.booleans()):
        out["not_ready"] = {"prob": draw(st.sampled_from([0.3, 1.0])), "duration": dist(draw)}
    if draw(st.booleans()):
        day_s = per_day * interval_s
        out["breaks"] = [{"start_s": draw(st.sampled_from([0.0, 0.3, 0.5, 0.8])) * day_s,
                          "duration_s": draw(st.sampled_from([20.0, interval_s, day_s])),
                          "share": draw(st.sampled_from([0.5, 1.0]))}
                         for _ in range(draw(st.integers(1, 2)))]
    if served and draw(st.booleans()):
        out["last_agent_stays_for"] = draw(st.lists(st.sampled_from(served), min_size=1,
                                                    unique=True))
    if served and draw(st.booleans()):  # away work: the tasks of one or all its queues
        out["reaction_time"] = dist(draw)
        out["away_work"] = draw(st.lists(st.sampled_from(served), min_size=1, unique=True))
    return out


@st.composite
def policies(draw):
    name = draw(st.sampled_from(sorted(POLICIES)))
    params = {}
    if name == "overflow":
        params = {"delay_s": draw(st.sampled_from([0.0, 8.0])),
                  "idle_vip_take_general": draw(st.booleans())}
    elif name == "reservation":
        params = {"reserve": draw(st.integers(0, 2)),
                  "reserve_from": draw(st.integers(0, 4)),
                  "hold_freed": draw(st.booleans())}
    elif name == "virtual_hold":
        params = {"accept_prob": 0.5, "at_announcements": [1, 2]}
    return name, params


def node_time(draw):
    which = draw(st.integers(0, 4))
    if which == 0:
        return {"dist": "empirical", "values": draw(st.lists(
            st.sampled_from([0.0, 1.5, 4.0, 11.0]), min_size=1, max_size=4))}
    if which == 1:
        return {"dist": "gamma", "mean": 6.0, "sd": draw(st.sampled_from([2.0, 9.0]))}
    return dist(draw)


@st.composite
def hotline_scenarios(draw, recall: bool = False):
    """A random small hotline with the features the fast engine compiles; ``recall``:
    two queues every group serves, callers pressing 2 in the first (back in a queue
    through the IVR, a new visit), the second the away work of the first group, whose
    agents in it come back for the first queue's callers after a reaction time."""
    per_day = draw(st.integers(2, 4))
    interval_s = draw(st.sampled_from([60.0, 150.0]))
    groups = [f"g{i}" for i in range(draw(st.integers(1, 2)))]
    qnames = [f"q{i}" for i in range(2 if recall else draw(st.integers(1, 2)))]
    queues = {}
    for q in qnames:
        members = draw(st.permutations(groups))
        queues[q] = {"groups": list(members if recall
                                    else members[:draw(st.integers(1, len(groups)))])}
        if draw(st.booleans()):
            queues[q]["max_wait_s"] = draw(st.sampled_from([15.0, 60.0]))
        if (recall and q == "q0") or draw(st.booleans()):
            queues[q]["announce_s"] = [5.0, 12.0]
            if (recall and q == "q0") or draw(st.booleans()):
                queues[q]["press2_prob"] = draw(st.sampled_from([0.3, 1.0]))
                queues[q]["press2_node"] = draw(st.sampled_from(["ss", "verify"]))
    reasons = [f"r{i}" for i in range(draw(st.integers(1, 3)))]
    reason_cfg = {}
    for r in reasons:
        reason_cfg[r] = {"share": 1.0 / len(reasons), "handle_time": dist(draw),
                         "resolution": draw(st.sampled_from([1.0, 0.7, 0.0]))}
        if draw(st.booleans()):
            reason_cfg[r]["after_call_work"] = dist(draw)
        if len(groups) > 1 and draw(st.booleans()):
            reason_cfg[r]["resolution_by_group"] = {"g1": 0.4}
    transfers = [f"to_{q}" for q in qnames]
    nodes = {t: {"type": "transfer", "time": node_time(draw), "queue": q}
             for t, q in zip(transfers, qnames, strict=True)}
    nodes["hang"] = {"type": "hangup", "time": node_time(draw)}
    nodes["ss"] = {"type": "self_service", "time": node_time(draw),
                   "resolve_prob": draw(st.sampled_from([0.0, 0.5, 1.0])),
                   "next": draw(st.sampled_from(transfers))}
    nodes["verify"] = {"type": "verification", "time": node_time(draw),
                       "fail_prob": draw(st.sampled_from([0.0, 0.4, 0.9])),
                       "max_failures": draw(st.integers(0, 2)),
                       "next": draw(st.sampled_from(["ss", *transfers])),
                       "on_fail": draw(st.sampled_from(["hang", *transfers]))}
    nodes["by_reason"] = {"type": "menu", "time": node_time(draw), "by_reason": {
        r: draw(st.sampled_from(["verify", "ss", "hang", *transfers])) for r in reasons}}
    nodes["branch"] = {"type": "menu", "time": node_time(draw),
                       "branches": {"by_reason": 0.5, "verify": 0.25, transfers[-1]: 0.25}}
    for n in ("ss", "verify", "by_reason", "branch", transfers[0]):
        if draw(st.integers(0, 2)) == 0:
            nodes[n]["abandon_prob"] = draw(st.sampled_from([0.1, 0.5]))
    n_tiers = draw(st.integers(1, 3))
    tiers = {f"t{i}": {"share": 1.0 / n_tiers, "priority": draw(st.integers(0, 2)),
                       "patience": dist(draw, patience=True),
                       "entry": draw(st.sampled_from(["branch", "by_reason", "verify", "ss",
                                                      *transfers]))}
             for i in range(n_tiers)}
    scn = {"name": "random_hotline", "tiers": tiers, "reasons": reason_cfg,
           "ivr": {"nodes": nodes}, "queues": queues,
           "groups": {g: {"staffing": draw(st.lists(st.integers(0, 3), min_size=per_day,
                                                    max_size=per_day))} for g in groups},
           "customers": {"population": draw(st.sampled_from([0, 4, 40]))},
           "fcr_window_s": draw(st.sampled_from([50.0, 400.0, 259200.0])),
           "arrivals": {"calls_per_interval": draw(st.lists(
               st.sampled_from([0.0, 3.0, 8.0]), min_size=per_day, max_size=per_day))},
           "horizon": {"days": draw(st.integers(1, 2)), "interval_s": interval_s,
                       "intervals_per_day": per_day,
                       "drain_s": draw(st.sampled_from([None, 0.0, 150.0]))}}
    if draw(st.booleans()):
        scn["lines"] = draw(st.integers(1, 4))
    if n_tiers > 1 and draw(st.booleans()):  # key persons of the first tier, as the last
        scn["operations"] = {"key_customers": {"from_tiers": ["t0"], "grades": {
            "A": {"share": draw(st.sampled_from([0.3, 1.0])), "tier": f"t{n_tiers - 1}"}}}}
    for g in groups:
        if draw(st.integers(0, 2)) == 0:
            scn["groups"][g]["availability"] = availability(
                draw, per_day, interval_s, [q for q in qnames if g in queues[q]["groups"]])
    if recall:
        scn["groups"]["g0"].setdefault("availability", {}).update(
            reaction_time=node_time(draw), away_work=["q1"])
    if draw(st.booleans()):
        blend = outbound(draw, groups, interval_s)
        scn.setdefault("operations", {}).update(blend.pop("operations", {}))
        scn.update(blend)
    if draw(st.booleans()):
        scn["outage"] = {"enabled": True, "reason": draw(st.sampled_from(reasons)),
                         "start_s": draw(st.sampled_from([0.0, interval_s / 2])),
                         "duration_s": draw(st.sampled_from([interval_s, 10 * interval_s])),
                         "multiplier": draw(st.sampled_from([1.0, 3.0])),
                         "ticket_threshold": draw(st.integers(0, 3)),
                         "notice_node": draw(st.sampled_from(["ss", "hang", "verify"])),
                         "menu_node": draw(st.sampled_from(["branch", "by_reason", "ss"]))}
    if draw(st.booleans()):  # redials: decided, delayed and drawn inside the loop
        scn["redial"] = {k: {"prob": draw(st.sampled_from([0.3, 1.0])), "delay": node_time(draw)}
                         for k in ("abandoned", "disconnected")}
        scn["redial"]["max_attempts"] = draw(st.integers(1, 3))
        if draw(st.booleans()):
            scn.setdefault("operations", {})["ivr_hangup_redial"] = {
                "prob": 0.8, "delay": node_time(draw)}
    # the second line: pools of 0-2 workers, VIP tiers, green channel; with outbound the
    # callbacks, maybe closing the loop
    if draw(st.booleans()):
        pools = {f"p{i}": {"staffing": draw(st.lists(st.integers(0, 2), min_size=per_day,
                                                     max_size=per_day)),
                           "processing_time": node_time(draw),
                           "green_channel": draw(st.booleans())}
                 for i in range(draw(st.integers(1, 2)))}
        scn["second_line"] = {"pools": pools, "callback": {
            "handle_time": dist(draw), "answer_prob": draw(st.sampled_from([0.2, 0.9]))}}
        for r in reasons:
            reason_cfg[r]["second_line"] = draw(st.sampled_from(sorted(pools)))
        for t in tiers.values():
            t["vip"] = draw(st.booleans())
        if "redial" in scn and draw(st.booleans()):  # customers chasing open orders
            scn["redial"]["unresolved"] = {"prob": draw(st.sampled_from([0.5, 1.0])),
                                           "delay": node_time(draw)}
        if draw(st.booleans()):  # complaint orders escalating while open
            after = draw(st.sampled_from([[0.5], [2.0, 30.0], [1.0, 1.5, 400.0]]))
            scn.setdefault("operations", {})["complaints"] = {
                "reason": draw(st.sampled_from(reasons)),
                "levels": [{"name": f"l{i}", "after_s": a} for i, a in enumerate(after)],
                "time_limit_s": draw(st.sampled_from([10.0, 100.0, 10000.0]))}
        if "outbound" in scn and draw(st.booleans()):
            scn.setdefault("operations", {})["callbacks"] = {
                "max_attempts": draw(st.integers(1, 3)), "retry_delay": dist(draw),
                "satisfaction_pools": draw(st.sampled_from([[], ["p0"]])),
                "satisfaction_handle_time": draw(st.sampled_from([None, 20.0]))}
    if not reacting(scn) and draw(st.integers(0, 2)) == 0:
        sites(draw, scn)
    return scn


def outbound(draw, groups: list[str], interval_s: float) -> dict:
    """Blended groups, one or two campaigns, maybe a reserved share."""
    campaigns = {f"c{i}": {"tasks_per_interval": draw(st.sampled_from([0.0, 2.0, 6.0])),
                           "handle_time": dist(draw)}
                 for i in range(draw(st.integers(1, 2)))}
    out = {"outbound": {"groups": list(draw(st.permutations(groups))[:draw(st.integers(
        1, len(groups)))]), "max_inbound_waiting": draw(st.integers(0, 2)),
        "campaigns": campaigns}}
    if draw(st.booleans()):
        out["operations"] = {"outbound_reserved_share": draw(st.sampled_from([0.3, 1.0]))}
    return out


def run(spec, factory, engine: str, monkeypatch):
    chunks = []
    # a tiny chunk: the fast engine must fold exactly where Recorder.add would flush
    monkeypatch.setattr(sim.runner, "Recorder", _SmallChunks)
    rec = sim.runner.run_replication(spec, factory, 3, 1, chunks.append, engine=engine)
    return chunks, rec


@settings(max_examples=200, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(scn=scenarios(), pol=policies())
def test_fast_engine_records_the_same_calls_as_simpy(scn, pol, monkeypatch):
    assert_same_run(build_model_spec(scn), make_policy(pol[0], **pol[1]), monkeypatch)


def assert_same_run(spec, factory, monkeypatch) -> None:
    """Both engines record the same calls in the same chunks, and the same counters."""
    try:
        a, ra = run(spec, factory, "simpy", monkeypatch)
    except RuntimeError as exc:  # a policy routed a call to a group that cannot serve it
        with pytest.raises(RuntimeError, match=str(exc)):
            run(spec, factory, "fast", monkeypatch)
        return
    b, rb = run(spec, factory, "fast", monkeypatch)
    assert_same_record(a, ra, b, rb)


def assert_same_record(a: list[dict], ra, b: list[dict], rb) -> None:
    """Two runs' call chunks ``a``, ``b`` and their Recorders ``ra``, ``rb`` hold the same
    calls in the same chunks, the same counters and the same feature records."""
    assert len(a) == len(b)
    for ca, cb in zip(a, b, strict=True):
        assert list(ca) == list(cb)
        for k in ca:
            assert ca[k].dtype == cb[k].dtype, k
            assert np.array_equal(ca[k], cb[k], equal_nan=ca[k].dtype.kind == "f"), k
    for f in ra.calls:
        assert np.array_equal(ra.calls[f], rb.calls[f]), f
    for f in ACCUMULATORS:
        assert np.array_equal(getattr(ra, f), getattr(rb, f)), f
    assert np.array_equal(ra.features.episodes, rb.features.episodes)
    if ra.features.key_calls is not None:
        assert np.array_equal(ra.features.key_calls, rb.features.key_calls)
    sa, sb = ra.features.second_line, rb.features.second_line
    assert (sa is None) == (sb is None)
    for f in () if sa is None else dataclasses.fields(sa):
        assert np.array_equal(getattr(sa, f.name), getattr(sb, f.name)), f.name
    oa, ob = ra.features.outbound, rb.features.outbound
    assert (oa is None) == (ob is None)
    if oa is not None and ob is not None:
        for f in dataclasses.fields(oa):
            assert np.array_equal(getattr(oa, f.name), getattr(ob, f.name)), f.name
    xa, xb = ra.features.complaints, rb.features.complaints
    assert (xa is None) == (xb is None)
    if xa is not None and xb is not None:
        for f in dataclasses.fields(xa):
            assert np.array_equal(getattr(xa, f.name), getattr(xb, f.name)), f.name
    ya, yb = ra.features.sites, rb.features.sites
    assert (ya is None) == (yb is None)
    if ya is not None and yb is not None:
        for part in ("region", "group"):
            a_, b_ = getattr(ya, part), getattr(yb, part)
            assert list(a_) == list(b_)
            for k in a_:
                assert np.array_equal(a_[k], b_[k]), (part, k)
    ta, tb = ra.features.ticket_open_s, rb.features.ticket_open_s
    assert ta == tb or (math.isnan(ta) and math.isnan(tb))


@settings(max_examples=200, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(scn=reacting_scenarios(), pol=policies())
def test_fast_engine_records_the_same_calls_with_agents_called_back(scn, pol, monkeypatch):
    assert_same_run(build_model_spec(scn), make_policy(pol[0], **pol[1]), monkeypatch)


@settings(max_examples=200, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(scn=hotline_scenarios(), pol=policies())
def test_fast_engine_records_the_same_hotline_calls_as_simpy(scn, pol, monkeypatch):
    spec = build_model_spec(scn)
    assert unsupported(spec, make_policy("fifo")) is None
    assert_same_run(spec, make_policy(pol[0], **pol[1]), monkeypatch)


@settings(max_examples=200, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(scn=hotline_scenarios(recall=True), pol=policies())
def test_fast_engine_records_the_same_hotline_calls_with_agents_called_back(scn, pol,
                                                                           monkeypatch):
    assert_same_run(build_model_spec(scn), make_policy(pol[0], **pol[1]), monkeypatch)
