"""experiments/out_of_sample/routed.py: the identified classes' volumes move onto the
unidentified class, which switches to them when busy; the hidden work is scaled."""

from __future__ import annotations

from simhelpers import experiment_script


def _module():
    return experiment_script("routed")


def test_volumes_move_onto_the_unidentified_class_and_the_switch_is_set():
    rt = _module()
    delay = {"dist": "lognormal", "mean": 38.0, "sd": 45.0}
    scn = {"classes": {
        "p0_PS": {"calls_per_interval": [1.0, 2.0], "queue": "direct_line"},
        "p1_PS": {"calls_per_interval": [0.5, 0.5], "queue": "acd", "answer_delay": delay},
        "p2_PS": {"calls_per_interval": [1.5, 0.0], "queue": "acd", "answer_delay": delay},
        "p0_NW": {"calls_per_interval": [3.0, 3.0], "queue": "acd"},
        "hidden_work": {"calls_per_interval": [2.0, 4.0], "queue": "hidden_work"}}}
    switch = {"PS": {"p1_PS": 0.3, "p2_PS": 0.6}}
    out = rt.routed(scn, switch, 1.5, answer_delay=False)["classes"]
    assert out["p0_PS"]["calls_per_interval"] == [3.0, 2.5]
    assert out["p0_PS"]["when_busy"] == {"p1_PS": 0.3, "p2_PS": 0.6}
    assert out["p1_PS"]["calls_per_interval"] == out["p2_PS"]["calls_per_interval"] == [0.0] * 2
    assert "answer_delay" not in out["p1_PS"] and "answer_delay" not in out["p2_PS"]
    assert out["p0_NW"]["calls_per_interval"] == [3.0, 3.0]  # other types untouched
    assert out["hidden_work"]["calls_per_interval"] == [3.0, 6.0]
    assert "when_free" not in out["p0_PS"]  # none given: none set


def test_when_free_is_the_busy_mix_rescaled_to_the_share_identified_when_free():
    rt = _module()
    mix = {"PS": {"p1_PS": 0.3, "p2_PS": 0.6}, "NE": {"p1_NE": 0.1, "p2_NE": 0.8}}
    free = rt.free_mix(mix, 0.03)
    assert free == {"PS": {"p1_PS": 0.01, "p2_PS": 0.02}, "NE": {"p1_NE": 0.0033,
                                                                  "p2_NE": 0.0267}}
    scn = {"classes": {
        "p0_PS": {"calls_per_interval": [1.0], "queue": "direct_line"},
        "p1_PS": {"calls_per_interval": [0.5], "queue": "acd"},
        "p2_PS": {"calls_per_interval": [1.5], "queue": "acd"},
        "hidden_work": {"calls_per_interval": [2.0], "queue": "hidden_work"}}}
    out = rt.routed(scn, {"PS": mix["PS"]}, 1.0, True, free)["classes"]
    assert out["p0_PS"]["when_free"] == {"p1_PS": 0.01, "p2_PS": 0.02}


def test_the_share_identified_when_free_is_read_at_an_empty_queue_with_many_agents_free():
    """Seven agents in sessions, none talking when the PS callers arrive at 3000-3003
    with nobody waiting: one of four arrives identified."""
    import pandas as pd

    rt = _module()
    qr = experiment_script("queue_response")
    rows = []
    day = pd.Timestamp("1999-01-04")
    for i in range(7):  # the agents' own calls make their sessions: 2000-3560
        for t in (2000.0, 3500.0):
            rows.append({"date": day, "server": f"A{i}", "t_answer": t,
                         "service_s": 60.0, "t_arrival": t, "wait_s": 0.0, "ivr_s": 0.0,
                         "outcome": "served", "desk": "direct", "priority": 0,
                         "queued": False, "type": "NW"})  # no PS or NE caller
    for k, prio in enumerate((0, 0, 0, 2)):
        rows.append({"date": day, "server": "", "t_answer": float("nan"),
                     "service_s": 0.0, "t_arrival": 3000.0 + k, "wait_s": 0.0,
                     "ivr_s": 0.0, "outcome": "abandoned", "desk": "direct",
                     "priority": prio, "queued": False, "type": "PS"})
    log = pd.DataFrame(rows)
    assert rt.identified_when_free(log, qr.log_timelines(log)) == 0.25


def test_variants_write_the_yielding_wrap_up_and_the_away_state_as_keys_the_schema_takes():
    """``--not-ready P MEAN_S --yields --away-when-idle AFTER_S MEAN_S`` (item 17) set
    the availability keys of every group, exponential laws; the result is a valid
    availability section (the group's spec has both spells)."""
    from sim.schema.availability import Availability, parse

    scn = {"groups": {"agents": {"staffing": [2, 2]}, "back": {"staffing": [1, 1],
                                                               "availability": {}}}}
    out = _module().variants(scn, None, not_ready=(0.8, 30.0), yields=True,
                             away_when_idle=(300.0, 200.0), away_min_present=5)
    for g in out["groups"].values():
        av = g["availability"]
        assert av["not_ready"] == {"prob": 0.8, "yields": True,
                                   "duration": {"dist": "exponential", "mean": 30.0}}
        assert av["away_when_idle"] == {"after": {"dist": "exponential", "mean": 300.0},
                                        "duration": {"dist": "exponential", "mean": 200.0},
                                        "min_present": 5}
        spec = parse("g", Availability.model_validate(av), [2, 2], 2, 1800.0)
        assert spec is not None and spec.not_ready_yields and spec.yields
        assert spec.idle_after is not None and spec.idle_after.mean == 300.0
        assert spec.idle_away is not None and spec.idle_away.mean == 200.0
        assert spec.idle_min_present == 5


def test_not_ready_prob_sets_the_probability_of_the_scenarios_own_law():
    law = {"dist": "lognormal", "mean": 338.0, "sd": 380.0}
    scn = {"groups": {"agents": {"availability": {"not_ready": {"prob": 0.075,
                                                                "duration": law}}},
                      "back": {"staffing": [1, 1]}}}
    out = _module().variants(scn, None, not_ready_prob=0.02)
    assert out["groups"]["agents"]["availability"]["not_ready"] == {"prob": 0.02,
                                                                     "duration": law}
    assert "availability" not in out["groups"]["back"]  # no law of its own: untouched
