"""The crash test: SIGKILL a running ``steward serve`` mid-stream, restart it, lose nothing, repeat nothing;
and ``asgi_app`` under gunicorn's uvicorn workers, the production web tier, end to end.

Each delivery is an ``issue_comment.created`` with its own comment id, so it must produce exactly one
contribution. Every delivery that got a 2xx must be stored and processed exactly once (attempts == 1,
one contribution); deliveries that got no answer may be stored or not, but never half-handled.
"""

from __future__ import annotations

import contextlib
import copy
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.db import make_engine
from bot.models import Contribution, Delivery
from bot.models.inbox import PENDING
from bot.server import server_command
from bot.settings import MAX_BODY_BYTES
from tests.conftest import BACKENDS, SECRET, create_database, drop_database, load, sign

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(url: str, port: int, log: Path) -> subprocess.Popen:
    env = {**os.environ, "STEWARD_DATABASE_URL": url, "GITHUB_WEBHOOK_SECRET": SECRET}
    with log.open("ab") as out:
        proc = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--port", str(port)], env=env,
                                start_new_session=True, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            conn.request("GET", "/readyz")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.1)
        finally:
            conn.close()
    os.killpg(proc.pid, signal.SIGKILL)
    raise AssertionError(f"steward serve did not become ready: {log.read_text()[-2000:]}")


def stop(proc: subprocess.Popen, sig: int) -> None:
    os.killpg(proc.pid, sig)
    proc.wait(timeout=30)


def comment_delivery(n: int) -> tuple[str, bytes]:
    payload = copy.deepcopy(load("issue_comment", "created"))
    payload["comment"]["id"] = 10_000_000 + n
    payload["comment"]["html_url"] += f"-{n}"
    return str(uuid.uuid4()), json.dumps(payload).encode()


def sender(port: int, start_n: int, acked: list[str], stop_flag: threading.Event, limit: int) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        send_all(conn, start_n, acked, stop_flag, limit)
    finally:
        conn.close()


def send_all(conn, start_n: int, acked: list[str], stop_flag: threading.Event, limit: int) -> None:
    for n in range(start_n, start_n + limit):
        if stop_flag.is_set():
            return
        delivery_id, body = comment_delivery(n)
        try:
            conn.request("POST", "/api/github/webhooks", body=body, headers={
                "X-GitHub-Event": "issue_comment", "X-GitHub-Delivery": delivery_id,
                "X-Hub-Signature-256": sign(body), "Content-Type": "application/json"})
            response = conn.getresponse()
            response.read()
        except (OSError, http.client.HTTPException):
            return  # the server died under us: this delivery got no answer
        if 200 <= response.status < 300:
            acked.append(delivery_id)


@pytest.fixture(params=BACKENDS)
def server_database(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'crash.db'}"
        return
    name = f"steward_crash_{uuid.uuid4().hex[:8]}"
    url = create_database(name)
    subprocess.run([sys.executable, "-m", "bot", "db", "upgrade"], check=True, capture_output=True,
                   env={**os.environ, "STEWARD_DATABASE_URL": url})
    yield url
    drop_database(name)


def test_sigkill_mid_stream_loses_nothing_and_repeats_nothing(server_database, tmp_path):
    port, log = free_port(), tmp_path / "serve.log"
    proc = start(server_database, port, log)
    acked: list[str] = []
    stop_flag = threading.Event()
    threads = [threading.Thread(target=sender, args=(port, i * 100_000, acked, stop_flag, 5_000)) for i in range(8)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 30
    while len(acked) < 300 and time.monotonic() < deadline:
        time.sleep(0.01)
    stop(proc, signal.SIGKILL)  # the whole process group: web server and clock, mid-stream
    stop_flag.set()
    for t in threads:
        t.join(timeout=10)
    assert len(acked) >= 300, "too few deliveries were acknowledged before the kill"

    engine = make_engine(server_database)
    with engine.connect() as conn:
        stored = set(conn.scalars(select(Delivery.delivery_id)))
        left = conn.scalar(select(func.count()).where(Delivery.status == PENDING))
    print(f"acknowledged {len(acked)}, stored {len(stored)}, left pending by the kill {left}")
    assert set(acked) <= stored, "an acknowledged delivery was lost"

    proc = start(server_database, port, log)  # the restart handles whatever was left pending
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                if not conn.scalar(select(func.count()).where(Delivery.status == PENDING)):
                    break
            time.sleep(0.2)
        with engine.connect() as conn:
            rows = conn.execute(select(Delivery.delivery_id, Delivery.status, Delivery.attempts)).all()
            per_delivery = dict(conn.execute(
                select(Contribution.delivery_id, func.count()).group_by(Contribution.delivery_id)).all())
    finally:
        stop(proc, signal.SIGTERM)
        engine.dispose()
    assert {status for _, status, _ in rows} == {"processed"}
    assert {attempts for _, _, attempts in rows} == {1}, "a delivery was handled more than once"
    assert all(per_delivery.get(delivery_id) == 1 for delivery_id, _, _ in rows)
    assert sum(per_delivery.values()) == len(rows)


HOOK = "/api/github/webhooks"


@pytest.fixture(params=BACKENDS)
def migrated_database(request, tmp_path):
    name = f"steward_asgi_{uuid.uuid4().hex[:8]}"
    url = f"sqlite:///{tmp_path / 'asgi.db'}" if request.param == "sqlite" else create_database(name)
    subprocess.run([sys.executable, "-m", "bot", "db", "upgrade"], check=True, capture_output=True,
                   env={**os.environ, "STEWARD_DATABASE_URL": url})
    yield url
    if request.param != "sqlite":
        drop_database(name)


@contextlib.contextmanager
def web_tier(database_url: str, log: Path, workers: int = 2):
    """``server_command`` (gunicorn, uvicorn workers, ``asgi_app``) on a free port, listening; stopped after."""
    port = free_port()
    env = {**os.environ, "STEWARD_DATABASE_URL": database_url, "GITHUB_WEBHOOK_SECRET": SECRET}
    with log.open("ab") as out:
        proc = subprocess.Popen(server_command("127.0.0.1", port, workers=workers, threads=4), env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_listening(port, proc, log)
        yield port, proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)


@pytest.fixture
def gunicorn(migrated_database, tmp_path):
    log = tmp_path / "gunicorn.log"
    with web_tier(migrated_database, log) as (port, proc):
        yield port, proc, log


def wait_listening(port: int, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if http_call(port, "GET", "/readyz")[0] == 200:
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"gunicorn did not become ready: {log.read_text()[-2000:]}")


def http_call(port: int, method: str, path: str, body=None, headers=None, chunked: bool = False):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {}, encode_chunked=chunked)
        response = conn.getresponse()
        return response.status, response.getheader("Allow"), response.read()
    finally:
        conn.close()


def post(port: int, body: bytes | list[bytes], delivery_id: str, signature: str | None = None):
    """A list of pieces goes out chunked (Transfer-Encoding, no Content-Length)."""
    chunked = isinstance(body, list)
    headers = {"X-GitHub-Event": "issues", "X-GitHub-Delivery": delivery_id, "Content-Type": "application/json",
               "X-Hub-Signature-256": signature or sign(b"".join(body) if chunked else body)}
    if chunked:
        headers["Transfer-Encoding"] = "chunked"
    return http_call(port, "POST", HOOK, iter(body) if chunked else body, headers, chunked)


def test_gunicorn_with_uvicorn_workers_serves_every_rule_and_stops_cleanly(gunicorn, migrated_database):
    """The web tier alone (production, docs/DEPLOY.md): ``asgi_app`` under gunicorn, real sockets, both databases."""
    port, proc, log = gunicorn
    body = json.dumps(load("issues", "opened")).encode()
    assert post(port, body, "asgi-1")[0] == 202
    assert post(port, body, "asgi-1")[0] == 200  # duplicate
    assert post(port, body, "asgi-2", signature="sha256=00")[0] == 401
    assert post(port, b"{not json", "asgi-3")[0] == 400
    too_big = b'{"x": "' + b"a" * MAX_BODY_BYTES + b'"}'
    assert post(port, too_big, "asgi-4")[0] == 413  # by its Content-Length
    pieces = [too_big[i:i + (1 << 20)] for i in range(0, len(too_big), 1 << 20)]
    assert post(port, pieces, "asgi-5")[0] == 413  # counted while it streams
    assert post(port, [body[:100], body[100:]], "asgi-6")[0] == 202
    status, allow, _ = http_call(port, "GET", HOOK)
    assert (status, allow) == (405, "POST")
    assert http_call(port, "GET", "/healthz")[0] == 200  # Flask, through a2wsgi
    assert http_call(port, "GET", "/api/v1/no-such-thing")[0] == 404

    os.killpg(proc.pid, signal.SIGTERM)
    assert proc.wait(timeout=30) == 0
    assert "Traceback" not in log.read_text()
    engine = make_engine(migrated_database)
    try:
        with engine.connect() as conn:
            rows = dict(conn.execute(select(Delivery.delivery_id, Delivery.status)).all())
    finally:
        engine.dispose()
    assert rows == {"asgi-1": "pending", "asgi-6": "pending"}  # intake only: the clock handles them
