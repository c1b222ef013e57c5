"""lm-eval's ``doc_to_text`` / ``doc_to_target`` / ``doc_to_choice`` semantics, rendered in a Jinja sandbox.

Reference: ``lm_eval/api/task.py`` ``ConfigurableTask.doc_to_*`` and ``lm_eval/utils.py`` ``apply_template``
(EVAL.md §1-2.1). A string that is one of the split's column names (``features``) selects that field as is;
any other string is a Jinja template rendered with the document's fields as variables. lm-eval renders with a
plain ``Environment(undefined=StrictUndefined, keep_trailing_newline=True)`` plus a ``regex_replace`` filter;
templates here come from a PR, so the same settings run in an ``ImmutableSandboxedEnvironment``. Pure.
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Mapping, Sequence
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment


class PromptError(ValueError):
    """A template that does not compile or render, or a ``doc_to_*`` result of the wrong shape."""


def regex_replace(string: str, pattern: str, repl: str, count: int = 0) -> str:
    """lm-eval's ``regex_replace`` Jinja filter: ``re.sub``."""
    return re.sub(pattern, repl, string, count=count)


@functools.cache
def environment() -> ImmutableSandboxedEnvironment:
    """The sandboxed twin of lm-eval's module-level ``utils.env`` (built on first use, not at import)."""
    env = ImmutableSandboxedEnvironment(undefined=StrictUndefined, keep_trailing_newline=True)
    env.filters["regex_replace"] = regex_replace
    return env


@functools.lru_cache(maxsize=256)
def compile_template(source: str) -> Template:
    try:
        return environment().from_string(source)
    except TemplateError as exc:
        raise PromptError(f"invalid Jinja template: {exc}") from None


def render(source: str, doc: Mapping[str, Any]) -> str:
    """``utils.apply_template``: ``env.from_string(template).render(**doc)``."""
    template = compile_template(source)
    try:
        return template.render(**doc)
    except Exception as exc:  # UndefinedError, SecurityError, and whatever a filter or operator raises
        raise PromptError(f"template failed: {type(exc).__name__}: {exc}") from None


def _literal(text: str) -> Any:
    try:
        return ast.literal_eval(text)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        raise PromptError(f"rendered {text[:80]!r}, which is not a Python literal") from None


def doc_to_text(spec: str, doc: Mapping[str, Any], features: Sequence[str], has_choices: bool) -> Any:
    """``ConfigurableTask.doc_to_text`` for a string spec (field name, else template; an all-digit rendering
    becomes an int when the task has ``doc_to_choice``, which lm-eval treats as "multiple inputs")."""
    if spec in features:
        return doc[spec]
    text = render(spec, doc)
    return _literal(text) if text.isdigit() and has_choices else text


def doc_to_target(spec: str | int | list, doc: Mapping[str, Any], features: Sequence[str], has_choices: bool) -> Any:
    """``ConfigurableTask.doc_to_target``: an int or a list as is; a field name; else a template whose
    rendering becomes an int if all digits (with choices), a list if it reads as a ``[...]`` literal."""
    if isinstance(spec, int | list):
        return spec
    if spec in features:
        return doc[spec]
    text = render(spec, doc)
    if text.isdigit() and has_choices:
        return _literal(text)
    if len(text) >= 2 and text[0] == "[" and text[-1] == "]":
        try:
            return ast.literal_eval(text)
        except (SyntaxError, ValueError):
            return text
        except (TypeError, MemoryError, RecursionError):
            raise PromptError(f"rendered {text[:80]!r}, which is not a Python literal") from None
    return text


def doc_to_choice(spec: str | list | dict, doc: Mapping[str, Any], features: Sequence[str]) -> Any:
    """``ConfigurableTask.doc_to_choice``: a list as is, a dict's values, a field, else the Python literal
    that the template renders (``ast.literal_eval``)."""
    if isinstance(spec, list):
        return spec
    if isinstance(spec, dict):
        return list(spec.values())
    if spec in features:
        return doc[spec]
    return _literal(render(spec, doc))
