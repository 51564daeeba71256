"""Calibrating the reaction rule (``ccsim calibrate --reaction on``,
``sim.calibrate.reaction``): the reaction time read off waits at an empty queue,
censored where another agent answered or the caller abandoned; hidden tasks read off the
agents' unlogged stretches; the scenario carries the rule and a prediction keeps it."""

from __future__ import annotations

import pandas as pd
import pytest
from simhelpers import calibrate_options

from sim.calibrate.reaction import away_task_length, fit_reaction, idle_answered


def _call(date, server, t0, wait, service, queued=True, outcome="served", cls="p0_NW"):
    return {"date": pd.Timestamp(date), "server": server, "t_arrival": float(t0),
            "ivr_s": 0.0, "wait_s": float(wait), "t_answer": float(t0 + wait),
            "service_s": float(service), "queued": queued, "outcome": outcome,
            "desk": "acd", "class": cls, "priority": 0, "type": "NW"}


def _day(date: str, wait: float) -> list[dict]:
    """Agent B is present 35,000-42,560 s (no pause of 30 min) and talks only in his own
    calls; A is present 39,900-40,165 s. Callers at an empty queue: 36,000 (answered by
    B, who was not talking: an observed reaction time ``wait``), 40,000 (answered by A,
    freed from a call at 40,100: censored at 105 s), 41,000 (abandons after 30 s:
    censored) and a delay-class caller at 41,500 (not evidence)."""
    return [_call(date, "B", 35000, 0, 60, queued=False),
            _call(date, "B", 36000, wait, 60),
            _call(date, "B", 37000, 0, 60, queued=False),
            _call(date, "B", 39000, 0, 60, queued=False),
            _call(date, "A", 39900, 0, 200, queued=False),
            _call(date, "A", 40000, 105, 60),
            _call(date, "B", 40500, 0, 60, queued=False),
            _call(date, "", 41000, 30, 0, outcome="abandoned"),
            _call(date, "B", 41500, 40, 60, cls="p1_PS"),
            _call(date, "B", 42500, 0, 60, queued=False)]


def test_reaction_time_is_observed_only_when_an_agent_away_came_back():
    waits = [20, 30, 40, 50, 60]
    log = pd.DataFrame([r for d, w in enumerate(waits)
                        for r in _day(f"1999-01-0{d + 3}", w)])
    served = log[log["outcome"] == "served"]
    r = fit_reaction(log, served, ["p1_PS"])
    assert (r["calls"], r["observed_came_back"]) == (15, 5)
    assert (r["censored_other_agent"], r["censored_abandoned"]) == (5, 5)
    assert r["mean_observed_s"] == pytest.approx(40.0)
    assert r["spec"]["dist"] in ("lognormal", "gamma", "exponential")
    # the freed agent's 105 s and the abandoner's 30 s only say R was longer: the
    # censored fit's mean exceeds the mean of the observed reactions
    assert r["spec"]["mean"] > 45


def test_idle_answered_selects_the_classes_or_all_but_them():
    """The same days read for the delay class (FINDINGS item 27's answer delay): its
    caller at 41,500 found B not talking and B answered him (observed), each day."""
    log = pd.DataFrame([r for d in range(5) for r in _day(f"1999-01-0{d + 3}", 30)])
    served = log[log["outcome"] == "served"]
    ev, idle = idle_answered(log, served, ["p1_PS"])
    assert list(ev["t_arrival"]) == [41500.0] * 5 and idle.all()
    assert list(ev["present"]) == [1] * 5  # B alone in a session (A's ended at 40,165)
    ev, idle = idle_answered(log, served, ["p1_PS"], exclude=True)
    assert len(ev) == 15 and idle.sum() == 5  # the reaction time's evidence, as above


def test_hidden_task_length_from_unlogged_stretches():
    """Agent B: calls 0-100, 400 (answered at once: stretch 300 - acw complete), 1,000
    (queued: stretch 500 - acw, censored). Exponential censored MLE = total / complete."""
    log = pd.DataFrame([_call("1999-01-03", "B", 0, 0, 100, queued=False),
                        _call("1999-01-03", "B", 400, 0, 100, queued=False),
                        _call("1999-01-03", "B", 990, 10, 100)])
    est = away_task_length(log, acw_mean=5.0)
    assert (est["stretches"], est["complete"], est["censored"]) == (2, 1, 1)
    assert est["task_mean_s"] == pytest.approx((295 + 495) / 1)


_options = calibrate_options


def test_reaction_option():
    assert _options().reaction is True  # the default since the rule beat the old model
    assert _options("--reaction", "off").reaction is False
    assert _options("--availability", "off").reaction is False  # the rule needs it
    assert _options("--reaction", "on").reaction is True
    with pytest.raises(ValueError, match="--reaction 'yes': allowed: on, off"):
        _options("--reaction", "yes")
    with pytest.raises(ValueError, match="--reaction on: needs --availability auto or "
                                         "states"):
        _options("--reaction", "on", "--availability", "off")


def test_direct_reaction_option():
    assert _options().direct_reaction is False  # not the default (docs/calibration.md)
    assert _options("--direct-reaction", "at-once").direct_reaction is True
    with pytest.raises(ValueError, match="--direct-reaction 'now': allowed: at-once, off"):
        _options("--direct-reaction", "now")
    with pytest.raises(ValueError, match="--direct-reaction at-once: needs --reaction on"):
        _options("--direct-reaction", "at-once", "--reaction", "off")


def test_the_direct_line_takes_an_agent_away_at_once_with_the_option():
    """``--direct-reaction at-once`` writes the direct line's own reaction time, 0, beside
    the group's law: the scenario builds, and only the direct line has it."""
    from sim.calibrate.calibration import _group
    from sim.config import build_model_spec

    avail = {"shrinkage": 0.0, "last_agent": {"used": False}, "staffing": [2] * 48,
             "reaction": {"spec": {"dist": "exponential", "mean": 180.0}}}
    queues = ["direct_line", "acd", "hidden_work"]
    assert "reaction_time_by_queue" not in _group({}, avail, queues)["availability"]
    avail["reaction"]["direct_line_s"] = 0.0
    group = _group({}, avail, queues)
    assert group["availability"]["reaction_time_by_queue"] == {"direct_line": 0.0}
    scn = {"name": "x", "horizon": {"days": 1, "interval_s": 1800, "intervals_per_day": 48},
           "arrivals": {"calls_per_interval": 0},
           "classes": {"c": {"calls_per_interval": 1.0, "priority": 0, "queue": "direct_line",
                             "handle_time": 60}},
           "queues": {q: {"groups": ["agents"]} for q in queues}, "groups": {"agents": group}}
    av = build_model_spec(scn).groups[0].availability
    assert av.reaction_for(0).mean == 0 and av.reaction_for(1).mean == 180.0


@pytest.fixture(scope="module")
def weekday_reaction():
    """The shipped log calibrated with the rule, hidden fill fixed (no tuning)."""
    from sim.calibrate import SHIPPED_LOG
    from sim.calibrate.calibration import Options, calibrate
    from sim.calibrate.schema import read_log

    df, dq = read_log(SHIPPED_LOG, "auto")
    return calibrate(df, dq, Options(reaction=True, hidden_fill=0.3), "anonymous_bank")


def test_the_scenario_carries_the_rule_and_a_prediction_keeps_it(weekday_reaction):
    from types import SimpleNamespace

    from sim.calibrate.predict import predict_scenario
    from sim.config import build_model_spec

    cal = weekday_reaction
    reaction = cal.report["availability"]["reaction"]
    assert reaction["observed_came_back"] > 100 and reaction["calls"] > 500
    av = cal.scenario["groups"]["agents"]["availability"]
    assert av["reaction_time"] == reaction["spec"] and av["away_work"] == ["hidden_work"]
    est = cal.report["hidden_work"]["task_estimate"]
    assert cal.report["hidden_work"]["task_mean_s"] == est["task_mean_s"]
    assert est["method_of_moments_s"] != est["task_mean_s"]  # not wait x agents
    spec = build_model_spec(cal.scenario)
    assert spec.groups[0].availability.reaction is not None
    scn, _ = predict_scenario(cal.scenario, cal.report,
                              SimpleNamespace(scenario=cal.scenario, report=cal.report))
    assert scn["groups"]["agents"]["availability"]["reaction_time"] == reaction["spec"]
