"""M3 Change Request Closure Ratio, M5 Acceptance Ratio, M4 time to merge / first review, M6 Issue Age.

SQL selects the already-filtered pull requests (or open issues) with the timestamps each metric needs; Python
only counts, takes differences and nearest-rank percentiles over those rows (METRICS.md §2).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from bot.governance.exclusions import item_counted  # /spam and newcomer-limit PRs count toward nothing
from bot.metrics import stats
from bot.metrics.responsiveness import Window
from bot.metrics.spec import (
    CHANGE_REQUEST_ACCEPTANCE_RATIO,
    CHANGE_REQUEST_CLOSURE_RATIO,
    ISSUE_AGE,
    TIME_TO_FIRST_REVIEW,
    TIME_TO_MERGE,
)
from bot.models import Comment, Issue, Person, PullRequest, Review

DAY = timedelta(days=1)
AGE_BUCKETS = (("lt_7d", 7), ("d7_30", 30), ("d30_90", 90), ("gt_90d", None))  # upper bounds, exclusive


def ratio(part: int, whole: int, n: int, min_n: int) -> float | None:
    """``part / whole`` rounded to 3 digits; None ("n/a") when ``whole`` is 0 or ``n`` is below ``min_n``."""
    return round(part / whole, 3) if whole and stats.enough(n, min_n) else None


def closure(closed: int, opened: int, min_n: int) -> dict:
    """M3's figure: closed in window / opened in window, n = opened; backlog delta = opened − closed."""
    return {"value": ratio(closed, opened, opened, min_n), "closed": closed, "opened": opened, "n": opened,
            "backlog_delta": opened - closed}


def acceptance(merged: int, closed_unmerged: int, min_n: int) -> dict:
    n = merged + closed_unmerged
    return {"value": ratio(merged, n, n, min_n), "merged": merged, "closed_unmerged": closed_unmerged, "n": n}


@dataclass(frozen=True)
class Duration:
    median_hours: float | None
    p85_hours: float | None
    n: int  # the finished items behind the percentiles
    open: int  # censored: still open at now, without the event
    open_median_age_hours: float | None
    closed_without: int  # censored: closed at or before now without the event

    def as_dict(self) -> dict:
        return asdict(self)


def _open_at(model, now: datetime):
    """Created before ``now`` and not closed (or closed only later); deleted items are gone."""
    return and_(model.created_at < now, or_(model.closed_at.is_(None), model.closed_at > now),
                or_(model.deleted_at.is_(None), model.deleted_at > now))


def _human_author(model):
    author = aliased(Person)
    return author, author.id == model.author_id


def _pulls(uow: Session, repo_id: int, *columns, where=()):
    """(is_bot, *columns) for the repository's pull requests with a known author."""
    author, on = _human_author(PullRequest)
    stmt = select(author.is_bot, *columns).join(author, on).where(PullRequest.repository_id == repo_id,
                                                                   item_counted(PullRequest), *where)
    return uow.execute(stmt).all()


def change_request_closure_ratio(uow: Session, repo_id: int, *, now: datetime, days: int = 90,
                                 min_n: int | None = None) -> dict:
    """M3 over human PRs; bot PRs are their own series; ``open_backlog`` = human PRs open at now."""
    window = Window.ending(now, days)
    min_n = CHANGE_REQUEST_CLOSURE_RATIO.min_n if min_n is None else min_n
    rows = _pulls(uow, repo_id, PullRequest.created_at, PullRequest.closed_at,
                  where=[or_(and_(PullRequest.created_at >= window.start, PullRequest.created_at < window.end),
                             and_(PullRequest.closed_at >= window.start, PullRequest.closed_at < window.end),
                             _open_at(PullRequest, now))])
    out = {}
    for name, bot in (("humans", False), ("bots", True)):
        mine = [r for r in rows if bool(r[0]) is bot]
        opened = sum(1 for _, c, _ in mine if window.start <= c < window.end)
        closed = sum(1 for _, _, x in mine if x is not None and window.start <= x < window.end)
        out[name] = closure(closed, opened, min_n) | {
            "open_backlog": sum(1 for _, c, x in mine if c < now and (x is None or x > now))}
    return out["humans"] | {"bots": {k: out["bots"][k] for k in ("closed", "opened", "open_backlog")}}


def change_request_acceptance_ratio(uow: Session, repo_id: int, *, now: datetime, days: int = 90,
                                    min_n: int | None = None) -> dict:
    """M5: merged / (merged + closed unmerged) over PRs whose final close is in the window, with splits."""
    window = Window.ending(now, days)
    min_n = CHANGE_REQUEST_ACCEPTANCE_RATIO.min_n if min_n is None else min_n
    earlier = aliased(PullRequest)
    returning = (select(earlier.id).where(earlier.repository_id == PullRequest.repository_id,
                                          earlier.author_id == PullRequest.author_id,
                                          earlier.created_at < PullRequest.created_at).exists())
    fork = or_(PullRequest.head_repo_id.is_(None), PullRequest.head_repo_id != PullRequest.repository_id)
    rows = _pulls(uow, repo_id, PullRequest.merged_at.is_not(None), fork, returning,
                  where=[PullRequest.closed_at >= window.start, PullRequest.closed_at < window.end])

    def split(keep) -> dict:
        mine = [r for r in rows if not r[0] and keep(r)]
        merged = sum(1 for r in mine if r[1])
        return acceptance(merged, len(mine) - merged, min_n)

    bots = [r for r in rows if r[0]]
    return split(lambda r: True) | {
        "by_origin": {"fork": split(lambda r: r[2]), "branch": split(lambda r: not r[2])},
        "by_author": {"first_pr": split(lambda r: not r[3]), "returning": split(lambda r: r[3])},
        "bots": {"merged": sum(1 for r in bots if r[1]), "closed_unmerged": sum(1 for r in bots if not r[1])},
    }


def _duration(rows, now: datetime, min_n: int) -> Duration:
    """rows: (created_at, event_at | None, closed_at | None); the event counts only before now."""
    done = [stats.hours(at - created) for created, at, _ in rows if at is not None and at < now]
    pending = [(created, closed) for created, at, closed in rows if at is None or at >= now]
    still_open = [now - created for created, closed in pending if closed is None or closed > now]
    show = stats.enough(len(done), min_n)
    return Duration(
        median_hours=stats.rounded(stats.median(done)) if show else None,
        p85_hours=stats.rounded(stats.percentile(done, 0.85)) if show else None,
        n=len(done),
        open=len(still_open),
        open_median_age_hours=stats.rounded(stats.median(stats.hours(a) for a in still_open)),
        closed_without=len(pending) - len(still_open),
    )


def _created_in(window: Window):
    return [PullRequest.created_at >= window.start, PullRequest.created_at < window.end]


def time_to_merge(uow: Session, repo_id: int, *, now: datetime, days: int = 90, min_n: int | None = None) -> Duration:
    """M4: ``merged_at − created_at`` over human PRs created in the window and merged before now."""
    window = Window.ending(now, days)
    min_n = TIME_TO_MERGE.min_n if min_n is None else min_n
    rows = _pulls(uow, repo_id, PullRequest.created_at, PullRequest.merged_at, PullRequest.closed_at,
                  where=_created_in(window))
    return _duration([r[1:] for r in rows if not r[0]], now, min_n)


def time_to_first_review(uow: Session, repo_id: int, *, now: datetime, days: int = 90,
                         min_n: int | None = None) -> Duration:
    """M4: from ``created_at`` to the first submitted review by a human non-author, human PRs created in the
    window; ``open`` is the unreviewed PRs still open (waiting), ``closed_without`` those closed unreviewed."""
    window = Window.ending(now, days)
    min_n = TIME_TO_FIRST_REVIEW.min_n if min_n is None else min_n
    reviewer = aliased(Person)
    first = (select(Review.pull_request_id, func.min(Review.submitted_at).label("at"))
             .join(PullRequest, PullRequest.id == Review.pull_request_id)
             .join(reviewer, reviewer.id == Review.author_id)
             .where(Review.repository_id == repo_id, Review.submitted_at.is_not(None),
                    Review.state.is_distinct_from("pending"), reviewer.is_bot.is_(False),
                    Review.author_id != PullRequest.author_id, Review.submitted_at >= PullRequest.created_at,
                    Review.submitted_at < now)
             .group_by(Review.pull_request_id).subquery())
    author, on = _human_author(PullRequest)
    stmt = (select(PullRequest.created_at, first.c.at, PullRequest.closed_at)
            .join(author, on).outerjoin(first, first.c.pull_request_id == PullRequest.id)
            .where(PullRequest.repository_id == repo_id, author.is_bot.is_(False), *_created_in(window)))
    return _duration(uow.execute(stmt).all(), now, min_n)


def issue_age(uow: Session, repo_id: int, *, now: datetime, min_n: int | None = None) -> dict:
    """M6 Issue Age at now over open issues by human authors: buckets, median age in days, and the counts never
    answered by a human non-author (all, and older than 90 days)."""
    min_n = ISSUE_AGE.min_n if min_n is None else min_n
    responder = aliased(Person)
    answered = (select(Comment.id).join(responder, responder.id == Comment.author_id)
                .where(Comment.kind == "issue", Comment.repository_id == Issue.repository_id,
                       Comment.parent_number == Issue.number, Comment.author_id != Issue.author_id,
                       responder.is_bot.is_(False), Comment.created_at >= Issue.created_at,
                       Comment.created_at < now)
                .exists())
    author, on = _human_author(Issue)
    stmt = (select(Issue.created_at, answered).join(author, on)
            .where(Issue.repository_id == repo_id, author.is_bot.is_(False), _open_at(Issue, now)))
    rows = [((now - created) / DAY, bool(was_answered)) for created, was_answered in uow.execute(stmt)]
    buckets = dict.fromkeys((name for name, _ in AGE_BUCKETS), 0)
    for age, _ in rows:
        buckets[next(name for name, upper in AGE_BUCKETS if upper is None or age < upper)] += 1
    ages = [age for age, _ in rows]
    return {**buckets,
            "median_days": stats.rounded(stats.median(ages)) if stats.enough(len(ages), min_n) else None,
            "n": len(rows),
            "unanswered": sum(1 for _, a in rows if not a),
            "unanswered_gt_90d": sum(1 for age, a in rows if not a and age >= 90)}
