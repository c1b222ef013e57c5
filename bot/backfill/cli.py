"""``steward backfill``: import a repository's history from GitHub now, with a progress bar per resource."""

from __future__ import annotations

import sys

import click
from sqlalchemy import func, select

from bot import backfill as importer
from bot import migrate
from bot.models import Repository
from bot.runtime import Runtime
from bot.settings import Settings


@click.command()
@click.argument("repository", required=False)
@click.option("--installation", "installation_id", type=int,
              help="Installation to read with (default: the repository's, from the database).")
@click.option("--restart", is_flag=True, help="Start over instead of resuming from the checkpoints.")
@click.option("--status", "show_status", is_flag=True, help="List the import checkpoints and stop.")
@click.pass_obj
def backfill_command(settings: Settings, repository: str | None, installation_id: int | None, restart: bool,
                     show_status: bool) -> None:
    """Import OWNER/REPO's history from GitHub now, resuming from its checkpoints (or list them: --status)."""
    if settings.database_url.startswith("sqlite"):
        migrate.upgrade(settings.database_url)
    runtime = Runtime.build(settings)
    try:
        if show_status:
            _backfill_status(importer.status(runtime, repository))
            return
        if not repository or "/" not in repository:
            raise click.UsageError("give OWNER/REPO, or --status")
        with runtime.factory() as uow:
            row = uow.scalar(select(Repository).where(func.lower(Repository.full_name) == repository.lower()))
        installation_id = installation_id or (row.installation_id if row else None)
        if installation_id is None:
            raise click.UsageError(f"no installation is known for {repository}: pass --installation ID")
        api = importer.open_api(runtime, installation_id)
        bars = _Bars()
        try:
            importer.backfill_repository(runtime, api, row.id if row else None, row.full_name if row else repository,
                                         installation_id=installation_id, progress=bars.update, restart=restart)
        except Exception as exc:  # rate limit, network, permissions: the checkpoints keep what was committed
            bars.close()
            click.echo(f"{repository}: stopped ({type(exc).__name__}: {exc}); run again to resume", err=True)
            sys.exit(1)
    finally:
        runtime.close()
    click.echo(f"{repository}: done, {api.requests} API requests")


class _Bars:
    """One click progress bar per resource, fed by the import's progress callback."""

    def __init__(self) -> None:
        self.bars: dict[str, click.progressbar] = {}

    def update(self, resource: str, items: int, total: int | None, done: bool) -> None:
        bar = self.bars.get(resource)
        if bar is None and total is None:
            if done:
                click.echo(f"{resource:<14} already done ({items} items; --restart to import again)")
            return
        if bar is None:
            bar = self.bars[resource] = click.progressbar(length=max(total or 0, items), label=f"{resource:<14}",
                                                          show_pos=True, show_eta=False)
            bar.__enter__()
        bar.update(items - bar.pos)
        if done:
            bar.__exit__(None, None, None)
            click.echo(f"{resource:<14} {items} items")

    def close(self) -> None:
        for bar in self.bars.values():
            bar.render_finish()


def _backfill_status(rows) -> None:
    click.echo(f"{'repository':<40} {'resource':<14} {'items':>7} {'done':<5} {'requests':>8} {'updated_at':<25} error")
    for name, s in rows:
        updated = s.updated_at.isoformat(timespec="seconds") if s.updated_at else "-"
        click.echo(f"{name:<40} {s.resource:<14} {s.items:>7} {'yes' if s.done else 'no':<5} {s.requests:>8} "
                   f"{updated:<25} {s.error or ''}".rstrip())
    if not rows:
        click.echo("no backfill yet")
