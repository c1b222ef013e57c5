from __future__ import annotations

import copy

from bot.web import home
from tests.metrics.conftest import BOT, MAINT, NEWBIE, NOW, Community, ago


def test_home_before_anything(client):
    response = client.get("/")
    page = response.get_data(as_text=True)
    assert "Steward is running" in page and "runs <strong>dry</strong>" in page and 'href="/setup"' in page
    assert "None yet" in page and "None known yet" in page and "None with a public repository yet" in page
    assert "data-figure" not in page and "plotly" not in page  # no chart, no script, without a repository
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]


def test_home_counts_and_lists_only_public_repositories(client, deliver, corpus):
    deliver("issues", corpus("issues", "opened"))
    hidden = copy.deepcopy(corpus("issues", "opened"))
    hidden["repository"].update(id=1234, name="secret", full_name="Codertocat/secret", private=True)
    hidden["installation"] = {"id": 99, "node_id": "x"}
    deliver("issues", hidden)
    deliver("sponsorship", {"action": "created"})
    page = client.get("/").get_data(as_text=True)
    assert "<th>processed</th><td>2</td>" in page and "<th>ignored</th><td>1</td>" in page
    assert 'href="/Codertocat/Hello-World"' in page and "/api/v1/repos/Codertocat/Hello-World/activity" in page
    assert "secret" not in page
    assert 'data-figure="chart-repos-data"' in page and "/-/assets/plotly.min.js?v=" in page


def test_home_headline_figures(client, deliver, corpus, db, monkeypatch):
    monkeypatch.setattr(home, "now", lambda: NOW)
    community = Community(deliver, corpus, db)
    issue = community.issue(1, NEWBIE, ago(24 * 100))  # before the 90-day window: not counted
    community.comment(issue, MAINT, ago(5), "MEMBER")
    community.comment(issue, BOT, ago(4))  # bots are not people
    community.pull(2, NEWBIE, ago(3))
    line, = home.repository_lines(db, NOW)
    assert (line.full_name, line.contributions, line.people, line.open_issues, line.open_pulls) == \
        ("Codertocat/Hello-World", 2, 2, 1, 1)
    assert line.last_activity == ago(3)
    page = client.get("/").get_data(as_text=True)
    assert '<td class="num">2</td><td class="num">2</td>' in page
    assert "2026-04-30 21:00 UTC" in page


def test_installations_with_public_repositories_only(client, deliver, corpus):
    deliver("installation", corpus("installation", "created"))
    other = copy.deepcopy(corpus("installation", "created"))
    other["installation"].update(id=4242, account={**other["installation"]["account"], "id": 4243, "login": "hideme"})
    other["repositories"] = [{**other["repositories"][0], "id": 4244, "name": "p", "full_name": "hideme/p",
                              "private": True}]
    deliver("installation", other)
    page = client.get("/").get_data(as_text=True)
    installations = page.split('<h2 id="installations">')[1].split("<h2>")[0]
    assert "<td>Codertocat</td><td>User</td><td class=\"num\">1</td>" in installations
    assert "hideme" not in page
