"""Parity with lm-evaluation-harness 0.4.13 (EVAL.md §3-4): the same tiny models, the same task YAML files.

lm-eval's ``HFLM`` scores the requests; Steward's engine must give every per-request loglikelihood and every
metric within 1e-4 at batch size 1, and the aggregates within 1e-4 at batch size 8 (word perplexity, which is
about 1e7 on a random model, within a relative 1e-4). The tasks are small slices of the bundled suites, with
``max_length`` 32 so that rolling documents span several windows and long contexts are left-truncated.

lm-eval 0.4.13 resolves ``data_files`` against the working directory, so the tests run it from the task folder.
"""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import pytest

from bot.evaluation.engine_tasks import evaluate_task
from bot.evaluation.model import load
from bot.evaluation.run import BUNDLED
from bot.evaluation.suite import load_task

MAX_LENGTH = 32
SLICES = {"steward_prose": 3, "steward_agreement": 8, "steward_arithmetic": 6}


@pytest.fixture(scope="module")
def task_dir(tmp_path_factory) -> Path:
    """Each bundled task YAML, unchanged, beside the first documents of its data file."""
    folder = tmp_path_factory.mktemp("parity_tasks")
    for name, count in SLICES.items():
        (folder / f"{name}.yaml").write_bytes((BUNDLED / name / f"{name}.yaml").read_bytes())
        lines = (BUNDLED / name / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()[:count]
        (folder / f"{name}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


@pytest.fixture
def lm_eval_run(task_dir, monkeypatch, tmp_path):
    """``run(model_dir, batch_size)`` → lm-eval's ``simple_evaluate`` output for the sliced tasks."""
    import datasets
    import torch
    import transformers

    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", tmp_path / "datasets")
    monkeypatch.chdir(task_dir)
    from lm_eval import simple_evaluate
    from lm_eval.models.huggingface import HFLM
    from lm_eval.tasks import TaskManager

    def run(model_dir: Path, batch_size: int) -> dict:
        model = transformers.AutoModelForCausalLM.from_pretrained(str(model_dir), dtype=torch.float32)
        tokenizer = transformers.AutoTokenizer.from_pretrained(str(model_dir))
        hflm = HFLM(pretrained=model, tokenizer=tokenizer, device="cpu", max_length=MAX_LENGTH,
                    batch_size=batch_size)  # fmt: skip
        tasks = TaskManager(include_path=str(task_dir), include_defaults=False)
        return simple_evaluate(model=hflm, tasks=list(SLICES), task_manager=tasks, log_samples=True)

    return run


def _ours(model_dir: Path, task_dir: Path, batch_size: int) -> dict:
    lm = load(model_dir, max_length=MAX_LENGTH)
    return {name: evaluate_task(lm, load_task(f"{name}.yaml", task_dir), batch_size=batch_size) for name in SLICES}


def _close(metric: str, ours: float, theirs: float) -> bool:
    if metric == "word_perplexity":
        return math.isclose(ours, theirs, rel_tol=1e-4)
    return abs(ours - theirs) < 1e-4


def _assert_aggregates(ours: dict, theirs: dict) -> None:
    for name, result in ours.items():
        for metric, value in result.results.items():
            reference = theirs["results"][name][metric.replace("_stderr", "_stderr,none") if metric.endswith(
                "_stderr") else f"{metric},none"]  # fmt: skip
            if value is None:
                assert reference == "N/A", (name, metric)
            else:
                assert _close(metric.removesuffix("_stderr"), value, reference), (name, metric, value, reference)


@pytest.mark.parametrize("model_fixture", ["tiny_gpt2", "tiny_llama"])
def test_every_request_and_metric_matches_at_batch_size_1(request, model_fixture, task_dir, lm_eval_run):
    model_dir = request.getfixturevalue(model_fixture)
    theirs = lm_eval_run(model_dir, 1)
    ours = _ours(model_dir, task_dir, 1)
    for name, result in ours.items():
        samples = sorted(theirs["samples"][name], key=lambda s: s["doc_id"])
        assert len(samples) == result.n == SLICES[name]
        if name == "steward_prose":
            lls = [float(s["filtered_resps"][0]) for s in samples]
            assert all(len(s["resps"]) == 1 for s in samples)
            for metric, items in result.items.items():  # (ll, count) per document
                assert [i[1] for i in items] == [s[metric][1] for s in samples]
                assert max(abs(i[0] - s[metric][0]) for i, s in zip(items, samples, strict=True)) < 1e-4
        else:
            lls = [float(r[0]) for s in samples for r in s["filtered_resps"]]
            for metric, items in result.items.items():
                assert items == [s[metric] for s in samples], (name, metric)
        assert len(lls) == len(result.loglikelihoods)
        assert max(abs(a - b) for a, b in zip(lls, result.loglikelihoods, strict=True)) < 1e-4, name
    _assert_aggregates(ours, theirs)
    assert json.dumps(theirs["results"]["steward_prose"]["word_perplexity,none"])  # a real number, not 1.0
    assert theirs["results"]["steward_prose"]["word_perplexity,none"] > 10


def test_aggregates_match_at_batch_size_8(tiny_gpt2, task_dir, lm_eval_run):
    _assert_aggregates(_ours(tiny_gpt2, task_dir, 8), lm_eval_run(tiny_gpt2, 8))


def test_the_sliced_tasks_are_the_bundled_task_files(task_dir):
    for name in SLICES:
        ours = load_task(f"{name}.yaml", task_dir)
        bundled = load_task(f"{name}/{name}.yaml", BUNDLED)
        assert dataclasses.replace(ours, documents=(), source="", data_file="") == dataclasses.replace(
            bundled, documents=(), source="", data_file="")  # fmt: skip
        assert ours.documents == bundled.documents[: SLICES[name]]
