"""Operations features (issue 15): exact traces on tiny deterministic scenarios."""

from __future__ import annotations

import math

import pytest
from simhelpers import TINY, run_calls, scenario

from sim.config import build_model_spec
from sim.errors import ConfigError
from sim.kpi import check_conservation, replication_kpis

pytestmark = pytest.mark.reference_too  # also with auto = the SimPy reference (conftest)


def kpis(scn: dict) -> dict:
    df, rec = run_calls(scn)
    check_conservation(rec)
    return replication_kpis(rec, build_model_spec(scn))


# -- short abandons ------------------------------------------------------------------------
def short_trace(short_s: float) -> dict:
    """One agent, 50 s calls: a@0 answered at once; c@1 hangs up after 3 s (short); b@2
    after 45 s; a@10 answered at 50 (waited 40 s, outside the 20 s service level)."""
    scn = scenario(TINY, short_abandon_s=short_s)
    scn["classes"]["c"] = {"mix": 0.0, "priority": 1, "queue": "q", "patience": 3,
                           "handle_time": 50}
    scn["arrivals"]["trace"] = [[0, "a"], [1, "c"], [2, "b"], [10, "a"]]
    return scn


def test_short_abandons_are_counted_apart_and_left_out_of_sl_and_abandon_rate():
    o = kpis(short_trace(5))["overall"]
    assert (o["asked"], o["answered"], o["queue_abandoned"]) == (4, 2, 2)
    assert o["short_abandons"] == 1  # c waited 3 s < 5 s; b waited 45 s
    assert o["service_level"] == 1 / 4
    assert o["service_level_excl_short"] == 1 / 3
    assert o["abandon_rate"] == 2 / 4
    assert o["abandon_rate_excl_short"] == 1 / 3


def test_short_abandon_threshold_is_strict_and_off_by_default():
    assert kpis(short_trace(3))["overall"]["short_abandons"] == 0  # waited exactly 3 s
    o = kpis(short_trace(0))["overall"]
    assert o["short_abandons"] == 0
    assert o["service_level_excl_short"] == o["service_level"]
    assert o["abandon_rate_excl_short"] == o["abandon_rate"]
    assert kpis(short_trace(100))["overall"]["short_abandons"] == 2


@pytest.mark.parametrize("value", [-1, "5", math.inf, True])
def test_short_abandon_s_bad_value_names_the_key(value):
    with pytest.raises(ConfigError, match=r"scenario\.short_abandon_s"):
        build_model_spec(short_trace(value))


# -- callbacks that close the loop ---------------------------------------------------------
def loop_trace(answer_prob: float, callbacks: dict | None, n_calls: int = 1,
               pool: str = "back_office") -> dict:
    """One customer need at t=0: 30 s self-service that never resolves, 100 s talk that
    never resolves either (a work order), 100 s in the second line, then callbacks by the
    20 idle general-desk agents (the order closes at t=230)."""
    from test_hotline import one_path

    scn = one_path(resolve=0.0)
    scn["reasons"]["billing_query"].update(resolution=0.0, second_line=pool)
    scn["second_line"]["pools"][pool].update(staffing=1, processing_time=100)
    scn["second_line"]["callback"] = {"handle_time": 60, "answer_prob": answer_prob}
    scn["outbound"] = {"groups": ["general_desk"], "max_inbound_waiting": 0}
    scn["arrivals"] = {"trace": [[i * 7200.0, "ordinary/billing_query"]
                                 for i in range(n_calls)]}
    if callbacks is not None:
        scn["operations"] = {"callbacks": callbacks}
    return scn


def loop_run(scn: dict):
    df, rec = run_calls(scn)
    check_conservation(rec)
    return rec.features, replication_kpis(rec, build_model_spec(scn))["overall"]


def test_unanswered_callbacks_are_retried_then_the_customer_counts_unreachable():
    feats, o = loop_run(loop_trace(0.0, {"max_attempts": 3, "retry_delay": 1000}))
    # attempts at 230 and 230 + 30 (ring) + 1000 = 1260 (interval 0), then 2290 (interval 1)
    assert feats.outbound.callbacks_made[:3].tolist() == [2, 1, 0]
    assert feats.outbound.callbacks_unreachable[:3].tolist() == [0, 1, 0]
    assert (o["callbacks_answered"], o["customers_unreachable"]) == (0, 1)
    assert o["callbacks_pending_end"] == 0
    assert o["episodes_complained_unresolved"] == 1.0  # the loop never closed


def test_without_the_closed_loop_the_order_resolves_the_need_as_before():
    feats, o = loop_run(loop_trace(0.0, None))
    assert o["callbacks_made"] == 1 and o["customers_unreachable"] == 0  # no retry
    assert o["episodes_resolved"] == 1.0  # resolved when the order closed


def test_a_callback_that_reaches_the_customer_resolves_the_need():
    feats, o = loop_run(loop_trace(1.0, {"max_attempts": 3, "retry_delay": 1000}))
    assert (o["callbacks_made"], o["callbacks_answered"]) == (1, 1)
    assert o["episodes_resolved"] == 1.0 and o["customers_unreachable"] == 0


def test_callbacks_still_owed_when_outbound_stops_are_counted_pending():
    # retries a day apart: the second attempt would fall after the 8-hour horizon
    feats, o = loop_run(loop_trace(0.0, {"max_attempts": 3, "retry_delay": 86400}))
    assert (o["callbacks_made"], o["customers_unreachable"], o["callbacks_pending_end"]) == (
        1, 0, 1)


def test_repair_orders_get_the_satisfaction_callback_with_its_own_talk_time():
    cb = {"max_attempts": 1, "retry_delay": 60, "satisfaction_pools": ["repair"],
          "satisfaction_handle_time": 240}
    scn = loop_trace(1.0, cb, pool="repair")
    _, o = loop_run(scn)
    assert (o["satisfaction_callbacks"], o["satisfaction_reached"]) == (1, 1)
    _, rec = run_calls(scn)
    busy = replication_kpis(rec, build_model_spec(scn))["by_group"]["general_desk"]
    assert busy["busy_hours"] * 3600 == pytest.approx(100 + 240)  # the call + satisfaction
    _, o = loop_run(loop_trace(1.0, cb, pool="back_office"))
    assert o["satisfaction_callbacks"] == 0 and o["callbacks_answered"] == 1


@pytest.mark.parametrize("change, key", [
    ({"max_attempts": 0}, "operations.callbacks.max_attempts"),
    ({"satisfaction_pools": ["nope"]}, "operations.callbacks.satisfaction_pools"),
    ({"retry": 5}, "operations.callbacks.retry"),
    ({"retry_delay": None}, "operations.callbacks.retry_delay"),
])
def test_callback_keys_bad_values_name_the_key(change, key):
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        build_model_spec(loop_trace(0.5, change))


# -- complaint escalation ------------------------------------------------------------------
def complaint_trace(levels: list[dict]) -> dict:
    """Three needs no agent can settle, to a one-worker back office taking 1000 s an
    order: billing@0 (order at 130, worked 130-1130), billing@1 (order at 131, waits),
    complaint@2 (order at 132, waits behind it)."""
    from test_hotline import one_path

    scn = one_path(resolve=0.0)
    bq = scn["reasons"]["billing_query"]
    bq.update(share=0.5, resolution=0.0)
    scn["reasons"]["complaint"] = {**bq}
    scn["second_line"]["pools"]["back_office"].update(staffing=1, processing_time=1000)
    scn["arrivals"] = {"trace": [[0, "ordinary/billing_query"], [1, "ordinary/billing_query"],
                                 [2, "ordinary/complaint"]]}
    scn["operations"] = {"complaints": {"levels": levels, "time_limit_s": 2500}}
    return scn


def test_an_escalated_complaint_jumps_the_back_office_queue_and_closes_in_time():
    _, o = loop_run(complaint_trace([{"name": "team_leader", "after_s": 500}]))
    # escalated at 632 while waiting: worked 1130-2130, before the billing order opened
    # earlier, so closed 1998 s after opening (in time); in turn it would close at 3130
    assert (o["complaint_orders"], o["complaint_escalations"]) == (1, 1)
    assert (o["complaints_overdue"], o["complaints_in_time"]) == (0, 1.0)
    assert o["complaints"] == 1 and o["complaint_rate"] == 1 / 3


def test_without_escalation_the_complaint_waits_its_turn_and_is_overdue():
    _, o = loop_run(complaint_trace([{"name": "team_leader", "after_s": 5000}]))
    # closed at 3130, 2998 s after opening > 2500 s; escalated at 5132 (late, no jump)
    assert (o["complaint_escalations"], o["complaints_overdue"]) == (0, 1)


@pytest.mark.parametrize("levels", [[{"name": "a", "after_s": 9}, {"name": "b", "after_s": 5}],
                                    [{"name": "a", "after_s": 0}]])
def test_complaint_levels_must_increase(levels):
    with pytest.raises(ConfigError, match=r"operations\.complaints\.levels"):
        build_model_spec(complaint_trace(levels))


# -- reserved outbound capacity ------------------------------------------------------------
def blend_trace(reserved: float) -> dict:
    """Two blended agents, 40 inbound calls queued from t=30 (100 s each: ~2,000 s of
    backlog), and campaign tasks all day (50 per half hour, 60 s each)."""
    from test_hotline import one_path

    scn = one_path(resolve=0.0)
    scn["groups"]["general_desk"]["staffing"] = 2
    scn["outbound"] = {"groups": ["general_desk"], "max_inbound_waiting": 0,
                       "campaigns": {"care": {"tasks_per_interval": 50, "handle_time": 60}}}
    scn["arrivals"] = {"trace": [[i, "ordinary/billing_query"] for i in range(40)]}
    scn["operations"] = {"outbound_reserved_share": reserved}
    return scn


def test_reserved_share_keeps_outbound_going_while_inbound_waits():
    df0, rec0 = run_calls(blend_trace(0.0))
    df1, rec1 = run_calls(blend_trace(0.5))
    # threshold rule only: outbound only before the first call is queued (at most one call
    # per agent), then none while the backlog lasts (to ~2,000 s)
    assert rec0.features.outbound.campaign_calls[0] <= 2
    # half the desk (1 agent) reserved: it works the campaign throughout
    assert rec1.features.outbound.campaign_calls[0] >= 20
    # ... and only one: the other agent answers the inbound calls one after another
    answers = df1.loc[df1["outcome"] == "answered"].sort_values("t_answer")
    by_agent = answers.groupby("agent").size()
    assert by_agent.max() >= 35 and answers["t_answer"].max() > df0["t_answer"].max() + 1000


# -- key customers -------------------------------------------------------------------------
def key_trace(share: float, n: int = 6) -> dict:
    """Ordinary callers go through 30 s of self-service; gold callers straight to the
    queue. Key persons (grade 5A) among ordinary callers are served as gold."""
    from test_hotline import one_path

    scn = one_path(resolve=0.0)
    scn["tiers"]["ordinary"]["share"] = 0.5
    scn["tiers"]["gold"] = {"share": 0.5, "priority": 1, "sl_target": 0.9, "patience": None,
                            "entry": "to_agent"}
    scn["customers"] = {"population": 3}  # 3 customers: repeat callers are the same people
    scn["arrivals"] = {"trace": [[i * 900.0, "ordinary/billing_query"] for i in range(n)]}
    scn["operations"] = {"key_customers": {"from_tiers": ["ordinary"],
                                           "grades": {"5A": {"share": share, "tier": "gold"}}}}
    return scn


def test_key_persons_are_served_as_their_vip_tier_by_caller_id():
    df, rec = run_calls(key_trace(1.0))
    assert set(df["class"]) == {"gold/billing_query"}
    assert (df["t_queue"] == df["t_arrival"]).all()  # gold's entry: no self-service
    o = replication_kpis(rec, build_model_spec(key_trace(1.0)))
    assert o["overall"]["key_customer_calls"] == 6
    assert o["by_tier"]["gold"]["offered"] == 6 and o["by_tier"]["ordinary"]["offered"] == 0
    df, _ = run_calls(key_trace(0.0))
    assert set(df["class"]) == {"ordinary/billing_query"}
    assert (df["t_queue"] == df["t_arrival"] + 30).all()


def test_a_key_person_is_recognised_on_every_call():
    df, _ = run_calls(key_trace(0.5, n=30))
    served = df.groupby("customer")["class"].nunique()
    assert (served == 1).all()  # each customer always served the same way
    assert 1 <= (df["class"] == "gold/billing_query").sum() < 30


def test_key_customer_grade_tier_must_exist():
    scn = key_trace(0.5)
    scn["operations"]["key_customers"]["grades"]["5A"]["tier"] = "platinum"
    with pytest.raises(ConfigError, match=r"operations\.key_customers\.grades\.5A\.tier"):
        build_model_spec(scn)


# -- redials after an IVR hang-up -----------------------------------------------------------
def hangup_trace(redial: dict | None) -> dict:
    """A caller the IVR hangs up on (10 s) and who redials at once if the draw says so."""
    from test_hotline import one_path

    scn = one_path()
    scn["ivr"] = {"nodes": {"bye": {"type": "hangup", "time": 10}}}
    scn["tiers"]["ordinary"].update(entry="bye", agent_service=False)
    scn["redial"] = {"disconnected": {"prob": 1.0, "delay": 1}, "max_attempts": 3}
    scn["arrivals"] = {"trace": [[0, "ordinary/billing_query"]]}
    if redial is not None:
        scn["operations"] = {"ivr_hangup_redial": redial}
    return scn


def test_ivr_hangup_redials_follow_their_own_probability():
    df, _ = run_calls(hangup_trace(None))
    assert df["attempt"].tolist() == [1, 2, 3]  # as after a disconnection: always, 3 times
    assert df["t_arrival"].tolist() == [0, 11, 22]
    df, _ = run_calls(hangup_trace({"prob": 0.0}))
    assert df["attempt"].tolist() == [1]


# -- the 23 indicators ---------------------------------------------------------------------
def test_indicators_by_class_show_the_not_ready_share_of_a_run_with_agent_states():
    """Item 9 names not-ready time among the indicators the model computes (item 1 built
    agent states): the report's 'Indicators by class' shows it, with the run's estimate,
    when groups have availability; without agent states the row is left out."""
    from sim.report.data import RunData
    from sim.report.page import Page
    from sim.report.run_report import _indicators

    scn = scenario(arrivals__trace=[[0, "a"], [10, "a"]],
                   groups__g__availability={"not_ready": {"prob": 1.0, "duration": 20}})
    _, rec = run_calls(scn, engine="simpy")
    overall = replication_kpis(rec, build_model_spec(scn))["overall"]
    assert overall["not_ready_share"] == pytest.approx(2 * 20 / 1000)  # 2 calls

    def page_of(kpis: dict) -> str:
        page = Page("t")
        summary = {"overall": {k: {"mean": v, "half_width": None} for k, v in kpis.items()}}
        _indicators(page, RunData(dir=None, summary=summary))  # type: ignore[arg-type]
        return page.render()

    html = page_of(overall)
    row = html.split("agent not-ready share", 1)[1].split("</tr>", 1)[0]
    assert "4.0" in row and "not modelled" not in row, row
    assert "agent not-ready" not in page_of({"answer_rate": 0.9})
