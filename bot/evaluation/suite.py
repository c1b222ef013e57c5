"""lm-eval task YAML (Steward's subset, EVAL.md §1) → frozen ``Task`` and ``Suite`` objects, with their documents.

Suite files come from pull requests, so everything is checked before anything runs: ``yaml.safe_load`` only
(the ``!function`` tag is refused), unknown keys and wrong types are rejected with a path-qualified message
(``pol.yaml: doc_to_txt: unknown key; did you mean doc_to_text?``), data files must be plain relative paths
that resolve, symlinks followed, inside the given root, and every document is run through the templates at
load time so that a bad document is reported by number rather than failing mid-evaluation.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.evaluation import prompts
from bot.evaluation.aggregate import DEFAULT_AGGREGATION, DEFAULT_METRICS, HIGHER_IS_BETTER
from bot.evaluation.files import SuiteError, kind_of, read_documents, read_yaml, resolve_data_file

OUTPUT_TYPES = ("multiple_choice", "loglikelihood_rolling")
KEYS = (
    "task", "output_type", "dataset_path", "dataset_kwargs", "test_split", "doc_to_text", "doc_to_target",
    "doc_to_choice", "target_delimiter", "fewshot_delimiter", "num_fewshot", "metric_list", "metadata",
)  # fmt: skip
REQUIRED = ("task", "output_type", "dataset_path", "dataset_kwargs", "doc_to_text", "doc_to_target", "metadata")
METRIC_KEYS = ("metric", "aggregation", "higher_is_better")
#: Aggregations that make sense for each metric's items (0/1 floats, or ``(ll, count)`` pairs).
METRIC_AGGREGATIONS = {
    "acc": ("mean",),
    "acc_norm": ("mean",),
    "word_perplexity": ("weighted_perplexity", "bits_per_byte"),
    "byte_perplexity": ("weighted_perplexity", "bits_per_byte"),
    "bits_per_byte": ("weighted_perplexity", "bits_per_byte"),
}


@dataclass(frozen=True)
class Metric:
    name: str
    aggregation: str
    higher_is_better: bool


@dataclass(frozen=True)
class Task:
    """One lm-eval task. ``doc_to_*`` keep lm-eval's raw specs (lists as tuples); use ``text``, ``target`` and
    ``choices`` for the per-document values. ``documents`` is the ``test_split``, in file order."""

    name: str
    output_type: str
    version: int | float | str
    source: str
    data_file: str
    test_split: str
    doc_to_text: str
    doc_to_target: str | int | tuple
    doc_to_choice: str | tuple | None
    target_delimiter: str
    fewshot_delimiter: str
    metrics: tuple[Metric, ...]
    features: tuple[str, ...]
    documents: tuple[dict[str, Any], ...]

    def text(self, doc: Mapping[str, Any]) -> Any:
        return prompts.doc_to_text(self.doc_to_text, doc, self.features, self.doc_to_choice is not None)

    def target(self, doc: Mapping[str, Any]) -> Any:
        spec = list(self.doc_to_target) if isinstance(self.doc_to_target, tuple) else self.doc_to_target
        return prompts.doc_to_target(spec, doc, self.features, self.doc_to_choice is not None)

    def choices(self, doc: Mapping[str, Any]) -> Any:
        if self.doc_to_choice is None:
            raise ValueError(f"task {self.name!r} has no doc_to_choice")
        spec = list(self.doc_to_choice) if isinstance(self.doc_to_choice, tuple) else self.doc_to_choice
        return prompts.doc_to_choice(spec, doc, self.features)


@dataclass(frozen=True)
class Suite:
    name: str
    tasks: tuple[Task, ...]

    def task(self, name: str) -> Task:
        for task in self.tasks:
            if task.name == name:
                return task
        raise KeyError(name)


def load_suite(name: str, files: Iterable[str | os.PathLike[str]], root: str | os.PathLike[str]) -> Suite:
    """Load task YAML files (each one lm-eval task) into a suite; task names must be unique."""
    tasks: list[Task] = []
    for file in files:
        task = load_task(file, root)
        if any(t.name == task.name for t in tasks):
            raise SuiteError(f"{task.source}: task: {task.name!r} is already defined in this suite")
        tasks.append(task)
    if not tasks:
        raise SuiteError(f"{name}: the suite has no task files")
    return Suite(name, tuple(tasks))


def load_task(file: str | os.PathLike[str], root: str | os.PathLike[str]) -> Task:
    """Load one task YAML. ``file`` is absolute or relative to ``root``; it and its data must lie inside it."""
    real_root = Path(os.path.realpath(root))
    path = Path(os.path.realpath(real_root / file))
    if not path.is_relative_to(real_root) or not path.is_file():
        raise SuiteError(f"{file}: not a file inside the repository")
    source = path.relative_to(real_root).as_posix()
    config = read_yaml(path, source)
    where = _Where(source)
    _check_keys(config, KEYS, where, "")
    for key in REQUIRED:
        if key not in config:
            raise SuiteError(where(key, "required key is missing"))

    name = _typed(config, "task", str, where)
    output_type = _typed(config, "output_type", str, where)
    if output_type not in OUTPUT_TYPES:
        raise SuiteError(where("output_type", f"expected one of {', '.join(OUTPUT_TYPES)}, got {output_type!r}"))
    if _typed(config, "dataset_path", str, where) != "json":
        raise SuiteError(where("dataset_path", "only 'json' (local JSON or JSON Lines files) is supported"))
    if config.get("num_fewshot", 0) != 0 or isinstance(config.get("num_fewshot"), bool):
        raise SuiteError(where("num_fewshot", "only 0 (zero-shot) is supported"))
    metadata = config["metadata"]
    if not isinstance(metadata, dict):
        raise SuiteError(where("metadata", f"expected a mapping, got {kind_of(metadata)}"))
    _check_keys(metadata, ("version",), where, "metadata.")
    if "version" not in metadata:
        raise SuiteError(where("metadata.version", "required key is missing (it is part of the cache key)"))
    version = _typed(metadata, "version", (int, float, str), where, "metadata.")

    splits = _data_files(config["dataset_kwargs"], where)
    test_split = _typed(config, "test_split", str, where, default="test")
    if test_split not in splits:
        raise SuiteError(
            where(
                "test_split",
                f"{test_split!r} is not a split of dataset_kwargs.data_files "
                f"(splits: {', '.join(sorted(splits))}; a plain string is the split 'train')",
            )
        )
    data_where = f"dataset_kwargs.data_files.{test_split}" if isinstance(
        config["dataset_kwargs"]["data_files"], dict) else "dataset_kwargs.data_files"  # fmt: skip
    data_path = resolve_data_file(splits[test_split], path.parent, real_root, where, data_where)
    documents = read_documents(data_path, data_path.relative_to(real_root).as_posix())
    features = tuple(dict.fromkeys(key for doc in documents for key in doc))
    documents = tuple({key: doc.get(key) for key in features} for doc in documents)  # HF fills missing with None

    doc_to_text = _typed(config, "doc_to_text", str, where)
    doc_to_target = config["doc_to_target"]
    if isinstance(doc_to_target, bool) or not isinstance(doc_to_target, str | int | list):
        got = kind_of(doc_to_target)
        raise SuiteError(where("doc_to_target", f"expected a field name, a template or an int, got {got}"))
    doc_to_choice = config.get("doc_to_choice")
    if output_type == "multiple_choice":
        if doc_to_choice is None:
            raise SuiteError(where("doc_to_choice", "required for multiple_choice"))
        if isinstance(doc_to_choice, dict):
            doc_to_choice = list(doc_to_choice.values())
        if isinstance(doc_to_choice, list) and not all(isinstance(c, str) for c in doc_to_choice):
            raise SuiteError(where("doc_to_choice", "a list of choices must hold only strings"))
        if not isinstance(doc_to_choice, str | list):
            got = kind_of(doc_to_choice)
            raise SuiteError(where("doc_to_choice", f"expected a field name, a template or a list, got {got}"))
    elif doc_to_choice is not None:
        raise SuiteError(where("doc_to_choice", "only multiple_choice tasks have choices"))

    task = Task(
        name=name,
        output_type=output_type,
        version=version,
        source=source,
        data_file=data_path.relative_to(real_root).as_posix(),
        test_split=test_split,
        doc_to_text=doc_to_text,
        doc_to_target=tuple(doc_to_target) if isinstance(doc_to_target, list) else doc_to_target,
        doc_to_choice=tuple(doc_to_choice) if isinstance(doc_to_choice, list) else doc_to_choice,
        target_delimiter=_typed(config, "target_delimiter", str, where, default=" "),
        fewshot_delimiter=_typed(config, "fewshot_delimiter", str, where, default="\n\n"),
        metrics=_metrics(config.get("metric_list"), output_type, where),
        features=features,
        documents=documents,
    )
    for key in ("doc_to_text", "doc_to_target", "doc_to_choice"):
        spec = config.get(key)
        if isinstance(spec, str) and spec not in features:
            try:
                prompts.compile_template(spec)
            except prompts.PromptError as exc:
                raise SuiteError(where(key, str(exc))) from None
    _check_documents(task)
    return task


class _Where:
    def __init__(self, source: str) -> None:
        self.source = source

    def __call__(self, key: str, message: str) -> str:
        return f"{self.source}: {key}: {message}"


def _check_keys(mapping: Mapping[Any, Any], allowed: tuple[str, ...], where: _Where, prefix: str) -> None:
    for key in mapping:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), allowed, n=1)
            hint = f"; did you mean {close[0]}?" if close else f"; expected one of {', '.join(allowed)}"
            raise SuiteError(where(f"{prefix}{key}", f"unknown key{hint}"))


def _typed(mapping: Mapping[str, Any], key: str, kind: Any, where: _Where, prefix: str = "", **default: Any) -> Any:
    if key not in mapping and default:
        return default["default"]
    value = mapping[key]
    if isinstance(value, bool) or not isinstance(value, kind):
        names = " or ".join(k.__name__ for k in (kind if isinstance(kind, tuple) else (kind,)))
        raise SuiteError(where(f"{prefix}{key}", f"expected {names}, got {kind_of(value)}"))
    return value


def _data_files(kwargs: Any, where: _Where) -> dict[str, str]:
    if not isinstance(kwargs, dict):
        raise SuiteError(where("dataset_kwargs", f"expected a mapping, got {kind_of(kwargs)}"))
    _check_keys(kwargs, ("data_files",), where, "dataset_kwargs.")
    files = kwargs.get("data_files")
    if isinstance(files, str):
        return {"train": files}  # datasets.load_dataset("json", data_files="x") names its one split "train"
    if not isinstance(files, dict) or not files:
        message = f"expected a path or a mapping of split to path, got {kind_of(files)}"
        raise SuiteError(where("dataset_kwargs.data_files", message))
    for split, file in files.items():
        if not isinstance(split, str) or not isinstance(file, str):
            raise SuiteError(where(f"dataset_kwargs.data_files.{split}", f"expected a path, got {kind_of(file)}"))
    return files


def _metrics(items: Any, output_type: str, where: _Where) -> tuple[Metric, ...]:
    if items is None:
        names = DEFAULT_METRICS[output_type]
        return tuple(Metric(n, DEFAULT_AGGREGATION[n], HIGHER_IS_BETTER[n]) for n in names)
    if not isinstance(items, list) or not items:
        raise SuiteError(where("metric_list", f"expected a non-empty list, got {kind_of(items)}"))
    metrics: list[Metric] = []
    for i, item in enumerate(items):
        at = f"metric_list[{i}]"
        if not isinstance(item, dict):
            raise SuiteError(where(at, f"expected a mapping, got {kind_of(item)}"))
        _check_keys(item, METRIC_KEYS, where, f"{at}.")
        if "metric" not in item:
            raise SuiteError(where(f"{at}.metric", "required key is missing"))
        name = _typed(item, "metric", str, where, f"{at}.")
        if name not in DEFAULT_METRICS[output_type]:
            supported = ", ".join(DEFAULT_METRICS[output_type])
            raise SuiteError(where(f"{at}.metric", f"{output_type} supports {supported}, not {name!r}"))
        aggregation = _typed(item, "aggregation", str, where, f"{at}.", default=DEFAULT_AGGREGATION[name])
        if aggregation not in METRIC_AGGREGATIONS[name]:
            supported = ", ".join(METRIC_AGGREGATIONS[name])
            raise SuiteError(where(f"{at}.aggregation", f"{name} supports {supported}, not {aggregation!r}"))
        higher = item.get("higher_is_better", HIGHER_IS_BETTER[name])
        if not isinstance(higher, bool):
            raise SuiteError(where(f"{at}.higher_is_better", f"expected true or false, got {kind_of(higher)}"))
        if any(m.name == name for m in metrics):
            raise SuiteError(where(f"{at}.metric", f"{name!r} is listed twice"))
        metrics.append(Metric(name, aggregation, higher))
    return tuple(metrics)


def _check_documents(task: Task) -> None:
    """Run every document through the templates, as lm-eval would mid-run, and check the shapes."""
    for number, doc in enumerate(task.documents):
        at = f"{task.data_file}: document {number}"
        try:
            text, target = task.text(doc), task.target(doc)
            choices = task.choices(doc) if task.output_type == "multiple_choice" else None
        except prompts.PromptError as exc:
            raise SuiteError(f"{at}: {exc}") from None
        if task.output_type == "loglikelihood_rolling":
            if not isinstance(target, str):
                raise SuiteError(f"{at}: doc_to_target must give the text to score, got {kind_of(target)}")
            continue
        if not isinstance(text, str):
            raise SuiteError(f"{at}: doc_to_text gave {kind_of(text)}; multiple-input tasks are not supported")
        if not isinstance(choices, list) or not choices or not all(isinstance(c, str) for c in choices):
            raise SuiteError(f"{at}: doc_to_choice must give a non-empty list of strings, got {choices!r:.80}")
        golds = target if isinstance(target, list) else [target]
        for gold in golds:
            ok = (gold in choices) if isinstance(gold, str) else (isinstance(gold, int) and 0 <= gold < len(choices))
            if isinstance(gold, bool) or not ok:
                problem = f"not one of the choices or an index into {len(choices)} choices"
                raise SuiteError(f"{at}: doc_to_target gave {gold!r:.80}, {problem}")
