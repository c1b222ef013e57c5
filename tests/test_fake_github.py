"""The fake itself: URLs built from its base URL, requests recorded, failures injected."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest


def get(url: str):
    with urllib.request.urlopen(url) as response:
        return response.status, json.loads(response.read())


def test_routes_record_and_fail_on_demand(github):
    status, app = get(github.url("/app"))
    assert status == 200 and app["slug"]
    github.fail_next("GET", r"/app", 502)
    with pytest.raises(urllib.error.HTTPError) as err:
        get(github.url("/app"))
    assert err.value.code == 502
    err.value.close()
    assert get(github.url("/app"))[0] == 200
    assert len(github.requests_to("GET", r"/app")) == 3


def test_unknown_path_is_a_github_404(github):
    with pytest.raises(urllib.error.HTTPError) as err:
        get(github.url("/nope"))
    with err.value:
        assert err.value.code == 404 and json.loads(err.value.read())["message"] == "Not Found"


def test_add_repo(github):
    repo = github.add_repo("octo", "Model", private=True)
    assert github.state.repo("OCTO", "model") is repo and repo.full_name == "octo/Model"
