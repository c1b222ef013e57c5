"""``steward eval``: evaluate a model directory, or compare a base and a head model, from the command line.

``steward eval --model DIR`` prints one row per metric and writes ``run.py``'s JSON with ``--json``;
``steward eval --base DIR --head DIR`` evaluates both and prints exactly the Markdown the PR comment would
show (``report.render``). Progress bars go to stderr, so stdout stays clean for the Markdown.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import click

from bot.evaluation import report, run
from bot.evaluation.files import SuiteError
from bot.evaluation.model import ModelError


class EvalFailed(click.ClickException):
    exit_code = 2


class _Bars:
    """One click progress bar per task, on stderr."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.bar: Any = None
        self.task = ""

    def __call__(self, task: str, done: int, total: int) -> None:
        if task != self.task:
            self.close()
            self.task = task
            self.bar = click.progressbar(length=total, label=f"{self.label}{task}", file=sys.stderr,
                                         show_pos=False, show_percent=True)  # fmt: skip
            self.bar.__enter__()
        self.bar.update(done - self.bar.pos)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def _evaluate(model: str, label: str, options: dict[str, Any]) -> dict[str, Any]:
    bars = _Bars(label)
    try:
        return run.evaluate(model, progress=bars, **options)
    except (ModelError, SuiteError, run.RunError) as exc:
        raise EvalFailed(" ".join(str(exc).split())) from None
    finally:
        bars.close()


def _table(document: dict[str, Any]) -> str:
    lines = [f"{'task':<28} {'metric':<18} {'value':>14} {'stderr':>10} {'n':>6}"]
    for task, row in document["results"].items():
        for metric, value in row.items():
            if metric.endswith("_stderr"):
                continue
            stderr = row.get(f"{metric}_stderr")
            shown = "-" if stderr is None else f"{stderr:.4f}"
            lines.append(f"{task:<28} {metric:<18} {value:>14.6g} {shown:>10} {document['n'][task]:>6}")
    model = document["model"]
    lines.append(f"model {model['path']} ({model['parameters']:,} parameters, {model['dtype']}, "
                 f"max length {model['max_length']}), {document['runtime_s']:.1f} s")  # fmt: skip
    return "\n".join(lines)


def _thresholds(values: tuple[str, ...]) -> dict[str, float]:
    chosen = {}
    for value in values:
        metric, sep, number = value.partition("=")
        try:
            chosen[metric.strip()] = float(number)
        except ValueError:
            sep = ""
        if not sep or chosen.get(metric.strip(), -1) < 0:
            raise click.BadParameter(f"expected METRIC=NUMBER (>= 0), got {value!r}", param_hint="--threshold")
    return chosen


@click.command("eval")
@click.option("--model", type=click.Path(file_okay=False), help="Evaluate this model directory.")
@click.option("--base", type=click.Path(file_okay=False), help="Compare: the base model directory.")
@click.option("--head", type=click.Path(file_okay=False), help="Compare: the head model directory.")
@click.option("--suite", "suites", multiple=True, help="A bundled suite name or a task YAML file (repeatable).")
@click.option("--root", type=click.Path(file_okay=False), help="Folder that task files and their data must lie in.")
@click.option("--max-length", type=click.IntRange(min=1), help="Context length (default: the model's limit).")
@click.option("--batch-size", type=click.IntRange(min=1), default=8, show_default=True,
              help="Packed rows per forward pass.")  # fmt: skip
@click.option("--device", default="cpu", show_default=True, help="cpu, cuda, cuda:N, mps or auto.")
@click.option("--threshold", "thresholds", multiple=True, metavar="METRIC=NUMBER",
              help="Practical threshold (accuracies: absolute; perplexities: fraction of the base).")  # fmt: skip
@click.option("--base-sha", default="", help="Base commit to print in the comparison.")
@click.option("--head-sha", default="", help="Head commit to print in the comparison.")
@click.option("--json", "out", type=click.Path(dir_okay=False), help="Write the results as JSON here.")
def eval_command(
    model: str | None, base: str | None, head: str | None, suites: tuple[str, ...], root: str | None,
    max_length: int | None, batch_size: int, device: str, thresholds: tuple[str, ...], base_sha: str,
    head_sha: str, out: str | None,
) -> None:  # fmt: skip
    """Evaluate a model on the bundled suites (or task files), or compare a base and a head model."""
    if bool(model) == bool(base or head) or bool(base) != bool(head):
        raise click.UsageError("give either --model DIR, or both --base DIR and --head DIR")
    limits = _thresholds(thresholds)
    options = {"suites": suites, "root": root, "max_length": max_length, "batch_size": batch_size,
               "device": device}  # fmt: skip
    if model:
        document = _evaluate(model, "", options)
        if out:
            Path(out).write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
        click.echo(_table(document))
        return
    started = time.perf_counter()
    base_doc = _evaluate(base, "base ", options)
    head_doc = _evaluate(head, "head ", options)
    if out:
        Path(out).write_text(json.dumps({"base": base_doc, "head": head_doc}, indent=1) + "\n", encoding="utf-8")
    verdict = report.compare_runs(base_doc, head_doc, limits)
    click.echo(report.render(verdict, base_doc, head_doc, base_sha=base_sha or "base", head_sha=head_sha or "head",
                             runtime_s=time.perf_counter() - started), nl=False)  # fmt: skip
