"""The ``evaluation:`` section of ``.github/steward.yml`` (issue 4 §1), read from the base branch only."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from bot.config_schema import describe, relative_path, setting
from bot.evaluation.aggregate import HIGHER_IS_BETTER
from bot.repo_config import register_section

METRICS = tuple(HIGHER_IS_BETTER)
_DEVICE = re.compile(r"auto|cpu|mps|cuda(:\d+)?")
_SUITE_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")


def suite_reference(value: str) -> str | None:
    """A bundled suite name, or an lm-eval task YAML file in the repository."""
    if value.endswith((".yaml", ".yml")):
        return relative_path(value)
    if not _SUITE_NAME.fullmatch(value):
        return f"expected a bundled suite name or a task file ending in .yaml, got {describe(value)}"
    return None


def device(value: str) -> str | None:
    return None if _DEVICE.fullmatch(value) else f"expected auto, cpu, mps, cuda or cuda:N, got {describe(value)}"


@dataclass(frozen=True)
class EvaluationConfig:
    model: str = setting(check=relative_path, help="a local HF-format model directory in the repository")
    suites: tuple[str, ...] = setting(min_items=1, check=suite_reference, help="bundled names or task YAML files")
    build: str | None = setting(None, help="a command that builds the model; run only for trusted runs")
    paths: tuple[str, ...] = setting(["**"], min_items=1, check=relative_path, help="globs; other PRs are skipped")
    thresholds: Mapping[str, float] = setting({}, minimum=0, keys=METRICS, help="practical threshold per metric")
    max_length: int | None = setting(None, minimum=1, maximum=1_000_000, help="None: the model's own limit")
    batch_size: int = setting(1, minimum=1, maximum=4096)
    device: str = setting("auto", check=device)


register_section("evaluation", EvaluationConfig)
