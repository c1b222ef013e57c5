"""The contribution ledger: one row per human (or bot) act, keyed so that every source agrees."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base, BigId, UTCDateTime


class Contribution(Base):
    __tablename__ = "contributions"
    __table_args__ = (
        Index("ix_contributions_repo_time", "repository_id", "occurred_at"),
        Index("ix_contributions_person_time", "person_id", "occurred_at"),
        Index("ix_contributions_repo_kind_time", "repository_id", "kind", "occurred_at"),  # one kind's window
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    # What the act is, independent of how we learned about it (webhook, backfill, replay):
    # e.g. "review:123". Unique, so every source of the same act lands on one row.
    key: Mapped[str] = mapped_column(String(255), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    person_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("people.id"))
    repository_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("repositories.id"))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    url: Mapped[str | None] = mapped_column(Text)
    delivery_id: Mapped[str | None] = mapped_column(String(64))


class ContributorTotal(Base):
    """Per (repository, person): the all-time figures of the counted ledger that the people metrics classify
    on, kept on write by ``bot/metrics/totals.py`` so a request never regroups the whole ledger."""

    __tablename__ = "contributor_totals"

    repository_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("repositories.id"), primary_key=True)
    person_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("people.id"), primary_key=True)
    contributions: Mapped[int] = mapped_column(Integer)  # every kind but star and fork (M11's D0 events)
    first_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    prs: Mapped[int] = mapped_column(Integer)  # pr_opened
    first_d0_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # first star or fork
    first_d1_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # issue, discussion or review type
    last_d1_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_merged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # pr_merged
