"""repository, star, watch, fork, member, label, create and delete → rows and contributions."""

from __future__ import annotations

from bot.models import Contribution, GitRef, Label, Membership, Person, Repository
from bot.store import parse_time
from tests.conftest import count
from tests.handlers.conftest import OTHER, at, changed, kinds

CODERTOCAT = 21031067
HELLO = 186853002  # Codertocat/Hello-World
OCTO_HELLO = 186853261  # Octocoders/Hello-World
OCTOCODERS = 38302899


def test_created_writes_the_repository_with_its_organisation_owner(handle, corpus, get):
    handle("repository", corpus("repository", "created"))
    repo = get(Repository, OCTO_HELLO)
    assert repo.full_name == "Octocoders/Hello-World" and repo.private is False
    assert repo.owner_id == OCTOCODERS and repo.default_branch == "master"
    assert repo.created_at == at("2019-05-15T15:20:42Z") and repo.deleted_at is None
    owner = get(Person, OCTOCODERS)
    assert owner.login == "Octocoders" and owner.type == "Organization" and owner.is_bot is False


def test_edited_is_followed_and_an_older_edit_never_wins(handle, corpus, get):
    edited = corpus("repository", "edited")
    handle("repository", changed(edited, repository__description="Newest",
                                 repository__updated_at="2019-05-16T00:00:00Z"))
    handle("repository", changed(edited, repository__description="Older"))
    handle("repository", corpus("repository", "created"))
    repo = get(Repository, OCTO_HELLO)
    assert repo.description == "Newest" and repo.updated_at == at("2019-05-16T00:00:00Z")


def test_renamed_follows_the_new_name_on_the_same_row(handle, corpus, get, db):
    handle("repository", changed(corpus("repository", "created"), repository__name="Old-Name",
                                 repository__full_name="Octocoders/Old-Name",
                                 repository__updated_at="2019-05-15T15:20:00Z"))
    handle("repository", corpus("repository", "renamed"))
    assert get(Repository, OCTO_HELLO).full_name == "Octocoders/Hello-World"
    assert count(db, Repository) == 1


def test_privatized_makes_it_private(handle, corpus, get):
    handle("repository", corpus("repository", "privatized"))
    assert get(Repository, HELLO).private is True


def test_an_older_publicized_after_privatized_leaves_it_private(handle, corpus, get):
    handle("repository", corpus("repository", "privatized"))
    handle("repository", changed(corpus("repository", "publicized"), repository__updated_at="2019-05-15T15:21:00Z"))
    assert get(Repository, HELLO).private is True


def test_privatized_arriving_after_a_newer_publicized_still_makes_it_private(handle, corpus, get):
    handle("repository", corpus("repository", "publicized"))
    assert get(Repository, HELLO).private is False
    handle("repository", corpus("repository", "privatized"))
    assert get(Repository, HELLO).private is True


def test_newer_publicized_makes_it_public(handle, corpus, get):
    handle("repository", corpus("repository", "privatized"))
    handle("repository", corpus("repository", "publicized"))
    assert get(Repository, HELLO).private is False


def test_archived_and_deleted(handle, corpus, get):
    """repository.archived and .deleted have schemas but no examples: derived from repository.edited."""
    edited = corpus("repository", "edited")
    handle("repository", changed(edited, action="archived", repository__archived=True,
                                 repository__updated_at="2019-05-16T00:00:00Z"))
    assert get(Repository, OCTO_HELLO).archived is True
    assert get(Repository, OCTO_HELLO).deleted_at is None
    handle("repository", changed(edited, action="deleted"))
    repo = get(Repository, OCTO_HELLO)
    assert repo.deleted_at is not None and repo.archived is True


def test_star_created_credits_the_sender_at_starred_at(handle, corpus, db):
    handle("star", corpus("star", "created"))
    assert kinds(db) == [("star", CODERTOCAT, at("2019-05-15T15:20:40Z"))]
    assert db.query(Contribution).one().repository_id == HELLO


def test_star_redelivered_credits_once_and_unstar_credits_nothing(handle, corpus, db):
    handle("star", corpus("star", "created"))
    handle("star", corpus("star", "created"))
    handle("star", corpus("star", "deleted"))
    assert kinds(db) == [("star", CODERTOCAT, at("2019-05-15T15:20:40Z"))]


def test_watch_started_creates_no_contribution_but_records_who_and_where(handle, corpus, get, db):
    handle("watch", corpus("watch", "started"))
    assert kinds(db) == []
    assert get(Repository, HELLO).full_name == "Codertocat/Hello-World"
    assert get(Person, CODERTOCAT).login == "Codertocat"


def test_fork_writes_the_fork_and_credits_the_sender_at_creation(handle, corpus, get, db):
    payload = corpus("fork", "payload")
    handle("fork", payload)
    fork = get(Repository, payload["forkee"]["id"])
    assert fork.fork is True and fork.parent_id == HELLO and fork.owner_id == OCTOCODERS
    assert fork.full_name == payload["forkee"]["full_name"]
    assert kinds(db) == [("fork", payload["sender"]["id"], parse_time(payload["forkee"]["created_at"]))]
    assert db.query(Contribution).one().repository_id == HELLO


def test_fork_into_an_organisation_credits_the_person_who_forked(handle, corpus, db):
    payload = changed(corpus("fork", "payload"), sender=OTHER)  # forkee.owner stays the Octocoders org
    handle("fork", payload)
    assert [(k, who) for k, who, _ in kinds(db)] == [("fork", OTHER["id"])]


def test_fork_redelivered_credits_once(handle, corpus, db):
    handle("fork", corpus("fork", "payload"))
    handle("fork", corpus("fork", "with-installation"))
    assert count(db, Contribution) == 1


def test_member_added_edited_and_removed(handle, corpus, get):
    added = corpus("member", "added.with-installation")
    handle("member", changed(added, changes={"permission": {"to": "write"}}))
    membership = get(Membership, HELLO, 39652351)
    assert membership.permission == "write" and membership.removed_at is None
    assert get(Person, 39652351).login == "hacktocat"
    # member.removed has a schema but no example: member.added with action removed
    handle("member", changed(added, action="removed"))
    membership = get(Membership, HELLO, 39652351)
    assert membership.removed_at is not None and membership.permission == "write"
    handle("member", changed(added, changes={"permission": {"to": "admin"}}))
    membership = get(Membership, HELLO, 39652351)
    assert membership.removed_at is None and membership.permission == "admin"


def test_member_edited_in_an_unseen_repository(handle, corpus, get):
    payload = corpus("member", "edited")
    handle("member", payload)
    assert get(Membership, 135493233, 583231).removed_at is None
    assert get(Repository, 135493233) is not None


def test_label_lifecycle(handle, corpus, get):
    handle("label", corpus("label", "created"))
    label = get(Label, 1362937026)
    assert (label.name, label.color, label.description) == (":bug: Bugfix", "cb1f00", "Fixes a bug")
    assert label.repository_id == HELLO and label.deleted_at is None
    handle("label", corpus("label", "edited"))
    assert get(Label, 1362937026).color == "cceeaa"
    handle("label", corpus("label", "deleted"))
    assert get(Label, 1362937026).deleted_at is not None


def test_a_label_edit_arriving_after_its_deletion_does_not_revive_it(handle, corpus, get):
    handle("label", corpus("label", "deleted"))
    handle("label", corpus("label", "edited"))
    handle("label", corpus("label", "created"))
    assert get(Label, 1362937026).deleted_at is not None


def test_create_and_delete_track_refs(handle, corpus, get, db):
    handle("create", corpus("create", "payload"))
    ref = get(GitRef, HELLO, "tag", "simple-tag")
    assert ref.deleted is False and ref.created_by_id == CODERTOCAT
    handle("delete", corpus("delete", "payload"))
    ref = get(GitRef, HELLO, "tag", "simple-tag")
    assert ref.deleted is True and ref.created_by_id == CODERTOCAT
    branch = changed(corpus("create", "with-installation"), ref="feature", ref_type="branch")
    handle("create", branch)
    assert get(GitRef, HELLO, "branch", "feature").deleted is False
    assert count(db, GitRef) == 2 and kinds(db) == []
