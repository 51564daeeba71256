"""Availability from the log (issue 16): fractional presence kept, the not-ready share
measured while callers wait past their answer delay, day selections for out-of-sample
checks, and the prediction's inputs (volumes and staffing only)."""

from __future__ import annotations

import math

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
    # the reserve only from 3 agents present: with 2, B is not ready again
    assert not_ready_evidence(log, served, reserve=1, reserve_from=3)["not_ready"].iloc[0] == 1


def test_reserve_from_is_where_the_idle_agents_reach_the_reserve():
    """Mean agents idle while ACD callers wait, by agents present, with a 95 % interval:
    0.4 with 2-3 (the interval straddles half an agent: undecided), 0.8 and more from 4
    (one held beyond the noise): reserve 1 applies from 4. A headcount with fewer than
    MIN_SAMPLES moments does not count; one above clearly short of the reserve moves it
    up; an undecided one does not set it (January's odd days: 0.50 from 32 moments at 2
    agents made it 2 with the rounded means alone); reserve 0 needs none."""
    from sim.calibrate.direct_line import NEVER, identify_reserve_from

    def table(idle, half=0.15, moments=100):
        return {n: {"moments": moments, "mean_idle": m, "mean_idle_low": m - half,
                    "mean_idle_high": m + half} for n, m in idle.items()}

    steps = table({2: 0.4, 3: 0.45, 4: 0.8, 5: 1.0, 6: 1.6})
    assert identify_reserve_from(steps, 1) == 4
    assert identify_reserve_from({**steps, **table({1: 0.9}, moments=5)}, 1) == 4
    assert identify_reserve_from({**steps, **table({5: 0.3})}, 1) == 6
    assert identify_reserve_from({**steps, **table({2: 0.5}, half=0.35)}, 1) == 4
    assert identify_reserve_from({**steps, **table({2: 0.9}, half=0.3)}, 1) == 2
    # two agents held: 1.6 at 6 reaches it only if the noise allows (1.55 rounds to 2)
    assert identify_reserve_from(steps, 2) == NEVER
    assert identify_reserve_from(table({5: 1.0, 6: 1.6}, half=0.05), 2) == 6
    assert identify_reserve_from(steps, 0) == 0
    assert identify_reserve_from(table({2: 0.1, 3: 0.2}), 1) == NEVER


def test_the_idle_agents_interval_takes_a_days_moments_together():
    """Two days: 3 moments with 1 idle agent, 1 moment with none. Mean 0.75; by days the
    sums 3 and 0 against 0.75 x 3 and 0.75 x 1: variance (0.75^2 + 0.75^2) / 16 x 2 / 1,
    half-width 1.96 x 0.265 = 0.52; a single day has no interval."""
    from sim.calibrate.direct_line import _interval

    g = pd.DataFrame({"date": ["a", "a", "a", "b"], "idle": [1, 1, 1, 0]})
    ci = _interval(g)
    half = 1.959964 * math.sqrt(2 * 0.75 ** 2 / 16 * 2)
    assert ci["mean_idle_low"] == pytest.approx(0.75 - half, abs=1e-3)
    assert ci["mean_idle_high"] == pytest.approx(0.75 + half, abs=1e-3)
    assert _interval(g[g["date"] == "a"]) == {"mean_idle_low": None, "mean_idle_high": None}


def test_reserve_evidence_counts_idle_agents_and_direct_calls_by_headcount():
    """The caller waiting past his delay at 36,090 s sees A talking and B idle (2 present:
    one idle); a direct-line call answered at 36,100 s by B is answered while he waits."""
    from sim.calibrate.direct_line import reserve_evidence

    rows = [_call("1999-01-03", "A", 35000, 0, 2000, queued=False),
            _call("1999-01-03", "B", 35500, 0, 60, queued=False),
            {**_call("1999-01-03", "B", 36100, 0, 60, queued=False), "desk": "direct"},
            _call("1999-01-03", "", 36000, 300, 60)]
    log = pd.DataFrame(rows)
    ev = reserve_evidence(log, log[log["outcome"] == "served"], 1)
    two = ev["by_agents_present"][2]
    assert (two["moments"], two["idle_share"], two["mean_idle"]) == (1, 1.0, 1.0)
    assert (two["direct_answered"], two["direct_while_acd_waited"]) == (1, 1.0)
    assert two["direct_while_acd_waited_past_delay"] == 1.0


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
    # the reserve only from 3 agents on duty: one on-call agent is never held
    present, on_call = with_on_call([0.1, 1.5, 0.2], asked, 1800, reserve=1, reserve_from=3)
    assert present == [1.0, 1.5, 0.2] and on_call == [0]


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


# -- not ready after calls (--availability states) ------------------------------------------

def _waiting_all_day(date="1999-01-03"):
    """An ACD caller waiting from 0 s to 80,000 s: past his answer delay all day."""
    return _call(date, "", 0, 80000, 0, outcome="abandoned")


def test_not_ready_after_calls_reads_prob_and_duration_off_the_gaps():
    """Agent A serves 401 calls of 100 s while a caller waits all day: after 320 of them he
    takes the next call 5 s later (after-call work), after 80 he is away 5 s + d, d drawn
    from a seeded gamma of mean 300 s. Then prob = 80 / 400 exactly (no gap is censored:
    the caller never stops waiting) and the duration law's mean is the mean of d (the
    gaps less the 5 s after-call work)."""
    import numpy as np

    from sim.calibrate.availability import not_ready_after_calls

    rng = np.random.default_rng(7)
    away = rng.gamma(4.0, 75.0, 80)
    away = away[away > 60] if (away <= 60).any() else away
    gaps = np.concatenate((np.full(320, 5.0), 5.0 + away))
    rng.shuffle(gaps)
    rows, t = [_waiting_all_day()], 1000.0
    for gap in [*gaps, 0.0]:
        rows.append(_call("1999-01-03", "A", t, 0, 100, queued=False))
        t += 100 + gap
    log = pd.DataFrame(rows)
    served = log[log["outcome"] == "served"]
    got = not_ready_after_calls(log, served, acw_mean_s=5.0)
    assert got["hang_ups"] == len(gaps) and got["returns_observed"] == len(gaps)
    assert got["prob"] == pytest.approx(len(away) / len(gaps), abs=1e-4)
    assert got["spec"]["mean"] == pytest.approx(away.mean(), rel=0.05)


def test_after_call_gap_is_censored_when_no_caller_waits_any_more():
    """A hangs up at 1,100 s while a caller (queued at 900 s) has waited past 90 s; that
    caller leaves at 1,150 s and A's next call is at 1,500 s: A's gap is censored at 50 s
    (idle with nobody waiting is not unavailable). His hang-up at 1,600 s, with nobody
    waiting, is no evidence at all."""
    from sim.calibrate.availability import after_call_gaps

    rows = [_call("1999-01-03", "A", 1000, 0, 100, queued=False),
            _call("1999-01-03", "A", 1500, 0, 100, queued=False),
            _call("1999-01-03", "A", 1700, 0, 100, queued=False),
            _call("1999-01-03", "", 900, 250, 0, outcome="abandoned")]
    log = pd.DataFrame(rows)
    t, event, hour = after_call_gaps(log, log[log["outcome"] == "served"])
    assert list(t) == [50.0] and list(event) == [False] and list(hour) == [0]


def test_too_few_long_gaps_name_no_not_ready_state():
    from sim.calibrate.availability import not_ready_after_calls

    rows, t = [_waiting_all_day()], 1000.0
    for _ in range(50):
        rows.append(_call("1999-01-03", "A", t, 0, 100, queued=False))
        t += 105
    log = pd.DataFrame(rows)
    got = not_ready_after_calls(log, log[log["outcome"] == "served"], 5.0)
    assert got["prob"] == 0.0 and got["spec"] is None


@pytest.fixture(scope="module")
def weekday_states():
    """The January weekdays calibrated with --availability states, hidden fill 1 (no
    tuning by simulation: the log's evidence only)."""
    from sim.calibrate import SHIPPED_LOG
    from sim.calibrate.calibration import Options, calibrate
    from sim.calibrate.schema import read_log

    df, dq = read_log(SHIPPED_LOG, "auto")
    return calibrate(df, dq, Options(states=True, hidden_fill=1.0), "anonymous_bank")


def test_states_on_the_real_log_are_plausible_and_build(weekday_states):
    """Sanity on January: thousands of hang-ups while callers waited, a few per cent of
    them followed by a not-ready period of minutes; the scenario carries it as
    groups.agents.availability.not_ready and builds; the not-ready time is taken out of
    the unlogged time left to hidden work, and what remains is reported."""
    from sim.config import build_model_spec

    cal = weekday_states
    after = cal.report["availability"]["after_call_not_ready"]
    assert after["hang_ups"] > 1000 and 0.01 < after["prob"] < 0.3
    assert 60 < after["spec"]["mean"] < 1800
    av = cal.scenario["groups"]["agents"]["availability"]
    assert av["not_ready"] == {"prob": after["prob"], "duration": after["spec"]}
    spec = build_model_spec(cal.scenario)
    assert spec.groups[0].availability.not_ready_prob == after["prob"]
    hw = cal.report["hidden_work"]
    assert sum(hw["not_ready_after_calls_s"]) > 0
    rest = hw["remaining"]
    assert 0 < rest["not_ready_after_calls_share_of_available"] < 1
    assert rest["hidden_agent_hours"] == pytest.approx(sum(hw["unlogged_agent_s"]) / 3600,
                                                       abs=0.1)


def test_prediction_keeps_not_ready_after_calls(weekday_states):
    """A prediction keeps the behaviour's not-ready law, and the work its volumes imply
    includes the expected not-ready time per call."""
    from types import SimpleNamespace

    from sim.calibrate.predict import _expected_work, predict_scenario

    cal = weekday_states
    target = SimpleNamespace(scenario=cal.scenario, report=cal.report)
    scn, _ = predict_scenario(cal.scenario, cal.report, target)
    assert scn["groups"]["agents"]["availability"]["not_ready"] == \
        cal.scenario["groups"]["agents"]["availability"]["not_ready"]
    vols = {"p1_PS": [1.0] * 48}
    without = dict(scn, groups={"agents": {"staffing": [1] * 48}})
    after = cal.report["availability"]["after_call_not_ready"]
    extra = after["prob"] * after["spec"]["mean"]
    assert _expected_work(scn, vols, 1.0, 48)[0] == pytest.approx(
        _expected_work(without, vols, 1.0, 48)[0] + extra, rel=1e-3)


@pytest.mark.parametrize("value, availability, states", [
    ("auto", True, False), ("states", True, True), ("off", False, False)])
def test_availability_option_selects_the_states(value, availability, states):
    """``--availability states`` is fractional presence plus not ready after calls."""
    import argparse

    from sim.calibrate import _common, _options

    p = argparse.ArgumentParser()
    _common(p)
    opts = _options(p.parse_args(["--availability", value]), "x")
    assert (opts.availability, opts.states) == (availability, states)
