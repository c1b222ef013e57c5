"""steward people hide|show|hidden on the real database: the opt-out takes effect on the API at once."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.models import ListOptOut
from bot.web import contributors
from tests.conftest import count
from tests.metrics.conftest import MAINT, NEWBIE, NOW, Community, ago

URL = "/api/v1/repos/Codertocat/Hello-World/contributors"


@pytest.fixture
def steward(settings, runtime, monkeypatch):
    monkeypatch.setenv("STEWARD_DATABASE_URL", settings.database_url)
    return lambda *args: CliRunner().invoke(main, list(args))


@pytest.fixture
def people(deliver, corpus, db, monkeypatch):
    monkeypatch.setattr(contributors, "now", lambda: NOW)
    community = Community(deliver, corpus, db)
    issue = community.issue(1, NEWBIE, ago(5))
    community.comment(issue, MAINT, ago(4), "MEMBER")


def logins(client) -> list[str]:
    return [c["login"] for c in client.get(URL).get_json()["contributors"]]


def test_hide_then_show(steward, people, client, db):
    assert logins(client) == ["maint", "newbie"]
    result = steward("people", "hide", "MAINT")  # logins match case-insensitively
    assert result.exit_code == 0 and result.output == "maint (id 7100001) is hidden from named lists\n"
    assert logins(client) == ["anonymous contributor", "newbie"]
    assert steward("people", "hide", "maint").output.endswith("(unchanged)\n")
    assert count(db, ListOptOut) == 1
    assert steward("people", "hidden").output.startswith("maint (id 7100001) hidden since ")
    result = steward("people", "show", "--id", str(MAINT["id"]))
    assert result.exit_code == 0 and result.output == "maint (id 7100001) is shown in named lists\n"
    assert logins(client) == ["maint", "newbie"] and count(db, ListOptOut) == 0
    assert steward("people", "hidden").output == "nobody has opted out\n"


def test_unknown_or_missing_person_is_an_error(steward, people, db):
    for args, message in ((("nobody",), "no person with login 'nobody'"), (("--id", "5"), "no person with GitHub id 5"),
                          ((), "give a LOGIN or --id")):
        result = steward("people", "hide", *args)
        assert result.exit_code != 0 and message in result.output
    assert count(db, ListOptOut) == 0


def test_a_login_held_by_two_ids_needs_the_id(steward, people, db):
    from bot.models import Person

    db.add(Person(id=7199999, login="Maint", type="User", is_bot=False))  # an old holder of the login
    db.commit()
    result = steward("people", "hide", "maint")
    assert result.exit_code != 0 and "(ids 7100001, 7199999): use --id" in result.output
    assert steward("people", "hide", "--id", "7199999").exit_code == 0
    assert count(db, ListOptOut, ListOptOut.person_id == 7199999) == 1


def test_affiliate_and_list_affiliations(steward, people, db):
    result = steward("people", "affiliate", "newbie", "Acme  Inc")
    assert result.exit_code == 0, result.output
    assert result.output == "newbie (id 7100002): Acme Inc (from the start – now, maintainer)\n"
    result = steward("people", "affiliate", "newbie", "Initech", "--since", "2026-02-01")
    assert result.output == ("newbie (id 7100002): Acme Inc (from the start – 2026-02-01, maintainer); "
                             "Initech (2026-02-01 – now, maintainer)\n")
    assert steward("people", "affiliations", "NEWBIE").output == result.output
    assert steward("people", "affiliations", "maint").output == "maint (id 7100001): no affiliation\n"
    bad = steward("people", "affiliate", "newbie", "Globex", "--since", "February")
    assert bad.exit_code == 2 and "'February' is not a date (YYYY-MM-DD)" in bad.output
    unknown = steward("people", "affiliate", "nobody", "Globex")
    assert unknown.exit_code == 1 and "no person with login 'nobody'" in unknown.output
