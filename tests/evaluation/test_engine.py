"""bot.evaluation.engine and engine_tasks: packed scoring reproduces one-input-at-a-time scoring."""

import dataclasses
import math

import pytest

from bot.evaluation import engine
from bot.evaluation.engine_tasks import evaluate_task
from bot.evaluation.model import load
from bot.evaluation.run import resolve_task


def _few(suite, n=12):
    task, _ = resolve_task(suite)
    return dataclasses.replace(task, documents=task.documents[:n])


def _plain(lm):
    """The same model with packing switched off: one unpadded input per forward pass (HFLM at batch size 1)."""
    other = load(lm.path, max_length=lm.max_length)
    other.__dict__["_packing_ok"] = False
    return other


def test_make_unit_left_truncates_like_hflm():
    unit = engine.make_unit([1, 2, 3, 4, 5], [6, 7], max_length=4)
    assert unit == engine.Unit((3, 4, 5, 6), (6, 7))  # (ctx + cont)[-(L + 1):][:-1]
    assert engine.make_unit([9], [1, 2, 3], 8) == engine.Unit((9, 1, 2), (1, 2, 3))
    with pytest.raises(ValueError, match="does not fit"):
        engine.make_unit([1], [2, 3, 4], 2)
    with pytest.raises(ValueError, match="nothing to score"):
        engine.make_unit([1], [], 2)


def test_groups_share_the_longest_common_prefix():
    units = [engine.Unit((1, 2, 3, 4), (4, 9)), engine.Unit((1, 2, 3, 5, 6), (5, 6, 7)), engine.Unit((8,), (1,))]
    groups = engine.make_groups(units, [[0, 1], [2]])
    assert groups[0].prefix == (1, 2, 3) and groups[0].branches == [(4,), (5, 6)] and groups[0].size == 6
    assert groups[1].prefix == (8,) and groups[1].branches == [()]


def test_pack_is_first_fit_decreasing_within_capacity():
    groups = [engine.Group(prefix=tuple(range(n))) for n in (5, 3, 7, 2, 6, 1)]
    rows = engine.pack(groups, capacity=8)
    assert sorted(g.size for row in rows for g in row) == [1, 2, 3, 5, 6, 7]
    assert all(sum(g.size for g in row) <= 8 for row in rows)
    assert [[g.size for g in row] for row in rows] == [[7, 1], [6, 2], [5, 3]]
    assert [[g.size for g in row] for row in engine.pack([engine.Group(prefix=(0,) * 12)], 8)] == [[12]]


def test_packing_is_supported_for_gpt2_and_llama(tiny_gpt2, tiny_llama):
    assert engine.packing_supported(load(tiny_gpt2))
    assert engine.packing_supported(load(tiny_llama))


@pytest.mark.parametrize("suite", ["steward_agreement", "steward_arithmetic", "steward_prose"])
def test_packed_equals_one_input_at_a_time(tiny_llama, suite):
    task = _few(suite)
    lm = load(tiny_llama, max_length=32)  # short: rolling windows and left truncation both happen
    packed = evaluate_task(lm, task, batch_size=4)
    plain = evaluate_task(_plain(lm), task, batch_size=1)
    assert len(packed.loglikelihoods) == len(plain.loglikelihoods) > 0
    assert max(abs(a - b) for a, b in zip(packed.loglikelihoods, plain.loglikelihoods, strict=True)) < 1e-4
    for metric, value in plain.results.items():
        if value is None:
            assert packed.results[metric] is None
        else:
            assert math.isclose(packed.results[metric], value, rel_tol=1e-5), metric


def test_batch_size_does_not_change_numbers(tiny_gpt2):
    task = _few("steward_agreement", 40)
    lm = load(tiny_gpt2)
    one, many = evaluate_task(lm, task, batch_size=1), evaluate_task(lm, task, batch_size=16)
    assert max(abs(a - b) for a, b in zip(one.loglikelihoods, many.loglikelihoods, strict=True)) < 1e-4
    assert one.items == many.items
    with pytest.raises(ValueError, match="batch_size"):
        evaluate_task(lm, task, batch_size=0)


def test_duplicates_are_scored_once_and_progress_reaches_the_total(tiny_gpt2):
    lm = load(tiny_gpt2)
    units = [engine.Unit((5, 6, 7), (6, 7, 8)), engine.Unit((5, 6, 7), (6, 7, 8)), engine.Unit((9, 10), (10, 11))]
    seen = []
    lls = engine.score(lm, units, [[0], [1], [2]], progress=lambda done, total: seen.append((done, total)))
    assert lls[0] == lls[1] and lls[0] < 0 and lls[2] < 0
    assert seen[-1] == (5, 5)  # the duplicate's tokens are not counted as work


def test_task_items_have_compare_task_shapes(tiny_gpt2):
    lm = load(tiny_gpt2, max_length=32)
    mc = evaluate_task(lm, resolve_task("steward_agreement")[0])
    assert set(mc.items) == {"acc", "acc_norm"} and len(mc.items["acc"]) == mc.n == 160
    assert set(mc.items["acc"]) <= {0.0, 1.0} and mc.results["acc"] == sum(mc.items["acc"]) / 160
    rolling = evaluate_task(lm, resolve_task("steward_prose")[0])
    assert len(rolling.items["bits_per_byte"]) == rolling.n == 16
    ll, count = rolling.items["bits_per_byte"][0]
    assert ll == rolling.loglikelihoods[0] < 0 and count > 100
    total_ll = sum(i[0] for i in rolling.items["bits_per_byte"])
    total_bytes = sum(i[1] for i in rolling.items["bits_per_byte"])
    assert rolling.results["bits_per_byte"] == pytest.approx(-total_ll / total_bytes / math.log(2), rel=1e-12)
    assert rolling.results["bits_per_byte_stderr"] is None  # lm-eval's "N/A"
