"""A small community built from real corpus payloads delivered through the signed webhook endpoint."""

from __future__ import annotations

import copy
import itertools
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.metrics import totals
from bot.models import Delivery

NOW = datetime(2026, 5, 1, tzinfo=UTC)
MAINT = {"login": "maint", "id": 7100001, "type": "User"}
NEWBIE = {"login": "newbie", "id": 7100002, "type": "User"}
NEWBIE2 = {"login": "newbie2", "id": 7100003, "type": "User"}
REGULAR = {"login": "regular", "id": 7100004, "type": "User"}
OUTSIDER = {"login": "outsider", "id": 7100005, "type": "User"}
BOT = {"login": "dependabot[bot]", "id": 49699333, "type": "Bot"}
ACTIONS_BOT = {"login": "github-actions", "id": 41898282, "type": "Bot"}


@pytest.fixture(params=["totals", "ledger"])
def both_paths(request, monkeypatch) -> str:
    """Run a people metric test twice: from the totals kept on write (when they cover "before now") and with
    them refused, so the metric groups the ledger itself. Both must give the hand-computed figures."""
    if request.param == "ledger":
        monkeypatch.setattr(totals, "usable", lambda *args: False)
    return request.param


def ago(hours: float) -> datetime:
    return NOW - timedelta(hours=hours)


def iso(t: datetime) -> str:
    return t.astimezone(UTC).isoformat().replace("+00:00", "Z")


class Community:
    """Opens items and responds to them; every delivery must be processed. Times are datetimes."""

    def __init__(self, deliver, corpus, db):
        self._deliver, self._corpus, self._db = deliver, corpus, db
        self._ids = itertools.count(9_000_001)

    def _send(self, event: str, name: str, **changes) -> None:
        payload = copy.deepcopy(self._corpus(event, name))
        for key, value in changes.items():
            payload[key] = value
        delivery_id = str(uuid.uuid4())
        response = self._deliver(event, payload, delivery_id)
        assert response.status_code == 202, response.get_json()
        self._db.rollback()
        row = self._db.scalar(select(Delivery).where(Delivery.delivery_id == delivery_id))
        assert row.status == "processed", row.error
        self._db.rollback()

    def _item(self, event: str, key: str, number: int, author: dict, created: datetime, role: str) -> dict:
        item = copy.deepcopy(self._corpus(event, "created" if event == "discussion" else "opened")[key])
        item.update(id=next(self._ids), number=number, user=author, created_at=iso(created),
                    updated_at=iso(created), author_association=role, state="open", closed_at=None)
        self._send(event, "created" if event == "discussion" else "opened", **{key: item, "sender": author})
        item["kind"] = key
        return item

    def issue(self, number: int, author: dict, created: datetime, role: str = "NONE") -> dict:
        return self._item("issues", "issue", number, author, created, role)

    def pull(self, number: int, author: dict, created: datetime, role: str = "NONE") -> dict:
        return self._item("pull_request", "pull_request", number, author, created, role)

    def discussion(self, number: int, author: dict, created: datetime, role: str = "NONE") -> dict:
        return self._item("discussion", "discussion", number, author, created, role)

    def close(self, item: dict, at: datetime) -> None:
        item.update(state="closed", closed_at=iso(at), updated_at=iso(at))
        self._send("issues", "opened", action="closed", issue=item, sender=item["user"])

    def comment(self, item: dict, who: dict, at: datetime, role: str = "NONE") -> None:
        """An issue comment (on an issue or a PR's conversation) or a discussion comment."""
        comment = {"id": next(self._ids), "user": who, "created_at": iso(at), "updated_at": iso(at),
                   "author_association": role, "body": "hello",
                   "html_url": f"{item['html_url']}#comment-{at.timestamp()}"}
        if item["kind"] == "discussion":
            self._send("discussion_comment", "created", discussion=item, comment=comment, sender=who)
            return
        issue = item
        if item["kind"] == "pull_request":  # the issue object GitHub sends for a PR's conversation
            issue = {**self._corpus("issue_comment", "created")["issue"], "id": next(self._ids),
                     "number": item["number"], "user": item["user"], "created_at": item["created_at"],
                     "updated_at": item["updated_at"], "pull_request": {"url": item["url"]}}
        self._send("issue_comment", "created", issue=issue, comment=comment, sender=who)

    def review(self, pr: dict, who: dict, at: datetime, role: str = "NONE", state: str = "commented") -> None:
        review = {**self._corpus("pull_request_review", "submitted")["review"], "id": next(self._ids),
                  "user": who, "submitted_at": iso(at), "author_association": role, "state": state}
        self._send("pull_request_review", "submitted", pull_request=pr, review=review, sender=who)

    def review_comment(self, pr: dict, who: dict, at: datetime, role: str = "NONE") -> None:
        comment = {**self._corpus("pull_request_review_comment", "created")["comment"], "id": next(self._ids),
                   "user": who, "created_at": iso(at), "updated_at": iso(at), "author_association": role}
        self._send("pull_request_review_comment", "created", pull_request=pr, comment=comment, sender=who)


@pytest.fixture
def community(deliver, corpus, db) -> Community:
    return Community(deliver, corpus, db)


@pytest.fixture
def repo_id(corpus) -> int:
    return corpus("issues", "opened")["repository"]["id"]
