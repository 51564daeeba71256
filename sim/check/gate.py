"""The gate: an SLA spec judged on replications of a configuration, replications added
until every verdict is clear or the budget is spent."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Protocol, cast

from sim.check import baseline as bl
from sim.check.decide import (
    UNDECIDED,
    Check,
    Outcome,
    check_values,
    judge,
    look_level,
    plan,
    settle,
)
from sim.check.report import Report
from sim.check.runs import (
    Replications,
    Setup,
    build_setup,
    compose_config,
    kpi_template,
    override_key,
)
from sim.check.spec import SLAError, SLASpec, check_scenario, load_spec, parse_spec

Log = Callable[[str], None]


class RepSource(Protocol):
    """What the sequential rule reads: replications 0..n-1, run when first asked for
    (``Replications`` here, ``sim.staff.evaluate.PlanRuns`` for staffing plans)."""

    def upto(self, n: int) -> list[dict]: ...


def sla_dir() -> Path:
    """The checkout's sla/ (editable install), else the copy a wheel installs. SLA specs
    are not Hydra configs, so they live outside configs/ (no false config group)."""
    here = Path(__file__).resolve().parent.parent.parent / "sla"
    if here.is_dir():
        return here
    import sys

    return Path(sys.prefix) / "share" / "ccsim" / "sla"


def sla_names() -> list[str]:
    return sorted(p.stem for p in sla_dir().glob("*.yaml"))


def sla_path(sla: str | os.PathLike | None, scenario: str) -> Path:
    """``--sla``: a path, or a name in ``sla/`` (default: the scenario's name)."""
    allowed = f"allowed: {', '.join(sla_names()) or '(none)'} or a path to a YAML file"
    if sla is None:
        path = sla_dir() / f"{scenario}.yaml"
        if not path.is_file():
            raise SLAError(f"--sla: no SLA file for scenario {scenario} ({path}); {allowed}")
        return path
    text = str(sla)
    if isinstance(sla, os.PathLike) or text.endswith((".yaml", ".yml")) or os.sep in text:
        if not Path(text).is_file():
            raise SLAError(f"--sla: no such file {text!r}; {allowed}")
        return Path(text)
    path = sla_dir() / f"{text}.yaml"
    if not path.is_file():
        raise SLAError(f"--sla: unknown SLA {text!r}; {allowed}")
    return path


def resolve_sla(sla: object, scenario: str) -> SLASpec:
    if isinstance(sla, SLASpec):
        return sla
    if isinstance(sla, Mapping):
        return parse_spec(sla, "<inline SLA>")
    return load_spec(sla_path(cast("str | os.PathLike | None", sla), scenario))


def _apply_run_options(spec: SLASpec, overrides: Sequence[str], setup: Setup,
                       max_reps: int | None) -> SLASpec:
    """Command-line ``n_reps=`` (first look), ``confidence=`` and ``--max-reps`` win over
    the spec."""
    keys = {override_key(o) for o in overrides}
    ch: dict = {}
    if "confidence" in keys:
        ch["confidence"] = setup.confidence
    if "n_reps" in keys:
        ch.update(initial=setup.n_reps, max_reps=max(spec.max_reps, setup.n_reps))
    if max_reps is not None:
        if isinstance(max_reps, bool) or not isinstance(max_reps, int) or max_reps < 1:
            raise SLAError(f"--max-reps: must be an integer >= 1, got {max_reps!r}")
        ch.update(max_reps=max_reps, initial=min(ch.get("initial", spec.initial), max_reps))
    spec = replace(spec, **ch)
    if spec.policy == "ci" and spec.initial < 2:
        raise SLAError("n_reps / --max-reps: at least 2 replications with decision.policy: "
                       "ci (a confidence interval needs two)")
    return spec


def run_check(overrides: Sequence[str] = (), sla: object = None, *,
              max_reps: int | None = None, baseline: str | os.PathLike | None = None,
              save_baseline: str | os.PathLike | None = None, jobs: int = 1,
              log: Log | None = None,
              cache: MutableMapping[str, Replications] | None = None) -> Report:
    """Judge an SLA (a name, path, dict or SLASpec; default ``sla/SCENARIO.yaml``)
    on the configuration ``ccsim OVERRIDES`` would run. Bad input raises SLAError.
    ``cache`` (a dict) keeps replications for later checks of the same configuration."""
    log = log or (lambda line: None)
    setup = build_setup(compose_config(overrides))
    spec = _apply_run_options(resolve_sla(sla, setup.model.name), overrides, setup, max_reps)
    reps = _replications(setup, jobs, log, cache)
    base = _load_baseline(baseline, spec, setup) if baseline is not None else None
    checks = _checks(spec, setup, reps, base)
    # Saving a baseline runs the whole budget, so any later check can pair with it.
    looks = [spec.max_reps] if save_baseline is not None else None
    outcomes, done, level = sequential(spec, checks, reps, base, log, looks)
    report = Report(outcomes, _meta(spec, setup, overrides, looks or plan(
        spec.initial, spec.max_reps, spec.step), done, level, base, reps))
    if save_baseline is not None:
        bl.save(Path(save_baseline), _baseline_meta(report.meta), reps.upto(done[-1]))
        log(f"baseline saved: {save_baseline} ({done[-1]} replications)")
    return report


def _checks(spec: SLASpec, setup: Setup, reps: Replications,
            base: bl.Baseline | None) -> list[Check]:
    """The spec's targets (validated against the scenario) and baseline comparisons."""
    template = kpi_template(setup)
    check_scenario(spec, template, setup.model.name)
    checks = [Check(t.id, "target", t.key, t.min, t.max, t.bound) for t in spec.targets]
    if base is None:
        return checks
    compared = bl.comparisons(spec)
    missing = bl.missing_keys(base, compared)
    if missing:
        raise SLAError(f"--baseline {base.path}: holds no values for {', '.join(missing)}")
    return checks + compared


def _replications(setup: Setup, jobs: int, log: Log,
                  cache: MutableMapping[str, Replications] | None) -> Replications:
    """Replications of this setup; with a cache, those of an identical setup are reused."""
    if cache is None:
        return Replications(setup, jobs, log)
    key = f"{setup.hash}:{setup.seed}"
    if key not in cache:
        cache[key] = Replications(setup, jobs, log)
    reps = cache[key]
    reps.log = log
    return reps


def _load_baseline(path: str | os.PathLike, spec: SLASpec, setup: Setup) -> bl.Baseline:
    base = bl.load(Path(path))
    bl.check_compatible(base, setup.seed, setup.model.name, spec.max_reps)
    return base


def sequential(spec: SLASpec, checks: list[Check], reps: RepSource,
               base: bl.Baseline | None, log: Log, looks: list[int] | None = None
               ) -> tuple[list[Outcome], list[int], float]:
    """Look at the checks after each batch of replications (``looks``: the counts; default
    the spec's plan) and stop when none is undecided. Returns the outcomes, the counts
    looked at and the confidence level of each look."""
    looks = looks or plan(spec.initial, spec.max_reps, spec.step)
    level = look_level(spec.confidence, len(looks), spec.adjust)
    done: list[int] = []
    for n in looks:
        values = reps.upto(n)
        paired = base.reps[:n] if base is not None else None
        outcomes = [judge(c, check_values(c, values, paired), level, spec.policy)
                    for c in checks]
        done.append(n)
        open_ = [o.check.id for o in outcomes if o.verdict == UNDECIDED]
        if not open_:
            break
        if n < looks[-1]:
            log(f"undecided after {n} replications: {', '.join(open_)}; adding more")
    settle(outcomes, spec.warn, done[-1])
    return outcomes, done, level


def _meta(spec: SLASpec, setup: Setup, overrides: Sequence[str], looks: list[int],
          done: list[int], level: float, base: bl.Baseline | None,
          reps: Replications) -> dict:
    from sim import __version__

    return {
        "ccsim_version": __version__, "scenario": setup.model.name,
        "policy": setup.policy.name, "seed": setup.seed, "config_hash": setup.hash,
        "overrides": list(overrides), "sla": spec.source, "description": spec.description,
        "confidence": spec.confidence, "level": level,
        "decision": {"policy": spec.policy, "warn": spec.warn, "adjust": spec.adjust},
        "replications": {"initial": spec.initial, "max": spec.max_reps, "step": spec.step,
                         "used": done[-1], "looks": done, "plan": looks},
        "baseline": None if base is None else {
            "path": base.path, "ccsim_version": base.meta.get("ccsim_version"),
            "config_hash": base.meta.get("config_hash"), "n_reps": len(base.reps)},
        "seconds": round(reps.seconds, 3),
    }


def _baseline_meta(meta: dict) -> dict:
    keys = ("ccsim_version", "scenario", "policy", "seed", "config_hash", "overrides", "sla")
    return {k: meta[k] for k in keys}
