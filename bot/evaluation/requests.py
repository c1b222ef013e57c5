"""Documents → loglikelihood requests, and token lists → rolling windows, exactly as lm-eval builds them. Pure.

References (EVAL.md §2.1-2.4, lm-eval ``4e7e0d47``):

- ``ConfigurableTask.construct_requests``: multiple choice pairs the zero-shot context ``doc_to_text(doc)``
  with ``target_delimiter + choice`` for every choice; ``loglikelihood_rolling`` scores ``doc_to_target(doc)``.
- ``TemplateLM._encode_pair``: trailing whitespace of the context moves to the front of the continuation
  before tokenizing (``move_trailing_whitespace``); the requests here keep lm-eval's raw pairs.
- ``utils.get_rolling_token_windows`` + ``utils.make_disjoint_window`` with ``context_len = 1``, and the left
  truncation of ``HFLM._loglikelihood_tokens`` (``model_input``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from bot.evaluation.suite import Task


@dataclass(frozen=True)
class Request:
    """One ``loglikelihood`` request: score ``continuation`` after ``context``.

    ``doc`` indexes ``task.documents``; ``choice`` indexes that document's choices (0 for rolling requests,
    whose ``context`` is empty and whose ``continuation`` is the whole target text)."""

    doc: int
    choice: int
    context: str
    continuation: str


@dataclass(frozen=True)
class Window:
    """One disjoint rolling window: predict ``continuation`` given ``context`` (token ids)."""

    context: tuple[int, ...]
    continuation: tuple[int, ...]


def multiple_choice_requests(task: Task, index: int, doc: dict[str, Any]) -> list[Request]:
    """``construct_requests`` for ``multiple_choice`` (zero-shot, no description, no chat template).

    The context is ``fewshot_context`` with no examples: ``doc_to_text(doc)`` unchanged. Each choice is one
    request ``(context, f"{target_delimiter}{choice}")``, in choice order.
    """
    context = task.text(doc)
    if not isinstance(context, str):
        raise ValueError(f"{task.name} document {index}: doc_to_text gave {type(context).__name__}, not a string")
    delimiter = task.target_delimiter
    return [Request(index, i, context, f"{delimiter}{choice}") for i, choice in enumerate(task.choices(doc))]


def rolling_request(task: Task, index: int, doc: dict[str, Any]) -> Request:
    """``construct_requests`` for ``loglikelihood_rolling``: the one string is ``doc_to_target(doc)``."""
    target = task.target(doc)
    if not isinstance(target, str):
        raise ValueError(f"{task.name} document {index}: doc_to_target gave {type(target).__name__}, not a string")
    return Request(index, 0, "", target)


def task_requests(task: Task) -> list[Request]:
    """All requests of a task, documents in file order, choices in choice order."""
    if task.output_type == "multiple_choice":
        return [r for i, doc in enumerate(task.documents) for r in multiple_choice_requests(task, i, doc)]
    return [rolling_request(task, i, doc) for i, doc in enumerate(task.documents)]


def move_trailing_whitespace(context: str, continuation: str) -> tuple[str, str]:
    """``TemplateLM._encode_pair``'s first step: the context's trailing whitespace joins the continuation."""
    n_spaces = len(context) - len(context.rstrip())
    if n_spaces > 0:
        continuation = context[-n_spaces:] + continuation
        context = context[:-n_spaces]
    return context, continuation


def get_rolling_token_windows(
    token_list: Sequence[int], prefix_token: int, max_seq_len: int, context_len: int
) -> Iterator[tuple[list[int], list[int]]]:
    """``lm_eval.utils.get_rolling_token_windows``: ``(input_tokens, pred_tokens)`` pairs; score only the
    last ``len(pred_tokens)`` logits. The first window predicts ``t[0:min(L, N)]`` from ``[prefix] + t[:n1-1]``;
    each later window predicts up to ``L - context_len + 1`` new tokens from the ``L`` tokens before them."""
    if not 1 <= context_len <= max_seq_len:
        raise ValueError(f"need 1 <= context_len ({context_len}) <= max_seq_len ({max_seq_len})")
    tokens = list(token_list)
    if not tokens:
        return
    pred_len = max_seq_len - context_len + 1
    first_seq_len = min(max_seq_len, len(tokens))
    yield [prefix_token] + tokens[: first_seq_len - 1], tokens[:first_seq_len]
    predicted = first_seq_len
    while predicted < len(tokens):
        window_pred_len = min(len(tokens) - predicted, pred_len)
        window_end = predicted + window_pred_len
        yield (
            tokens[window_end - max_seq_len - 1 : window_end - 1],
            tokens[window_end - window_pred_len : window_end],
        )
        predicted += window_pred_len


def make_disjoint_window(pair: tuple[Sequence[int], Sequence[int]]) -> tuple[list[int], list[int]]:
    """``lm_eval.utils.make_disjoint_window``: cut the context so it does not overlap the continuation."""
    a, b = pair
    return list(a[: len(a) - (len(b) - 1)]), list(b)


def rolling_windows(tokens: Sequence[int], prefix_token: int, max_length: int) -> list[Window]:
    """``HFLM.loglikelihood_rolling``'s windows for one document: disjoint, ``context_len = 1``.

    Every token is predicted exactly once; a document's loglikelihood is the sum over its windows. An empty
    token list has no windows (its loglikelihood is 0.0, as in lm-eval).
    """
    pairs = get_rolling_token_windows(tokens, prefix_token, max_length, context_len=1)
    return [Window(tuple(c), tuple(p)) for c, p in map(make_disjoint_window, pairs)]


def model_input(context: Sequence[int], continuation: Sequence[int], max_length: int) -> tuple[list[int], int]:
    """``HFLM._loglikelihood_tokens``' causal input: ``(ctx + cont)[-(max_length + 1):][:-1]`` (left truncation).

    Returns the input ids and the number of scored positions (``len(continuation)``): the log-probs at
    ``[len(input) - n, len(input))`` are gathered at the continuation tokens.
    """
    if not continuation:
        raise ValueError("an empty continuation has nothing to score")
    if len(continuation) > max_length:
        raise ValueError(f"a continuation of {len(continuation)} tokens does not fit max_length {max_length}")
    whole = list(context) + list(continuation)
    return whole[-(max_length + 1) :][:-1], len(continuation)
