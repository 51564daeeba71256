"""``scenario.sites``: seat sites and dialect routing (issue 15, item 2).

Rule (README, Sites and dialects): a caller who needs its region's dialect is offered
only to agents who speak it until it has waited ``dialect_fallback_s``; from then on to
any agent (every agent speaks Mandarin). Mandarin callers are never held back. The rule
is the core's, so it holds under every routing policy.
"""

from __future__ import annotations

import copy
import dataclasses

import pytest
from simhelpers import POLICIES, make_policy, run_calls, run_spec
from test_queueing_theory import assert_in_ci

from sim import theory
from sim.cli import main
from sim.config import build_model_spec
from sim.errors import ConfigError
from sim.kpi import check_conservation, replication_kpis
from sim.model.distributions import Deterministic
from sim.model.spec import CampaignSpec, OutboundSpec
from sim.runner import run_replication

pytestmark = pytest.mark.reference_too  # also with auto = the SimPy reference (conftest)

# Two one-agent groups on one queue: hz (Mandarin only, Hangzhou) and wz (speaks
# Wenzhounese, Wenzhou, half the cost). Class m never needs the dialect, class d always.
SITED = {
    "name": "sited",
    "horizon": {"days": 1, "interval_s": 100, "intervals_per_day": 10, "drain_s": None},
    "arrivals": {"trace": []},
    "classes": {
        "m": {"mix": 0.5, "priority": 0, "queue": "q", "patience": None, "handle_time": 50},
        "d": {"mix": 0.5, "priority": 0, "queue": "q", "patience": None, "handle_time": 50},
    },
    "queues": {"q": {"groups": ["wz", "hz"]}},
    "groups": {"wz": {"staffing": 1, "site": "wenzhou", "cost_per_hour": 36},
               "hz": {"staffing": 1, "site": "hangzhou", "cost_per_hour": 36}},
    "sites": {
        "dialect_fallback_s": 40,
        "sites": {"hangzhou": {}, "wenzhou": {"dialects": ["wenzhounese"], "cost_factor": 0.5}},
        "regions": {"wenzhou": {"share": 1.0, "dialect": "wenzhounese",
                                "dialect_share_by_class": {"d": 1.0}}},
    },
}

TRACE = [[0, "m"], [20, "d"],             # d waits for wz though hz is idle
         [200, "m"], [205, "d"],          # wz busy to 250: d falls back to hz at 245
         [300, "m"], [301, "m"], [400, "m"],  # Mandarin callers take any agent at once
         [500, "m"], [505, "d"], [506, "m"]]  # m@506 is not held back behind d@505


def sited(**changes) -> dict:
    scn = copy.deepcopy(SITED)
    for path, value in changes.items():
        node = scn
        *parents, leaf = path.split("__")
        for p in parents:
            node = node[p]
        node[leaf] = value
    return scn


def rows(df):
    return [(c, tq, ta, g) for c, tq, ta, g in
            df[["class", "t_queue", "t_answer", "group"]].itertuples(index=False)]


def test_exact_trace_dialect_waits_then_falls_back_at_fallback_s():
    df, rec = run_calls(sited(arrivals__trace=TRACE))
    assert rows(df) == [
        ("m", 0.0, 0.0, "wz"),
        ("d", 20.0, 50.0, "wz"),     # hz idle all along, but speaks no Wenzhounese
        ("m", 200.0, 200.0, "wz"),
        ("d", 205.0, 245.0, "hz"),   # fallback at exactly 205 + 40
        ("m", 300.0, 300.0, "wz"),
        ("m", 301.0, 301.0, "hz"),
        ("m", 400.0, 400.0, "wz"),
        ("m", 500.0, 500.0, "wz"),
        ("d", 505.0, 550.0, "wz"),   # fell back at 545 with both busy; wz free first
        ("m", 506.0, 506.0, "hz"),   # answered at once while d waits
    ]
    site = rec.features.sites
    assert site.region["dialect_asked"].sum() == 3
    assert site.region["in_dialect"].sum() == 2 and site.region["in_mandarin"].sum() == 1
    assert site.group["in_mandarin"].sum(axis=1).tolist() == [0, 1]  # by group wz, hz


@pytest.mark.parametrize("first,expected", [
    (True, [("m", 0.0, 0.0, "wz"), ("m", 10.0, 10.0, "hz"), ("m", 20.0, 60.0, "hz"),
            ("d", 30.0, 50.0, "wz")]),   # freed at 50, wz takes its dialect's caller
    (False, [("m", 0.0, 0.0, "wz"), ("m", 10.0, 10.0, "hz"), ("m", 20.0, 50.0, "wz"),
             ("d", 30.0, 70.0, "hz")]),  # queue order; d falls back at 30 + 40
])
def test_dialect_first_takes_the_dialect_caller_before_a_longer_waiting_one(first, expected):
    scn = sited(arrivals__trace=[[0, "m"], [10, "m"], [20, "m"], [30, "d"]],
                sites__dialect_first=first)
    df, _ = run_calls(scn)
    assert rows(df) == expected


def test_without_sites_the_same_trace_ignores_dialects():
    scn = sited(arrivals__trace=TRACE)
    del scn["sites"]
    for g in scn["groups"].values():
        del g["site"]
    df, _ = run_calls(scn)
    assert rows(df)[1] == ("d", 20.0, 20.0, "hz")  # the rule is what held d back


def test_fallback_while_a_dialect_agent_frees_later_goes_to_the_idle_mandarin_agent():
    # fallback 0: no dialect preference at all (the feature's neutral setting)
    df, _ = run_calls(sited(arrivals__trace=TRACE, sites__dialect_fallback_s=0))
    assert rows(df)[1] == ("d", 20.0, 20.0, "hz")


def test_restricted_call_at_close_is_disconnected_and_counted():
    scn = sited(arrivals__trace=[[960, "m"], [990, "d"]])
    scn["horizon"]["drain_s"] = 5
    df, rec = run_calls(scn)
    assert df["outcome"].tolist() == ["answered", "disconnected"]
    assert df["t_end"].tolist()[1] == 1005.0
    assert check_conservation(rec)["offered"] == 2


def test_site_kpis_cost_and_summary_scopes():
    spec = build_model_spec(sited(arrivals__trace=TRACE))
    assert [g.cost_per_hour for g in spec.groups] == [18.0, 36.0]  # wenzhou factor 0.5
    _, rec = run_calls(sited(arrivals__trace=TRACE))
    k = replication_kpis(rec, spec)
    wz, hz = k["by_site"]["wenzhou"], k["by_site"]["hangzhou"]
    assert (wz["answered"], hz["answered"]) == (7.0, 3.0)
    assert wz["dialect_in_dialect"] == 2 and hz["dialect_in_mandarin"] == 1
    assert wz["cost"] == pytest.approx(18 * 1000 / 3600)
    # wz's waits: 0, 30, 0, 0, 0, 0, 45 (d@20 and d@505 over 20 s)
    assert wz["answered_in_sl_share"] == pytest.approx(5 / 7)
    region = k["by_region"]["wenzhou"]
    assert region["asked"] == 10 and region["service_level"] == pytest.approx(7 / 10)
    assert k["overall"]["dialect_in_dialect_share"] == pytest.approx(2 / 3)


RANDOM = {"arrivals": {"calls_per_interval": 30},
          "classes": {"m": {"mix": 0.5, "priority": 0, "queue": "q", "patience": 120,
                            "handle_time": {"dist": "exponential", "mean": 60}},
                      "d": {"mix": 0.5, "priority": 1, "queue": "q", "patience": 120,
                            "handle_time": {"dist": "exponential", "mean": 60}}},
          "groups": {"wz": {"staffing": 2, "site": "wenzhou"},
                     "hz": {"staffing": 3, "site": "hangzhou"}}}


def random_scn(**sites) -> dict:
    scn = sited()
    scn.update(copy.deepcopy(RANDOM))
    scn["sites"]["regions"] = {
        "wenzhou": {"share": 0.4, "dialect": "wenzhounese", "dialect_share": 0.5},
        "hangzhou": {"share": 0.6}}
    scn["sites"].update(sites)
    return scn


@pytest.mark.parametrize("policy", sorted(POLICIES))
def test_rule_holds_under_every_policy(policy):
    scn = random_scn()
    spec = build_model_spec(scn)
    df, rec = run_calls(scn, policy=policy)
    counts = check_conservation(rec)
    assert counts["offered"] == len(df)
    site = rec.features.sites
    # who needed the dialect is not in the call file: rebuild it from the counters
    assert site.group["in_mandarin"][0].sum() == 0  # wz speaks it
    assert site.region["asked"].sum() == rec.calls["asked"].sum()
    assert site.region["answered"].sum() == counts["answered"]
    assert site.group["answered"].sum() == rec.group_answered.sum()
    assert spec.sites is not None


def test_no_dialect_call_answered_in_mandarin_before_the_fallback():
    """Exact check per call: the engine's own view of which calls needed the dialect."""
    from sim.model import sites as sites_mod

    seen = []
    original = sites_mod.Sites.on_answer

    def spy(self, call, now):
        seen.append((call.dialect, call.group, now - call.t_queue))
        original(self, call, now)

    sites_mod.Sites.on_answer = spy
    try:
        for policy in sorted(POLICIES):
            seen.clear()
            run_calls(random_scn(), policy=policy, engine="simpy")  # spies the reference
            hz = 1
            mandarin = [w for d, g, w in seen if d >= 0 and g == hz]
            assert all(w >= 40 - 1e-9 for w in mandarin), policy
            if policy not in ("dedicated",):  # dedicated: hz serves no queue
                assert mandarin, f"{policy}: the fallback never happened"
            assert any(d >= 0 and g == 0 for d, g, _ in seen), policy
    finally:
        sites_mod.Sites.on_answer = original


def test_adding_sites_changes_no_other_draw():
    """Common random numbers: with fallback 0 (regions drawn, nobody restricted) every
    call is exactly as without sites; with the rule on, arrivals and handle times of the
    calls stay the same."""
    scn = random_scn()
    plain = copy.deepcopy(scn)
    del plain["sites"]
    for g in plain["groups"].values():
        del g["site"]
    base, _ = run_calls(plain)
    neutral, _ = run_calls(random_scn(dialect_fallback_s=0))
    cols = ["call_id", "class", "t_arrival", "t_queue", "t_answer", "t_end", "outcome", "group"]
    assert base[cols].equals(neutral[cols])
    ruled, _ = run_calls(scn)
    assert base["t_arrival"].equals(ruled["t_arrival"])
    both = base["outcome"].eq("answered") & ruled["outcome"].eq("answered")
    talk = lambda df: (df["t_end"] - df["t_answer"])[both].round(9)  # noqa: E731
    assert talk(base).equals(talk(ruled))
    assert not base[cols].equals(ruled[cols])  # the rule did change who waited


def test_dialect_callers_only_served_by_their_site_match_erlang_c():
    """All callers need the dialect and never fall back: the dialect group alone is an
    M/M/c queue (Erlang C), whatever the idle Mandarin group could have done."""
    scn = {
        "name": "erlang_c_sites",
        "horizon": {"days": 1, "interval_s": 1800, "intervals_per_day": 16,
                    "warmup_s": 3600},
        "arrivals": {"calls_per_interval": 100},
        "classes": {"calls": {"mix": 1.0, "priority": 0, "queue": "main", "patience": None,
                              "handle_time": {"dist": "exponential", "mean": 180}}},
        "queues": {"main": {"groups": ["mandarin", "dialect"]}},
        "groups": {"mandarin": {"staffing": 5, "site": "capital"},
                   "dialect": {"staffing": 14, "site": "city"}},
        "sites": {"dialect_fallback_s": 1e8,
                  "sites": {"capital": {}, "city": {"dialects": ["local"]}},
                  "regions": {"city": {"share": 1.0, "dialect": "local",
                                       "dialect_share": 1.0}}},
    }
    s = run_spec(scn, n_reps=10, seed=7)
    ec = theory.erlang_c(100 / 1800, 180, 14)
    o = s.summary["overall"] if hasattr(s, "summary") else s["overall"]
    assert_in_ci(o["p_wait"], ec.p_wait, "P(wait)")
    assert_in_ci(o["service_level"], ec.service_level(20), "SL20")
    sites = s.summary["by_site"] if hasattr(s, "summary") else s["by_site"]
    assert sites["capital"]["answered"]["mean"] == 0


@pytest.mark.parametrize("path,value,key", [
    ("groups__hz__site", "paris", "scenario.groups.hz.site"),
    ("sites__regions__wenzhou__share", 0.5, "scenario.sites.regions"),
    ("sites__regions__wenzhou__dialect", "cantonese", "scenario.sites.regions.wenzhou.dialect"),
    ("sites__dialect_fallback_s", -1, "scenario.sites.dialect_fallback_s"),
    ("sites__sites__wenzhou__cost_factor", "cheap", "scenario.sites.sites.wenzhou.cost_factor"),
    ("sites__regions__wenzhou__dialect_share_by_class", {"x": 1.0},
     "scenario.sites.regions.wenzhou.dialect_share_by_class"),
])
def test_bad_values_name_the_key(path, value, key):
    with pytest.raises(ConfigError) as err:
        build_model_spec(sited(**{path: value}))
    assert str(err.value).startswith(key), str(err.value)


def test_group_without_site_once_sites_are_on():
    scn = sited()
    del scn["groups"]["hz"]["site"]
    with pytest.raises(ConfigError, match="scenario.groups.hz.site"):
        build_model_spec(scn)


def test_keys_lists_the_sites_section(capsys):
    with pytest.raises(SystemExit) as done:
        main(["keys"])
    assert done.value.code in (0, None)
    out = capsys.readouterr().out
    for k in ("scenario.sites.dialect_fallback_s", "scenario.sites.regions",
              "dialect_share_by_tier", "scenario.groups.NAME.site"):
        assert k in out, k


def test_fast_engine_runs_sites_with_the_same_trace():
    """Sites are compiled (tests/test_fast_sites.py compares whole runs): the exact trace
    above, the same on both engines, counters included."""
    from sim.fast.engine import unsupported
    from sim.policies.strict_priority import StrictPriority

    assert unsupported(build_model_spec(sited()), StrictPriority) is None
    slow, rs = run_calls(sited(arrivals__trace=TRACE), engine="simpy")
    fast, rf = run_calls(sited(arrivals__trace=TRACE), engine="fast")
    assert rows(slow) == rows(fast)
    for part in ("region", "group"):
        for k, v in getattr(rs.features.sites, part).items():
            assert (getattr(rf.features.sites, part)[k] == v).all(), (part, k)


def test_summary_and_report_show_sites(tmp_path):
    import json

    import pandas as pd

    from sim.report import write_run_report
    from sim.runner import simulate

    scn = random_scn()
    scn["currency"] = "CNY"
    cfg = {"scenario": scn, "seed": 3, "n_reps": 2, "confidence": 0.95,
           "output": {"calls": False, "intervals": True, "progress": False, "report": False}}
    simulate(cfg, tmp_path)
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert set(summary["by_site"]) == {"hangzhou", "wenzhou"}
    assert summary["by_region"]["wenzhou"]["dialect_asked"]["mean"] > 0
    assert {"site", "region"} <= set(pd.read_csv(tmp_path / "replications.csv")["scope"])
    html = write_run_report(tmp_path).read_text(encoding="utf-8")
    assert "Seat sites and dialects" in html and "served in Mandarin" in html
    assert "dialect_fallback_s" in html


def test_a_dialect_caller_does_not_hold_back_outbound_of_agents_who_cannot_serve_him():
    """The blending rule (``max_inbound_waiting`` 0) counts only the waiting calls a
    blended agent may be offered: hz, who speaks no Wenzhounese, takes a campaign call
    while the restricted d caller waits for wz, so d is answered by wz when wz is free
    (50), not by hz at its fallback (40) as if hz had been kept idle for him."""
    spec = build_model_spec(sited(arrivals__trace=[[0, "m"], [0, "d"]]))
    care = CampaignSpec("care", (50.0,) * spec.n_intervals, Deterministic(1000.0))
    spec = dataclasses.replace(spec, outbound=OutboundSpec((1,), 0, (care,)))  # hz blended
    chunks: list = []
    rec = run_replication(spec, make_policy("strict_priority"), 1, 0,
                          call_sink=chunks.append, engine="simpy")
    calls = chunks[0]
    assert calls["t_answer"].tolist() == [0.0, 50.0]
    assert calls["group_idx"].tolist() == [0, 0]  # both by wz
    assert rec.features.outbound.campaign_calls[0] >= 1  # hz on a campaign call meanwhile
