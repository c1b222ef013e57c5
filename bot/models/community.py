"""The contribution ledger: one row per human (or bot) act, keyed so that every source agrees."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base, BigId, UTCDateTime


class Contribution(Base):
    __tablename__ = "contributions"
    __table_args__ = (
        Index("ix_contributions_repo_time", "repository_id", "occurred_at"),
        Index("ix_contributions_person_time", "person_id", "occurred_at"),
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
