"""Dashboard pages through the Flask client on SQLite and PostgreSQL: content, live freshness, 404 for unknown
and private repositories, 400 for bad windows, escaping of hostile logins and titles, assets, headers."""

from __future__ import annotations

import copy
import gzip
from types import SimpleNamespace

import pytest

import bot.models
from bot.db import now as clock
from bot.metrics import figures
from bot.metrics.spec import SPECS
from bot.models import ListOptOut
from bot.web import eval_history, pages
from tests.metrics.conftest import BOT, MAINT, NEWBIE, NOW, Community, ago
from tests.metrics.test_contributors import D, build

REPO = "/Codertocat/Hello-World"
EVIL = {"login": "<img src=x onerror=alert(1)>", "id": 7400002, "type": "User"}
EVIL_TITLE = "</script><script>alert('t')</script>"


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr(pages, "now", lambda: NOW)
    monkeypatch.setattr(figures, "now", lambda: NOW)


@pytest.fixture
def community(deliver, corpus, db) -> Community:
    return Community(deliver, corpus, db)


def page(client, path: str, status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, (path, response.status_code)
    assert response.mimetype == "text/html"
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    return response.get_data(as_text=True)


def test_health_page_has_a_tile_per_metric_each_linking_to_its_definition(client, community, frozen):
    build(community)
    html = page(client, REPO)
    assert "<h1>Codertocat/Hello-World</h1>" in html
    for metric_id, spec in SPECS.items():
        assert f'id="tile-{metric_id}"' in html and f'href="/-/definitions#{metric_id}"' in html, metric_id
        assert spec.title in html
    assert "insufficient data" in html  # one answered issue is below min_n
    for chart in ("chart-weekly", "chart-types", "chart-response", "chart-heatmap", "chart-age", "chart-people"):
        assert f'data-figure="{chart}-data"' in html and f'id="{chart}-data"' in html
    assert "/-/assets/plotly.min.js?v=" in html and "cdn" not in html.lower()
    assert 'href="/api/v1/repos/Codertocat/Hello-World/health?days=90&amp;format=csv"' in html
    assert "<option value=\"90\" selected>" in html
    assert "<option value=\"30\" selected>" in page(client, f"{REPO}?days=30")


def test_pages_are_live(client, community, frozen):
    community.issue(1, MAINT, ago(200 * D))  # the repository is known, its only contribution is too old
    assert "No contributions in this window yet." in page(client, f"{REPO}/contributors")
    community.issue(2, NEWBIE, ago(1))
    assert "newbie" in page(client, f"{REPO}/contributors")
    assert 'id="tile-contributions_by_type"' in page(client, REPO)


def test_contributors_page_groups_bots_and_respects_opt_out(client, community, db, frozen):
    build(community)
    html = page(client, f"{REPO}/contributors")
    people, bots = html.split('<h2 id="bots">')
    assert "People (3)" in people and "maint" in people and "dependabot[bot]" not in people
    assert "Bots and automation (1)" in bots and "dependabot[bot]" in bots
    assert '<span class="badge">review 1</span><span class="badge">discussion 2</span>' in people
    assert '<time datetime="2025-10-14T00:00:00Z">2025-10-14</time>' in people
    assert 'data-figure="chart-top-data"' in people
    db.add(ListOptOut(person_id=MAINT["id"], created_at=clock()))
    db.commit()
    html = page(client, f"{REPO}/contributors")
    assert "<em>anonymous contributor</em>" in html and "maint" not in html
    assert "anonymous contributor #1" in html  # the chart's label


def test_hostile_login_and_title_are_escaped(client, community, frozen, deliver, corpus):
    item = community.issue(1, EVIL, ago(2 * D))
    community.comment(item, BOT, ago(D))
    for path in (f"{REPO}/contributors", REPO, "/"):
        html = page(client, path)
        assert "<img src=x" not in html and "<script>alert" not in html, path
    assert "&lt;img src=x onerror=alert(1)&gt;" in page(client, f"{REPO}/contributors")
    # Chart labels are entities (plotly reads some tags in labels), and the JSON escapes markup too (Flask's
    # tojson): no way out of the <script type="application/json">.
    html = page(client, f"{REPO}/contributors")
    assert "\\u0026lt;img src=x onerror=aler\\u2026" in html  # shortened to 24 characters in the chart
    hostile = copy.deepcopy(corpus("issues", "opened"))
    hostile["repository"]["description"] = EVIL_TITLE
    hostile["issue"]["title"] = EVIL_TITLE
    assert deliver("issues", hostile).status_code == 202
    html = page(client, REPO)
    assert "<script>alert" not in html
    assert '<p class="muted">&lt;/script&gt;&lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt;</p>' in html  # description


def test_unknown_private_and_impossible_repositories_are_404(client, deliver, corpus, frozen):
    secret = copy.deepcopy(corpus("issues", "opened"))
    secret["repository"].update(id=1234, name="secret", full_name="Codertocat/secret", private=True)
    assert deliver("issues", secret).status_code == 202
    for tail in ("", "/contributors", "/evaluations", "?days=0", "/contributors?days=abc"):
        private = page(client, f"/Codertocat/secret{tail}", 404)
        unknown = page(client, f"/nobody/nothing{tail}", 404)
        assert "Not found" in private and private.replace("Codertocat/secret", "nobody/nothing") == unknown
    assert "Not found" in page(client, "/a%00b/c", 404)
    assert "secret" not in page(client, "/")


@pytest.mark.parametrize("days", ["0", "abc", "3651", "1e3"])
def test_bad_window_is_400(client, community, frozen, days):
    community.issue(1, NEWBIE, ago(1))
    for path in (REPO, f"{REPO}/contributors"):
        assert "days must be a whole number from 1 to 3650" in page(client, f"{path}?days={days}", 400)


def test_evaluations_page_without_or_with_runs(client, community, db, frozen):
    community.issue(1, NEWBIE, ago(1))
    html = page(client, f"{REPO}/evaluations")
    model = getattr(bot.models, "EvalRun", None)
    if model is None:  # evaluations not installed in this Steward: a clear empty state
        assert "PR evaluations are not enabled in this Steward yet" in html
        return
    assert "No evaluation runs for this repository yet" in html
    fields = dict(repository_id=community_repo_id(db), pr_number=7, base_sha="a" * 40, head_sha="b" * 40,
                  status="completed", conclusion="success", created_at=ago(3), finished_at=ago(2), runtime_s=12.5,
                  results=[{"task": "hellaswag<b>", "metric": "acc", "base": 0.5, "head": 0.55, "delta": 0.05,
                            "ci_low": 0.01, "ci_high": 0.09, "outcome": "improved"}])
    db.add(model(**required_defaults(model, fields)))
    db.commit()
    html = page(client, f"{REPO}/evaluations")
    assert "hellaswag&lt;b&gt; · acc" in html and "#7" in html and "bbbbbbbbbb" in html
    assert 'data-figure="chart-eval-1-data"' in html


def required_defaults(model, fields: dict) -> dict:
    """``fields`` plus a placeholder for every other NOT NULL column without a default (the evaluation helper's
    model may hold more than the fields this page reads)."""
    placeholders = {str: "x", int: 0, bool: False, float: 0.0}
    out = dict(fields)
    for column in model.__table__.columns:
        if column.nullable or column.primary_key or column.default is not None or column.name in out:
            continue
        out[column.key] = placeholders.get(column.type.python_type)
    return out


def community_repo_id(db) -> int:
    return db.scalar(bot.models.Repository.__table__.select().with_only_columns(bot.models.Repository.id))


def test_evaluation_history_regroups_results_per_metric():
    runs = [
        SimpleNamespace(id=2, created_at=ago(1), pr_number=9, head_sha="f" * 40, results=[
            {"task": "t", "metric": "acc", "base": 1, "head": 2, "delta": 1, "ci_low": 0.5, "ci_high": 1.5,
             "outcome": "improved"},
            {"task": "t", "metric": "ppl", "delta": float("nan")}, "junk", {"metric": "no task"}]),
        SimpleNamespace(id=1, created_at=ago(5), pr_number=8, head_sha=None, results=[
            {"task": "t", "metric": "acc", "base": 1, "head": 1, "delta": 0, "ci_low": -0.2, "ci_high": True,
             "outcome": 3}]),
        SimpleNamespace(id=3, created_at=None, pr_number=10, head_sha="e", results=None),
    ]
    history = eval_history.evaluation_history(runs)
    assert [(s["task"], s["metric"], len(s["points"])) for s in history] == [("t", "acc", 2), ("t", "ppl", 1)]
    first, second = history[0]["points"]
    assert (first["pr_number"], first["delta"], first["ci_high"], first["outcome"], first["head_sha"]) == \
        (8, 0.0, None, None, "")
    assert (second["pr_number"], second["at"], second["head_sha"]) == (9, "2026-04-30T23:00:00Z", "ffffffffff")
    assert history[1]["points"][0]["delta"] is None


def test_definitions_page_has_an_anchor_per_metric(client):
    html = page(client, "/-/definitions")
    for metric_id, spec in SPECS.items():
        assert f'<section class="definition" id="{metric_id}"' in html and spec.chaoss in html
        assert f"v{spec.version}" in html


def test_assets_are_served_locally_with_long_cache(client):
    response = client.get("/-/assets/plotly.min.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert b"plotly" in response.get_data()[:2000].lower() and len(response.get_data()) > 1_000_000
    script = client.get("/-/assets/steward.js")
    assert script.status_code == 200 and b"Plotly.react" in script.get_data()
    etag = script.headers["ETag"]
    assert client.get("/-/assets/steward.js", headers={"If-None-Match": etag}).status_code == 304
    assert client.get("/-/assets/nothing.js").status_code == 404
    packed = client.get("/-/assets/plotly.min.js", headers={"Accept-Encoding": "gzip, br"})
    assert packed.headers["Content-Encoding"] == "gzip" and packed.headers["Vary"] == "Accept-Encoding"
    assert gzip.decompress(packed.get_data()) == response.get_data()
