"""``ccsim validate --predict`` of a routed scenario: the predicted days' identified
callers arrive as the class that routes them (``sim.calibrate.predict._route``), or the
routing would switch callers the log already shows switched."""

from __future__ import annotations

from sim.calibrate.predict import _route


def test_routed_classes_take_the_volumes_of_the_classes_they_switch_to():
    scn = {"classes": {
        "p0_PS": {"when_busy": {"p1_PS": 0.3, "p2_PS": 0.6}, "when_free": {"p2_PS": 0.02}},
        "p1_PS": {}, "p2_PS": {}, "p0_NW": {}, "p2_TT": {}}}
    volumes = {"p0_PS": [1.0, 2.0], "p1_PS": [0.5, 0.0], "p2_PS": [0.25, 1.0],
               "p0_NW": [3.0, 3.0], "p2_TT": [1.0, 1.0]}
    moved: dict = {}
    _route(scn, volumes, moved)
    assert volumes["p0_PS"] == [1.75, 3.0]
    assert volumes["p1_PS"] == [0.0, 0.0] and volumes["p2_PS"] == [0.0, 0.0]
    assert volumes["p0_NW"] == [3.0, 3.0] and volumes["p2_TT"] == [1.0, 1.0]  # not routed
    assert set(moved) == {"p1_PS", "p2_PS"} and "p0_PS" in moved["p2_PS"]


def test_a_scenario_without_routing_keeps_its_volumes():
    volumes = {"p0_PS": [1.0], "p2_PS": [2.0]}
    moved: dict = {}
    _route({"classes": {"p0_PS": {}, "p2_PS": {}}}, volumes, moved)
    assert volumes == {"p0_PS": [1.0], "p2_PS": [2.0]} and moved == {}


def test_the_day_mix_names_a_routed_class_once_with_its_days():
    # each day's message carries that day's calls; the day mix prints one line a class
    from sim.calibrate.day_mix import tally_moved

    days = []
    for vol in ([0.5, 0.0], [0.25, 0.0], [0.0, 0.0]):
        scn = {"classes": {"p0_PS": {"when_busy": {"p1_PS": 0.3}}, "p1_PS": {}}}
        moved: dict = {}
        _route(scn, {"p0_PS": [1.0, 1.0], "p1_PS": vol}, moved)
        days.append(moved)
    assert tally_moved(days) == {"p1_PS": {"routed into p0_PS": 2}}
    assert tally_moved([{"p1_NW": "pooled into p1_other (13.0 calls a day)"},
                        {"p1_NW": "pooled into p1_other (9.0 calls a day)"}]) == {
        "p1_NW": {"pooled into p1_other": 2}}
