"""Affiliations: the periods ``set_from`` keeps, and ``/affiliation`` end to end (a signed delivery → the
``command`` job → the commenter's own rows, acknowledged at the fake GitHub)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot import affiliations
from bot.models import Affiliation
from tests import test_governance_commands as commands
from tests.handlers.conftest import OTHER
from tests.test_governance_commands import refusals

as_app, repo, say = commands.as_app, commands.repo, commands.say  # the shared fixtures

T = datetime(2026, 1, 15, tzinfo=UTC)


def periods(db, person_id: int) -> list[tuple]:
    db.rollback()  # a new read: what the jobs committed since
    return [(r.organisation, r.since, r.until, r.source) for r in affiliations.history(db, person_id)]


@pytest.mark.parametrize("text, expected", [("Acme  Inc", "Acme Inc"), ("none", None), ("-", None)])
def test_organisation_names(text, expected):
    assert affiliations.organisation(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "a\x00b", "x" * 256])
def test_unusable_organisation_names_are_refused(text):
    with pytest.raises(affiliations.BadAffiliation):
        affiliations.organisation(text)


def test_a_new_period_replaces_later_ones_and_ends_the_one_it_falls_in(db, people):
    person = people["newbie"]

    def change(name, since, source="self"):
        affiliations.set_from(db, person, name, since, source=source, at=T)
        db.commit()

    change("Initech", None, "maintainer")
    change("Acme", T)
    assert periods(db, person) == [("Initech", None, T, "maintainer"), ("Acme", T, None, "self")]
    earlier = datetime(2025, 6, 1, tzinfo=UTC)
    change("Globex", earlier)  # Acme began after: replaced
    assert periods(db, person) == [("Initech", None, earlier, "maintainer"), ("Globex", earlier, None, "self")]
    change(None, T)  # none from T on
    assert periods(db, person) == [("Initech", None, earlier, "maintainer"), ("Globex", earlier, T, "self")]
    change("Acme", None, "maintainer")  # everything, from the start
    assert periods(db, person) == [("Acme", None, None, "maintainer")]
    assert affiliations.default_since(db, person, T) == T  # a later one, without a date: from now on
    assert affiliations.default_since(db, people["maint"], T) is None  # a first one: from the start


@pytest.fixture
def people(db, deliver, corpus):
    from tests.metrics.conftest import MAINT, NEWBIE, Community

    community = Community(deliver, corpus, db)
    community.issue(1, NEWBIE, T)
    community.issue(2, MAINT, T)
    return {"newbie": NEWBIE["id"], "maint": MAINT["id"]}


def test_affiliation_command_sets_the_commenters_own_organisation(as_app, github, repo, say, db):
    first = say("/affiliation Acme Inc", user=OTHER, association="NONE")
    assert periods(db, OTHER["id"]) == [("Acme Inc", None, None, "self")]  # a first one: from the start
    assert [r["content"] for r in repo.reactions[first]] == ["+1"]
    say("/affiliation Initech since 2026-01-15", user=OTHER, association="NONE")
    assert periods(db, OTHER["id"]) == [("Acme Inc", None, T, "self"), ("Initech", T, None, "self")]
    say("/affiliation none", user=OTHER, association="NONE")  # no organisation from now on
    [(_, _, _, _), (name, since, until, _)] = periods(db, OTHER["id"])
    assert (name, since) == ("Initech", T) and until is not None and until > T
    assert db.scalars(select(Affiliation.person_id).distinct()).all() == [OTHER["id"]]  # only their own


def test_a_bad_date_or_no_name_is_refused_with_the_usage(as_app, github, repo, say, db):
    say("/affiliation Acme since last-week\n/affiliation since 2025-01-01", user=OTHER, association="NONE")
    usage = " Usage: `/affiliation Acme Inc [since 2025-01-31]`."
    assert refusals(repo) == [
        "- `/affiliation Acme since last-week` (line 1): 'last-week' is not a date (YYYY-MM-DD)." + usage,
        "- `/affiliation since 2025-01-01` (line 2): name the organisation first, then `since` and the date." + usage]
    assert periods(db, OTHER["id"]) == []
