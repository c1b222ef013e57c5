"""Daily snapshots of the slow-moving metric series (METRICS.md §1 "Freshness": the clock's daily job)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Date, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base, BigId, UTCDateTime
from bot.models.community import Contribution
from bot.models.github import Comment, PullRequest


class MetricValue(Base):
    """One figure of one series for one repository and UTC day, computed by one version of the metric's spec.

    ``metric`` is a MetricSpec id (``bot/metrics/spec.py``), ``key`` names the figure inside it
    (``issues.median_hours``, ``code``); ``value`` is null where the metric says "insufficient data"."""

    __tablename__ = "metric_values"
    __table_args__ = (UniqueConstraint("repository_id", "metric", "key", "day", "version"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    repository_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("repositories.id"))
    metric: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(64))
    day: Mapped[date] = mapped_column(Date)
    value: Mapped[float | None] = mapped_column(Float)
    version: Mapped[int] = mapped_column(Integer)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class HealthFigures(Base):
    """Every health metric of one repository over its last ``days`` days, as computed at ``as_of``: served while
    at most ``Settings.metrics_fresh_s`` old, recomputed by the clock while someone looks at it
    (``viewed_at``; ``bot/metrics/figures.py``)."""

    __tablename__ = "health_figures"

    repository_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("repositories.id"), primary_key=True)
    days: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    as_of: Mapped[datetime] = mapped_column(UTCDateTime)
    viewed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    compute_ms: Mapped[float] = mapped_column(Float)
    body: Mapped[dict] = mapped_column(JSON)


# Indexes the health API's queries need at scale (benchmarks/dashboard.py, EXPLAIN ANALYZE on 1M ledger rows),
# declared here with the migration that creates them (0004):
# - M5's "returning author" test looks for an earlier PR by the same author in the same repository;
# - M1's response sources join comments to their issue or PR by (repository, kind, number);
# - the per-person ledger aggregates (M7-M11) read (repository, person, time, kind) from the index alone.
Index("ix_pull_requests_repo_author_created", PullRequest.repository_id, PullRequest.author_id,
      PullRequest.created_at)
Index("ix_comments_repo_kind_number", Comment.repository_id, Comment.kind, Comment.parent_number)
Index("ix_contributions_repo_person_time_kind", Contribution.repository_id, Contribution.person_id,
      Contribution.occurred_at, Contribution.kind)
