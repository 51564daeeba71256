"""Availability from the log (issue 16): fractional presence kept, the not-ready share
measured while callers wait past their answer delay, day selections for out-of-sample
checks, and the prediction's inputs (volumes and staffing only)."""

from __future__ import annotations

import pandas as pd
import pytest

from sim.calibrate.availability import PAST_DELAY_S, not_ready_evidence, schedule
from sim.calibrate.calibration import pick_days
from sim.calibrate.predict import parse_target


def test_schedule_keeps_fractional_presence():
    """0.2 present agents at night: 1 scheduled, shrinkage 0.8 (never rounded to 0);
    2.5 present, 20 % not ready: 3 scheduled, 2.0 available."""
    staffing, shrink = schedule([0.0, 0.2, 2.5], [0.0, 0.0, 0.2])
    assert staffing == [0, 1, 3]
    assert shrink[0] == 0.0 and shrink[1] == pytest.approx(0.8)
    assert 3 * (1 - shrink[2]) == pytest.approx(2.0, abs=1e-3)  # 4 decimals


def _call(date, server, t_arrival, wait, service, queued=True, outcome="served"):
    return {"date": pd.Timestamp(date), "server": server, "t_arrival": float(t_arrival),
            "ivr_s": 0.0, "wait_s": float(wait), "t_answer": float(t_arrival + wait),
            "service_s": float(service), "queued": queued, "outcome": outcome,
            "desk": "acd", "class": "p1_PS"}


def test_not_ready_counts_present_agents_neither_talking_nor_reserved():
    """At 36,000 s + 90 s a caller has waited past his delay. Agents A and B are in a
    session (calls before and after), A talks, B does not: with reserve 0, B is not
    ready; with reserve 1, nobody is (B may be the agent kept for the direct line)."""
    rows = [_call("1999-01-03", "A", 35000, 0, 2000, queued=False),
            _call("1999-01-03", "B", 35500, 0, 60, queued=False),
            _call("1999-01-03", "B", 37000, 0, 60, queued=False),
            _call("1999-01-03", "", 36000, 300, 60)]  # the waiting caller (no agent named)
    log = pd.DataFrame(rows)
    served = log[log["outcome"] == "served"]
    r0 = not_ready_evidence(log, served, reserve=0)
    assert len(r0) == 1 and r0["present"].iloc[0] == 2 and r0["talking"].iloc[0] == 1
    assert r0["not_ready"].iloc[0] == 1
    assert not_ready_evidence(log, served, reserve=1)["not_ready"].iloc[0] == 0
    short = pd.DataFrame([*rows[:3], _call("1999-01-03", "", 36000, PAST_DELAY_S - 1, 60)])
    assert len(not_ready_evidence(short, short, reserve=0)) == 0  # still in its delay


def test_day_selections_split_the_month():
    days = [pd.Timestamp(f"1999-01-{d:02d}") for d in (3, 4, 5, 6, 7, 10, 11)]
    assert pick_days(days, "first-half") == days[:4]
    assert pick_days(days, "second-half") == days[4:]
    assert [d.day for d in pick_days(days, "odd")] == [3, 5, 7, 11]
    assert [d.day for d in pick_days(days, "even")] == [4, 6, 10]
    assert set(pick_days(days, "first-half")).isdisjoint(pick_days(days, "second-half"))
    with pytest.raises(ValueError, match="--days 'week': allowed"):
        pick_days(days, "week")


def test_predict_target_parsing():
    assert parse_target("friday") == ("friday", "all")
    assert parse_target("weekday:second-half") == ("weekday", "second-half")
    with pytest.raises(ValueError, match="--predict"):
        parse_target("weekday:tuesdays")


def test_on_call_agent_where_the_log_answered_calls():
    """Intervals where callers asked for an agent but less than one is present get one
    (the night's on-call agent); intervals without callers keep their presence."""
    from sim.calibrate.availability import with_on_call

    asked = pd.DataFrame({"t_arrival": [100.0, 2000.0]})  # intervals 0 and 1 of 1800 s
    present, on_call = with_on_call([0.1, 2.5, 0.2], asked, 1800)
    assert present == [1.0, 2.5, 0.2] and on_call == [0]
    present, on_call = with_on_call([0.1, 1.5, 0.2], asked, 1800, reserve=1)
    assert present == [2.0, 2.0, 0.2] and on_call == [0, 1]  # one beyond the reserve


def test_last_agent_evidence_separates_last_agents_ends():
    """Agent A's session ends at 1,100 s with nobody present after it and nobody waiting;
    agent B's session ends at 2,100 s while A is back and a caller waits (1,900..2,300):
    'last' finds no caller waiting at 1 end, 'other' finds one at 1 end."""
    from sim.calibrate.availability import last_agent_evidence

    rows = [_call("1999-01-03", "A", 1000, 0, 100, queued=False),
            _call("1999-01-03", "B", 2000, 0, 100, queued=False),
            _call("1999-01-03", "A", 2050, 0, 400, queued=False),
            _call("1999-01-03", "A", 1900, 400, 50)]  # waits 1,900..2,300, served by A
    log = pd.DataFrame(rows)
    ev = last_agent_evidence(log, log, samples_per_day=50)
    assert ev["last"]["moments"] == 1 and ev["last"]["caller_waiting"] == 0
    assert ev["other"]["moments"] == 1 and ev["other"]["caller_waiting"] == 1
    assert ev["random"]["moments"] > 0


def test_prediction_keeps_the_last_agent_rule():
    """A prediction replaces the presence (staffing, shrinkage) and keeps the behaviour's
    other availability keys, so the last agent still stays for the callers waiting."""
    from types import SimpleNamespace

    from sim.calibrate.predict import predict_scenario

    cls = {"calls_per_interval": [1.0, 1.0], "priority": 1, "queue": "acd",
           "handle_time": 100}
    behaviour = {"horizon": {"interval_s": 1800}, "classes": {"p1_PS": dict(cls)},
                 "groups": {"agents": {"staffing": [1, 1], "availability": {
                     "shrinkage": [0.5, 0.5], "last_agent_stays_for": ["acd"]}}}}
    report = {"availability": {"not_ready": {"share": [0.0, 0.0]}, "present": [0.5, 0.5],
                               "available": [0.5, 0.5]}, "staffing": {"pool": [0.5, 0.5]}}
    target = SimpleNamespace(scenario={"classes": {"p1_PS": dict(cls)}}, report={
        "availability": {"present": [2.5, 0.2]}, "days": ["1999-01-01"],
        "day_type": "friday"})
    scn, _ = predict_scenario(behaviour, report, target)
    av = scn["groups"]["agents"]["availability"]
    assert scn["groups"]["agents"]["staffing"] == [3, 1]
    assert av["last_agent_stays_for"] == ["acd"]
    assert av["shrinkage"] == [pytest.approx(1 - 2.5 / 3, abs=1e-4), pytest.approx(0.8)]
