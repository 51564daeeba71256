"""The one place a schema error becomes the ``key: what is allowed`` line."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sim.errors import ConfigError

if TYPE_CHECKING:
    from pydantic import BaseModel

# pydantic error types → how to say what is allowed (the rest: pydantic's own message)
_ALLOWED = {
    "bool_type": "must be true or false (not a string or number)",
    "int_type": "must be an integer",
    "int_from_float": "must be an integer",
    "float_type": "must be a number",
    "string_type": "must be a string",
    "dict_type": "must be a mapping",
    "list_type": "must be a list",
    "extra_forbidden": "unknown key",
    "missing": "is required",
    "finite_number": "must be a finite number",
    "string_pattern_mismatch": "must be a dotted Python name (letters, digits, _)",
}


def _where(prefix: str, loc: tuple) -> str:
    key = prefix
    for part in loc:
        if isinstance(part, int):
            key += f"[{part}]"
        else:
            key = f"{key}.{part}" if key else str(part)
    return key


def _fields_at(model: Any, loc: tuple) -> list[str]:
    """The keys allowed at ``loc`` inside ``model`` (for an unknown-key error)."""
    found = _model_at(model, loc)
    return list(found.model_fields) if found is not None else ["none"]


def _model_at(model: Any, loc: tuple) -> Any:
    """The pydantic model class that validates the mapping at ``loc``, if any."""
    import typing

    from pydantic import BaseModel

    for part in loc:
        if isinstance(part, int) or not (isinstance(model, type) and issubclass(
                model, BaseModel)) or part not in model.model_fields:
            continue  # a list index or a free name (a dict key): same model below
        ann = model.model_fields[part].annotation
        nested = [a for a in (ann, *typing.get_args(ann),
                              *(x for a in typing.get_args(ann) for x in typing.get_args(a)))
                  if isinstance(a, type) and issubclass(a, BaseModel)]
        model = nested[0] if nested else None
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


_OPS = {"gt": ">", "ge": ">=", "lt": "<", "le": "<="}


def _bounds(model: Any, loc: tuple, kind: str, ctx: dict) -> str:
    """``must be a number > 0 and <= 1e9``, or ``in (0, 1)``: every bound of the field."""
    info = _field_at(model, loc)
    found = {}
    for meta in getattr(info, "metadata", ()):
        for op in _OPS:
            if getattr(meta, op, None) is not None:
                found[op] = getattr(meta, op)
    if not found:  # a bound from an annotated item type (list item, dict value)
        op = {"greater_than": "gt", "greater_than_equal": "ge", "less_than": "lt",
              "less_than_equal": "le"}[kind]
        found = {op: next(iter(ctx.values()))}
    what = "an integer" if getattr(info, "annotation", None) is int else "a number"
    if set(found) == {"gt", "lt"}:
        return f"must be {what} in ({_num(found['gt'])}, {_num(found['lt'])})"
    return f"must be {what} " + " and ".join(f"{_OPS[op]} {_num(v)}" for op, v in found.items())


def _num(x: Any) -> str:
    return str(x) if isinstance(x, int) else f"{x:g}"


def _field_at(model: Any, loc: tuple) -> Any:
    """The pydantic FieldInfo at ``loc`` (None if it cannot be found)."""
    from pydantic import BaseModel

    if not loc or not (isinstance(model, type) and issubclass(model, BaseModel)):
        return None
    parent = _model_at(model, loc[:-1])
    if parent is None or not isinstance(loc[-1], str):
        return None
    return parent.model_fields.get(loc[-1])


def config_error(exc: Any, prefix: str, model: Any = None) -> ConfigError:
    """The first error of a pydantic ``ValidationError`` as a :class:`ConfigError` that
    names the full key, what is allowed and the value given."""
    err = exc.errors(include_url=False)[0]
    loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith(
        ("function-", "tagged-union["))))
    key = _where(prefix, loc)
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == "extra_forbidden":
        names = ", ".join(_fields_at(model, loc[:-1]))
        return ConfigError(key, f"unknown key; allowed: {names}")
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        what = _bounds(model, loc, kind, ctx)
    elif kind == "value_error":
        what = str(ctx.get("error", err["msg"]))
    else:
        what = _ALLOWED.get(kind, err["msg"][0].lower() + err["msg"][1:])
    if kind != "missing" and "input" in err:
        what += f", got {err['input']!r}"
    return ConfigError(key, what)


def validate(model: type[BaseModel], data: Any, prefix: str):
    """``model.model_validate(data)``, a schema error raised as the one-line ConfigError."""
    from pydantic import ValidationError

    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise config_error(exc, prefix, model) from None
