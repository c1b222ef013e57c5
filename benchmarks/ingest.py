"""Webhook intake benchmark: N signed deliveries at concurrency C against ``steward serve``.

    python benchmarks/ingest.py --n 3000 --concurrency 16 [--database sqlite|postgresql|both]
    python benchmarks/ingest.py --url http://127.0.0.1:8000 --database-url sqlite:///steward.db

By default it starts ``steward serve`` itself on a free port for each database (a temporary SQLite
file; a fresh PostgreSQL database that it creates, migrates and drops), waits for /readyz, warms up,
sends N deliveries and prints deliveries/s with p50/p99 acknowledgement latency. Then it checks that
exactly N deliveries were stored and times the clock until no ``pending`` row is left (handling).

House rule: a benchmark prints ratios against a reference run in the same process. The reference is
``benchmarks/reference_app.py`` (verify the signature, parse the JSON, no storage, no framework)
served by the same gunicorn command line as Steward's web server.

The payloads are the real ones under ``shared/github-webhooks/payloads/<event>/*.json``, cycled, each
with its own X-GitHub-Delivery uuid and a correct X-Hub-Signature-256. The client shares the CPUs with
the server, so it is kept cheap: asyncio streams, keep-alive HTTP/1.1, every request built beforehand.
It talks to 127.0.0.1 only, and every loop is bounded in count and in time.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import os
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PAYLOADS = Path(os.environ.get("STEWARD_SHARED_DIR", ROOT.parent / "shared")) / "github-webhooks" / "payloads"
HOST = "127.0.0.1"
PATH = "/api/github/webhooks"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


# --- requests ----------------------------------------------------------------------------------------------

def load_payloads(folder: Path) -> list[tuple[str, bytes]]:
    files = sorted(folder.glob("*/*.json"))
    if not files:
        sys.exit(f"no payloads under {folder}")
    return [(f.parent.name, f.read_bytes()) for f in files]


def build_requests(payloads: list[tuple[str, bytes]], count: int, start: int, port: int,
                   secret: bytes) -> list[bytes]:
    """``count`` complete HTTP/1.1 requests, payloads cycled from ``start``, each with a fresh delivery id."""
    out = []
    for i in range(start, start + count):
        event, body = payloads[i % len(payloads)]
        signature = hmac.new(secret, body, hashlib.sha256).hexdigest()
        head = (f"POST {PATH} HTTP/1.1\r\nHost: {HOST}:{port}\r\nUser-Agent: GitHub-Hookshot/steward-bench\r\n"
                f"Accept: */*\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
                f"X-GitHub-Event: {event}\r\nX-GitHub-Delivery: {uuid.uuid4()}\r\n"
                f"X-Hub-Signature-256: sha256={signature}\r\n\r\n")
        out.append(head.encode() + body)
    return out


# --- the load client -----------------------------------------------------------------------------------------

@dataclass
class Load:
    wall_s: float
    latencies: list[float]  # seconds, successful (2xx) requests only, sorted
    statuses: Counter
    client_cpu_s: float
    server_cpu_s: float | None

    @property
    def ok(self) -> int:
        return sum(n for status, n in self.statuses.items() if 200 <= status < 300)

    @property
    def rate(self) -> float:
        return self.ok / self.wall_s if self.wall_s else 0.0

    def pct(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        return self.latencies[min(len(self.latencies) - 1, int(q * len(self.latencies)))] * 1000

    def line(self) -> str:
        bad = {s: n for s, n in self.statuses.items() if not 200 <= s < 300}
        cpu = f"client CPU {self.client_cpu_s / self.wall_s:.0%}"
        if self.server_cpu_s is not None:
            cpu += f", server CPU {self.server_cpu_s / self.wall_s:.0%} of one core"
        return (f"{self.rate:7.0f} deliveries/s  p50 {self.pct(0.50):6.2f} ms  p99 {self.pct(0.99):6.2f} ms  "
                f"({self.ok} in {self.wall_s:.2f} s; {cpu})" + (f"  FAILURES {bad}" if bad else ""))


def _response_head(head: bytes) -> tuple[int, int, bool]:
    status = int(head[9:12])
    lower = head.lower()
    at = lower.find(b"\r\ncontent-length:")
    length = int(lower[at + 17:lower.find(b"\r\n", at + 2)]) if at >= 0 else 0
    return status, length, b"\r\nconnection: close" in lower


async def _client(port: int, requests: list[bytes], next_index: list[int], latencies: list[float],
                  statuses: list[int]) -> None:
    reader = writer = None
    clock = time.perf_counter
    try:
        while next_index[0] < len(requests):  # bounded: every pass consumes one request
            i = next_index[0]
            next_index[0] = i + 1
            if writer is None:
                reader, writer = await asyncio.open_connection(HOST, port)
            t0 = clock()
            try:
                writer.write(requests[i])
                await writer.drain()
                status, length, close = _response_head(await reader.readuntil(b"\r\n\r\n"))
                if length:
                    await reader.readexactly(length)
            except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
                status, close = 0, True
            latencies[i] = clock() - t0
            statuses[i] = status
            if close:
                writer.close()
                reader = writer = None
    finally:
        if writer is not None:
            writer.close()


async def _load(port: int, requests: list[bytes], concurrency: int, time_limit: float) -> tuple[float, list, list]:
    latencies = [0.0] * len(requests)
    statuses = [-1] * len(requests)  # -1: never sent (time limit)
    next_index = [0]
    t0 = time.perf_counter()
    try:
        async with asyncio.timeout(time_limit):
            await asyncio.gather(*(_client(port, requests, next_index, latencies, statuses)
                                   for _ in range(min(concurrency, len(requests)))))
    except TimeoutError:
        print(f"  ! time limit of {time_limit:.0f} s reached", flush=True)
    return time.perf_counter() - t0, latencies, statuses


def run_load(port: int, requests: list[bytes], concurrency: int, time_limit: float,
             server_pid: int | None = None) -> Load:
    cpu0, server0 = time.process_time(), tree_cpu_s(server_pid)
    wall, latencies, statuses = asyncio.run(_load(port, requests, concurrency, time_limit))
    server1 = tree_cpu_s(server_pid)
    return Load(wall, sorted(lat for lat, s in zip(latencies, statuses, strict=True) if 200 <= s < 300),
                Counter(statuses), time.process_time() - cpu0,
                None if server0 is None or server1 is None else server1 - server0)


def tree_cpu_s(pid: int | None) -> float | None:
    """User+system CPU seconds of a process and its descendants (Linux /proc), or None."""
    if pid is None or not os.path.isdir("/proc"):
        return None
    children: dict[int, list[int]] = {}
    cpu: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
        cpu[int(entry)] = (int(fields[11]) + int(fields[12])) / tick
    total, todo = 0.0, [pid]
    for _ in range(10_000):  # bounded walk of the tree
        if not todo:
            break
        p = todo.pop()
        total += cpu.get(p, 0.0)
        todo.extend(children.get(p, []))
    return total


# --- processes and databases ---------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def http_get(port: int, path: str, timeout: float = 2.0) -> int:
    with socket.create_connection((HOST, port), timeout=timeout) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nConnection: close\r\n\r\n".encode())
        data = s.recv(65536)
    return int(data[9:12]) if data.startswith(b"HTTP/") else 0


def wait_ready(port: int, path: str, proc: subprocess.Popen | None, timeout: float = 60.0,
               ready: Callable[[int], bool] = lambda status: status == 200) -> None:
    deadline = time.monotonic() + timeout
    for _ in range(int(timeout / 0.1) + 1):
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the server exited with status {proc.returncode} before it was ready")
        try:
            if ready(http_get(port, path)):
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            break
        time.sleep(0.1)
    raise RuntimeError(f"http://{HOST}:{port}{path} not ready after {timeout:.0f} s")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def serve_defaults() -> tuple[int, int]:
    """``steward serve``'s own --workers and --threads defaults, so the reference runs like it."""
    from bot.cli import serve

    params = {p.name: p.default for p in serve.params}
    return params["workers"], params["threads"]


def reference_command(port: int, workers: int, threads: int) -> list[str]:
    from bot.server import server_command

    return server_command(HOST, port, workers, threads, app="reference_app:create")


class Ledger:
    """Counts rows in the ``deliveries`` table of the database under test."""

    def __init__(self, database_url: str) -> None:
        if database_url.startswith("sqlite:///"):
            self._conn = sqlite3.connect(database_url.removeprefix("sqlite:///"), timeout=30)
            self._param = "?"
        else:
            import psycopg

            self._conn = psycopg.connect(database_url.replace("postgresql+psycopg://", "postgresql://", 1),
                                         autocommit=True)
            self._param = "%s"

    def count(self, status: str | None = None) -> int:
        sql = "SELECT count(*) FROM deliveries" + (f" WHERE status = {self._param}" if status else "")
        return self._conn.execute(sql, (status,) if status else ()).fetchone()[0]

    def wait_handled(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        for _ in range(int(timeout / 0.05) + 1):
            if self.count("pending") == 0:
                return True
            if time.monotonic() > deadline:
                break
            time.sleep(0.05)
        return False

    def close(self) -> None:
        self._conn.close()


def create_pg_database(admin_url: str) -> tuple[str, str]:
    import psycopg

    name = f"steward_bench_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(admin_url)
    return name, f"postgresql+psycopg://{parts.netloc}/{name}"


def drop_pg_database(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def steward(args: list[str], env: dict[str, str], log, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", "from bot.cli import main; main()", *args], cwd=ROOT, env=env,
                            stdout=log, stderr=subprocess.STDOUT, **kwargs)


# --- one benchmark ---------------------------------------------------------------------------------------------

@dataclass
class Outcome:
    name: str
    load: Load
    stored: str
    handling: str


def bench_target(name: str, port: int, ledger: Ledger | None, opts, payloads, secret: bytes,
                 server_pid: int | None) -> Outcome:
    if opts.warmup:
        warm = run_load(port, build_requests(payloads, opts.warmup, 10_000, port, secret), opts.concurrency,
                        opts.time_limit)
        print(f"  {name} warm-up: {warm.line()}", flush=True)
        if ledger is not None and not ledger.wait_handled(opts.handle_timeout):
            print("  ! warm-up deliveries still pending", flush=True)
    requests = build_requests(payloads, opts.n, 0, port, secret)
    before = ledger.count() if ledger is not None else 0
    t0 = time.monotonic()
    load = run_load(port, requests, opts.concurrency, opts.time_limit, server_pid)
    acked = time.monotonic()
    stored = handling = "not checked (no --database-url)"
    if ledger is not None:
        got = ledger.count() - before
        stored = f"stored {got}/{opts.n}" + ("" if got == opts.n == load.ok else "  MISMATCH")
        if ledger.wait_handled(opts.handle_timeout):
            done = time.monotonic()
            handling = (f"all handled {done - t0:.2f} s after the first send ({opts.n / (done - t0):.0f}/s), "
                        f"{done - acked:.2f} s after the last ack")
        else:
            handling = f"still {ledger.count('pending')} pending after {opts.handle_timeout:.0f} s"
    return Outcome(name, load, stored, handling)


def bench_reference(opts, payloads, secret: bytes, workdir: Path) -> Load:
    port = free_port()
    env = dict(os.environ, GITHUB_WEBHOOK_SECRET=secret.decode(),
               PYTHONPATH=os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH")])))
    with open(workdir / "reference.log", "wb") as log:
        proc = subprocess.Popen(reference_command(port, opts.workers, opts.threads), cwd=HERE, env=env,
                                stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_ready(port, PATH, proc, 30.0, ready=bool)  # it has no /readyz: any answer will do
            outcome = bench_target("reference", port, None, opts, payloads, secret, proc.pid)
        finally:
            stop(proc)
    return outcome.load


def bench_steward(database: str, opts, payloads, secret: bytes, workdir: Path) -> Outcome:
    port = free_port()
    pg_name = None
    if database == "sqlite":
        url = f"sqlite:///{workdir / 'steward.db'}"
    else:
        pg_name, url = create_pg_database(opts.pg_admin_url)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STEWARD_", "GITHUB_"))}
    env.update(STEWARD_DATABASE_URL=url, GITHUB_WEBHOOK_SECRET=secret.decode())
    log_path = workdir / f"steward-{database}.log"
    proc = ledger = None
    try:
        with open(log_path, "wb") as log:
            if pg_name is not None:
                steward(["db", "upgrade"], env, log).wait(timeout=120)
            proc = steward(["serve", "--host", HOST, "--port", str(port), "--workers", str(opts.workers),
                            "--threads", str(opts.threads)], env, log)
            wait_ready(port, "/readyz", proc)
            ledger = Ledger(url)
            return bench_target(database, port, ledger, opts, payloads, secret, proc.pid)
    except Exception:
        print(f"  ! {database} failed; the server's log ({log_path}):\n" + log_path.read_text()[-4000:], flush=True)
        raise
    finally:
        if ledger is not None:
            ledger.close()
        if proc is not None:
            stop(proc)
        if pg_name is not None:
            drop_pg_database(opts.pg_admin_url, pg_name)


def bench_url(opts, payloads, secret: bytes) -> Outcome:
    parts = urlsplit(opts.url)
    if parts.hostname not in (HOST, "localhost") or not parts.port:
        sys.exit("--url must be http://127.0.0.1:PORT: this benchmark talks to this machine only")
    wait_ready(parts.port, "/readyz", None, timeout=10)
    ledger = Ledger(opts.database_url) if opts.database_url else None
    try:
        return bench_target(opts.url, parts.port, ledger, opts, payloads, secret, None)
    finally:
        if ledger is not None:
            ledger.close()


def main(argv: list[str] | None = None) -> int:
    workers, threads = serve_defaults()
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--n", type=int, default=3000, help="deliveries to send (default 3000)")
    p.add_argument("--concurrency", type=int, default=16, help="connections in flight (default 16)")
    p.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    p.add_argument("--url", help="an already running server (http://127.0.0.1:PORT) instead of starting one")
    p.add_argument("--database-url", default=os.environ.get("STEWARD_DATABASE_URL"),
                   help="with --url: its database, to check the stored count (default $STEWARD_DATABASE_URL)")
    p.add_argument("--secret", default=os.environ.get("GITHUB_WEBHOOK_SECRET"),
                   help="with --url: its webhook secret (default $GITHUB_WEBHOOK_SECRET)")
    p.add_argument("--warmup", type=int, default=300, help="deliveries sent before measuring (default 300)")
    p.add_argument("--workers", type=int, default=workers, help=f"steward serve --workers (default {workers})")
    p.add_argument("--threads", type=int, default=threads, help=f"steward serve --threads (default {threads})")
    p.add_argument("--no-reference", action="store_true", help="skip the reference run (no ratio)")
    p.add_argument("--time-limit", type=float, default=120.0, help="seconds one load run may take (default 120)")
    p.add_argument("--handle-timeout", type=float, default=300.0,
                   help="seconds to wait for the clock to handle everything (default 300)")
    p.add_argument("--pg-admin-url", default=PG_ADMIN, help=f"where to create the database (default {PG_ADMIN})")
    p.add_argument("--payloads", type=Path, default=PAYLOADS)
    opts = p.parse_args(argv)
    if opts.n < 1 or opts.concurrency < 1 or opts.warmup < 0:
        p.error("--n and --concurrency must be at least 1, --warmup at least 0")
    if urlsplit(opts.pg_admin_url).hostname != HOST:
        p.error("--pg-admin-url must point at 127.0.0.1")
    if opts.url and not opts.secret:
        p.error("--url needs the server's webhook secret: --secret or GITHUB_WEBHOOK_SECRET")
    secret = (opts.secret if opts.url else secrets.token_hex(16)).encode()
    payloads = load_payloads(opts.payloads)
    print(f"{opts.n} deliveries ({len(payloads)} real payloads cycled), concurrency {opts.concurrency}, "
          f"warm-up {opts.warmup}; gunicorn + uvicorn workers {opts.workers}; {os.cpu_count()} CPUs",
          flush=True)
    workdir = Path(tempfile.mkdtemp(prefix="steward-bench-"))
    try:
        reference = None if opts.no_reference else bench_reference(opts, payloads, secret, workdir)
        if reference is not None:
            print(f"reference  {reference.line()}", flush=True)
        if opts.url:
            outcomes = [bench_url(opts, payloads, secret)]
        else:
            names = ["sqlite", "postgresql"] if opts.database == "both" else [opts.database]
            outcomes = [bench_steward(name, opts, payloads, secret, workdir) for name in names]
        failed = False
        for o in outcomes:
            ratio = f"  = {o.load.rate / reference.rate:.2f} x reference" if reference and reference.rate else ""
            print(f"{o.name:<10} {o.load.line()}{ratio}\n           {o.stored}; handling: {o.handling}", flush=True)
            failed |= o.load.ok != opts.n or "MISMATCH" in o.stored
        return 1 if failed else 0
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
