"""/assign, /unassign, /lgtm, /hold, /approve and /spam end to end: a signed delivery through the HTTP endpoint →
the ``command`` job → the exact requests the fake GitHub received (one reply per comment, refusals answered)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from bot import gh
from bot.governance import permissions
from bot.models import ExcludedItem, PullApproval
from tests.fake_github import EXAMPLES
from tests.fake_github.rest import add_comment, add_installation, add_issue, rebase
from tests.github_app import app_settings
from tests.handlers.conftest import MAINTAINER, OTHER, changed

INSTALLATION, REPO_ID, PR, COMMENT = 1, 186853002, 7, 492700400
REPO = "Codertocat/Hello-World"
BASE, HEAD, NEW_HEAD = "b" * 40, "1" * 40, "2" * 40
AUTHOR = {"login": "newbie", "id": 7000003, "type": "User", "html_url": "https://github.com/newbie"}
APPROVER = {"login": "Alice", "id": 7000004, "type": "User", "html_url": "https://github.com/Alice"}
COMMENTS = rf"/repos/{REPO}/issues/{PR}/comments"
LABELS = rf"/repos/{REPO}/issues/{PR}/labels.*"


def add_pull(github, repo, number: int, *, author=AUTHOR, head=HEAD, base=BASE, files=()) -> dict:
    issue = add_issue(github, repo, number)
    issue.update(pull_request={"url": github.url(f"/repos/{REPO}/pulls/{number}")}, user=author, assignees=[],
                 html_url=f"https://github.com/{REPO}/pull/{number}")
    pr = {**rebase(github, EXAMPLES["pull-request-simple"]), "number": number, "user": author, "labels": [],
          "html_url": f"https://github.com/{REPO}/pull/{number}", "state": "open"}
    pr["head"] = {**pr["head"], "sha": head}
    pr["base"] = {**pr["base"], "sha": base}
    repo.pulls[number] = pr
    repo.pull_files[number] = list(files)
    return pr


@pytest.fixture
def repo(github):
    repo = github.add_repo("Codertocat", "Hello-World", id=REPO_ID, installation_id=INSTALLATION)
    repo.permissions.update(maint="write", someone="read", alice="read", triager="triage")
    add_pull(github, repo, PR, files=["docs/guide.md", "src/main.py"])
    add_comment(github, repo, PR, "the commented comment")["id"] = COMMENT
    return repo


@pytest.fixture
def as_app(runtime, github, repo):
    gh.reset_caches()
    permissions.clear_cache()
    add_installation(github, INSTALLATION)
    runtime.settings = app_settings(runtime.settings, github)
    yield runtime
    gh.reset_caches()
    permissions.clear_cache()


@pytest.fixture
def say(corpus, deliver, github, repo):
    """Deliver a comment on the pull request (``number=1`` and ``pr=False``: on the plain issue 1)."""
    counter = iter(range(COMMENT, COMMENT + 1000))

    def post(body: str, *, user=MAINTAINER, association="MEMBER", number=PR, pr=True, comment_id=None):
        comment_id = comment_id or next(counter)
        if comment_id != COMMENT:
            add_comment(github, repo, number, body)["id"] = comment_id  # the commented comment, to react on
        payload = changed(corpus("issue_comment", "created.with-installation"), comment__body=body,
                          comment__user=user, comment__author_association=association,
                          comment__id=comment_id, sender=user, issue__number=number,
                          issue__user=AUTHOR)
        if pr:
            payload["issue"]["pull_request"] = {"url": f"https://api.github.com/repos/{REPO}/pulls/{number}"}
        response = deliver("issue_comment", payload)
        assert response.status_code == 202
        return payload["comment"]["id"]

    return post


def names(repo, number=PR) -> list[str]:
    return [label["name"] for label in repo.issues[number]["labels"]]


def bot_comments(repo, number=PR) -> list[str]:
    return [c["body"] for c in repo.issue_comments.get(number, []) if c["user"]["type"] == "Bot"]


def bodies(github, method: str, pattern: str) -> list:
    return [json.loads(r.body) if r.body else None for r in github.requests_to(method, pattern)]


def refusals(repo, number=PR) -> list[str]:
    [reply] = [b for b in bot_comments(repo, number) if b.startswith("<!-- steward:command-reply:")]
    return [line for line in reply.splitlines() if line.startswith("- ")]


# --- permissions -------------------------------------------------------------------------------------------
def test_permission_comes_from_github_not_from_author_association(as_app, github, repo, say):
    say("/hold", user=OTHER, association="MEMBER")  # the payload claims MEMBER; GitHub says read
    assert names(repo) == [] and github.requests_to("POST", LABELS) == []
    assert refusals(repo) == ["- `/hold` (line 1): `/hold` needs write access to this repository; "
                              "@someone has read access."]
    [ask] = github.requests_to("GET", rf"/repos/{REPO}/collaborators/someone/permission")
    assert ask.headers["Authorization"].startswith("token ")


def test_triage_may_label_and_assign_but_not_hold(as_app, github, repo, say):
    triager = {**OTHER, "login": "triager", "id": 7000009}
    say("/label bug\n/assign\n/hold", user=triager, association="CONTRIBUTOR")
    assert names(repo) == ["bug"]
    assert bodies(github, "POST", rf"/repos/{REPO}/issues/{PR}/assignees") == [{"assignees": ["triager"]}]
    assert refusals(repo) == ["- `/hold` (line 3): `/hold` needs write access to this repository; "
                              "@triager has triage access."]
    # three commands, one permission request: the answer is cached
    assert len(github.requests_to("GET", rf"/repos/{REPO}/collaborators/triager/permission")) == 1


# --- /assign, /unassign ------------------------------------------------------------------------------------
def test_assign_self_a_user_and_unassign(as_app, github, repo, say):
    say("/assign")
    say("/assign @triager")
    say("/unassign")
    assert bodies(github, "POST", rf"/repos/{REPO}/issues/{PR}/assignees") == [
        {"assignees": ["maint"]}, {"assignees": ["triager"]}]
    assert bodies(github, "DELETE", rf"/repos/{REPO}/issues/{PR}/assignees") == [{"assignees": ["maint"]}]
    assert [a["login"] for a in repo.issues[PR]["assignees"]] == ["triager"]
    assert bot_comments(repo) == []


def test_assigning_someone_github_skips_is_refused_not_silent(as_app, github, repo, say):
    say("/assign @outsider")
    assert refusals(repo) == ["- `/assign outsider` (line 1): GitHub did not assign @outsider: only people with "
                              "access to this repository (or who commented here) can be assigned."]


# --- /lgtm -------------------------------------------------------------------------------------------------
def test_lgtm_labels_and_cancel_removes(as_app, github, repo, say):
    say("/lgtm")
    assert names(repo) == ["lgtm"] and bodies(github, "POST", LABELS) == [{"labels": ["lgtm"]}]
    say("/lgtm cancel")
    assert names(repo) == [] and len(github.requests_to("DELETE", rf"/repos/{REPO}/issues/{PR}/labels/lgtm")) == 1
    assert bot_comments(repo) == []


def test_lgtm_by_the_author_is_refused(as_app, github, repo, say):
    repo.permissions["newbie"] = "write"
    say("/lgtm", user=AUTHOR, association="COLLABORATOR")
    assert names(repo) == [] and github.requests_to("POST", LABELS) == []
    assert refusals(repo) == ["- `/lgtm` (line 1): you cannot `/lgtm` your own pull request; a reviewer has to."]


def test_lgtm_and_hold_on_an_issue_are_refused_with_the_reason(as_app, github, repo, say):
    add_issue(github, repo, 1)
    say("/lgtm\n/hold", number=1, pr=False)
    assert refusals(repo, 1) == ["- `/lgtm` (line 1): `/lgtm` works only on pull requests.",
                                 "- `/hold` (line 2): `/hold` works only on pull requests."]
    assert len([b for b in bot_comments(repo, 1)]) == 1  # one reply for both


def test_lgtm_is_dropped_by_a_new_push(as_app, github, repo, say, corpus, deliver):
    say("/lgtm")
    push = changed(corpus("pull_request", "synchronize"), pull_request__number=PR,
                   pull_request__labels=[{"name": "lgtm"}, {"name": "bug"}], pull_request__head__sha=NEW_HEAD)
    deliver("pull_request", push)
    assert names(repo) == []
    assert len(github.requests_to("DELETE", rf"/repos/{REPO}/issues/{PR}/labels/lgtm")) == 1
    assert github.requests_to("DELETE", rf"/repos/{REPO}/issues/{PR}/labels/bug") == []
    deliver("pull_request", push)  # the same push redelivered: nothing new
    assert len(github.requests_to("DELETE", rf"/repos/{REPO}/issues/{PR}/labels/.*")) == 1


# --- /hold -------------------------------------------------------------------------------------------------
def test_hold_and_hold_cancel(as_app, github, repo, say):
    say("/hold")
    assert names(repo) == ["do-not-merge/hold"]
    say("/hold cancel")
    assert names(repo) == []
    assert github.requests_to("DELETE", rf"/repos/{REPO}/issues/{PR}/labels/do-not-merge/hold") != []


# --- /approve ----------------------------------------------------------------------------------------------
@pytest.fixture
def owned(repo):
    repo.contents[(BASE, "OWNERS")] = b"approvers: [maint]\n"
    repo.contents[(BASE, "docs/OWNERS")] = b"approvers:\n  - alice\n"
    repo.contents[(HEAD, "docs/OWNERS")] = b"approvers: [someone]\n"  # the head's OWNERS is never read
    return repo


def approvals_comment(repo) -> str:
    [body] = [b for b in bot_comments(repo) if b.startswith("<!-- steward:approvals -->")]
    return body


def test_approve_until_every_owners_file_is_covered(as_app, github, owned, say, db):
    say("/approve", user=APPROVER, association="CONTRIBUTOR")  # alice: read access, but a docs/ approver
    body = approvals_comment(owned)
    assert "| `docs/OWNERS` | 1 | approved by @alice |" in body
    assert "| `OWNERS` | 1 | needs one of @maint |" in body and "Still missing for `OWNERS`: `src/main.py`." in body
    assert "approved" not in names(owned)
    say("/approve")  # maint covers the root
    body = approvals_comment(owned)
    assert body.splitlines()[1] == f"**Approved**: 2 of 2 OWNERS files approved for head `{HEAD[:12]}`."
    assert names(owned) == ["approved"]
    # the OWNERS files were read at the base SHA, never at the head
    reads = github.requests_to("GET", rf"/repos/{REPO}/contents/.*")
    assert reads and all(f"ref={BASE}" in r.query for r in reads)
    # one status comment, edited in place
    assert len(github.requests_to("POST", COMMENTS)) == 1
    db.rollback()
    assert sorted(db.scalars(select(PullApproval.login))) == ["alice", "maint"]


def test_approve_by_someone_in_no_owners_file_is_refused(as_app, github, owned, say):
    say("/approve", user=OTHER, association="MEMBER")
    assert refusals(owned) == ["- `/approve` (line 1): @someone is not an approver in any OWNERS file that "
                               "governs the changed files."]
    assert names(owned) == []


def test_approve_without_owners_files_is_refused(as_app, github, repo, say):
    say("/approve")
    assert refusals(repo)[0].startswith("- `/approve` (line 1): this repository has no OWNERS file on the base")


def test_approve_cancel_withdraws_and_drops_the_label(as_app, github, owned, say):
    owned.contents[(BASE, "OWNERS")] = b"approvers: [maint]\n"
    owned.pull_files[PR] = ["src/main.py"]
    say("/approve")
    assert names(owned) == ["approved"]
    say("/approve cancel")
    assert names(owned) == [] and "**Not approved yet**" in approvals_comment(owned)


def test_approvals_are_dropped_by_a_new_push(as_app, github, owned, say, corpus, deliver, db):
    owned.pull_files[PR] = ["src/main.py"]
    say("/approve")
    assert names(owned) == ["approved"]
    owned.pulls[PR]["head"]["sha"] = NEW_HEAD
    deliver("pull_request", changed(corpus("pull_request", "synchronize"), pull_request__number=PR,
                                    pull_request__labels=[{"name": "approved"}], pull_request__head__sha=NEW_HEAD))
    assert names(owned) == []
    assert approvals_comment(owned).splitlines()[1].startswith(f"**Not approved**: a new push (head `{NEW_HEAD[:12]}`)")
    db.rollback()
    assert db.scalars(select(PullApproval)).all() == []
    say("/approve")  # approving again binds to the new head
    assert names(owned) == ["approved"] and NEW_HEAD[:12] in approvals_comment(owned)
    assert len(github.requests_to("POST", COMMENTS)) == 1


def test_a_broken_owners_file_is_named_in_the_refusal(as_app, github, owned, say):
    owned.contents[(BASE, "docs/OWNERS")] = b"approvers: alice\n"
    say("/approve")
    assert refusals(owned) == ["- `/approve` (line 1): `docs/OWNERS`: `approvers` must be a list of GitHub logins;"
                               " fix it on the base branch and comment `/approve` again."]


# --- /spam -------------------------------------------------------------------------------------------------
def test_spam_closes_labels_explains_the_appeal_and_excludes(as_app, github, repo, say, db):
    say("/spam")
    [body] = [b for b in bot_comments(repo) if b.startswith("<!-- steward:spam -->")]
    assert body == ("<!-- steward:spam -->\nA maintainer closed this pull request as spam. If this is a mistake, "
                    "reply here explaining why and a maintainer will take another look.")
    assert names(repo) == ["spam"]
    assert bodies(github, "PATCH", rf"/repos/{REPO}/issues/{PR}") == [{"state": "closed"}]
    assert repo.pulls[PR]["state"] == "closed"
    db.rollback()
    [row] = db.scalars(select(ExcludedItem)).all()
    assert (row.number, row.reason, row.by_login, row.html_url) == (PR, "spam", "maint",
                                                                    f"https://github.com/{REPO}/pull/{PR}")


def test_spam_on_an_issue_is_closed_as_not_planned(as_app, github, repo, say):
    add_issue(github, repo, 1)
    say("/spam", number=1, pr=False)
    assert bodies(github, "PATCH", rf"/repos/{REPO}/issues/1") == [{"state": "closed", "state_reason": "not_planned"}]
    assert names(repo, 1) == ["spam"] and repo.issues[1]["state"] == "closed"


def test_spam_by_a_non_maintainer_is_refused(as_app, github, repo, say, db):
    say("/spam", user=OTHER, association="NONE")
    assert github.requests_to("PATCH", rf"/repos/{REPO}/issues/{PR}") == []
    assert refusals(repo) == ["- `/spam` (line 1): `/spam` needs write access to this repository; "
                              "@someone has read access."]
    db.rollback()
    assert db.scalars(select(ExcludedItem)).all() == []


def test_spam_uses_the_configured_template_from_the_default_branch_for_an_issue(as_app, github, repo, say):
    issue = add_issue(github, repo, 1)
    issue["user"] = {**AUTHOR}
    repo.contents[("master", ".github/steward.yml")] = (
        b"newcomers:\n  spam_message: 'Closed, @{author}: this {item} looks like spam. {appeal}'\n"
        b"  appeal: 'Appeal at https://example.org/appeal.'\n")
    say("/spam", number=1, pr=False)
    [body] = [b for b in bot_comments(repo, 1) if b.startswith("<!-- steward:spam -->")]
    assert body == ("<!-- steward:spam -->\nClosed, @newbie: this issue looks like spam. "
                    "Appeal at https://example.org/appeal.")
