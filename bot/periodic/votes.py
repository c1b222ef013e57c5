"""Votes (issue 6 §8): ``/vote`` on an issue (or a discussion) labelled for decisions opens a vote; a periodic
job closes it. Discussions are answered and labelled through GraphQL (labels only where they exist).

Opening snapshots the ``votes:`` section onto the ``Vote`` row, so a config change mid-vote changes nothing for
it, and posts one marked comment (``vote:<id>``) explaining how to vote. A vote is a reaction on that comment
(👍 in favour, 👎 against, 👀 abstain, as in cncf/gitvote; REST for issues, GraphQL for discussions) or a
comment line that is exactly ``+1``, ``-1`` or ``0``, outside code blocks and quotes. A voter's latest vote of
either kind counts; abstaining needs ``allow_abstain``. Only the snapshot's ``voters`` are binding; everyone else
is shown as non-binding.

The ``votes`` job (every 15 minutes) closes votes that are due, or early once every binding voter has voted
(``close_early``), posts the result (marker ``vote-result:<id>``) and labels the issue ``vote/passed`` or
``vote/failed``. The tally is ``tally`` (pure). ``/vote cancel`` ends an open vote without a result.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import select

from bot import command_jobs, db, gh, jobs
from bot.config_schema import setting
from bot.models import Comment, Discussion, Issue, Person, Vote
from bot.periodic import head_config, repository, team_members, team_ref
from bot.repo_config import register_section
from bot.store import parse_time

CHOICES = {"+1": "in favour", "-1": "against", "0": "abstain"}
REACTIONS = {"+1": "+1", "-1": "-1", "eyes": "0"}  # GitHub's reaction content -> vote
_LINE = re.compile(r"(\+1|-1|0)\s*$")
_FENCE = re.compile(r"\s{0,3}(`{3,}|~{3,})")
_COMMENT_KIND = {"issue": "issue", "discussion": "discussion"}  # Comment.kind of each item's comments


@dataclass(frozen=True)
class VotesConfig:
    voters: tuple[str, ...] = setting([], help="the binding voters' GitHub logins")
    team: str | None = setting(None, check=team_ref, help="a team (org/slug) whose members are binding voters too")
    label: str = setting("decision", help="`/vote` works only on issues with this label")
    threshold: float = setting(0.5, minimum=0.01, maximum=1, help="share of `+1` needed to pass, compared at three"
                               " decimals (0.667 = two thirds); a vote also needs more `+1` than `-1`")
    of: Literal["cast", "voters"] = setting("cast", help="threshold of the binding votes cast (+1 and -1), or of"
                                            " all binding voters")
    days: int = setting(7, minimum=1, maximum=90, help="how long a vote stays open")
    allow_abstain: bool = setting(True, help="accept `0` (or 👀) as an abstention")
    close_early: bool = setting(True, help="close as soon as every binding voter has voted")


register_section("votes", VotesConfig)


def choice(body: str) -> str | None:
    """The last vote line of a comment (``+1``, ``-1`` or ``0``), outside code blocks and quotes."""
    found, fence = None, ""
    for line in (body or "").replace("\r\n", "\n").split("\n"):
        match = _FENCE.match(line)
        if fence:
            fence = "" if match and match.group(1).startswith(fence) else fence
        elif match:
            fence = match.group(1)
        elif _LINE.fullmatch(line.strip()) and not line.lstrip().startswith(">"):
            found = line.strip()
    return found


@dataclass(frozen=True)
class Tally:
    binding: dict[str, str]  # login (as configured) -> +1 | -1 | 0 | "" (did not vote)
    others: dict[str, str]  # non-binding login -> choice
    yes: int
    no: int
    abstain: int
    passed: bool
    share: float  # yes / denominator

    @property
    def everyone_voted(self) -> bool:
        return all(self.binding.values())


def tally(config: dict, ballots: list[tuple[str, str]]) -> Tally:
    """Ballots are (login, choice) oldest first; a voter's latest counts. ``config`` is the snapshot."""
    latest: dict[str, tuple[str, str]] = {}
    for login, vote in ballots:
        if vote == "0" and not config["allow_abstain"]:
            continue
        latest[login.casefold()] = (login, vote)
    binding = {v: latest.pop(v.casefold(), ("", ""))[1] for v in config["voters"]}
    yes = sum(v == "+1" for v in binding.values())
    no = sum(v == "-1" for v in binding.values())
    abstain = sum(v == "0" for v in binding.values())
    denominator = yes + no if config["of"] == "cast" else len(binding)
    share = yes / denominator if denominator else 0.0
    passed = yes > no and round(share, 3) >= config["threshold"]
    return Tally(binding, dict(latest.values()), yes, no, abstain, passed, share)


Ballot = tuple[datetime, str, str]  # when, login, choice


def ballots(uow: Any, vote: Vote, until: datetime) -> list[Ballot]:
    """Vote lines in the item's comments between the opening and ``until``."""
    rows = uow.execute(
        select(Comment.created_at, Person.login, Comment.body).join(Person, Comment.author_id == Person.id)
        .where(Comment.repository_id == vote.repository_id, Comment.kind == _COMMENT_KIND[vote.item],
               Comment.parent_number == vote.number, Comment.deleted_at.is_(None), Person.is_bot.is_not(True),
               Comment.created_at >= vote.opened_at, Comment.created_at <= until)
        .order_by(Comment.created_at, Comment.id)).all()
    return [(at, login, vote_) for at, login, body in rows if (vote_ := choice(body)) is not None]


def reaction_ballots(api: Any, repo: str, vote: Vote, until: datetime) -> list[Ballot]:
    """Reactions on the vote's own comment, read from GitHub now (no webhook reports reactions): REST for an
    issue's comment, GraphQL for a discussion's."""
    if vote.item == "discussion":
        node = api.discussion_reply_node(repo, vote.number, f"vote:{vote.id}")
        reactions = api.node_reactions(node) if node else []
    else:
        reactions = api.comment_reactions(repo, vote.comment_id) if vote.comment_id is not None else []
    found = []
    for reaction in reactions:
        user, at = reaction.get("user") or {}, parse_time(reaction.get("created_at"))
        if (reaction.get("content") in REACTIONS and user.get("login") and user.get("type") != "Bot"
                and at is not None and vote.opened_at <= at <= until):
            found.append((at, user["login"], REACTIONS[reaction["content"]]))
    return found


def opening_body(vote: Vote) -> str:
    c = vote.config
    rule = f"{c['threshold']:.0%} of the binding votes cast (`+1` and `-1`)" if c["of"] == "cast" else (
        f"{c['threshold']:.0%} of all {len(c['voters'])} binding voters")
    early = " It closes early once every binding voter has voted." if c["close_early"] else ""
    voters = ", ".join(f"@{v}" for v in c["voters"])
    if c["allow_abstain"]:
        how = "react to this comment with 👍 (in favour), 👎 (against) or 👀 (abstain), or comment a line with just" \
              " `+1`, `-1` or `0`"
    else:
        how = "react to this comment with 👍 (in favour) or 👎 (against), or comment a line with just `+1` or `-1`"
    return (f"### Vote opened by @{vote.opened_by}\n\nTo vote, {how}. Your latest vote counts; you can change it"
            " until the vote closes.\n\n"
            f"- Binding voters: {voters}\n- Passes with at least {rule}, and more in favour than against\n"
            f"- Closes {vote.closes_at:%Y-%m-%d %H:%M} UTC.{early}\n\nOther votes are welcome and shown as"
            " non-binding.")


def result_body(vote: Vote, t: Tally) -> str:
    of = "votes cast" if vote.config["of"] == "cast" else "voters"
    lines = [f"### Vote {'passed' if t.passed else 'failed'}", "",
             f"Binding: {t.yes} in favour, {t.no} against, {t.abstain} abstaining, "
             f"{sum(not v for v in t.binding.values())} not voting; {t.share:.0%} in favour "
             f"(needed: {vote.config['threshold']:.0%} of {of}).",
             "", "| Binding voter | Vote |", "| --- | --- |"]
    lines += [f"| {login} | {_shown(choice_)} |" for login, choice_ in t.binding.items()]
    if t.others:
        lines += ["", "| Non-binding | Vote |", "| --- | --- |"]
        lines += [f"| {login} | {_shown(choice_)} |" for login, choice_ in sorted(t.others.items())]
    return "\n".join(lines)


def _shown(vote: str) -> str:
    return f"`{vote}` ({CHOICES[vote]})" if vote else "did not vote"


@command_jobs.action("vote")
def vote_command(run: command_jobs.Invocation) -> None:
    repo_id, item = run.args["repository_id"], run.args.get("item") or "issue"
    if item not in ("issue", "discussion"):
        raise command_jobs.Refused("votes are opened on issues and discussions, not on pull requests.")
    if run.words:  # /vote cancel
        return _cancel(run, repo_id)
    repo = repository(run.runtime, repo_id)
    api, config = head_config(run.runtime, repo) if repo else (None, None)
    section = config.get(VotesConfig) if config else None
    if section is None:
        raise command_jobs.Refused("votes are not enabled here: `.github/steward.yml` has no valid `votes:` section.")
    listed = {v.casefold() for v in section.voters}
    try:
        team = team_members(api, section.team)
    except gh.GitHubError as exc:
        raise command_jobs.Refused(f"Steward could not read the members of `{section.team}` ({exc.status or exc});"
                                   " check the team's name and the App's Organization members permission.") from None
    voters = list(section.voters) + [m for m in team if m.casefold() not in listed]
    if not voters:
        raise command_jobs.Refused("there are no binding voters: set `votes.voters` or `votes.team`.")
    with db.transaction(run.runtime.factory) as uow:
        model = Discussion if item == "discussion" else Issue
        issue = uow.scalar(select(model).where(model.repository_id == repo_id, model.number == run.number))
        if issue is None or section.label not in (issue.labels or []):
            raise command_jobs.Refused(f"votes can be opened only on {item}s labelled `{section.label}`.")
        vote = _open(uow, repo_id, run.number)
        if vote is not None and vote.command_comment_id != run.args["comment_id"]:
            raise command_jobs.Refused(f"a vote is already open on this {item}.")
        if vote is None:
            at = db.now()
            vote = Vote(repository_id=repo_id, number=run.number, item=item, subject_id=run.args.get("discussion_id"),
                        status="open", opened_by=run.login,
                        command_comment_id=run.args["comment_id"], opened_at=at,
                        closes_at=at + timedelta(days=section.days), config={**_snapshot(section), "voters": voters})
            uow.add(vote)
            uow.flush()
    comment_id = run.api.upsert_comment(run.repository, run.number, f"vote:{vote.id}", opening_body(vote))
    with db.transaction(run.runtime.factory) as uow:
        uow.get_one(Vote, vote.id).comment_id = comment_id


def _snapshot(section: VotesConfig) -> dict:
    return {f.name: (list(v) if isinstance(v := getattr(section, f.name), tuple) else v)
            for f in dataclasses.fields(section)}


def _open(uow: Any, repo_id: int, number: int) -> Vote | None:
    return uow.scalar(select(Vote).where(Vote.repository_id == repo_id, Vote.number == number,
                                         Vote.status == "open"))


def _cancel(run: command_jobs.Invocation, repo_id: int) -> None:
    with db.transaction(run.runtime.factory) as uow:
        vote = _open(uow, repo_id, run.number)
        if vote is None:
            raise command_jobs.Refused("there is no open vote here.")
        vote.status, vote.closed_at = "cancelled", db.now()
        vote_id = vote.id
    run.api.upsert_comment(run.repository, run.number, f"vote-result:{vote_id}",
                           f"### Vote cancelled\n\n@{run.login} cancelled this vote; it has no result.")


@jobs.kind("votes", every=timedelta(minutes=15))
def close_votes(runtime: Any, args: dict[str, Any]) -> None:
    """Close every open vote that is due (or decided early), oldest first."""
    at = db.now()
    with runtime.factory() as uow:
        open_ids = list(uow.scalars(select(Vote.id).where(Vote.status == "open").order_by(Vote.closes_at)))
    for vote_id in open_ids:
        close(runtime, vote_id, at)


def close(runtime: Any, vote_id: int, at: datetime) -> str | None:
    """Close one vote if it is due; its outcome (passed | failed) or None when it stays open."""
    with runtime.factory() as uow:
        vote = uow.get_one(Vote, vote_id)
        until = min(at, vote.closes_at)
        cast = ballots(uow, vote, until)
        repo = repository(runtime, vote.repository_id)
    if repo is None:
        return None
    api = gh.installation_api(runtime, repo.installation_id, repository_id=repo.id)
    cast += reaction_ballots(api, repo.full_name, vote, until)
    result = tally(vote.config, [(login, choice_) for _, login, choice_ in sorted(cast, key=lambda b: b[0])])
    if not (at >= vote.closes_at or (vote.config["close_early"] and result.everyone_voted)):
        return None
    outcome = "passed" if result.passed else "failed"
    body, label = result_body(vote, result), f"vote/{outcome}"
    if vote.item == "discussion" and vote.subject_id:
        api.upsert_discussion_comment(repo.full_name, vote.number, vote.subject_id, f"vote-result:{vote.id}", body)
        api.label_discussion(repo.full_name, vote.subject_id, [label], add=True)  # only if the label exists
    else:
        api.upsert_comment(repo.full_name, vote.number, f"vote-result:{vote.id}", body)
        api.add_labels(repo.full_name, vote.number, [label])
    with db.transaction(runtime.factory) as uow:
        row = uow.get_one(Vote, vote_id)
        row.status, row.closed_at = outcome, at
        row.result = {"binding": result.binding, "others": result.others, "yes": result.yes, "no": result.no,
                      "abstain": result.abstain, "share": result.share}
    return outcome
