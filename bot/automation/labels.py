"""Labels by changed paths and by size (issue 6 §4): the ``labels:`` section and the ``labels`` job.

On each push to a pull request the job computes the labels it should carry — an area label for every
configured glob that matches a changed path, and one size label from additions + deletions with Prow's
thresholds — then adds the missing ones and removes the stale ones *that Steward manages* (the six size labels
and the configured area labels). Any other label is never touched.

Globs are matched against the whole path: ``*`` within one path segment, ``**`` across segments (``docs/**``
matches everything under ``docs/``; ``**/*.md`` every Markdown file), ``?`` one character.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from bot import jobs
from bot.automation.config_check import api_for, base_config
from bot.config_schema import relative_path, setting
from bot.repo_config import register_section

#: Prow's size thresholds (additions + deletions): below each bound, that size; XXL from 1000 on.
SIZES = (("XS", 10), ("S", 30), ("M", 100), ("L", 500), ("XL", 1000))
LARGEST = "XXL"


def _prefix(value: str) -> str | None:
    return None if len(value) <= 40 else "expected at most 40 characters"


@dataclass(frozen=True)
class LabelsConfig:
    size: bool = setting(True, help="keep one size label (XS…XXL, Prow's thresholds) on each pull request")
    size_prefix: str = setting("size/", check=_prefix, help="the size labels are this prefix + XS, S, M, L, XL, XXL")
    paths: Mapping[str, tuple[str, ...]] = setting(
        {}, check=relative_path, help="label → globs of changed paths that earn it, e.g. area/docs: [docs/**]")


register_section("labels", LabelsConfig)


def size_label(changes: int, prefix: str = "size/") -> str:
    """Prow's size for additions + deletions: XS < 10, S < 30, M < 100, L < 500, XL < 1000, else XXL."""
    return prefix + next((name for name, bound in SIZES if changes < bound), LARGEST)


@functools.lru_cache(maxsize=512)
def glob_regex(pattern: str) -> re.Pattern:
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out))


def matches(pattern: str, path: str) -> bool:
    return glob_regex(pattern.strip("/")).fullmatch(path.lstrip("/")) is not None


def wanted(config: LabelsConfig, paths: Iterable[str], changes: int | None) -> set[str]:
    paths = list(paths)
    found = {label for label, globs in config.paths.items() if any(matches(g, p) for g in globs for p in paths)}
    if config.size and changes is not None:
        found.add(size_label(changes, config.size_prefix))
    return found


def managed(config: LabelsConfig) -> set[str]:
    """Every label Steward may remove: the configured area labels, and the size labels when sizing is on."""
    sizes = {config.size_prefix + name for name, _ in SIZES} | {config.size_prefix + LARGEST}
    return set(config.paths) | (sizes if config.size else set())


def plan(config: LabelsConfig, current: Iterable[str], paths: Iterable[str],
         changes: int | None) -> tuple[list[str], list[str]]:
    """(labels to add, labels to remove): never a label Steward does not manage."""
    current, want = set(current), wanted(config, paths, changes)
    return sorted(want - current), sorted((current & managed(config)) - want)


@jobs.kind("labels")
def sync_labels(runtime: Any, args: dict[str, Any]) -> None:
    api = api_for(runtime, args)
    if api is None:
        return
    config = base_config(runtime, api, args, args["base_sha"], args["head_sha"])
    section = config.get(LabelsConfig) if config else None
    if section is None:
        return
    repo, number = args["repository"], args["number"]
    paths = api.pull_files(repo, number, args.get("head_sha")) if section.paths else []
    changes = None
    if args.get("additions") is not None and args.get("deletions") is not None:
        changes = int(args["additions"]) + int(args["deletions"])
    add, remove = plan(section, api.issue_labels(repo, number), paths, changes)
    if add:
        api.add_labels(repo, number, add)
    for label in remove:
        api.remove_label(repo, number, label)
