"""issues.* → Issue rows; issue_opened and triage contributions."""

from __future__ import annotations

from bot.models import Contribution, Issue, Person, Repository
from tests.conftest import count
from tests.handlers.conftest import MAINTAINER, at, changed, kinds

AUTHOR = 21031067  # Codertocat, the author of issue #1 in the corpus
ISSUE = 444500041
REPO = 186853002


def closed_by(corpus, sender: dict) -> dict:
    """issues.closed (a schema without an example): issues.reopened with state closed and a closed_at."""
    return changed(corpus("issues", "reopened"), action="closed", issue__state="closed",
                   issue__closed_at="2021-10-12T09:00:00Z", issue__updated_at="2021-10-12T09:00:00Z",
                   issue__state_reason="completed", sender=sender)


def test_opened_creates_the_issue_and_credits_its_author(handle, corpus, get, db):
    handle("issues", corpus("issues", "opened"))
    issue = get(Issue, ISSUE)
    assert (issue.number, issue.state, issue.title) == (1, "open", "Spelling error in the README file")
    assert issue.repository_id == REPO and issue.author_id == AUTHOR
    assert issue.labels == ["bug"] and issue.assignees == [AUTHOR] and issue.milestone == "v1.0"
    assert issue.created_at == at("2019-05-15T15:20:18Z") and issue.closed_at is None
    assert issue.deleted_at is None
    assert kinds(db) == [("issue_opened", AUTHOR, at("2019-05-15T15:20:18Z"))]
    row = db.query(Contribution).one()
    assert row.repository_id == REPO and row.url == "https://github.com/Codertocat/Hello-World/issues/1"


def test_opened_creates_the_unseen_repository_and_people(handle, corpus, get):
    handle("issues", corpus("issues", "opened"))
    assert get(Repository, REPO).full_name == "Codertocat/Hello-World"
    assert get(Person, AUTHOR).login == "Codertocat"


def test_opened_redelivered_under_a_new_id_credits_once(handle, corpus, db):
    payload = corpus("issues", "opened")
    handle("issues", payload)
    handle("issues", payload)
    assert count(db, Contribution) == 1
    assert count(db, Issue) == 1


def test_closed_by_a_maintainer_is_triage_at_closed_at(handle, corpus, get, db):
    handle("issues", closed_by(corpus, MAINTAINER))
    issue = get(Issue, ISSUE)
    assert (issue.state, issue.state_reason) == ("closed", "completed")
    assert issue.closed_at == at("2021-10-12T09:00:00Z")
    assert kinds(db) == [("triage", MAINTAINER["id"], at("2021-10-12T09:00:00Z"))]
    assert get(Person, MAINTAINER["id"]).login == "maint"


def test_closed_by_its_author_is_not_triage(handle, corpus, get, db):
    payload = closed_by(corpus, corpus("issues", "reopened")["issue"]["user"])
    handle("issues", payload)
    assert get(Issue, ISSUE).state == "closed"
    assert kinds(db) == []


def test_labeled_by_someone_else_is_triage_at_the_issue_update(handle, corpus, get, db):
    handle("issues", changed(corpus("issues", "labeled"), sender=MAINTAINER))
    assert get(Issue, ISSUE).labels == ["bug"]
    assert kinds(db) == [("triage", MAINTAINER["id"], at("2019-05-15T15:20:18Z"))]


def test_labeled_by_the_author_is_not_triage(handle, corpus, db):
    handle("issues", corpus("issues", "labeled"))
    assert kinds(db) == []


def test_each_triage_act_is_its_own_contribution_and_a_redelivery_is_not(handle, corpus, db):
    labeled = changed(corpus("issues", "labeled"), sender=MAINTAINER)
    handle("issues", labeled)
    handle("issues", labeled)
    handle("issues", changed(corpus("issues", "unlabeled"), sender=MAINTAINER))
    handle("issues", changed(corpus("issues", "assigned"), sender=MAINTAINER))
    handle("issues", changed(corpus("issues", "milestoned"), sender=MAINTAINER))
    assert [k for k, *_ in kinds(db)] == ["triage"] * 4


def test_assigned_by_a_maintainer_records_assignees_and_triage(handle, corpus, get, db):
    payload = changed(corpus("issues", "assigned"), sender=MAINTAINER)
    payload["issue"]["assignees"].append(MAINTAINER)
    handle("issues", payload)
    assert get(Issue, ISSUE).assignees == sorted([AUTHOR, MAINTAINER["id"]])
    assert kinds(db) == [("triage", MAINTAINER["id"], at("2019-05-15T15:20:18Z"))]


def test_milestoned_and_demilestoned(handle, corpus, get):
    handle("issues", corpus("issues", "milestoned"))
    assert get(Issue, 444500167).milestone == "v1.0"
    demilestoned = corpus("issues", "demilestoned")
    handle("issues", changed(demilestoned, issue__updated_at="2019-05-15T15:30:00Z"))
    assert get(Issue, 444500167).milestone is None


def test_edits_on_an_issue_are_followed(handle, corpus, get):
    handle("issues", corpus("issues", "opened"))
    handle("issues", changed(corpus("issues", "edited"), issue__title="Typo in README",
                             issue__updated_at="2019-05-15T16:00:00Z"))
    assert get(Issue, ISSUE).title == "Typo in README"


def test_an_older_edit_arriving_late_never_overwrites_a_newer_one(handle, corpus, get, db):
    newer = changed(corpus("issues", "edited"), issue__title="Newest title", issue__updated_at="2019-05-15T17:00:00Z",
                    issue__labels=[])
    handle("issues", newer)
    handle("issues", changed(corpus("issues", "edited"), issue__title="Older title"))
    handle("issues", corpus("issues", "opened"))  # the original "opened" arrives last of all
    issue = get(Issue, ISSUE)
    assert issue.title == "Newest title" and issue.labels == []
    assert issue.updated_at == at("2019-05-15T17:00:00Z")
    # the late "opened" still credits the act, at the issue's creation time
    assert kinds(db) == [("issue_opened", AUTHOR, at("2019-05-15T15:20:18Z"))]


def test_locked_and_unlocked(handle, corpus, get):
    handle("issues", corpus("issues", "locked"))
    assert get(Issue, ISSUE).locked is True
    handle("issues", corpus("issues", "unlocked"))
    assert get(Issue, ISSUE).locked is False


def test_deleted_marks_the_issue_and_a_late_older_event_does_not_revive_it(handle, corpus, get):
    handle("issues", corpus("issues", "deleted"))
    assert get(Issue, ISSUE).deleted_at is not None
    handle("issues", corpus("issues", "edited"))
    assert get(Issue, ISSUE).deleted_at is not None


def test_non_triage_actions_by_someone_else_credit_nothing(handle, corpus, db):
    for action in ("edited", "unpinned", "deleted"):
        handle("issues", changed(corpus("issues", action), sender=MAINTAINER))
    assert kinds(db) == []


def test_reopen_lock_pin_by_someone_else_are_triage(handle, corpus, db):
    for action in ("reopened", "locked", "pinned"):
        handle("issues", changed(corpus("issues", action), sender=MAINTAINER))
    assert [(k, who) for k, who, _ in kinds(db)] == [("triage", MAINTAINER["id"])] * 3


def test_transferred_issue_is_recorded_in_its_repository(handle, corpus, get):
    payload = corpus("issues", "transferred")
    handle("issues", payload)
    issue = get(Issue, payload["issue"]["id"])
    assert issue.repository_id == payload["repository"]["id"] == 17273051
    assert get(Repository, 17273051).private is True
