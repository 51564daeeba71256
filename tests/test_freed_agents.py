"""experiments/out_of_sample/freed_agents.py: what the first agent freed does while a
caller waits at an empty queue, and agents' idle spells while callers wait (FINDINGS
item 20), each on a tiny day worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from simhelpers import experiment_script, log_call


@pytest.fixture(scope="module")
def fa():
    return experiment_script("freed_agents")


def _day(fa):
    """Agents A and B present 0-2000. A: calls 0-130, 140-400 (caller X), 460-700
    (caller Y); B: 0-200 (direct), 500-600, 900-950 (direct). X queues at 100 with both
    talking; Y at 450 with B free (not counted); Z at 520 with both talking, answered by
    A at 710 while B, freed first at 600, takes the direct line at 900; W abandons."""
    qr = experiment_script("queue_response")
    calls = pd.DataFrame({"agent": ["A", "A", "A", "B", "B", "B"],
                          "t_answer": [0.0, 140.0, 460.0, 0.0, 500.0, 900.0],
                          "t_end": [130.0, 400.0, 700.0, 200.0, 600.0, 950.0],
                          "desk": ["acd", "acd", "acd", "direct", "acd", "direct"]})
    queued = pd.DataFrame({"t_queue": [100.0, 450.0, 520.0, 530.0],
                           "t_left": [140.0, 460.0, 710.0, 560.0],
                           "served": [True, True, True, False],
                           "agent": ["A", "A", "A", ""]})
    tl = qr.timeline(queued["t_queue"], queued["t_left"], calls["t_answer"], calls["t_end"],
                     np.array([0.0, 0.0]), np.array([2000.0, 2000.0]), day_s=2000.0)
    return tl, calls, queued


def test_first_freed_names_what_the_first_agent_to_hang_up_did_next(fa):
    f = fa.first_freed(*_day(fa))
    assert list(f["next"]) == ["this caller", "direct"]
    assert list(f["gap"]) == [10.0, 300.0]
    assert list(f["wait"]) == [40.0, 190.0] and list(f["first_end"]) == [30.0, 80.0]


def test_idle_spells_split_by_a_caller_waiting_at_the_hang_up(fa):
    """Spells after the 5 s slack: A 135-140 (X waiting since 100: 5 s), A 405-460 (Y
    waits 450-460: 10 s), B 205-500 (Y: 10 s), B 605-900 (Z waits until 710: 105 s)."""
    tl, calls, _ = _day(fa)
    s = fa.idle_spells(tl, calls).reset_index(drop=True)
    assert list(s["waiting_at_hang_up"]) == [True, False, False, True]
    assert list(s["seconds"]) == [5.0, 55.0, 295.0, 295.0]
    assert list(s["waited_s"]) == [5.0, 10.0, 10.0, 105.0]
    assert list(s["next_desk"]) == ["acd", "acd", "acd", "direct"]
    assert (s["deep_s"] == 0).all()  # never DEEP callers waiting
    clock = experiment_script("queue_response").waiting_clock(tl, 2)
    assert clock(1000.0) == 30.0  # Z and W both wait 530-560
    t = fa.spells_table([_day(fa)], "x").set_index("waiting_at_hang_up")
    assert t.loc[True, "spells"] == 2 and t.loc[True, "waited_h_per_day"] == round(110 / 3600, 2)
    t2 = fa.spells_table([_day(fa)], "x", days_per_entry=2).set_index("waiting_at_hang_up")
    assert t2.loc[True, "waited_h_per_day"] == round(110 / 3600 / 2, 2)


def test_log_agent_days_read_named_calls_and_queued_callers(fa):
    """An ACD caller queued at 100 (IVR 10 s) waits 40 s and is answered by A; an
    abandoned one names nobody; an unnamed served call is no agent's."""
    nan = float("nan")
    acd = {"desk": "acd", "queued": True}
    log = pd.DataFrame([
        log_call("A", 0.0, 130.0, **acd, t_arrival=0.0),
        log_call("A", 150.0, 250.0, t_arrival=90.0, ivr_s=10.0, wait_s=50.0, **acd),
        log_call("", nan, 0.0, t_arrival=120.0, wait_s=20.0, outcome="abandoned", **acd),
        log_call("", 300.0, 60.0)])
    [(tl, calls, queued)] = fa.log_agent_days(log)
    assert list(calls["agent"]) == ["A", "A"] and list(calls["t_end"]) == [130.0, 400.0]
    assert list(queued["t_queue"]) == [0.0, 100.0, 120.0]
    assert list(queued["agent"]) == ["A", "A", ""]
    assert list(queued["served"]) == [True, True, False]


def test_sim_agent_days_read_a_run_as_the_log_is_read(tmp_path, fa):
    """Two agents; agent 0 answers an ACD call at once (no queue entry) then caller X
    who waited 100-140 s; agent 1 a direct call, then hidden work (no call)."""
    import yaml

    scn = {"horizon": {"interval_s": 1800},
           "classes": {"p2_PS": {"queue": "acd"}, "p0_PS": {"queue": "direct_line"},
                       "hidden_work": {"queue": "hidden_work"}},
           "groups": {"agents": {"staffing": [2] * 48}}}
    (tmp_path / "resolved_config.yaml").write_text(yaml.safe_dump({"scenario": scn}))
    row = {"rep": 0, "group": "agents", "outcome": "answered"}
    pd.DataFrame([
        {**row, "class": "p2_PS", "agent": 0, "t_arrival": 0.0, "t_queue": 0.0,
         "t_left_queue": 0.0, "t_answer": 0.0, "t_end": 130.0},
        {**row, "class": "p0_PS", "agent": 1, "t_arrival": 0.0, "t_queue": 0.0,
         "t_left_queue": 0.0, "t_answer": 0.0, "t_end": 200.0},
        {**row, "class": "p2_PS", "agent": 0, "t_arrival": 90.0, "t_queue": 100.0,
         "t_left_queue": 140.0, "t_answer": 140.0, "t_end": 400.0},
        {**row, "class": "hidden_work", "agent": 1, "t_arrival": 300.0, "t_queue": 300.0,
         "t_left_queue": 300.0, "t_answer": 300.0, "t_end": 400.0},
    ]).to_parquet(tmp_path / "calls.parquet")
    [day] = fa.sim_agent_days(tmp_path)
    tl, calls, queued = day
    assert list(calls["agent"]) == ["agents/0", "agents/1", "agents/0"]
    assert list(calls["desk"]) == ["acd", "direct", "acd"]
    assert list(queued["agent"]) == ["agents/0"] and list(queued["t_left"]) == [140.0]
    f = fa.first_freed(*day)
    assert list(f["next"]) == ["this caller"] and list(f["gap"]) == [10.0]


def test_hang_up_pauses_count_hang_ups_under_load_and_their_gaps(fa):
    """Callers wait 0-1000 s, two at a time from 100 s; agent A hangs up at 200 (2
    waiting) and answers at 230; B hangs up at 300 (2 waiting) and answers at 500 (a
    pause); A hangs up at 50 with one waiting (not under load)."""
    qr = experiment_script("queue_response")
    calls = pd.DataFrame({"agent": ["A", "A", "A", "B", "B"],
                          "t_answer": [0.0, 100.0, 230.0, 0.0, 500.0],
                          "t_end": [50.0, 200.0, 300.0, 300.0, 600.0],
                          "desk": ["acd"] * 5})
    tl = qr.timeline(np.array([0.0, 100.0]), np.array([1000.0, 1000.0]), calls["t_answer"],
                     calls["t_end"], np.array([0.0, 0.0]), np.array([2000.0, 2000.0]),
                     day_s=2000.0)
    h = fa.hang_up_pauses(tl, calls)
    assert list(h["gap"]) == [30.0, 200.0] and list(h["present"]) == [2, 2]
    tl1 = qr.timeline(np.array([0.0]), np.array([1000.0]), calls["t_answer"], calls["t_end"],
                      np.array([0.0, 0.0]), np.array([2000.0, 2000.0]), day_s=2000.0)
    assert len(fa.hang_up_pauses(tl1, calls)) == 0  # one waiting: never under load
    t = fa.pauses_table([(tl, calls, None)], "x").set_index("agents")
    assert t.loc["1-2", "hang_ups"] == 2 and t.loc["1-2", "share"] == 0.5
    assert t.loc["all", "per_day"] == 1 and t.loc["all", "median_s"] == 200.0
    # a --day-mix replication holds all its days: the same pause is half a pause a day
    two = fa.pauses_table([(tl, calls, None)], "x", days_per_entry=2).set_index("agents")
    assert two.loc["all", "per_day"] == 0.5 and two.loc["1-2", "share"] == 0.5


def test_delay_scenario_replaces_the_answer_delays_only(tmp_path, fa):
    """--delay-scenario: every class with an answer delay gets the re-identified law, the
    others none; the header (the policy ``ccsim validate`` reads) is kept."""
    import yaml

    law = {"dist": "lognormal", "mean": 200.0, "sd": 600.0}
    src, out = tmp_path / "in.yaml", tmp_path / "out.yaml"
    src.write_text("# Routing policy: reservation (reserve=1)\n" + yaml.safe_dump({"classes": {
        "p0_NW": {"handle_time": 60},
        "p2_PS": {"answer_delay": {"dist": "exponential", "mean": 39.0}}}}))
    assert fa.delay_classes(yaml.safe_load(src.read_text())) == ["p2_PS"]
    fa.write_delay_scenario(src, out, law)
    text = out.read_text()
    assert text.startswith("# Routing policy: reservation (reserve=1)\n")
    scn = yaml.safe_load(text)
    assert scn["classes"]["p2_PS"]["answer_delay"] == law
    assert "answer_delay" not in scn["classes"]["p0_NW"]


def test_idle_delay_by_present_bins_the_callers_by_headcount(fa):
    """Callers at an empty queue found 2, 2, 2, 5, 5 and 9 agents present; the bins 1-3,
    4-6 and 7+ count them and those an idle agent answered (observed); a bin without an
    observed wait has no law and no row."""
    import numpy as np

    ev = pd.DataFrame({"present": [2, 2, 2, 5, 5, 9],
                       "wait_s": [10.0, 30.0, 50.0, 20.0, 80.0, 40.0],
                       "outcome": ["served"] * 6})
    idle = pd.Series([True, True, False, True, True, False])
    t = fa.idle_delay_by_present(ev, idle).set_index("present")
    assert list(t.index) == ["1-3", "4-6"]
    assert list(t["callers"]) == [3, 2] and list(t["observed"]) == [2, 2]
    assert np.isfinite(t["mean_s"]).all() and (t["mean_s"] > 0).all()


def test_direct_answers_give_the_queue_and_the_agents_time_off_calls(fa):
    """B's direct calls: at 0 (no earlier call: left out) and 900 (nobody waits; off
    calls since 600). Moved to 650, Z (waiting 520-710) is in the queue, B off for 50 s."""
    qr = experiment_script("queue_response")
    tl, calls, queued = _day(fa)
    d = fa.direct_answers(tl, calls)
    assert list(d["waiting"]) == [0] and list(d["gap"]) == [300.0]
    calls = calls.copy()
    calls.loc[5, ["t_answer", "t_end"]] = [650.0, 680.0]
    tl = qr.timeline(queued["t_queue"], queued["t_left"], calls["t_answer"], calls["t_end"],
                     np.array([0.0, 0.0]), np.array([2000.0, 2000.0]), day_s=2000.0)
    d = fa.direct_answers(tl, calls)
    assert list(d["waiting"]) == [1] and list(d["gap"]) == [50.0]
    t = fa.direct_table([(tl, calls, queued)] * 2, "x").set_index("acd_waiting")
    assert t.loc["1", "per_day"] == 1.0 and t.loc["1", "gap_median_s"] == 50.0
    assert t.loc["1", "over_pause"] == 0.0
