"""bot.evaluation.requests: lm-eval's request construction and rolling windows (EVAL.md §2.1-2.4)."""

import dataclasses
import json

import pytest

from bot.evaluation import requests as rq
from bot.evaluation.suite import load_task

P = -1  # the prefix token
T = list(range(10))  # t0..t9


# --- EVAL.md §2.4 vector: N = 10, L = 4 -----------------------------------------------------------------


def test_rolling_windows_vector_n10_l4():
    windows = rq.rolling_windows(T, P, 4)
    assert windows == [
        rq.Window((P,), (0, 1, 2, 3)),
        rq.Window((3,), (4, 5, 6, 7)),
        rq.Window((5, 6, 7), (8, 9)),
    ]
    inputs = [rq.model_input(w.context, w.continuation, 4) for w in windows]
    assert inputs == [([P, 0, 1, 2], 4), ([3, 4, 5, 6], 4), ([5, 6, 7, 8], 2)]  # window 3: score the last 2


def test_raw_lm_eval_windows_before_make_disjoint_window():
    assert list(rq.get_rolling_token_windows(T, P, 4, 1)) == [
        ([P, 0, 1, 2], [0, 1, 2, 3]),
        ([3, 4, 5, 6], [4, 5, 6, 7]),
        ([5, 6, 7, 8], [8, 9]),
    ]
    assert rq.make_disjoint_window(([5, 6, 7, 8], [8, 9])) == ([5, 6, 7], [8, 9])
    assert rq.make_disjoint_window(([P, 0, 1, 2], [0, 1, 2, 3])) == ([P], [0, 1, 2, 3])


def test_context_len_above_one_overlaps_predictions_as_in_lm_eval():
    # Not used by HFLM (context_len = 1), but the generator is lm-eval's: pred_len = L - context_len + 1.
    assert list(rq.get_rolling_token_windows(T[:6], P, 4, 2)) == [
        ([P, 0, 1, 2], [0, 1, 2, 3]),
        ([1, 2, 3, 4], [4, 5]),
    ]


@pytest.mark.parametrize(("n", "length"), [(1, 4), (3, 4), (4, 4), (5, 4), (8, 4), (9, 4), (7, 1), (30, 7), (64, 64)])
def test_every_token_is_scored_exactly_once_and_inputs_fit(n, length):
    tokens = list(range(100, 100 + n))
    windows = rq.rolling_windows(tokens, P, length)
    assert [t for w in windows for t in w.continuation] == tokens  # no stride, no overlap
    assert windows[0].context == (P,)
    assert len(windows) == -(-n // length)
    for w in windows:
        inp, scored = rq.model_input(w.context, w.continuation, length)
        assert len(inp) <= length and scored == len(w.continuation)
        assert inp == [*w.context, *w.continuation][:-1][-length:]
        if w.context != (P,):
            start = tokens.index(w.continuation[0])
            end = start + len(w.continuation)
            assert w.context == tuple(tokens[max(0, end - length - 1) : start])  # EVAL.md: t[max(0, e-L-1) : s]
            assert len(inp) == length  # later windows see exactly L tokens


def test_short_document_is_one_window_and_empty_has_none():
    assert rq.rolling_windows([7, 8], P, 4) == [rq.Window((P,), (7, 8))]
    assert rq.rolling_windows([], P, 4) == []


def test_window_arguments_are_checked():
    with pytest.raises(ValueError, match="context_len"):
        list(rq.get_rolling_token_windows(T, P, 4, 0))
    with pytest.raises(ValueError, match="context_len"):
        list(rq.get_rolling_token_windows(T, P, 4, 5))


# --- EVAL.md §2.3: left truncation ----------------------------------------------------------------------


def test_model_input_truncates_from_the_left_and_drops_the_last_token():
    assert rq.model_input([1, 2, 3, 4, 5, 6], [7, 8], 4) == ([4, 5, 6, 7], 2)
    assert rq.model_input([1], [2, 3], 8) == ([1, 2], 2)
    with pytest.raises(ValueError, match="does not fit"):
        rq.model_input([1], [2, 3, 4], 2)
    with pytest.raises(ValueError, match="empty continuation"):
        rq.model_input([1], [], 2)


# --- EVAL.md §2.2: trailing whitespace of the context moves to the continuation ---------------------------


@pytest.mark.parametrize(
    ("context", "continuation", "expected"),
    [
        ("Answer: ", " positive", ("Answer:", "  positive")),
        ("Answer:", " positive", ("Answer:", " positive")),
        ("Answer:\n\t ", "x", ("Answer:", "\n\t x")),
        ("   ", " a", ("", "    a")),
    ],
)
def test_move_trailing_whitespace(context, continuation, expected):
    assert rq.move_trailing_whitespace(context, continuation) == expected


# --- EVAL.md §2.1: requests from a task -----------------------------------------------------------------

MC_YAML = """\
task: pol_be
output_type: multiple_choice
dataset_path: json
dataset_kwargs:
  data_files:
    test: pol.jsonl
doc_to_text: "{{sentence}}\\nQuestion: Is this sentence positive or negative?\\nAnswer:"
doc_to_target: "{{label}}"
doc_to_choice: ["bad", "excellent"]
metadata:
  version: 1
"""


def load(tmp_path, yaml_text, docs):
    (tmp_path / "pol.jsonl").write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    (tmp_path / "task.yaml").write_text(yaml_text, encoding="utf-8")
    return load_task("task.yaml", tmp_path)


def test_multiple_choice_one_request_per_choice_with_the_delimiter_in_front(tmp_path):
    task = load(tmp_path, MC_YAML, [{"sentence": "Great.", "label": 1}, {"sentence": "Dull.", "label": 0}])
    ctx0 = "Great.\nQuestion: Is this sentence positive or negative?\nAnswer:"
    ctx1 = "Dull.\nQuestion: Is this sentence positive or negative?\nAnswer:"
    assert rq.task_requests(task) == [
        rq.Request(0, 0, ctx0, " bad"),
        rq.Request(0, 1, ctx0, " excellent"),
        rq.Request(1, 0, ctx1, " bad"),
        rq.Request(1, 1, ctx1, " excellent"),
    ]
    assert task.target(task.documents[0]) == 1


@pytest.mark.parametrize(("delimiter", "continuation"), [("''", "bad"), ('"\\n"', "\nbad"), ("' => '", " => bad")])
def test_custom_target_delimiter(tmp_path, delimiter, continuation):
    task = load(tmp_path, MC_YAML + f"target_delimiter: {delimiter}\n", [{"sentence": "S.", "label": 0}])
    assert rq.task_requests(task)[0].continuation == continuation


def test_a_context_ending_in_a_space_is_kept_raw_in_the_request(tmp_path):
    text = MC_YAML.replace("Answer:", "Answer: ")
    task = load(tmp_path, text, [{"sentence": "S.", "label": 0}])
    request = rq.task_requests(task)[0]
    assert (request.context[-8:], request.continuation) == ("Answer: ", " bad")
    # ... and becomes "  bad" when encoded (EVAL.md §2.2: do not end templates with a space).
    assert rq.move_trailing_whitespace(request.context, request.continuation)[1] == "  bad"


def test_choices_from_a_field_per_document(tmp_path):
    text = MC_YAML.replace('doc_to_choice: ["bad", "excellent"]', "doc_to_choice: options").replace(
        '"{{label}}"', "answer"
    )
    docs = [{"sentence": "1+1=", "options": ["2", "3", "11"], "answer": "2"}]
    task = load(tmp_path, text, docs)
    assert [r.continuation for r in rq.task_requests(task)] == [" 2", " 3", " 11"]
    assert task.target(task.documents[0]) == "2"


def test_rolling_requests_score_doc_to_target_not_doc_to_text(tmp_path):
    text = """\
task: ppl
output_type: loglikelihood_rolling
dataset_path: json
dataset_kwargs: {data_files: {test: pol.jsonl}}
doc_to_text: "{{title}}"
doc_to_target: body
metadata: {version: 1}
"""
    task = load(tmp_path, text, [{"title": "T1", "body": "First text."}, {"title": "T2", "body": " a b "}])
    assert rq.task_requests(task) == [rq.Request(0, 0, "", "First text."), rq.Request(1, 0, "", " a b ")]


def test_request_builders_check_the_shapes_they_rely_on(tmp_path):
    task = load(tmp_path, MC_YAML, [{"sentence": "S.", "label": 0}])
    with pytest.raises(ValueError, match="doc_to_text gave int"):
        rq.multiple_choice_requests(dataclasses.replace(task, doc_to_text="label"), 0, task.documents[0])
    with pytest.raises(ValueError, match="doc_to_target gave int"):
        rq.rolling_request(task, 0, {"sentence": "S.", "label": 0})
