"""bot.evaluation.aggregate: the vectors of EVAL.md §2.5-2.6 and lm-eval's exact float behaviour."""

import math
import random

import pytest

from bot.evaluation import aggregate as agg

# --- EVAL.md §2.6 vector: acc 28/40 -> stderr 0.07337993857053426 -------------------------------------


def test_mean_stderr_vector_acc_28_of_40():
    items = [0.0] * 12 + [1.0] * 28
    assert agg.mean(items) == 0.7
    assert agg.mean_stderr(items) == 0.07337993857053426
    assert agg.aggregate_stderr("mean", items) == 0.07337993857053426


def test_mean_stderr_depends_on_document_order_only_in_the_last_bit():
    # lm-eval sums squared deviations in document order; keep items in that order for bitwise parity.
    assert agg.mean_stderr([1.0] * 28 + [0.0] * 12) == pytest.approx(0.07337993857053426, rel=1e-15)


def test_sample_stddev_uses_n_minus_1():
    assert agg.sample_stddev([1.0, 2.0, 3.0, 4.0]) == math.sqrt(5.0 / 3.0)


# --- EVAL.md §2.5 multiple choice ---------------------------------------------------------------------


@pytest.mark.parametrize("gold", [1, "excellent"])
def test_acc_norm_vector_bad_excellent(gold):
    # lls [-6, -9]: acc picks "bad"; per character -2.0 vs -1.0, so acc_norm picks "excellent".
    assert agg.multiple_choice_results([-6.0, -9.0], ["bad", "excellent"], gold) == {"acc": 0.0, "acc_norm": 1.0}


def test_acc_norm_uses_characters_not_bytes():
    # "é" is 1 character but 2 bytes: -2/1 < -3/2 by characters; by bytes it would be -1.0 > -1.5.
    assert agg.multiple_choice_results([-2.0, -3.0], ["é", "ab"], 1) == {"acc": 0.0, "acc_norm": 1.0}
    assert agg.multiple_choice_results([-3.0, -2.0], ["ab", "é"], 0) == {"acc": 0.0, "acc_norm": 1.0}


def test_ties_first_maximum_wins():
    assert agg.multiple_choice_results([-1.0, -1.0], ["no", "ok"], 0) == {"acc": 1.0, "acc_norm": 1.0}
    assert agg.multiple_choice_results([-1.0, -1.0], ["no", "ok"], 1) == {"acc": 0.0, "acc_norm": 0.0}


def test_argmax_matches_numpy_on_nan_and_rejects_empty():
    assert agg.argmax([-1.0, math.nan, 0.0, math.nan]) == 1
    assert agg.argmax([-3.0, -1.0, -2.0]) == 1
    with pytest.raises(ValueError):
        agg.argmax([])


def test_gold_out_of_choices_scores_zero_like_lm_eval():
    assert agg.gold_index("maybe", ["yes", "no"]) == agg.GOLD_INDEX_ERROR
    assert agg.gold_index(2, ["yes", "no"]) == agg.GOLD_INDEX_ERROR
    assert agg.multiple_choice_results([-1.0, -2.0], ["yes", "no"], 5) == {"acc": 0.0, "acc_norm": 0.0}


def test_multiple_targets():
    assert agg.gold_index([0, 3], ["a", "b"]) == [0, agg.GOLD_INDEX_ERROR]
    assert agg.multiple_choice_results([-1.0, -2.0], ["aa", "b"], [0, 1]) == {"acc": 1.0, "acc_norm": 1.0}


def test_bad_inputs():
    with pytest.raises(TypeError):
        agg.gold_index(1.0, ["a"])
    with pytest.raises(ValueError):
        agg.multiple_choice_results([-1.0], ["a", "b"], 0)


# --- EVAL.md §2.5 rolling counts ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "words"),
    [(" a b ", 4), ("a b", 2), ("a  b\n\tc", 3), ("", 1), ("one", 1)],
)
def test_count_words_splits_on_whitespace_runs_and_counts_edge_empties(text, words):
    assert agg.count_words(text) == words


def test_count_bytes_is_utf8_length():
    assert agg.count_bytes("héllo") == 6


def test_rolling_results():
    assert agg.rolling_results(-12.5, " naïve text ") == {
        "word_perplexity": (-12.5, 4),
        "byte_perplexity": (-12.5, 13),
        "bits_per_byte": (-12.5, 13),
    }


# --- EVAL.md §2.6 aggregations ------------------------------------------------------------------------


def test_weighted_aggregations():
    items = [(-10.0, 4), (-6.0, 4)]
    assert agg.weighted_mean(items) == -2.0
    assert agg.weighted_perplexity(items) == math.exp(2.0)
    assert agg.bits_per_byte(items) == 2.0 / math.log(2)
    assert agg.bits_per_byte(items) == pytest.approx(math.log2(agg.weighted_perplexity(items)), rel=1e-15)


def test_eval_md_section_4_bits_per_byte_is_log2_of_byte_perplexity():
    assert math.log2(2.2257514352341032) == pytest.approx(1.1542924861308261, abs=1e-12)


def test_perplexity_aggregation():
    assert agg.perplexity([-1.0, -3.0]) == math.exp(2.0)


def test_weighted_metrics_have_no_stderr():
    items = [(-10.0, 4), (-6.0, 5), (-7.0, 3)]
    assert agg.aggregate_stderr("weighted_perplexity", items) is None
    assert agg.aggregate_stderr("bits_per_byte", items) is None


def test_stderr_na_for_one_item_or_zero_iters():
    assert agg.aggregate_stderr("mean", [1.0]) is None
    assert agg.aggregate_stderr("mean", [1.0, 0.0], bootstrap_iters=0) is None
    with pytest.raises(ValueError):
        agg.aggregate_stderr("median", [1.0, 2.0])


# --- EVAL.md §2.6 bootstrap -----------------------------------------------------------------------------


def _lm_eval_bootstrap_by_hand(f, xs, iters):
    chunk = min(1000, iters)
    res = []
    for i in range(iters // chunk):
        rnd = random.Random()
        rnd.seed(i)
        for _ in range(chunk):
            res.append(f(rnd.choices(xs, k=len(xs))))
    mu = sum(res) / len(res)
    return math.sqrt(sum((x - mu) ** 2 for x in res) / (len(res) - 1))


@pytest.mark.parametrize("iters", [500, 2000, 2500])
def test_bootstrap_stderr_reproduces_lm_eval_chunks_and_seeds(iters):
    lls = [-3.0, -1.5, -2.25, -0.5, -4.0, -2.0, -1.0]
    expected = _lm_eval_bootstrap_by_hand(agg.perplexity, lls, iters)
    assert agg.bootstrap_stderr(agg.perplexity, lls, iters) == expected
    assert agg.aggregate_stderr("perplexity", lls, bootstrap_iters=iters) == expected


def test_bootstrap_drops_the_remainder_chunk_and_is_deterministic():
    assert len(agg.bootstrap_replicates(agg.mean, [1.0, 2.0], 2500)) == 2000
    assert agg.bootstrap_replicates(agg.mean, [1.0, 2.0], 0) == []
    first = agg.bootstrap_replicates(agg.mean, [1.0, 2.0, 5.0], 1000)
    assert first == agg.bootstrap_replicates(agg.mean, [1.0, 2.0, 5.0], 1000)
    assert agg.bootstrap_stderr(agg.perplexity, [-2.0] * 5, 1000) == pytest.approx(0.0, abs=1e-12)


# --- one task's results row ---------------------------------------------------------------------------


def test_aggregate_task_multiple_choice_row():
    acc = [0.0] * 12 + [1.0] * 28
    row = agg.aggregate_task({"acc": acc, "acc_norm": acc})
    assert row == {
        "acc": 0.7,
        "acc_stderr": 0.07337993857053426,
        "acc_norm": 0.7,
        "acc_norm_stderr": 0.07337993857053426,
    }


def test_aggregate_task_rolling_row_and_overrides():
    docs = [agg.rolling_results(-20.0, "one two three"), agg.rolling_results(-8.0, "four five")]
    items = {m: [d[m] for d in docs] for m in agg.DEFAULT_METRICS["loglikelihood_rolling"]}
    row = agg.aggregate_task(items)
    assert row["word_perplexity"] == math.exp(28.0 / 5)
    assert row["byte_perplexity"] == math.exp(28.0 / 22)
    assert row["bits_per_byte"] == 28.0 / 22 / math.log(2)
    assert row["word_perplexity_stderr"] is None and row["bits_per_byte_stderr"] is None
    custom = agg.aggregate_task({"nll": [-2.0, -4.0]}, {"nll": "perplexity"}, bootstrap_iters=1000)
    assert custom["nll"] == math.exp(3.0)
    assert custom["nll_stderr"] > 0
    with pytest.raises(ValueError):
        agg.aggregate_task({"unknown": [1.0]})
    with pytest.raises(ValueError):
        agg.aggregate_task({"acc": []})
