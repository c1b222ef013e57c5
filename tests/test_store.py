"""bot/store.py: timestamps, picking columns, idempotent order-tolerant upserts, people and bots."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.models import Installation, Label, Person, PersonLogin, Repository
from bot.store import is_bot, parse_time, person, pick, upsert

T0 = datetime(2024, 1, 1, tzinfo=UTC)
T1 = T0 + timedelta(hours=1)


@pytest.fixture
def uow(runtime):
    """A session whose writes are rolled back at the end."""
    with runtime.factory() as session:
        yield session
        session.rollback()


def read(uow, model, pk):
    uow.expire_all()
    return uow.get(model, pk)


@pytest.mark.parametrize(("value", "expected"), [
    ("2019-05-15T15:20:18Z", datetime(2019, 5, 15, 15, 20, 18, tzinfo=UTC)),
    ("2021-04-28T22:32:50.000-04:00", datetime(2021, 4, 29, 2, 32, 50, tzinfo=UTC)),
    (1557933591, datetime(2019, 5, 15, 15, 19, 51, tzinfo=UTC)),
    (1557933591.5, datetime(2019, 5, 15, 15, 19, 51, 500000, tzinfo=UTC)),
    ("2019-05-15T15:20:18", datetime(2019, 5, 15, 15, 20, 18, tzinfo=UTC)),
    (None, None),
    ("", None),
])
def test_parse_time_shapes(value, expected):
    parsed = parse_time(value)
    assert parsed == expected
    if parsed is not None:
        assert parsed.utcoffset() == timedelta(0)


def test_parse_time_rejects_booleans_and_garbage():
    with pytest.raises(ValueError):
        parse_time(True)
    with pytest.raises(ValueError):
        parse_time("yesterday")


def test_parse_time_converts_offsets_to_utc():
    parsed = parse_time("2024-01-01T05:00:00+05:00")
    assert parsed.tzinfo is UTC and parsed.replace(tzinfo=None) == datetime(2024, 1, 1)


def test_pick_keeps_only_present_keys_follows_paths_and_parses_times():
    obj = {"id": 1, "name": None, "head": {"sha": "abc", "repo": None}, "updated_at": "2024-01-01T00:00:00Z"}
    out = pick(obj, {"id": "id", "name": "name", "sha": ("head", "sha"), "repo_id": ("head", "repo", "id"),
                     "missing": "missing", "updated_at": "updated_at"}, times=("updated_at",))
    assert out == {"id": 1, "name": None, "sha": "abc", "updated_at": T0}


def test_upsert_inserts_then_updates(uow):
    upsert(uow, Repository, {"id": 1, "name": "a", "full_name": "o/a", "updated_at": T0})
    upsert(uow, Repository, {"id": 1, "name": "b", "full_name": "o/b", "updated_at": T1}, newer="updated_at")
    repo = read(uow, Repository, 1)
    assert (repo.name, repo.full_name, repo.updated_at) == ("b", "o/b", T1)


def test_upsert_never_lets_an_older_object_overwrite_a_newer_one(uow):
    upsert(uow, Repository, {"id": 1, "name": "new", "full_name": "o/new", "updated_at": T1}, newer="updated_at")
    upsert(uow, Repository, {"id": 1, "name": "old", "full_name": "o/old", "updated_at": T0}, newer="updated_at")
    assert read(uow, Repository, 1).name == "new"


def test_upsert_applies_an_equally_new_object(uow):
    upsert(uow, Repository, {"id": 1, "name": "a", "full_name": "o/a", "updated_at": T0}, newer="updated_at")
    upsert(uow, Repository, {"id": 1, "name": "b", "full_name": "o/b", "updated_at": T0}, newer="updated_at")
    assert read(uow, Repository, 1).name == "b"


def test_upsert_updates_a_row_that_has_no_timestamp_yet(uow):
    upsert(uow, Repository, {"id": 1, "name": "a", "full_name": "o/a"}, newer="updated_at")
    upsert(uow, Repository, {"id": 1, "name": "b", "full_name": "o/b", "updated_at": T0}, newer="updated_at")
    assert read(uow, Repository, 1).name == "b"


def test_upsert_of_a_partial_object_never_blanks_known_columns(uow):
    upsert(uow, Repository, {"id": 1, "name": "a", "full_name": "o/a", "default_branch": "main", "updated_at": T0})
    upsert(uow, Repository, {"id": 1, "name": "a2", "full_name": "o/a2"})
    repo = read(uow, Repository, 1)
    assert repo.default_branch == "main" and repo.updated_at == T0


def test_upsert_keeps_insert_only_columns_and_ignores_key_only_rows(uow):
    upsert(uow, Repository, {"id": 1, "name": "a", "full_name": "o/a"})
    upsert(uow, Label, {"id": 9, "repository_id": 1, "name": "bug", "color": "red"}, insert_only=("color",))
    upsert(uow, Label, {"id": 9, "repository_id": 1, "name": "Bug", "color": "blue"}, insert_only=("color",))
    label = read(uow, Label, 9)
    assert (label.name, label.color) == ("Bug", "red")



def test_upsert_of_only_the_key_inserts_once_and_then_changes_nothing(uow):
    upsert(uow, Installation, {"id": 3})
    upsert(uow, Installation, {"id": 3, "app_id": 99})
    upsert(uow, Installation, {"id": 3})
    assert read(uow, Installation, 3).app_id == 99


@pytest.mark.parametrize(("user", "expected"), [
    ({"login": "dependabot[bot]", "type": "Bot"}, True),
    ({"login": "helper", "type": "Bot"}, True),
    ({"login": "renovate[bot]", "type": "User"}, True),
    ({"login": "octocat", "type": "User"}, False),
    ({"login": "bot-lover", "type": "User"}, False),
    ({"login": "Octocoders", "type": "Organization"}, False),
    ({}, False),
])
def test_is_bot(user, expected):
    assert is_bot(user) is expected


def test_person_is_keyed_on_the_numeric_id_and_follows_login_changes(uow):
    user = {"id": 42, "login": "alice", "type": "User", "html_url": "https://github.com/alice"}
    assert person(uow, user, T0) == 42
    assert person(uow, {**user, "login": "alice2"}, T1) == 42
    assert person(uow, user, T0) == 42  # an older sighting of the old login, replayed late
    uow.expire_all()
    assert uow.scalars(select(Person.login).where(Person.id == 42)).all() == ["alice2"]
    logins = uow.scalars(select(PersonLogin.login).where(PersonLogin.person_id == 42)).all()
    assert sorted(logins) == ["alice", "alice2"]
    first = uow.get(PersonLogin, (42, "alice"))
    assert first.first_seen_at == T0


def test_person_records_bots(uow):
    person(uow, {"id": 7, "login": "ci[bot]", "type": "Bot"}, T0)
    person(uow, {"id": 8, "login": "sneaky[bot]", "type": "User"}, T0)
    assert read(uow, Person, 7).is_bot is True and read(uow, Person, 7).type == "Bot"
    assert read(uow, Person, 8).is_bot is True


@pytest.mark.parametrize("user", [None, {}, {"login": "x"}, {"id": 5}, {"id": 5, "login": ""}, {"id": None}])
def test_person_without_id_or_login_is_nobody(uow, user):
    assert person(uow, user, T0) is None
    assert uow.scalar(select(Person).where(Person.id == 5)) is None
