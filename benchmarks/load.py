"""Scale-out load test: N signed deliveries at concurrency C against gunicorn + PostgreSQL + Celery.

    python benchmarks/load.py [--n 10000] [--concurrency 32] [--broker redis://127.0.0.1:6379/0]
                              [--server gunicorn|gunicorn-gthread]

It creates and migrates a fresh PostgreSQL database, then starts the production layout on this machine:
``gunicorn -k uvicorn_worker.UvicornWorker 'bot.server:asgi_app()'`` (intake only, as ``steward serve`` runs
it; ``--server gunicorn-gthread`` runs ``bot.wsgi:app`` on gunicorn's gthread workers instead), one
``steward clock`` (hands pending delivery ids to the workers) and one ``steward worker`` (Celery, prefork),
all on a private queue prefix. Two runs:

1. undisturbed: N deliveries;
2. the web server SIGKILLed (its whole process group) when 40 % of the N deliveries were sent, and
   restarted at once; the senders count refused connections and unanswered requests as failures and
   go on with the next delivery, as GitHub would (it does not retry).

Each delivery is a real ``issue_comment.created`` payload with its own comment id, so its one effect is
one contribution row. Printed per run: acknowledged deliveries/s, p50/p99/max acknowledgement latency, the
end-to-end processing lag (receipt → handled, from the ledger) and the time from the last ack until all
were handled; then the checks: **lost** = acknowledged but not stored, or stored but not processed once
(``attempts`` ≠ 1 or a status other than ``processed``), or without its contribution; **duplicated** =
a delivery handled more than once or a comment with more than one contribution. Exit status 1 if any.

The client reuses ``benchmarks/ingest.py``'s pieces (request building, response parsing, databases).
It talks to 127.0.0.1 only and every loop is bounded in count and in time.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ingest import (  # noqa: E402 - a script beside its sibling
    HOST,
    PAYLOADS,
    PG_ADMIN,
    ROOT,
    _response_head,
    build_requests,
    create_pg_database,
    drop_pg_database,
    free_port,
    steward,
    wait_ready,
)


def comment_payloads(n: int, run: str, first_id: int) -> list[tuple[str, bytes]]:
    base = json.loads((PAYLOADS / "issue_comment" / "created.payload.json").read_bytes())
    out = []
    for i in range(n):
        payload = copy.deepcopy(base)
        payload["comment"]["id"] = first_id + i  # a new comment: one new contribution
        payload["comment"]["html_url"] = f"{base['comment']['html_url']}-{run}-{i}"
        out.append(("issue_comment", json.dumps(payload).encode()))
    return out


async def _sender(port: int, requests: list[bytes], next_index: list[int], latencies: list[float],
                  statuses: list[int], acked_at: list[float]) -> None:
    reader = writer = None
    clock = time.perf_counter
    try:
        while next_index[0] < len(requests):  # bounded: every pass consumes one request
            i = next_index[0]
            next_index[0] = i + 1
            t0 = clock()
            try:
                if writer is None:
                    reader, writer = await asyncio.open_connection(HOST, port)
                writer.write(requests[i])
                await writer.drain()
                status, length, close = _response_head(await reader.readuntil(b"\r\n\r\n"))
                if length:
                    await reader.readexactly(length)
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
                status, close = 0, True
                await asyncio.sleep(0.2)  # the server is down: do not spin
            latencies[i], statuses[i], acked_at[i] = clock() - t0, status, time.time()
            if close and writer is not None:
                writer.close()
                reader = writer = None
    finally:
        if writer is not None:
            writer.close()


async def _load(port: int, requests: list[bytes], concurrency: int, time_limit: float, on_progress=None):
    latencies, statuses, acked_at = [0.0] * len(requests), [-1] * len(requests), [0.0] * len(requests)
    next_index = [0]

    async def watch() -> None:
        while on_progress is not None and not on_progress(next_index[0]):
            await asyncio.sleep(0.01)

    t0 = time.perf_counter()
    try:
        async with asyncio.timeout(time_limit):
            await asyncio.gather(watch(), *(_sender(port, requests, next_index, latencies, statuses, acked_at)
                                            for _ in range(concurrency)))
    except TimeoutError:
        print(f"  ! time limit of {time_limit:.0f} s reached", flush=True)
    return time.perf_counter() - t0, latencies, statuses, acked_at


class Stack:
    """gunicorn + clock + worker on one database and one broker queue prefix."""

    def __init__(self, opts, url: str, secret: str, workdir: Path) -> None:
        self.opts, self.workdir, self.port = opts, workdir, free_port()
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("STEWARD_", "GITHUB_"))}
        self.env.update(STEWARD_DATABASE_URL=url, GITHUB_WEBHOOK_SECRET=secret, STEWARD_BROKER_URL=opts.broker,
                        STEWARD_QUEUE_PREFIX=f"load{secrets.token_hex(3)}.", PYTHONPATH=str(ROOT),
                        STEWARD_DELIVERY_HANDLING=opts.handling)
        self.web = self.clock = self.worker = None

    def log(self, name: str):
        return open(self.workdir / f"{name}.log", "ab")

    def web_command(self) -> list[str]:
        opts = self.opts
        if opts.server == "gunicorn-gthread":  # the WSGI entry on gunicorn's threaded workers, for comparison
            return [sys.executable, "-m", "gunicorn", "--worker-class", "gthread", "--threads", str(opts.threads),
                    "--workers", str(opts.web_workers), "--bind", f"{HOST}:{self.port}", "--backlog", "2048",
                    "--log-level", "warning", "--preload", "bot.wsgi:app"]
        from bot.server import server_command  # the production web tier, as `steward serve` runs it

        return server_command(HOST, self.port, opts.web_workers, opts.threads)

    def start_web(self) -> None:
        with self.log("web") as log:
            self.web = subprocess.Popen(self.web_command(), cwd=ROOT, env=self.env, stdout=log,
                                        stderr=subprocess.STDOUT, start_new_session=True)

    def start(self) -> None:
        with self.log("db") as log:
            steward(["db", "upgrade"], self.env, log).wait(timeout=120)
        self.start_web()
        with self.log("clock") as log:
            self.clock = steward(["clock"], self.env, log, start_new_session=True)
        with self.log("worker") as log:
            self.worker = steward(["worker", "--queues", "default,eval", "--concurrency", str(self.opts.worker_procs),
                                   "--pool", "prefork"], self.env, log, start_new_session=True)
        wait_ready(self.port, "/readyz", self.web)

    def kill_web(self) -> None:
        os.killpg(self.web.pid, signal.SIGKILL)
        self.web.wait(timeout=10)

    def stop(self) -> None:
        for proc in (self.web, self.clock, self.worker):
            if proc is not None and proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(timeout=5)


class Ledger:
    def __init__(self, url: str) -> None:
        import psycopg

        self.conn = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://", 1), autocommit=True)

    def one(self, sql: str, *params):
        return self.conn.execute(sql, params).fetchone()

    def pending(self) -> int:
        return self.one("SELECT count(*) FROM deliveries WHERE status = 'pending'")[0]

    def wait_handled(self, timeout: float) -> float | None:
        deadline = time.monotonic() + timeout
        for _ in range(int(timeout / 0.1) + 1):
            if self.pending() == 0:
                return time.time()
            if time.monotonic() > deadline:
                break
            time.sleep(0.1)
        return None

    def verify(self, delivery_ids: list[str], acked: list[bool], run: str) -> dict:
        rows = {d: (status, attempts) for d, status, attempts in self.conn.execute(
            "SELECT delivery_id, status, attempts FROM deliveries WHERE delivery_id = ANY(%s)", (delivery_ids,))}
        contributions: dict[int, int] = {}  # delivery index -> contribution rows
        for url, n in self.conn.execute("SELECT url, count(*) FROM contributions WHERE url LIKE %s GROUP BY url",
                                        (f"%-{run}-%",)):
            index = int(url.rsplit("-", 1)[1])
            contributions[index] = contributions.get(index, 0) + n
        lost = duplicated = unacked_stored = unhandled = 0
        for i, (delivery_id, ok) in enumerate(zip(delivery_ids, acked, strict=True)):
            row = rows.get(delivery_id)
            effects = contributions.get(i, 0)
            if row is not None and not ok:
                unacked_stored += 1
            if row is not None and (row[1] > 1 or effects > 1):
                duplicated += 1
            elif row is not None and row[0] == "pending":
                unhandled += 1  # stored, not handled yet (the handle timeout ran out): neither lost nor done
            elif ok and (row is None or row != ("processed", 1) or effects != 1):
                lost += 1
        lags = sorted(float(x) for (x,) in self.conn.execute(
            "SELECT extract(epoch FROM handled_at - received_at) FROM deliveries WHERE delivery_id = ANY(%s) "
            "AND handled_at IS NOT NULL", (delivery_ids,)))
        return {"lost": lost, "duplicated": duplicated, "unacked_but_stored": unacked_stored, "lags": lags,
                "unhandled": unhandled}


def pct(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


def one_run(name: str, stack: Stack, ledger: Ledger, opts, secret: bytes, kill_at: float | None,
            first_id: int) -> bool:
    run = secrets.token_hex(4)
    payloads = comment_payloads(opts.n, run, first_id)
    requests = build_requests(payloads, opts.n, 0, stack.port, secret)
    # build_requests cycles ``payloads`` from 0: request i carries payload i; its delivery id is in the header
    delivery_ids = [r.split(b"X-GitHub-Delivery: ", 1)[1].split(b"\r\n", 1)[0].decode() for r in requests]
    killed = []

    def progress(sent: int) -> bool:
        if kill_at is None:
            return True
        if not killed and sent >= kill_at * opts.n:
            stack.kill_web()
            stack.start_web()  # at once; the senders meet refused connections until it listens
            killed.append(sent)
            return True
        return False

    t0 = time.time()
    wall, latencies, statuses, acked_at = asyncio.run(_load(stack.port, requests, opts.concurrency,
                                                            opts.time_limit, progress))
    ok = [200 <= s < 300 for s in statuses]
    acked = sorted(lat for lat, good in zip(latencies, ok, strict=True) if good)
    last_ack = max((t for t, good in zip(acked_at, ok, strict=True) if good), default=t0)
    handled = ledger.wait_handled(opts.handle_timeout)
    result = ledger.verify(delivery_ids, ok, run)
    lags = result["lags"]
    print(f"{name}: {sum(ok)}/{opts.n} acknowledged in {wall:.2f} s = {sum(ok) / wall:.0f} deliveries/s; "
          f"ack latency p50 {pct(acked, 0.5) * 1000:.1f} ms, p99 {pct(acked, 0.99) * 1000:.1f} ms, "
          f"max {(acked[-1] if acked else float('nan')) * 1000:.1f} ms"
          + (f"; web server SIGKILLed after {killed[0]} sent, restarted; "
             f"{opts.n - sum(ok)} unacknowledged ({result['unacked_but_stored']} of them stored anyway)"
             if killed else ""), flush=True)
    if handled is None:
        print(f"  ! still {ledger.pending()} pending after {opts.handle_timeout:.0f} s; handled so far: lag p50 "
              f"{pct(lags, 0.5):.2f} s, p99 {pct(lags, 0.99):.2f} s ({len(lags) / max(time.time() - t0, 1e-9):.0f}/s "
              f"end to end)", flush=True)
    else:
        print(f"  end-to-end lag (receipt → handled): p50 {pct(lags, 0.5):.2f} s, p99 {pct(lags, 0.99):.2f} s, "
              f"max {lags[-1] if lags else float('nan'):.2f} s; all handled {handled - last_ack:.2f} s after the "
              f"last ack ({len(lags) / max(handled - t0, 1e-9):.0f}/s end to end)", flush=True)
    print(f"  lost: {result['lost']}  duplicated: {result['duplicated']}"
          + (f"  (not handled yet: {result['unhandled']}, still pending)" if result["unhandled"] else ""), flush=True)
    return handled is not None and result["lost"] == 0 and result["duplicated"] == 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, default=10_000)
    p.add_argument("--concurrency", type=int, default=32)
    p.add_argument("--broker", default="redis://127.0.0.1:6379/0", help="redis://… or amqp://…")
    p.add_argument("--handling", choices=["workers", "clock"], default="workers",
                   help="who handles deliveries: Celery workers (the clock hands ids out) or the clock itself")
    p.add_argument("--server", choices=["gunicorn", "gunicorn-gthread"], default="gunicorn",
                   help="gunicorn with uvicorn workers on asgi_app (production, `steward serve`), or gunicorn's "
                        "gthread workers on bot.wsgi")
    p.add_argument("--web-workers", type=int, default=2, help="web server worker processes")
    p.add_argument("--threads", type=int, default=16, help="threads per web process (gthread: per request)")
    p.add_argument("--worker-procs", type=int, default=os.cpu_count() or 2,
                   help="Celery worker processes (default: one per CPU; handling is CPU-bound, more only contend)")
    p.add_argument("--time-limit", type=float, default=180.0)
    p.add_argument("--handle-timeout", type=float, default=600.0)
    p.add_argument("--only", choices=["undisturbed", "kill"], help="run one of the two scenarios")
    p.add_argument("--pg-admin-url", default=PG_ADMIN)
    opts = p.parse_args(argv)
    secret = secrets.token_hex(16)
    workdir = Path(tempfile.mkdtemp(prefix="steward-load-"))
    pg_name, url = create_pg_database(opts.pg_admin_url)
    stack = Stack(opts, url, secret, workdir)
    ledger = None
    server = (f"gunicorn gthread {opts.web_workers}×{opts.threads} (bot.wsgi)" if opts.server == "gunicorn-gthread"
              else f"gunicorn + uvicorn workers × {opts.web_workers} (asgi_app)")
    print(f"{opts.n} deliveries, concurrency {opts.concurrency}; {server}, "
          f"1 clock, 1 Celery worker × {opts.worker_procs} ({opts.broker.split(':')[0]}; deliveries handled by "
          f"{opts.handling}); PostgreSQL; {os.cpu_count()} CPUs", flush=True)
    try:
        stack.start()
        ledger = Ledger(url)
        good = True
        if opts.only in (None, "undisturbed"):
            good &= one_run("undisturbed", stack, ledger, opts, secret.encode(), None, 3_000_000_000)
        if opts.only in (None, "kill"):
            good &= one_run("web SIGKILLed", stack, ledger, opts, secret.encode(), 0.4, 4_000_000_000)
        return 0 if good else 1
    except Exception:
        for log in sorted(workdir.glob("*.log")):
            print(f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}", flush=True)
        raise
    finally:
        if ledger is not None:
            ledger.conn.close()
        stack.stop()
        drop_pg_database(opts.pg_admin_url, pg_name)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
