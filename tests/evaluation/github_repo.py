"""Shared by the evaluation pipeline tests: a repository on the fake GitHub with Steward installed, commits
(``FakeRepo.trees``) holding a tiny model and ``.github/steward.yml``, and pull_request / comment payloads."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from bot import gh, jobs, repo_config
from bot.evaluation import tiny
from tests.fake_github.rest import add_comment, add_installation
from tests.github_app import app_settings
from tests.handlers.conftest import MAINTAINER, OTHER, changed

__all__ = ["MAINTAINER", "OTHER"]
INSTALLATION = 1  # the corpus payloads' installation
REPO = "Codertocat/Hello-World"
REPO_ID = 186853002
NUMBER = 2  # the corpus pull request
SHA_BASE = "b" * 40
SHA_HEAD = "c" * 40
SHA_NEXT = "d" * 40
CONFIG = b"""evaluation:
  model: models/tiny
  suites: [steward_prose]
  paths: ["models/**"]
  max_length: 64
  batch_size: 4
"""


@functools.cache
def _model(tmp: Path, noise: float) -> dict[str, bytes]:
    clean = tmp / "clean"
    if not clean.exists():
        tiny.build_model(clean)
    directory = clean if noise == 0 else tiny.add_noise(clean, tmp / f"noise{noise}", scale=noise)
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in sorted(directory.iterdir()) if p.is_file()}


@pytest.fixture(scope="session")
def model_files(tmp_path_factory):
    """``model_files(noise)``: the tiny model's files (the same model every time; noise degrades it)."""
    tmp = tmp_path_factory.mktemp("tiny")
    return lambda noise=0.0: _model(tmp, noise)


@pytest.fixture
def repo(github):
    return github.add_repo("Codertocat", "Hello-World", id=REPO_ID, installation_id=INSTALLATION)


@pytest.fixture
def as_app(runtime, github, repo):
    from bot.governance import permissions

    gh.reset_caches()
    repo_config.clear_cache()
    permissions.clear_cache()
    add_installation(github, INSTALLATION)
    repo.permissions[MAINTAINER["login"]] = "write"  # OTHER has the public default: read
    runtime.settings = app_settings(runtime.settings, github)
    yield runtime
    gh.reset_caches()
    repo_config.clear_cache()
    permissions.clear_cache()


def commit(repo, sha: str, model: dict[str, bytes], config: bytes | None = CONFIG, **extra: bytes) -> None:
    """A commit: the model under models/tiny, the config file and any other files, as a tarball and contents."""
    files = {f"models/tiny/{name}": data for name, data in model.items()} | extra
    if config is not None:
        files[repo_config.CONFIG_PATH] = config
    repo.trees[sha] = files
    for path, data in files.items():
        repo.contents[(sha, path)] = data


def pull_request(corpus, action: str = "opened", *, head: str = SHA_HEAD, base: str = SHA_BASE,
                 association: str = "OWNER", draft: bool = False, user=None) -> dict:
    payload = corpus("pull_request", "opened")
    changes = dict(action=action, pull_request__head__sha=head, pull_request__base__sha=base,
                   pull_request__author_association=association, pull_request__draft=draft)
    if user is not None:
        changes |= dict(pull_request__user=user, sender=user)
    return changed(payload, **changes)


def evaluate_comment(corpus, github, repo, *, user=MAINTAINER, association: str = "MEMBER") -> dict:
    """An ``issue_comment`` on the pull request saying ``/evaluate``."""
    comment = add_comment(github, repo, NUMBER, "/evaluate")
    payload = corpus("issue_comment", "created.with-installation")
    return changed(payload, comment__body="/evaluate", comment__user=user, comment__author_association=association,
                   comment__id=comment["id"], sender=user, issue__number=NUMBER,
                   issue__pull_request={"url": github.url(f"/repos/{REPO}/pulls/{NUMBER}")})


def drain(runtime) -> None:
    """Run due jobs until none is left (jobs enqueued by a job, e.g. ``/evaluate``'s, wait for the clock)."""
    while jobs.run_due(runtime):
        pass


def bot_comments(repo, marker: str | None = "evaluation") -> list[dict]:
    """Steward's comments on the pull request (those with ``marker``; None: all of them)."""
    return [c for c in repo.issue_comments.get(NUMBER, []) if c["user"]["type"] == "Bot"
            and (marker is None or f"<!-- steward:{marker} -->" in c["body"])]
