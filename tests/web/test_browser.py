"""Every dashboard page in Debian's Chromium (Playwright, never a downloaded browser), against the production web
tier on 127.0.0.1 (``server_command``: gunicorn, a uvicorn worker, the pages through a2wsgi) fed through the
signed webhook endpoint, the clock's handling done here: no console error, no request leaving 127.0.0.1, charts drawn
(a non-empty plotly SVG), keyboard focus visible; light, dark and narrow screenshots are saved under the test's
tmp dir and copied to /tmp/steward-screens/. SQLite only (its own database: the pages are the same on both)."""

from __future__ import annotations

import json
import shutil
import urllib.request
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from sqlalchemy import select

import bot.models
from bot import inbox, jobs, migrate
from bot.db import now
from bot.models import Delivery
from bot.runtime import Runtime
from bot.settings import Settings
from tests.conftest import SECRET, load, sign
from tests.metrics.conftest import BOT, MAINT, Community
from tests.test_server import web_tier
from tests.web.test_pages import required_defaults

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
SCREENS = Path("/tmp/steward-screens")
REPO = "/Codertocat/Hello-World"
PAGES = {"home": "/", "health": REPO, "contributors": f"{REPO}/contributors",
         "evaluations": f"{REPO}/evaluations", "definitions": "/-/definitions"}
NARROW = ("health", "contributors")  # the narrow (phone) layout is checked on the two widest pages
XSS = {"login": '<img src=x onerror="window.__xss=1">', "id": 7500001, "type": "User"}


class Posted:
    def __init__(self, status: int, body: bytes) -> None:
        self.status_code, self._body = status, body

    def get_json(self):
        return json.loads(self._body or b"null")


@pytest.fixture
def server(tmp_path):
    url = f"sqlite:///{tmp_path / 'browser.db'}"
    migrate.upgrade(url)
    runtime = Runtime.build(Settings(database_url=url, webhook_secret=SECRET), inline_dispatch=False)  # the clock
    try:
        with web_tier(url, tmp_path / "web.log", workers=1) as (port, _):
            yield f"http://127.0.0.1:{port}", runtime
    finally:
        runtime.close()


def feed(base: str, runtime: Runtime) -> None:
    """A small community, every act a signed delivery POSTed to the live server."""

    def deliver(event: str, payload: dict, delivery_id: str | None = None):
        body = json.dumps(payload).encode()
        request = urllib.request.Request(f"{base}/api/github/webhooks", data=body, method="POST", headers={
            "X-GitHub-Event": event, "X-GitHub-Delivery": delivery_id or str(uuid.uuid4()),
            "X-GitHub-Hook-ID": "1", "User-Agent": "GitHub-Hookshot/test", "Content-Type": "application/json",
            "X-Hub-Signature-256": sign(body)})
        with urllib.request.urlopen(request, timeout=30) as response:
            posted = Posted(response.status, response.read())
        inbox.drain(runtime.factory, runtime.router, limit=100)  # what the clock does next
        while jobs.run_due(runtime, limit=100):
            pass
        return posted

    with runtime.factory() as db:
        community = Community(deliver, load, db)
        t0 = now() - timedelta(days=80)
        people = [XSS] + [{"login": f"person{i}", "id": 7600000 + i, "type": "User"} for i in range(8)]
        number = 0
        for week in range(11):
            for j, who in enumerate(people[: 2 + week % 7]):
                number += 1
                at = t0 + timedelta(days=7 * week + j % 5, hours=9 + 2 * j)
                if j % 2:
                    pull = community.pull(number, who, at)
                    community.review(pull, MAINT, at + timedelta(hours=3 + j), "MEMBER")
                else:
                    issue = community.issue(number, who, at)
                    community.comment(issue, MAINT, at + timedelta(hours=1 + week), "MEMBER")
                    community.comment(issue, BOT, at + timedelta(minutes=5))
        db.rollback()
        statuses = set(db.scalars(select(Delivery.status)))
        add_evaluations(db, t0)
    assert statuses == {"processed"}


def add_evaluations(db, t0) -> None:
    """Evaluation runs come from the evaluation job, not a webhook: stored directly, when the model exists."""
    model = getattr(bot.models, "EvalRun", None)
    if model is None:
        return
    repo_id = load("issues", "opened")["repository"]["id"]
    for i in range(6):
        delta = (-1) ** i * 0.01 * i
        results = [{"task": task, "metric": metric, "base": 0.5, "head": 0.5 + delta, "delta": delta,
                    "ci_low": delta - 0.02, "ci_high": delta + 0.02,
                    "outcome": "regression" if delta < -0.02 else "inconclusive"}
                   for task, metric in (("hellaswag", "acc"), ("wikitext", "word_perplexity"))]
        db.add(model(**required_defaults(model, dict(
            repository_id=repo_id, pr_number=100 + i, base_sha="a" * 40, head_sha=(f"{i + 10:x}" * 40)[:40],
            status="completed", conclusion="success", created_at=t0 + timedelta(days=10 * i),
            finished_at=t0 + timedelta(days=10 * i), runtime_s=30.0 + i, results=results))))
    db.commit()


def test_every_page_in_chromium(server, tmp_path):
    base, runtime = server
    feed(base, runtime)
    SCREENS.mkdir(parents=True, exist_ok=True)
    outside: list[str] = []
    errors: list[str] = []

    def route(request_route):
        url = request_route.request.url
        if url.startswith(base + "/"):
            request_route.continue_()
        else:
            outside.append(url)
            request_route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            for scheme, viewport in (("light", {"width": 1280, "height": 900}),
                                     ("dark", {"width": 1280, "height": 900}),
                                     ("narrow", {"width": 390, "height": 844})):
                context = browser.new_context(viewport=viewport,
                                              color_scheme="dark" if scheme == "dark" else "light")
                context.route("**/*", route)
                page = context.new_page()
                page.on("console", lambda m: errors.append(f"{m.type}: {m.text}") if m.type == "error" else None)
                page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
                for name, path in PAGES.items():
                    if scheme == "narrow" and name not in NARROW:
                        continue
                    check_page(page, base + path, name)
                    shot = tmp_path / f"{name}-{scheme}.png"
                    page.screenshot(path=str(shot), full_page=name != "definitions")  # that one is long
                    shutil.copy(shot, SCREENS / shot.name)
                    assert shot.stat().st_size > 10_000
                if scheme == "dark":
                    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
                    assert background == "rgb(13, 17, 23)"
                context.close()
        finally:
            browser.close()
    assert outside == []
    assert errors == []


def check_page(page, url: str, name: str) -> None:
    response = page.goto(url, wait_until="load")
    assert response is not None and response.status == 200, (url, response and response.status)
    charts = page.locator("[data-figure]").count()
    expected = {"home": 1, "health": 7, "contributors": 1, "definitions": 0,
                "evaluations": 2 if getattr(bot.models, "EvalRun", None) else 0}
    if name in expected:
        assert charts == expected[name], (name, charts)
    if charts:
        page.wait_for_function(
            "() => [...document.querySelectorAll('[data-figure]')].every("
            "d => d.querySelector('svg.main-svg') && d.querySelectorAll('svg.main-svg path, svg.main-svg rect')"
            ".length > 3)", timeout=20_000)
    assert page.evaluate("window.__xss === undefined")
    page.keyboard.press("Tab")
    focus = page.evaluate("""() => { const e = document.activeElement, s = getComputedStyle(e);
        return {tag: e.tagName, outline: s.outlineStyle, width: s.outlineWidth, shadow: s.boxShadow}; }""")
    assert focus["tag"] == "A", (name, focus)
    assert (focus["outline"] != "none" and focus["width"] not in ("0px", "")) or focus["shadow"] != "none", focus
    page.keyboard.press("Tab")  # past the skip link: the site navigation, also visibly focused
    second = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert second != "none", (name, second)
