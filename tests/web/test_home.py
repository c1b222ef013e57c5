from __future__ import annotations

import copy


def test_home_before_anything(client):
    page = client.get("/").get_data(as_text=True)
    assert "Steward is running" in page and "runs <strong>dry</strong>" in page and 'href="/setup"' in page
    assert "None yet" in page and "None known yet" in page


def test_home_counts_and_lists_only_public_repositories(client, deliver, corpus):
    deliver("issues", corpus("issues", "opened"))
    hidden = copy.deepcopy(corpus("issues", "opened"))
    hidden["repository"].update(id=1234, name="secret", full_name="Codertocat/secret", private=True)
    deliver("issues", hidden)
    deliver("sponsorship", {"action": "created"})
    page = client.get("/").get_data(as_text=True)
    assert "<th>processed</th><td>2</td>" in page and "<th>ignored</th><td>1</td>" in page
    assert "Codertocat/Hello-World" in page and "/api/v1/repos/Codertocat/Hello-World/activity" in page
    assert "secret" not in page
