"""Every corpus payload through the real endpoint, plus the signature, size, JSON and header rules."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import select

from bot.models import Contribution, Delivery, Person, Repository
from bot.web.webhooks import AsgiWebhooks
from tests.conftest import PAYLOADS, SECRET, count, payload_files, sign
from tests.web.asgi_bridge import AsgiAsWsgi

FILES = payload_files()


@pytest.fixture(params=["wsgi", "asgi"])
def client(request, app, runtime):
    """Every test here runs through both fronts: WSGI (``create_app``) and ASGI (``asgi_app``)."""
    if request.param == "wsgi":
        return app.test_client()
    from a2wsgi import WSGIMiddleware
    from werkzeug.test import Client

    return Client(AsgiAsWsgi(AsgiWebhooks(runtime, WSGIMiddleware(app))), app.response_class)


def test_corpus_is_present():
    assert len(FILES) == 150, f"expected the 150 corpus payloads under {PAYLOADS}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_payload_is_stored_and_handled_once(path, deliver, db):
    body = path.read_bytes()
    delivery_id = str(uuid.uuid5(uuid.NAMESPACE_URL, str(path.relative_to(PAYLOADS))))
    first = deliver(path.parent.name, body, delivery_id)
    assert first.status_code == 202, first.get_json()
    row = db.scalar(select(Delivery).where(Delivery.delivery_id == delivery_id))
    assert row.status in {"processed", "ignored"}, row.error
    assert row.status == "processed"  # every corpus event is one Steward subscribes to
    assert row.event == path.parent.name and row.body == body
    payload = json.loads(body)
    assert row.action == payload.get("action")
    assert row.installation_id == (payload.get("installation") or {}).get("id")
    assert row.repository_id == (payload.get("repository") or {}).get("id")
    if "repository" in payload:
        assert count(db, Repository, Repository.id == payload["repository"]["id"]) == 1
    if "sender" in payload:
        assert count(db, Person, Person.id == payload["sender"]["id"]) == 1
    before = {m.__name__: count(db, m) for m in (Delivery, Contribution, Person, Repository)}

    again = deliver(path.parent.name, body, delivery_id)
    assert again.status_code == 200 and again.get_json()["status"] == "duplicate"
    assert {m.__name__: count(db, m) for m in (Delivery, Contribution, Person, Repository)} == before


@pytest.fixture
def body(corpus):
    return json.dumps(corpus("issues", "opened")).encode()


def _post(client, body, **headers):
    base = {"X-GitHub-Event": "issues", "X-GitHub-Delivery": str(uuid.uuid4()),
            "Content-Type": "application/json", "X-Hub-Signature-256": sign(body)}
    base.update(headers)
    return client.post("/api/github/webhooks", data=body, headers={k: v for k, v in base.items() if v is not None})


def test_github_documented_signature_vector():
    assert sign(b"Hello, World!", SECRET) == (
        "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")


@pytest.mark.parametrize("signature", [None, "", "sha256=00", "sha1=abc"])
def test_missing_or_wrong_signature_is_401_and_stores_nothing(client, db, body, signature):
    response = _post(client, body, **{"X-Hub-Signature-256": signature})
    assert response.status_code == 401
    assert count(db, Delivery) == 0


def test_signature_with_wrong_secret_is_401(client, db, body):
    assert _post(client, body, **{"X-Hub-Signature-256": sign(body, "another secret")}).status_code == 401
    assert count(db, Delivery) == 0


def test_flipped_body_byte_is_401(client, db, body):
    signature = sign(body)
    tampered = bytearray(body)
    tampered[10] ^= 1
    assert _post(client, bytes(tampered), **{"X-Hub-Signature-256": signature}).status_code == 401
    assert count(db, Delivery) == 0


@pytest.mark.parametrize("over", [1, 4096])
def test_oversized_body_is_413(client, db, runtime, over):
    limit = runtime.settings.max_body_bytes
    big = b'{"x": "' + b"a" * (limit + over - 9) + b'"}'
    assert len(big) == limit + over
    assert _post(client, big).status_code == 413
    assert count(db, Delivery) == 0


@pytest.mark.parametrize("raw", [b"{not json", b"", b"[1, 2]", b"\xff\xfe"])
def test_malformed_json_is_400(client, db, raw):
    response = _post(client, raw)
    assert response.status_code == 400
    assert "JSON" in response.get_json()["error"]
    assert count(db, Delivery) == 0


@pytest.mark.parametrize("header", ["X-GitHub-Event", "X-GitHub-Delivery"])
def test_missing_github_header_is_400(client, db, body, header):
    response = _post(client, body, **{header: None})
    assert response.status_code == 400
    assert header in response.get_json()["error"]
    assert count(db, Delivery) == 0


def test_unknown_event_is_stored_and_ignored(deliver, db):
    response = deliver("deployment_status", {"action": "created", "deployment_status": {}})
    assert response.status_code == 202
    row = db.scalar(select(Delivery))
    assert row.status == "ignored" and row.event == "deployment_status"


def test_no_secret_configured_refuses_with_instructions(engine, database_url):
    from bot import create_app
    from bot.runtime import Runtime
    from bot.settings import Settings

    app = create_app(runtime=Runtime.build(Settings(database_url=database_url), engine=engine))
    response = app.test_client().post("/api/github/webhooks", data=b"{}",
                                      headers={"X-GitHub-Event": "ping", "X-GitHub-Delivery": "x"})
    assert response.status_code == 503
    assert "GITHUB_WEBHOOK_SECRET" in response.get_json()["error"]


def test_insecure_dev_mode_accepts_unsigned(engine, database_url):
    from bot import create_app
    from bot.runtime import Runtime
    from bot.settings import Settings
    from tests.conftest import empty_tables

    runtime = Runtime.build(Settings(database_url=database_url, insecure_dev=True), engine=engine)
    try:
        response = create_app(runtime=runtime).test_client().post(
            "/api/github/webhooks", data=b'{"zen": "hi", "hook_id": 1}',
            headers={"X-GitHub-Event": "ping", "X-GitHub-Delivery": "dev-1"})
        assert response.status_code == 202
    finally:
        runtime.committer.close()
        empty_tables(engine)


def test_control_characters_in_headers_are_400(client, db, body):
    response = _post(client, body, **{"X-GitHub-Delivery": "bad\x00id"})
    assert response.status_code == 400
    assert count(db, Delivery) == 0


def test_nul_characters_in_payload_text_are_stored_and_handled(deliver, corpus, db):
    payload = corpus("issues", "opened")
    payload["issue"]["title"] = "nul\x00inside"
    assert deliver("issues", payload).status_code == 202
    from bot.models import Issue

    assert db.scalar(select(Delivery.status)) == "processed"
    assert db.scalar(select(Issue.title)) == "nul\ufffdinside"


# what a server passes for a body without Content-Length (chunked): werkzeug's test client sets one otherwise
CHUNKED = {"CONTENT_LENGTH": "", "wsgi.input_terminated": True, "HTTP_TRANSFER_ENCODING": "chunked"}


def test_chunked_body_over_the_cap_is_413_and_stores_nothing(client, db, runtime):
    """No Content-Length (chunked transfer): the body is read up to the cap and refused past it."""
    import io

    big = b'{"x": "' + b"a" * runtime.settings.max_body_bytes + b'"}'
    response = client.post("/api/github/webhooks", input_stream=io.BytesIO(big), environ_overrides=CHUNKED, headers={
        "X-GitHub-Event": "issues", "X-GitHub-Delivery": "chunked-1", "X-Hub-Signature-256": sign(big)})
    assert response.status_code == 413 and "payload over" in response.get_json()["error"]
    assert count(db, Delivery) == 0


def test_chunked_body_under_the_cap_is_stored(client, db, body):
    import io

    response = client.post("/api/github/webhooks", input_stream=io.BytesIO(body), environ_overrides=CHUNKED, headers={
        "X-GitHub-Event": "issues", "X-GitHub-Delivery": "chunked-2", "X-Hub-Signature-256": sign(body)})
    assert response.status_code == 202, response.get_json()
    assert db.scalar(select(Delivery.body).where(Delivery.delivery_id == "chunked-2")) == body


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_other_methods_are_405_with_allow(client, method):
    response = client.open("/api/github/webhooks", method=method)
    assert response.status_code == 405
    assert response.headers["Allow"] == "POST" and "POST" in response.get_json()["error"]


def test_storage_failure_is_503_and_says_redeliver(client, db, runtime, body, monkeypatch):
    def down(items, lock_wait_s=8.0):
        raise OSError("database gone")

    monkeypatch.setattr(runtime.committer, "_store", down)
    response = _post(client, body)
    assert response.status_code == 503 and "redeliver" in response.get_json()["error"]
    assert count(db, Delivery) == 0


def test_a_bug_in_intake_is_a_json_500_and_logged(client, db, body, monkeypatch, caplog):
    from bot.runtime import Runtime

    def broken(self, item):
        raise RuntimeError("a bug")

    monkeypatch.setattr(Runtime, "receive", broken)
    response = _post(client, body)
    assert response.status_code == 500 and "redeliver" in response.get_json()["error"]
    assert "webhook intake failed" in caplog.text
    assert count(db, Delivery) == 0


def test_other_paths_still_reach_flask(client):
    assert client.get("/healthz").status_code == 200
    assert client.post("/api/github/webhooks/extra").status_code == 404


# --- the ASGI front on its own: what only it does (the rules above already ran through it) ---

def _asgi_client(app, runtime):
    from a2wsgi import WSGIMiddleware
    from werkzeug.test import Client

    return Client(AsgiAsWsgi(AsgiWebhooks(runtime, WSGIMiddleware(app))), app.response_class)


@pytest.fixture
def queued(settings, engine):
    """A runtime like ``asgi_app``'s: intake only, the request waits for the commit on the event loop."""
    from bot.runtime import Runtime
    from tests.conftest import empty_tables

    runtime = Runtime.build(settings, engine=engine, inline_dispatch=False)
    yield runtime
    runtime.committer.close()
    empty_tables(engine)


def test_asgi_waits_for_the_group_commit_without_a_thread(queued, app, db, body):
    client = _asgi_client(app, queued)
    first = _post(client, body, **{"X-GitHub-Delivery": "queued-1"})
    assert first.status_code == 202 and first.get_json() == {"status": "accepted", "delivery": "queued-1"}
    assert db.scalar(select(Delivery.status).where(Delivery.delivery_id == "queued-1")) == "pending"
    again = _post(client, body, **{"X-GitHub-Delivery": "queued-1"})
    assert again.status_code == 200 and again.get_json()["status"] == "duplicate"
    assert count(db, Delivery) == 1


def test_asgi_storage_failure_while_queued_is_503(queued, app, db, body, monkeypatch):
    def down(items, lock_wait_s=8.0):
        raise OSError("database gone")

    monkeypatch.setattr(queued.committer, "_store", down)
    response = _post(_asgi_client(app, queued), body)
    assert response.status_code == 503 and "redeliver" in response.get_json()["error"]
    assert count(db, Delivery) == 0


def test_asgi_gives_up_on_a_slow_commit_and_the_committer_carries_on(queued, app, db, body, monkeypatch):
    import threading

    from bot.web import webhooks

    release = threading.Event()
    real_store = queued.committer._store

    def slow(items, lock_wait_s=8.0):
        release.wait(5)
        return real_store(items, lock_wait_s)

    monkeypatch.setattr(webhooks, "STORE_WAIT_S", 0.05)
    monkeypatch.setattr(queued.committer, "_store", slow)
    client = _asgi_client(app, queued)
    assert _post(client, body, **{"X-GitHub-Delivery": "slow-1"}).status_code == 503
    release.set()  # the commit lands after the answer: GitHub's redelivery will be a duplicate
    monkeypatch.setattr(webhooks, "STORE_WAIT_S", 8.0)
    assert _post(client, body, **{"X-GitHub-Delivery": "slow-2"}).status_code == 202
    assert _post(client, body, **{"X-GitHub-Delivery": "slow-1"}).status_code == 200
    assert count(db, Delivery) == 2


def _drive(front, scope, incoming):
    import asyncio

    sent = []

    async def receive():
        return incoming.pop(0)

    async def send(message):
        sent.append(message)

    asyncio.run(front(scope, receive, send))
    return sent


def test_asgi_lifespan_shutdown_closes_the_runtime(queued, app, body):
    assert _post(_asgi_client(app, queued), body).status_code == 202
    assert queued.committer._thread is not None
    sent = _drive(AsgiWebhooks(queued, app), {"type": "lifespan"},
                  [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}])
    assert [m["type"] for m in sent] == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert queued.committer._thread is None  # the intake thread stopped, its batch committed


def test_asgi_client_gone_before_its_body_gets_no_answer_and_stores_nothing(queued, app, db):
    scope = {"type": "http", "method": "POST", "path": "/api/github/webhooks", "headers": []}
    assert _drive(AsgiWebhooks(queued, app), scope, [{"type": "http.disconnect"}]) == []
    assert count(db, Delivery) == 0


def test_asgi_hands_other_scopes_to_the_app(queued):
    seen = []

    async def app(scope, receive, send):
        seen.append(scope["type"])

    _drive(AsgiWebhooks(queued, app), {"type": "websocket", "path": "/api/github/webhooks"}, [])
    assert seen == ["websocket"]
