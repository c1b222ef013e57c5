"""``steward people hide|show|hidden``: a contributor's opt-out of named lists (dashboard pages, the
contributors API and CSV). Hidden people still count in every figure; lists show them as "anonymous contributor".
``steward people affiliate|affiliations``: a person's organisation over time (Elephant Factor, M13)."""

from __future__ import annotations

import click
from sqlalchemy import delete, func, select

from bot import affiliations
from bot.db import make_engine, now, session_factory, transaction
from bot.models import ListOptOut, Person
from bot.settings import Settings


def _person(uow, login: str | None, person_id: int | None) -> Person:
    if person_id is not None:
        person = uow.get(Person, person_id)
        if person is None:
            raise click.ClickException(f"no person with GitHub id {person_id} is known to Steward")
        return person
    if not login:
        raise click.UsageError("give a LOGIN or --id")
    people = uow.scalars(select(Person).where(func.lower(Person.login) == login.lower()).order_by(Person.id)).all()
    if not people:
        raise click.ClickException(f"no person with login {login!r} is known to Steward")
    if len(people) > 1:
        ids = ", ".join(str(p.id) for p in people)
        raise click.ClickException(f"several people have had the login {login!r} (ids {ids}): use --id")
    return people[0]


def _change(settings: Settings, login: str | None, person_id: int | None, hide: bool) -> None:
    engine = make_engine(settings.database_url)
    try:
        with transaction(session_factory(engine)) as uow:
            person = _person(uow, login, person_id)
            hidden = uow.get(ListOptOut, person.id) is not None
            if hide and not hidden:
                uow.add(ListOptOut(person_id=person.id, created_at=now()))
            elif not hide and hidden:
                uow.execute(delete(ListOptOut).where(ListOptOut.person_id == person.id))
            state = "hidden from" if hide else "shown in"
            unchanged = " (unchanged)" if hidden == hide else ""
            click.echo(f"{person.login} (id {person.id}) is {state} named lists{unchanged}")
    finally:
        engine.dispose()


@click.group()
def people() -> None:
    """A contributor's opt-out of named lists (they still count in every figure) and affiliations."""


@people.command()
@click.argument("login", required=False)
@click.option("--id", "person_id", type=int, help="The GitHub numeric user id instead of a login.")
@click.pass_obj
def hide(settings: Settings, login: str | None, person_id: int | None) -> None:
    """Show LOGIN as "anonymous contributor" on pages, in the contributors API and CSV."""
    _change(settings, login, person_id, hide=True)


@people.command()
@click.argument("login", required=False)
@click.option("--id", "person_id", type=int, help="The GitHub numeric user id instead of a login.")
@click.pass_obj
def show(settings: Settings, login: str | None, person_id: int | None) -> None:
    """Name LOGIN again in lists (undo ``hide``)."""
    _change(settings, login, person_id, hide=False)


@people.command()
@click.pass_obj
def hidden(settings: Settings) -> None:
    """List the people who opted out of named lists (operator view)."""
    engine = make_engine(settings.database_url)
    try:
        with session_factory(engine)() as uow:
            rows = uow.execute(select(Person.id, Person.login, ListOptOut.created_at)
                               .join(ListOptOut, ListOptOut.person_id == Person.id).order_by(Person.login)).all()
    finally:
        engine.dispose()
    for person_id, login, since in rows:
        click.echo(f"{login} (id {person_id}) hidden since {since.isoformat(timespec='seconds')}")
    if not rows:
        click.echo("nobody has opted out")


@people.command()
@click.argument("login")
@click.argument("organisation")
@click.option("--id", "person_id", type=int, help="The GitHub numeric user id (when several had LOGIN).")
@click.option("--since", help="YYYY-MM-DD (UTC) from which it holds; default: from the start for a first "
              "affiliation, else from now.")
@click.pass_obj
def affiliate(settings: Settings, login: str, organisation: str, person_id: int | None,
              since: str | None) -> None:
    """LOGIN belongs to ORGANISATION (`none`: to none) from --since on; later periods are replaced."""
    try:
        name = affiliations.organisation(organisation)
        start = affiliations.day(since) if since else None
    except affiliations.BadAffiliation as exc:
        raise click.BadParameter(str(exc)) from None
    engine = make_engine(settings.database_url)
    try:
        with transaction(session_factory(engine)) as uow:
            person = _person(uow, login, person_id)
            at = now()
            start = start or affiliations.default_since(uow, person.id, at)
            affiliations.set_from(uow, person.id, name, start, source="maintainer", at=at)
            uow.flush()
            click.echo(_periods(uow, person))
    finally:
        engine.dispose()


@people.command("affiliations")
@click.argument("login", required=False)
@click.option("--id", "person_id", type=int, help="The GitHub numeric user id instead of a login.")
@click.pass_obj
def list_affiliations(settings: Settings, login: str | None, person_id: int | None) -> None:
    """LOGIN's affiliation periods."""
    engine = make_engine(settings.database_url)
    try:
        with session_factory(engine)() as uow:
            click.echo(_periods(uow, _person(uow, login, person_id)))
    finally:
        engine.dispose()


def _periods(uow, person: Person) -> str:
    return f"{person.login} (id {person.id}): {affiliations.describe(affiliations.history(uow, person.id))}"
