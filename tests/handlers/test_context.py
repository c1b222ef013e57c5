"""What every delivery records first: installation, repository, organisation and sender, never dropped."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.handlers import context
from bot.handlers import router as all_handlers
from bot.models import Installation, Person, PersonLogin, Repository
from bot.routing import Event
from tests.conftest import PAYLOADS, count
from tests.handlers.conftest import at, changed

CODERTOCAT = 21031067
HELLO = 186853002


def test_every_corpus_event_is_subscribed_and_routed_to_context_first():
    events = {path.name for path in PAYLOADS.iterdir() if path.is_dir()}
    assert events <= set(context.SUBSCRIBED)
    for name in context.SUBSCRIBED:
        handlers = all_handlers.handlers_for(name, None)
        assert handlers and handlers[0] is context.record, name


def test_a_payload_without_installation_records_repository_and_sender_only(handle, corpus, get, db):
    payload = corpus("issues", "assigned")
    assert "installation" not in payload
    handle("issues", payload)
    assert count(db, Installation) == 0
    repo = get(Repository, HELLO)
    assert repo.installation_id is None and repo.full_name == "Codertocat/Hello-World"
    assert repo.owner_id == CODERTOCAT and repo.private is False and repo.default_branch == "master"
    assert get(Person, CODERTOCAT).login == "Codertocat"


def test_the_same_payload_with_installation_creates_and_links_the_installation(handle, corpus, get, db):
    handle("issues", corpus("issues", "assigned"))
    handle("issues", corpus("issues", "assigned.with-installation"))
    assert count(db, Installation) == 1
    assert get(Installation, 1).account_id is None  # only the id is known from a non-installation event
    assert get(Repository, HELLO).installation_id == 1


def test_an_installation_first_named_by_another_event_is_created(handle, corpus, get):
    handle("star", changed(corpus("star", "created"), installation={"id": 4242, "node_id": "x"}))
    assert get(Installation, 4242) is not None
    assert get(Repository, HELLO).installation_id == 4242


def test_organization_is_recorded_as_an_organization_person(handle, corpus, get):
    payload = corpus("issues", "opened.with-organization")
    handle("issues", payload)
    org = get(Person, payload["organization"]["id"])
    assert org.type == "Organization" and org.login == payload["organization"]["login"] and org.is_bot is False


def renamed(obj, person_id: int, login: str):
    """The payload as GitHub would send it after the rename: every object of that account has the new login."""
    if isinstance(obj, dict):
        out = {key: renamed(value, person_id, login) for key, value in obj.items()}
        if out.get("id") == person_id and "login" in out:
            out["login"] = login
        return out
    return [renamed(value, person_id, login) for value in obj] if isinstance(obj, list) else obj


def test_a_login_change_is_followed_on_the_same_person(handle, corpus, get, db):
    handle("issues", corpus("issues", "opened"))
    handle("issue_comment", renamed(corpus("issue_comment", "created"), CODERTOCAT, "Codertocat-renamed"))
    assert count(db, Person, Person.id == CODERTOCAT) == 1
    assert get(Person, CODERTOCAT).login == "Codertocat-renamed"
    logins = db.scalars(select(PersonLogin.login).where(PersonLogin.person_id == CODERTOCAT)).all()
    assert sorted(logins) == ["Codertocat", "Codertocat-renamed"]
    # an older delivery naming the old login arrives late: the new login stays
    handle("issues", corpus("issues", "opened"))
    assert get(Person, CODERTOCAT).login == "Codertocat-renamed"
    assert count(db, PersonLogin, PersonLogin.person_id == CODERTOCAT) == 2


def test_a_login_change_seen_in_a_push_is_followed(handle, corpus, get):
    """A push's repository keeps an old updated_at; its pushed_at says when the push (and login) was current."""
    handle("issues", corpus("issues", "reopened"))  # seen at 2021-10-11
    pushed = int(datetime(2021, 11, 1, tzinfo=UTC).timestamp())
    push = changed(corpus("push", "with-new-branch"), repository__pushed_at=pushed,
                   head_commit__timestamp="2021-11-01T00:00:00Z")
    push = renamed(push, CODERTOCAT, "Codertocat-renamed")
    handle("push", push)
    assert get(Person, CODERTOCAT).login == "Codertocat-renamed"


def test_bots_are_flagged_by_type_or_by_login_suffix(handle, corpus, get):
    typed_bot = {**corpus("issues", "opened")["sender"], "id": 8000001, "login": "helper", "type": "Bot"}
    suffixed = {**typed_bot, "id": 8000002, "login": "renovate[bot]", "type": "User"}
    handle("issues", changed(corpus("issues", "labeled"), sender=typed_bot))
    handle("issues", changed(corpus("issues", "unlabeled"), sender=suffixed))
    assert get(Person, 8000001).is_bot is True and get(Person, 8000002).is_bot is True
    assert get(Person, CODERTOCAT).is_bot is False


def test_an_unseen_repository_and_person_in_any_event_are_created(handle, corpus, get, db):
    handle("watch", corpus("watch", "started"))
    handle("gollum", corpus("gollum", "payload"))
    assert get(Repository, HELLO) is not None
    assert get(Person, 9831992).login == "rachmari"
    assert count(db, Repository) == 1


def test_a_private_repository_stays_private_when_older_public_state_arrives(handle, corpus, get):
    handle("repository", corpus("repository", "privatized"))
    handle("issues", corpus("issues", "opened"))  # carries the repository as public, older
    handle("star", corpus("star", "created"))
    assert get(Repository, HELLO).private is True


def test_seen_at_prefers_the_main_objects_timestamp_and_falls_back_to_receipt():
    received = datetime(2030, 1, 1, tzinfo=UTC)
    issue = {"issue": {"updated_at": "2019-05-15T15:20:18Z"}, "repository": {"updated_at": "2019-01-01T00:00:00Z"}}
    assert context.seen_at(Event("issues", "opened", issue, "d", received)) == at("2019-05-15T15:20:18Z")
    assert context.seen_at(Event("gollum", None, {"pages": []}, "d", received)) == received
    push = {"repository": {"updated_at": "2019-05-15T15:20:41Z", "pushed_at": 1557940000},
            "head_commit": {"timestamp": "2019-05-15T15:19:25Z"}}
    assert context.seen_at(Event("push", None, push, "d", received)) == datetime.fromtimestamp(1557940000, UTC)
    epoch = {"installation": {"updated_at": 1557933591}}
    assert context.seen_at(Event("installation", "created", epoch, "d", received)) == datetime.fromtimestamp(
        1557933591, UTC)


def test_ids_of_an_event():
    event = Event("push", None, {"repository": {"id": 5}, "sender": {"id": 6}, "installation": {"id": 7}}, "d",
                  datetime.now(UTC))
    assert (context.repo_id(event), context.sender_id(event), context.installation_id(event)) == (5, 6, 7)
    empty = Event("ping", None, {}, "d", datetime.now(UTC))
    assert (context.repo_id(empty), context.sender_id(empty), context.installation_id(empty)) == (None, None, None)
