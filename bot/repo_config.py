"""``.github/steward.yml``: the per-repository configuration, parsed and validated (pure), cached per (repo, SHA).

Each feature declares its section as a frozen dataclass next to its code (``bot.config_schema`` explains the
field types) and registers it under its top-level key: ``register_section("evaluation", EvaluationConfig)``.
A section present turns its feature on (``welcome:`` with no value = on with the defaults); absent = off.

``parse(text)`` returns a ``RepoConfig`` or a ``ConfigError`` holding every problem found, each path-qualified
(``evaluation.modle: unknown key; did you mean model?``); ``ConfigError.markdown()`` is the body the bot posts.
The YAML is read with PyYAML's safe loader after a size cap, and refused before construction when aliases would
expand it past ``MAX_VALUES`` values (billion laughs), when an alias is recursive, or when a key is repeated.
"""

from __future__ import annotations

import importlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, is_dataclass
from types import MappingProxyType
from typing import Any, TypeVar

import yaml

from bot.config_schema import Problems, describe, join, load_section, unknown_key

CONFIG_PATH = ".github/steward.yml"
MAX_BYTES = 64 * 1024
#: Values in the document once every alias is expanded; a real config has a few hundred.
MAX_VALUES = 10_000
MAX_DEPTH = 32
MAX_PROBLEMS = 50
CACHE_SIZE = 256
#: Modules that declare sections, imported on first use (not at import of this module).
SECTION_MODULES = ("bot.evaluation.config", "bot.welcome", "bot.governance.newcomers")
SECTION_MODULES += ("bot.periodic.lifecycle", "bot.periodic.ladder", "bot.periodic.votes")  # issue 6 §6-8
SECTION_MODULES += ("bot.automation.labels", "bot.automation.dco")  # issue 6 §4-5

T = TypeVar("T")
_registry: dict[str, type] = {}


def register_section(key: str, cls: type[T]) -> type[T]:
    """Declare ``cls`` (a frozen dataclass) as the top-level section ``key``; returns ``cls``."""
    if not is_dataclass(cls) or not cls.__dataclass_params__.frozen:  # type: ignore[attr-defined]
        raise TypeError(f"section {key!r}: {cls.__name__} must be a frozen dataclass")
    if _registry.get(key, cls) is not cls:
        raise ValueError(f"section {key!r} is already registered to {_registry[key].__name__}")
    _registry[key] = cls
    return cls


def sections() -> Mapping[str, type]:
    """Every registered section, by key."""
    for module in SECTION_MODULES:
        importlib.import_module(module)
    return MappingProxyType(_registry)


@dataclass(frozen=True)
class Problem:
    path: str  # "" for the file as a whole
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


@dataclass(frozen=True)
class ConfigError:
    """An invalid file: every problem found, in document order (capped at ``MAX_PROBLEMS``)."""

    problems: tuple[Problem, ...]

    def __str__(self) -> str:
        return "\n".join(map(str, self.problems))

    def markdown(self, *, path: str = CONFIG_PATH, sha: str | None = None) -> str:
        """A Markdown body for a check-run summary or a comment; user-written text is escaped."""
        at = f" at `{sha[:12]}`" if sha else ""
        count = len(self.problems)
        lines = [
            f"### `{path}` is invalid",
            "",
            f"Steward found {count} problem{'s' if count != 1 else ''} in `{path}`{at}:",
            "",
        ]
        for problem in self.problems:
            where = f"`{_code(problem.path)}`: " if problem.path else ""
            lines.append(f"- {where}{_escape(problem.message)}")
        lines += ["", "Fix the file and push again; a section present turns its feature on, absent turns it off."]
        return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class RepoConfig:
    """The valid configuration: ``sections`` maps each present key to its section dataclass."""

    sections: Mapping[str, Any]

    def get(self, cls: type[T]) -> T | None:
        """The section of type ``cls``, or None when its feature is off."""
        return next((s for s in self.sections.values() if type(s) is cls), None)

    def enabled(self, key: str) -> bool:
        return key in self.sections


def parse(text: str | bytes | None, *, registry: Mapping[str, type] | None = None) -> RepoConfig | ConfigError:
    """Validate a ``.github/steward.yml``; ``None`` (no file) or an empty file = every feature off."""
    registry = sections() if registry is None else registry
    if text is None:
        return RepoConfig(MappingProxyType({}))
    raw = text.encode("utf-8") if isinstance(text, str) else text
    if len(raw) > MAX_BYTES:
        return _error("", f"the file is {len(raw)} bytes; the limit is {MAX_BYTES}")
    try:
        source = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return _error("", f"the file is not UTF-8 text (byte {exc.start})")
    problems: Problems = []
    data = _load_yaml(source, problems)
    if problems:
        return _errors(problems)
    if data is None:
        return RepoConfig(MappingProxyType({}))
    if not isinstance(data, dict):
        return _error("", f"expected a mapping of section names to settings at the top level, got {describe(data)}")
    allowed, found = tuple(registry), {}
    for key, value in data.items():
        if key not in registry:
            problems.append((str(key), unknown_key(key, allowed)))
            continue
        section = load_section(registry[key], {} if value is None else value, key, problems)
        if section is not None:
            found[key] = section
    return _errors(problems) if problems else RepoConfig(MappingProxyType(found))


def _load_yaml(source: str, problems: Problems) -> Any:
    loader = yaml.SafeLoader(source)
    try:
        node = loader.get_single_node()
        if node is None or _check_nodes(node, problems):
            return None
        return loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problems.append(("", f"{where}invalid YAML: {exc.problem or exc.context}"))
    except yaml.YAMLError as exc:
        problems.append(("", f"invalid YAML: {exc}"))
    except RecursionError:
        problems.append(("", f"invalid YAML: nested more than {MAX_DEPTH} levels deep"))
    finally:
        loader.dispose()
    return None


def _check_nodes(root: yaml.Node, problems: Problems) -> bool:
    """Refuse recursive aliases, repeated keys, deep nesting and alias expansion past ``MAX_VALUES``, without
    expanding anything (each node's expanded size is computed once). True when the document is refused."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()

    def size(node: yaml.Node, path: str, depth: int) -> int:
        if id(node) in sizes:
            return sizes[id(node)]
        if id(node) in open_nodes:
            raise _Refused(path, f"line {node.start_mark.line + 1}: an alias refers to a value that contains it")
        if depth > MAX_DEPTH:
            raise _Refused(path, f"nested more than {MAX_DEPTH} levels deep")
        open_nodes.add(id(node))
        total = 1
        if isinstance(node, yaml.SequenceNode):
            total += sum(size(item, f"{path}[{i}]", depth + 1) for i, item in enumerate(node.value))
        elif isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key, value in node.value:
                name = key.value if isinstance(key, yaml.ScalarNode) else "?"
                if isinstance(key, yaml.ScalarNode) and key.tag != "tag:yaml.org,2002:merge":
                    if name in seen:
                        problems.append((join(path, name), f"line {key.start_mark.line + 1}: duplicate key"))
                    seen.add(name)
                total += size(key, path, depth + 1) + size(value, join(path, name), depth + 1)
        open_nodes.discard(id(node))
        sizes[id(node)] = total
        if total > MAX_VALUES:
            raise _Refused("", f"the file expands to more than {MAX_VALUES} values through aliases")
        return total

    try:
        size(root, "", 0)
    except _Refused as refused:
        problems.append((refused.path, refused.message))
    return bool(problems)


class _Refused(Exception):
    def __init__(self, path: str, message: str) -> None:
        super().__init__(message)
        self.path, self.message = path, message


def _error(path: str, message: str) -> ConfigError:
    return ConfigError((Problem(path, message),))


def _errors(problems: Problems) -> ConfigError:
    kept = [Problem(p, m) for p, m in problems[:MAX_PROBLEMS]]
    if len(problems) > MAX_PROBLEMS:
        kept.append(Problem("", f"… and {len(problems) - MAX_PROBLEMS} more problems"))
    return ConfigError(tuple(kept))


def _escape(text: str) -> str:
    text = " ".join(text.split())
    return "".join("\\" + c if c in "\\`*_{}[]<>()#+-.!|~" else c for c in text)


def _code(text: str) -> str:
    return " ".join(text.split()).replace("`", "'")


_cache: OrderedDict[tuple[Any, str], RepoConfig | ConfigError] = OrderedDict()
_lock = threading.Lock()


def load(repository: Any, sha: str, fetch: Callable[[], str | bytes | None]) -> RepoConfig | ConfigError:
    """``parse(fetch())`` cached per (repository, sha), the last ``CACHE_SIZE`` kept; ``fetch`` (the file's text
    at ``sha``, or None when the repository has none) is called only on a miss, and its exceptions propagate
    uncached."""
    key = (repository, sha)
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    result = parse(fetch())
    with _lock:
        _cache[key] = result
        _cache.move_to_end(key)
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return result


def fetch(runtime: Any, repository: str, sha: str, *, installation_id: int | None = None,
          repository_id: int | None = None) -> RepoConfig | ConfigError:
    """The repository's ``.github/steward.yml`` at ``sha`` (a commit: the base branch's for anything that
    acts on a pull request, never the head's), fetched through gh.py and cached like ``load``."""
    from bot import gh

    def read() -> bytes | None:
        api = gh.installation_api(runtime, installation_id, repository_id=repository_id)
        return api.get_file(repository, CONFIG_PATH, sha)

    return load(repository, sha, read)


def clear_cache() -> None:
    with _lock:
        _cache.clear()
