"""bot/contributions.py: the kinds, what counts as documentation, and the idempotent ledger write."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot import contributions
from bot.models import Contribution, Person, Repository
from bot.store import upsert

T0 = datetime(2024, 1, 1, tzinfo=UTC)
T1 = datetime(2024, 2, 1, tzinfo=UTC)


def test_the_kinds_are_exactly_the_required_vocabulary():
    assert set(contributions.KINDS) == {
        "issue_opened", "pr_opened", "pr_merged", "review", "review_comment", "issue_comment",
        "discussion_opened", "discussion_comment", "discussion_answer", "docs_change", "triage",
        "release", "star", "fork",
    }
    assert len(contributions.KINDS) == len(set(contributions.KINDS))
    assert all(len(kind) <= 32 for kind in contributions.KINDS)  # Contribution.kind is String(32)


@pytest.mark.parametrize("path", [
    "docs/index.html", "doc/api/conf.py", "/docs/guide.txt", "README.md", "src/pkg/CHANGES.rst",
    "site/page.mdx", "NOTES.MD", "MODEL_CARD.txt", "models/model-card.yaml", "ModelCard.md", "modelcard.json",
])
def test_docs_paths(path):
    assert contributions.is_docs_path(path)


@pytest.mark.parametrize("path", [
    "src/docs.py", "mydocs/x.py", "documentation.py", "setup.cfg", "src/app.py", "README", "model.py",
    "card_model.txt", "tests/test_docs.py", "a/docs/b.py",
])
def test_not_docs_paths(path):
    assert not contributions.is_docs_path(path)


def test_docs_paths_filters_deduplicates_and_sorts():
    assert contributions.docs_paths(["src/a.py", "docs/b.md", "README.md", "docs/b.md"]) == ["README.md", "docs/b.md"]
    assert contributions.docs_paths([]) == []


@pytest.fixture
def uow(runtime):
    """A session with one person and one repository; rolled back at the end."""
    with runtime.factory() as session:
        upsert(session, Person, {"id": 1, "login": "alice"})
        upsert(session, Person, {"id": 2, "login": "bob"})
        upsert(session, Repository, {"id": 10, "name": "r", "full_name": "o/r"})
        yield session
        session.rollback()


def ledger(uow) -> list[tuple]:
    uow.expire_all()
    rows = uow.scalars(select(Contribution).order_by(Contribution.key)).all()
    return [(c.key, c.kind, c.person_id, c.repository_id, c.occurred_at, c.url, c.delivery_id) for c in rows]


def test_record_writes_one_row_keyed_by_kind_and_act(uow):
    assert contributions.record(uow, kind="star", key="10:1", person_id=1, repository_id=10, occurred_at=T0,
                                url="https://x", delivery_id="d1")
    assert ledger(uow) == [("star:10:1", "star", 1, 10, T0, "https://x", "d1")]


def test_record_is_idempotent_and_keeps_the_first_write(uow):
    for person_id, when, delivery in ((1, T0, "d1"), (2, T1, "d2")):
        contributions.record(uow, kind="review", key="55", person_id=person_id, repository_id=10,
                             occurred_at=when, delivery_id=delivery)
    assert ledger(uow) == [("review:55", "review", 1, 10, T0, None, "d1")]


def test_the_same_act_id_under_different_kinds_is_two_rows(uow):
    contributions.record(uow, kind="pr_opened", key="7", person_id=1, repository_id=10, occurred_at=T0)
    contributions.record(uow, kind="pr_merged", key="7", person_id=1, repository_id=10, occurred_at=T1)
    assert [row[0] for row in ledger(uow)] == ["pr_merged:7", "pr_opened:7"]


@pytest.mark.parametrize("missing", ["person_id", "repository_id", "occurred_at"])
def test_record_without_someone_somewhere_or_sometime_writes_nothing(uow, missing):
    values = {"person_id": 1, "repository_id": 10, "occurred_at": T0, missing: None}
    assert contributions.record(uow, kind="fork", key="1", **values) is False
    assert ledger(uow) == []


def test_record_refuses_an_unknown_kind(uow):
    with pytest.raises(ValueError, match="unknown contribution kind"):
        contributions.record(uow, kind="watch", key="1", person_id=1, repository_id=10, occurred_at=T0)
    assert ledger(uow) == []
