"""Badges: SVG and shields.io JSON for public repositories, computed from deliveries sent through the webhook."""

from __future__ import annotations

from datetime import timedelta
from xml.etree import ElementTree

import pytest
from sqlalchemy import update

from bot.db import now
from bot.models import Repository
from bot.web.badges import BADGES, MAX_AGE, Badge, render_svg
from tests.metrics.conftest import MAINT, NEWBIE, REGULAR, Community

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def busy(deliver, corpus, db):
    """Twelve issues in the last days, answered by a maintainer after 1, 2, ... 12 hours; three PRs."""
    community = Community(deliver, corpus, db)
    start = now() - timedelta(days=20)
    for i in range(12):
        issue = community.issue(i + 1, NEWBIE if i % 2 else REGULAR, start + timedelta(days=i))
        community.comment(issue, MAINT, start + timedelta(days=i, hours=i + 1), "MEMBER")
    for i in range(3):
        community.pull(100 + i, REGULAR, start + timedelta(days=i))
    return corpus("issues", "opened")["repository"]["full_name"]


def test_shields_json_for_first_response(client, busy):
    response = client.get(f"/badge/{busy}/time_to_first_response.json")
    assert response.status_code == 200
    # median of 1..12 hours, nearest rank: the 6th value
    assert response.get_json() == {"schemaVersion": 1, "label": "first response", "message": "6.0 h",
                                   "color": "brightgreen"}
    assert response.headers["Cache-Control"] == f"public, max-age={MAX_AGE}"


def test_svg_badge_is_valid_svg_with_the_figures(client, busy):
    response = client.get(f"/badge/{busy}/active_contributors.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.headers["Cache-Control"] == f"public, max-age={MAX_AGE}"
    root = ElementTree.fromstring(response.data)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert texts == ["active contributors", "3"]  # maint, newbie, regular
    assert root.find(f"{SVG}title").text == "active contributors: 3"


def test_small_samples_read_insufficient_data(client, busy):
    assert client.get(f"/badge/{busy}/change_request_closure_ratio.json").get_json() == {
        "schemaVersion": 1, "label": "PR closure ratio", "message": "insufficient data", "color": "lightgrey"}


def test_every_badge_renders(client, busy):
    for metric in BADGES:
        for suffix in ("svg", "json"):
            assert client.get(f"/badge/{busy}/{metric}.{suffix}").status_code == 200, (metric, suffix)


def test_unknown_metric_unknown_repo_and_private_repo_are_404(client, busy, db):
    unknown = client.get(f"/badge/{busy}/lines_of_code.svg")
    assert unknown.status_code == 404 and "one of: time_to_first_response" in unknown.get_json()["error"]
    assert client.get("/badge/nobody/nothing/active_contributors.json").status_code == 404
    assert client.get("/badge/bad%20name/x/active_contributors.svg").status_code == 404
    db.execute(update(Repository).values(private=True))
    db.commit()
    response = client.get(f"/badge/{busy}/active_contributors.svg")
    assert response.status_code == 404
    assert response.is_json and "active" not in response.get_data(as_text=True).split("error")[0]


def test_svg_text_is_escaped():
    svg = render_svg(Badge('<script>"x"</script>', "a & b", "blue"))
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "a &amp; b" in svg
    ElementTree.fromstring(svg)  # still well-formed
