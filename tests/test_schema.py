"""The typed schema (sim/schema): scenario sections compose (a new one plugs in with one
line), strict types in every file ccsim reads (scenario, SLA, shifts, holidays), every
name reference is checked, and ``ccsim keys`` lists scenario keys with types and limits."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from pydantic import Field

from sim.config import build_model_spec
from sim.errors import ConfigError
from sim.schema.common import Section
from sim.schema.scenario import SECTIONS, register_section, scenario_model

ROOT = Path(__file__).resolve().parents[1]


def scenario(name: str = "basic") -> dict:
    return yaml.safe_load((ROOT / "configs" / "scenario" / f"{name}.yaml").read_text())


class ShiftRules(Section):
    """A toy section, as another engineer would add one."""

    shift_overlap_s: float = Field(0.0, ge=0, le=3600, description="overlap of shifts, s")


@pytest.fixture
def shift_rules():
    scenario_model()  # every real section registered first: the fixture restores them all
    saved = dict(SECTIONS)
    register_section("shift_rules", ShiftRules | None, None, "a toy section")
    yield
    SECTIONS.clear()
    SECTIONS.update(saved)
    scenario_model.cache_clear()


def test_a_section_plugs_in_with_one_line(shift_rules):
    scn = scenario()
    scn["shift_rules"] = {"shift_overlap_s": 600}
    build_model_spec(scn)  # accepted once registered
    scn["shift_rules"] = {"shift_overlap_s": "600"}
    with pytest.raises(ConfigError, match=r"^scenario.shift_rules.shift_overlap_s: must be a "
                                          r"number, got '600'$"):
        build_model_spec(scn)
    scn["shift_rules"] = {"overlap": 1}
    with pytest.raises(ConfigError, match="scenario.shift_rules.overlap: unknown key; "
                                          "allowed: shift_overlap_s"):
        build_model_spec(scn)
    from sim.schema.keys import reference

    assert "scenario.shift_rules.shift_overlap_s: float; default 0.0; >= 0, <= 3600" in (
        reference())


def test_an_unregistered_section_is_an_unknown_key():
    scn = scenario()
    scn["shift_rules"] = {}
    with pytest.raises(ConfigError, match="scenario.shift_rules: unknown key; allowed: .*"
                                          "horizon, arrivals"):
        build_model_spec(scn)


@pytest.mark.parametrize(("path", "value", "needles"), [
    (("classes", "vip", "priority"), "1", ["scenario.classes.vip.priority", "integer"]),
    (("classes", "vip", "priority"), True, ["scenario.classes.vip.priority", "integer"]),
    (("classes", "vip", "mix"), "0.5", ["scenario.classes.vip.mix", "number"]),
    (("horizon", "interval_s"), float("nan"), ["scenario.horizon.interval_s", "finite"]),
    (("groups", "vip_desk", "cost_per_hour"), -1, ["cost_per_hour", ">= 0", "<= 1e+12"]),
    (("groups", "vip_desk", "queues"), ["general"], ["scenario.groups.vip_desk.queues",
                                                     "exactly the queues", "vip"]),
    (("queues", "vip", "groups"), ["vip_desk", "vip_desk"], ["lists a group twice"]),
    (("classes", "vip", "handle_time_by_group"), {"nobody": 5},
     ["scenario.classes.vip.handle_time_by_group.nobody", "unknown group", "general_desk"]),
    (("arrivals", "trace"), [[1.0, "vip"]], ["scenario.arrivals", "exactly one of"]),
])
def test_simple_scenario_values_are_strict(path, value, needles):
    scn = scenario()
    node = scn
    for k in path[:-1]:
        node = node[k]
    node[path[-1]] = value
    with pytest.raises(ConfigError) as err:
        build_model_spec(scn)
    for needle in needles:
        assert needle in str(err.value), (needle, str(err.value))


@pytest.mark.parametrize("section", ["second_line", "outbound", "outage", "customers"])
def test_hotline_sections_in_a_scenario_of_classes_are_refused(section):
    """A class scenario has no tiers, reasons or IVR tree for them: one line, not ignored."""
    scn = scenario()
    scn[section] = copy.deepcopy(scenario("hotline_small")[section])
    with pytest.raises(ConfigError) as err:
        build_model_spec(scn)
    assert str(err.value).startswith(f"scenario.{section}: needs a hotline scenario")
    assert "\n" not in str(err.value)


def test_redials_in_a_scenario_of_classes_are_built():
    scn = scenario()
    scn["redial"] = {"abandoned": {"prob": 0.4, "delay": {"dist": "exponential", "mean": 90}}}
    spec = build_model_spec(scn)
    assert spec.redial is not None and spec.redial.prob["abandoned"] == 0.4
    assert spec.redial.delay["abandoned"].mean == 90.0
    assert build_model_spec(scenario()).redial is None


@pytest.mark.parametrize(("change", "needles"), [
    (lambda s: s["reasons"]["billing_query"].update(second_line="nowhere"),
     ["scenario.reasons.billing_query.second_line", "unknown pool 'nowhere'", "back_office"]),
    (lambda s: s["outbound"].update(groups=["nobody"]),
     ["scenario.outbound.groups", "unknown group 'nobody'"]),
    (lambda s: s["outage"].update(enabled=True, reason="weather"),
     ["scenario.outage.reason", "unknown reason", "billing_query"]),
    (lambda s: s.update(reason_share_by_tier={"platinum": {"billing_query": 1.0}}),
     ["scenario.reason_share_by_tier.platinum", "unknown tier", "diamond"]),
    (lambda s: s["tiers"]["gold"].update(entry="nowhere"),
     ["scenario.tiers.gold.entry", "unknown IVR node 'nowhere'"]),
    (lambda s: s["tiers"]["gold"].update(vip="yes"),
     ["scenario.tiers.gold.vip", "true or false", "'yes'"]),
    (lambda s: s["redial"]["abandoned"].update(prob=1.5),
     ["scenario.redial.abandoned.prob", "<= 1", "1.5"]),
])
def test_hotline_names_and_types_are_checked(change, needles):
    scn = copy.deepcopy(scenario("hotline_small"))
    change(scn)
    with pytest.raises(ConfigError) as err:
        build_model_spec(scn)
    for needle in needles:
        assert needle in str(err.value), (needle, str(err.value))


def _ivr_node(name: str, **change):
    def edit(s):
        node = s["ivr"]["nodes"][name]
        for k, v in change.items():
            if v is _DROP:
                node.pop(k)
            else:
                node[k] = v
    return edit


_DROP = object()
_NODES = "scenario.ivr.nodes"


@pytest.mark.parametrize("change, needles", [
    (_ivr_node("main_menu", type="menuu"),
     [f"{_NODES}.main_menu.type: must be one of: menu, self_service", "'menuu'"]),
    (_ivr_node("main_menu", colour=1),
     [f"{_NODES}.main_menu.colour: not a key of a menu node; allowed: abandon_prob"]),
    (_ivr_node("verify_failed_hangup", abandon_prob=0.1),
     [f"{_NODES}.verify_failed_hangup.abandon_prob: not a key of a hangup node; allowed: "
      "time, type"]),
    (_ivr_node("billing_verify", next="nowhere"),
     [f"{_NODES}.billing_verify.next: unknown IVR node 'nowhere' (dangling", "main_menu"]),
    (_ivr_node("main_menu", by_reason={"billing_query": "nowhere", "default": "fault_menu"}),
     [f"{_NODES}.main_menu.by_reason.billing_query: unknown IVR node 'nowhere'"]),
    (_ivr_node("main_menu", by_reason={"bogus": "fault_menu", "billing_query": "fault_menu"}),
     [f"{_NODES}.main_menu.by_reason.bogus: unknown reason; allowed: billing_query"]),
    (_ivr_node("main_menu", by_reason={"billing_query": "fault_menu"}),
     [f"{_NODES}.main_menu.by_reason.consultation: missing (or give a default)"]),
    (_ivr_node("fault_menu", branches={"faults_transfer": 0.5}),
     [f"{_NODES}.fault_menu.branches: probabilities must sum to 1, got 0.5"]),
    (_ivr_node("fault_menu", branches={}),
     [f"{_NODES}.fault_menu.branches: must map node names to probabilities"]),
    (_ivr_node("fault_menu", branches={"faults_transfer": "1"}),
     [f"{_NODES}.fault_menu.branches.faults_transfer: must be a number", "'1'"]),
    (_ivr_node("fault_menu", by_reason={"default": "faults_transfer"}),
     [f"{_NODES}.fault_menu: a menu needs exactly one of by_reason or branches"]),
    (_ivr_node("general_transfer", queue="nope"),
     [f"{_NODES}.general_transfer.queue: unknown queue 'nope'; allowed: vip, general"]),
    (_ivr_node("billing_selfservice", resolve_prob=1.5),
     [f"{_NODES}.billing_selfservice.resolve_prob: must be a number", "<= 1", "1.5"]),
    (_ivr_node("billing_selfservice", resolve_prob=_DROP),
     [f"{_NODES}.billing_selfservice.resolve_prob: is required"]),
    (_ivr_node("billing_verify", max_failures=-1),
     [f"{_NODES}.billing_verify.max_failures:", ">= 0", "-1"]),
    (_ivr_node("billing_verify", max_failures=True),
     [f"{_NODES}.billing_verify.max_failures: must be an integer", "True"]),
    (_ivr_node("main_menu", time={"dist": "exponential", "mean": float("inf")}),
     [f"{_NODES}.main_menu.time.mean: must be a finite number"]),
    (_ivr_node("main_menu", time=None), [f"{_NODES}.main_menu.time: must be a finite time"]),
    (lambda s: s["ivr"]["nodes"].update(main_menu=3),
     [f"{_NODES}.main_menu.type: must be one of", "got 3"]),
    (lambda s: s["ivr"].update(nodes={}), [f"{_NODES}: must not be empty"]),
    (lambda s: s.update(ivr={"nodes": {"a": {"type": "menu", "branches": {"a": 1.0}}}}),
     [f"{_NODES}.a: no exit reachable"]),
    (lambda s: s["ivr"].update(extra=1), ["scenario.ivr.extra: unknown key; allowed: nodes"]),
    (lambda s: s.update(ivr=[1]), ["scenario.ivr: must be a mapping"]),
    (lambda s: s.pop("ivr"), ["scenario.ivr: is required with tiers"]),
    (lambda s: s.update(ivr=None), ["scenario.ivr: is required with tiers"]),
    (_ivr_node("blacklist_selfservice", next="general_transfer"),
     ["scenario.tiers.blacklist.entry: this tier gets self-service only", "general_transfer"]),
])
def test_ivr_tree_is_checked_by_its_models(change, needles):
    """The IVR tree's pydantic models (sim.schema.ivr): one line naming the key and what
    is allowed for each way a tree can be wrong."""
    scn = copy.deepcopy(scenario("hotline_small"))
    change(scn)
    with pytest.raises(ConfigError) as err:
        build_model_spec(scn)
    text = str(err.value)
    assert "\n" not in text
    for needle in needles:
        assert needle in text, (needle, text)


def test_keys_lists_ivr_nodes_and_availability():
    from sim.schema.keys import reference

    text = reference()
    for line in ("scenario.ivr.nodes.NAME[type=menu].branches: dict[str, float] or null",
                 "scenario.ivr.nodes.NAME[type=verification].max_failures: int; default 3; "
                 ">= 0, <= 1000",
                 "scenario.ivr.nodes.NAME[type=transfer].queue: str; default (required)",
                 "scenario.groups.NAME.availability.not_ready.prob: float; default 0.0; "
                 ">= 0, <= 1",
                 "scenario.groups.NAME.availability.breaks[].share: float; default "
                 "(required); >= 0, <= 1"):
        assert line in text, line


def test_keys_lists_scenario_keys_with_types_defaults_and_limits():
    from sim.schema.keys import reference

    text = reference()
    for line in ("scenario.horizon.days: int; default 1; >= 1, <= 366; days simulated",
                 "scenario.groups.NAME.staffing: int or list[int]; default (required); "
                 ">= 0, <= 100000",
                 "scenario.classes.NAME.handle_time: time law; default (required)",
                 "scenario.tiers.NAME.vip: bool or null",
                 "scenario.second_line.pools.NAME.green_channel: bool; default False"):
        assert line in text, line


def test_shift_file_types_are_strict(tmp_path):
    from sim.staff.goals import StaffError
    from sim.staff.shifts import load_shifts

    base = {"templates": {"day": {"length": "8:00", "starts": ["8:00"],
                                  "breaks": [{"length": "0:30", "after": "3:00",
                                              "before": "5:00", "paid": "no"}]}}}
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(base))
    with pytest.raises(StaffError, match=r"templates.day.breaks\[0\].paid: must be true or "
                                         r"false"):
        load_shifts(path, ["desk"])
    base["templates"]["day"]["breaks"][0]["paid"] = False
    base["templates"]["day"]["part_time"] = 1
    path.write_text(yaml.safe_dump(base))
    with pytest.raises(StaffError, match="templates.day.part_time: must be true or false"):
        load_shifts(path, ["desk"])
    base["templates"]["day"]["part_time"] = False
    base["templates"]["day"]["starts"] = {"from": "8:00", "to": "7:00", "every": "0:30"}
    path.write_text(yaml.safe_dump(base))
    with pytest.raises(StaffError, match="templates.day.starts: needs from <= to"):
        load_shifts(path, ["desk"])
    base["templates"]["day"]["starts"] = {"from": "8:00", "to": "9:00", "every": "0:30"}
    path.write_text(yaml.safe_dump(base))
    spec = load_shifts(path, ["desk"])
    assert spec.templates[0].starts_s == (28800.0, 30600.0, 32400.0)
    assert spec.templates[0].breaks[0].paid is False


def test_holiday_table_is_checked(tmp_path):
    from sim.forecast.history import HistoryError
    from sim.forecast.holidays import read

    path = tmp_path / "h.yaml"
    path.write_text("days:\n  - {date: 1999-04-01, name: x, like: Caturday}\n")
    with pytest.raises(HistoryError, match=r"days\[0\].like 'Caturday': allowed: one of "
                                           r"'Monday'"):
        read(path)
    path.write_text("days:\n  - {date: '1999-13-01', name: x}\n")
    with pytest.raises(HistoryError, match=r"days\[0\].date '1999-13-01': allowed: a date "
                                           r"YYYY-MM-DD$"):
        read(path)
    path.write_text("days:\n  - {date: '1999-04-01', name: x, like: Saturday}\n")
    assert read(path)["1999-04-01"].like == "Saturday"
