"""Dashboard benchmark: 1,000,000 contribution rows in PostgreSQL, the health API and the repo page timed,
and the same metric SQL run in DuckDB over the same rows.

    python benchmarks/dashboard.py [--server postgresql://postgres@127.0.0.1:5432/postgres] [--samples 20]

It creates a database of its own (dropped at the end, also on failure), migrates it, fills it server-side
with ``generate_series`` (seeded: the same rows every run), then:

0. builds the per-person totals the application keeps on write (``bot/metrics/totals.py``): the rows were
   loaded behind its back;
1. times ``GET /api/v1/repos/bench/big/health`` and ``GET /bench/big`` through the Flask app in-process (the
   whole request: routing, SQL, Python aggregation, JSON), p50 and p95, twice: **computed** (an app with
   ``metrics_fresh_s = 0``: every request computes every figure — what a request costs when no fresh figures
   are kept, and what the clock's refresh costs) and **served** (the default app: figures kept while at most
   5 s old, as a dashboard being looked at finds them; ``bot/metrics/figures.py``);
2. records every SQL statement one computed health request sends to PostgreSQL, copies the tables they read
   into an in-memory DuckDB and runs the very same statements there; prints both SQL totals and the ratio.

Targets (issue 5): p95 <= 150 ms and <= 3x DuckDB.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import duckdb  # noqa: E402
from sqlalchemy import event, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from bot import create_app, migrate  # noqa: E402
from bot.db import Base, make_engine  # noqa: E402
from bot.metrics import totals  # noqa: E402
from bot.settings import Settings  # noqa: E402

CONTRIBUTIONS = 1_000_000
PEOPLE, ISSUES, PRS, DISCUSSIONS = 20_000, 60_000, 50_000, 8_000
SKEWED = f"1 + floor({PEOPLE} * power(random(), 3))::int"  # a heavy tail: low ids do most
WHEN = "now() - random() * interval '1095 days'"

LOAD = [
    "SELECT setseed(0.42)",
    f"""INSERT INTO people (id, login, type, is_bot)
        SELECT g, 'user' || g, CASE WHEN g % 100 = 0 THEN 'Bot' ELSE 'User' END, g % 100 = 0
        FROM generate_series(1, {PEOPLE}) g""",
    "INSERT INTO installations (id) VALUES (1)",
    """INSERT INTO repositories (id, installation_id, name, full_name, private)
       VALUES (1, 1, 'big', 'bench/big', false), (2, 1, 'other', 'bench/other', false)""",
    f"""INSERT INTO issues (id, repository_id, number, author_id, author_association, state, created_at, updated_at,
                            closed_at)
        SELECT g, 1, g, {SKEWED}, 'NONE', CASE WHEN closed < now() THEN 'closed' ELSE 'open' END, created, created,
               CASE WHEN closed < now() THEN closed END
        FROM (SELECT g, created, CASE WHEN random() < 0.8 THEN created + random() * random() * interval '2000 hours'
                                 END AS closed
              FROM (SELECT g, {WHEN} AS created FROM generate_series(1, {ISSUES}) g) a) b""",
    f"""INSERT INTO pull_requests (id, repository_id, number, author_id, author_association, state, created_at,
                                   updated_at, merged, merged_at, closed_at, head_repo_id)
        SELECT 10000000 + g, 1, {ISSUES} + g, {SKEWED}, 'NONE', CASE WHEN closed < now() THEN 'closed' ELSE 'open' END,
               created, created, merged AND closed < now(), CASE WHEN merged AND closed < now() THEN closed END,
               CASE WHEN closed < now() THEN closed END, CASE WHEN random() < 0.6 THEN 99 ELSE 1 END
        FROM (SELECT g, created, r < 0.65 AS merged,
                     CASE WHEN r < 0.85 THEN created + random() * random() * interval '600 hours' END AS closed
              FROM (SELECT g, {WHEN} AS created, random() AS r FROM generate_series(1, {PRS}) g) a) b""",
    f"""INSERT INTO reviews (id, repository_id, pull_request_id, author_id, author_association, state, submitted_at)
        SELECT row_number() OVER (), 1, p.id, {SKEWED}, 'MEMBER', 'approved',
               p.created_at + random() * random() * interval '96 hours'
        FROM pull_requests p, generate_series(1, 2) k WHERE random() < 0.8""",
    f"""INSERT INTO discussions (id, repository_id, number, author_id, author_association, state, created_at,
                                 updated_at, category)
        SELECT 20000000 + g, 1, {ISSUES + PRS} + g, {SKEWED}, 'NONE', 'open', created, created, 'Q&A'
        FROM (SELECT g, {WHEN} AS created FROM generate_series(1, {DISCUSSIONS}) g) a""",
    f"""INSERT INTO comments (kind, id, repository_id, parent_id, parent_number, author_id, author_association,
                              created_at, updated_at)
        SELECT 'issue', row_number() OVER (), 1, i.id, i.number, {SKEWED}, 'MEMBER', at, at
        FROM (SELECT id, number, created_at + random() * random() * interval '200 hours' AS at
              FROM issues, generate_series(1, 3) k WHERE random() < 0.8
              UNION ALL
              SELECT id, number, created_at + random() * random() * interval '100 hours'
              FROM pull_requests, generate_series(1, 2) k WHERE random() < 0.7) i""",
    f"""INSERT INTO comments (kind, id, repository_id, parent_id, parent_number, author_id, author_association,
                              created_at, updated_at)
        SELECT 'discussion', 50000000 + row_number() OVER (), 1, d.id, d.number, {SKEWED}, 'NONE', at, at
        FROM (SELECT id, number, created_at + random() * interval '300 hours' AS at
              FROM discussions, generate_series(1, 2) k) d""",
    # Responses drawn after an item's creation can land past now: GitHub never reports the future.
    "DELETE FROM comments WHERE created_at >= now()",
    "DELETE FROM reviews WHERE submitted_at >= now()",
    # The ledger: one row per act above, then acts without domain rows (triage, stars, docs, the other repo).
    """INSERT INTO contributions (key, kind, person_id, repository_id, occurred_at)
       SELECT 'issue_opened:' || id, 'issue_opened', author_id, 1, created_at FROM issues
       UNION ALL SELECT 'pr_opened:' || id, 'pr_opened', author_id, 1, created_at FROM pull_requests
       UNION ALL SELECT 'pr_merged:' || id, 'pr_merged', author_id, 1, merged_at FROM pull_requests
                 WHERE merged_at IS NOT NULL
       UNION ALL SELECT 'review:' || id, 'review', author_id, 1, submitted_at FROM reviews
       UNION ALL SELECT 'discussion_opened:' || id, 'discussion_opened', author_id, 1, created_at FROM discussions
       UNION ALL SELECT kind || '_comment:' || id, kind || '_comment', author_id, 1, created_at FROM comments""",
    f"""INSERT INTO contributions (key, kind, person_id, repository_id, occurred_at)
        SELECT 'filler:' || g, (ARRAY['triage', 'triage', 'star', 'fork', 'docs_change', 'issue_comment',
                                      'review', 'pr_opened'])[1 + floor(random() * 8)::int],
               {SKEWED}, CASE WHEN random() < 0.55 THEN 2 ELSE 1 END, {WHEN}
        FROM generate_series(1, {CONTRIBUTIONS} - (SELECT count(*) FROM contributions)) g""",
    "ANALYZE",
]


def percentile(values: list[float], p: float) -> float:
    """Nearest rank (the value at 1-based rank ceil(p/100 * n)), as the metrics use."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1]


def timed(client, path: str, samples: int, before_each=lambda: None) -> list[float] | None:
    first = client.get(path)  # also warms PostgreSQL's caches and SQLAlchemy's compiled statements
    if first.status_code != 200:
        return None
    out = []
    for _ in range(samples):
        before_each()
        started = time.perf_counter()
        response = client.get(path)
        out.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    return out


def to_duckdb(engine, statements: list[tuple[str, dict]], samples: int) -> tuple[float, list[float]]:
    """The recorded statements' total time in DuckDB (median of runs) over copies of the tables they read."""
    tables = [t for t in Base.metadata.sorted_tables if any(re.search(rf"\b{t.name}\b", s) for s, _ in statements)]
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    types = {"BIGINT": "BIGINT", "INTEGER": "BIGINT", "BOOLEAN": "BOOLEAN", "DATE": "DATE", "FLOAT": "DOUBLE"}
    with tempfile.TemporaryDirectory() as tmp:
        raw = engine.raw_connection()
        try:
            for table in tables:
                path = Path(tmp) / f"{table.name}.csv"
                with raw.cursor() as cur, path.open("wb") as out, cur.copy(
                        f"COPY {table.name} TO STDOUT WITH (FORMAT csv, HEADER)") as copy:
                    for chunk in copy:
                        out.write(chunk)
                columns = {c.name: ("TIMESTAMPTZ" if "DATETIME" in str(c.type.compile(engine.dialect)).upper()
                                    or "TIMESTAMP" in str(c.type.compile(engine.dialect)).upper()
                                    else types.get(str(c.type.compile(engine.dialect)).split("(")[0].upper(),
                                                   "VARCHAR")) for c in table.columns}
                spec = ", ".join(f"'{k}': '{v}'" for k, v in columns.items())
                con.execute(f"CREATE TABLE {table.name} AS SELECT * FROM read_csv('{path}', header = true, "
                            f"columns = {{{spec}}})")
        finally:
            raw.close()
    runs, each = [], [[] for _ in statements]
    converted = [(re.sub(r"%\((\w+)\)s", r"$\1", sql).replace("%%", "%"), params) for sql, params in statements]
    for _ in range(samples):
        total = 0.0
        for i, (sql, params) in enumerate(converted):
            started = time.perf_counter()
            con.execute(sql, params).fetchall()
            each[i].append((time.perf_counter() - started) * 1000)
            total += each[i][-1]
        runs.append(total)
    return statistics.median(runs), [statistics.median(e) for e in each]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default=os.environ.get("STEWARD_BENCH_POSTGRES",
                                                           "postgresql://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--samples", type=int, default=10)
    args = parser.parse_args()
    name = f"steward_bench_{os.getpid()}"
    admin = make_engine(args.server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(args.server).set(database=name).render_as_string(hide_password=False)
    try:
        return run(url, args.samples)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def run(url: str, samples: int) -> int:
    migrate.upgrade(url)
    engine = make_engine(url)
    started = time.perf_counter()
    with engine.begin() as conn:
        for sql in LOAD:
            conn.execute(text(sql))
        rows = conn.execute(text("SELECT count(*) FROM contributions")).scalar_one()
    print(f"loaded {rows:,} contribution rows (+ {ISSUES:,} issues, {PRS:,} PRs, reviews, comments, "
          f"{DISCUSSIONS:,} discussions, {PEOPLE:,} people) in {time.perf_counter() - started:.1f} s", flush=True)
    started = time.perf_counter()
    with Session(engine) as uow, uow.begin():  # rows loaded behind the application's back: build its totals
        totals.rebuild(uow)
    with engine.begin() as conn:
        conn.execute(text("ANALYZE contributor_totals"))  # what autovacuum does after a bulk write
    print(f"built the per-person totals the application keeps on write in {time.perf_counter() - started:.1f} s",
          flush=True)
    app = create_app(Settings(database_url=url, metrics_fresh_s=0.0))  # every request computes
    client = app.test_client()
    app_engine = app.extensions["steward"].engine
    statements: list[tuple[str, dict]] = []
    spent: list[float] = []
    pg_totals: list[float] = []

    @event.listens_for(app_engine, "before_cursor_execute")
    def _before(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, dict(parameters or {})))
        conn.info["t0"] = time.perf_counter()

    @event.listens_for(app_engine, "after_cursor_execute")
    def _after(conn, cursor, statement, parameters, context, executemany):
        spent.append((time.perf_counter() - conn.info["t0"]) * 1000)

    def reset() -> None:
        if spent:
            pg_totals.append(sum(spent))
        statements.clear()
        spent.clear()

    health = timed(client, "/api/v1/repos/bench/big/health", samples, reset)
    assert health is not None, "the health API did not answer 200"
    recorded, per_statement = list(statements), list(spent)
    reset()
    print(f"computed: GET /api/v1/repos/bench/big/health  p50 {percentile(health, 50):8.1f} ms  "
          f"p95 {percentile(health, 95):8.1f} ms  (n={samples})", flush=True)
    page = timed(client, "/bench/big", samples)
    if page is None:
        print("GET /bench/big                      (the repo page does not exist yet: not timed)", flush=True)
    else:
        print(f"computed: GET /bench/big                      p50 {percentile(page, 50):8.1f} ms  "
              f"p95 {percentile(page, 95):8.1f} ms  (n={samples})", flush=True)
    served_app = create_app(Settings(database_url=url))  # the default: figures kept while at most 5 s old
    served = served_app.test_client()
    for path in ("/api/v1/repos/bench/big/health", "/bench/big"):
        times = timed(served, path, samples)  # its first request computes and keeps them
        print(f"served:   GET {path:36s}  p50 {percentile(times, 50):8.1f} ms  p95 {percentile(times, 95):8.1f} ms  "
              f"(n={samples}; figures at most 5 s old, as a viewed dashboard finds them)", flush=True)
    served_app.extensions["steward"].close()
    duck_total, duck_each = to_duckdb(app_engine, recorded, samples)
    pg_p50 = statistics.median(pg_totals)
    # With figures.PARALLEL groups side by side, the PostgreSQL figure is the sum of the statements' own times
    # (each slowed by its neighbour), not the request's wall time; DuckDB runs them one after another.
    print(f"the health API's {len(recorded)} SQL statements: PostgreSQL p50 {pg_p50:.1f} ms (sum), "
          f"DuckDB p50 {duck_total:.1f} ms (same statements, same rows): ratio {pg_p50 / duck_total:.2f}x")
    print(f"computed health API p95 / DuckDB SQL p50: {percentile(health, 95) / duck_total:.2f}x")
    print("slowest statements (PostgreSQL ms in the last request | DuckDB median ms):")
    ranked = sorted(zip(per_statement, duck_each, (s for s, _ in recorded), strict=True), reverse=True)
    for pg_ms, duck_ms, sql in ranked[:6]:
        print(f"  {pg_ms:8.1f} | {duck_ms:7.1f}  {' '.join(sql.split())[:110]}")
    engine.dispose()
    app.extensions["steward"].close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
