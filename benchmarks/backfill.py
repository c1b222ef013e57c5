"""Backfill benchmark: API requests per 100 items imported, against the fake GitHub.

    python benchmarks/backfill.py [--issues 600] [--prs 450] [--comments 3] [--no-heavy]

Starts the suite's fake GitHub (``tests/fake_github``) on a local port with ``pytest_httpserver``,
fills one repository with ``tests/fake_github/history.populate`` (by default 1,050 issues and pull
requests with comments, reviews, review comments, discussions and releases, plus the rare items whose
nested connections need follow-up pages), imports it with the production client (``bot.gh``, as an App
of the fake) into a temporary, migrated SQLite database and prints the API requests (the installation
token's included) per 100 issues/PRs (target: ≤ 2, comments and reviews included), per
resource, and the wall time. Everything stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pytest_httpserver import HTTPServer  # noqa: E402
from sqlalchemy import select  # noqa: E402

from bot import gh, migrate  # noqa: E402
from bot.backfill import backfill_repository  # noqa: E402
from bot.models import BackfillState  # noqa: E402
from bot.runtime import Runtime  # noqa: E402
from bot.settings import Settings  # noqa: E402
from tests.fake_github import FakeGitHub  # noqa: E402
from tests.fake_github.history import expected, populate  # noqa: E402
from tests.fake_github.rest import add_installation  # noqa: E402
from tests.github_app import app_settings  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--issues", type=int, default=600)
    parser.add_argument("--prs", type=int, default=450)
    parser.add_argument("--comments", type=int, default=3, help="comments per issue or PR")
    parser.add_argument("--no-heavy", action="store_true", help="leave out the items that need follow-ups")
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    try:
        fake = FakeGitHub(server)
        add_installation(fake, 1)
        repo = fake.add_repo("bench", "history", installation_id=1)
        populate(fake, repo, issues=args.issues, prs=args.prs, comments_per_item=args.comments,
                 heavy=not args.no_heavy)
        want = expected(repo)
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{folder}/bench.db"
            migrate.upgrade(url)
            runtime = Runtime.build(app_settings(Settings(database_url=url), fake))
            try:
                api = gh.installation_api(runtime, 1)  # the production client, as an App of the fake
                started = time.perf_counter()
                backfill_repository(runtime, api, repo.id, repo.full_name, installation_id=1)
                elapsed = time.perf_counter() - started
                with runtime.factory() as uow:
                    states = {s.resource: s for s in uow.scalars(select(BackfillState))}
            finally:
                runtime.close()
    finally:
        server.stop()

    items = args.issues + args.prs
    acts = sum(want["contributions"].values())
    per_100 = 100 * api.requests / items
    print(f"imported {items} issues/PRs, {want['rows']['discussions']} discussions, "
          f"{want['rows']['releases']} releases; {acts} contributions in {elapsed:.1f} s")
    for name, state in states.items():
        print(f"  {name:<14} {state.items:>6} items  {state.requests:>4} requests")
    print(f"requests: {api.requests} in all; {per_100:.2f} per 100 issues/PRs including their comments and "
          f"reviews (target <= 2): {'OK' if per_100 <= 2 else 'OVER'}")
    return 0 if per_100 <= 2 else 1


if __name__ == "__main__":
    sys.exit(main())
