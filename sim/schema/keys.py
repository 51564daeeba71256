"""``ccsim keys``: the key reference, generated from the schema (types, defaults, limits,
units), so the documentation cannot drift from what is validated."""

from __future__ import annotations

import sys
import types
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
    if origin is typing.Annotated:
        args = typing.get_args(ann)
        return "time law" if _LAW in args[1:] else _type_name(args[0])
    members = [a for a in typing.get_args(ann) if a is not type(None)]
    name = getattr(origin, "__name__", str(origin))
    if name in ("Union", "UnionType"):
        inner = " or ".join(_type_name(a) for a in members)
        return inner + (" or null" if len(members) < len(typing.get_args(ann)) else "")
    return f"{name}[{', '.join(_type_name(a) for a in members)}]"


_LAW = "time law"


def _bounds_of(metadata: Any) -> list[str]:
    ops = {"gt": ">", "ge": ">=", "lt": "<", "le": "<="}
    out = []
    for meta in metadata:
        for op, sym in ops.items():
            v = getattr(meta, op, None)
            if v is not None:
                out.append(f"{sym} {v:g}" if isinstance(v, float) else f"{sym} {v}")
        out += _bounds_of(getattr(meta, "metadata", ()))  # a Field() inside Annotated
    return out


def _bounds(info: Any) -> str:
    """The field's bounds, or those of the numbers inside it (a scalar or a list)."""
    out = _bounds_of(info.metadata)
    if not out:
        out = _nested_bounds(info.annotation)
    return ", ".join(dict.fromkeys(out))


def _nested_bounds(ann: Any) -> list[str]:
    if typing.get_origin(ann) is typing.Annotated:
        return _bounds_of(typing.get_args(ann)[1:])
    return [b for a in typing.get_args(ann) for b in _nested_bounds(a)]


def _nested_model(ann: Any) -> tuple[Any, str] | None:
    """(model, key suffix) when a field holds a model (``Model | None``) or a mapping of
    named models (``dict[str, Model | None]``: ``.NAME``)."""
    from pydantic import BaseModel

    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return ann, ""
    origin = typing.get_origin(ann)
    args = typing.get_args(ann)
    if origin is dict:
        inner = _nested_model(args[1])
        return (inner[0], ".NAME" + inner[1]) if inner else None
    if origin is list:
        inner = _nested_model(args[0])
        return (inner[0], "[]" + inner[1]) if inner else None
    if origin in (typing.Union, types.UnionType):
        found = [m for a in args if (m := _nested_model(a))]
        return found[0] if len(found) == 1 else None
    return None


def _variants(ann: Any) -> list[Any]:
    """The models of a mapping of named, typed variants (``dict[str, Menu | Transfer |
    ...]``, picked by their ``type`` key: the IVR's nodes), else []."""
    from pydantic import BaseModel

    def models(a: Any) -> list[Any]:
        if isinstance(a, type) and issubclass(a, BaseModel):
            return [a]
        return [m for x in typing.get_args(a) for m in models(x)]

    if typing.get_origin(ann) is not dict:
        return []
    found = models(typing.get_args(ann)[1])
    return found if len(found) > 1 and all("type" in m.model_fields for m in found) else []


def model_rows(model: type[BaseModel], prefix: str) -> list[tuple[str, str, str, str, str]]:
    """(key, type, default, limits, description) for every field, nested models expanded."""
    from pydantic_core import PydanticUndefined

    rows = []
    for name, info in model.model_fields.items():
        key = f"{prefix}{name}"
        ann = info.annotation
        if info.default is not PydanticUndefined:
            default = repr(info.default)
        elif info.default_factory is not None:
            # the schema's factories take no arguments (no validated-data factories)
            default = repr(cast("Callable[[], Any]", info.default_factory)())
        else:
            default = "(required)"
        variants = _variants(ann)
        if variants:
            rows.append((key, "mapping of NAME: mapping with a type", default, "",
                         info.description or ""))
            for sub in variants:
                kind = typing.get_args(sub.model_fields["type"].annotation)[0]
                rows += [r for r in model_rows(sub, f"{key}.NAME[type={kind}].")
                         if not r[0].endswith(".type")]
            continue
        nested = _nested_model(ann)
        if nested is not None:
            sub, suffix = nested
            if info.description or suffix:
                rows.append((key, "list of mappings" if suffix.startswith("[]") else
                         "mapping" + (" of NAME: mapping" if suffix else ""),
                             "" if default.startswith(sub.__name__) else default, "",
                             info.description or ""))
            rows += model_rows(sub, f"{key}{suffix}.")
            continue
        extra = info.json_schema_extra or {}
        desc = info.description or ""
        if isinstance(extra, dict) and extra.get("ref"):
            desc += f" [checked: {extra['ref']} of the scenario]"
        typ = "time law" if _LAW in info.metadata else _type_name(ann)
        rows.append((key, typ, default, _bounds(info), desc))
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
    from sim.model.distributions import _PARAMS
    from sim.schema import limits
    from sim.schema.run import RunConfig
    from sim.schema.scenario import scenario_model

    lines = ["ccsim keys — generated from the schema (sim/schema)", "",
             "Run keys (configs/config.yaml):"]
    lines += _table(model_rows(RunConfig, ""))
    lines += ["", "Policy parameters (policy.params.*, strict types):"]
    for path, cls in _policies():
        rows = model_rows(cls.Params, "policy.params.")
        lines.append(f"  {cls.name}  ({path})" + ("" if rows else ": no parameters"))
        lines += _table(rows, indent="    ")
    lines += ["", "Scenario keys (scenario.*; NAME: an entry of your choosing; s: seconds; "
              "a per-interval value is a scalar or one value per interval):"]
    lines += _table(model_rows(scenario_model(), "scenario."))
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
