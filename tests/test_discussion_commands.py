"""Commands in discussion comments end to end: a signed discussion_comment delivery → the ``command`` job →
GraphQL mutations received by the fake GitHub (one reply per comment, edited in place; refusals answered)."""

from __future__ import annotations

import json

import pytest

from bot import commands, gh
from bot.governance import permissions
from tests.fake_github.graphql_views import node_id
from tests.fake_github.rest import add_installation
from tests.github_app import app_settings
from tests.handlers.conftest import MAINTAINER, OTHER, changed

REPO_ID, NUMBER, COMMENT = 186853002, 4, 550062
DISCUSSION_NODE = node_id("Discussion", REPO_ID, NUMBER)


def gql_comment(cid: int, body: str) -> dict:
    return {"databaseId": cid, "body": body, "url": f"https://github.com/Codertocat/Hello-World/discussions/4"
            f"#discussioncomment-{cid}", "createdAt": "2026-01-01T00:00:00Z", "updatedAt": "2026-01-01T00:00:00Z",
            "authorAssociation": "NONE", "author": None, "replyTo": None, "isAnswer": False}


@pytest.fixture
def repo(github, runtime):
    gh.reset_caches()
    permissions.clear_cache()
    repo = github.add_repo("Codertocat", "Hello-World", id=REPO_ID, installation_id=1)
    repo.permissions.update(maint="write")
    repo.labels["question"] = {"name": "question", "color": "ededed"}
    repo.discussions[NUMBER] = {"databaseId": 3299614, "number": NUMBER, "title": "TEST", "labels": []}
    repo.discussion_comments[NUMBER] = [gql_comment(COMMENT, "the commented comment")]
    add_installation(github, 1)
    runtime.settings = app_settings(runtime.settings, github)
    yield repo
    gh.reset_caches()
    permissions.clear_cache()


@pytest.fixture
def say(corpus, deliver, repo):
    ids = iter(range(COMMENT, COMMENT + 100))

    def post(body: str, *, user=MAINTAINER, association="MEMBER", action="created", old=None, comment_id=None):
        cid = comment_id or next(ids)
        if cid not in [c["databaseId"] for c in repo.discussion_comments[NUMBER]]:
            repo.discussion_comments[NUMBER].append(gql_comment(cid, body))
        payload = changed(corpus("discussion_comment", "created"), action=action, comment__body=body,
                          comment__user=user, comment__author_association=association, comment__id=cid,
                          comment__node_id=node_id("DiscussionComment", REPO_ID, NUMBER, cid), sender=user,
                          discussion__node_id=DISCUSSION_NODE)
        if old is not None:
            payload["changes"] = {"body": {"from": old}}
        assert deliver("discussion_comment", payload).status_code == 202
        return cid

    return post


def mutations(github, name: str) -> list[dict]:
    sent = [json.loads(r.body) for r in github.requests_to("POST", "/graphql")]
    return [s["variables"] for s in sent if f"{name}(" in s["query"]]


def steward(repo) -> list[str]:
    return [c["body"] for c in repo.discussion_comments[NUMBER] if (c.get("author") or {}).get("__typename") == "Bot"]


def test_help_in_a_discussion_is_one_comment_edited_in_place_and_acknowledged(repo, github, say):
    first = say("/help", user=OTHER, association="NONE")
    second = say("/help", user=OTHER, association="NONE")
    [table] = steward(repo)
    assert table.startswith("<!-- steward:help -->\n") and commands.help_text() in table
    assert [v["d"] for v in mutations(github, "addDiscussionComment")] == [DISCUSSION_NODE]
    assert len(mutations(github, "updateDiscussionComment")) == 1
    assert mutations(github, "addReaction") == [
        {"id": node_id("DiscussionComment", REPO_ID, NUMBER, first), "c": "THUMBS_UP"},
        {"id": node_id("DiscussionComment", REPO_ID, NUMBER, second), "c": "THUMBS_UP"}]
    assert [r["content"] for r in repo.reactions[first]] == ["THUMBS_UP"]
    assert github.requests_to("POST", r"/repos/.*") == []  # nothing through REST issue endpoints


def test_commands_that_make_no_sense_in_a_discussion_are_refused_in_one_reply(repo, github, say):
    cid = say("/lgtm\n/assign")
    say("/lgtm\n/assign\n/nope", action="edited", old="/lgtm\n/assign", comment_id=cid)
    [reply] = steward(repo)
    assert reply.startswith(f"<!-- steward:command-reply:{cid} -->\n@maint, Steward did not run these commands:")
    assert [line for line in reply.splitlines() if line.startswith("- ")] == [
        "- `/lgtm` (line 1): `/lgtm` works on issues and pull requests, not in discussions (there: `/affiliation`, "
        "`/help`, `/label`, `/remove-label`, `/remove-lifecycle`, `/vote`).",
        "- `/assign` (line 2): `/assign` works on issues and pull requests, not in discussions (there: `/affiliation`, "
        "`/help`, `/label`, `/remove-label`, `/remove-lifecycle`, `/vote`).",
        "- `/nope` (line 3): Unknown command `/nope`. Try `/help` for the list of commands."]
    # three refusal jobs (each writes the whole list): one comment created, then edited twice
    assert len(mutations(github, "addDiscussionComment")) == 1
    assert len(mutations(github, "updateDiscussionComment")) == 2
    assert mutations(github, "addReaction") == []


def test_label_a_discussion_with_an_existing_label(repo, github, say):
    say("/label question")
    assert [label["name"] for label in repo.discussions[NUMBER]["labels"]] == ["question"]
    assert mutations(github, "addLabelsToLabelable") == [{"id": DISCUSSION_NODE, "l": [node_id("Label", "question")]}]
    say("/remove-label question")
    assert repo.discussions[NUMBER]["labels"] == []
    assert steward(repo) == []


def test_a_missing_label_and_a_stranger_are_refused_with_reasons(repo, github, say):
    say("/label nope")
    say("/label question", user=OTHER, association="NONE")
    replies = steward(repo)
    assert len(replies) == 2  # one reply per commented comment
    assert "`/label nope` (line 1): discussions can only get labels that exist in the repository; no label `nope`." \
        in replies[0]
    assert "`/label` needs triage or write access to this repository, or being the author of this discussion; " \
           "@someone has read access." in replies[1]
    assert mutations(github, "addLabelsToLabelable") == []


def test_bot_and_marked_discussion_comments_are_ignored(repo, github, say):
    say("/help", user={**OTHER, "login": "helper[bot]", "type": "Bot"})
    say("<!-- steward:help -->\n/help")
    assert github.requests_to("POST", "/graphql") == []


def test_a_reply_deleted_on_github_is_posted_again(repo, github, say):
    say("/help")
    repo.discussion_comments[NUMBER] = [c for c in repo.discussion_comments[NUMBER] if not c["body"].startswith("<!--")]
    say("/help")
    assert len(steward(repo)) == 1
    assert len(mutations(github, "updateDiscussionComment")) == 1  # tried, NOT_FOUND
    assert len(mutations(github, "addDiscussionComment")) == 2  # then created again
