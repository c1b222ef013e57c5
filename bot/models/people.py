"""Per-person privacy choices: a contributor may opt out of named lists (METRICS.md §1 "Privacy")."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base, UTCDateTime


class ListOptOut(Base):
    """A row means: never name this person in a list (pages, contributors API, CSV). They still count in
    every aggregate and appear as "anonymous contributor"."""

    __tablename__ = "list_opt_outs"
    person_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("people.id"), primary_key=True,
                                           autoincrement=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
