"""Property-based inputs (hypothesis): a generated config — valid or hostile values in any
key of a small scenario, the run keys and a policy — gives either a result with exact
conservation or a one-line ConfigError naming a key; never another exception or a hang
(each case has a hard time limit)."""

from __future__ import annotations

import math
import signal
from contextlib import contextmanager

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.errors import ConfigError
from sim.kpi import OUTCOME_COUNTS
from sim.runner import simulate

CASE_LIMIT_S = 60  # a case that takes longer is a hang (cases take < 1 s on a quiet machine)

HOSTILE = st.one_of(
    st.none(), st.booleans(), st.just("false"), st.just("nope"), st.just(""),
    st.sampled_from([-1, -1e-9, 0, 1e-300, 1e12, 1e308, 2**64, math.inf, -math.inf,
                     math.nan]),
    st.just([]), st.just({}), st.just([1, 2, 3]), st.just({"dist": "weibull"}),
    st.just("../x"), st.just("a/b"), st.just({"dist": "gamma", "mean": 1e-300, "sd": 1e300}),
)
SMALL_TIME = st.floats(0.0, 300.0, allow_nan=False)
DIST = st.one_of(
    SMALL_TIME,
    st.builds(lambda m: {"dist": "exponential", "mean": m}, st.floats(1.0, 300.0)),
    st.builds(lambda m, s: {"dist": "lognormal", "mean": m, "sd": s},
              st.floats(1.0, 300.0), st.floats(0.1, 600.0)),
    st.builds(lambda m, s: {"dist": "gamma", "mean": m, "sd": s},
              st.floats(1.0, 300.0), st.floats(0.1, 600.0)),
    st.builds(lambda a, b: {"dist": "uniform", "low": min(a, b), "high": max(a, b)},
              SMALL_TIME, SMALL_TIME),
)


def maybe(valid):
    """Mostly valid values, one time in 40 a hostile one (with some 20 such keys, about
    half the configs are valid and half carry one or more hostile values)."""
    return st.integers(0, 39).flatmap(lambda i: HOSTILE if i == 0 else valid)


@st.composite
def configs(draw):
    per_day = draw(st.integers(1, 6))
    staffing = maybe(st.one_of(st.integers(0, 6), st.lists(st.integers(0, 6), min_size=per_day,
                                                           max_size=per_day)))
    scenario = {
        "name": draw(maybe(st.sampled_from(["gen", "a-b.c"]))),
        "horizon": {"days": draw(maybe(st.integers(1, 2))),
                    "interval_s": draw(maybe(st.floats(60.0, 900.0))),
                    "intervals_per_day": draw(maybe(st.just(per_day))),
                    "drain_s": draw(maybe(st.one_of(st.none(), st.floats(0.0, 900.0))))},
        "load": draw(maybe(st.floats(0.0, 2.0))),
        "arrivals": {"calls_per_interval": draw(maybe(st.one_of(
            st.floats(0.0, 15.0), st.lists(st.floats(0.0, 15.0), min_size=per_day,
                                           max_size=per_day))))},
        "classes": {
            "a": {"mix": 0.5, "priority": draw(maybe(st.integers(0, 3))), "queue": "q",
                  "patience": draw(maybe(DIST)), "handle_time": draw(maybe(DIST)),
                  "after_call_work": draw(maybe(DIST))},
            "b": {"mix": draw(maybe(st.just(0.5))), "priority": 1,
                  "queue": draw(maybe(st.sampled_from(["q", "r"]))),
                  "patience": draw(maybe(DIST)), "handle_time": draw(maybe(DIST))},
        },
        "queues": {"q": {"groups": ["g"], "max_wait_s": draw(maybe(st.one_of(
                       st.none(), st.floats(1.0, 120.0)))),
                         "announce_s": draw(maybe(st.lists(st.floats(1.0, 60.0),
                                                           max_size=2)))},
                   "r": {"groups": draw(maybe(st.sampled_from([["g"], ["h"], ["g", "h"]])))}},
        "groups": {"g": {"staffing": draw(staffing)}, "h": {"staffing": draw(staffing)}},
    }
    policy = draw(st.sampled_from([
        ("fifo", "sim.policies.fifo.Fifo", {}),
        ("overflow", "sim.policies.overflow.Overflow",
         {"delay_s": draw(maybe(SMALL_TIME)), "vip_queue": draw(maybe(st.just("q"))),
          "idle_vip_take_general": draw(maybe(st.booleans()))}),
        ("reservation", "sim.policies.reservation.Reservation",
         {"reserve": draw(maybe(st.integers(0, 3))), "vip_queue": "q"}),
        ("virtual_hold", "sim.policies.virtual_hold.VirtualHold",
         {"accept_prob": draw(maybe(st.floats(0.0, 1.0))),
          "at_announcements": draw(maybe(st.lists(st.integers(1, 3), max_size=2)))}),
        ("dynamic_priority", "sim.policies.dynamic_priority.DynamicPriority",
         {"weights": draw(maybe(st.dictionaries(st.integers(0, 3), st.floats(0.1, 5.0),
                                                max_size=3)))}),
    ]))
    return {
        "scenario": scenario,
        "policy": {"name": policy[0], "class": policy[1], "params": policy[2]},
        "seed": draw(maybe(st.integers(0, 2**64 - 1))),
        "n_reps": draw(maybe(st.integers(1, 2))),
        "confidence": draw(maybe(st.floats(0.5, 0.99))),
        "output": {"calls": False, "intervals": draw(maybe(st.booleans())),
                   "progress": False, "report": False},
    }


class Hang(Exception):
    pass


@contextmanager
def time_limit(seconds: int):
    def stop(signum, frame):
        raise Hang(f"no answer within {seconds} s")

    old = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def check_one(cfg: dict) -> str:
    """'error' (one line naming a key) or 'ok' (conservation exact); anything else fails."""
    with time_limit(CASE_LIMIT_S):
        try:
            result = simulate(cfg)
        except ConfigError as exc:
            text = str(exc)
            assert "\n" not in text and exc.key and text.startswith(exc.key), text
            return "error"
    totals = result.summary["conservation"]
    assert totals["offered"] == sum(totals[k] for k in OUTCOME_COUNTS), totals
    return "ok"


WARM = {"scenario": {"name": "warm", "horizon": {"intervals_per_day": 1, "interval_s": 600},
                     "arrivals": {"calls_per_interval": 5},
                     "classes": {"a": {"mix": 1, "queue": "q", "patience": 60,
                                       "handle_time": {"dist": "gamma", "mean": 60, "sd": 30}}},
                     "queues": {"q": {"groups": ["g"]}}, "groups": {"g": {"staffing": 1}}},
        "output": {"calls": False, "intervals": True, "progress": False, "report": False}}


def run_cases(strategy, n: int) -> list[str]:
    """``check_one`` on ``n`` configs drawn (derandomized) from ``strategy``."""
    seen: list[str] = []

    @settings(max_examples=n, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def prop(cfg):
        seen.append(check_one(cfg))

    prop()
    return seen


def _run(n: int):
    simulate(WARM)  # JIT compilation and first imports: not part of any case's time
    return run_cases(configs(), n)


def test_generated_configs_give_a_result_or_one_line():
    seen = _run(200)
    assert len(seen) == 200
    assert "ok" in seen and "error" in seen  # both kinds generated, not just one


@pytest.mark.slow
def test_generated_configs_give_a_result_or_one_line_many():
    seen = _run(1500)
    assert len(seen) == 1500 and "ok" in seen and "error" in seen
