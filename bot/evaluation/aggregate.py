"""Per-document metrics, their aggregation and their stderr, exactly as lm-evaluation-harness computes them.

Reference: EVAL.md §2.5-2.6 (lm-eval commit ``4e7e0d47``, 0.4.13). Each function names the lm-eval
function it mirrors. The float operations follow the same order as lm-eval (``sum(arr) / len(arr)``, not
``statistics.fmean``), so the numbers agree to the last bit, not just within a tolerance. Pure Python.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")

#: ``lm_eval/api/registry.py`` ``DEFAULT_METRIC_REGISTRY``: the metrics a task reports when its YAML
#: has no ``metric_list``.
DEFAULT_METRICS = {
    "multiple_choice": ("acc", "acc_norm"),
    "loglikelihood_rolling": ("word_perplexity", "byte_perplexity", "bits_per_byte"),
}
#: The default aggregation of each metric (lm-eval's ``AGGREGATION_REGISTRY`` names).
DEFAULT_AGGREGATION = {
    "acc": "mean",
    "acc_norm": "mean",
    "word_perplexity": "weighted_perplexity",
    "byte_perplexity": "weighted_perplexity",
    "bits_per_byte": "bits_per_byte",
}
#: ``higher_is_better`` as lm-eval registers it for each metric.
HIGHER_IS_BETTER = {
    "acc": True,
    "acc_norm": True,
    "word_perplexity": False,
    "byte_perplexity": False,
    "bits_per_byte": False,
}
#: ``bootstrap_iters`` default of ``simple_evaluate``.
BOOTSTRAP_ITERS = 100_000
#: The gold index lm-eval substitutes when the target is not among the choices (it then scores 0).
GOLD_INDEX_ERROR = -100

_WHITESPACE = re.compile(r"\s+")


# --- per-document metrics (``ConfigurableTask.process_results``) -------------------------------------


def count_words(text: str) -> int:
    """``ConfigurableTask.count_words``: pieces of ``re.split(r"\\s+", text)``; edge empties count."""
    return len(_WHITESPACE.split(text))


def count_bytes(text: str) -> int:
    """``ConfigurableTask.count_bytes``: UTF-8 byte length."""
    return len(text.encode("utf-8"))


def rolling_results(loglikelihood: float, target: str) -> dict[str, tuple[float, int]]:
    """``process_results`` for ``loglikelihood_rolling``: one ``(ll, count)`` item per metric.

    ``target`` is ``doc_to_target(doc)``, the same string that was scored (EVAL.md §2.1).
    """
    words, nbytes = count_words(target), count_bytes(target)
    return {
        "word_perplexity": (loglikelihood, words),
        "byte_perplexity": (loglikelihood, nbytes),
        "bits_per_byte": (loglikelihood, nbytes),
    }


def argmax(values: Sequence[float]) -> int:
    """``numpy.argmax`` on a 1-D float array: the first maximum wins; a NaN counts as the maximum."""
    if not values:
        raise ValueError("argmax of an empty sequence")
    best = 0
    for i, value in enumerate(values):
        if math.isnan(value):
            return i
        if value > values[best]:
            best = i
    return best


def gold_index(gold: Any, choices: Sequence[str]) -> int | list[int]:
    """The gold handling in ``process_results`` for multiple choice.

    An int is kept when below ``len(choices)``; a string is looked up in the choices; a list (multiple
    targets) is mapped item by item. Anything out of range becomes ``GOLD_INDEX_ERROR`` (-100), which
    lm-eval logs and scores as wrong; suite validation should reject such documents up front.
    """
    if isinstance(gold, list):
        return [i if i < len(choices) else GOLD_INDEX_ERROR for i in gold]
    if isinstance(gold, str):
        return choices.index(gold) if gold in choices else GOLD_INDEX_ERROR
    if isinstance(gold, int):
        return gold if gold < len(choices) else GOLD_INDEX_ERROR
    raise TypeError(f"gold must be an int, a str or a list of ints, not {type(gold).__name__}")


def multiple_choice_results(lls: Sequence[float], choices: Sequence[str], gold: Any) -> dict[str, float]:
    """``process_results`` for ``multiple_choice``: ``acc`` and ``acc_norm`` for one document.

    ``pred = argmax(lls)``; ``acc_norm`` takes the argmax of ``ll / len(choice)``, with the *character*
    length of the ``doc_to_choice`` string (no delimiter, not bytes). Ties: the first maximum wins.
    """
    if len(lls) != len(choices):
        raise ValueError(f"{len(lls)} loglikelihoods for {len(choices)} choices")
    pred = argmax(lls)
    pred_norm = argmax([ll / float(len(choice)) for ll, choice in zip(lls, choices, strict=True)])
    target = gold_index(gold, choices)
    if isinstance(target, list):
        return {"acc": 1.0 if pred in target else 0.0, "acc_norm": 1.0 if pred_norm in target else 0.0}
    return {"acc": 1.0 if pred == target else 0.0, "acc_norm": 1.0 if pred_norm == target else 0.0}


# --- aggregations (``lm_eval/api/metrics.py``) -----------------------------------------------------


def mean(items: Sequence[float]) -> float:
    """``metrics.mean``: ``sum(arr) / len(arr)``."""
    return sum(items) / len(items)


def weighted_mean(items: Sequence[tuple[float, int]]) -> float:
    """``metrics.weighted_mean``: ``Σll / Σcount``."""
    lls, counts = zip(*items, strict=True)
    return sum(lls) / sum(counts)


def weighted_perplexity(items: Sequence[tuple[float, int]]) -> float:
    """``metrics.weighted_perplexity``: ``exp(-Σll / Σcount)``."""
    return math.exp(-weighted_mean(items))


def bits_per_byte(items: Sequence[tuple[float, int]]) -> float:
    """``metrics.bits_per_byte``: ``-Σll / Σbytes / ln 2`` (= log2 of byte_perplexity)."""
    return -weighted_mean(items) / math.log(2)


def perplexity(items: Sequence[float]) -> float:
    """``metrics.perplexity``: ``exp(-mean(ll))`` over per-document loglikelihoods."""
    return math.exp(-mean(items))


AGGREGATIONS: dict[str, Callable[[Sequence[Any]], float]] = {
    "mean": mean,
    "weighted_perplexity": weighted_perplexity,
    "bits_per_byte": bits_per_byte,
    "perplexity": perplexity,
}


# --- stderr (``metrics.stderr_for_metric``, ``bootstrap_stderr``) ------------------------------------


def sample_stddev(items: Sequence[float]) -> float:
    """``metrics.sample_stddev``: the n − 1 standard deviation, in lm-eval's order of operations."""
    mu = mean(items)
    return math.sqrt(sum((x - mu) ** 2 for x in items) / (len(items) - 1))


def mean_stderr(items: Sequence[float]) -> float:
    """``metrics.mean_stderr``: ``sample_stddev / sqrt(n)``."""
    return sample_stddev(items) / math.sqrt(len(items))


def bootstrap_replicates(statistic: Callable[[list[T]], float], items: Sequence[T], iters: int) -> list[float]:
    """The resampling of ``metrics.bootstrap_stderr`` (and ``_bootstrap_internal``), without the pool.

    ``iters // chunk`` chunks with ``chunk = min(1000, iters)``; chunk ``i`` seeds ``random.Random(i)``
    and draws ``chunk`` replicates, each the statistic of ``rnd.choices(items, k=len(items))``. The
    replicates come back in chunk order, as ``pool.imap`` returns them. ``iters`` not a multiple of 1000
    drops the remainder, as lm-eval does.
    """
    if iters <= 0:
        return []
    chunk = min(1000, iters)
    pool = list(items)
    replicates: list[float] = []
    for i in range(iters // chunk):
        rnd = random.Random(i)
        replicates.extend(statistic(rnd.choices(pool, k=len(pool))) for _ in range(chunk))
    return replicates


def bootstrap_stderr(statistic: Callable[[list[T]], float], items: Sequence[T], iters: int) -> float:
    """``metrics.bootstrap_stderr``: the sample standard deviation of the bootstrap replicates."""
    return sample_stddev(bootstrap_replicates(statistic, items, iters))


#: ``stderr_for_metric``'s bootstrappable aggregations that Steward supports (``median``,
#: ``matthews_corrcoef``, ``f1_score``, ``nanmean``, ``bleu``, ``chrf``, ``ter`` are outside our subset).
_BOOTSTRAPPED = frozenset({"perplexity"})


def aggregate_stderr(aggregation: str, items: Sequence[Any], bootstrap_iters: int = BOOTSTRAP_ITERS) -> float | None:
    """The ``<metric>_stderr`` value: ``stderr_for_metric`` as applied in ``TaskOutput.calculate_aggregate_metric``.

    ``None`` stands for lm-eval's ``"N/A"``: ``weighted_perplexity`` and ``bits_per_byte`` have no stderr
    function, ``bootstrap_iters <= 0`` disables stderr, and a task with fewer than two items gets none.
    """
    if aggregation not in AGGREGATIONS:
        raise ValueError(f"unsupported aggregation {aggregation!r}")
    if bootstrap_iters <= 0 or len(items) <= 1:
        return None
    if aggregation == "mean":
        return mean_stderr(items)
    if aggregation in _BOOTSTRAPPED:
        return bootstrap_stderr(AGGREGATIONS[aggregation], items, bootstrap_iters)
    return None


def aggregate_task(
    items_by_metric: dict[str, Sequence[Any]],
    aggregations: dict[str, str] | None = None,
    bootstrap_iters: int = BOOTSTRAP_ITERS,
) -> dict[str, float | None]:
    """One task's results row: ``{metric: value, "<metric>_stderr": value or None}``.

    Mirrors ``evaluator_utils._compute_task_aggregations`` for one task and the ``none`` filter;
    ``aggregations`` overrides ``DEFAULT_AGGREGATION`` per metric (a task's ``metric_list``).
    """
    chosen = {**DEFAULT_AGGREGATION, **(aggregations or {})}
    row: dict[str, float | None] = {}
    for metric, items in items_by_metric.items():
        if metric not in chosen:
            raise ValueError(f"no aggregation known for metric {metric!r}")
        if not items:
            raise ValueError(f"metric {metric!r} has no items")
        row[metric] = AGGREGATIONS[chosen[metric]](items)
        row[f"{metric}_stderr"] = aggregate_stderr(chosen[metric], items, bootstrap_iters)
    return row
