"""Evaluation results cached by (model content hash, inputs hash, engine version, settings), in the database.

- ``inputs_hash`` covers what the model is evaluated on: each suite reference and, for a task YAML file in the
  repository, the file's bytes and the bytes of every data file it names (read as plain YAML here, never
  rendered); a bundled suite is covered by the engine version.
- ``engine_version`` is the evaluator's: a hash of the evaluation code and the bundled suites, so a new
  Steward with a changed evaluator never reuses an old number.
- The settings that change numbers (``max_length``, ``batch_size``, ``device``) are part of the key.

A second PR on the same base finds the base's results here; a PR that changes neither the model files nor the
evaluation inputs finds the head's too, and is evaluated in 0 s.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.orm import sessionmaker

from bot.db import insert_for, now, transaction
from bot.models.evaluation import EvalResultCache

PACKAGE = Path(__file__).resolve().parent
#: The code whose behaviour decides a number (everything else in bot/evaluation only moves numbers around).
ENGINE_FILES = ("aggregate.py", "engine.py", "engine_tasks.py", "files.py", "model.py", "prompts.py",
                "requests.py", "run.py", "suite.py")


@functools.cache
def engine_version() -> str:
    digest = hashlib.sha256()
    files = [PACKAGE / name for name in ENGINE_FILES] + sorted((PACKAGE / "suites").rglob("*"))
    for path in files:
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:32]


def inputs_hash(root: str | os.PathLike[str], suites: tuple[str, ...] | list[str]) -> str:
    """A hash of the evaluation inputs the suite references point at, inside the checkout ``root``."""
    digest, base = hashlib.sha256(), Path(os.path.realpath(root))
    for ref in suites:
        digest.update(b"suite\0" + ref.encode() + b"\0")
        if not ref.endswith((".yaml", ".yml")):
            continue  # bundled: part of the engine version
        path = _inside(base, base / ref)
        text = path.read_bytes() if path and path.is_file() else b""
        digest.update(text + b"\0")
        for data in _data_files(text):
            file = _inside(base, path.parent / data) if path else None
            digest.update(data.encode() + b"\0" + (file.read_bytes() if file and file.is_file() else b"") + b"\0")
    return digest.hexdigest()


def _inside(base: Path, path: Path) -> Path | None:
    real = Path(os.path.realpath(path))
    return real if real.is_relative_to(base) else None


def _data_files(text: bytes) -> list[str]:
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError:
        return []
    files = ((doc or {}).get("dataset_kwargs") or {}).get("data_files") if isinstance(doc, dict) else None
    if isinstance(files, str):
        return [files]
    if isinstance(files, dict):
        return sorted(str(v) for v in files.values() if isinstance(v, str | int | float))
    return []


def key(model_hash: str, inputs: str, settings: dict[str, Any]) -> str:
    parts = [model_hash, inputs, engine_version(), json.dumps(settings, sort_keys=True)]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def get(factory: sessionmaker, cache_key: str) -> dict | None:
    with factory() as uow:
        row = uow.get(EvalResultCache, cache_key)
        return dict(row.result) if row is not None else None


def put(factory: sessionmaker, cache_key: str, *, model_hash: str, inputs: str, result: dict,
        runtime_s: float) -> None:
    with transaction(factory) as uow:
        uow.execute(insert_for(uow, EvalResultCache).values(
            key=cache_key, model_hash=model_hash, inputs_hash=inputs, engine_version=engine_version(),
            result=result, runtime_s=runtime_s, created_at=now(),
        ).on_conflict_do_nothing(index_elements=["key"]))
