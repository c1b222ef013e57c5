"""Mirrors of GitHub objects, keyed on GitHub's numeric ids.

Columns that GitHub can omit from a partial object are nullable: a repository first seen in an
``installation`` payload carries only its id and names. ``updated_at`` is GitHub's own timestamp and
guards against an older delivery overwriting newer state (see ``bot/store.py``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base, BigId, UTCDateTime


def _person_fk(**kw: Any):
    return mapped_column(BigInteger, ForeignKey("people.id"), **kw)


def _repo_fk(**kw: Any):
    return mapped_column(BigInteger, ForeignKey("repositories.id"), **kw)


def _gh_id():
    return mapped_column(BigInteger, primary_key=True, autoincrement=False)


class Person(Base):
    """A GitHub account (user, organisation or bot), keyed on its numeric id; logins can change."""

    __tablename__ = "people"
    id: Mapped[int] = _gh_id()
    login: Mapped[str] = mapped_column(String(100), index=True)
    type: Mapped[str | None] = mapped_column(String(32))
    is_bot: Mapped[bool] = mapped_column(Boolean, default=False)
    html_url: Mapped[str | None] = mapped_column(Text)
    login_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PersonLogin(Base):
    """Every login an account has been seen under."""

    __tablename__ = "person_logins"
    person_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("people.id"), primary_key=True)
    login: Mapped[str] = mapped_column(String(100), primary_key=True)
    first_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Installation(Base):
    __tablename__ = "installations"
    id: Mapped[int] = _gh_id()
    app_id: Mapped[int | None] = mapped_column(BigInteger)
    account_id: Mapped[int | None] = _person_fk()
    target_type: Mapped[str | None] = mapped_column(String(32))
    repository_selection: Mapped[str | None] = mapped_column(String(16))
    permissions: Mapped[dict | None] = mapped_column(JSON)
    events: Mapped[list | None] = mapped_column(JSON)
    created_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    suspended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Repository(Base):
    __tablename__ = "repositories"
    id: Mapped[int] = _gh_id()
    installation_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("installations.id"))
    owner_id: Mapped[int | None] = _person_fk()
    parent_id: Mapped[int | None] = mapped_column(BigInteger)
    name: Mapped[str] = mapped_column(String(100))
    full_name: Mapped[str] = mapped_column(String(200), index=True)
    private: Mapped[bool] = mapped_column(Boolean, default=True)
    fork: Mapped[bool | None] = mapped_column(Boolean)
    archived: Mapped[bool | None] = mapped_column(Boolean)
    default_branch: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    html_url: Mapped[str | None] = mapped_column(Text)
    stargazers_count: Mapped[int | None] = mapped_column(Integer)
    forks_count: Mapped[int | None] = mapped_column(Integer)
    open_issues_count: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pushed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class _Item:
    """Columns shared by issues, pull requests and discussions."""

    id: Mapped[int] = _gh_id()
    repository_id: Mapped[int] = _repo_fk()
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str | None] = mapped_column(String(16))
    locked: Mapped[bool | None] = mapped_column(Boolean)
    author_id: Mapped[int | None] = _person_fk()
    author_association: Mapped[str | None] = mapped_column(String(32))
    labels: Mapped[list | None] = mapped_column(JSON)
    html_url: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Issue(_Item, Base):
    __tablename__ = "issues"
    __table_args__ = (Index("ix_issues_repo_number", "repository_id", "number"),)
    state_reason: Mapped[str | None] = mapped_column(String(32))
    assignees: Mapped[list | None] = mapped_column(JSON)
    milestone: Mapped[str | None] = mapped_column(Text)
    comments: Mapped[int | None] = mapped_column(Integer)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PullRequest(_Item, Base):
    __tablename__ = "pull_requests"
    __table_args__ = (Index("ix_pull_requests_repo_number", "repository_id", "number"),)
    draft: Mapped[bool | None] = mapped_column(Boolean)
    merged: Mapped[bool | None] = mapped_column(Boolean)
    merged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    merged_by_id: Mapped[int | None] = _person_fk()
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    head_sha: Mapped[str | None] = mapped_column(String(64))
    head_ref: Mapped[str | None] = mapped_column(Text)
    head_repo_id: Mapped[int | None] = mapped_column(BigInteger)
    base_ref: Mapped[str | None] = mapped_column(Text)
    base_sha: Mapped[str | None] = mapped_column(String(64))
    assignees: Mapped[list | None] = mapped_column(JSON)
    requested_reviewers: Mapped[list | None] = mapped_column(JSON)
    additions: Mapped[int | None] = mapped_column(Integer)
    deletions: Mapped[int | None] = mapped_column(Integer)
    changed_files: Mapped[int | None] = mapped_column(Integer)


class Discussion(_Item, Base):
    __tablename__ = "discussions"
    __table_args__ = (Index("ix_discussions_repo_number", "repository_id", "number"),)
    category: Mapped[str | None] = mapped_column(String(100))
    answer_comment_id: Mapped[int | None] = mapped_column(BigInteger)
    answer_chosen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answer_chosen_by_id: Mapped[int | None] = _person_fk()


class Review(Base):
    __tablename__ = "reviews"
    id: Mapped[int] = _gh_id()
    repository_id: Mapped[int] = _repo_fk()
    pull_request_id: Mapped[int] = mapped_column(BigInteger, index=True)
    author_id: Mapped[int | None] = _person_fk()
    author_association: Mapped[str | None] = mapped_column(String(32))
    state: Mapped[str | None] = mapped_column(String(32))
    commit_id: Mapped[str | None] = mapped_column(String(64))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    html_url: Mapped[str | None] = mapped_column(Text)


class Comment(Base):
    """Issue, pull-request review and discussion comments; ``kind`` separates GitHub's id spaces."""

    __tablename__ = "comments"
    __table_args__ = (Index("ix_comments_parent", "kind", "parent_id"),)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)  # issue | review | discussion
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    repository_id: Mapped[int] = _repo_fk()
    parent_id: Mapped[int | None] = mapped_column(BigInteger)  # issue, pull request or discussion id
    parent_number: Mapped[int | None] = mapped_column(Integer)
    in_reply_to_id: Mapped[int | None] = mapped_column(BigInteger)
    author_id: Mapped[int | None] = _person_fk()
    author_association: Mapped[str | None] = mapped_column(String(32))
    body: Mapped[str | None] = mapped_column(Text)
    html_url: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Release(Base):
    __tablename__ = "releases"
    id: Mapped[int] = _gh_id()
    repository_id: Mapped[int] = _repo_fk()
    tag_name: Mapped[str | None] = mapped_column(String(255))
    name: Mapped[str | None] = mapped_column(Text)
    author_id: Mapped[int | None] = _person_fk()
    draft: Mapped[bool | None] = mapped_column(Boolean)
    prerelease: Mapped[bool | None] = mapped_column(Boolean)
    html_url: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Label(Base):
    __tablename__ = "labels"
    id: Mapped[int] = _gh_id()
    repository_id: Mapped[int] = _repo_fk()
    name: Mapped[str] = mapped_column(String(255))
    color: Mapped[str | None] = mapped_column(String(16))
    description: Mapped[str | None] = mapped_column(Text)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Membership(Base):
    """A collaborator of a repository (``member`` events)."""

    __tablename__ = "memberships"
    repository_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("repositories.id"), primary_key=True)
    person_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("people.id"), primary_key=True)
    permission: Mapped[str | None] = mapped_column(String(32))
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class GitRef(Base):
    """Branches and tags seen through ``create``, ``delete`` and ``push``."""

    __tablename__ = "git_refs"
    repository_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("repositories.id"), primary_key=True)
    ref_type: Mapped[str] = mapped_column(String(16), primary_key=True)  # branch | tag
    ref: Mapped[str] = mapped_column(String(255), primary_key=True)
    created_by_id: Mapped[int | None] = _person_fk()
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)


class Push(Base):
    __tablename__ = "pushes"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(255), unique=True)  # repo:ref:before:after
    repository_id: Mapped[int] = _repo_fk()
    ref: Mapped[str] = mapped_column(String(255))
    before: Mapped[str] = mapped_column(String(64))
    after: Mapped[str] = mapped_column(String(64))
    pusher_id: Mapped[int | None] = _person_fk()
    forced: Mapped[bool | None] = mapped_column(Boolean)
    commit_count: Mapped[int] = mapped_column(Integer, default=0)
    docs_paths: Mapped[list | None] = mapped_column(JSON)
    pushed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CheckSuite(Base):
    __tablename__ = "check_suites"
    id: Mapped[int] = _gh_id()
    repository_id: Mapped[int] = _repo_fk()
    head_sha: Mapped[str | None] = mapped_column(String(64), index=True)
    head_branch: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str | None] = mapped_column(String(32))
    conclusion: Mapped[str | None] = mapped_column(String(32))
    app_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CheckRun(Base):
    __tablename__ = "check_runs"
    id: Mapped[int] = _gh_id()
    repository_id: Mapped[int] = _repo_fk()
    check_suite_id: Mapped[int | None] = mapped_column(BigInteger)
    head_sha: Mapped[str | None] = mapped_column(String(64), index=True)
    name: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str | None] = mapped_column(String(32))
    status_rank: Mapped[int] = mapped_column(Integer, default=0)
    conclusion: Mapped[str | None] = mapped_column(String(32))
    app_id: Mapped[int | None] = mapped_column(BigInteger)
    external_id: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Hook(Base):
    """A webhook configuration announced by ``ping``."""

    __tablename__ = "hooks"
    id: Mapped[int] = _gh_id()
    type: Mapped[str | None] = mapped_column(String(32))
    app_id: Mapped[int | None] = mapped_column(BigInteger)
    repository_id: Mapped[int | None] = mapped_column(BigInteger)
    active: Mapped[bool | None] = mapped_column(Boolean)
    events: Mapped[list | None] = mapped_column(JSON)
    created_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
