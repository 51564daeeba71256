"""Property-based hostile inputs in every hotline section (hypothesis): a shipped hotline
config — `hotline_small` with agent states and the operations of the reference, and the
reference itself with seat sites (`experiment=sites_dialects`) at a twentieth of its
volume — has one to three of its keys (any leaf or whole section: tiers, reasons, IVR
nodes, queues, groups and their availability, redial, second line, outbound, outage,
operations, sites) replaced by a hostile value or a strange but typed one (zero, ten
times, a tenth, a flipped flag, an emptied or reversed list). Each case gives a result with exact
conservation or a one-line ConfigError naming a key; never another exception or a hang.
``tests/test_property_inputs.py`` does the same on a small generic scenario."""

from __future__ import annotations

import copy
import functools

import pytest
from hypothesis import strategies as st
from test_property_inputs import HOSTILE, check_one, run_cases

QUIET = {"calls": False, "intervals": False, "progress": False, "report": False}
AVAILABILITY = {"shrinkage": 0.1,
                "not_ready": {"prob": 0.2, "duration": {"dist": "exponential", "mean": 30}},
                "breaks": [{"start_s": 3600, "duration_s": 900, "share": 0.3}]}


@functools.cache
def bases() -> tuple[dict, ...]:
    """The configs mutated: every hotline section present in at least one of them."""
    from sim.check.runs import compose_config

    small = compose_config(["scenario=hotline_small"])
    reference = compose_config(["experiment=sites_dialects", "scenario.load=0.05"])
    small["scenario"]["groups"]["general_desk"]["availability"] = AVAILABILITY
    small["scenario"]["short_abandon_s"] = 5
    out = []
    for cfg in (small, reference):
        cfg.pop("hydra", None)
        cfg.pop("sweep", None)
        out.append({**cfg, "n_reps": 1, "output": QUIET})
    return tuple(out)


def paths(node, prefix: tuple = ()) -> list[tuple]:
    """Every key path under ``node``: leaves, list items and whole sections."""
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += paths(value, (*prefix, i))
    return found


@functools.cache
def all_paths(base: int) -> tuple[tuple, ...]:
    return tuple(paths(bases()[base]["scenario"], ("scenario",)))


def odd(value):
    """Strange but typed values for a key holding ``value``: zero, ten times or a tenth
    of a number, a flipped flag, an empty, shortened or reversed list."""
    if isinstance(value, bool):
        return st.just(not value)
    if isinstance(value, int | float):
        return st.sampled_from([type(value)(0), value * 10, value / 10 if isinstance(
            value, float) else value // 10])
    if isinstance(value, list) and value:
        return st.sampled_from([[], value[:1], value[::-1]])
    return HOSTILE


@st.composite
def mutated(draw) -> dict:
    base = draw(st.integers(0, len(bases()) - 1))
    cfg = copy.deepcopy(bases()[base])
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(all_paths(base)))
        node = cfg
        try:
            for key in path[:-1]:
                node = node[key]
            node[path[-1]] = draw(st.one_of(HOSTILE, odd(node[path[-1]])))
        except (KeyError, IndexError, TypeError):
            pass  # an earlier mutation replaced a section this path runs through
    return cfg


def _run(n: int) -> list[str]:
    for cfg in bases():
        assert check_one(copy.deepcopy(cfg)) == "ok"  # the bases themselves run
    return run_cases(mutated(), n)


def test_hostile_values_in_hotline_sections_give_a_result_or_one_line():
    seen = _run(150)
    assert len(seen) == 150
    assert "ok" in seen and "error" in seen


@pytest.mark.slow
def test_hostile_values_in_hotline_sections_many():
    seen = _run(1500)
    assert len(seen) == 1500 and "ok" in seen and "error" in seen


def test_a_removed_queue_an_ivr_transfer_names_is_one_line():
    """Found by the search above: a queue set to null (removed) while an IVR transfer
    still named it passed the schema and ended in a ValueError traceback."""
    from sim.errors import ConfigError
    from sim.runner import simulate

    cfg = copy.deepcopy(bases()[1])
    cfg["scenario"]["queues"]["vip"] = None
    with pytest.raises(ConfigError, match=r"^scenario\.ivr\.nodes\.vip_greeting\.queue: "
                                          r"unknown queue 'vip'; allowed: general"):
        simulate(cfg)
