"""Governance state (issue 6): OWNERS approvals bound to a head SHA, items excluded from metrics, and the
one Steward reply per discussion and marker (discussion comments are edited by node id, not by number)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base, UTCDateTime


class PullApproval(Base):
    """One ``/approve`` by one approver, valid only while the pull request's head is ``head_sha``."""

    __tablename__ = "pull_approvals"
    repository_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    login: Mapped[str] = mapped_column(String(40), primary_key=True)  # lower-cased
    head_sha: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ExcludedItem(Base):
    """An issue or pull request that counts toward no metric and no ladder rule: closed by ``/spam`` or by
    the newcomer guard. Contributions on it are matched by URL (``bot/governance/exclusions.py``)."""

    __tablename__ = "excluded_items"
    repository_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    html_url: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(String(32))  # spam | newcomer_limit
    by_login: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DiscussionReply(Base):
    """The one comment per (repository, discussion, marker) that Steward edits in place, by GraphQL node id."""

    __tablename__ = "discussion_replies"
    repository: Mapped[str] = mapped_column(String(200), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    marker: Mapped[str] = mapped_column(String(200), primary_key=True)
    node_id: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
