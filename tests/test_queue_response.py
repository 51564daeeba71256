"""experiments/out_of_sample/queue_response.py: a day cut into stretches of constant
state, arrivals set against the count their hour's rate predicts, and the share of
callers arriving unidentified by the state they find."""

from __future__ import annotations

import numpy as np
import pandas as pd
from simhelpers import experiment_script, log_call


def _module():
    return experiment_script("queue_response")


def test_timeline_counts_waiting_present_and_free():
    qr = _module()
    tl = qr.timeline(qs=np.array([100.0, 150.0]), qe=np.array([200.0, 300.0]),
                     ts=np.array([120.0]), te=np.array([395.0]),  # + 5 s slack: 400
                     ps=np.array([50.0, 110.0]), pe=np.array([500.0, 1000.0]), day_s=1000.0)
    st = qr.state_at(tl, [60.0, 105.0, 130.0, 160.0, 250.0, 350.0, 450.0, 600.0])
    assert list(st["queue"]) == [0, 1, 1, 2, 1, 0, 0, 0]
    assert list(st["present"]) == [1, 1, 2, 2, 2, 2, 2, 1]
    assert list(st["free"]) == [1, 1, 1, 1, 1, 1, 2, 1]
    assert abs(tl["dur"].sum() - 1000.0) < 1e-9  # the whole day, no stretch twice
    # a time exactly at an event sees the state just before it
    assert int(qr.state_at(tl, [100.0])["queue"].iloc[0]) == 0


def _half_busy_days(n_days: int, arrivals_in_empty_only: bool, rng):
    """Days with one agent present all day and an ACD caller waiting in the first half
    of every hour; 40 arrivals an hour, all in the empty halves or spread evenly."""
    qr = _module()
    hours = np.arange(24) * 3600.0
    out = []
    for _ in range(n_days):
        tl = qr.timeline(qs=hours, qe=hours + 1800.0, ts=np.array([]), te=np.array([]),
                         ps=np.array([0.0]), pe=np.array([86400.0]))
        u = rng.random((24, 40))
        t = hours[:, None] + (1800.0 + 1800.0 * u if arrivals_in_empty_only else 3600.0 * u)
        out.append((tl, {"direct": t.ravel()}))
    return out


def test_arrival_ratio_is_one_for_independent_arrivals_and_two_when_they_avoid_a_queue():
    qr = _module()
    rng = np.random.default_rng(3)
    even = qr.arrival_ratio(_half_busy_days(5, False, rng), "queue", qr.QUEUE, "even")
    avoid = qr.arrival_ratio(_half_busy_days(5, True, rng), "queue", qr.QUEUE, "avoid")
    even, avoid = even.set_index("queue"), avoid.set_index("queue")
    assert abs(even.loc["0", "ratio"] - 1) < 0.06 and abs(even.loc["1", "ratio"] - 1) < 0.06
    assert avoid.loc["0", "ratio"] == 2.0 and avoid.loc["1", "ratio"] == 0.0
    assert avoid.loc["0", "hours"] == avoid.loc["1", "hours"] == 60.0  # 12 h a day, 5 days
    assert avoid["arrivals"].sum() == 5 * 24 * 40


_call = log_call


def test_unidentified_share_by_the_queue_a_caller_finds():
    """PS callers at 1300 (empty queue, A free: identified), 1400 (one waiting:
    identified), 1450 (two waiting: unidentified), 1800 and 1900 (empty queue, A free:
    unidentified); A's first call at 1000 comes before his session and is not counted."""
    qr = _module()
    log = pd.DataFrame([
        _call("A", 1000.0, 100.0), _call("A", 1900.0, 50.0),  # A present 1000-1950
        _call("A", 1500.0, 60.0, desk="acd", priority=2, t_arrival=1300.0, wait_s=200.0,
              queued=True),
        _call("A", 1600.0, 10.0, desk="acd", priority=1, t_arrival=1400.0, wait_s=200.0,
              queued=True),
        _call("A", 1620.0, 10.0, t_arrival=1450.0, wait_s=170.0, queued=True),
        _call("A", 1800.0, 20.0, t_arrival=1800.0),
    ])
    share = qr.unidentified_share(log, qr.log_timelines(log)).set_index(["queue", "free"])
    assert list(share.index) == [("0", "1"), ("1", "1"), ("2+", "1")]
    assert list(share["callers"]) == [3, 1, 1]
    assert list(share["unidentified"]) == [0.667, 0.0, 1.0]


def _sim_run(path):
    """1.5 agents present (2 scheduled, shrinkage 0.25): 1 all interval, 1 more for its
    first half; an ACD caller waits 100-400 s; hidden work is not a call; a direct-line
    attempt the 1 s wait disconnected is a busy tone, not an arrival a log would show."""
    import yaml

    scn = {"horizon": {"interval_s": 1800},
           "classes": {"p2_PS": {"queue": "acd"}, "p0_PS": {"queue": "direct_line"},
                       "hidden_work": {"queue": "hidden_work"}},
           "groups": {"agents": {"staffing": [2] * 48,
                                 "availability": {"shrinkage": [0.25] * 48}}}}
    (path / "resolved_config.yaml").write_text(yaml.safe_dump({"scenario": scn}))
    nan = float("nan")
    calls = pd.DataFrame([
        {"rep": 0, "class": "p2_PS", "t_arrival": 90.0, "t_queue": 100.0,
         "t_left_queue": 400.0, "t_answer": 400.0, "t_end": 500.0, "outcome": "answered"},
        {"rep": 0, "class": "hidden_work", "t_arrival": 0.0, "t_queue": 0.0,
         "t_left_queue": 0.0, "t_answer": 0.0, "t_end": 1000.0, "outcome": "answered"},
        {"rep": 0, "class": "p0_PS", "t_arrival": 200.0, "t_queue": 210.0,
         "t_left_queue": 210.0, "t_answer": 210.0, "t_end": 300.0, "outcome": "answered"},
        {"rep": 0, "class": "p0_PS", "t_arrival": 250.0, "t_queue": 260.0,
         "t_left_queue": 261.0, "t_answer": nan, "t_end": 261.0, "outcome": "disconnected"},
    ])
    calls.to_parquet(path / "calls.parquet")
    return path


def test_sim_timelines_read_the_schedule_queue_and_logged_direct_attempts(tmp_path):
    qr = _module()
    [(tl, groups)] = qr.sim_timelines(_sim_run(tmp_path))
    assert list(groups["direct"]) == [200.0] and list(groups["acd"]) == [90.0]
    st = qr.state_at(tl, [50.0, 150.0, 250.0, 450.0, 1000.0])
    assert list(st["queue"]) == [0, 1, 1, 0, 0]
    assert list(st["present"]) == [2, 2, 2, 2, 1]
    assert list(st["free"]) == [2, 2, 1, 1, 1]  # hidden work is free time here


def test_sim_unidentified_share_reads_the_classes_a_run_routed_callers_to(tmp_path):
    """The p2 caller at 90 found an empty queue and 2 agents free (identified); the p0
    caller at 200 found one waiting and 2 free (unidentified); the busy tone at 250 is
    not counted."""
    share = _module().sim_unidentified_share(_sim_run(tmp_path)).set_index(["queue", "free"])
    assert list(share.index) == [("0", "2"), ("1", "2")]
    assert list(share["callers"]) == [1, 1]
    assert list(share["unidentified"]) == [0.0, 1.0]


def test_log_moments_are_what_each_acd_caller_finds():
    qr = _module()
    log = pd.DataFrame([
        _call("A", 1000.0, 100.0), _call("A", 1900.0, 50.0),  # A present 1000-1950
        _call("A", 1500.0, 60.0, desk="acd", priority=2, t_arrival=1300.0, wait_s=200.0,
              queued=True),
        _call("", float("nan"), 0.0, desk="acd", priority=1, t_arrival=1400.0,
              wait_s=150.0, queued=True, outcome="abandoned"),
    ])
    m = qr.log_moments(log)
    assert list(m["ahead"]) == [0, 1] and list(m["present"]) == [1, 1]
    assert list(m["talking"]) == [0, 0]
    assert list(m["wait"]) == [200.0, 150.0] and list(m["served"]) == [True, False]
    t = qr.response_table(pd.concat([m] * 30), "synthetic").set_index("ahead")
    assert t.loc["0", "wait_served"] == 200.0 and t.loc["1", "abandoned"] == 1.0


def test_abandonment_hazard_counts_each_callers_exposure_in_each_bin():
    """With nobody ahead: a caller served after 90 s is exposed 30 + 30 + 30 s (bins
    0-30, 30-60, 60-120), one abandoning at 45 s 30 + 15 s and abandons in 30-60; with
    3 ahead, one abandoning at 10 s: 1 per 10 s = 6 per minute in 0-30."""
    qr = experiment_script("queue_response")
    m = pd.DataFrame({"ahead": [0, 0, 3], "wait": [90.0, 45.0, 10.0],
                      "served": [True, False, False]})
    h = qr.abandonment_hazard(m, "x").set_index(["ahead", "waited_s"])
    assert h.loc[("0", "0-30"), "per_min"] == 0.0
    assert h.loc[("0", "30-60"), "abandoned"] == 1
    assert h.loc[("0", "30-60"), "per_min"] == round(60 / 45, 3)  # 30 + 15 s exposed
    assert h.loc[("0", "60-120"), "per_min"] == 0.0  # 30 s exposed, nobody left
    assert np.isnan(h.loc[("0", "240+"), "per_min"])  # nobody waited that long
    assert h.loc[("3-4", "0-30"), "per_min"] == 6.0
    assert set(h.index.get_level_values("ahead")) == {"0", "3-4"}


def test_patience_scales_recover_the_scales_a_sample_was_drawn_with():
    """Two classes (medians 300 s and 600 s at an empty queue), patience lognormal with
    sigma 1.5 times the scale of the callers ahead (1, 0.8, 0.5, 0.4, 0.3), censored by
    a service at an exponential time: the joint fit gets the scales back within 0.1 in
    log (its standard error here is about 0.03), the classes and sigma too."""
    qr = experiment_script("queue_response")
    rng = np.random.default_rng(7)
    n = 30000
    ahead = rng.choice([0, 1, 3, 5, 8], n)
    scale = np.select([ahead == 0, ahead == 1, ahead == 3, ahead == 5], [1, 0.8, 0.5, 0.4], 0.3)
    cls = rng.choice(["a", "b"], n)
    patience = np.where(cls == "a", 300.0, 600.0) * scale * np.exp(1.5 * rng.standard_normal(n))
    service = rng.exponential(200.0, n)
    m = pd.DataFrame({"cls": cls, "ahead": ahead, "wait": np.maximum(
        np.minimum(patience, service), 0.5), "served": service < patience})
    fit = qr.patience_scales(m)
    got = np.array(list(fit["scales"].values()))
    assert list(fit["scales"]) == ["0", "1-2", "3-4", "5-7", "8+"]
    assert np.abs(np.log(got) - np.log([1, 0.8, 0.5, 0.4, 0.3])).max() < 0.1
    assert abs(np.log(fit["median_s"]["b"] / fit["median_s"]["a"]) - np.log(2)) < 0.1
    assert abs(fit["sigma"] - 1.5) < 0.1
    assert fit["abandoned"]["a"] + fit["abandoned"]["b"] == int((~m["served"]).sum())


def test_sim_moments_keep_only_the_callers_who_waited_as_the_log_does(tmp_path):
    """The run's ACD caller who waited 100-400 s is a moment (nobody ahead, 1.5 agents
    present: 2 at 100 s); one answered as he asked at 500 s is not (the log marks only
    queued callers), nor the direct line's."""
    qr = _module()
    run = _sim_run(tmp_path)
    calls = pd.read_parquet(run / "calls.parquet")
    calls.loc[len(calls)] = {"rep": 0, "class": "p2_PS", "t_arrival": 490.0,
                             "t_queue": 500.0, "t_left_queue": 500.0, "t_answer": 500.0,
                             "t_end": 600.0, "outcome": "answered"}
    calls.to_parquet(run / "calls.parquet")
    m = qr.sim_moments(run)
    assert list(m["wait"]) == [300.0] and list(m["served"]) == [True]
    assert list(m["ahead"]) == [0] and list(m["present"]) == [2]


def test_empty_queue_waits_by_identification_and_agents_not_talking():
    """Only served callers who found nobody ahead and agents present count: two
    identified callers with 2 of 3 agents not talking (waits 20 and 40 s), one
    unidentified with none (60 s); one who found a caller ahead, one abandoned and one
    with nobody present do not."""
    qr = _module()
    m = pd.DataFrame({"ahead": [0, 0, 0, 1, 0, 0], "present": [3, 3, 2, 3, 3, 0],
                      "talking": [1, 1, 2, 1, 1, 0], "wait": [20.0, 40.0, 60.0, 5.0, 9.0, 7.0],
                      "served": [True, True, True, True, False, True],
                      "identified": [True, True, False, True, True, True]})
    t = qr.empty_queue_waits(m, "x").set_index(["identified", "not_talking"])
    assert list(t.index) == [(False, "0"), (True, "2")]
    assert t.loc[(True, "2"), "callers"] == 2 and t.loc[(True, "2"), "mean_s"] == 30.0
    assert t.loc[(False, "0"), "median_s"] == 60.0
    by = qr.empty_queue_by_present(m, "x").set_index("present")
    assert list(by.index) == ["2", "3"]  # both identifications, the same callers
    assert list(by["callers"]) == [1, 2] and list(by["mean_s"]) == [60.0, 30.0]


def test_log_moments_say_who_arrived_identified():
    qr = _module()
    log = pd.DataFrame([
        _call("A", 1000.0, 100.0), _call("A", 1900.0, 50.0),
        _call("A", 1500.0, 60.0, desk="acd", priority=2, t_arrival=1300.0, wait_s=200.0,
              queued=True),
        _call("A", 1600.0, 60.0, desk="acd", priority=0, t_arrival=1350.0, wait_s=250.0,
              queued=True, type="NW")])
    assert list(qr.log_moments(log)["identified"]) == [True, False]


def test_joint_scenario_sets_each_acd_class_to_its_empty_queue_law():
    """p2_PS (fit PS2, median 600 s) gets a lognormal of median 600 s and sigma 1.5 (mean
    600 e^1.125); the direct line and a class without an abandonment keep theirs; the
    scales come out in AHEAD_COARSE order."""
    qr = _module()
    keep = {"dist": "exponential", "mean": 100.0}
    scn = {"classes": {"p2_PS": {"queue": "acd", "patience": keep},
                       "p1_TT": {"queue": "acd", "patience": keep},
                       "p0_PS": {"queue": "direct_line", "patience": keep}}}
    fit = {"sigma": 1.5, "median_s": {"PS2": 600.0, "PS0": 50.0, "TT1": 1e9},
           "abandoned": {"PS2": 3, "PS0": 4, "TT1": 0},
           "scales": {"0": 1.0, "1-2": 0.85, "3-4": 0.5, "5-7": 0.35, "8+": 0.31}}
    out, scales = qr.joint_scenario(scn, fit)
    law = out["classes"]["p2_PS"]["patience"]
    assert law["dist"] == "lognormal" and law["mean"] == round(600 * np.exp(1.125), 1)
    assert law["sd"] == round(600 * np.exp(1.125) * np.sqrt(np.expm1(2.25)), 1)
    assert out["classes"]["p1_TT"]["patience"] == keep
    assert out["classes"]["p0_PS"]["patience"] == keep
    assert scales == "1.0 0.85 0.5 0.35 0.31"


def test_share_by_state_splits_by_agents_present_when_asked():
    """One agent present 0-1000 and four 1000-2000, none talking; a caller at an empty
    queue at 500 (unidentified) and two at 1500 (one identified): with ``present`` the
    share is kept apart by agents present, without it the three are pooled."""
    qr = _module()
    tl = qr.timeline(np.array([]), np.array([]), np.array([]), np.array([]),
                     ps=np.array([0.0, 1000.0, 1000.0, 1000.0]),
                     pe=np.array([2000.0] * 4), day_s=2000.0)
    arrivals = [(tl, np.array([500.0, 1500.0, 1600.0]), np.array([True, True, False]))]
    split = qr.share_by_state(arrivals, qr.FREE, qr.PRESENT).set_index(["agents", "free"])
    assert list(split.index) == [("1-3", "1"), ("4-6", "3+")]
    assert list(split["unidentified"]) == [1.0, 0.5]
    pooled = qr.share_by_state(arrivals, qr.FREE)
    assert list(pooled["callers"]) == [1, 2] and "agents" not in pooled
