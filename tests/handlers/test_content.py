"""push, gollum and release → Push, GitRef and Release rows; docs_change and release contributions."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.models import Contribution, GitRef, Push, Release
from tests.conftest import count
from tests.handlers.conftest import at, changed, kinds

CODERTOCAT = 21031067
RACHMARI = 9831992
HELLO = 186853002
RELEASE = 17372790
NEW_BRANCH_AT = at("2019-05-15T15:19:25Z")  # head_commit.timestamp of push/with-new-branch


def push_touching(corpus, *paths: str, ref: str = "refs/heads/master") -> dict:
    payload = corpus("push", "with-new-branch")
    commit = payload["commits"][0]
    return changed(payload, ref=ref, commits=[{**commit, "added": [], "modified": list(paths), "removed": []}])


def test_push_to_the_default_branch_touching_docs_is_a_docs_change(handle, corpus, get, db):
    payload = corpus("push", "with-new-branch")
    handle("push", payload)
    push = db.query(Push).one()
    assert push.repository_id == HELLO and push.ref == "refs/heads/master" and push.pusher_id == CODERTOCAT
    assert push.docs_paths == ["README.md"] and push.commit_count == 1
    assert push.after == payload["after"] and push.pushed_at == NEW_BRANCH_AT
    assert get(GitRef, HELLO, "branch", "master").deleted is False
    assert kinds(db) == [("docs_change", CODERTOCAT, NEW_BRANCH_AT)]
    assert db.query(Contribution).one().url == payload["compare"]


def test_push_to_another_branch_is_not_a_docs_change(handle, corpus, get, db):
    handle("push", push_touching(corpus, "docs/index.md", "README.md", ref="refs/heads/feature"))
    push = db.query(Push).one()
    assert push.docs_paths == ["README.md", "docs/index.md"] and push.ref == "refs/heads/feature"
    assert get(GitRef, HELLO, "branch", "feature").created_by_id == CODERTOCAT
    assert kinds(db) == []


def test_push_to_the_default_branch_touching_only_code_is_not_a_docs_change(handle, corpus, db):
    handle("push", push_touching(corpus, "src/app.py", "setup.cfg"))
    assert db.query(Push).one().docs_paths == []
    assert kinds(db) == []


def test_docs_paths_are_collected_across_commits_and_change_kinds(handle, corpus, db):
    payload = corpus("push", "with-new-branch")
    commit = payload["commits"][0]
    commits = [{**commit, "added": ["docs/a.rst"], "modified": ["src/x.py"], "removed": []},
               {**commit, "added": [], "modified": ["MODEL_CARD.txt"], "removed": ["doc/old.md", "docs/a.rst"]}]
    handle("push", changed(payload, commits=commits))
    push = db.query(Push).one()
    assert push.docs_paths == ["MODEL_CARD.txt", "doc/old.md", "docs/a.rst"] and push.commit_count == 2
    assert kinds(db) == [("docs_change", CODERTOCAT, NEW_BRANCH_AT)]


def test_push_redelivered_writes_one_push_and_one_contribution(handle, corpus, db):
    payload = corpus("push", "with-new-branch")
    handle("push", payload)
    handle("push", payload)
    assert count(db, Push) == 1 and count(db, Contribution) == 1


def test_tag_deletion_push_marks_the_ref_deleted(handle, corpus, get, db):
    payload = corpus("push", "payload")
    handle("push", payload)
    push = db.query(Push).one()
    assert push.ref == "refs/tags/simple-tag" and push.commit_count == 0 and push.docs_paths == []
    assert push.after == "0" * 40
    assert get(GitRef, HELLO, "tag", "simple-tag").deleted is True
    assert kinds(db) == []


def test_gollum_wiki_edit_is_a_docs_change_at_receipt_time(handle, corpus, db):
    before = datetime.now(UTC)
    handle("gollum", corpus("gollum", "payload"))
    after = datetime.now(UTC)
    [(kind, person, when)] = kinds(db)
    assert kind == "docs_change" and person == RACHMARI
    assert before <= when <= after  # the payload carries no timestamp
    row = db.query(Contribution).one()
    assert row.repository_id == HELLO and row.url == "https://github.com/Codertocat/Hello-World/wiki/Home"


def test_gollum_redelivered_credits_once_but_each_page_revision_counts(handle, corpus, db):
    payload = corpus("gollum", "payload")
    handle("gollum", payload)
    handle("gollum", corpus("gollum", "with-installation"))
    assert count(db, Contribution) == 1
    page = payload["pages"][0]
    pages = [{**page, "sha": "1" * 40}, {**page, "page_name": "Other", "sha": "2" * 40}]
    handle("gollum", changed(payload, pages=pages))
    assert [k for k, *_ in kinds(db)] == ["docs_change"] * 3


def test_release_published_writes_the_release_and_credits_its_author(handle, corpus, get, db):
    handle("release", corpus("release", "published"))
    release = get(Release, RELEASE)
    assert (release.tag_name, release.draft, release.prerelease) == ("0.0.1", False, False)
    assert release.author_id == CODERTOCAT and release.repository_id == HELLO
    assert release.published_at == at("2019-05-15T15:20:53Z") and release.deleted_at is None
    assert kinds(db) == [("release", CODERTOCAT, at("2019-05-15T15:20:53Z"))]


def test_release_events_for_one_release_credit_once(handle, corpus, db):
    for name in ("created", "published", "released", "edited", "prereleased"):
        handle("release", corpus("release", name))
    assert kinds(db) == [("release", CODERTOCAT, at("2019-05-15T15:20:53Z"))]


def test_draft_release_is_not_credited(handle, corpus, get, db):
    handle("release", changed(corpus("release", "created"), release__draft=True, release__published_at=None))
    assert get(Release, RELEASE).draft is True
    assert kinds(db) == []


def test_unpublished_release_is_not_credited(handle, corpus, get, db):
    """release.unpublished has a schema but no example: release.published with published_at null."""
    handle("release", changed(corpus("release", "published"), action="unpublished", release__published_at=None))
    assert get(Release, RELEASE).published_at is None
    assert kinds(db) == []


def test_release_deleted_marks_the_row(handle, corpus, get, db):
    handle("release", corpus("release", "published"))
    handle("release", corpus("release", "deleted"))
    assert get(Release, RELEASE).deleted_at is not None
    handle("release", corpus("release", "edited"))  # a late edit does not revive it
    assert get(Release, RELEASE).deleted_at is not None
    assert count(db, Contribution) == 1


def test_release_deleted_first_seen_is_recorded_and_not_credited(handle, corpus, get, db):
    handle("release", corpus("release", "deleted"))
    assert get(Release, RELEASE).deleted_at is not None
    assert kinds(db) == []
