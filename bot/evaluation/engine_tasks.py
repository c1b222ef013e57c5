"""Tasks → per-document items and lm-eval results rows, on a loaded model (EVAL.md §2.1-2.6).

``evaluate_task`` builds the task's requests (``requests.py``), tokenizes them as lm-eval does
(``LoadedModel.encode_pair``, rolling windows), scores every unit in one ``engine.score`` call and turns the
loglikelihoods into per-document items and the aggregated row (``aggregate.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.evaluation import aggregate
from bot.evaluation.engine import Progress, Unit, make_unit, score
from bot.evaluation.model import LoadedModel
from bot.evaluation.requests import rolling_windows, task_requests
from bot.evaluation.suite import Task


@dataclass(frozen=True)
class TaskResult:
    """``items``: metric → per-document items in document order (floats, or ``[ll, count]`` pairs);
    ``results``: lm-eval's row (``{metric: value, "<metric>_stderr": value or None}``);
    ``loglikelihoods``: per request (MC: per choice, documents in order) or per document (rolling)."""

    task: str
    n: int
    items: dict[str, list[Any]]
    results: dict[str, float | None]
    loglikelihoods: list[float]


def _multiple_choice(lm: LoadedModel, task: Task, batch_size: int, progress: Progress | None) -> TaskResult:
    requests = task_requests(task)
    units: list[Unit] = []
    families: dict[int, list[int]] = {}
    for request in requests:
        context, continuation = lm.encode_pair(request.context, request.continuation)
        families.setdefault(request.doc, []).append(len(units))
        units.append(make_unit(context, continuation, lm.max_length))
    lls = score(lm, units, list(families.values()), batch_size=batch_size, progress=progress)
    items: dict[str, list[Any]] = {"acc": [], "acc_norm": []}
    for doc_index, doc in enumerate(task.documents):
        doc_lls = [lls[i] for i in families[doc_index]]
        row = aggregate.multiple_choice_results(doc_lls, task.choices(doc), task.target(doc))
        for metric, value in row.items():
            items[metric].append(value)
    return _result(task, items, lls)


def _rolling(lm: LoadedModel, task: Task, batch_size: int, progress: Progress | None) -> TaskResult:
    units: list[Unit] = []
    owners: list[int] = []
    targets = [task.target(doc) for doc in task.documents]
    for doc_index, text in enumerate(targets):
        for window in rolling_windows(lm.encode(text), lm.prefix_token_id, lm.max_length):
            owners.append(doc_index)
            units.append(make_unit(window.context, window.continuation, lm.max_length))
    lls = score(lm, units, [[i] for i in range(len(units))], batch_size=batch_size, progress=progress)
    per_doc = [0.0] * len(targets)
    for owner, ll in zip(owners, lls, strict=True):
        per_doc[owner] += ll
    items: dict[str, list[Any]] = {}
    for ll, text in zip(per_doc, targets, strict=True):
        for metric, pair in aggregate.rolling_results(ll, text).items():
            items.setdefault(metric, []).append(list(pair))
    return _result(task, items, per_doc)


def _result(task: Task, items: dict[str, list[Any]], lls: list[float]) -> TaskResult:
    chosen = {m.name: items[m.name] for m in task.metrics}
    aggregations = {m.name: m.aggregation for m in task.metrics}
    as_tuples = {k: [tuple(v) if isinstance(v, list) else v for v in values] for k, values in chosen.items()}
    results = aggregate.aggregate_task(as_tuples, aggregations)
    return TaskResult(task.name, len(task.documents), chosen, results, lls)


def evaluate_task(lm: LoadedModel, task: Task, *, batch_size: int = 1, progress: Progress | None = None) -> TaskResult:
    """Score one task. ``batch_size`` is the number of packed rows per forward pass."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    if task.output_type == "multiple_choice":
        return _multiple_choice(lm, task, batch_size, progress)
    return _rolling(lm, task, batch_size, progress)
