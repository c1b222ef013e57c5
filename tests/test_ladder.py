"""Contributor ladder end to end, with a controlled clock: reviews and merged pull requests arrive as signed
deliveries, the monthly report is ONE issue per month at the fake GitHub, edited in place, never duplicated."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from bot.periodic import ladder
from tests import periodic_clock
from tests.handlers.conftest import changed
from tests.periodic_clock import INSTALLED, REPO, configure, iso, tick

as_app, clock, repo = periodic_clock.as_app, periodic_clock.clock, periodic_clock.repo  # the shared fixtures

CONFIG = """\
ladder:
  rungs:
    reviewer: {reviews: 2, merged_prs: 1, days: 90}
    approver: {reviews: 5, days: 90}
  holders:
    reviewer: [carol, zed]
  emeritus_after_days: 60
  notify: ["@Codertocat/maintainers"]
"""
PEOPLE = {name: {"login": name, "id": 7200000 + i, "type": "User", "html_url": f"https://github.com/{name}"}
          for i, name in enumerate(("alice", "bob", "carol", "zed"))}
JUNE = datetime(2019, 6, 10, tzinfo=UTC)
JULY_RUN = datetime(2019, 7, 3, 9, tzinfo=UTC)
ISSUES = rf"/repos/{REPO}/issues"


@pytest.fixture
def contribute(as_app, deliver, corpus):
    counter = iter(range(1, 1000))

    def review(who: str, at: datetime) -> None:
        n = next(counter)
        payload = changed(corpus("pull_request_review", "submitted"), installation=INSTALLED,
                          review__id=8_000_000 + n, review__user=PEOPLE[who], review__submitted_at=iso(at),
                          review__html_url=f"https://github.com/{REPO}/pull/2#pullrequestreview-{n}",
                          sender=PEOPLE[who])
        assert deliver("pull_request_review", payload).status_code == 202

    def merged(who: str, at: datetime) -> None:
        n = next(counter)
        payload = changed(corpus("pull_request", "closed"), installation=INSTALLED, number=100 + n,
                          pull_request__number=100 + n, pull_request__id=9_000_000 + n,
                          pull_request__user=PEOPLE[who], pull_request__merged=True,
                          pull_request__merged_at=iso(at), pull_request__closed_at=iso(at),
                          pull_request__updated_at=iso(at),
                          pull_request__html_url=f"https://github.com/{REPO}/pull/{100 + n}")
        assert deliver("pull_request", payload).status_code == 202

    return review, merged


def created(github) -> list[dict]:
    return [json.loads(r.body) for r in github.requests_to("POST", ISSUES)]


def test_one_issue_per_month_with_evidence_edited_in_place_never_duplicated(as_app, clock, github, repo,
                                                                            contribute):
    review, merged = contribute
    configure(repo, CONFIG)
    review("alice", JUNE)
    review("alice", JUNE + timedelta(days=1))
    merged("alice", JUNE + timedelta(days=2))
    review("bob", JUNE)  # one review short
    merged("bob", JUNE)
    review("carol", JUNE)  # already a reviewer
    review("carol", JUNE)
    merged("carol", JUNE)
    review("alice", datetime(2019, 7, 2, tzinfo=UTC))  # after the month began: next month's evidence
    tick(as_app, clock, "ladder", JULY_RUN)
    [issue] = created(github)
    assert issue["title"] == "Contributor ladder suggestions for 2019-07" and issue["labels"] == ["governance"]
    assert issue["body"] == (
        "<!-- steward:ladder:2019-07 -->\n## Contributor ladder suggestions for 2019-07\n\n"
        "cc @Codertocat/maintainers\n\nSteward measured the contribution ledger up to 2019-07-01. These are"
        " suggestions with their evidence; Steward never changes anyone's role. Maintainers decide, and record"
        " holders under `ladder.holders` (or in the rung's team) in `.github/steward.yml`.\n\n"
        "### Candidates for reviewer (≥ 2 reviews, ≥ 1 merged prs in 90 days)\n\n"
        "| Contributor | Rule | All contributions | Examples |\n| --- | --- | --- | --- |\n"
        "| [alice](https://github.com/alice) | 2 reviews, 1 merged prs | pr_merged 1, review 2 |"
        f" [1](https://github.com/{REPO}/pull/103) [2](https://github.com/{REPO}/pull/2#pullrequestreview-2)"
        f" [3](https://github.com/{REPO}/pull/2#pullrequestreview-1) |\n\n"
        "### Emeritus (no contribution for 60 days)\n\n| Holder | Rung | Last contribution |\n| --- | --- | --- |\n"
        "| [zed](https://github.com/zed) | reviewer | none recorded |\n")
    number = repo.issues and max(repo.issues)
    tick(as_app, clock, "ladder", JULY_RUN + timedelta(days=1))  # same month, same evidence: nothing sent
    assert len(created(github)) == 1 and github.requests_to("PATCH", rf"{ISSUES}/\d+") == []
    review("bob", JUNE + timedelta(days=3))  # a late delivery (backfill) about June: the report changes
    tick(as_app, clock, "ladder", JULY_RUN + timedelta(days=2))
    [edit] = github.requests_to("PATCH", rf"{ISSUES}/\d+")
    assert edit.path == f"{ISSUES}/{number}" and len(created(github)) == 1
    assert "| [bob](https://github.com/bob) | 2 reviews, 1 merged prs |" in json.loads(edit.body)["body"]
    assert repo.issues[number]["body"] == json.loads(edit.body)["body"]
    tick(as_app, clock, "ladder", datetime(2019, 8, 2, tzinfo=UTC))
    assert [i["title"] for i in created(github)] == ["Contributor ladder suggestions for 2019-07",
                                                     "Contributor ladder suggestions for 2019-08"]


def test_nothing_to_suggest_opens_no_issue(as_app, clock, github, repo, contribute):
    review, _ = contribute
    configure(repo, CONFIG.replace("[carol, zed]", "[carol]"))
    review("carol", JUNE)
    tick(as_app, clock, "ladder", JULY_RUN)
    assert created(github) == []


def test_contributions_on_items_closed_as_spam_do_not_count(as_app, clock, github, repo, contribute):
    from bot.db import transaction
    from bot.models import ExcludedItem

    review, merged = contribute
    configure(repo, CONFIG.replace("[carol, zed]", "[carol]"))
    review("carol", JUNE)  # carol stays active: no emeritus suggestion either
    review("alice", JUNE)
    review("alice", JUNE)
    merged("alice", JUNE)  # pull/104: then closed as spam
    with transaction(as_app.factory) as uow:
        uow.add(ExcludedItem(repository_id=repo.id, number=104, html_url=f"https://github.com/{REPO}/pull/104",
                             reason="spam", by_login="maint", created_at=JUNE))
    tick(as_app, clock, "ladder", JULY_RUN)
    assert not any("alice" in issue["body"] for issue in created(github))  # without that PR she meets no rung


def test_a_higher_rung_holder_is_not_suggested_for_a_lower_one_and_emeritus_counts_any_activity(
        as_app, clock, github, repo, contribute):
    review, merged = contribute
    configure(repo, CONFIG.replace("    reviewer: [carol, zed]", "    approver: [alice]"))
    review("alice", JUNE)
    review("alice", JUNE)
    merged("alice", JUNE)
    review("bob", datetime(2019, 3, 1, tzinfo=UTC))
    tick(as_app, clock, "ladder", JULY_RUN)
    assert created(github) == []  # alice holds approver, active in June


def test_rung_rule_lists_only_requirements():
    assert ladder.Rung(days=30, reviews=3, docs=1).rule() == {"reviews": 3, "docs": 1}
    assert ladder.month_start("2019-07-03T00:00:00+00:00") == datetime(2019, 7, 1, tzinfo=UTC)


def test_a_team_holds_a_rung_and_its_inactive_members_are_suggested_for_emeritus(as_app, clock, github, repo,
                                                                                 contribute):
    review, merged = contribute
    github.state.teams["codertocat/reviewers"] = ["alice", "quiet"]
    configure(repo, CONFIG.replace("    reviewer: [carol, zed]", "    reviewer: [carol]")
              + "  teams:\n    reviewer: \"@Codertocat/reviewers\"\n")
    for who in ("alice", "carol"):
        review(who, JUNE)
        review(who, JUNE)
        merged(who, JUNE)
    tick(as_app, clock, "ladder", JULY_RUN)
    [issue] = created(github)
    assert "Candidates for" not in issue["body"]  # alice holds reviewer through the team
    assert "| [quiet](https://github.com/quiet) | reviewer | none recorded |" in issue["body"]
    assert len(github.requests_to("GET", "/orgs/Codertocat/teams/reviewers/members")) == 1


def test_a_team_must_be_org_slash_slug():
    from bot import repo_config

    error = repo_config.parse("ladder:\n  rungs: {reviewer: {reviews: 1}}\n  teams: {reviewer: reviewers}\n")
    assert str(error) == 'ladder.teams.reviewer: expected a team as org/team-slug, got "reviewers"'


def test_a_crash_between_creating_the_issue_and_recording_it_does_not_duplicate_it(as_app, clock, github, repo,
                                                                                  contribute):
    from sqlalchemy import delete

    from bot.db import transaction
    from bot.models import LadderReport

    review, merged = contribute
    configure(repo, CONFIG)
    review("carol", JUNE)
    tick(as_app, clock, "ladder", JULY_RUN)  # zed: emeritus
    assert len(created(github)) == 1
    with transaction(as_app.factory) as uow:
        uow.execute(delete(LadderReport))  # as if the job died right after GitHub created the issue
    review("alice", JUNE)
    review("alice", JUNE)
    merged("alice", JUNE)
    tick(as_app, clock, "ladder", JULY_RUN + timedelta(days=1))
    assert len(created(github)) == 1
    [edit] = github.requests_to("PATCH", rf"{ISSUES}/\d+")
    assert "| [alice](https://github.com/alice) |" in json.loads(edit.body)["body"]
