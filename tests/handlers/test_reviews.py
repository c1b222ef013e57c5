"""pull_request_review and pull_request_review_comment → Review and Comment rows; review contributions."""

from __future__ import annotations

from bot.models import Comment, Contribution, Person, PullRequest, Review
from tests.conftest import count
from tests.handlers.conftest import OTHER, at, changed, kinds

AUTHOR = 21031067
PR = 279147437
REVIEW = 237895671
REVIEW_COMMENT = 284312630
REPO = 186853002


def test_submitted_creates_review_and_pull_request_and_credits_the_reviewer(handle, corpus, get, db):
    handle("pull_request_review", changed(corpus("pull_request_review", "submitted"), review__user=OTHER))
    review = get(Review, REVIEW)
    assert review.state == "commented" and review.author_id == OTHER["id"]
    assert review.pull_request_id == PR and review.repository_id == REPO
    assert review.commit_id == "ec26c3e57ca3a959ca5aad62de7213c562f8c821"
    assert review.submitted_at == at("2019-05-15T15:20:38Z")
    assert get(PullRequest, PR).number == 2  # a pull request not seen before is created, not dropped
    assert get(Person, OTHER["id"]).login == "someone"
    assert kinds(db) == [("review", OTHER["id"], at("2019-05-15T15:20:38Z"))]


def test_approved_state_is_stored_lowercase(handle, corpus, get):
    handle("pull_request_review", changed(corpus("pull_request_review", "submitted"), review__state="APPROVED"))
    assert get(Review, REVIEW).state == "approved"


def test_pending_review_is_not_a_contribution(handle, corpus, get, db):
    handle("pull_request_review", changed(corpus("pull_request_review", "submitted"), review__state="pending"))
    assert get(Review, REVIEW).state == "pending"
    assert kinds(db) == []


def test_dismissed_stays_dismissed_when_submitted_arrives_late(handle, corpus, get, db):
    handle("pull_request_review", corpus("pull_request_review", "dismissed"))
    assert get(Review, REVIEW).state == "dismissed"
    handle("pull_request_review", corpus("pull_request_review", "submitted"))
    assert get(Review, REVIEW).state == "dismissed"
    assert kinds(db) == [("review", AUTHOR, at("2019-05-15T15:20:38Z"))]


def test_submitted_then_dismissed(handle, corpus, get, db):
    handle("pull_request_review", corpus("pull_request_review", "submitted"))
    handle("pull_request_review", corpus("pull_request_review", "dismissed"))
    assert get(Review, REVIEW).state == "dismissed"
    assert count(db, Contribution) == 1


def test_edited_review_keeps_its_state_and_credits_nothing_new(handle, corpus, get, db):
    submitted = corpus("pull_request_review", "submitted")
    handle("pull_request_review", submitted)
    edited = changed(submitted, action="edited", changes={"body": {"from": submitted["review"]["body"]}},
                     review__body="Looks great now")
    handle("pull_request_review", edited)
    assert get(Review, REVIEW).state == "commented"
    assert kinds(db) == [("review", AUTHOR, at("2019-05-15T15:20:38Z"))]


def test_review_redelivered_credits_once(handle, corpus, db):
    payload = corpus("pull_request_review", "submitted")
    handle("pull_request_review", payload)
    handle("pull_request_review", payload)
    assert count(db, Contribution) == 1 and count(db, Review) == 1


def test_review_comment_created_is_a_review_comment(handle, corpus, get, db):
    payload = corpus("pull_request_review_comment", "created")
    handle("pull_request_review_comment", payload)
    comment = get(Comment, "review", REVIEW_COMMENT)
    assert comment.parent_id == PR and comment.parent_number == 2
    assert comment.author_id == AUTHOR and comment.repository_id == REPO
    assert comment.body == "Maybe you should use more emoji on this line." and comment.deleted_at is None
    assert get(PullRequest, PR).head_ref == "changes"
    assert kinds(db) == [("review_comment", AUTHOR, at("2019-05-15T15:20:37Z"))]


def test_review_comment_reply_keeps_in_reply_to(handle, corpus, get):
    handle("pull_request_review_comment",
           changed(corpus("pull_request_review_comment", "created"), comment__in_reply_to_id=111))
    assert get(Comment, "review", REVIEW_COMMENT).in_reply_to_id == 111


def test_review_comment_edit_order_and_deletion(handle, corpus, get, db):
    edited = changed(corpus("pull_request_review_comment", "edited"), comment__body="Newest body",
                     comment__updated_at="2019-05-15T15:30:00Z")
    handle("pull_request_review_comment", edited)
    handle("pull_request_review_comment", corpus("pull_request_review_comment", "created"))
    assert get(Comment, "review", REVIEW_COMMENT).body == "Newest body"
    handle("pull_request_review_comment", corpus("pull_request_review_comment", "deleted"))
    assert get(Comment, "review", REVIEW_COMMENT).deleted_at is not None
    assert kinds(db) == [("review_comment", AUTHOR, at("2019-05-15T15:20:37Z"))]


def test_review_comment_redelivered_credits_once(handle, corpus, db):
    payload = corpus("pull_request_review_comment", "created")
    handle("pull_request_review_comment", payload)
    handle("pull_request_review_comment", payload)
    assert count(db, Contribution) == 1 and count(db, Comment) == 1
