"""Read API, public repositories only: /api/v1/repos/<owner>/<repo>/activity."""

from __future__ import annotations

import re

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy import func, select

from bot import runtime_of
from bot.contributions import KINDS
from bot.models import Contribution, Person, Repository
from bot.store import parse_time

bp = Blueprint("api", __name__, url_prefix="/api/v1")
MAX_LIMIT = 1000
NAME = re.compile(r"[A-Za-z0-9_.-]{1,100}")  # what GitHub allows in owner and repository names


class BadQuery(ValueError):
    pass


def public_repository(uow, owner: str, name: str) -> Repository | None:
    """A repository that may be shown publicly; private, unknown-visibility or deleted ones are not."""
    return uow.scalar(select(Repository).where(
        func.lower(Repository.full_name) == f"{owner}/{name}".lower(),
        Repository.private.is_(False), Repository.deleted_at.is_(None)))


def _activity_query(args):
    kind = args.get("kind") or None
    if kind is not None and kind not in KINDS:
        raise BadQuery(f"unknown kind {kind!r}; one of: {', '.join(KINDS)}")
    try:
        since = parse_time(args.get("since")) if args.get("since") else None
    except ValueError:
        raise BadQuery("since must be an ISO 8601 timestamp, e.g. 2026-01-01T00:00:00Z") from None
    raw_limit = args.get("limit", "100")
    if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= MAX_LIMIT:
        raise BadQuery(f"limit must be a whole number from 1 to {MAX_LIMIT}")
    return kind, since, int(raw_limit)


@bp.get("/repos/<owner>/<repo>/activity")
def activity(owner: str, repo: str):
    if not (NAME.fullmatch(owner) and NAME.fullmatch(repo)):
        return jsonify(error=f"{owner}/{repo} is not a GitHub repository name"), 404
    try:
        kind, since, limit = _activity_query(request.args)
    except BadQuery as exc:
        return jsonify(error=str(exc)), 400
    with runtime_of(current_app).factory() as uow:
        repository = public_repository(uow, owner, repo)
        if repository is None:
            return jsonify(error=f"no public repository {owner}/{repo} is known to Steward"), 404
        stmt = (select(Contribution, Person).join(Person, Person.id == Contribution.person_id)
                .where(Contribution.repository_id == repository.id)
                .order_by(Contribution.occurred_at.desc(), Contribution.id.desc()).limit(limit))
        if kind:
            stmt = stmt.where(Contribution.kind == kind)
        if since:
            stmt = stmt.where(Contribution.occurred_at >= since)
        rows = uow.execute(stmt).all()
    return jsonify(repository=repository.full_name, contributions=[
        {"kind": c.kind, "login": p.login, "user_id": p.id, "is_bot": p.is_bot,
         "occurred_at": c.occurred_at.isoformat().replace("+00:00", "Z"), "url": c.url}
        for c, p in rows
    ])
