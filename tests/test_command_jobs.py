"""Slash commands end to end: a signed issue_comment delivery → the ``command`` job → the fake GitHub."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from bot import commands, gh
from bot.command_jobs import code
from bot.models import Job, OutboundWrite
from tests.conftest import count
from tests.fake_github.rest import add_comment, add_installation, add_issue, primary_limit
from tests.github_app import app_settings
from tests.handlers.conftest import MAINTAINER, OTHER, changed

INSTALLATION = 1  # the corpus payload's installation
COMMENT = 492700400
REPO = "Codertocat/Hello-World"
LABELS = rf"/repos/{REPO}/issues/1/labels.*"
REACTIONS = rf"/repos/{REPO}/issues/comments/{COMMENT}/reactions"
COMMENTS = rf"/repos/{REPO}/issues/1/comments"
EDITS = rf"/repos/{REPO}/issues/comments/\d+"


@pytest.fixture
def repo(github):
    repo = github.add_repo("Codertocat", "Hello-World", id=186853002, installation_id=INSTALLATION)
    repo.permissions["maint"] = "write"  # who may run what comes from GitHub (bot/governance/permissions.py)
    add_issue(github, repo, 1)
    add_comment(github, repo, 1, "the commented comment")["id"] = COMMENT  # the payload's comment, to react on
    return repo


@pytest.fixture
def as_app(runtime, github, repo):
    gh.reset_caches()
    add_installation(github, INSTALLATION)
    runtime.settings = app_settings(runtime.settings, github)
    yield runtime
    gh.reset_caches()


@pytest.fixture
def comment(corpus):
    def make(body: str, *, user=MAINTAINER, association="MEMBER", comment_id=COMMENT, **changes) -> dict:
        return changed(corpus("issue_comment", "created.with-installation"), comment__body=body,
                       comment__user=user, comment__author_association=association, comment__id=comment_id,
                       sender=user, **changes)

    return make


def labels(repo) -> list[str]:
    return [label["name"] for label in repo.issues[1]["labels"]]


def steward_comments(repo) -> list[str]:
    return [c["body"] for c in repo.issue_comments[1] if c["user"]["type"] == "Bot"]


def test_maintainer_labels_the_issue_and_the_comment_gets_a_thumbs_up(as_app, github, repo, deliver, comment, db):
    assert deliver("issue_comment", comment("Please triage.\n/label bug docs")).status_code == 202
    assert labels(repo) == ["bug", "docs"]
    assert [r["content"] for r in repo.reactions[COMMENT]] == ["+1"]
    assert len(github.requests_to("POST", LABELS)) == 1 and steward_comments(repo) == []
    assert db.scalars(select(Job.status).where(Job.kind == "command")).all() == ["done"]


def test_remove_label_by_the_items_author(as_app, github, repo, deliver, comment):
    repo.issues[1]["labels"] = [{"name": "bug"}, {"name": "wontfix"}]
    author = comment("/remove-label wontfix", association="CONTRIBUTOR")
    author["issue"]["user"] = MAINTAINER  # not a member, but the issue is theirs
    deliver("issue_comment", author)
    assert labels(repo) == ["bug"] and [r["content"] for r in repo.reactions[COMMENT]] == ["+1"]


def test_non_member_is_refused_with_the_reason_and_no_label(as_app, github, repo, deliver, comment):
    deliver("issue_comment", comment("/label bug", user=OTHER, association="NONE"))
    assert labels(repo) == [] and github.requests_to("POST", LABELS) == []
    assert repo.reactions.get(COMMENT) is None
    [reply] = steward_comments(repo)
    assert reply.startswith(f"<!-- steward:command-reply:{COMMENT} -->\n@someone, Steward did not run this command:")
    assert "- `/label bug` (line 1): `/label` needs triage or write access to this repository, or being the " \
           "author of this issue; @someone has read access." in reply


def test_unknown_command_gets_a_reply(as_app, repo, deliver, comment):
    deliver("issue_comment", comment("/foo bar"))
    [reply] = steward_comments(repo)
    assert "- `/foo bar` (line 1): Unknown command `/foo`. Try `/help` for the list of commands." in reply


def test_one_reply_lists_every_refusal_and_accepted_commands_still_run(as_app, repo, deliver, comment):
    deliver("issue_comment", comment("/foo\n/label bug\n/assign @someone\n/label \"x"))
    assert labels(repo) == ["bug"]
    [reply] = steward_comments(repo)
    assert "Steward did not run these commands:" in reply
    assert [line.split(" (line")[0] for line in reply.splitlines() if line.startswith("- ")] == [
        "- `/foo`", "- `/assign someone`", '- `/label "x`']
    assert "GitHub did not assign @someone" in reply  # an action's refusal joins the parser's in the one reply


def test_an_edit_runs_only_the_added_command_and_updates_the_same_reply(as_app, github, repo, deliver, comment):
    first = "/label bug\n/foo"
    deliver("issue_comment", comment(first))
    edited = comment(first + "\n/label docs\n/bar", action="edited", changes={"body": {"from": first}})
    deliver("issue_comment", edited)
    assert labels(repo) == ["bug", "docs"]
    assert [r.body for r in github.requests_to("POST", LABELS)] == [b'{"labels": ["bug"]}', b'{"labels": ["docs"]}']
    [reply] = steward_comments(repo)  # edited in place, now with both refusals
    assert "`/foo`" in reply and "`/bar`" in reply
    assert len(github.requests_to("POST", COMMENTS)) == 1


def test_a_redelivery_does_nothing_new(as_app, github, repo, deliver, comment, db):
    payload = comment("/label bug\n/foo")
    deliver("issue_comment", payload)
    before = len(github.requests)
    deliver("issue_comment", payload)  # same payload, new delivery id
    assert len(github.requests) == before and count(db, Job) == 2


def test_bot_and_steward_comments_are_ignored(as_app, github, repo, deliver, comment, db):
    bot = {**OTHER, "login": "dependabot[bot]", "type": "Bot"}
    deliver("issue_comment", comment("/label bug", user=bot, association="NONE"))
    deliver("issue_comment", comment(f"<!-- steward:help -->\n{commands.help_text()}\n/label bug"))
    deliver("issue_comment", comment("/label bug", user={**MAINTAINER, "login": "steward-app[bot]"}))
    assert count(db, Job) == 0 and labels(repo) == []


def test_help_posts_the_table_once_and_edits_it_on_repeat(as_app, github, repo, deliver, comment):
    deliver("issue_comment", comment("/help", user=OTHER, association="NONE"))
    add_comment(github, repo, 1, "second")["id"] = 7
    deliver("issue_comment", comment("/help", user=OTHER, association="NONE", comment_id=7))
    [table] = steward_comments(repo)
    assert table.startswith("<!-- steward:help -->\n") and commands.help_text() in table
    assert len(github.requests_to("POST", COMMENTS)) == 1 and len(github.requests_to("PATCH", EDITS)) == 1
    assert [r["content"] for r in repo.reactions[7]] == ["+1"]


def test_rate_limit_retries_at_the_reset(as_app, github, repo, deliver, comment, db):
    reset = int(time.time()) + 600
    primary_limit(github, "POST", LABELS, reset=reset)
    deliver("issue_comment", comment("/label bug"))
    db.rollback()
    job = db.scalars(select(Job).where(Job.kind == "command")).one()
    assert job.status == "pending" and job.run_after.timestamp() == pytest.approx(reset, abs=1)
    assert labels(repo) == []


def test_dry_mode_records_the_writes_and_sends_nothing(github, repo, deliver, comment, db):
    deliver("issue_comment", comment("/label bug\n/foo"))
    assert github.requests == [] and labels(repo) == []
    db.rollback()
    writes = db.execute(select(OutboundWrite.kind, OutboundWrite.status, OutboundWrite.target)
                        .order_by(OutboundWrite.id)).all()
    assert writes == [("labels", "dry_run", "issues/1"), ("reaction", "dry_run", f"issues/comments/{COMMENT}"),
                      ("comment", "dry_run", "issues/1")]


def test_code_span_survives_backticks():
    assert code("/label `x`") == "`` /label `x` ``" and code("/a\n b") == "`/a b`"


def test_an_action_can_refuse_and_the_one_reply_says_why(as_app, github, repo, deliver, comment, monkeypatch):
    from bot import command_jobs

    def refuse(run):
        raise command_jobs.Refused(f"@{run.login} may not do that here.")

    monkeypatch.setitem(command_jobs.ACTIONS, "hold", refuse)
    deliver("issue_comment", comment("/hold\n/foo"))
    [reply] = steward_comments(repo)
    assert [line for line in reply.splitlines() if line.startswith("- ")] == [
        "- `/hold` (line 1): @maint may not do that here.",
        "- `/foo` (line 2): Unknown command `/foo`. Try `/help` for the list of commands."]
    assert github.requests_to("POST", REACTIONS) == []


def test_every_action_is_a_known_command():
    from bot import command_jobs

    assert set(command_jobs.actions()) <= set(commands.specs())
