"""What Steward does on GitHub: writes (sent, or recorded when dry), marked comments, backfill progress."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base, BigId, UTCDateTime


class OutboundWrite(Base):
    """Every write Steward makes or would make on GitHub. With no App credentials Steward runs dry:
    the write is recorded here (status ``dry_run``) and shown to the operator instead of being sent."""

    __tablename__ = "outbound_writes"
    __table_args__ = (Index("ix_outbound_writes_created_at", "created_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    installation_id: Mapped[int | None] = mapped_column(BigInteger)
    repository: Mapped[str] = mapped_column(String(200))  # owner/name
    kind: Mapped[str] = mapped_column(String(32))  # comment | check_run | labels | reaction | redelivery
    target: Mapped[str] = mapped_column(String(255))  # e.g. "issues/5", "check-runs/123", "commits/<sha>"
    payload: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))  # dry_run | sent | failed
    error: Mapped[str | None] = mapped_column(Text)
    github_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class MarkedComment(Base):
    """The one comment per (repository, issue, marker) that Steward edits in place."""

    __tablename__ = "marked_comments"
    repository: Mapped[str] = mapped_column(String(200), primary_key=True)
    issue_number: Mapped[int] = mapped_column(Integer, primary_key=True)
    marker: Mapped[str] = mapped_column(String(200), primary_key=True)
    comment_id: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class BackfillState(Base):
    """Resumable history import: one checkpoint per repository and resource."""

    __tablename__ = "backfill_states"
    repository_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    # issues | pull_requests | discussions | releases
    resource: Mapped[str] = mapped_column(String(32), primary_key=True)
    cursor: Mapped[str | None] = mapped_column(Text)
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    items: Mapped[int] = mapped_column(Integer, default=0)
    requests: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
