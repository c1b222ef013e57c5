"""check_suite and check_run → CheckSuite and CheckRun rows; state never moves backwards."""

from __future__ import annotations

from bot.models import CheckRun, CheckSuite, Contribution, Person
from tests.conftest import count
from tests.handlers.conftest import at, changed

RUN = 128620228
SUITE = 118578147
HELLO = 186853002
SHA = "ec26c3e57ca3a959ca5aad62de7213c562f8c821"


def test_check_run_created_then_completed(handle, corpus, get, db):
    handle("check_run", corpus("check_run", "created"))
    run = get(CheckRun, RUN)
    assert (run.status, run.conclusion, run.name) == ("queued", None, "Octocoders-linter")
    assert run.head_sha == SHA and run.check_suite_id == SUITE and run.app_id == 29310
    assert run.repository_id == HELLO and run.started_at == at("2019-05-15T15:21:12Z") and run.completed_at is None
    handle("check_run", corpus("check_run", "completed"))
    run = get(CheckRun, RUN)
    assert (run.status, run.conclusion) == ("completed", "success")
    assert run.completed_at == at("2019-05-15T15:21:12Z")
    assert count(db, Contribution) == 0


def test_a_late_in_progress_never_undoes_completed(handle, corpus, get):
    handle("check_run", corpus("check_run", "completed"))
    handle("check_run", changed(corpus("check_run", "created"), check_run__status="in_progress"))
    handle("check_run", corpus("check_run", "created"))
    run = get(CheckRun, RUN)
    assert (run.status, run.conclusion) == ("completed", "success")
    assert run.completed_at == at("2019-05-15T15:21:12Z")


def test_in_progress_moves_a_queued_run_forward(handle, corpus, get):
    handle("check_run", corpus("check_run", "created"))
    handle("check_run", changed(corpus("check_run", "created"), check_run__status="in_progress"))
    assert get(CheckRun, RUN).status == "in_progress"


def test_check_run_with_installation_and_organization(handle, corpus, get):
    payload = corpus("check_run", "requested_action")
    handle("check_run", payload)
    run = get(CheckRun, payload["check_run"]["id"])
    assert run.status == "in_progress" and run.repository_id == payload["repository"]["id"]
    assert get(Person, payload["organization"]["id"]).type == "Organization"


def test_check_suite_requested_then_completed(handle, corpus, get):
    requested = corpus("check_suite", "requested")
    handle("check_suite", requested)
    suite = get(CheckSuite, requested["check_suite"]["id"])
    assert (suite.status, suite.conclusion, suite.head_branch) == ("queued", None, "master")
    assert suite.app_id == 29310 and suite.repository_id == HELLO
    handle("check_suite", corpus("check_suite", "completed"))
    suite = get(CheckSuite, SUITE)
    assert (suite.status, suite.conclusion, suite.head_sha) == ("completed", "success", SHA)
    assert suite.updated_at == at("2019-05-15T15:21:14Z")


def test_an_older_check_suite_state_never_overwrites_a_newer_one(handle, corpus, get):
    handle("check_suite", corpus("check_suite", "completed"))
    older = changed(corpus("check_suite", "completed"), action="requested", check_suite__status="queued",
                    check_suite__conclusion=None, check_suite__updated_at="2019-05-15T15:20:31Z")
    handle("check_suite", older)
    suite = get(CheckSuite, SUITE)
    assert (suite.status, suite.conclusion) == ("completed", "success")


def test_rerequested_by_a_bot_flags_the_bot(handle, corpus, get):
    handle("check_suite", corpus("check_suite", "rerequested"))
    bot = get(Person, 49795351)
    assert bot.login == "octocoders-linter[bot]" and bot.is_bot is True
