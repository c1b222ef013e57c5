"""The ``steward`` command: serve, worker, clock, db, replay, deliveries, writes, doctor; the other commands
live with their features and are registered here (people, eval, governance, demo, backfill)."""

from __future__ import annotations

import json
import logging
import os
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from sqlalchemy import select

from bot import inbox, migrate, observability
from bot.backfill.cli import backfill_command
from bot.demo.run import demo_command
from bot.evaluation.cli import eval_command
from bot.inbox import BadDelivery, NewDelivery
from bot.models import Delivery
from bot.models.inbox import STATUSES
from bot.people_cli import people
from bot.periodic.cli import governance
from bot.runtime import Runtime
from bot.settings import Settings


@contextmanager
def opened(settings: Settings) -> Iterator[Runtime]:
    runtime = Runtime.build(settings)
    try:
        yield runtime
    finally:
        runtime.close()


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log at DEBUG level.")
@click.pass_context
def main(ctx: click.Context, verbose: bool) -> None:
    """Steward: webhook ledger, contribution store and community automation for GitHub."""
    ctx.obj = Settings.from_env()
    observability.configure_logging(ctx.obj.log_format, logging.DEBUG if verbose else logging.INFO)


main.add_command(people)  # steward people hide|show|hidden: opt-out of named lists
main.add_command(eval_command, "eval")  # steward eval: evaluate or compare models (bot/evaluation/)
main.add_command(governance)  # steward governance lifecycle|votes|ladder (issue 6 §6-8)
main.add_command(demo_command, "demo")  # steward demo: the synthetic community (bot/demo/)
main.add_command(backfill_command, "backfill")  # steward backfill: import a repository's history (bot/backfill/)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int, help="Web server processes.")
@click.option("--threads", default=16, show_default=True, type=int,
              help="Threads per web process for pages and the API (webhooks need none).")
@click.pass_obj
def serve(settings: Settings, host: str, port: int, workers: int, threads: int) -> None:
    """Run the web server and the clock (embedded defaults: SQLite, in-process jobs)."""
    from bot.demo import run as demo_run
    from bot.server import serve as run

    if demo_run.first_run(settings):  # no App, no secret, empty default database: show the demo (README)
        sys.exit(demo_run.serve_first_run(settings, host, port, workers, threads))
    sys.exit(run(settings, host, port, workers, threads))


@main.command()
@click.option("--queues", default="default", show_default=True,
              help="Comma-separated queues to consume (evaluation jobs use 'eval': give it to GPU machines).")
@click.option("--concurrency", default=2, show_default=True, type=int, help="Jobs run at once.")
@click.option("--pool", type=click.Choice(["prefork", "threads", "solo"]), default="prefork", show_default=True)
@click.pass_obj
def worker(settings: Settings, queues: str, concurrency: int, pool: str) -> None:
    """Run a Celery worker for the jobs (and deliveries) the clock and the handlers send (needs STEWARD_BROKER_URL)."""
    from bot import executors

    if not settings.broker_url:
        raise click.UsageError("set STEWARD_BROKER_URL (redis://… or amqp://…) to run workers")
    names = ",".join(settings.queue_prefix + q.strip() for q in queues.split(",") if q.strip())
    executors.make_celery(settings).worker_main(
        ["worker", "--queues", names, "--concurrency", str(concurrency), "--pool", pool, "--loglevel", "INFO",
         "--hostname", f"steward-{names.replace(',', '-')}-{os.getpid()}@%h", "--without-gossip", "--without-mingle"])


@main.command()
@click.pass_obj
def clock(settings: Settings) -> None:
    """Run the clock alone (web processes and workers elsewhere); a database lease keeps it single."""
    import signal
    import threading

    from bot.clock import run_clock

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    sys.exit(run_clock(settings, stop))


@main.group()
def db() -> None:
    """Database migrations."""


@db.command()
@click.argument("revision", default="head")
@click.pass_obj
def upgrade(settings: Settings, revision: str) -> None:
    """Upgrade the database to REVISION (default: head)."""
    migrate.upgrade(settings.database_url, revision)


@db.command()
@click.argument("revision", default="-1")
@click.pass_obj
def downgrade(settings: Settings, revision: str) -> None:
    """Downgrade the database to REVISION (default: one step)."""
    migrate.downgrade(settings.database_url, revision)


@db.command()
@click.pass_obj
def current(settings: Settings) -> None:
    """Print the database's revision and the latest one."""
    with opened(settings) as runtime:
        click.echo(f"current: {', '.join(sorted(migrate.current(runtime.engine))) or '(empty)'}")
        click.echo(f"head:    {', '.join(sorted(migrate.heads(settings.database_url)))}")


@main.command()
@click.argument("sources", nargs=-1, required=True)
@click.option("--event", "event_name", help="Event name (default: the payload file's folder name).")
@click.pass_obj
def replay(settings: Settings, sources: tuple[str, ...], event_name: str | None) -> None:
    """Feed payload files, or stored deliveries by delivery id, through the webhook pipeline."""
    if settings.database_url.startswith("sqlite"):
        migrate.upgrade(settings.database_url)
    with opened(settings) as runtime:
        failed = sum(_replay_one(runtime, source, event_name) for source in sources)
    sys.exit(1 if failed else 0)


def _replay_one(runtime: Runtime, source: str, event_name: str | None) -> bool:
    """Replay one payload file or stored delivery id; True when it failed."""
    path = Path(source)
    if path.is_file():
        body = path.read_bytes()
        delivery_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"steward-replay:{path.resolve()}:{body.hex()}"))
        try:
            pk = runtime.receive(NewDelivery.parse(delivery_id, event_name or path.parent.name, body))
        except BadDelivery as exc:
            click.echo(f"{source}: {exc}", err=True)
            return True
        if pk is None:
            click.echo(f"{source}: duplicate (already in the ledger as {delivery_id})")
            return False
    else:
        pk = inbox.requeue(runtime.factory, source)
        if pk is None:
            click.echo(f"{source}: neither a file nor a stored delivery id", err=True)
            return True
        inbox.dispatch(runtime.factory, runtime.router, pk)
    with runtime.factory() as uow:
        row = uow.get_one(Delivery, pk)
        click.echo(f"{source}: {row.delivery_id} {row.event}.{row.action or '-'} {row.status}"
                   + (f" ({row.error})" if row.error else ""))
        return row.status == "failed"


@main.command()
@click.option("--status", type=click.Choice(STATUSES), help="Only deliveries with this status.")
@click.option("--limit", default=50, show_default=True, type=int)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.pass_obj
def deliveries(settings: Settings, status: str | None, limit: int, as_json: bool) -> None:
    """The operator's view of the delivery ledger, newest first."""
    stmt = select(Delivery).order_by(Delivery.id.desc()).limit(limit)
    if status:
        stmt = stmt.where(Delivery.status == status)
    with opened(settings) as runtime, runtime.factory() as uow:
        rows = uow.scalars(stmt).all()
    for row in rows:
        record = {"delivery_id": row.delivery_id, "event": row.event, "action": row.action,
                  "status": row.status, "error": row.error, "received_at": row.received_at.isoformat()}
        if as_json:
            click.echo(json.dumps(record))
        else:
            click.echo(f"{record['delivery_id']:<38} {row.event + '.' + (row.action or '-'):<40} "
                       f"{row.status:<10} {record['received_at']}  {row.error or ''}".rstrip())
    if not rows and not as_json:
        click.echo("no deliveries" + (f" with status {status}" if status else ""))


@main.command()
@click.option("--limit", default=50, show_default=True, type=int)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.pass_obj
def writes(settings: Settings, limit: int, as_json: bool) -> None:
    """What Steward wrote, or would have written when running dry, on GitHub: newest first."""
    from bot.outbound import recent_writes

    with opened(settings) as runtime:
        rows = recent_writes(runtime.factory, limit)
    for row in rows:
        record = {"created_at": row.created_at.isoformat(), "status": row.status, "kind": row.kind,
                  "repository": row.repository, "target": row.target, "github_id": row.github_id,
                  "error": row.error, "payload": row.payload}
        if as_json:
            click.echo(json.dumps(record))
        else:
            click.echo(f"{record['created_at']}  {row.status:<8} {row.kind:<10} {row.repository}#{row.target}"
                       + (f"  -> {row.github_id}" if row.github_id else "") + (f"  ({row.error})" if row.error else ""))
    if not rows and not as_json:
        click.echo("no writes yet")


@main.command()
@click.pass_obj
def doctor(settings: Settings) -> None:
    """Check that the GitHub App has the permissions Steward's features need, per installation."""
    from bot.automation import permissions

    with opened(settings) as runtime:
        ok, lines = permissions.doctor(runtime)
    for line in lines:
        click.echo(line)
    sys.exit(0 if ok else 1)
