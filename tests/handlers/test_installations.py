"""installation, installation_repositories and ping → Installation, Repository and Hook rows."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.models import Contribution, Hook, Installation, Person, Repository
from tests.conftest import count
from tests.handlers.conftest import at, changed

INSTALLATION = 957387
CODERTOCAT = 21031067
HELLO = 186853002


def test_created_writes_the_installation_its_account_and_links_its_repositories(handle, corpus, get, db):
    payload = corpus("installation", "created")
    handle("installation", payload)
    inst = get(Installation, INSTALLATION)
    assert inst.app_id == 29310 and inst.account_id == CODERTOCAT and inst.target_type == "User"
    assert inst.repository_selection == "selected" and inst.deleted_at is None and inst.suspended_at is None
    assert inst.created_at == datetime.fromtimestamp(1557933591, UTC)
    assert inst.permissions == payload["installation"]["permissions"] and inst.permissions["metadata"] == "read"
    assert inst.events == payload["installation"]["events"]
    assert get(Person, CODERTOCAT).login == "Codertocat"
    repo = get(Repository, HELLO)
    assert repo.installation_id == INSTALLATION and repo.full_name == "Codertocat/Hello-World"
    assert count(db, Contribution) == 0


def test_deleted_unlinks_its_repositories(handle, corpus, get):
    created = corpus("installation", "created")
    handle("installation", created)
    deleted = changed(corpus("installation", "deleted"), installation=created["installation"],
                      repositories=created["repositories"])
    handle("installation", deleted)
    assert get(Installation, INSTALLATION).deleted_at is not None
    assert get(Repository, HELLO).installation_id is None


def test_late_event_does_not_relink_to_a_removed_installation(handle, corpus, get):
    created = corpus("installation", "created")
    handle("installation", created)
    handle("installation", changed(created, action="deleted"))
    late = changed(corpus("issues", "pinned"), installation={"id": INSTALLATION, "node_id": "x"})
    handle("issues", late)  # e.g. a redelivery of something from before the uninstall
    assert get(Repository, HELLO).installation_id is None


def test_deleted_first_seen_is_recorded_and_creates_what_it_names(handle, corpus, get):
    payload = corpus("installation", "deleted")
    handle("installation", payload)
    inst = get(Installation, 2)
    assert inst.deleted_at is not None and inst.account_id == 1 and inst.app_id == 5725
    repo = get(Repository, 1296269)
    assert repo is not None and repo.installation_id is None and repo.full_name == "octocat/Hello-World"


def test_recreated_installation_is_no_longer_deleted(handle, corpus, get):
    created = corpus("installation", "created")
    handle("installation", changed(created, action="deleted"))
    assert get(Installation, INSTALLATION).deleted_at is not None
    handle("installation", changed(created, installation__updated_at=1557940000))
    assert get(Installation, INSTALLATION).deleted_at is None
    assert get(Repository, HELLO).installation_id == INSTALLATION


def test_suspend_and_unsuspend(handle, corpus, get):
    handle("installation", corpus("installation", "suspend"))
    inst = get(Installation, 16598467)
    assert inst.suspended_at == at("2021-04-29T02:32:50Z") and inst.target_type == "Organization"
    assert inst.updated_at == at("2021-04-29T02:32:50Z")  # "-04:00" offset converted to UTC
    handle("installation", corpus("installation", "unsuspend"))
    assert get(Installation, 16598467).suspended_at is None


def test_an_older_installation_payload_never_overwrites_newer_state(handle, corpus, get):
    created = corpus("installation", "created")
    handle("installation", changed(created, action="new_permissions_accepted", installation__updated_at=1557940000,
                                   installation__repository_selection="all"))
    handle("installation", created)
    assert get(Installation, INSTALLATION).repository_selection == "all"


def test_repositories_added_links_an_unseen_repository(handle, corpus, get):
    handle("installation_repositories", corpus("installation_repositories", "added"))
    repo = get(Repository, 186853007)
    assert repo.installation_id == INSTALLATION and repo.full_name == "Codertocat/Space" and repo.private is False
    assert get(Installation, INSTALLATION).repository_selection == "selected"


def test_repositories_removed_unlinks(handle, corpus, get):
    removed = corpus("installation_repositories", "removed")
    added = changed(removed, action="added", repositories_added=removed["repositories_removed"],
                    repositories_removed=[])
    handle("installation_repositories", added)
    assert get(Repository, 1296269).installation_id == 2
    handle("installation_repositories", removed)
    assert get(Repository, 1296269).installation_id is None


def test_removed_by_another_installation_leaves_the_link(handle, corpus, get):
    handle("installation_repositories", corpus("installation_repositories", "added"))
    removed = corpus("installation_repositories", "removed")
    space = corpus("installation_repositories", "added")["repositories_added"]
    handle("installation_repositories", changed(removed, repositories_removed=space))
    assert get(Repository, 186853007).installation_id == INSTALLATION


def test_a_partial_repository_object_never_blanks_known_columns(handle, corpus, get):
    handle("issues", corpus("issues", "opened"))
    created = corpus("installation", "created")
    handle("installation", created)
    repo = get(Repository, HELLO)
    assert repo.default_branch == "master" and repo.html_url == "https://github.com/Codertocat/Hello-World"
    assert repo.installation_id == INSTALLATION


def test_ping_writes_the_hook(handle, corpus, get):
    handle("ping", corpus("ping", "payload"))
    hook = get(Hook, 109948940)
    assert hook.type == "Repository" and hook.active is True and hook.events == ["*"]
    assert hook.repository_id == 186853261 and hook.app_id is None
    assert hook.created_at == at("2019-05-15T15:20:49Z")


def test_ping_with_app_id(handle, corpus, get, db):
    handle("ping", corpus("ping", "payload"))
    handle("ping", corpus("ping", "with-app_id"))
    assert get(Hook, 109948940).app_id == 29310
    assert count(db, Hook) == 1


def test_ping_without_hook_object_uses_hook_id(handle, corpus, get):
    payload = corpus("ping", "payload")
    del payload["hook"]
    handle("ping", payload)
    assert get(Hook, 109948940) is not None


def test_ping_without_any_hook_id_writes_nothing(handle, db):
    handle("ping", {"zen": "Keep it logically awesome."})
    assert count(db, Hook) == 0
