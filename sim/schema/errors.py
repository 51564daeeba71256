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
    "model_type": "must be a mapping",
    "tuple_type": "must be a list",
    "too_short": "must not be empty",
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
    if found is None:
        return ["none"]
    return [info.alias or name for name, info in found.model_fields.items()]


def _models_in(ann: Any) -> list[Any]:
    """The pydantic models inside an annotation (``dict[str, Queue | None] | None``)."""
    import typing

    from pydantic import BaseModel

    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return [ann]
    return [m for a in typing.get_args(ann) for m in _models_in(a)]


def _model_at(model: Any, loc: tuple) -> Any:
    """The pydantic model class that validates the mapping at ``loc``, if any."""
    from pydantic import BaseModel

    for part in loc:
        if isinstance(part, int) or not (isinstance(model, type) and issubclass(
                model, BaseModel)) or part not in model.model_fields:
            continue  # a list index or a free name (a dict key): same model below
        nested = _models_in(model.model_fields[part].annotation)
        model = nested[0] if nested else None
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


_OPS = {"gt": ">", "ge": ">=", "lt": "<", "le": "<="}


def _bounds(model: Any, loc: tuple, kind: str, ctx: dict) -> str:
    """``must be a number > 0 and <= 1e9``, or ``in (0, 1)``: every bound of the field."""
    while loc and isinstance(loc[-1], int):  # a list item: the list's field
        loc = loc[:-1]
    info = _field_at(model, loc)
    found: dict[str, Any] = {}
    for meta in getattr(info, "metadata", ()):
        for op in _OPS:
            if getattr(meta, op, None) is not None:
                found[op] = getattr(meta, op)
    op = {"greater_than": "gt", "greater_than_equal": "ge", "less_than": "lt",
          "less_than_equal": "le"}[kind]
    if not found:  # a bound of an annotated item type (list item, dict value, union)
        found = _item_bounds(getattr(info, "annotation", None), op)
    if op not in found:
        found = {op: next(iter(ctx.values())), "_type": found.get("_type")}
    integer = found.pop("_type", getattr(info, "annotation", None)) is int
    what = "an integer" if integer else "a number"
    if set(found) == {"gt", "lt"}:
        return f"must be {what} in ({_num(found['gt'])}, {_num(found['lt'])})"
    return f"must be {what} " + " and ".join(f"{_OPS[op]} {_num(v)}" for op, v in found.items())


def _item_bounds(ann: Any, op: str) -> dict[str, Any]:
    """Every bound of the annotated number type inside ``ann`` that has ``op``."""
    import typing

    if typing.get_origin(ann) is typing.Annotated:
        found: dict[str, Any] = {"_type": typing.get_args(ann)[0]}
        for meta in typing.get_args(ann)[1:]:
            for m in (meta, *getattr(meta, "metadata", ())):
                for o in _OPS:
                    if getattr(m, o, None) is not None:
                        found[o] = getattr(m, o)
        if op in found:
            return found
    for a in typing.get_args(ann):
        found = _item_bounds(a, op)
        if found:
            return found
    return {}


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


# loc parts pydantic adds for the members of a union (not keys of the config)
_TAGS = ("constrained-", "function-", "tagged-union[", "list[", "dict[", "tuple[", "nullable[")
_TAG_NAMES = {"int", "float", "str", "bool", "list", "dict", "tuple", "none"}


def _is_tag(part: Any) -> bool:
    return isinstance(part, str) and (part.startswith(_TAGS) or part in _TAG_NAMES)


_TYPE_ERRORS = {"int_type", "float_type", "list_type", "dict_type", "string_type",
                "bool_type", "tuple_type", "model_type", "int_from_float", "none_required"}


def _pick(errors: list[dict]) -> dict:
    """The error to report: a union (scalar or list) reports the member that matched the
    value's shape, e.g. a bound of one list item rather than "not a number"."""
    first = errors[0]
    where = tuple(p for p in first["loc"] if not _is_tag(p))
    same = [e for e in errors if tuple(p for p in e["loc"] if not _is_tag(p))[:len(where)]
            == where]
    for e in same:
        if e["type"] not in _TYPE_ERRORS:
            return e
    return first


def _allowed_types(errors: list[dict], key_loc: tuple) -> str:
    """``must be a number or a list``: every member of a union the value matched none of."""
    said = []
    for e in errors:
        if tuple(p for p in e["loc"] if not _is_tag(p)) == key_loc and e["type"] in _ALLOWED:
            what = _ALLOWED[e["type"]].removeprefix("must be ")
            if what not in said:
                said.append(what)
    return "must be " + " or ".join(said) if said else ""


def config_error(exc: Any, prefix: str, model: Any = None) -> ConfigError:
    """The first error of a pydantic ``ValidationError`` as a :class:`ConfigError` that
    names the full key, what is allowed and the value given."""
    from sim.schema.common import KeyedError

    errors = exc.errors(include_url=False)
    err = _pick(errors)
    loc = tuple(p for p in err["loc"] if not _is_tag(p))
    key = _where(prefix, loc)
    kind = err["type"]
    ctx = err.get("ctx") or {}
    cause = ctx.get("error")
    if isinstance(cause, ConfigError):  # a validator that names its own key
        return cause
    if isinstance(cause, KeyedError):
        return ConfigError(_where(key, tuple(cause.sub.split("."))) if cause.sub else key,
                           cause.message)
    if kind == "extra_forbidden":
        names = ", ".join(_fields_at(model, loc[:-1]))
        return ConfigError(key, f"unknown key; allowed: {names}")
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        what = _bounds(model, loc, kind, ctx)
    elif kind == "literal_error":
        what = f"must be one of {ctx.get('expected', '')}"
    elif kind == "value_error":
        what = str(ctx.get("error", err["msg"]))
    elif kind in _TYPE_ERRORS and len(errors) > 1:
        what = _allowed_types(errors, loc) or _ALLOWED.get(kind, err["msg"])
    else:
        what = _ALLOWED.get(kind, err["msg"][0].lower() + err["msg"][1:])
    if kind != "missing" and "input" in err and ", got " not in what:
        what += f", got {err['input']!r}"
    return ConfigError(key, what)


def validate(model: type[BaseModel], data: Any, prefix: str):
    """``model.model_validate(data)``, a schema error raised as the one-line ConfigError."""
    from pydantic import ValidationError

    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise config_error(exc, prefix, model) from None
