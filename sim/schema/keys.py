"""``ccsim keys``: the key reference, generated from the schema (types, defaults, limits,
units), so the documentation cannot drift from what is validated."""

from __future__ import annotations

import sys
import typing
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from collections.abc import Callable

    from pydantic import BaseModel

    from sim.policies.base import Policy


def _type_name(ann: Any) -> str:
    if ann is Any:
        return "any"
    origin = typing.get_origin(ann)
    if origin is None:
        return getattr(ann, "__name__", str(ann))
    args = [a for a in typing.get_args(ann) if a is not type(None)]
    inner = ", ".join(_type_name(a) for a in args)
    name = getattr(origin, "__name__", str(origin))
    if name in ("Union", "UnionType"):
        return f"{inner} or null"
    return f"{name}[{inner}]" if name != "Annotated" else _type_name(args[0])


def _bounds(info) -> str:
    ops = {"gt": ">", "ge": ">=", "lt": "<", "le": "<="}
    out = []
    for meta in info.metadata:
        for op, sym in ops.items():
            v = getattr(meta, op, None)
            if v is not None:
                out.append(f"{sym} {v:g}" if isinstance(v, float) else f"{sym} {v}")
    return ", ".join(out)


def model_rows(model: type[BaseModel], prefix: str) -> list[tuple[str, str, str, str, str]]:
    """(key, type, default, limits, description) for every field, nested models expanded."""
    from pydantic import BaseModel
    from pydantic_core import PydanticUndefined

    rows = []
    for name, info in model.model_fields.items():
        key = f"{prefix}{name}"
        ann = info.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            rows += model_rows(ann, f"{key}.")
            continue
        if info.default is not PydanticUndefined:
            default = repr(info.default)
        elif info.default_factory is not None:
            # the schema's factories take no arguments (no validated-data factories)
            default = repr(cast("Callable[[], Any]", info.default_factory)())
        else:
            default = "(required)"
        extra = info.json_schema_extra or {}
        desc = info.description or ""
        if isinstance(extra, dict) and extra.get("ref"):
            desc += f" [checked: {extra['ref']} of the scenario]"
        rows.append((key, _type_name(ann), default, _bounds(info), desc))
    return rows


def _policies() -> list[tuple[str, type[Policy]]]:
    import importlib

    from sim.runner import available_policies

    out = []
    for path in available_policies():
        module, _, name = path.rpartition(".")
        out.append((path, getattr(importlib.import_module(module), name)))
    return out


def reference() -> str:
    """The whole key reference as text."""
    from sim.config import (
        ARRIVAL_KEYS,
        CLASS_KEYS,
        GROUP_KEYS,
        HORIZON_KEYS,
        QUEUE_KEYS,
        SCENARIO_KEYS,
    )
    from sim.config_hotline import HOTLINE_KEYS, REASON_KEYS, TIER_KEYS
    from sim.model.distributions import _PARAMS
    from sim.schema import limits
    from sim.schema.availability import BREAK_KEYS, NOT_READY_KEYS
    from sim.schema.availability import KEYS as AVAILABILITY_KEYS
    from sim.schema.run import RunConfig

    lines = ["ccsim keys — generated from the schema (sim/schema)", "",
             "Run keys (configs/config.yaml):"]
    lines += _table(model_rows(RunConfig, ""))
    lines += ["", "Policy parameters (policy.params.*, strict types):"]
    for path, cls in _policies():
        rows = model_rows(cls.Params, "policy.params.")
        lines.append(f"  {cls.name}  ({path})" + ("" if rows else ": no parameters"))
        lines += _table(rows, indent="    ")
    lines += ["", "Scenario keys (scenario.*; values in the scenario files' comments):"]
    for where, keys in (("scenario", SCENARIO_KEYS | HOTLINE_KEYS),
                        ("scenario.horizon", HORIZON_KEYS),
                        ("scenario.arrivals", ARRIVAL_KEYS),
                        ("scenario.classes.NAME", CLASS_KEYS),
                        ("scenario.queues.NAME", QUEUE_KEYS),
                        ("scenario.groups.NAME", GROUP_KEYS),
                        ("scenario.groups.NAME.availability", AVAILABILITY_KEYS),
                        ("scenario.groups.NAME.availability.not_ready", NOT_READY_KEYS),
                        ("scenario.groups.NAME.availability.breaks[]", BREAK_KEYS),
                        ("scenario.tiers.NAME", TIER_KEYS),
                        ("scenario.reasons.NAME", REASON_KEYS)):
        lines.append(f"  {where}: {', '.join(sorted(keys))}")
    lines += ["", "Distributions (any time key): a number (seconds, deterministic), null "
              "(patience: never abandons; answer_delay: off), or {dist: NAME, ...}:"]
    lines += [f"  {name}: {', '.join(params) or '(no parameters)'}"
              for name, (_, params) in _PARAMS.items()]
    lines += ["", "Limits (beyond them a run cannot finish or moments overflow):"]
    lines += _table([(k, "", "", lim, unit) for k, lim, unit in limits.TABLE])
    return "\n".join(lines) + "\n"


def _table(rows, indent: str = "  ") -> list[str]:
    out = []
    for key, typ, default, bounds, desc in rows:
        parts = [p for p in (typ, f"default {default}" if default else "", bounds, desc) if p]
        out.append(f"{indent}{key}: {'; '.join(parts)}")
    return out


def main(argv: list[str]) -> int:
    """``ccsim keys``: the key reference, generated from the schema (types, limits)."""
    from sim.errors import OneLineParser

    OneLineParser(prog="ccsim keys", description="Print the key reference (types, "
                  "defaults, limits, units), generated from the schema.").parse_args(argv)
    sys.stdout.write(reference())
    return 0
