"""Typed settings sections: a frozen dataclass per feature whose fields say type, default and limits (pure).

A field's annotation is its schema: ``str``, ``int``, ``float`` (ints accepted), ``bool``, ``Literal[...]``,
``tuple[T, ...]`` (a YAML list), ``Mapping[str, T]`` (a YAML mapping, stored read-only), a nested dataclass,
and ``T | None``. A field without a default is required. ``setting()`` adds limits and a free-form check::

    @dataclass(frozen=True)
    class LabelsConfig:
        size: bool = True
        paths: Mapping[str, str] = setting({}, check=relative_glob_key)

``load_section`` turns a YAML value into the dataclass and appends every problem it finds, each as
``(path, message)``, e.g. ``("evaluation.thresholds.acc", 'expected a number, got "high"')``.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import math
import re
import types
from collections.abc import Callable, Mapping
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

#: A free-form check: returns the problem with a valid-typed value, or None.
Check = Callable[[Any], str | None]
Problems = list[tuple[str, str]]

_INVALID: Any = object()
_EXPECTED = {str: "a string", int: "an integer", float: "a number", bool: "true or false"}


def setting(
    default: Any = dataclasses.MISSING,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    min_items: int | None = None,
    keys: tuple[str, ...] | None = None,
    check: Check | None = None,
    help: str = "",
) -> Any:
    """A dataclass field with limits: ``minimum``/``maximum`` for numbers, ``min_items`` for lists and mappings,
    ``keys`` (the allowed keys of a mapping), ``check`` (applied to each item of a list or value of a mapping,
    else to the value). Lists and dicts given as defaults become tuples and read-only mappings."""
    metadata = {"minimum": minimum, "maximum": maximum, "min_items": min_items, "keys": keys, "check": check}
    metadata["help"] = help
    if isinstance(default, dict):
        frozen = dict(default)
        return dataclasses.field(default_factory=lambda: types.MappingProxyType(frozen), metadata=metadata)
    if isinstance(default, list):
        default = tuple(default)
    return dataclasses.field(default=default, metadata=metadata)


def describe(value: Any) -> str:
    """How a value is named in a message: strings quoted (and cut), numbers as written, containers by kind."""
    if isinstance(value, str):
        return json.dumps(value if len(value) <= 40 else value[:39] + "…", ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    kinds = {dict: "a mapping", list: "a list", type(None): "nothing"}
    return kinds.get(type(value), f"a {type(value).__name__}")


def join(path: str, key: Any) -> str:
    return f"{path}.{key}" if path else str(key)


def load_section(cls: type, value: Any, path: str, problems: Problems) -> Any:
    """``cls`` built from ``value``, or ``None`` with the problems appended (at least one)."""
    result = _convert(value, cls, path, {}, problems)
    return None if result is _INVALID else result


def relative_path(value: str) -> str | None:
    """A check: a path or glob inside the repository (relative, '/'-separated, no '..' segment)."""
    if not value.strip():
        return "expected a non-empty path"
    if value.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", value) or "\\" in value:
        return f"expected a relative path with '/' separators, got {describe(value)}"
    if ".." in value.split("/"):
        return f"expected a path inside the repository, got {describe(value)}"
    return None


def unknown_key(key: Any, allowed: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(str(key), allowed, n=1)
    return f"unknown key; did you mean {close[0]}?" if close else f"unknown key; expected one of {', '.join(allowed)}"


def _convert(value: Any, tp: Any, path: str, meta: Mapping[str, Any], problems: Problems) -> Any:
    origin, args = get_origin(tp), get_args(tp)
    if origin in (Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        (tp,) = [a for a in args if a is not type(None)]  # only ``T | None`` unions are supported
        return _convert(value, tp, path, meta, problems)
    if dataclasses.is_dataclass(tp):
        return _dataclass(value, tp, path, problems)
    if origin is tuple:
        return _items(value, args[0], path, meta, problems)
    if origin in (Mapping, dict):
        return _mapping(value, args[1], path, meta, problems)
    if origin is Literal:
        if isinstance(value, bool) or value not in args:
            choices = ", ".join(str(a) for a in args)
            problems.append((path, f"expected one of {choices}, got {describe(value)}"))
            return _INVALID
        return value
    return _scalar(value, tp, path, meta, problems)


def _scalar(value: Any, tp: type, path: str, meta: Mapping[str, Any], problems: Problems) -> Any:
    accepted = (int, float) if tp is float else tp
    if (isinstance(value, bool) and tp is not bool) or not isinstance(value, accepted):
        problems.append((path, f"expected {_EXPECTED.get(tp, tp.__name__)}, got {describe(value)}"))
        return _INVALID
    if tp is float:
        value = float(value)
        if not math.isfinite(value):
            problems.append((path, f"expected a finite number, got {describe(value)}"))
            return _INVALID
    if tp in (int, float):
        low, high = meta.get("minimum"), meta.get("maximum")
        if (low is not None and value < low) or (high is not None and value > high):
            bounds = f"at least {low:g}" if high is None else f"at most {high:g}" if low is None else ""
            bounds = bounds or f"between {low:g} and {high:g}"
            problems.append((path, f"expected {_EXPECTED[tp]} {bounds}, got {describe(value)}"))
            return _INVALID
    return _checked(value, path, meta, problems)


def _checked(value: Any, path: str, meta: Mapping[str, Any], problems: Problems) -> Any:
    check = meta.get("check")
    problem = check(value) if check else None
    if problem:
        problems.append((path, problem))
        return _INVALID
    return value


def _items(value: Any, tp: Any, path: str, meta: Mapping[str, Any], problems: Problems) -> Any:
    if not isinstance(value, list):
        problems.append((path, f"expected a list, got {describe(value)}"))
        return _INVALID
    if meta.get("min_items") and len(value) < meta["min_items"]:
        problems.append((path, f"expected at least {meta['min_items']} item(s), got {len(value)}"))
        return _INVALID
    before = len(problems)
    items = [_convert(item, tp, f"{path}[{i}]", meta, problems) for i, item in enumerate(value)]
    return _INVALID if len(problems) > before else tuple(items)


def _mapping(value: Any, tp: Any, path: str, meta: Mapping[str, Any], problems: Problems) -> Any:
    if not isinstance(value, dict):
        problems.append((path, f"expected a mapping, got {describe(value)}"))
        return _INVALID
    if meta.get("min_items") and len(value) < meta["min_items"]:
        problems.append((path, f"expected at least {meta['min_items']} entries, got {len(value)}"))
        return _INVALID
    before, result, allowed = len(problems), {}, meta.get("keys")
    for key, item in value.items():
        at = join(path, key)
        if not isinstance(key, str):
            problems.append((at, f"expected a string key, got {describe(key)}"))
        elif allowed is not None and key not in allowed:
            problems.append((at, unknown_key(key, allowed)))
        else:
            result[key] = _convert(item, tp, at, meta, problems)
    return _INVALID if len(problems) > before else types.MappingProxyType(result)


def _dataclass(value: Any, cls: Any, path: str, problems: Problems) -> Any:
    if not isinstance(value, dict):
        problems.append((path, f"expected a mapping, got {describe(value)}"))
        return _INVALID
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init}
    hints = get_type_hints(cls)
    before, kwargs = len(problems), {}
    for key in value:
        if key not in fields:
            problems.append((join(path, key), unknown_key(key, tuple(fields))))
    for name, field in fields.items():
        if name in value:
            kwargs[name] = _convert(value[name], hints[name], join(path, name), field.metadata, problems)
        elif field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
            problems.append((join(path, name), "required key is missing"))
    return _INVALID if len(problems) > before else cls(**kwargs)
