"""State of the periodic governance jobs (issue 6 §6–8): lifecycle marks and run reports, monthly ladder
reports, and votes with the configuration they were opened under."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base, BigId, UTCDateTime


class LifecycleMark(Base):
    """An open issue or pull request Steward labelled ``lifecycle/<stage>`` at ``marked_at``."""

    __tablename__ = "lifecycle_marks"
    repository_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("repositories.id"), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    stage: Mapped[str] = mapped_column(String(16))  # stale | rotten
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LifecycleRun(Base):
    """What one lifecycle run did in one repository, and what it left for the next run (the budget)."""

    __tablename__ = "lifecycle_runs"
    __table_args__ = (Index("ix_lifecycle_runs_repo_slot", "repository_id", "slot"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    repository_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("repositories.id"))
    slot: Mapped[str] = mapped_column(String(40))
    ran_at: Mapped[datetime] = mapped_column(UTCDateTime)
    writes: Mapped[int] = mapped_column(Integer)
    done: Mapped[dict] = mapped_column(JSON)  # {"stale": [numbers], "rotten": [...], "closed": [...], "revived": [...]}
    skipped: Mapped[list] = mapped_column(JSON)  # [{"number": n, "action": "close"}] left for lack of budget


class LadderReport(Base):
    """The one issue per repository and month that carries the ladder suggestions."""

    __tablename__ = "ladder_reports"
    repository_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("repositories.id"), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # YYYY-MM
    issue_number: Mapped[int] = mapped_column(Integer)
    body_sha: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Vote(Base):
    """A vote on an issue or a discussion; ``config`` is the ``votes:`` section as it was when the vote opened."""

    __tablename__ = "votes"
    __table_args__ = (Index("ix_votes_repo_number", "repository_id", "number"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    repository_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("repositories.id"))
    number: Mapped[int] = mapped_column(Integer)
    item: Mapped[str] = mapped_column(String(16))  # issue | discussion
    subject_id: Mapped[str | None] = mapped_column(String(100))  # a discussion's GraphQL node id
    status: Mapped[str] = mapped_column(String(16), index=True)  # open | passed | failed | cancelled
    opened_by: Mapped[str] = mapped_column(String(100))
    command_comment_id: Mapped[int] = mapped_column(BigInteger)  # the comment that said /vote
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    config: Mapped[dict] = mapped_column(JSON)
    comment_id: Mapped[int | None] = mapped_column(BigInteger)  # Steward's vote comment
    result: Mapped[dict | None] = mapped_column(JSON)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
