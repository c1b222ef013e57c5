"""issue_comment.* → Comment rows (and the issue they are on); issue_comment contributions."""

from __future__ import annotations

from bot.models import Comment, Contribution, Issue, Person
from tests.conftest import count
from tests.handlers.conftest import OTHER, at, changed, kinds

AUTHOR = 21031067
ISSUE = 444500041
COMMENT = 492700400
REPO = 186853002
CREATED = at("2019-05-15T15:20:21Z")


def test_created_writes_the_comment_and_its_issue_and_credits_the_author(handle, corpus, get, db):
    handle("issue_comment", changed(corpus("issue_comment", "created"), comment__user=OTHER))
    comment = get(Comment, "issue", COMMENT)
    assert comment.parent_id == ISSUE and comment.parent_number == 1
    assert comment.author_id == OTHER["id"] and comment.repository_id == REPO
    assert comment.body == "You are totally right! I'll get this fixed right away."
    assert comment.created_at == CREATED and comment.author_association == "OWNER"
    assert comment.html_url.endswith("#issuecomment-492700400")
    assert get(Issue, ISSUE).author_id == AUTHOR  # the issue, not seen before, is created too
    assert get(Person, OTHER["id"]).login == "someone"
    assert kinds(db) == [("issue_comment", OTHER["id"], CREATED)]


def test_redelivered_comment_credits_once(handle, corpus, db):
    payload = corpus("issue_comment", "created")
    handle("issue_comment", payload)
    handle("issue_comment", payload)
    assert count(db, Contribution) == 1 and count(db, Comment) == 1


def test_edited_updates_the_body_without_a_second_contribution(handle, corpus, get, db):
    handle("issue_comment", corpus("issue_comment", "created"))
    handle("issue_comment", corpus("issue_comment", "edited"))
    assert get(Comment, "issue", COMMENT).body == "You are totally right! I'll get this fixed today."
    assert kinds(db) == [("issue_comment", AUTHOR, CREATED)]


def test_edited_arriving_first_still_credits_at_creation_and_the_late_created_does_not_win(handle, corpus, get, db):
    handle("issue_comment", corpus("issue_comment", "edited"))
    handle("issue_comment", corpus("issue_comment", "created"))
    assert get(Comment, "issue", COMMENT).body == "You are totally right! I'll get this fixed today."
    assert kinds(db) == [("issue_comment", AUTHOR, CREATED)]


def test_deleted_marks_the_comment_and_keeps_the_credit(handle, corpus, get, db):
    handle("issue_comment", corpus("issue_comment", "created"))
    handle("issue_comment", corpus("issue_comment", "deleted"))
    assert get(Comment, "issue", COMMENT).deleted_at is not None
    assert kinds(db) == [("issue_comment", AUTHOR, CREATED)]


def test_deleted_first_seen_creates_a_deleted_row_and_no_credit(handle, corpus, get, db):
    handle("issue_comment", corpus("issue_comment", "deleted"))
    assert get(Comment, "issue", COMMENT).deleted_at is not None
    assert kinds(db) == []


def test_comment_on_a_pull_request_writes_no_issue_row(handle, corpus, get, db):
    payload = corpus("issue_comment", "created")
    payload["issue"]["pull_request"] = {"url": "https://api.github.com/repos/Codertocat/Hello-World/pulls/1"}
    handle("issue_comment", payload)
    assert count(db, Issue) == 0
    comment = get(Comment, "issue", COMMENT)
    assert comment.parent_number == 1
    assert kinds(db) == [("issue_comment", AUTHOR, CREATED)]


def test_the_issue_row_follows_the_comment_payload_only_when_newer(handle, corpus, get):
    newer = changed(corpus("issues", "edited"), issue__title="Newest", issue__updated_at="2019-06-01T00:00:00Z")
    handle("issues", newer)
    handle("issue_comment", corpus("issue_comment", "created"))
    assert get(Issue, ISSUE).title == "Newest"


def test_with_and_without_installation(handle, corpus, db):
    handle("issue_comment", corpus("issue_comment", "created.with-organization"))
    handle("issue_comment", corpus("issue_comment", "created.with-installation"))
    assert count(db, Comment) == 1 and count(db, Contribution) == 1
