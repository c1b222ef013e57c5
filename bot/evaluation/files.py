"""Reading suite files safely: YAML with ``yaml.safe_load`` only, data files confined to the repository.

Suite YAML and its data come from pull requests. A data file must be a plain relative path that resolves,
symlinks followed, inside the root (no absolute paths, URLs, globs, ``..`` or symlink escapes); sizes are
capped before anything is parsed. Pure apart from reading the files it is given.
"""

from __future__ import annotations

import json
import os
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

MAX_YAML_BYTES = 256 * 1024
MAX_DATA_BYTES = 64 * 1024 * 1024


class SuiteError(ValueError):
    """An invalid suite file; ``str()`` is ``"<file>: <key path>: <problem>"``, fit to show a PR author."""


def kind_of(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean", type(None): "nothing"}.get(
        type(value), type(value).__name__
    )


def read_yaml(path: Path, source: str) -> dict[str, Any]:
    if path.stat().st_size > MAX_YAML_BYTES:
        raise SuiteError(f"{source}: the file is larger than {MAX_YAML_BYTES} bytes")
    try:
        config = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.constructor.ConstructorError as exc:
        tag = f" ({exc.problem})" if exc.problem else ""
        raise SuiteError(f"{source}: line {exc.problem_mark.line + 1 if exc.problem_mark else '?'}: "
                         f"YAML tags such as !function are not allowed{tag}") from None  # fmt: skip
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise SuiteError(f"{source}: not valid YAML: {exc}") from None
    if not isinstance(config, dict):
        raise SuiteError(f"{source}: expected a mapping of lm-eval task keys, got {kind_of(config)}")
    return config


def resolve_data_file(file: str, folder: Path, root: Path, where: Any, key: str) -> Path:
    """A data file relative to the YAML's folder; no absolute paths, URLs, globs or escapes from ``root``."""
    pure = PurePosixPath(file)
    if not file or pure.is_absolute() or "\\" in file or ":" in file or any(c in file for c in "*?[]{}"):
        raise SuiteError(where(key, f"{file!r}: expected a plain path relative to the suite file"))
    lexical = Path(os.path.normpath(folder / pure))
    real = Path(os.path.realpath(lexical))
    if not lexical.is_relative_to(root) or not real.is_relative_to(root):
        raise SuiteError(where(key, f"{file!r}: the path leads outside the repository"))
    if not real.is_file():
        raise SuiteError(where(key, f"{file!r}: no such file"))
    return real


def read_documents(path: Path, source: str) -> list[dict[str, Any]]:
    """A JSON array of objects, a single JSON object, or JSON Lines (one object per non-blank line)."""
    if path.stat().st_size > MAX_DATA_BYTES:
        raise SuiteError(f"{source}: the file is larger than {MAX_DATA_BYTES} bytes")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise SuiteError(f"{source}: not UTF-8: {exc}") from None
    try:
        whole = json.loads(text)
        documents = whole if isinstance(whole, list) else [whole]
        lines = [1] * len(documents)
    except json.JSONDecodeError:
        documents, lines = [], []
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                try:
                    documents.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise SuiteError(f"{source}: line {number}: not JSON: {exc.msg}") from None
                lines.append(number)
    for doc, number in zip(documents, lines, strict=True):
        if not isinstance(doc, dict):
            raise SuiteError(f"{source}: line {number}: expected a JSON object, got {kind_of(doc)}")
    if not documents:
        raise SuiteError(f"{source}: no documents")
    return documents
