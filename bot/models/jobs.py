"""Job rows: the truth about work to do. An engine (in-process or Celery) only ever receives the id."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base, BigId, UTCDateTime

PENDING, RUNNING, DONE, FAILED = "pending", "running", "done", "failed"
CANCELLED = "cancelled"  # jobs.cancel: superseded before or while it ran (a running job stops on its own)


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_status_run_after", "status", "run_after"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(64))
    args: Mapped[dict] = mapped_column(JSON)
    # Unique: enqueueing the same work twice (a redelivery, a second clock) is one job.
    dedupe_key: Mapped[str] = mapped_column(String(255), unique=True)
    queue: Mapped[str] = mapped_column(String(32), default="default")
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    run_after: Mapped[datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Refreshed while the job runs (jobs.run): a running job whose heartbeat stopped had its runner die.
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
