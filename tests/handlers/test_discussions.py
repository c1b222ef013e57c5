"""discussion.* and discussion_comment.* → Discussion and Comment rows; opened, comment and answer credit."""

from __future__ import annotations

from bot.models import Comment, Contribution, Discussion, Person
from tests.conftest import count
from tests.handlers.conftest import MAINTAINER, at, changed, kinds

AUTHOR = 21031067
DISCUSSION = 3299614
ANSWER = 550561
ANSWERER = 1253226  # dan2wik, who wrote the answer
CHOOSER = 4595477  # who chose it
CHOSEN = at("2021-03-30T23:17:18Z")
REPO = 186853002


def test_created_writes_the_discussion_and_credits_discussion_opened(handle, corpus, get, db):
    handle("discussion", corpus("discussion", "created"))
    d = get(Discussion, DISCUSSION)
    assert (d.number, d.title, d.category) == (4, "TEST edit", "General")
    assert d.author_id == AUTHOR and d.repository_id == REPO and d.labels is None
    assert d.answer_comment_id is None and d.answer_chosen_at is None
    assert kinds(db) == [("discussion_opened", AUTHOR, at("2021-03-30T20:09:52Z"))]


def test_created_redelivered_credits_once(handle, corpus, db):
    payload = corpus("discussion", "created")
    handle("discussion", payload)
    handle("discussion", payload)
    assert count(db, Contribution) == 1 and count(db, Discussion) == 1


def test_answered_credits_the_answers_author_at_chosen_time(handle, corpus, get, db):
    handle("discussion", corpus("discussion", "answered"))
    d = get(Discussion, DISCUSSION)
    assert d.answer_comment_id == ANSWER and d.answer_chosen_at == CHOSEN and d.answer_chosen_by_id == CHOOSER
    answer = get(Comment, "discussion", ANSWER)
    assert answer.author_id == ANSWERER and answer.parent_id == DISCUSSION and answer.parent_number == 4
    assert get(Person, ANSWERER).login == "dan2wik"
    assert ("discussion_answer", ANSWERER, CHOSEN) in kinds(db)
    assert kinds(db, Contribution.kind == "discussion_answer") == [("discussion_answer", ANSWERER, CHOSEN)]
    # the answer is a comment that exists, so it is credited as one (at its creation)
    assert kinds(db, Contribution.kind == "discussion_comment") == [
        ("discussion_comment", ANSWERER, at("2021-03-30T23:16:42Z"))]


def test_answered_redelivered_credits_once(handle, corpus, db):
    payload = corpus("discussion", "answered")
    handle("discussion", payload)
    handle("discussion", payload)
    assert count(db, Contribution, Contribution.kind == "discussion_answer") == 1


def test_unanswered_clears_the_answer(handle, corpus, get):
    handle("discussion", corpus("discussion", "answered"))
    handle("discussion", corpus("discussion", "unanswered"))
    d = get(Discussion, DISCUSSION)
    assert d.answer_comment_id is None and d.answer_chosen_at is None


def test_a_late_answered_never_overrides_a_newer_unanswered(handle, corpus, get, db):
    handle("discussion", corpus("discussion", "unanswered"))
    handle("discussion", corpus("discussion", "answered"))
    d = get(Discussion, DISCUSSION)
    assert d.answer_comment_id is None and d.answer_chosen_at is None
    assert d.updated_at == at("2021-03-30T23:31:48Z")


def test_a_late_unanswered_never_clears_a_newer_answer(handle, corpus, get):
    newer = changed(corpus("discussion", "answered"), discussion__updated_at="2021-03-31T10:00:00Z",
                    discussion__answer_chosen_at="2021-03-31T10:00:00Z")
    handle("discussion", newer)
    handle("discussion", corpus("discussion", "unanswered"))
    d = get(Discussion, DISCUSSION)
    assert d.answer_comment_id == ANSWER and d.answer_chosen_at == at("2021-03-31T10:00:00Z")


def test_edits_are_followed_and_an_older_one_never_wins(handle, corpus, get):
    edited = corpus("discussion", "edited")
    handle("discussion", changed(edited, discussion__title="Newest", discussion__updated_at="2021-04-01T00:00:00Z"))
    handle("discussion", changed(edited, discussion__title="Older"))
    handle("discussion", corpus("discussion", "created"))
    assert get(Discussion, DISCUSSION).title == "Newest"


def test_category_changed(handle, corpus, get):
    handle("discussion", corpus("discussion", "created"))
    payload = corpus("discussion", "category_changed")
    handle("discussion", payload)
    assert get(Discussion, DISCUSSION).category == payload["discussion"]["category"]["name"]


def test_labeled_by_a_maintainer_is_triage_and_by_the_author_is_not(handle, corpus, get, db):
    labeled = corpus("discussion", "labeled")
    handle("discussion", labeled)
    assert kinds(db) == []
    handle("discussion", changed(labeled, sender=MAINTAINER, discussion__labels=[labeled["label"]]))
    assert get(Discussion, DISCUSSION).labels == ["bug"]
    assert kinds(db) == [("triage", MAINTAINER["id"], at("2021-03-30T20:26:24Z"))]


def test_deleted_marks_the_discussion(handle, corpus, get, db):
    """discussion.deleted has a schema but no example: discussion.created with action deleted."""
    handle("discussion", corpus("discussion", "created"))
    handle("discussion", changed(corpus("discussion", "created"), action="deleted"))
    assert get(Discussion, DISCUSSION).deleted_at is not None
    assert count(db, Contribution) == 1


def test_discussion_comment_created_and_deleted(handle, corpus, get, db):
    handle("discussion_comment", corpus("discussion_comment", "created"))
    comment = get(Comment, "discussion", 550062)
    assert comment.parent_id == DISCUSSION and comment.parent_number == 4
    assert comment.author_id == AUTHOR and comment.body == "ANSWER" and comment.deleted_at is None
    assert get(Discussion, DISCUSSION).number == 4  # the discussion, not seen before, is created too
    assert kinds(db) == [("discussion_comment", AUTHOR, at("2021-03-30T20:21:30Z"))]
    handle("discussion_comment", corpus("discussion_comment", "deleted"))
    assert get(Comment, "discussion", 550062).deleted_at is not None
    assert count(db, Contribution) == 1


def test_discussion_comment_older_edit_never_wins(handle, corpus, get, db):
    created = corpus("discussion_comment", "created")
    handle("discussion_comment", changed(created, action="edited", comment__body="Edited answer",
                                         comment__updated_at="2021-03-30T21:00:00Z"))
    handle("discussion_comment", created)
    assert get(Comment, "discussion", 550062).body == "Edited answer"
    assert kinds(db) == [("discussion_comment", AUTHOR, at("2021-03-30T20:21:30Z"))]
