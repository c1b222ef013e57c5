"""PR evaluation history for the evaluations page: runs of ``bot.models.EvalRun`` (when evaluations are
installed) regrouped per (task, metric) into points over time. Malformed result entries are skipped."""

from __future__ import annotations

import math
from numbers import Real

from sqlalchemy import select
from sqlalchemy.orm import Session

import bot.models
from bot import outbound

MAX_RUNS = 200
COMMENT_MARKER = "evaluation"  # the PR-evaluation comment's marker (bot/evaluation/pipeline.py)


def evaluation_runs(uow: Session, repo_id: int, limit: int = MAX_RUNS) -> list | None:
    """The repository's latest runs, newest first; None while this Steward has no evaluation model."""
    model = getattr(bot.models, "EvalRun", None)
    if model is None:
        return None
    return list(uow.scalars(select(model).where(model.repository_id == repo_id)
                            .order_by(model.created_at.desc(), model.id.desc()).limit(limit)))


def _number(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, Real):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def evaluation_history(runs) -> list[dict]:
    """``[{"task", "metric", "points": [{at, pr_number, head_sha, base, head, delta, ci_low, ci_high, outcome}]}]``,
    points oldest first, series sorted by task then metric."""
    series: dict[tuple[str, str], list[dict]] = {}
    for run in sorted(runs, key=lambda r: (r.created_at is None, r.created_at, r.id)):
        for result in run.results if isinstance(run.results, list) else []:
            if not isinstance(result, dict):
                continue
            task, metric = result.get("task"), result.get("metric")
            if not isinstance(task, str) or not isinstance(metric, str):
                continue
            series.setdefault((task, metric), []).append({
                "at": run.created_at.isoformat().replace("+00:00", "Z") if run.created_at else None,
                "pr_number": run.pr_number, "head_sha": (run.head_sha or "")[:10],
                **{k: _number(result.get(k)) for k in ("base", "head", "delta", "ci_low", "ci_high")},
                "outcome": result.get("outcome") if isinstance(result.get("outcome"), str) else None})
    return [{"task": task, "metric": metric, "points": points} for (task, metric), points in sorted(series.items())]


def latest_comment(uow: Session, repository: str) -> str | None:
    """The newest PR-evaluation comment Steward sent, or recorded as a dry run, on ``repository`` (Markdown)."""
    rows = uow.scalars(select(bot.models.OutboundWrite.payload).where(
        bot.models.OutboundWrite.repository == repository, bot.models.OutboundWrite.kind == "comment",
        bot.models.OutboundWrite.status.in_((outbound.SENT, outbound.DRY_RUN)))
        .order_by(bot.models.OutboundWrite.id.desc()).limit(50))
    for payload in rows:
        body = payload.get("body") if isinstance(payload, dict) else None
        if isinstance(body, str) and payload.get("marker") == COMMENT_MARKER:
            return body
    return None
