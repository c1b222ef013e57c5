"""PR evaluation: one ``EvalRun`` per evaluated (or waiting) head, maintainers' approvals, cached results.

``EvalRun`` is what the dashboard's evaluation history reads: status, SHAs, conclusion and one result row per
(task, metric). ``EvalApproval`` pins a maintainer's ``/evaluate`` to the head SHA it was given for.
``EvalResultCache`` keeps one model's results on one set of evaluation inputs, keyed by (model content hash,
inputs hash, engine version, settings), so an unchanged base or head is never evaluated twice.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, Float, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base, BigId, UTCDateTime

# EvalRun.status
WAITING, QUEUED, RUNNING, COMPLETED, CANCELLED, SKIPPED = (
    "waiting", "queued", "running", "completed", "cancelled", "skipped")
ACTIVE = (WAITING, QUEUED, RUNNING)
# EvalRun.conclusion (None while not finished)
SUCCESS, FAILURE, NEUTRAL = "success", "failure", "neutral"


class EvalRun(Base):
    """One evaluation of a pull request's head against its base (or one waiting for a maintainer)."""

    __tablename__ = "eval_runs"
    __table_args__ = (Index("ix_eval_runs_repository_id_pr_number", "repository_id", "pr_number"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    repository_id: Mapped[int] = mapped_column(BigInteger)
    repository: Mapped[str] = mapped_column(String(200))  # owner/name, for publishing
    installation_id: Mapped[int | None] = mapped_column(BigInteger)
    pr_number: Mapped[int] = mapped_column(Integer)
    base_sha: Mapped[str] = mapped_column(String(64))
    head_sha: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))  # waiting | queued | running | completed | cancelled | skipped
    # success | failure | neutral | cancelled | skipped | None
    conclusion: Mapped[str | None] = mapped_column(String(16))
    trusted: Mapped[bool] = mapped_column(Boolean, default=False)  # the author, not an approval, allowed it
    approved_by: Mapped[str | None] = mapped_column(String(100))  # the maintainer whose /evaluate queued it
    check_run_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    runtime_s: Mapped[float | None] = mapped_column(Float)  # evaluation time (0 when every side was cached)
    # [{task, metric, base, head, delta, ci_low, ci_high, outcome}]
    results: Mapped[list | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)


class EvalApproval(Base):
    """A maintainer's ``/evaluate`` for exactly one head SHA of one pull request; a new push needs a new one."""

    __tablename__ = "eval_approvals"
    __table_args__ = (UniqueConstraint("repository_id", "pr_number", "head_sha"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    repository_id: Mapped[int] = mapped_column(BigInteger)
    pr_number: Mapped[int] = mapped_column(Integer)
    head_sha: Mapped[str] = mapped_column(String(64))
    approved_by: Mapped[str] = mapped_column(String(100))
    comment_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class EvalResultCache(Base):
    """The evaluator's JSON for one model on one set of inputs (``bot/evaluation/cache.py`` makes the key)."""

    __tablename__ = "eval_result_cache"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    model_hash: Mapped[str] = mapped_column(String(64))
    inputs_hash: Mapped[str] = mapped_column(String(64))
    engine_version: Mapped[str] = mapped_column(String(64))
    result: Mapped[dict] = mapped_column(JSON)
    runtime_s: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
