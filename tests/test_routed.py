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
