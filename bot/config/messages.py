"""Plain-words messages for configuration errors: the key, where it was set, and what is wrong.

Pydantic's own wording ("Input should be a valid tuple") is written for programmers; a person
editing ``config.yaml`` or typing ``--set`` needs the dotted key, the place it came from (the
file, or the ``--set`` flag that introduced it) and what would be accepted. The common error
types are translated here; anything else keeps pydantic's message as a last resort.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

_LIST_TYPES = {"tuple_type", "list_type", "iterable_type", "set_type", "frozen_set_type"}
_PLAIN = {
    "missing": "required",
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "int_from_float": "expected a whole number",
    "float_type": "expected a number",
    "float_parsing": "expected a number",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "string_type": "expected text",
    "path_type": "expected a path",
    "dict_type": "expected a section of key: value settings",
    "model_type": "expected a section of key: value settings",
    "model_attributes_type": "expected a section of key: value settings",
    **dict.fromkeys(_LIST_TYPES, "expected a list, e.g. [a, b]"),
}
_BOUNDS = {
    "greater_than": "must be greater than {gt}",
    "greater_than_equal": "must be at least {ge}",
    "less_than": "must be less than {lt}",
    "less_than_equal": "must be at most {le}",
    "too_short": "needs at least {min_length} item(s)",
    "too_long": "takes at most {max_length} item(s)",
}


class Origins:
    """Where each setting came from: the config file, or a ``--set`` override."""

    def __init__(self, source: Path | None, overridden: Collection[str] = ()) -> None:
        self.source = source
        self.overridden = [key.split(".") for key in overridden]

    def name(self, loc: list[str]) -> str:
        """``--set answer.topk`` for an overridden key, else ``config.yaml: answer.topk``."""
        key = ".".join(loc)
        for parts in self.overridden:
            if loc[: len(parts)] == parts or parts[: len(loc)] == loc:
                return f"--set {key}"
        return f"{self.source}: {key}" if self.source is not None else key


def describe(exc: ValidationError, model: type[BaseModel], origins: Origins) -> str:
    """One readable line per problem, each naming the dotted key and where it was set."""
    lines = []
    for error in exc.errors():
        loc = [str(part) for part in error["loc"]]
        lines.append(f"{origins.name(loc)}: {plain(error, model, loc)}")
    return "\n".join(lines)


def plain(error: Any, model: type[BaseModel], loc: list[str]) -> str:
    """The problem of one pydantic error in plain words."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "extra_forbidden":
        return f"unknown key{suggest(model, loc)}"
    if kind == "literal_error":
        return f"expected one of {ctx.get('expected', '')}{_got(error)}"
    if kind in ("value_error", "assertion_error") and "error" in ctx:
        return str(ctx["error"])
    if kind in _BOUNDS:
        return _BOUNDS[kind].format(**ctx) + _got(error)
    if kind in _PLAIN:
        return _PLAIN[kind] + ("" if kind == "missing" else _got(error))
    return str(error["msg"])


def _got(error: Any) -> str:
    value = error.get("input")
    if isinstance(value, (dict, list, tuple)):
        return f", got a {'section' if isinstance(value, dict) else 'list'}"
    text = repr(value)
    return f", got {text if len(text) <= 40 else text[:37] + '...'}"


def suggest(model: type[BaseModel], loc: list[str]) -> str:
    """Suggest the closest valid key for a misspelt one, walking the model by its location."""
    for part in loc[:-1]:
        field = model.model_fields.get(part)
        annotation = getattr(field, "annotation", None)
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return ""
        model = annotation
    valid = [name for name in model.model_fields if name != "source"]
    close = difflib.get_close_matches(loc[-1], valid, n=1)
    if close:
        return f" (did you mean {'.'.join([*loc[:-1], close[0]])!r}?)"
    return f" (valid keys: {', '.join(valid)})"
