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
