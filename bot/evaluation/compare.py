"""Paired base/head comparison of one task's per-item results → a frozen ``Verdict`` (EVAL.md §7).

Base and head are scored on the same documents in the same order, so every statistic is *paired*:

- ``mean`` metrics with 0/1 items (``acc``, ``acc_norm``): the exact two-sided McNemar test on the
  discordant pairs gives the p-value; a paired bootstrap of Δmean gives the confidence interval.
- Every other metric (``word_perplexity``, ``byte_perplexity``, ``bits_per_byte``, non-binary means): a
  paired bootstrap over documents of Δ(aggregate), e.g. the change in ``-ΣNLL/Σbytes/ln 2``. Its p-value is
  two-sided, from the replicates on the far side of 0 (``2 (k + 1) / (B + 1)``, capped at 1, never 0).

The bootstrap seeds as lm-eval's ``bootstrap_stderr`` does (``random.Random(i)`` per 1000-replicate chunk,
see ``aggregate.bootstrap_replicates``), so a rerun gives the same verdict bit for bit.

A metric is flagged (improved or regressed, by its direction) only when |Δ| exceeds its practical threshold
**and** the change is significant at ``alpha`` (asv's rule). Beyond the threshold but not significant is
``inconclusive``; anything else is ``unchanged`` (``changed`` still records any non-zero Δ).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.evaluation.aggregate import AGGREGATIONS, DEFAULT_AGGREGATION, HIGHER_IS_BETTER, bootstrap_replicates

ALPHA = 0.01
CONFIDENCE = 0.95
#: Bootstrap replicates for a comparison (10 lm-eval chunks of 1000).
COMPARE_ITERS = 10_000

OUTCOMES = ("improved", "regressed", "unchanged", "inconclusive")


@dataclass(frozen=True)
class Threshold:
    """A practical threshold: ``value`` in the metric's units, or a fraction of the base value if ``relative``."""

    value: float
    relative: bool = False

    def absolute(self, base: float) -> float:
        return self.value * abs(base) if self.relative else self.value


#: EVAL.md §7 starting defaults: 1.0 percentage point for accuracies, 0.5 % relative for the rest.
DEFAULT_THRESHOLDS = {
    "acc": Threshold(0.01),
    "acc_norm": Threshold(0.01),
    "word_perplexity": Threshold(0.005, relative=True),
    "byte_perplexity": Threshold(0.005, relative=True),
    "bits_per_byte": Threshold(0.005, relative=True),
}


@dataclass(frozen=True)
class MetricVerdict:
    """One metric, base vs head. ``delta = head - base``; ``ci`` is the bootstrap CI of ``delta``."""

    metric: str
    n: int
    base: float
    head: float
    delta: float
    ci: tuple[float, float]
    p_value: float
    test: str
    threshold: float
    higher_is_better: bool
    significant: bool
    outcome: str

    @property
    def changed(self) -> bool:
        return self.delta != 0.0


@dataclass(frozen=True)
class Verdict:
    """All metrics of one task and the overall outcome.

    ``regressed`` if any metric regressed (that is what gates a PR); else ``improved`` if any improved; else
    ``inconclusive`` if any was; else ``unchanged``.
    """

    metrics: tuple[MetricVerdict, ...]
    outcome: str
    alpha: float
    confidence: float

    def metric(self, name: str) -> MetricVerdict:
        for verdict in self.metrics:
            if verdict.metric == name:
                return verdict
        raise KeyError(name)


def mcnemar_exact(base: Sequence[float], head: Sequence[float]) -> float:
    """Two-sided exact McNemar p-value for paired 0/1 outcomes: a binomial(b + c, 1/2) test on the
    discordant pairs, ``min(1, 2 * P[X <= min(b, c)])``, in exact integer arithmetic."""
    only_base = sum(1 for b, h in zip(base, head, strict=True) if b and not h)
    only_head = sum(1 for b, h in zip(base, head, strict=True) if h and not b)
    discordant = only_base + only_head
    if discordant == 0:
        return 1.0
    tail = sum(math.comb(discordant, k) for k in range(min(only_base, only_head) + 1))
    return min(1.0, 2 * tail / 2**discordant)


def quantile(sorted_values: Sequence[float], q: float) -> float:
    """Linear-interpolation quantile of sorted values (``numpy.quantile``'s default method)."""
    position = q * (len(sorted_values) - 1)
    low = math.floor(position)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


def _bootstrap_p(replicates: Sequence[float]) -> float:
    """Two-sided bootstrap p-value for ``delta == 0``: ``2 (k + 1) / (B + 1)``, k = replicates beyond 0."""
    below = sum(1 for d in replicates if d <= 0.0)
    above = sum(1 for d in replicates if d >= 0.0)
    return min(1.0, 2 * (min(below, above) + 1) / (len(replicates) + 1))


def _outcome(delta: float, threshold: float, significant: bool, higher_is_better: bool) -> str:
    if abs(delta) <= threshold:
        return "unchanged"
    if not significant:
        return "inconclusive"
    return "improved" if (delta > 0) == higher_is_better else "regressed"


def compare_metric(
    metric: str,
    base_items: Sequence[Any],
    head_items: Sequence[Any],
    *,
    aggregation: str | None = None,
    threshold: Threshold | None = None,
    higher_is_better: bool | None = None,
    alpha: float = ALPHA,
    confidence: float = CONFIDENCE,
    iters: int = COMPARE_ITERS,
) -> MetricVerdict:
    """Compare one metric's per-document items (as ``aggregate`` produces them) between base and head.

    Items for weighted aggregations are ``(loglikelihood, count)`` pairs; the counts must agree between base
    and head, since both score the same documents.
    """
    aggregation = aggregation or DEFAULT_AGGREGATION[metric]
    aggregate = AGGREGATIONS[aggregation]
    threshold = threshold or DEFAULT_THRESHOLDS[metric]
    higher = HIGHER_IS_BETTER[metric] if higher_is_better is None else higher_is_better
    if len(base_items) != len(head_items) or not base_items:
        raise ValueError(f"{metric}: base has {len(base_items)} items, head {len(head_items)}; need equal, > 0")
    weighted = aggregation in ("weighted_perplexity", "bits_per_byte")
    if weighted and any(b[1] != h[1] for b, h in zip(base_items, head_items, strict=True)):
        raise ValueError(f"{metric}: base and head counts differ, so they scored different documents")
    base, head = aggregate(base_items), aggregate(head_items)
    delta = head - base
    binary = aggregation == "mean" and all(x in (0.0, 1.0) for x in (*base_items, *head_items))
    test = "mcnemar-exact" if binary else "paired-bootstrap"
    if all(b == h for b, h in zip(base_items, head_items, strict=True)):
        ci, p_value = (0.0, 0.0), 1.0
    else:
        pairs = list(zip(base_items, head_items, strict=True))

        def paired_delta(sample: list[tuple[Any, Any]]) -> float:
            return aggregate([h for _, h in sample]) - aggregate([b for b, _ in sample])

        replicates = sorted(bootstrap_replicates(paired_delta, pairs, iters))
        tail = (1.0 - confidence) / 2
        ci = (quantile(replicates, tail), quantile(replicates, 1.0 - tail))
        p_value = mcnemar_exact(base_items, head_items) if binary else _bootstrap_p(replicates)
    significant = p_value < alpha
    limit = threshold.absolute(base)
    return MetricVerdict(
        metric=metric,
        n=len(base_items),
        base=base,
        head=head,
        delta=delta,
        ci=ci,
        p_value=p_value,
        test=test,
        threshold=limit,
        higher_is_better=higher,
        significant=significant,
        outcome=_outcome(delta, limit, significant, higher),
    )


def overall(outcomes: Sequence[str]) -> str:
    """Combine per-metric outcomes: regressed > improved > inconclusive > unchanged."""
    for outcome in ("regressed", "improved", "inconclusive"):
        if outcome in outcomes:
            return outcome
    return "unchanged"


def compare_task(
    base: Mapping[str, Sequence[Any]],
    head: Mapping[str, Sequence[Any]],
    *,
    aggregations: Mapping[str, str] | None = None,
    thresholds: Mapping[str, Threshold] | None = None,
    higher_is_better: Mapping[str, bool] | None = None,
    alpha: float = ALPHA,
    confidence: float = CONFIDENCE,
    iters: int = COMPARE_ITERS,
) -> Verdict:
    """Compare every metric of one task. ``base``/``head`` map metric → per-document items, in document order."""
    if set(base) != set(head):
        raise ValueError(f"base metrics {sorted(base)} differ from head metrics {sorted(head)}")
    verdicts = tuple(
        compare_metric(
            metric,
            base[metric],
            head[metric],
            aggregation=(aggregations or {}).get(metric),
            threshold=(thresholds or {}).get(metric),
            higher_is_better=(higher_is_better or {}).get(metric),
            alpha=alpha,
            confidence=confidence,
            iters=iters,
        )
        for metric in base
    )
    return Verdict(
        metrics=verdicts,
        outcome=overall([v.outcome for v in verdicts]),
        alpha=alpha,
        confidence=confidence,
    )
