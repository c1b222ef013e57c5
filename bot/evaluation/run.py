"""``python -m bot.evaluation.run``: evaluate one model directory on suites and write the results as JSON.

This is what the evaluation pipeline runs in its sandboxed child process::

    python -m bot.evaluation.run --model DIR [--suite NAME|FILE.yaml]... [--root DIR] [--max-length N]
        [--batch-size N] [--device cpu] [--dtype float32] [--progress] --json OUT

Without ``--suite`` every bundled suite runs. A task file is resolved inside ``--root`` (default: its own
folder), and so are its data files. Exit status 0 on success; 2 with one line on stderr for a bad model,
suite or argument. The JSON (``RESULT_KEYS``)::

    {"results": {task: {metric: value, "<metric>_stderr": value or null}}, "n": {task: documents},
     "model": {"path", "content_hash", "parameters", "dtype", "max_length", "device", "batch_size"},
     "items": {task: {metric: [per-document items in document order]}},
     "metrics": {task: {metric: {"aggregation", "higher_is_better"}}},
     "suites": {task: suite content hash}, "engine_version": str, "runtime_s": float}
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bot.evaluation.files import SuiteError
from bot.evaluation.suite import Task, load_task

ENGINE_VERSION = "steward-eval/1"
BUNDLED = Path(__file__).resolve().parent / "suites"
RESULT_KEYS = ("results", "n", "model", "items", "metrics", "suites", "engine_version", "runtime_s")
#: ``progress(task, done, total)``: work units (tokens) done in the current task.
TaskProgress = Callable[[str, int, int], None]


class RunError(ValueError):
    """Bad input to a run (model, suite or option); one line, fit to show as is."""


def bundled_suites() -> list[str]:
    """Names of the suites shipped in the package (``suites/<name>/<name>.yaml``)."""
    return sorted(p.parent.name for p in BUNDLED.glob("*/*.yaml") if p.stem == p.parent.name)


def resolve_task(reference: str, root: str | None = None) -> tuple[Task, Path]:
    """A bundled suite name or a task YAML path → ``(task, root it was loaded from)``."""
    if reference.endswith((".yaml", ".yml")):
        path = Path(reference).resolve()
        base = Path(root).resolve() if root else path.parent
        return load_task(path, base), base
    if reference not in bundled_suites():
        known = ", ".join(bundled_suites())
        raise RunError(f"suite {reference!r}: not a bundled suite ({known}) nor a task file ending in .yaml")
    return load_task(f"{reference}/{reference}.yaml", BUNDLED), BUNDLED


def suite_hash(task: Task, root: Path) -> str:
    """sha256 over the task YAML's bytes and its data file's bytes (the suite part of the cache key)."""
    digest = hashlib.sha256()
    for relative in (task.source, task.data_file):
        data = (root / relative).read_bytes()
        digest.update(relative.encode() + b"\0" + str(len(data)).encode() + b"\0" + data)
    return digest.hexdigest()


def resolve_device(device: str) -> str:
    if device != "auto":
        return device
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def evaluate(
    model_dir: str,
    suites: Sequence[str] = (),
    *,
    root: str | None = None,
    max_length: int | None = None,
    batch_size: int = 1,
    device: str = "cpu",
    dtype: str = "float32",
    progress: TaskProgress | None = None,
) -> dict[str, Any]:
    """Run the suites on the model and return the result document (see the module docstring)."""
    from bot.evaluation.engine_tasks import evaluate_task
    from bot.evaluation.model import content_hash, load

    started = time.perf_counter()
    if batch_size < 1:
        raise RunError(f"batch size: expected a positive number, got {batch_size}")
    loaded = [resolve_task(ref, root) for ref in (suites or bundled_suites())]
    names = [task.name for task, _ in loaded]
    if len(set(names)) != len(names):
        raise RunError(f"the same task is listed twice: {', '.join(sorted(n for n in names if names.count(n) > 1))}")
    lm = load(model_dir, device=resolve_device(device), dtype=dtype, max_length=max_length)
    document: dict[str, Any] = {key: {} for key in RESULT_KEYS}
    document["model"] = {
        "path": str(model_dir),
        "content_hash": content_hash(model_dir),
        "parameters": lm.parameters,
        "dtype": lm.dtype,
        "max_length": lm.max_length,
        "device": lm.device,
        "batch_size": batch_size,
    }
    for task, task_root in loaded:
        def report(done: int, total: int, name: str = task.name) -> None:
            if progress:
                progress(name, done, total)

        try:
            result = evaluate_task(lm, task, batch_size=batch_size, progress=report)
        except ValueError as exc:
            raise RunError(f"{task.name}: {exc}") from None
        document["results"][task.name] = result.results
        document["n"][task.name] = result.n
        document["items"][task.name] = result.items
        document["metrics"][task.name] = {
            m.name: {"aggregation": m.aggregation, "higher_is_better": m.higher_is_better} for m in task.metrics
        }
        document["suites"][task.name] = suite_hash(task, task_root)
    document["engine_version"] = ENGINE_VERSION
    document["runtime_s"] = round(time.perf_counter() - started, 3)
    return document


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot.evaluation.run", description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="a local HF-format model directory (safetensors)")
    parser.add_argument("--suite", action="append", default=[], help="a bundled suite name or a task YAML file")
    parser.add_argument("--root", help="the folder task files and their data must lie in (default: their own)")
    parser.add_argument("--max-length", type=int, help="context length (default: the model's own limit)")
    parser.add_argument("--batch-size", type=int, default=1, help="packed rows per forward pass")
    parser.add_argument("--device", default="cpu", help="cpu, cuda, cuda:N, mps or auto")
    parser.add_argument("--dtype", default="float32", choices=("float32", "bfloat16", "float16"))
    parser.add_argument("--progress", action="store_true", help="print progress lines on stderr")
    parser.add_argument("--json", required=True, dest="out", help="where to write the results")
    return parser


def _stderr_progress(task: str, done: int, total: int) -> None:
    print(f"{task}: {done}/{total} tokens", file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    from bot.evaluation.model import ModelError

    args = _parser().parse_args(argv)
    try:
        document = evaluate(
            args.model,
            args.suite,
            root=args.root,
            max_length=args.max_length,
            batch_size=args.batch_size,
            device=args.device,
            dtype=args.dtype,
            progress=_stderr_progress if args.progress else None,
        )
    except (ModelError, SuiteError, RunError) as exc:
        print("error: " + " ".join(str(exc).split()), file=sys.stderr)
        return 2
    Path(args.out).write_text(json.dumps(document, indent=1, allow_nan=True) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
