"""pull_request.* → PullRequest rows; pr_opened, pr_merged and triage contributions."""

from __future__ import annotations

from bot.models import Contribution, Person, PullRequest, Repository
from tests.conftest import count
from tests.handlers.conftest import MAINTAINER, at, changed, kinds

AUTHOR = 21031067
PR = 279147437
REPO = 186853002
MERGED_AT = "2019-05-15T15:25:00Z"


def merged(corpus, sender: dict | None = None, merger: dict | None = None) -> dict:
    payload = corpus("pull_request", "closed")
    return changed(payload, pull_request__merged=True, pull_request__merged_at=MERGED_AT,
                   pull_request__updated_at="2019-05-15T15:25:07Z", pull_request__closed_at=MERGED_AT,
                   pull_request__merged_by=merger or payload["sender"], sender=sender or payload["sender"])


def edited(corpus, title: str, updated_at: str) -> dict:
    """pull_request.edited (schema only): opened with action edited, a changes object and a new title."""
    payload = corpus("pull_request", "opened")
    return changed(payload, action="edited", changes={"title": {"from": payload["pull_request"]["title"]}},
                   pull_request__title=title, pull_request__updated_at=updated_at)


def test_opened_creates_the_pull_request_and_credits_pr_opened(handle, corpus, get, db):
    handle("pull_request", corpus("pull_request", "opened"))
    pr = get(PullRequest, PR)
    assert (pr.number, pr.state, pr.draft, pr.merged) == (2, "open", False, False)
    assert pr.title == "Update the README with new information."
    assert pr.repository_id == REPO and pr.author_id == AUTHOR
    assert pr.head_sha == "ec26c3e57ca3a959ca5aad62de7213c562f8c821" and pr.head_ref == "changes"
    assert pr.base_ref == "master" and pr.base_sha == "f95f852bd8fca8fcc58a9a2d6c842781e32a215e"
    assert pr.head_repo_id == REPO and pr.merged_by_id is None
    assert (pr.additions, pr.deletions, pr.changed_files) == (1, 1, 1)
    assert kinds(db) == [("pr_opened", AUTHOR, at("2019-05-15T15:20:33Z"))]
    assert db.query(Contribution).one().url == "https://github.com/Codertocat/Hello-World/pull/2"


def test_merged_credits_the_author_at_merged_at(handle, corpus, get, db):
    handle("pull_request", merged(corpus))
    pr = get(PullRequest, PR)
    assert pr.state == "closed" and pr.merged is True
    assert pr.merged_at == at(MERGED_AT) and pr.merged_by_id == AUTHOR
    assert kinds(db) == [("pr_merged", AUTHOR, at(MERGED_AT))]


def test_merged_by_a_maintainer_still_credits_the_author_and_records_the_merger(handle, corpus, get, db):
    handle("pull_request", merged(corpus, sender=MAINTAINER, merger=MAINTAINER))
    assert get(PullRequest, PR).merged_by_id == MAINTAINER["id"]
    assert get(Person, MAINTAINER["id"]).login == "maint"
    assert ("pr_merged", AUTHOR, at(MERGED_AT)) in kinds(db)
    assert count(db, Contribution, Contribution.kind == "pr_merged") == 1


def test_closed_without_merge_is_not_pr_merged(handle, corpus, get, db):
    handle("pull_request", corpus("pull_request", "closed"))
    pr = get(PullRequest, PR)
    assert pr.state == "closed" and pr.merged is False and pr.closed_at == at("2019-05-15T15:21:18Z")
    assert kinds(db) == []


def test_closed_unmerged_by_a_maintainer_is_triage(handle, corpus, db):
    handle("pull_request", changed(corpus("pull_request", "closed"), sender=MAINTAINER))
    assert kinds(db) == [("triage", MAINTAINER["id"], at("2019-05-15T15:21:18Z"))]


def test_merge_redelivered_credits_once(handle, corpus, db):
    payload = merged(corpus)
    handle("pull_request", payload)
    handle("pull_request", payload)
    assert kinds(db) == [("pr_merged", AUTHOR, at(MERGED_AT))]


def test_opened_redelivered_credits_once(handle, corpus, db):
    payload = corpus("pull_request", "opened")
    handle("pull_request", payload)
    handle("pull_request", payload)
    assert count(db, Contribution) == 1 and count(db, PullRequest) == 1


def test_edited_is_followed_and_an_older_edit_never_wins(handle, corpus, get, db):
    handle("pull_request", corpus("pull_request", "opened"))
    handle("pull_request", edited(corpus, "Newer title", "2019-05-15T16:00:00Z"))
    handle("pull_request", edited(corpus, "Older title", "2019-05-15T15:50:00Z"))
    assert get(PullRequest, PR).title == "Newer title"
    assert kinds(db) == [("pr_opened", AUTHOR, at("2019-05-15T15:20:33Z"))]


def test_a_late_opened_never_reopens_a_merged_pull_request(handle, corpus, get, db):
    handle("pull_request", merged(corpus))
    handle("pull_request", corpus("pull_request", "opened"))
    pr = get(PullRequest, PR)
    assert pr.state == "closed" and pr.merged is True and pr.merged_at == at(MERGED_AT)
    assert kinds(db) == [("pr_merged", AUTHOR, at(MERGED_AT)), ("pr_opened", AUTHOR, at("2019-05-15T15:20:33Z"))]


def test_draft_transitions(handle, corpus, get):
    handle("pull_request", corpus("pull_request", "converted_to_draft"))
    assert get(PullRequest, PR).draft is True
    ready = corpus("pull_request", "ready_for_review")
    handle("pull_request", changed(ready, pull_request__updated_at="2019-05-15T15:30:00Z"))
    assert get(PullRequest, PR).draft is False


def test_review_requested_records_the_reviewers_as_people(handle, corpus, get):
    handle("pull_request", corpus("pull_request", "review_requested"))
    assert get(PullRequest, PR).requested_reviewers == [5346]
    assert get(Person, 5346).login == "octocat"


def test_labeled_and_assigned_by_a_maintainer_is_triage(handle, corpus, get, db):
    handle("pull_request", changed(corpus("pull_request", "labeled"), sender=MAINTAINER))
    handle("pull_request", changed(corpus("pull_request", "assigned"), sender=MAINTAINER))
    assert get(PullRequest, PR).labels == ["bug"]
    assert kinds(db) == [("triage", MAINTAINER["id"], at("2019-05-15T15:20:33Z")),
                         ("triage", MAINTAINER["id"], at("2019-05-15T15:20:35Z"))]


def test_labeled_by_the_author_is_not_triage(handle, corpus, db):
    handle("pull_request", corpus("pull_request", "labeled"))
    handle("pull_request", corpus("pull_request", "synchronize"))
    assert kinds(db) == []


def test_synchronize_follows_the_head(handle, corpus, get):
    handle("pull_request", corpus("pull_request", "opened"))
    sync = changed(corpus("pull_request", "synchronize"), pull_request__head__sha="a" * 40,
                   pull_request__updated_at="2019-05-15T15:40:00Z")
    handle("pull_request", sync)
    assert get(PullRequest, PR).head_sha == "a" * 40


def test_payload_with_and_without_installation(handle, corpus, get):
    without = corpus("pull_request", "converted_to_draft")
    assert "installation" not in without
    handle("pull_request", without)
    assert get(Repository, REPO).installation_id is None
    handle("pull_request", corpus("pull_request", "converted_to_draft.with-installation"))
    assert get(Repository, REPO).installation_id == 1
    assert get(PullRequest, PR).draft is True
