"""``steward governance``: what the periodic governance jobs did — lifecycle runs (with what the budget left
for later), ladder reports and votes — read from the database."""

from __future__ import annotations

import click
from sqlalchemy import select

from bot.models import LadderReport, LifecycleRun, Repository, Vote
from bot.settings import Settings


@click.group()
def governance() -> None:
    """Lifecycle runs, ladder reports and votes."""


@governance.command("lifecycle")
@click.option("--limit", default=20, show_default=True, type=int)
@click.pass_obj
def lifecycle_runs(settings: Settings, limit: int) -> None:
    """The latest lifecycle runs, newest first, with the steps skipped for lack of budget."""
    from bot.cli import opened

    with opened(settings) as runtime, runtime.factory() as uow:
        rows = uow.execute(select(LifecycleRun, Repository.full_name).join(
            Repository, LifecycleRun.repository_id == Repository.id)
            .order_by(LifecycleRun.id.desc()).limit(limit)).all()
    for run, name in rows:
        done = ", ".join(f"{k} {' '.join(f'#{n}' for n in v)}" for k, v in run.done.items() if v) or "nothing to do"
        skipped = " ".join(f"#{s['number']} {s['action']}" for s in run.skipped)
        click.echo(f"{run.ran_at:%Y-%m-%d %H:%M}  {name}  {run.writes} writes: {done}"
                   + (f"; SKIPPED (budget): {skipped}" if skipped else ""))
    if not rows:
        click.echo("no lifecycle runs yet")


@governance.command("votes")
@click.pass_obj
def votes(settings: Settings) -> None:
    """Every vote and its state, newest first."""
    from bot.cli import opened

    with opened(settings) as runtime, runtime.factory() as uow:
        rows = uow.execute(select(Vote, Repository.full_name).join(Repository, Vote.repository_id == Repository.id)
                           .order_by(Vote.id.desc())).all()
    for vote, name in rows:
        click.echo(f"{name}#{vote.number}  {vote.status:<9} opened {vote.opened_at:%Y-%m-%d %H:%M} by {vote.opened_by},"
                   f" closes {vote.closes_at:%Y-%m-%d %H:%M}")
    if not rows:
        click.echo("no votes yet")


@governance.command("ladder")
@click.pass_obj
def ladder(settings: Settings) -> None:
    """The monthly ladder issues."""
    from bot.cli import opened

    with opened(settings) as runtime, runtime.factory() as uow:
        rows = uow.execute(select(LadderReport, Repository.full_name).join(
            Repository, LadderReport.repository_id == Repository.id).order_by(LadderReport.month.desc())).all()
    for report, name in rows:
        click.echo(f"{report.month}  {name}#{report.issue_number}  updated {report.updated_at:%Y-%m-%d %H:%M}")
    if not rows:
        click.echo("no ladder reports yet")
