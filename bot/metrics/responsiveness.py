"""M1 Time to First Response and M2 Issue Response Time by opener cohort (METRICS.md §2).

SQL selects, per item created in the window, its creation time, its first response by a human non-author
(``min`` over comments and reviews) and, for issues, whether the opener contributed before; Python only
takes differences and nearest-rank percentiles over those already-filtered rows.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, literal, select, union_all
from sqlalchemy.orm import Session, aliased

from bot.metrics import stats
from bot.metrics.spec import ISSUE_RESPONSE_TIME_BY_COHORT, TIME_TO_FIRST_RESPONSE
from bot.models import Comment, Contribution, Discussion, Issue, Person, PullRequest, Review

SLA = timedelta(hours=48)
MAINTAINER_ROLES = ("OWNER", "MEMBER", "COLLABORATOR")  # METRICS.md §1 "Roles"
# Ledger kinds that are not contributions (they are M11's D0 events), so they do not make an opener returning.
NOT_CONTRIBUTIONS = ("star", "fork")


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime
    days: int

    @classmethod
    def ending(cls, now: datetime, days: int) -> Window:
        """The rolling window ``[now - days, now)``."""
        return cls(start=now - timedelta(days=days), end=now, days=days)


@dataclass(frozen=True)
class Responsiveness:
    median_hours: float | None
    p85_hours: float | None
    n: int  # answered items: the sample behind median_hours and p85_hours
    answered_within_48h_pct: float | None
    waiting: int  # open, unanswered (censored: never in a percentile)
    eligible_48h: int  # items created >= 48 h before now: the sample behind answered_within_48h_pct
    oldest_waiting_hours: float | None
    closed_unanswered: int

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class CohortTime:
    median_hours: float | None
    n: int

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class _Row:
    created_at: datetime
    first_at: datetime | None
    closed: bool
    returning: bool


def _source(item_id, at, who, role):
    """One kind of response, as (item_id, at, who, role): the columns every union branch shares."""
    return select(item_id.label("item_id"), at.label("at"), who.label("who"), role.label("role"))


def _issue_responses(repo_id: int, window: Window):
    # Only items created in the window are asked about, and a response counts only at or after its item's
    # creation: both bounds are pushed into every branch so the union never spans the repository's history.
    return [_source(Issue.id, Comment.created_at, Comment.author_id, Comment.author_association)
            .join(Comment, and_(Comment.kind == "issue", Comment.repository_id == Issue.repository_id,
                                Comment.parent_number == Issue.number))
            .where(Issue.repository_id == repo_id, *_in(Issue.created_at, window), Comment.created_at >= window.start)]


def _pull_request_responses(repo_id: int, window: Window):
    # Conversation comments are issue comments keyed by the PR's number; review comments and reviews by its id.
    return [
        _source(PullRequest.id, Comment.created_at, Comment.author_id, Comment.author_association)
        .join(Comment, and_(Comment.kind.in_(("issue", "review")), Comment.repository_id == PullRequest.repository_id,
                            Comment.parent_number == PullRequest.number))
        .where(PullRequest.repository_id == repo_id, *_in(PullRequest.created_at, window),
               Comment.created_at >= window.start),
        _source(Review.pull_request_id, Review.submitted_at, Review.author_id, Review.author_association)
        .where(Review.repository_id == repo_id, Review.submitted_at.is_not(None),
               Review.state.is_distinct_from("pending"), Review.submitted_at >= window.start),
    ]


def _discussion_responses(repo_id: int, window: Window):
    return [_source(Comment.parent_id, Comment.created_at, Comment.author_id, Comment.author_association)
            .where(Comment.kind == "discussion", Comment.repository_id == repo_id, Comment.created_at >= window.start)]


def _in(column, window: Window):
    return column >= window.start, column < window.end


def _rows(uow: Session, model, responses: list, repo_id: int, window: Window, *, maintainers: bool = False,
          cohort: bool = False) -> list[_Row]:
    """The window's items by human authors, each with its first response by a human non-author before now."""
    r = (union_all(*responses) if len(responses) > 1 else responses[0]).subquery()
    responder = aliased(Person)
    first = (select(r.c.item_id, func.min(r.c.at).label("first_at"))
             .join(model, model.id == r.c.item_id)
             .join(responder, responder.id == r.c.who)
             .where(model.repository_id == repo_id, model.created_at >= window.start, model.created_at < window.end,
                    responder.is_bot.is_(False), r.c.who != model.author_id,
                    r.c.at >= model.created_at, r.c.at < window.end)
             .group_by(r.c.item_id))
    if maintainers:
        first = first.where(r.c.role.in_(MAINTAINER_ROLES))
    first = first.subquery()
    author = aliased(Person)
    closed_at = getattr(model, "closed_at", literal(None))
    earlier = (select(Contribution.id)
               .where(Contribution.person_id == model.author_id, Contribution.repository_id == model.repository_id,
                      Contribution.occurred_at < model.created_at, Contribution.kind.not_in(NOT_CONTRIBUTIONS))
               .exists())
    stmt = (select(model.created_at, first.c.first_at, model.state, closed_at,
                   earlier if cohort else literal(False))
            .join(author, author.id == model.author_id)
            .outerjoin(first, first.c.item_id == model.id)
            .where(model.repository_id == repo_id, author.is_bot.is_(False),
                   model.created_at >= window.start, model.created_at < window.end))
    rows = []
    for created_at, first_at, state, closed, returning in uow.execute(stmt):
        closed_now = (closed is not None and closed <= window.end) if hasattr(model, "closed_at") else state == "closed"
        rows.append(_Row(created_at, first_at, closed_now, bool(returning)))
    return rows


def _summarise(rows: list[_Row], now: datetime, min_n: int) -> Responsiveness:
    answered = [stats.hours(r.first_at - r.created_at) for r in rows if r.first_at is not None]
    eligible = [r for r in rows if r.created_at <= now - SLA]
    in_time = sum(1 for r in eligible if r.first_at is not None and r.first_at - r.created_at <= SLA)
    waiting = [r for r in rows if r.first_at is None and not r.closed]
    show = stats.enough(len(answered), min_n)
    return Responsiveness(
        median_hours=stats.rounded(stats.median(answered)) if show else None,
        p85_hours=stats.rounded(stats.percentile(answered, 0.85)) if show else None,
        n=len(answered),
        answered_within_48h_pct=stats.pct(in_time, len(eligible)) if stats.enough(len(eligible), min_n) else None,
        waiting=len(waiting),
        eligible_48h=len(eligible),
        oldest_waiting_hours=stats.rounded(max((stats.hours(now - r.created_at) for r in waiting), default=None)),
        closed_unanswered=sum(1 for r in rows if r.first_at is None and r.closed),
    )


def time_to_first_response(uow: Session, repo_id: int, *, now: datetime, days: int = 90,
                           maintainers: bool = False, min_n: int | None = None) -> dict[str, Responsiveness]:
    """M1 for issues, pull requests and discussions; ``maintainers`` counts maintainer responders only."""
    window = Window.ending(now, days)
    min_n = TIME_TO_FIRST_RESPONSE.min_n if min_n is None else min_n
    kinds = {"issues": (Issue, _issue_responses), "pull_requests": (PullRequest, _pull_request_responses),
             "discussions": (Discussion, _discussion_responses)}
    return {name: _summarise(_rows(uow, model, sources(repo_id, window), repo_id, window, maintainers=maintainers), now,
                             min_n)
            for name, (model, sources) in kinds.items()}


def issue_response_time_by_cohort(uow: Session, repo_id: int, *, now: datetime, days: int = 90,
                                  min_n: int | None = None) -> dict[str, CohortTime]:
    """M2: M1 for issues, split by whether the opener contributed to the repository before the issue."""
    min_n = ISSUE_RESPONSE_TIME_BY_COHORT.min_n if min_n is None else min_n
    window = Window.ending(now, days)
    rows = _rows(uow, Issue, _issue_responses(repo_id, window), repo_id, window, cohort=True)
    out = {}
    for name, returning in (("first_time", False), ("returning", True)):
        answered = [stats.hours(r.first_at - r.created_at) for r in rows
                    if r.returning is returning and r.first_at is not None]
        figure = stats.median(answered) if stats.enough(len(answered), min_n) else None
        out[name] = CohortTime(median_hours=stats.rounded(figure), n=len(answered))
    return out
