"""The what-if form: the levers a manager thinks in, read off a composed config, and the
edited config they give back, validated by the project's own schema.

A form is a flat mapping ``lever key -> text or number`` (the Dash inputs' values). Lever
keys are grouped in *rows* (``groups.vip_desk``, ``mix``, ``policy`` ...): a validation
message is shown next to its row. Nothing here re-states a rule the schema already has:
the edited config goes through ``build_model_spec``, ``build_run_spec`` and the policy's
``Params``; their ``ConfigError`` (key + what is allowed) is mapped to the row of its key.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from typing import Any

from sim.errors import ConfigError

GENERAL = "general"  # the row of a message that belongs to no lever
RUN_KEYS = ("n_reps", "seed")


def tiers_or_classes(scn: Mapping) -> tuple[str, dict]:
    """("tiers", ...) for a hotline scenario, ("classes", ...) for a simple one."""
    return ("tiers", scn["tiers"]) if "tiers" in scn else ("classes", scn.get("classes") or {})


def _mean_of(dist) -> float | None:
    if isinstance(dist, int | float) and not isinstance(dist, bool):
        return float(dist)
    if isinstance(dist, Mapping):
        for k in ("mean", "value"):
            if isinstance(dist.get(k), int | float):
                return float(dist[k])
    return None


def _with_mean(dist, mean: float):
    """The same distribution with another mean (``sd`` scaled: the same spread relative
    to the mean)."""
    if not isinstance(dist, Mapping):
        return mean
    out = dict(dist)
    if "value" in out and "mean" not in out:
        out["value"] = mean
        return out
    old = out.get("mean")
    if isinstance(out.get("sd"), int | float) and isinstance(old, int | float) and old:
        out["sd"] = out["sd"] * mean / old
    out["mean"] = mean
    return out


def per_day(scn: Mapping) -> int:
    return int((scn.get("horizon") or {}).get("intervals_per_day", 48))


def interval_s(scn: Mapping) -> float:
    return float((scn.get("horizon") or {}).get("interval_s", 1800))


def curve_text(staffing) -> str:
    if isinstance(staffing, list | tuple):
        return ", ".join(_num_text(v) for v in staffing)
    return _num_text(staffing)


def _num_text(v) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def levers_of(cfg: Mapping) -> dict[str, Any]:
    """The form's values for a composed config."""
    scn = cfg["scenario"]
    form: dict[str, Any] = {"load": scn.get("load", 1.0)}
    for g, spec in scn["groups"].items():
        form[f"groups.{g}.all_day"] = None
        form[f"groups.{g}.curve"] = curve_text(spec.get("staffing", 0))
    out = scn.get("outage")
    if isinstance(out, Mapping):
        form["outage.enabled"] = bool(out.get("enabled"))
        form["outage.start_h"] = out.get("start_s", 0) / 3600
        form["outage.duration_h"] = out.get("duration_s", 0) / 3600
        form["outage.multiplier"] = out.get("multiplier", 1.0)
    kind, members = tiers_or_classes(scn)
    share = "share" if kind == "tiers" else "mix"
    for name, spec in members.items():
        if isinstance(spec, Mapping) and share in spec:
            form[f"mix.{name}"] = spec[share]
        if isinstance(spec, Mapping):
            form[f"patience.{name}"] = _mean_of(spec.get("patience"))
    for q, spec in scn["queues"].items():
        if "tiers" in scn:
            form[f"queues.{q}.announce_s"] = ", ".join(_num_text(a) for a in
                                                       spec.get("announce_s") or [])
        form[f"queues.{q}.max_wait_s"] = spec.get("max_wait_s")
    pol = cfg.get("policy") or {}
    form["policy.name"] = pol.get("name")
    for k, v in (pol.get("params") or {}).items():
        form[f"policy.params.{k}"] = param_text(v)
    form["hours.open"], form["hours.close"] = 0, per_day(scn) * interval_s(scn) / 3600
    form["n_reps"], form["seed"] = max(int(cfg.get("n_reps", 1)), 3), cfg.get("seed", 1)
    return form


def param_text(value) -> str:
    import json

    return value if isinstance(value, str) else json.dumps(value)


def row_of(key: str) -> str:
    """The form row a config key (or lever key) belongs to."""
    parts = key.replace("[", ".").split(".")
    if parts[0] == "scenario":
        parts = parts[1:]
    head = parts[0] if parts else ""
    if head in ("groups", "queues") and len(parts) > 1:
        return f"{head}.{parts[1]}"
    if head in ("tiers", "classes") and len(parts) > 2:
        return f"patience.{parts[1]}" if parts[2].startswith("patience") else "mix"
    if head in ("tiers", "classes", "mix"):
        return "mix"
    if head == "patience" and len(parts) > 1:
        return f"patience.{parts[1]}"
    if head in ("load", "outage", "policy", "hours"):
        return head
    if head in RUN_KEYS:
        return "run"
    return GENERAL


class FormError(Exception):
    """Bad form input: messages by row, each naming what is allowed."""

    def __init__(self, messages: dict[str, str]):
        self.messages = messages
        super().__init__("; ".join(f"{k}: {v}" for k, v in messages.items()))


def _number(form: Mapping, key: str, *, integer: bool = False, blank_ok: bool = True):
    v = form.get(key)
    if v is None or (isinstance(v, str) and not v.strip()):
        if blank_ok:
            return None
        raise ConfigError(key, "is empty; allowed: a number")
    try:
        x = float(v)
    except (TypeError, ValueError):
        raise ConfigError(key, f"must be a number, got {v!r}") from None
    if not math.isfinite(x):
        raise ConfigError(key, f"must be a finite number, got {v!r}")
    if integer:
        if not x.is_integer():
            raise ConfigError(key, f"must be a whole number, got {v!r}")
        return int(x)
    return x


def numbers(key: str, text) -> list:
    """A comma-separated list of numbers (whole numbers kept as int)."""
    if isinstance(text, int | float):
        return [text]
    out = []
    for part in str(text or "").replace(";", ",").split(","):
        if not part.strip():
            continue
        try:
            x = float(part)
        except ValueError:
            raise ConfigError(key, f"{part.strip()!r} is not a number; allowed: numbers "
                                   f"separated by commas") from None
        out.append(int(x) if x.is_integer() else x)
    return out


def apply(cfg: Mapping, form: Mapping) -> dict:
    """The edited config: ``cfg`` with the form's levers set. Raises FormError for input
    that is not even of the right type (the schema then judges the values)."""
    messages: dict[str, str] = {}
    out = copy.deepcopy(dict(cfg))
    for step in (_staffing, _load, _outage, _mix, _patience, _queues, _policy, _run):
        try:
            step(out, form)
        except ConfigError as exc:
            messages.setdefault(row_of(exc.key), str(exc))
    if messages:
        raise FormError(messages)
    return out


def _staffing(cfg: dict, form: Mapping) -> None:
    scn = cfg["scenario"]
    n = per_day(scn)
    opening = _opening(scn, form)
    for g, spec in scn["groups"].items():
        key = f"scenario.groups.{g}.staffing"
        all_day = _number(form, f"groups.{g}.all_day")
        if all_day is not None:
            staffing: Any = int(all_day) if float(all_day).is_integer() else all_day
        else:
            curve = numbers(key, form.get(f"groups.{g}.curve", ""))
            if not curve:
                raise ConfigError(key, "is empty; allowed: agents all day, or one number per "
                                       f"interval ({n})")
            staffing = curve[0] if len(curve) == 1 else curve
        if opening is not None:
            values = staffing if isinstance(staffing, list) else [staffing] * n
            if len(values) == n:
                staffing = [v if open_ else 0 for v, open_ in zip(values, opening, strict=True)]
        if staffing != spec.get("staffing"):
            spec["staffing"] = staffing


def _opening(scn: Mapping, form: Mapping) -> list[bool] | None:
    """Which intervals of the day are open, from the opening hours (None: all day)."""
    n, step = per_day(scn), interval_s(scn) / 3600
    day = n * step
    lo = _number(form, "hours.open")
    hi = _number(form, "hours.close")
    lo = 0.0 if lo is None else lo
    hi = day if hi is None else hi
    if not 0 <= lo < hi <= day:
        raise ConfigError("hours", f"open from {lo:g} h to {hi:g} h; allowed: 0 <= open < "
                                   f"close <= {day:g} (hours of the simulated day)")
    if lo == 0 and hi == day:
        return None
    return [lo <= k * step < hi for k in range(n)]


def _load(cfg: dict, form: Mapping) -> None:
    v = _number(form, "load")
    if v is not None:
        cfg["scenario"]["load"] = v


def _outage(cfg: dict, form: Mapping) -> None:
    out = cfg["scenario"].get("outage")
    if not isinstance(out, dict) or "outage.enabled" not in form:
        return
    out["enabled"] = bool(form.get("outage.enabled"))
    for lever, key, scale in (("start_h", "start_s", 3600), ("duration_h", "duration_s", 3600),
                              ("multiplier", "multiplier", 1)):
        v = _number(form, f"outage.{lever}")
        if v is not None:
            x = v * scale
            out[key] = int(x) if float(x).is_integer() else x


def _mix(cfg: dict, form: Mapping) -> None:
    kind, members = tiers_or_classes(cfg["scenario"])
    share = "share" if kind == "tiers" else "mix"
    for name, spec in members.items():
        v = _number(form, f"mix.{name}")
        if v is not None and isinstance(spec, dict):
            spec[share] = v


def _patience(cfg: dict, form: Mapping) -> None:
    _, members = tiers_or_classes(cfg["scenario"])
    for name, spec in members.items():
        v = _number(form, f"patience.{name}")
        if v is not None and isinstance(spec, dict) and v != _mean_of(spec.get("patience")):
            spec["patience"] = _with_mean(spec.get("patience"), v)


def _queues(cfg: dict, form: Mapping) -> None:
    for q, spec in cfg["scenario"]["queues"].items():
        if f"queues.{q}.announce_s" in form:
            announce = numbers(f"scenario.queues.{q}.announce_s",
                                form[f"queues.{q}.announce_s"])
            if announce != (spec.get("announce_s") or []):
                spec["announce_s"] = announce
        if f"queues.{q}.max_wait_s" in form:
            cut = _number(form, f"queues.{q}.max_wait_s")
            if cut != spec.get("max_wait_s"):
                spec["max_wait_s"] = cut


def _policy(cfg: dict, form: Mapping) -> None:
    import yaml

    name = form.get("policy.name")
    if not name:
        return
    from sim.serve.scenarios import policy_config

    current = cfg.get("policy") or {}
    pol = copy.deepcopy(current) if current.get("name") == name else policy_config(name)
    defaults = policy_config(name)["params"]
    for k in defaults:
        text = form.get(f"policy.params.{k}")
        if text is None or (isinstance(text, str) and not text.strip()):
            continue
        try:
            value = yaml.safe_load(str(text))
        except yaml.YAMLError:
            raise ConfigError(f"policy.params.{k}", f"cannot read {text!r}; allowed: a "
                                                    "number, true/false, a list [..] or a "
                                                    "mapping {..}") from None
        if value != (pol.get("params") or {}).get(k, defaults[k]):
            pol.setdefault("params", {})[k] = value
    cfg["policy"] = pol


def _run(cfg: dict, form: Mapping) -> None:
    for k in RUN_KEYS:
        v = _number(form, k, integer=True)
        if v is not None:
            cfg[k] = v


def validate(cfg: Mapping) -> None:
    """The checks ``ccsim`` runs before simulating; raises FormError by row."""
    from sim.config import build_model_spec, build_run_spec
    from sim.runner import load_policy

    try:
        spec = build_model_spec(cfg["scenario"])
        build_run_spec(cfg)
        load_policy(cfg.get("policy") or {}, tuple(cfg.get("policy_packages") or ())).check(spec)
    except ConfigError as exc:
        raise FormError({row_of(exc.key): str(exc)}) from None


def edited(cfg: Mapping, form: Mapping) -> dict:
    """``apply`` then ``validate``: the config to run, or FormError."""
    out = apply(cfg, form)
    validate(out)
    return out
