"""Keeping the page whole: a callback that fails shows one line and changes nothing else;
lever values come back from the page as a flat form."""

from __future__ import annotations

import functools

from sim.errors import ConfigError
from sim.serve import forms


def one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    if isinstance(exc, ConfigError | forms.FormError):
        return text
    return f"server error: {type(exc).__name__}: {text}"[:300]


def guarded(n_outputs: int, error_at: int):
    """On an exception: nothing updated but the callback's message line."""
    def wrap(func):
        @functools.wraps(func)
        def inner(*args):
            from dash import no_update
            from dash.exceptions import PreventUpdate

            try:
                return func(*args)
            except PreventUpdate:
                raise
            except Exception as exc:
                out = [no_update] * n_outputs
                out[error_at] = one_line(exc)
                return tuple(out) if n_outputs > 1 else out[0]
        return inner
    return wrap


def form_values(states: list[dict]) -> dict:
    """lever key -> value, from the pattern-matched State list."""
    form = {}
    for s in states:
        key = s["id"]["key"]
        value = s.get("value")
        if key == "outage.enabled":
            value = bool(value)
        form[key] = value
    return form
