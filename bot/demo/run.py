"""``steward demo`` and the first-run fallback of ``steward serve``: build the demo database, then serve it."""

from __future__ import annotations

import logging
import os
import sys
import time
from pathlib import Path

import click

from bot.demo.feed import DEFAULT_PATH, build, database_url, demo_settings, has_data
from bot.settings import DEFAULT_DATABASE_URL, Settings


def build_verbosely(path: str | Path, **options) -> bool:
    """Build the demo database, saying what it does; False when a delivery was not processed."""
    started = time.perf_counter()
    click.echo(f"Generating the demo community into {path} (synthetic data; seeded, so the same every time) ...")
    root = logging.getLogger()
    level = root.level
    root.setLevel(max(level, logging.WARNING))  # thousands of "no App: skipped" job lines say nothing here
    try:
        report = build(path, progress=lambda i: click.echo(f"  {i} deliveries fed ...") if i and i % 2500 == 0
                       else None, **options)
    finally:
        root.setLevel(level)
    click.echo(f"  {report.deliveries} signed deliveries through POST /api/github/webhooks: "
               + ", ".join(f"{n} {status}" for status, n in sorted(report.statuses.items())))
    evaluated = (f", one evaluated pull request in {report.evaluation_s:.1f} s"
                 if report.evaluation_s is not None else "")
    click.echo(f"  generated in {report.generate_s:.1f} s, fed in {report.feed_s:.1f} s, "
               f"{report.snapshot_days} daily snapshots in {report.snapshot_s:.1f} s{evaluated} "
               f"(total {time.perf_counter() - started:.1f} s)")
    return set(report.statuses) <= {"processed"}


def serve_demo(settings: Settings, path: str | Path, host: str, port: int, workers: int, threads: int) -> int:
    """Serve the demo database. The web workers build their settings from the environment, so the demo's
    database and label are handed to them there."""
    from bot.server import serve

    settings = demo_settings(settings, path)
    os.environ["STEWARD_DATABASE_URL"] = settings.database_url
    os.environ["STEWARD_DEMO"] = "1"
    click.echo(f"Serving DEMO DATA (a synthetic community) on http://{host}:{port}/ ; "
               f"pages are labelled, API responses carry the X-Steward-Demo header.")
    return serve(settings, host, port, workers, threads)


def first_run(settings: Settings) -> bool:
    """``steward serve`` as the README runs it, before anything is set up: no GitHub App, no webhook secret,
    the default database and nothing in it. Then the dashboard would be empty, so the demo is shown instead."""
    if settings.app_configured or settings.webhook_secret or settings.database_url != DEFAULT_DATABASE_URL:
        return False
    default = Path(DEFAULT_DATABASE_URL.removeprefix("sqlite:///"))
    return not (default.exists() and has_data(DEFAULT_DATABASE_URL))


def serve_first_run(settings: Settings, host: str, port: int, workers: int, threads: int, **options) -> int:
    """Build the demo database unless it is there already (``options``: ``build``'s size), then serve it."""
    click.echo("No GitHub App is configured and the database is empty: showing the DEMO community instead "
               f"(synthetic data, {DEFAULT_PATH}). Set up the App at http://{host}:{port}/setup, then restart; "
               "`steward demo` regenerates the demo.")
    built = Path(DEFAULT_PATH).exists() and has_data(database_url(DEFAULT_PATH))
    if not built and not build_verbosely(DEFAULT_PATH, **options):
        click.echo("some demo deliveries were not processed: see `steward deliveries --status failed`", err=True)
    return serve_demo(settings, DEFAULT_PATH, host, port, workers, threads)


@click.command()
@click.option("--db", "path", default="steward-demo.db", show_default=True, help="The demo's SQLite file.")
@click.option("--seed", default=2026, show_default=True, type=int, help="Same seed, same community.")
@click.option("--people", default=320, show_default=True, type=int, help="How many people (>= 300 for the full demo).")
@click.option("--months", default=19, show_default=True, type=int, help="How many months of history, ending now.")
@click.option("--no-serve", is_flag=True, help="Build the database and stop.")
@click.option("--no-evaluation", is_flag=True, help="Skip the demo pull request's model evaluation (tiny models).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.pass_obj
def demo_command(settings: Settings, path: str, seed: int, people: int, months: int, no_serve: bool,
                 no_evaluation: bool, host: str, port: int) -> None:
    """Generate a synthetic community, feed it through the webhook pipeline, serve it labelled as demo data."""
    ok = build_verbosely(path, seed=seed, people=people, months=months, evaluate=not no_evaluation)
    if no_serve:
        sys.exit(0 if ok else 1)
    sys.exit(serve_demo(settings, path, host, port, workers=2, threads=16))
