"""Two run documents (``run.py``'s JSON) → a ``Verdict``, and the PR comment's Markdown. Pure.

``compare_runs`` pairs base and head per task with ``compare.compare_task`` on the per-document items;
tasks whose suite hash or document count differ, or that only one side ran, are listed as not comparable.
``render`` writes the comment body *without* the hidden marker (the pipeline adds it): headline verdict,
one table row per metric (base, head, Δ, 95% CI, verdict), base and head SHA, items per task, runtime and
per-task details in a ``<details>`` block; always shorter than ``MAX_CHARS`` (details are cut first).
Task and metric names come from PR files, so they are Markdown-escaped.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.evaluation import compare

#: GitHub's comment limit is 65,536 characters; keep room for the pipeline's marker and a footer.
MAX_CHARS = 65_000
CONCLUSIONS = {"regressed": "failure", "improved": "success", "inconclusive": "success", "unchanged": "success"}
HEADLINES = {
    "regressed": "❌ significant regression",
    "improved": "✅ significant improvement",
    "inconclusive": "⚠️ change beyond threshold, not significant",
    "unchanged": "✅ no significant change",
    "incomparable": "➖ nothing to compare",
}
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+!|~])")


@dataclass(frozen=True)
class Verdict:
    """The comparison of two runs. ``tasks``: task → ``compare.Verdict`` for comparable tasks, in head order;
    ``incomparable``: task → reason; ``outcome``: regressed > improved > inconclusive > unchanged, or
    ``incomparable`` when no task could be compared; ``conclusion``: the check run's conclusion."""

    tasks: dict[str, compare.Verdict]
    incomparable: dict[str, str]
    outcome: str
    conclusion: str

    @property
    def regressions(self) -> list[tuple[str, compare.MetricVerdict]]:
        return [(t, m) for t, v in self.tasks.items() for m in v.metrics if m.outcome == "regressed"]

    @property
    def headline(self) -> str:
        return HEADLINES[self.outcome]


def thresholds_for(config: Mapping[str, float]) -> dict[str, compare.Threshold]:
    """Config thresholds (per metric) in the units of the defaults: absolute for accuracies, a fraction of the
    base value for perplexities and bits per byte. Metrics not configured keep ``compare.DEFAULT_THRESHOLDS``."""
    chosen = dict(compare.DEFAULT_THRESHOLDS)
    for metric, value in config.items():
        relative = compare.DEFAULT_THRESHOLDS.get(metric, compare.Threshold(0.0)).relative
        chosen[metric] = compare.Threshold(float(value), relative=relative)
    return chosen


def _items(values: list[Any]) -> list[Any]:
    return [tuple(v) if isinstance(v, list) else v for v in values]


def compare_runs(base: Mapping[str, Any], head: Mapping[str, Any], thresholds: Mapping[str, float]) -> Verdict:
    """Compare every task the head ran against the base's run of the same task."""
    limits = thresholds_for(thresholds)
    tasks: dict[str, compare.Verdict] = {}
    incomparable: dict[str, str] = {}
    for task in list(head.get("results", {})) + [t for t in base.get("results", {}) if t not in head["results"]]:
        if task not in base.get("results", {}):
            incomparable[task] = "not run on the base"
        elif task not in head.get("results", {}):
            incomparable[task] = "not run on the head"
        elif base["suites"].get(task) != head["suites"].get(task):
            incomparable[task] = "the suite differs between base and head"
        elif base["n"].get(task) != head["n"].get(task):
            incomparable[task] = "base and head scored different numbers of documents"
        else:
            meta = head.get("metrics", {}).get(task, {})
            tasks[task] = compare.compare_task(
                {m: _items(v) for m, v in base["items"][task].items()},
                {m: _items(v) for m, v in head["items"][task].items()},
                aggregations={m: info["aggregation"] for m, info in meta.items()},
                thresholds=limits,
                higher_is_better={m: info["higher_is_better"] for m, info in meta.items()},
            )
    outcome = compare.overall([v.outcome for v in tasks.values()]) if tasks else "incomparable"
    conclusion = CONCLUSIONS.get(outcome, "neutral")
    return Verdict(tasks=tasks, incomparable=incomparable, outcome=outcome, conclusion=conclusion)


def escape(text: Any) -> str:
    """Markdown-escape user-supplied text (task and metric names come from PR files); one line. ``<``, ``>``
    and ``&`` become entities, so no HTML tag survives."""
    text = " ".join(str(text).split()).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN.sub(r"\\\1", text)


def number(value: float | None) -> str:
    if value is None:
        return "–"
    if value != value or value in (float("inf"), float("-inf")):
        return str(value)
    return f"{value:.4f}" if abs(value) < 1000 else f"{value:.4g}"


def signed(value: float) -> str:
    return ("+" if value > 0 else "") + number(value) if value != 0 else "0"


def _relative(m: compare.MetricVerdict) -> str:
    return f" ({m.delta / abs(m.base):+.2%})" if m.base and m.delta else ""


def _verdict_cell(m: compare.MetricVerdict) -> str:
    label = {"regressed": "❌ regressed", "improved": "✅ improved", "inconclusive": "⚠️ inconclusive"}
    if m.outcome in label:
        return label[m.outcome]
    return "no significant change" if m.changed else "unchanged (Δ = 0)"


def _table(verdict: Verdict, base: Mapping[str, Any], head: Mapping[str, Any]) -> list[str]:
    rows = ["| metric | base | head | Δ | 95% CI | verdict |", "|---|---:|---:|---:|---|---|"]
    for task, result in verdict.tasks.items():
        for m in result.metrics:
            arrow = "↑" if m.higher_is_better else "↓"
            rows.append(
                f"| {escape(task)} / {escape(m.metric)} {arrow} | {number(m.base)} | {number(m.head)} | "
                f"{signed(m.delta)}{_relative(m)} | [{number(m.ci[0])}, {number(m.ci[1])}] | {_verdict_cell(m)} |"
            )
    for task, reason in verdict.incomparable.items():
        rows.append(f"| {escape(task)} | – | – | – | – | not compared: {escape(reason)} |")
    return rows


def _details(verdict: Verdict, base: Mapping[str, Any], head: Mapping[str, Any]) -> list[str]:
    blocks = []
    for task, result in verdict.tasks.items():
        lines = [f"**{escape(task)}**: {head['n'][task]} documents, suite `{head['suites'][task][:12]}`", ""]
        for m in result.metrics:
            stderr_b = base["results"][task].get(f"{m.metric}_stderr")
            stderr_h = head["results"][task].get(f"{m.metric}_stderr")
            spread = f"; stderr {number(stderr_b)} → {number(stderr_h)}" if stderr_b or stderr_h else ""
            lines.append(
                f"- {escape(m.metric)}: {number(m.base)} → {number(m.head)}, Δ {signed(m.delta)}{_relative(m)}; "
                f"{m.test}, p = {m.p_value:.3g} (α = {result.alpha}); practical threshold {number(m.threshold)}"
                f"{spread}; {m.outcome}"
            )
        blocks.append("\n".join(lines))
    return blocks


def _short(sha: str) -> str:
    return escape(sha[:12]) if sha else "?"


def render(
    verdict: Verdict, base: Mapping[str, Any], head: Mapping[str, Any], *, base_sha: str, head_sha: str,
    runtime_s: float,
) -> str:  # fmt: skip
    """The PR comment body (no hidden marker), always shorter than ``MAX_CHARS``."""
    regressions = verdict.regressions
    summary = (
        "Significant regressions beyond the practical threshold: "
        + ", ".join(f"{escape(t)} / {escape(m.metric)} ({signed(m.delta)})" for t, m in regressions)
        if regressions
        else "A metric is flagged only when |Δ| exceeds its practical threshold and the paired test is significant."
    )
    items = ", ".join(f"{escape(t)} {n}" for t, n in head.get("n", {}).items()) or "none"
    model = head.get("model", {})
    top = [
        f"## Steward evaluation: {verdict.headline}",
        "",
        summary,
        "",
        *_table(verdict, base, head),
        "",
        f"Base `{_short(base_sha)}` → head `{_short(head_sha)}` · items per task: {items} · "
        f"runtime {runtime_s:.1f} s · {escape(head.get('engine_version', '?'))}, "
        f"{escape(model.get('dtype', '?'))}, max length {escape(model.get('max_length', '?'))}",
        "",
    ]
    text = "\n".join(top)
    if len(text) > MAX_CHARS - 200:
        cut = text[: MAX_CHARS - 200].rsplit("\n", 1)[0]
        return cut + "\n\n_Table truncated: too many metrics for one comment._\n"
    opening, closing = "\n<details><summary>Per-task details</summary>\n\n", "\n\n</details>\n"
    room = MAX_CHARS - len(text) - len(opening) - len(closing) - 100
    details = "\n\n".join(_details(verdict, base, head))
    if len(details) > room:
        omitted = len(details) - room
        details = details[:room].rsplit("\n", 1)[0] + f"\n\n_Details truncated ({omitted:,} characters omitted)._"
    return text + opening + details + closing


def render_skipped(reason: str) -> str:
    """The comment body for a PR that was not evaluated (no configured path touched, no approval, ...)."""
    return f"## Steward evaluation: ⏭️ skipped\n\n{escape(reason)[: MAX_CHARS - 100]}\n"


def results(verdict: Any) -> list[dict]:
    """One row per (task, metric) for the run's history: base, head, delta, its CI and the outcome."""
    rows = []
    for task, task_verdict in _tasks(verdict):
        for metric in task_verdict.metrics:
            rows.append({"task": task, "metric": metric.metric, "base": metric.base, "head": metric.head,
                         "delta": metric.delta, "ci_low": metric.ci[0], "ci_high": metric.ci[1],
                         "outcome": metric.outcome})
    return rows


def _tasks(verdict: Any) -> list[tuple[str, Any]]:
    tasks = getattr(verdict, "tasks", None)
    if isinstance(tasks, dict):
        return list(tasks.items())
    if tasks is not None:
        return [(getattr(t, "task", getattr(t, "name", "")), t) for t in tasks]
    return [(getattr(verdict, "task", ""), verdict)]
