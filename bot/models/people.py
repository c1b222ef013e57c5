"""Per person: the opt-out of named lists (METRICS.md §1 "Privacy") and organisation affiliations (M13)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base, UTCDateTime


class ListOptOut(Base):
    """A row means: never name this person in a list (pages, contributors API, CSV). They still count in
    every aggregate and appear as "anonymous contributor"."""

    __tablename__ = "list_opt_outs"
    person_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("people.id"), primary_key=True,
                                           autoincrement=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Affiliation(Base):
    """One period of a person's organisation, for the Elephant Factor (METRICS.md M13): a contribution
    belongs to the organisation whose period holds its timestamp. ``since`` None: from the start;
    ``until`` None: still. Periods of one person never overlap (``bot/affiliations.py`` keeps it so)."""

    __tablename__ = "affiliations"
    __table_args__ = (Index("ix_affiliations_person_since", "person_id", "since"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("people.id"))
    organisation: Mapped[str] = mapped_column(String(255))
    since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(String(16))  # "self" (/affiliation) or "maintainer" (steward people)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
