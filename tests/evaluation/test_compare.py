"""bot.evaluation.compare: hand-computed paired comparisons (EVAL.md §7)."""

import dataclasses
import math

import pytest

from bot.evaluation import compare as cmp
from bot.evaluation.aggregate import rolling_results

ITERS = 2000  # two lm-eval chunks keep the tests fast; the default is 10 chunks


def _rolling(lls, texts):
    docs = [rolling_results(ll, text) for ll, text in zip(lls, texts, strict=True)]
    return {metric: [d[metric] for d in docs] for metric in docs[0]}


# --- McNemar and helpers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("base", "head", "p"),
    [
        ([1, 1, 1], [0, 0, 0], 0.25),  # b=3, c=0: 2 * (1/2)^3
        ([1, 0, 1, 1], [0, 1, 1, 1], 1.0),  # b=1, c=1: 2 * 3/4, capped at 1
        ([1, 0], [1, 0], 1.0),  # no discordant pair
        ([1] * 4 + [0], [0] * 4 + [1], 0.375),  # b=4, c=1: 2 * (1 + 5) / 32
    ],
)
def test_mcnemar_exact(base, head, p):
    assert cmp.mcnemar_exact(base, head) == p


def test_quantile_interpolates_linearly():
    assert cmp.quantile([0.0, 1.0, 2.0, 3.0], 0.5) == 1.5
    assert cmp.quantile([0.0, 10.0], 0.025) == 0.25
    assert cmp.quantile([4.0], 0.975) == 4.0


def test_threshold_absolute_and_relative():
    assert cmp.Threshold(0.01).absolute(0.7) == 0.01
    assert cmp.Threshold(0.005, relative=True).absolute(-200.0) == 1.0


def test_overall_precedence():
    assert cmp.overall(["improved", "regressed", "inconclusive"]) == "regressed"
    assert cmp.overall(["unchanged", "inconclusive", "improved"]) == "improved"
    assert cmp.overall(["unchanged", "inconclusive"]) == "inconclusive"
    assert cmp.overall(["unchanged", "unchanged"]) == "unchanged"
    assert cmp.overall([]) == "unchanged"


# --- the five cases of the brief ------------------------------------------------------------------------


def test_identical_runs_are_unchanged():
    acc = [1.0, 0.0] * 20
    docs = _rolling([-30.0, -41.5, -12.25], ["a b c", "d e f g", "h"])
    verdict = cmp.compare_task({"acc": acc, **docs}, {"acc": list(acc), **docs}, iters=ITERS)
    assert verdict.outcome == "unchanged"
    for metric in verdict.metrics:
        assert (metric.delta, metric.ci, metric.p_value, metric.changed) == (0.0, (0.0, 0.0), 1.0, False)
        assert metric.outcome == "unchanged" and not metric.significant


def test_clear_significant_regression_beyond_threshold():
    base = [1.0] * 80 + [0.0] * 20
    head = [0.0] * 20 + [1.0] * 60 + [0.0] * 20  # 20 items lost, none gained
    verdict = cmp.compare_task({"acc": base}, {"acc": head}, iters=ITERS)
    acc = verdict.metric("acc")
    assert (acc.base, acc.head) == (0.8, 0.6)
    assert acc.delta == pytest.approx(-0.2)
    assert acc.test == "mcnemar-exact"
    assert acc.p_value == 2 * 0.5**20
    assert acc.ci[1] < 0 < -acc.ci[0]
    assert acc.significant and acc.threshold == 0.01
    assert acc.outcome == "regressed" and verdict.outcome == "regressed"


def test_clear_improvement_mirrors_regression():
    base = [0.0] * 20 + [1.0] * 60 + [0.0] * 20
    head = [1.0] * 80 + [0.0] * 20
    assert cmp.compare_task({"acc": base}, {"acc": head}, iters=ITERS).outcome == "improved"


def test_tiny_delta_within_threshold_is_unchanged_even_if_significant():
    base = [1.0] * 500 + [0.0] * 500
    head = [1.0] * 500 + [1.0] * 9 + [0.0] * 491  # +0.9 pp, p = 2 / 2^9 < 0.01, but under 1 pp
    acc = cmp.compare_metric("acc", base, head, iters=ITERS)
    assert acc.delta == pytest.approx(0.009)
    assert acc.p_value == 2 / 2**9 and acc.significant
    assert acc.outcome == "unchanged" and acc.changed


def test_large_noisy_delta_on_few_items_is_inconclusive():
    base = [1.0, 1.0, 0.0, 0.0, 0.0]
    head = [0.0, 0.0, 0.0, 0.0, 0.0]  # -40 pp, but only two discordant pairs: p = 0.5
    acc = cmp.compare_metric("acc", base, head, iters=ITERS)
    assert acc.delta == pytest.approx(-0.4)
    assert acc.p_value == 0.5 and not acc.significant
    assert acc.outcome == "inconclusive"
    assert cmp.compare_task({"acc": base}, {"acc": head}, iters=ITERS).outcome == "inconclusive"


@pytest.mark.parametrize(("shift", "outcome"), [(-10.0, "regressed"), (10.0, "improved")])
def test_perplexity_direction_lower_is_better(shift, outcome):
    texts = [f"word{i:02d} " * 10 for i in range(20)]  # equal byte lengths
    base_lls = [-100.0 - i for i in range(20)]
    base = _rolling(base_lls, texts)
    head = _rolling([ll + shift for ll in base_lls], texts)
    verdict = cmp.compare_task(base, head, iters=ITERS)
    assert verdict.outcome == outcome
    total_bytes = sum(len(t) for t in texts)
    bpb = verdict.metric("bits_per_byte")
    assert bpb.base == sum(-ll for ll in base_lls) / total_bytes / math.log(2)
    assert bpb.delta == pytest.approx(-20 * shift / total_bytes / math.log(2))
    assert bpb.test == "paired-bootstrap" and not bpb.higher_is_better
    assert bpb.threshold == pytest.approx(0.005 * bpb.base)
    assert bpb.p_value == 2 / (ITERS + 1)  # every replicate on one side of 0
    assert bpb.ci[0] == pytest.approx(bpb.ci[1]) == pytest.approx(bpb.delta)  # a constant shift per document
    for metric in verdict.metrics:
        assert metric.outcome == outcome
        assert (metric.delta > 0) == (shift < 0)


def test_noisy_perplexity_change_is_not_significant():
    texts = ["a b c d"] * 6
    base = _rolling([-20.0] * 6, texts)
    head = _rolling([-30.0, -10.0, -31.0, -10.0, -29.0, -12.0], texts)  # mixed signs, net -2 nats
    bpb = cmp.compare_metric("bits_per_byte", base["bits_per_byte"], head["bits_per_byte"], iters=ITERS)
    assert bpb.delta == pytest.approx(2.0 / 42 / math.log(2))
    assert bpb.delta > bpb.threshold
    assert bpb.ci[0] < 0 < bpb.ci[1]
    assert not bpb.significant and bpb.outcome == "inconclusive"


# --- reproducibility, overrides and errors --------------------------------------------------------------


def test_seeded_results_are_reproducible():
    base = [1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 1.0] * 5
    head = [1.0, 1.0, 0.0, 1.0, 0.0, 1.0, 1.0, 1.0] * 5
    first = cmp.compare_task({"acc": base}, {"acc": head}, iters=ITERS)
    assert first == cmp.compare_task({"acc": base}, {"acc": head}, iters=ITERS)


def test_verdict_is_frozen_and_metric_lookup():
    verdict = cmp.compare_task({"acc": [1.0, 0.0]}, {"acc": [1.0, 0.0]}, iters=ITERS)
    with pytest.raises(dataclasses.FrozenInstanceError):
        verdict.outcome = "improved"
    with pytest.raises(dataclasses.FrozenInstanceError):
        verdict.metrics[0].delta = 1.0
    with pytest.raises(KeyError):
        verdict.metric("acc_norm")
    assert (verdict.alpha, verdict.confidence) == (0.01, 0.95)


def test_overrides_threshold_direction_and_aggregation():
    base = [1.0] * 80 + [0.0] * 20
    head = [0.0] * 20 + [1.0] * 60 + [0.0] * 20
    loose = cmp.compare_task({"acc": base}, {"acc": head}, thresholds={"acc": cmp.Threshold(0.5)}, iters=ITERS)
    assert loose.outcome == "unchanged"
    flipped = cmp.compare_task({"acc": base}, {"acc": head}, higher_is_better={"acc": False}, iters=ITERS)
    assert flipped.outcome == "improved"
    scores = [0.5, 0.25, 0.75] * 10
    custom = cmp.compare_metric(
        "score",
        scores,
        [s + 0.5 for s in scores],
        aggregation="mean",
        threshold=cmp.Threshold(0.1),
        higher_is_better=True,
        iters=ITERS,
    )
    assert custom.test == "paired-bootstrap" and custom.outcome == "improved"


def test_mismatched_inputs_are_rejected():
    with pytest.raises(ValueError, match="items"):
        cmp.compare_metric("acc", [1.0, 0.0], [1.0])
    with pytest.raises(ValueError, match="items"):
        cmp.compare_metric("acc", [], [])
    with pytest.raises(ValueError, match="counts differ"):
        cmp.compare_metric("bits_per_byte", [(-1.0, 3)], [(-1.0, 4)])
    with pytest.raises(ValueError, match="metrics"):
        cmp.compare_task({"acc": [1.0]}, {"acc_norm": [1.0]})
