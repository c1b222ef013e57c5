"""Permissions from GitHub's collaborator permission API: the rule table (pure), the gh.py call against the fake,
and the brief in-process cache."""

from __future__ import annotations

import pytest

from bot import gh
from bot.governance import permissions
from bot.governance.permissions import allowed
from tests.fake_github.rest import add_installation
from tests.github_app import app_settings

REPO = "Codertocat/Hello-World"
PERMISSION = r"/repos/Codertocat/Hello-World/collaborators/[^/]+/permission"


@pytest.mark.parametrize(("name", "rule", "level", "author", "ok"), [
    ("help", "anyone", "none", False, True),
    ("hold", "maintainer", "write", False, True),
    ("hold", "maintainer", "maintain", False, True),
    ("hold", "maintainer", "admin", False, True),
    ("hold", "maintainer", "triage", False, False),
    ("hold", "maintainer", "read", True, False),  # being the author is not enough for a maintainer command
    ("assign", "maintainer", "triage", False, True),
    ("unassign", "maintainer", "triage", False, True),
    ("label", "maintainer_or_author", "triage", False, True),
    ("label", "maintainer_or_author", "read", True, True),
    ("label", "maintainer_or_author", "read", False, False),
    ("label", "maintainer_or_author", "none", False, False),
    ("spam", "maintainer", "something-new", False, False),  # an unknown level ranks as none
])
def test_rule_table(name, rule, level, author, ok):
    assert allowed(name, rule, level, author) is ok


@pytest.fixture
def api(runtime, github):
    gh.reset_caches()
    permissions.clear_cache()
    github.add_repo("Codertocat", "Hello-World", id=186853002, installation_id=1).permissions.update(
        maint="maintain", tri="triage")
    add_installation(github, 1)
    runtime.settings = app_settings(runtime.settings, github)
    yield gh.installation_api(runtime, 1)
    gh.reset_caches()
    permissions.clear_cache()


def test_gh_reads_role_name_and_404_means_none(api, github):
    assert api.collaborator_permission(REPO, "maint") == "maintain"  # role_name, not the legacy "write"
    assert api.collaborator_permission(REPO, "tri") == "triage"
    assert api.collaborator_permission(REPO, "stranger") == "read"  # public repository
    github.fail_next("GET", PERMISSION, 404)
    assert api.collaborator_permission(REPO, "ghost-user") == "none"
    github.fail_next("GET", PERMISSION, 500, times=5)
    with pytest.raises(gh.GitHubError):
        api.collaborator_permission(REPO, "other")


def test_answers_are_cached_briefly_per_repository_and_login(api, github, monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(permissions, "clock", lambda: now[0])
    assert permissions.permission(api, REPO, "maint") == "maintain"
    assert permissions.permission(api, REPO.upper(), "MAINT") == "maintain"
    assert len(github.requests_to("GET", PERMISSION)) == 1
    github.state.repos["codertocat/hello-world"].permissions["maint"] = "read"  # demoted on GitHub
    now[0] += permissions.TTL_S - 1
    assert permissions.permission(api, REPO, "maint") == "maintain"
    now[0] += 2  # past the TTL: asked again
    assert permissions.permission(api, REPO, "maint") == "read"
    assert permissions.permission(api, REPO, "tri") == "triage"
    assert len(github.requests_to("GET", PERMISSION)) == 3
