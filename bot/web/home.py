"""GET /: installations and public repositories with headline figures, delivery counts and the next step.

Private repositories are never listed, nor installations without a public repository."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Blueprint, current_app, render_template
from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from bot import runtime_of
from bot.db import now
from bot.governance.exclusions import counted
from bot.metrics.activity import GHOST
from bot.metrics.responsiveness import NOT_CONTRIBUTIONS
from bot.models import Contribution, Delivery, Installation, Issue, Person, PullRequest, Repository
from bot.web import charts
from bot.web.pages import assets, secure

bp = Blueprint("home", __name__)
bp.after_request(secure)
HEADLINE = timedelta(days=90)
MAX_REPOSITORIES = 50


@dataclass(frozen=True)
class RepoLine:
    full_name: str
    contributions: int
    people: int
    open_issues: int
    open_pulls: int
    last_activity: datetime | None


def _public():
    return Repository.private.is_(False), Repository.deleted_at.is_(None)


def _open_counts(uow: Session, model) -> dict[int, int]:
    return dict(uow.execute(select(model.repository_id, func.count(model.id))
                            .where(model.state == "open", model.deleted_at.is_(None))
                            .group_by(model.repository_id)).all())


def repository_lines(uow: Session, at: datetime) -> list[RepoLine]:
    """Per public repository: human contributions and distinct human contributors in [at - 90 d, at), the latest
    contribution before ``at``, open issues and pull requests. Grouped in SQL; each bound uses the ledger's
    (repository, time) index, so the page never scans the whole ledger."""
    last = (select(func.max(Contribution.occurred_at))
            .where(Contribution.repository_id == Repository.id, Contribution.occurred_at < at)
            .scalar_subquery())
    repositories = uow.execute(select(Repository.id, Repository.full_name, last).where(*_public())).all()
    recent = uow.execute(
        select(Contribution.repository_id, func.count(Contribution.id),
               func.count(func.distinct(Contribution.person_id)))
        .join(Person, Person.id == Contribution.person_id)
        .where(Contribution.occurred_at >= at - HEADLINE, Contribution.occurred_at < at, Person.is_bot.is_(False),
               Person.login != GHOST, Contribution.kind.not_in(NOT_CONTRIBUTIONS), counted())
        .group_by(Contribution.repository_id)).all()
    figures = {rid: (n, people) for rid, n, people in recent}
    issues, pulls = _open_counts(uow, Issue), _open_counts(uow, PullRequest)
    lines = [RepoLine(name, *figures.get(rid, (0, 0)), issues.get(rid, 0), pulls.get(rid, 0), latest)
             for rid, name, latest in repositories]
    lines.sort(key=lambda line: (-line.contributions, line.full_name.lower()))
    return lines[:MAX_REPOSITORIES]


def installation_lines(uow: Session) -> list[dict]:
    account = aliased(Person)
    rows = uow.execute(
        select(Installation.id, account.login, Installation.target_type, Installation.suspended_at,
               func.count(Repository.id))
        .join(Repository, Repository.installation_id == Installation.id)
        .outerjoin(account, account.id == Installation.account_id)
        .where(*_public(), Installation.deleted_at.is_(None))
        .group_by(Installation.id, account.login, Installation.target_type, Installation.suspended_at)
        .order_by(account.login, Installation.id)).all()
    return [{"account": login, "target_type": target, "suspended": suspended is not None, "repositories": n}
            for _, login, target, suspended, n in rows]


@bp.get("/")
def index():
    runtime = runtime_of(current_app)
    at = now()
    with runtime.factory() as uow:
        statuses = dict(uow.execute(select(Delivery.status, func.count()).group_by(Delivery.status)).all())
        repositories = repository_lines(uow, at)
        installations = installation_lines(uow)
    return render_template("home.html", settings=runtime.settings, statuses=statuses, as_of=at,
                           repositories=repositories, installations=installations, assets=assets(),
                           repo_figure=charts.repositories(repositories[:20]))
