"""``engine: fast`` reproduces ``engine: simpy`` call for call: every output file of a run
(calls.parquet, summary.json, intervals, groups, replications) is equal, on the shipped
non-hotline scenarios under every built-in policy; what it cannot run is refused in one
line (exit 2), never run on SimPy behind the user's back."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf
from simhelpers import POLICIES, TINY, make_policy

import sim.cli
from sim.config import build_model_spec
from sim.errors import ConfigError
from sim.fast.engine import resolve_engine, unsupported
from sim.policies.base import Policy
from sim.runner import simulate

CCSIM = shutil.which("ccsim", path=str(Path(sys.executable).parent)) or "ccsim"
RUNS = [
    ["scenario=single_queue", "n_reps=2"],
    ["experiment=erlang_c", "n_reps=2", "scenario.horizon.intervals_per_day=12"],
    ["experiment=erlang_a", "n_reps=1"],
    ["experiment=cobham", "n_reps=1", "scenario.horizon.days=1"],
    # virtual_hold needs waiting announcements (refused without): its own run below
    *(["scenario=basic", f"policy={p}"] for p in POLICIES if p != "virtual_hold"),
    ["scenario=basic", "policy=overflow", "policy.params.idle_vip_take_general=true"],
    ["scenario=basic", "policy=reservation", "policy.params.reserve=1",
     "+scenario.lines=12", "+scenario.queues.vip.announce_s=[10,30]",
     "+scenario.queues.general.max_wait_s=90"],
    # a reserve beyond the VIP desk's headcount: capped at the agents on duty less one
    ["scenario=basic", "policy=reservation", "policy.params.reserve=99"],
    # the reserve only from 3 VIP-desk agents on duty (below: full pooling)
    ["scenario=basic", "policy=reservation", "policy.params.reserve=2",
     "policy.params.reserve_from=3"],
    # a freed agent takes the waiting callers; only idle agents are kept back
    ["scenario=basic", "policy=reservation", "policy.params.reserve=2",
     "policy.params.hold_freed=false"],
    ["scenario=basic", "policy=virtual_hold", "+scenario.queues.general.announce_s=[15,30]",
     "+scenario.classes.vip.answer_delay=4", "scenario.arrivals.day_volume_cv=0.2",
     "scenario.horizon.days=2", "n_reps=2"],
]


def compose_cfg(overrides: list[str]) -> dict:
    with initialize_config_dir(config_dir=sim.cli.CONFIG_DIR, version_base="1.3"):
        cfg = compose("config", overrides=overrides)
    return OmegaConf.to_container(cfg, resolve=True)


def run_both(overrides: list[str], tmp_path: Path) -> tuple[Path, Path]:
    dirs = []
    for engine in ("simpy", "fast"):
        cfg = compose_cfg([*overrides, f"engine={engine}", "output.calls=true",
                           "output.progress=false"])
        out = tmp_path / engine
        simulate(cfg, out)
        dirs.append(out)
    return dirs[0], dirs[1]


@pytest.mark.parametrize("overrides", RUNS, ids=lambda o: " ".join(o))
def test_every_output_file_equals_simpy(overrides, tmp_path):
    assert_same_outputs(*run_both(overrides, tmp_path))


def assert_same_outputs(slow: Path, fast: Path, min_offered: int = 1000) -> dict:
    """Every output file of the two runs is equal (summary.json but for its engine), which
    offered at least ``min_offered`` calls; returns the summary."""
    names = sorted(p.name for p in slow.iterdir())
    assert names == sorted(p.name for p in fast.iterdir())
    assert "calls.parquet" in names and "intervals.parquet" in names
    a = json.loads((slow / "summary.json").read_text())
    b = json.loads((fast / "summary.json").read_text())
    assert (a.pop("engine"), b.pop("engine")) == ("simpy", "fast")
    assert a == b  # every KPI, CI and conservation count, floats bit-equal
    assert a["conservation"]["offered"] >= min_offered
    for name in names:
        if name in ("summary.json", "resolved_config.yaml"):
            continue
        assert (slow / name).read_bytes() == (fast / name).read_bytes(), name
    return a


# seat sites on hotline_small (compiled: tests/test_fast_sites.py compares the engines)
SITES = ["+scenario.sites={sites: {capital: {}}, regions: {province: {share: 1.0}}}",
         *(f"+scenario.groups.{g}.site=capital" for g in ("vip_desk", "general_desk",
                                                          "faults_desk"))]


def test_auto_picks_fast_where_supported_and_simpy_elsewhere():
    basic = build_model_spec(compose_cfg(["scenario=basic"])["scenario"])
    hotline = build_model_spec(compose_cfg(["scenario=hotline_small"])["scenario"])
    sited = build_model_spec(compose_cfg(["scenario=hotline_small", *SITES])["scenario"])
    for name in POLICIES:
        assert resolve_engine("auto", basic, make_policy(name)) == "fast"
        assert resolve_engine("auto", hotline, make_policy(name)) == "fast"
        assert resolve_engine("auto", sited, make_policy(name)) == "fast"
    assert resolve_engine("simpy", basic, make_policy("fifo")) == "simpy"


def policy_extra(policy: str) -> list[str]:
    """What a policy needs beyond its name on the hotline: virtual hold offers a callback at
    the announcements, accepted by 30 % of the callers."""
    return (["policy.params.at_announcements=[1, 2]", "policy.params.accept_prob=0.3"]
            if policy == "virtual_hold" else [])


def _without(spec, feature: str):
    """``spec`` with one hotline feature switched off (the spec-level undo of its config)."""
    rep = dataclasses.replace
    if feature == "redials chasing":
        return rep(spec, redial=rep(spec.redial, prob={**spec.redial.prob, "unresolved": 0.0}))
    if feature == "seat sites":
        return rep(spec, sites=None)
    if feature == "agent availability":
        return rep(spec, groups=tuple(rep(g, availability=None) for g in spec.groups))
    if feature == "agents called back":
        return rep(spec, groups=tuple(
            g if g.availability is None else
            rep(g, availability=rep(g.availability, reaction=None, away_work=()))
            for g in spec.groups))
    operations = {"closed-loop callbacks": {"callbacks": None},
                  "complaint escalation": {"complaints": None},
                  "key customers": {"key_customers": None},
                  "ivr hang-up redials": {"ivr_hangup_redial": None},
                  "reserved outbound": {"outbound_reserved_share": 0.0}}
    if feature in operations:
        return rep(spec, operations=rep(spec.operations, **operations[feature]))
    field = {"redials": "redial", "second line": "second_line", "outbound": "outbound",
             "outage": "outage"}[feature]
    return rep(spec, **{field: None})


def _reacting(spec, law):
    """``spec`` whose first group with availability calls agents back from away work (its
    first queue) after ``law``. Put on the built spec: a scenario file may not combine it
    with the seat sites the refusal test also switches on."""
    rep = dataclasses.replace
    g = next(g for g in spec.groups if g.availability is not None)
    av = rep(g.availability, reaction=law, away_work=g.queues[:1])
    groups = list(spec.groups)
    groups[g.index] = rep(g, availability=av)
    return rep(spec, groups=tuple(groups))


# every hotline feature _without switches off, in the order of the stand-in LACKS lines
HOTLINE_FEATURES = ["agents called back", "complaint escalation", "redials chasing",
                    "second line", "outbound", "outage", "closed-loop callbacks", "key customers",
                    "ivr hang-up redials", "reserved outbound", "agent availability",
                    "seat sites"]
OPERATIONS = ("+scenario.operations={callbacks: {max_attempts: 2, retry_delay: {dist: "
              "exponential, mean: 600}}, complaints: {reason: complaint, levels: [{name: "
              "lead, after_s: 3600}], time_limit_s: 7200}, key_customers: {from_tiers: "
              "[ordinary], grades: {5A: {share: 0.01, tier: gold}}}, ivr_hangup_redial: "
              "{prob: 0.1, delay: {dist: exponential, mean: 600}}, "
              "outbound_reserved_share: 0.05}")


def _every_feature():
    """hotline_small with every hotline feature on (gamma laws too). Agents called back
    are put on the built spec: a scenario file may not combine them with seat sites."""
    from sim.model.distributions import Deterministic

    hot = build_model_spec(compose_cfg([
        "scenario=hotline_small", "scenario.outage.enabled=true", OPERATIONS,
        "scenario.ivr.nodes.fault_menu.time={dist: gamma, mean: 10, sd: 5}",
        "+scenario.groups.vip_desk.availability={shrinkage: 0.8, not_ready: {prob: 0.1, "
        "duration: {dist: gamma, mean: 60, sd: 30}}, last_agent_stays_for: [vip]}",
        *SITES])["scenario"])
    return _reacting(hot, Deterministic(30.0))


def test_every_hotline_feature_is_compiled():
    """LACKS names none of the hotline's features (the reaction-time call-back was the
    last): with all of them on, auto picks fast."""
    hot, fifo = _every_feature(), make_policy("fifo")
    assert all(_without(hot, f) != hot for f in HOTLINE_FEATURES)  # each one is on
    assert unsupported(hot, fifo) is None
    assert resolve_engine("auto", hot, fifo) == "fast"
    assert resolve_engine("fast", hot, fifo) == "fast"


def test_a_scenario_is_refused_naming_the_first_lack_it_uses(monkeypatch):
    """The refusal mechanism, on stand-in LACKS lines (the real tuple names only the
    yielding spells, which no hotline uses: ``tests/test_yielding_availability.py``), one
    per hotline feature, each seeing its own feature only: with every feature on,
    switching them off one by one in LACKS order, ``engine=fast`` is refused in one line
    naming the next one still used and ``auto`` runs SimPy, until none is used and the
    scenario runs fast."""
    import sim.fast.engine

    stand_ins = tuple((f"{f} (a stand-in line)", lambda spec, f=f: _without(spec, f) != spec)
                      for f in HOTLINE_FEATURES)
    monkeypatch.setattr(sim.fast.engine, "LACKS", stand_ins)
    hot, fifo = _every_feature(), make_policy("fifo")
    for feature, (lack, _) in zip(HOTLINE_FEATURES, stand_ins, strict=True):
        assert unsupported(hot, fifo) == lack
        with pytest.raises(ConfigError, match=re.escape(f"engine: fast does not support {lack}")):
            resolve_engine("fast", hot, fifo)
        assert resolve_engine("auto", hot, fifo) == "simpy"
        hot = _without(hot, feature)
    assert unsupported(hot, fifo) is None
    assert resolve_engine("auto", hot, fifo) == "fast"


class MyPolicy(Policy):
    name = "mine"


def test_fast_with_a_python_policy_or_a_hotline_is_refused():
    basic = build_model_spec(TINY)
    with pytest.raises(ConfigError, match=r"engine: fast does not support the Python "
                                          r"policy .*MyPolicy"):
        resolve_engine("fast", basic, MyPolicy)
    assert resolve_engine("auto", basic, MyPolicy) == "simpy"
    with pytest.raises(ConfigError, match="engine: must be one of"):
        resolve_engine("numba", basic, make_policy("fifo"))


def test_auto_means_the_reference_when_the_environment_says_so(monkeypatch):
    """CCSIM_AUTO_ENGINE=simpy (the test suite's reference pass) changes only what auto
    picks; an explicit engine is kept, and a bad value is one line naming the variable."""
    from sim.fast.engine import AUTO_ENV

    basic, fifo = build_model_spec(TINY), make_policy("fifo")
    for value, auto in (("simpy", "simpy"), ("fast", "fast")):
        monkeypatch.setenv(AUTO_ENV, value)
        assert resolve_engine("auto", basic, fifo) == auto
        assert resolve_engine("fast", basic, fifo) == "fast"
    monkeypatch.setenv(AUTO_ENV, "turbo")
    with pytest.raises(ConfigError, match=r"^CCSIM_AUTO_ENGINE: must be fast or simpy .*'turbo'"):
        resolve_engine("auto", basic, fifo)


USER_POLICY = ["policy_packages=[acme_routing]", "policy.class=acme_routing.mine.Mine"]


@pytest.mark.parametrize("args, needles", [
    (["scenario=hotline_small", "engine=fast", *SITES, *USER_POLICY],
     ["engine", "fast does not support", "Python policy", "engine=simpy"]),
    (["scenario=basic", "engine=turbo"], ["engine", "'auto', 'simpy' or 'fast'", "turbo"]),
])
def test_cli_refuses_in_one_line_with_exit_2(args, needles, tmp_path):
    pkg = tmp_path / "site" / "acme_routing"  # an installed package, not the working dir
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "mine.py").write_text("from sim.policies.base import Policy\n\n\n"
                                 "class Mine(Policy):\n    name = 'mine'\n")
    proc = subprocess.run([CCSIM, f"hydra.run.dir={tmp_path / 'run'}", "n_reps=1", *args],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(tmp_path / "site")})
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    for needle in needles:
        assert needle in lines[0]
    assert not (tmp_path / "run" / "summary.json").exists()


def test_cpu_split_phases_are_disjoint_parts_of_the_run():
    """sim.fast.bench --split: the phases (day draws, loop, fold, grow) are timed apart,
    so they add up to no more than the run (a phase timed inside another would not)."""
    from sim.bench import scenario
    from sim.fast.bench import phase_split

    spec = build_model_spec(scenario(20_000))
    cpu = phase_split(spec)
    phases = ("day draws", "loop", "fold", "grow")
    assert set(cpu) == {"calls", "total", "rest", *phases}
    assert cpu["calls"] > 19_000
    assert cpu["loop"] > 0 and cpu["day draws"] > 0 and cpu["fold"] > 0
    assert sum(cpu[p] for p in phases) <= cpu["total"] + 1e-3
