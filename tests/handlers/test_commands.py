"""issue_comment → ``command`` job rows: who may run what, what an edit adds, what is ignored (no GitHub)."""

from __future__ import annotations

from sqlalchemy import select

from bot.models import Job
from tests.conftest import count
from tests.handlers.conftest import MAINTAINER, OTHER, changed

COMMENT = 492700400


def command_jobs(db) -> list[dict]:
    db.rollback()
    return [dict(args) for args in db.scalars(select(Job.args).where(Job.kind == "command").order_by(Job.id))]


def payload(corpus, body: str, *, user=MAINTAINER, association="MEMBER", **changes) -> dict:
    return changed(corpus("issue_comment", "created"), comment__body=body, comment__user=user,
                   comment__author_association=association, sender=user, **changes)


def test_each_command_is_one_job_with_its_decision(handle, corpus, db):
    handle("issue_comment", payload(corpus, "/label bug docs\n```\n/label x\n```\n/help\n/lgtm\n/nope"))
    jobs = command_jobs(db)
    assert [(j["name"], j["args"], j["line"], j["refusal"] is None) for j in jobs] == [
        ("label", ["bug", "docs"], 1, True), ("help", [], 5, True), ("lgtm", [], 6, False), (None, [], 7, False)]
    assert jobs[0]["repository"] == "Codertocat/Hello-World" and jobs[0]["number"] == 1
    assert jobs[0]["comment_id"] == COMMENT and jobs[0]["login"] == "maint"


def test_pull_request_comment_by_a_stranger_is_refused_naming_the_pull_request(handle, corpus, db):
    body = payload(corpus, "/remove-label bug\n/help", user=OTHER, association="FIRST_TIME_CONTRIBUTOR",
                   issue__pull_request={"url": "https://api.github.com/repos/Codertocat/Hello-World/pulls/1"})
    handle("issue_comment", body)
    label, help_ = command_jobs(db)
    # who may run it is the job's check (dry here: no App credentials, so author_association stands in)
    assert label["refusal"].endswith("author of this pull request; @someone is first time contributor "
                                     "(no GitHub App credentials to ask GitHub).")
    assert help_["refusal"] is None


def test_the_items_author_may_label(handle, corpus, db):
    author = corpus("issue_comment", "created")["issue"]["user"]
    handle("issue_comment", payload(corpus, "/label bug", user=author, association="NONE"))
    assert command_jobs(db)[0]["refusal"] is None


def test_edit_without_a_body_change_and_deleted_comments_enqueue_nothing(handle, corpus, db):
    handle("issue_comment", payload(corpus, "/label bug", action="edited", changes={}))
    handle("issue_comment", payload(corpus, "/label bug", action="deleted"))
    handle("issue_comment", payload(corpus, "no commands here"))
    assert count(db, Job) == 0


def test_edit_enqueues_only_the_added_commands(handle, corpus, db):
    handle("issue_comment", payload(corpus, "/label b\n/label a", action="edited",
                                    changes={"body": {"from": "/label a"}}))
    assert [(j["args"], j["line"]) for j in command_jobs(db)] == [(["b"], 1)]
