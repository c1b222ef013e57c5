"""Affiliations (METRICS.md M13): a person's organisation over time, for the Elephant Factor.

Set by the person themselves (``/affiliation ORG [since YYYY-MM-DD]`` in any issue, pull request or
discussion comment, effective at once) or by a maintainer (``steward people affiliate LOGIN ORG
[--since DATE]``). Without a date, a person's first affiliation holds from the start and a later one from
now on (a new job does not rewrite the past). ``set_from`` is the one writer: from ``since`` on the person
belongs to ``organisation`` (or to none), so periods that begin at or after ``since`` are replaced and one
that holds it ends there. Periods never overlap, and a contribution belongs to the organisation whose
period holds its timestamp.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot import command_jobs, db
from bot.models import Affiliation, Person

NONE = frozenset({"none", "-"})  # "/affiliation none": no organisation from now (or ``since``) on
_NAME = re.compile(r"[^\x00-\x1f\x7f]{1,255}")


class BadAffiliation(ValueError):
    pass


def organisation(text: str) -> str | None:
    """The organisation's name as given (spaces collapsed), or None for ``none``; BadAffiliation if unusable."""
    name = " ".join(text.split())
    if name.casefold() in NONE:
        return None
    if not _NAME.fullmatch(name):
        raise BadAffiliation("an organisation is 1 to 255 characters, without control characters")
    return name


def day(text: str) -> datetime:
    """``YYYY-MM-DD`` as the start of that UTC day."""
    try:
        return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise BadAffiliation(f"{text!r} is not a date (YYYY-MM-DD)") from None


def set_from(uow: Session, person_id: int, name: str | None, since: datetime | None, *, source: str,
             at: datetime) -> None:
    """From ``since`` (None: from the start) on, ``person_id`` belongs to ``name`` (None: to no organisation)."""
    for row in uow.scalars(select(Affiliation).where(Affiliation.person_id == person_id)).all():
        if since is None or (row.since is not None and row.since >= since):
            uow.delete(row)  # wholly from the new start on: replaced
        elif row.until is None or row.until > since:
            row.until = since  # holds the new start: ends there
    uow.flush()
    if name is not None:
        uow.add(Affiliation(person_id=person_id, organisation=name, since=since, until=None, source=source,
                            created_at=at))


def default_since(uow: Session, person_id: int, at: datetime) -> datetime | None:
    """Without a date: the first affiliation holds from the start, a later one from ``at`` on."""
    return at if uow.scalar(select(Affiliation.id).where(Affiliation.person_id == person_id).limit(1)) else None


def history(uow: Session, person_id: int) -> list[Affiliation]:
    rows = uow.scalars(select(Affiliation).where(Affiliation.person_id == person_id)).all()
    return sorted(rows, key=lambda r: r.since or datetime.min.replace(tzinfo=UTC))


def describe(rows: list[Affiliation]) -> str:
    if not rows:
        return "no affiliation"
    return "; ".join(f"{r.organisation} ({_when(r.since, 'from the start')} – {_when(r.until, 'now')}, {r.source})"
                     for r in rows)


def _when(at: datetime | None, default: str) -> str:
    return default if at is None else f"{at:%Y-%m-%d}"


@command_jobs.action("affiliation")
def affiliation_command(run: command_jobs.Invocation) -> None:
    """``/affiliation ORG [since YYYY-MM-DD]``: the commenter's own organisation (acknowledged with +1)."""
    words = run.words
    try:
        if words[0].lower() == "since":
            raise BadAffiliation("name the organisation first, then `since` and the date")
        since = day(words[-1]) if len(words) >= 3 and words[-2].lower() == "since" else None
        name = organisation(" ".join(words[:-2] if since else words))
    except BadAffiliation as exc:
        raise command_jobs.Refused(f"{exc}. Usage: `/affiliation Acme Inc [since 2025-01-31]`.") from None
    at = db.now()
    with db.transaction(run.runtime.factory) as uow:
        person = uow.scalars(select(Person).where(func.lower(Person.login) == run.login.lower())
                             .order_by(Person.login_seen_at.desc().nulls_last(), Person.id.desc())).first()
        if person is None:
            raise command_jobs.Refused("Steward does not know you yet; try again in a minute.")
        set_from(uow, person.id, name, since or default_since(uow, person.id, at), source="self", at=at)
