"""GET /: what this Steward is, what it has seen, and the next step (public repositories only)."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template
from sqlalchemy import func, select

from bot import runtime_of
from bot.models import Contribution, Delivery, Repository

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    runtime = runtime_of(current_app)
    with runtime.factory() as uow:
        statuses = dict(uow.execute(select(Delivery.status, func.count()).group_by(Delivery.status)).all())
        repositories = uow.execute(
            select(Repository.full_name, func.count(Contribution.id))
            .outerjoin(Contribution, Contribution.repository_id == Repository.id)
            .where(Repository.private.is_(False), Repository.deleted_at.is_(None))
            .group_by(Repository.id, Repository.full_name)
            .order_by(func.count(Contribution.id).desc(), Repository.full_name).limit(50)).all()
    return render_template("home.html", settings=runtime.settings, statuses=statuses,
                           repositories=repositories)
