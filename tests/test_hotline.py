"""The 10000 hotline's rules: each test fails when its rule is broken."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest
from omegaconf import OmegaConf
from scipy import stats
from simhelpers import run_calls, run_spec

from sim.config import build_model_spec
from sim.errors import ConfigError

pytestmark = pytest.mark.reference_too  # also with auto = the SimPy reference (conftest)

SCENARIOS = Path(__file__).resolve().parent.parent / "configs" / "scenario"


def load(name: str = "hotline_small") -> dict:
    return OmegaConf.to_container(OmegaConf.load(SCENARIOS / f"{name}.yaml"), resolve=True)


def one_path(resolve: float = 0.6, **extra) -> dict:
    """One tier, one reason: main menu → self-service (resolve) → agent."""
    scn = load()
    scn["tiers"] = {"ordinary": {"share": 1.0, "priority": 3, "sl_target": 0.75,
                                 "patience": None, "entry": "ss"}}
    scn["reasons"] = {"billing_query": {"share": 1.0, "handle_time": 100, "resolution": 1.0,
                                        "second_line": "back_office"}}
    scn["ivr"] = {"nodes": {"ss": {"type": "self_service", "time": 30,
                                   "resolve_prob": resolve, "next": "to_agent"},
                            "to_agent": {"type": "transfer", "time": 0, "queue": "general"}}}
    for k in ("redial", "outbound", "outage"):
        scn.pop(k)
    scn["queues"] = {"general": {"groups": ["general_desk"]}}
    scn["groups"] = {"general_desk": {"staffing": 20}}
    scn.update(extra)
    return scn


def stressed_vip() -> dict:
    """The VIP desk short of agents and no overflow: priorities decide everything."""
    scn = load()
    scn["queues"]["vip"]["groups"] = ["vip_desk"]
    scn["queues"]["vip"]["max_wait_s"] = None
    scn["queues"]["vip"]["announce_s"] = []
    scn["groups"]["vip_desk"]["staffing"] = 2
    for t in ("diamond", "gold", "silver"):
        scn["tiers"][t]["share"] *= 4
    scn["tiers"]["ordinary"]["share"] = 1 - sum(
        v["share"] for k, v in scn["tiers"].items() if k != "ordinary")
    return scn


def test_hotline_scenario_compiles_tiers_times_reasons():
    spec = build_model_spec(load())
    assert len(spec.classes) == 6 * 4
    assert spec.classes[0].name == "diamond/billing_query"
    assert sum(c.mix for c in spec.classes) == pytest.approx(1.0)
    gold = next(c for c in spec.classes if c.name == "gold/fault_report")
    faults = [g.name for g in spec.groups].index("faults_desk")
    assert gold.priority == 1 and gold.handle_time[faults].mean == 200


def test_no_blacklist_caller_ever_reaches_an_agent():
    df, _ = run_calls(load())
    black = df[df["class"].str.startswith("blacklist/")]
    assert len(black) > 20
    assert black["t_queue"].isna().all() and (black["outcome"] != "answered").all()
    assert set(black["outcome"]) <= {"self_served", "disconnected", "abandoned"}


def test_a_blacklist_path_to_an_agent_is_rejected_at_load():
    scn = load()
    scn["ivr"]["nodes"]["blacklist_selfservice"]["next"] = "general_transfer"
    with pytest.raises(ConfigError, match="transfer node") as err:
        build_model_spec(scn)
    assert err.value.key == "scenario.tiers.blacklist.entry"


def test_with_forced_disconnect_no_caller_waits_past_60_s():
    df, _ = run_calls(load())
    queued = df[df["t_queue"].notna()]
    waited = queued["t_left_queue"] - queued["t_queue"]
    assert waited.notna().all() and waited.max() <= 60 + 1e-9
    forced = queued[queued["ending_code"] == 2]
    assert len(forced) > 0 and np.allclose(forced["t_end"] - forced["t_queue"], 60)
    assert (forced["outcome"] == "disconnected").all()


def _passed_over(df, high: str, low: str) -> int:
    """Times an agent took a ``low`` call while a ``high`` call was waiting in its queue."""
    hi = df[df["class"].str.startswith(f"{high}/") & df["t_queue"].notna()]
    lo = df[df["class"].str.startswith(f"{low}/") & (df["outcome"] == "answered")]
    start = hi["t_queue"].to_numpy()
    stop = np.where(hi["outcome"] == "answered", hi["t_answer"], hi["t_end"])
    return sum(int(((start < t) & (stop > t)).sum() > 0) for t in lo["t_answer"])


def test_a_diamond_caller_is_never_passed_over_for_a_gold_one():
    df, _ = run_calls(stressed_vip())
    assert (df["class"].str.startswith("diamond/") & (df["t_answer"] > df["t_queue"])).sum() > 5
    assert _passed_over(df, "diamond", "gold") == 0
    assert _passed_over(df, "gold", "silver") == 0
    fifo, _ = run_calls(stressed_vip(), policy="fifo")  # the check can fail: FIFO breaks it
    assert _passed_over(fifo, "diamond", "gold") > 0


def test_ivr_containment_matches_configured_share_within_ci():
    res = run_spec(one_path(resolve=0.6), n_reps=12, confidence=0.99)
    c = res.summary["overall"]["containment"]
    assert c["low"] <= 0.6 <= c["high"]
    off = run_spec(one_path(resolve=0.3), n_reps=12, confidence=0.99)
    assert off.summary["overall"]["containment"]["high"] < 0.6  # it moves with the share


def test_verification_failing_more_than_three_times_hangs_up():
    scn = one_path()
    scn["ivr"]["nodes"] = {
        "verify": {"type": "verification", "time": 10, "fail_prob": 1.0, "max_failures": 3,
                   "next": "to_agent", "on_fail": "bye"},
        "bye": {"type": "hangup", "time": 5},
        "to_agent": {"type": "transfer", "time": 0, "queue": "general"}}
    scn["tiers"]["ordinary"]["entry"] = "verify"
    scn["arrivals"] = {"trace": [[0, "ordinary/billing_query"]]}
    df, _ = run_calls(scn)
    # four failed attempts of 10 s (the 4th failure is "more than 3"), then 5 s of notice
    assert df[["outcome", "ending_code", "t_end"]].values.tolist() == [["disconnected", 5, 45.0]]
    scn["ivr"]["nodes"]["verify"]["fail_prob"] = 0.0
    df, _ = run_calls(scn)
    assert df["outcome"].tolist() == ["answered"] and df["t_answer"].tolist() == [10.0]


def test_redials_are_the_same_customer_and_follow_the_probability():
    scn = load()
    df, _ = run_calls(scn)
    redials = df[df["attempt"] > 1]
    assert len(redials) > 30
    # every redial has an earlier attempt of the same customer, class and attempt - 1
    earlier = df[["customer", "class", "attempt", "t_arrival"]].rename(
        columns={"attempt": "prev_attempt", "t_arrival": "prev_t"})
    pairs = redials.assign(prev_attempt=redials["attempt"] - 1).merge(
        earlier, on=["customer", "class", "prev_attempt"])
    pairs = pairs[pairs["prev_t"] < pairs["t_arrival"]]
    assert set(pairs["call_id"]) == set(redials["call_id"])
    scn["redial"] = {k: {"prob": 0.0, "delay": 60} for k in
                     ("abandoned", "disconnected", "unresolved")}
    assert (run_calls(scn)[0]["attempt"] == 1).all()


def test_fcr_counts_a_repeat_as_not_resolved():
    scn = one_path(resolve=0.0, customers={"population": 1})  # every call: one customer
    scn["arrivals"] = {"trace": [[0, "ordinary/billing_query"], [500, "ordinary/billing_query"]]}
    res = run_spec(scn)
    o = res.summary["overall"]
    assert o["answered"]["mean"] == 2 and o["resolution_rate"]["mean"] == 1
    assert o["fcr"]["mean"] == 0  # the second call revokes the first; it is itself a repeat
    assert o["repeat_rate"]["mean"] == 0.5
    scn["fcr_window_s"] = 100  # the second call is outside the window: both count
    assert run_spec(scn).summary["overall"]["fcr"]["mean"] == 1


def test_unresolved_calls_open_work_orders_closed_by_callbacks():
    scn = load()
    for r in scn["reasons"].values():
        r["resolution"] = 0.0
    res = run_spec(scn)
    o = res.summary["overall"]
    assert o["work_orders"]["mean"] == o["answered"]["mean"] == o["work_orders_opened"]["mean"]
    assert o["fcr"]["mean"] == 0
    assert 0 < o["callbacks_made"]["mean"] <= o["work_orders_closed"]["mean"]
    assert o["mean_time_to_close_h"]["mean"] > 0.5


def test_green_channel_repairs_vip_faults_first():
    from sim.model.second_line import SecondLine

    spec = build_model_spec(load())
    done = []

    class Probe:
        now = 0.0

        def at(self, delay, cb, value):
            done.append(value[0])

        def order_done(self, wo, now):
            pass

    Probe.spec = spec
    sl = SecondLine(spec.second_line, Probe(), spec.n_intervals)
    sl.on_interval_start(0, 0.0)
    repair = [p.name for p in spec.second_line.pools].index("repair")
    pool = sl.pools[repair]
    while pool.idle:  # everyone busy: orders wait
        pool.take(0.0)
    call = type("C", (), {"reason": spec.reasons.index("fault_report"), "customer": 1,
                          "tier": 0, "cls": 0, "key": 1, "interval": 0})
    ordinary = sl.open(call, vip=False, now=0.0)
    vip = sl.open(call, vip=True, now=1.0)
    assert sl._next(repair) is vip and sl._next(repair) is ordinary


def test_vip_tiers_come_from_the_scenario():
    """Who goes through the green channel is the scenario's ``tiers.NAME.vip`` (default:
    diamond, gold and silver, the 10000 rule), not a list of names in the engine."""
    cfg = load()
    names = list(cfg["tiers"])
    default = build_model_spec(cfg)
    assert default.vip_by_tier() == tuple(n in ("diamond", "gold", "silver") for n in names)
    cfg["tiers"]["silver"]["vip"] = False
    cfg["tiers"]["member"]["vip"] = True
    changed = build_model_spec(cfg).vip_by_tier()
    assert changed[names.index("silver")] is False and changed[names.index("member")] is True
    cfg["tiers"]["member"]["vip"] = "yes"
    with pytest.raises(ConfigError, match=r"scenario.tiers.member.vip: must be true or false"):
        build_model_spec(cfg)


def test_outage_surge_triples_fault_calls_and_opens_a_ticket():
    scn = load()
    base, _ = run_calls(scn)
    scn["outage"]["enabled"] = True
    surge, rec = run_calls(scn)
    o = scn["outage"]
    win = lambda df: df[df["class"].str.endswith("/fault_report") & (df["attempt"] == 1)  # noqa: E731
                        & (df["t_arrival"] >= o["start_s"])
                        & (df["t_arrival"] < o["start_s"] + o["duration_s"])]
    ratio = len(win(surge)) / len(win(base))
    assert 2.4 < ratio < 3.6  # ~3x (Poisson noise on ~150 calls)
    t_ticket = rec.features.ticket_open_s
    assert o["start_s"] < t_ticket < o["start_s"] + o["duration_s"]
    informed = surge[surge["ending_code"] == 8]
    assert len(informed) > 10 and (informed["t_arrival"] >= t_ticket - 60).all()
    assert (base["ending_code"] != 8).all()
    # the surge adds calls; the base calls stay the same (common random numbers)
    key = ["class", "t_arrival"]
    first = base.loc[base["attempt"] == 1, key]
    found = first.merge(surge[key].drop_duplicates(), on=key, how="left", indicator=True)
    assert len(found) == len(first) and (found["_merge"] == "both").all()


def test_press_2_at_announcements_leaves_the_queue_for_self_service():
    scn = stressed_vip()
    scn["ivr"]["nodes"]["vip_ss"] = {"type": "self_service", "time": 30, "resolve_prob": 0.5,
                                     "next": "blacklist_hangup"}
    scn["queues"]["vip"].update(announce_s=[20, 40], press2_prob=1.0, press2_node="vip_ss")
    df, rec = run_calls(scn)
    vip = df[df["class"].str.match("(diamond|gold|silver)/") & df["t_queue"].notna()]
    # everyone presses 2 at the first announcement
    assert (vip["t_left_queue"] - vip["t_queue"]).max() <= 20 + 1e-9
    assert rec.press2.sum() > 10 and (df["ending_code"] == 7).sum() > 0


def test_announcements_alone_change_nothing_for_the_caller():
    scn = load()
    for q in scn["queues"].values():
        q.pop("press2_prob", None)
        q.pop("press2_node", None)
    a, _ = run_calls(scn)
    for q in scn["queues"].values():
        q["announce_s"] = []
    b, _ = run_calls(scn)
    assert a[["t_arrival", "t_answer", "outcome"]].equals(b[["t_arrival", "t_answer", "outcome"]])


def test_blended_agents_make_outbound_calls_only_when_no_inbound_waits():
    scn = load()
    res = run_spec(scn)
    assert res.summary["overall"]["campaign_calls"]["mean"] > 20
    scn["outbound"]["max_inbound_waiting"] = 0
    scn["groups"]["general_desk"]["staffing"] = 1  # always a queue: no room for outbound
    starved = run_spec(scn).summary["overall"]["campaign_calls"]["mean"]
    assert starved < 0.2 * res.summary["overall"]["campaign_calls"]["mean"]


@pytest.mark.parametrize("policy", ["strict_priority", "fifo"])
def test_conservation_with_every_hotline_feature_on(policy):
    scn = load()
    scn["outage"]["enabled"] = True
    scn["lines"] = 25
    res = run_spec(scn, n_reps=2, policy=policy)
    c = res.summary["conservation"]
    assert c["offered"] == sum(c[k] for k in ("answered", "abandoned", "disconnected",
                                              "self_served", "blocked"))
    assert min(c.values()) > 0


def test_tier_targets_are_judged_per_tier():
    res = run_spec(stressed_vip(), n_reps=2)
    tiers = res.summary["by_tier"]
    assert tiers["diamond"]["sl_target"]["mean"] == 0.9
    sl = tiers["silver"]["service_level"]["mean"]
    assert tiers["silver"]["sl_met"]["mean"] == float(sl >= 0.8)
    assert tiers["blacklist"]["sl_target"]["mean"] is None


def test_customer_value_uses_the_retention_figures():
    """Each need ends in one state (brief §9); the value kept is the retention rate of
    that state times the tier's annual value, summed over the needs the run saw."""
    from sim.kpi import replication_kpis
    from sim.model.customers import VALUE_STATES

    scn = load()
    spec = build_model_spec(scn)
    _, rec = run_calls(scn)
    tally = rec.features.episodes  # episodes by (tier, end state)
    states = dict.fromkeys(VALUE_STATES, 0)
    kept = 0.0
    for (tier, j), n in np.ndenumerate(tally):
        states[VALUE_STATES[j]] += int(n)
        kept += n * spec.retention[VALUE_STATES[j]] * spec.tiers[tier].annual_value
    total = int(tally.sum())
    o = replication_kpis(rec, spec)["overall"]
    assert o["episodes"] == total > 100
    assert min(states.values()) > 0  # every state occurs in the small hotline
    for s, n in states.items():
        assert o[f"episodes_{s}"] == pytest.approx(n / total, abs=1e-12), s
    assert o["retained_value"] == pytest.approx(kept, rel=1e-12)
    res = run_spec(load())
    o = res.summary["overall"]
    scn = load()
    scn["value"] = {"retention": {"resolved_quickly": 0.5}}
    lower = run_spec(scn).summary["overall"]["retained_value"]["mean"]
    assert lower < o["retained_value"]["mean"]


def test_blacklist_share_statistics():
    """Blacklist callers are counted: their share of offered calls matches the config."""
    res = run_spec(load(), n_reps=10, confidence=0.99)
    first = [(r["by_tier"]["blacklist"]["offered"] - r["by_tier"]["blacklist"]["redials"])
             / (r["overall"]["offered"] - r["overall"]["redials"]) for r in res.replications]
    lo, hi = stats.t.interval(0.99, len(first) - 1, np.mean(first), stats.sem(first))
    assert lo <= 0.02 <= hi


def test_bad_trees_are_errors_at_load():
    scn = load()
    bad = copy.deepcopy(scn)
    bad["ivr"]["nodes"]["main_menu"]["by_reason"]["complaint"] = "nowhere"
    with pytest.raises(ConfigError, match="dangling"):
        build_model_spec(bad)
    bad = copy.deepcopy(scn)
    bad["ivr"]["nodes"]["fault_menu"]["branches"] = {"faults_transfer": 0.7, "main_menu": 0.2}
    with pytest.raises(ConfigError, match="sum to 1"):
        build_model_spec(bad)
    bad = copy.deepcopy(scn)
    bad["ivr"]["nodes"]["loop_a"] = {"type": "menu", "branches": {"loop_b": 1.0}}
    bad["ivr"]["nodes"]["loop_b"] = {"type": "menu", "branches": {"loop_a": 1.0}}
    with pytest.raises(ConfigError, match="no exit"):
        build_model_spec(bad)


@pytest.mark.parametrize("window_s", [600.0, 3600.0])
def test_episodes_dropped_after_their_window_count_exactly_as_kept_ones(window_s,
                                                                       monkeypatch):
    """Memory stays flat in the horizon: an episode past its FCR window with nothing in
    progress is counted and dropped. The tally, the FCR counts and every call are the same
    as when every episode is kept to the end (short windows, so many are dropped; a small
    population, redials and work orders, so needs come back and orders stay open)."""
    from sim.model import customers

    scn = load()
    scn["fcr_window_s"] = window_s
    scn["customers"] = {"population": 300}
    # the SimPy reference's own episode sweep (the compiled one: tests/test_fast_*.py)
    calls, rec = run_calls(scn, engine="simpy")
    dropped = []
    real = customers.Customers.on_interval_end

    def counting(self, k, now):
        before = len(self.contacts)
        real(self, k, now)
        dropped.append(before - len(self.contacts))

    monkeypatch.setattr(customers.Customers, "on_interval_end", counting)
    run_calls(scn, engine="simpy")
    assert sum(dropped) > 50  # the sweep does drop episodes here
    monkeypatch.setattr(customers.Customers, "on_interval_end",
                        lambda self, k, now: None)  # keep every episode
    kept_calls, kept = run_calls(scn, engine="simpy")
    assert np.array_equal(rec.features.episodes, kept.features.episodes)
    assert rec.features.episodes.sum() > 100
    assert np.array_equal(rec.fcr, kept.fcr)
    assert calls.equals(kept_calls)


def press2_and_back(trace: list[float]) -> dict:
    """One agent (handle 40 s); the queue announces at 20 s, where every caller presses 2
    for a 5 s self-service that fails and sends him back to the same queue (1 s)."""
    scn = one_path()
    scn["tiers"]["ordinary"]["entry"] = "to_agent"
    scn["reasons"]["billing_query"]["handle_time"] = 40
    scn["ivr"]["nodes"] = {
        "to_agent": {"type": "transfer", "time": 0, "queue": "general"},
        "p2": {"type": "self_service", "time": 5, "resolve_prob": 0.0, "next": "back"},
        "back": {"type": "transfer", "time": 1, "queue": "general"}}
    scn["queues"]["general"].update(announce_s=[20], press2_prob=1.0, press2_node="p2")
    scn["groups"]["general_desk"]["staffing"] = 1
    scn["arrivals"] = {"trace": [[t, "ordinary/billing_query"] for t in trace]}
    return scn


def test_a_caller_back_from_press_2_queues_anew_behind_later_callers():
    # 0 is answered at once (busy to 40). 1 asks at 1, presses 2 at 21, is back at 27;
    # 2 asks at 25. At 40 the agent takes 2 (asked at 25), not 1 at his old place (1).
    # 1 has heard the one announcement (they count per call), so he waits to 80.
    df, _ = run_calls(press2_and_back([0, 1, 25]))
    assert df[["t_queue", "t_answer", "t_left_queue"]].values.tolist() == [
        [0.0, 0.0, 0.0], [27.0, 80.0, 80.0], [25.0, 40.0, 40.0]]


def test_a_wakeup_from_an_earlier_queue_visit_is_dropped():
    """A policy's wake-up belongs to the queue visit it was asked for: the caller who
    pressed 2 and came back is not looked at again 30 s after his first visit."""
    from sim.model.calls import State
    from sim.policies.strict_priority import StrictPriority

    class Spy(StrictPriority):
        def __init__(self):
            super().__init__()
            self.routed: list[tuple[float, int]] = []

        def wakeups(self, call):
            return (30.0,)

        def route(self, call):
            if call.state == State.WAITING:  # a wake-up (a fresh ask is still IVR)
                self.routed.append((self.now(), call.id))
            return super().route(call)

    spy = Spy()
    run_calls(press2_and_back([0, 1]), policy=lambda: spy, engine="simpy")
    # 1 asks at 1 (wake-up at 31), presses 2 at 21, asks again at 27 (wake-up at 57) and
    # is answered at 40: neither wake-up may reach the policy, the first being stale
    assert spy.routed == []
