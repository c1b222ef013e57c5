"""Votes end to end, with a controlled clock: ``/vote`` and ballots arrive as signed deliveries, the periodic
job closes the vote and posts the result at the fake GitHub."""

from __future__ import annotations

import functools
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.models import Vote
from bot.periodic import votes
from tests import periodic_clock
from tests.fake_github.rest import add_comment, add_reaction
from tests.handlers.conftest import MAINTAINER, changed
from tests.periodic_clock import T0, configure, iso, item, tick

as_app, clock, repo = periodic_clock.as_app, periodic_clock.clock, periodic_clock.repo  # the shared fixtures

CONFIG = "votes:\n  voters: [alice, bob, carol]\n  threshold: 0.667\n  days: 7\n"
DECISION = [{"name": "decision"}]
PEOPLE = {name: {"login": name, "id": 7100000 + i, "type": "User", "html_url": f"https://github.com/{name}"}
          for i, name in enumerate(("alice", "bob", "carol", "dave"))}
OPENED = T0 + timedelta(days=1)


@pytest.fixture
def say(as_app, clock, github, repo, deliver, corpus):
    """``say(login, body, at)``: a comment on issue 1, delivered at ``at`` (the clock moves there)."""

    def post(who: str, body: str, at, *, association: str = "NONE", labels=DECISION) -> dict:
        clock.at = at
        user = MAINTAINER if who == "maint" else PEOPLE[who]
        target = add_comment(github, repo, 1, body)
        payload = changed(corpus("issue_comment", "created.with-installation"), comment__body=body,
                          comment__user=user, comment__author_association=association, comment__id=target["id"],
                          comment__created_at=iso(at), comment__updated_at=iso(at), issue__number=1,
                          issue__id=5_000_001, issue__labels=labels, issue__updated_at=iso(at), sender=user)
        assert deliver("issue_comment", payload).status_code == 202
        return target

    return post


@pytest.fixture
def decision(as_app, repo, deliver, corpus):
    configure(repo, CONFIG)
    repo.permissions["maint"] = "maintain"  # collaborator permission, read from GitHub
    repo.issues[1]["labels"] = list(DECISION)
    deliver("issues", item(corpus, "issues", 1, issue__labels=DECISION))


def bot_comments(repo) -> list[str]:
    return [c["body"] for c in repo.issue_comments[1] if c["user"]["type"] == "Bot"]


def test_a_vote_opens_tallies_and_closes_early_with_the_result_and_a_label(as_app, clock, github, repo, decision,
                                                                           say, db):
    command = say("maint", "Let's decide.\n/vote", OPENED, association="MEMBER")
    [opening] = bot_comments(repo)
    assert opening.startswith("<!-- steward:vote:")
    assert opening.split("\n", 1)[1] == (
        "### Vote opened by @maint\n\nTo vote, react to this comment with 👍 (in favour), 👎 (against) or 👀 (abstain),"
        " or comment a line with just `+1`, `-1` or `0`. Your latest vote counts; you can change it until the vote"
        " closes.\n\n- Binding voters: @alice,"
        " @bob, @carol\n- Passes with at least 67% of the binding votes cast (`+1` and `-1`), and more in favour than"
        " against\n- Closes 2019-05-23 15:20 UTC. It closes early once every binding voter has voted.\n\nOther votes"
        " are welcome and shown as non-binding.")
    assert [r["content"] for r in repo.reactions[command["id"]]] == ["+1"]
    say("alice", "+1", OPENED + timedelta(hours=1))
    say("bob", "-1\n\nI would rather wait.", OPENED + timedelta(hours=2))
    say("dave", "+1 from the sidelines\n+1", OPENED + timedelta(hours=3))
    tick(as_app, clock, "votes", OPENED + timedelta(hours=4))
    assert len(bot_comments(repo)) == 1  # carol has not voted: still open
    say("carol", "> -1\n```\n-1\n```\n+1", OPENED + timedelta(hours=5))  # quotes and code are not votes
    tick(as_app, clock, "votes", OPENED + timedelta(hours=6))
    result = bot_comments(repo)[1]
    assert result.split("\n", 1)[1] == (
        "### Vote passed\n\nBinding: 2 in favour, 1 against, 0 abstaining, 0 not voting; 67% in favour (needed: 67% of"
        " votes cast).\n\n| Binding voter | Vote |\n| --- | --- |\n| alice | `+1` (in favour) |\n| bob | `-1`"
        " (against) |\n| carol | `+1` (in favour) |\n\n| Non-binding | Vote |\n| --- | --- |\n| dave | `+1` (in"
        " favour) |")
    assert [label["name"] for label in repo.issues[1]["labels"]] == ["decision", "vote/passed"]
    before = len(github.requests)
    tick(as_app, clock, "votes", OPENED + timedelta(days=9))  # closed votes are left alone
    assert len(github.requests) == before
    db.rollback()
    assert db.scalars(select(Vote.status)).all() == ["passed"]


def test_the_config_snapshot_is_honoured_when_the_config_changes_mid_vote(as_app, clock, github, repo, decision,
                                                                          say):
    configure(repo, CONFIG + "  of: voters\n")
    say("maint", "/vote", OPENED, association="MEMBER")
    configure(repo, "votes:\n  voters: [alice]\n  threshold: 0.5\n  days: 1\n")  # would pass at once
    say("alice", "+1", OPENED + timedelta(hours=1))
    tick(as_app, clock, "votes", OPENED + timedelta(days=2))
    assert len(bot_comments(repo)) == 1  # 7 days, three voters: still open
    tick(as_app, clock, "votes", OPENED + timedelta(days=7, minutes=1))
    result = bot_comments(repo)[1]
    assert "### Vote failed\n\nBinding: 1 in favour, 0 against, 0 abstaining, 2 not voting; 33% in favour" in result
    assert "| bob | did not vote |" in result
    assert [label["name"] for label in repo.issues[1]["labels"]] == ["decision", "vote/failed"]


def test_votes_after_the_deadline_do_not_count(as_app, clock, github, repo, decision, say):
    say("maint", "/vote", OPENED, association="MEMBER")
    say("alice", "+1", OPENED + timedelta(days=1))
    say("bob", "+1", OPENED + timedelta(days=8))  # after closes_at, before the job ran
    tick(as_app, clock, "votes", OPENED + timedelta(days=8, minutes=1))
    assert "| bob | did not vote |" in bot_comments(repo)[1] and "### Vote passed" in bot_comments(repo)[1]


def test_refusals_are_answered(as_app, clock, github, repo, decision, say):
    say("maint", "/vote", OPENED, association="MEMBER", labels=[])  # the label was removed meanwhile
    [reply] = bot_comments(repo)
    assert "- `/vote` (line 1): votes can be opened only on issues labelled `decision`." in reply
    say("maint", "/vote", OPENED, association="MEMBER")
    again = say("maint", "/vote", OPENED + timedelta(hours=1), association="MEMBER")
    assert any(f"command-reply:{again['id']}" in body and "a vote is already open on this issue." in body
               for body in bot_comments(repo))
    say("alice", "/vote", OPENED + timedelta(hours=2))
    assert any("`/vote` needs write access to this repository; @alice has read access." in body
               for body in bot_comments(repo))


def test_vote_cancel_ends_it_without_a_result(as_app, clock, github, repo, decision, say, db):
    say("maint", "/vote", OPENED, association="MEMBER")
    say("maint", "/vote cancel", OPENED + timedelta(hours=1), association="MEMBER")
    assert bot_comments(repo)[-1].endswith("### Vote cancelled\n\n@maint cancelled this vote; it has no result.")
    tick(as_app, clock, "votes", OPENED + timedelta(days=8))
    assert [label["name"] for label in repo.issues[1]["labels"]] == ["decision"]
    db.rollback()
    assert db.scalars(select(Vote.status)).all() == ["cancelled"]


def test_votes_not_enabled_is_refused(as_app, clock, github, repo, say, deliver, corpus):
    configure(repo, "welcome:\n")
    repo.permissions["maint"] = "maintain"
    say("maint", "/vote", OPENED, association="MEMBER")
    assert "votes are not enabled here: `.github/steward.yml` has no valid `votes:` section." in bot_comments(repo)[0]


def test_tally_rules():
    config = {"voters": ["Alice", "bob", "carol"], "threshold": 0.5, "of": "cast", "allow_abstain": False}
    t = votes.tally(config, [("alice", "+1"), ("bob", "-1"), ("carol", "0"), ("alice", "-1"), ("x", "+1")])
    assert (t.binding, t.others, t.yes, t.no, t.passed) == ({"Alice": "-1", "bob": "-1", "carol": ""},
                                                            {"x": "+1"}, 0, 2, False)
    tie = votes.tally(config, [("alice", "+1"), ("bob", "-1")])
    assert tie.share == 0.5 and not tie.passed  # more in favour than against is needed too
    assert votes.choice("+1\n~~~\n-1\n~~~") == "+1" and votes.choice("+10") is None and votes.choice("0") == "0"


def test_a_vote_on_a_discussion_is_answered_and_labelled_through_graphql(as_app, clock, github, repo, deliver,
                                                                         corpus, db):
    from tests.fake_github.graphql_views import node_id

    configure(repo, CONFIG)
    repo.permissions["maint"] = "maintain"
    repo.labels["vote/passed"] = {"name": "vote/passed", "color": "ededed"}
    repo.discussions[4] = {"databaseId": 3299614, "number": 4, "title": "RFC: a new tokenizer", "labels": []}
    node = node_id("Discussion", repo.id, 4)
    shared = {"installation": periodic_clock.INSTALLED, "discussion__node_id": node, "discussion__labels": DECISION,
              "discussion__state": "open"}
    deliver("discussion", changed(corpus("discussion", "created"), **shared))

    def say(who: str, body: str, at, cid: int, association: str = "NONE") -> None:
        clock.at = at
        user = MAINTAINER if who == "maint" else PEOPLE[who]
        deliver("discussion_comment", changed(
            corpus("discussion_comment", "created"), comment__body=body, comment__user=user, comment__id=cid,
            comment__author_association=association, comment__created_at=iso(at), comment__updated_at=iso(at),
            comment__node_id=node_id("DiscussionComment", repo.id, 4, cid), sender=user, **shared))

    say("maint", "/vote", OPENED, 1, "MEMBER")
    say("alice", "+1", OPENED + timedelta(hours=1), 2)
    [opening] = repo.discussion_comments[4]
    react = functools.partial(add_reaction, github, repo, opening["databaseId"])
    react(PEOPLE["bob"], "+1", iso(OPENED + timedelta(hours=2)))  # read back through GraphQL
    react({"login": "some-bot[bot]", "id": 1, "type": "Bot"}, "-1", iso(OPENED + timedelta(hours=2)))
    say("carol", "-1", OPENED + timedelta(hours=3), 4)
    tick(as_app, clock, "votes", OPENED + timedelta(hours=4))
    opening, result = [c["body"] for c in repo.discussion_comments[4]]
    assert opening.split("\n")[1] == "### Vote opened by @maint" and "react to this comment with 👍" in opening
    assert result.split("\n")[1] == "### Vote passed" and "| carol | `-1` (against) |" in result
    assert "| bob | `+1` (in favour) |" in result
    assert [label["name"] for label in repo.discussions[4]["labels"]] == ["vote/passed"]
    db.rollback()
    assert db.execute(select(Vote.item, Vote.subject_id, Vote.status)).all() == [("discussion", node, "passed")]


def test_binding_voters_from_a_team_are_snapshotted_at_open(as_app, clock, github, repo, decision, say, db):
    github.state.teams["codertocat/tsc"] = ["alice", "bob"]
    configure(repo, "votes:\n  voters: [carol]\n  team: Codertocat/tsc\n")
    say("maint", "/vote", OPENED, association="MEMBER")
    assert "- Binding voters: @carol, @alice, @bob\n" in bot_comments(repo)[0]
    github.state.teams["codertocat/tsc"] = ["dave"]  # membership changes later: the vote keeps its voters
    db.rollback()
    assert db.scalars(select(Vote.config)).one()["voters"] == ["carol", "alice", "bob"]


def test_a_vote_needs_binding_voters(as_app, clock, github, repo, decision, say):
    configure(repo, "votes:\n")
    say("maint", "/vote", OPENED, association="MEMBER")
    assert "there are no binding voters: set `votes.voters` or `votes.team`." in bot_comments(repo)[0]


def test_an_unknown_team_is_refused_with_the_reason(as_app, clock, github, repo, decision, say):
    configure(repo, "votes:\n  team: Codertocat/nobody\n")
    say("maint", "/vote", OPENED, association="MEMBER")
    assert "Steward could not read the members of `Codertocat/nobody` (404); check the team's name" \
           in bot_comments(repo)[0]


def vote_comment(repo) -> dict:
    return next(c for c in repo.issue_comments[1] if "<!-- steward:vote:" in c["body"])


def test_reactions_on_the_vote_comment_are_votes_and_the_latest_vote_of_either_kind_counts(
        as_app, clock, github, repo, decision, say):
    say("maint", "/vote", OPENED, association="MEMBER")
    target = vote_comment(repo)["id"]
    react = functools.partial(add_reaction, github, repo, target)
    react(PEOPLE["alice"], "+1", iso(OPENED + timedelta(hours=1)))
    react(PEOPLE["bob"], "+1", iso(OPENED + timedelta(hours=1)))
    say("bob", "-1", OPENED + timedelta(hours=2))  # bob changes his mind by comment: the later vote counts
    react(PEOPLE["carol"], "-1", iso(OPENED + timedelta(hours=1)))
    say("carol", "+1", OPENED + timedelta(minutes=30))  # ... and carol by reaction, after her comment
    react(PEOPLE["dave"], "eyes", iso(OPENED + timedelta(hours=1)))  # non-binding abstention
    react(PEOPLE["dave"], "heart", iso(OPENED + timedelta(hours=2)))  # not a vote
    react({"login": "some-bot", "type": "Bot"}, "-1", iso(OPENED + timedelta(hours=1)))  # bots never vote
    tick(as_app, clock, "votes", OPENED + timedelta(hours=3))  # everyone binding voted: closes early
    result = bot_comments(repo)[1]
    assert result.split("\n", 1)[1] == (
        "### Vote failed\n\nBinding: 1 in favour, 2 against, 0 abstaining, 0 not voting; 33% in favour (needed: 67% of"
        " votes cast).\n\n| Binding voter | Vote |\n| --- | --- |\n| alice | `+1` (in favour) |\n| bob | `-1`"
        " (against) |\n| carol | `-1` (against) |\n\n| Non-binding | Vote |\n| --- | --- |\n| dave | `0` (abstain) |")
    reads = [r for r in github.requests if r.path.endswith(f"/issues/comments/{target}/reactions")]
    assert [r.method for r in reads] == ["GET"]


def test_reactions_before_the_opening_or_after_the_deadline_do_not_count(as_app, clock, github, repo, decision, say):
    configure(repo, CONFIG + "  allow_abstain: false\n")
    say("maint", "/vote", OPENED, association="MEMBER")
    assert "👀" not in vote_comment(repo)["body"]
    target = vote_comment(repo)["id"]
    add_reaction(github, repo, target, PEOPLE["alice"], "+1", iso(OPENED - timedelta(minutes=1)))
    add_reaction(github, repo, target, PEOPLE["bob"], "+1", iso(OPENED + timedelta(days=1)))
    add_reaction(github, repo, target, PEOPLE["carol"], "eyes", iso(OPENED + timedelta(days=1)))  # no abstaining
    add_reaction(github, repo, target, PEOPLE["alice"], "-1", iso(OPENED + timedelta(days=8)))  # too late
    tick(as_app, clock, "votes", OPENED + timedelta(days=8, minutes=1))
    result = bot_comments(repo)[1]
    assert "### Vote passed\n\nBinding: 1 in favour, 0 against, 0 abstaining, 2 not voting" in result
    assert "| alice | did not vote |" in result and "| carol | did not vote |" in result
