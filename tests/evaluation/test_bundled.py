"""The bundled suites: shipped as package data, generated deterministically, and carrying real signal."""

import json
import re
import tomllib
from pathlib import Path

from bot.evaluation.run import BUNDLED, bundled_suites, resolve_task
from bot.evaluation.suites import generate

ROOT = Path(__file__).resolve().parents[2]


def test_three_bundled_suites_load_and_name_their_task_after_their_folder():
    assert bundled_suites() == ["steward_agreement", "steward_arithmetic", "steward_prose"]
    for name in bundled_suites():
        task, root = resolve_task(name)
        assert task.name == name and root == BUNDLED and task.version == 1


def test_the_shipped_data_is_exactly_what_the_generator_writes(tmp_path):
    assert generate.main([str(tmp_path)]) == 0
    for relative in generate.GENERATED:
        assert (tmp_path / relative).read_bytes() == (BUNDLED / relative).read_bytes(), relative


def test_package_data_includes_every_suite_file():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["bot.evaluation.suites"]
    shipped = {p.relative_to(BUNDLED).as_posix() for pattern in patterns for p in BUNDLED.glob(pattern)}
    data = {p.relative_to(BUNDLED).as_posix() for p in BUNDLED.glob("*/*") if p.suffix in (".yaml", ".jsonl")}
    assert shipped == data and len(data) == 6
    assert (BUNDLED / "__init__.py").is_file()


def test_agreement_pairs_are_minimal_and_balanced():
    task, _ = resolve_task("steward_agreement")
    labels = [doc["label"] for doc in task.documents]
    assert len(labels) == 160 and labels.count(0) == labels.count(1) == 80
    for doc in task.documents:
        singular, plural = task.choices(doc)
        assert singular.split(" ", 1)[1] == plural.split(" ", 1)[1]  # only the verb differs
        assert len(singular) != len(plural)  # so acc_norm is not acc
    assert len({doc["prefix"] for doc in task.documents}) > 100


def test_arithmetic_answers_are_right_and_unique():
    task, _ = resolve_task("steward_arithmetic")
    for doc in task.documents:
        a, op, b = re.search(r"What is (\d+) (plus|minus) (\d+)\?", doc["question"]).groups()
        answer = int(a) + int(b) if op == "plus" else int(a) - int(b)
        choices = task.choices(doc)
        assert len(choices) == len(set(choices)) == 4
        assert choices[task.target(doc)] == str(answer)
    golds = [task.target(doc) for doc in task.documents]
    assert len(set(golds)) == 4  # the answer is not always in the same place


def test_prose_is_project_written_paragraphs():
    task, _ = resolve_task("steward_prose")
    texts = [task.target(doc) for doc in task.documents]
    assert len(texts) == len(set(texts)) == 16
    assert all(300 < len(t) < 700 and t.isascii() and "\n" not in t for t in texts)
    lines = (BUNDLED / "steward_prose" / "steward_prose.jsonl").read_text().splitlines()
    assert [json.loads(line)["text"] for line in lines] == texts
