"""Pull-request automation end to end: a signed ``pull_request`` delivery → the config check, labels and DCO jobs
→ the exact requests the fake GitHub received."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from bot import gh, jobs, repo_config
from bot.automation import dco, labels
from bot.models import Job, OutboundWrite
from tests.fake_github.rest import add_commit, add_installation, add_issue
from tests.github_app import app_settings
from tests.handlers.conftest import OTHER, changed

INSTALLATION = 1  # the corpus payloads' installation
REPO = "Codertocat/Hello-World"
HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821"  # the corpus pull request's head and base
BASE = "f95f852bd8fca8fcc58a9a2d6c842781e32a215e"
CONFIG = ".github/steward.yml"
CHECKS = rf"/repos/{REPO}/check-runs"
LABELS = rf"/repos/{REPO}/issues/2/labels.*"
GOOD = b"""labels:
  paths:
    area/docs: ["docs/**", "**/*.md"]
    area/model: ["models/**"]
dco:
  exempt_maintainers: true
"""


@pytest.fixture
def repo(github):
    repo = github.add_repo("Codertocat", "Hello-World", id=186853002, installation_id=INSTALLATION)
    add_issue(github, repo, 2)["labels"] = [{"name": "bug"}]
    return repo


@pytest.fixture
def as_app(runtime, github, repo):
    gh.reset_caches()
    repo_config.clear_cache()
    add_installation(github, INSTALLATION)
    runtime.settings = app_settings(runtime.settings, github)
    yield runtime
    gh.reset_caches()
    repo_config.clear_cache()


@pytest.fixture
def pull(corpus):
    def make(action: str = "opened", *, additions: int = 1, deletions: int = 1, head: str = HEAD,
             user: dict = OTHER, association: str = "CONTRIBUTOR", **changes) -> dict:
        return changed(corpus("pull_request", "opened"), action=action, pull_request__additions=additions,
                       pull_request__deletions=deletions, pull_request__head__sha=head, pull_request__user=user,
                       pull_request__author_association=association, sender=user, **changes)

    return make


MINE = ("Steward config", "Steward config (base)", "DCO")


def check_runs(github) -> list[dict]:
    """The check runs this feature set created (other features, e.g. evaluation, have their own)."""
    return [body for r in github.requests_to("POST", CHECKS) if (body := json.loads(r.body))["name"] in MINE]


def names(repo) -> list[str]:
    return sorted(label["name"] for label in repo.issues[2]["labels"])


# --- the "Steward config" check run -------------------------------------------------------------------------
def test_invalid_head_config_fails_the_check_naming_each_wrong_key(as_app, github, repo, deliver, pull):
    repo.pull_files[2] = [CONFIG, "README.md"]
    repo.contents[(HEAD, CONFIG)] = b"dco:\n  exempt_bot: true\nlabels:\n  size: maybe\n"
    assert deliver("pull_request", pull()).status_code == 202
    [run] = check_runs(github)
    assert run["name"] == "Steward config" and run["head_sha"] == HEAD
    assert run["status"] == "completed" and run["conclusion"] == "failure"
    assert run["output"]["title"] == "2 problems in .github/steward.yml"
    summary = run["output"]["summary"]
    assert "- `dco.exempt_bot`: unknown key; did you mean exempt\\_bots?" in summary
    assert '- `labels.size`: expected true or false, got "maybe"' in summary
    assert f"at `{HEAD[:12]}`" in summary


def test_valid_head_config_succeeds_with_the_enabled_sections(as_app, github, repo, deliver, pull):
    repo.pull_files[2] = [CONFIG]
    repo.contents[(HEAD, CONFIG)] = GOOD
    deliver("pull_request", pull())
    [run] = check_runs(github)
    assert (run["name"], run["conclusion"]) == ("Steward config", "success")
    assert run["output"]["title"] == "Valid: 2 sections enabled"
    assert run["output"]["summary"].startswith("`.github/steward.yml` is valid. Enabled: `dco`, `labels`.")
    # the head's file is only checked: the base has none, so no labels and no DCO check run
    assert github.requests_to("POST", LABELS) == [] and len(check_runs(github)) == 1
    assert {r.query for r in github.requests_to("GET", r".*/contents/.*")} == {f"ref={HEAD}", f"ref={BASE}"}


def test_a_deleted_config_is_valid_and_turns_everything_off(as_app, github, repo, deliver, pull):
    repo.pull_files[2] = [CONFIG]  # changed, and absent at the head
    deliver("pull_request", pull())
    [run] = check_runs(github)
    assert (run["conclusion"], run["output"]["title"]) == ("success", "Valid: 0 sections enabled")
    assert run["output"]["summary"].startswith("`.github/steward.yml` is valid and turns no feature on")


def test_no_check_run_when_the_pull_request_leaves_the_config_alone(as_app, github, repo, deliver, pull, db):
    repo.pull_files[2] = ["src/app.py"]
    deliver("pull_request", pull())
    assert check_runs(github) == []
    db.rollback()
    mine = select(Job.kind, Job.status).where(Job.kind.in_(["config_check", "dco", "labels"]))
    assert sorted(db.execute(mine).all()) == [("config_check", "done"), ("dco", "done"), ("labels", "done")]


def test_invalid_base_config_is_reported_once_on_the_head(as_app, github, repo, deliver, pull, runtime):
    repo.pull_files[2] = ["docs/index.md"]
    repo.contents[(BASE, CONFIG)] = b"labels:\n  paths: [docs]\n"
    deliver("pull_request", pull())
    jobs.run_due(runtime)  # the config_error job the labels and DCO jobs asked for (one, deduplicated)
    [run] = check_runs(github)
    assert (run["name"], run["head_sha"], run["conclusion"]) == ("Steward config (base)", HEAD, "failure")
    assert run["output"]["title"] == "1 problem in .github/steward.yml"
    assert "on `master` is invalid" in run["output"]["summary"]
    assert "- `labels.paths`: expected a mapping, got a list" in run["output"]["summary"]
    assert github.requests_to("POST", LABELS) == [] and names(repo) == ["bug"]


def test_a_redelivery_and_a_second_event_for_the_same_head_do_nothing_new(as_app, github, repo, deliver, pull):
    repo.pull_files[2] = [CONFIG]
    repo.contents[(HEAD, CONFIG)] = repo.contents[(BASE, CONFIG)] = GOOD
    payload = pull()
    deliver("pull_request", payload)
    before = len(github.requests)
    deliver("pull_request", payload)
    deliver("pull_request", pull("reopened"))
    assert len(github.requests) == before and len(check_runs(github)) == 2  # config + DCO, once each


def test_without_an_app_nothing_is_read_or_sent(github, repo, deliver, pull, db):
    deliver("pull_request", pull())
    assert github.requests == []
    db.rollback()
    assert db.scalars(select(OutboundWrite)).all() == []


# --- labels --------------------------------------------------------------------------------------------------
def test_area_and_size_labels_are_added_and_other_labels_kept(as_app, github, repo, deliver, pull):
    repo.contents[(BASE, CONFIG)] = GOOD
    repo.pull_files[2] = ["docs/guide/intro.txt", "src/x.py"]
    deliver("pull_request", pull(additions=20, deletions=5))
    assert [json.loads(r.body) for r in github.requests_to("POST", LABELS)] == [
        {"labels": ["area/docs", "size/S"]}]
    assert names(repo) == ["area/docs", "bug", "size/S"]


def test_a_push_moves_the_size_label_and_drops_stale_area_labels_only(as_app, github, repo, deliver, pull):
    repo.contents[(BASE, CONFIG)] = GOOD
    repo.issues[2]["labels"] = [{"name": "bug"}, {"name": "size/XS"}, {"name": "area/model"}, {"name": "area/x"}]
    repo.pull_files[2] = ["models/llama.py", "README.md"]
    deliver("pull_request", pull())
    repo.pull_files[2] = ["src/only.py"]
    deliver("pull_request", pull("synchronize", additions=700, deletions=400, head="b" * 40))
    assert names(repo) == ["area/x", "bug", "size/XXL"]
    deletes = [r.path.split("/labels/", 1)[1] for r in github.requests_to("DELETE", LABELS)]
    assert deletes == ["area/docs", "area/model", "size/XS"]  # the fake's server decodes %2F


def test_labels_off_without_the_section(as_app, github, repo, deliver, pull):
    repo.contents[(BASE, CONFIG)] = b"dco:\n"
    deliver("pull_request", pull(additions=2000))
    assert github.requests_to("POST", LABELS) == [] and github.requests_to("GET", LABELS) == []


@pytest.mark.parametrize(("changes", "size"), [(0, "XS"), (9, "XS"), (10, "S"), (29, "S"), (30, "M"), (99, "M"),
                                               (100, "L"), (499, "L"), (500, "XL"), (999, "XL"), (1000, "XXL")])
def test_prow_size_thresholds(changes, size):
    assert labels.size_label(changes) == f"size/{size}"


@pytest.mark.parametrize(("pattern", "path", "hit"), [
    ("docs/**", "docs/a/b.md", True), ("docs/**", "docsx/a", False), ("**/*.md", "README.md", True),
    ("**/*.md", "a/b/c.md", True), ("*.md", "a/b.md", False), ("models/*.py", "models/a/b.py", False),
    ("eval/?.yaml", "eval/a.yaml", True)])
def test_globs(pattern, path, hit):
    assert labels.matches(pattern, path) is hit


# --- DCO ------------------------------------------------------------------------------------------------------
def dco_config(repo, text: bytes = b"dco:\n") -> None:
    repo.contents[(BASE, CONFIG)] = text


def test_signed_off_commits_pass(as_app, github, repo, deliver, pull):
    dco_config(repo)
    add_commit(github, repo, 2, "a" * 40, "Fix it\n\nSigned-off-by: MONA LISA <other@example.com>")
    add_commit(github, repo, 2, "c" * 40, "Merge branch 'main'", parents=2)  # merges are not checked
    deliver("pull_request", pull())
    [run] = check_runs(github)
    assert (run["name"], run["head_sha"], run["conclusion"]) == ("DCO", HEAD, "success")
    assert run["output"]["title"] == "All commits signed off (1 checked)"


def test_missing_and_mismatched_signoffs_fail_with_the_fix(as_app, github, repo, deliver, pull):
    dco_config(repo)
    add_commit(github, repo, 2, "a" * 40, "Good\n\nSigned-off-by: Someone Else <mona@EXAMPLE.com>")
    add_commit(github, repo, 2, "d" * 40, "Add the model card")
    add_commit(github, repo, 2, "e" * 40, "Tweak\n\nSigned-off-by: Eve <eve@example.com>")
    deliver("pull_request", pull())
    [run] = check_runs(github)
    assert (run["name"], run["conclusion"]) == ("DCO", "failure")
    assert run["output"]["title"] == "2 commits not signed off"
    text = run["output"]["summary"]
    assert text.startswith("2 of 3 commits lack a `Signed-off-by` line matching the commit's author.")
    assert (f"| `{'d' * 12}` | Add the model card | Mona Lisa &lt;mona@example.com&gt; | no 'Signed-off-by' "
            "line |") in text
    assert (f"| `{'e' * 12}` | Tweak | Mona Lisa &lt;mona@example.com&gt; | signed off by Eve &lt;eve@example.com&gt;, "
            "which matches neither the author's name nor e-mail |") in text
    assert "a" * 12 not in text
    assert "git commit --amend --no-edit -s\ngit push --force-with-lease" in text
    assert "git rebase --signoff origin/master\ngit push --force-with-lease" in text


def test_bots_are_exempt_and_maintainers_when_configured(as_app, github, repo, deliver, pull):
    dco_config(repo, b"dco:\n  exempt_maintainers: true\n")
    add_commit(github, repo, 2, "a" * 40, "Bump", user={"login": "dependabot[bot]", "id": 49699333, "type": "Bot"})
    add_commit(github, repo, 2, "b" * 40, "Mine", user={"login": "maint", "id": 7000001, "type": "User"})
    deliver("pull_request", pull(user={"login": "maint", "id": 7000001, "type": "User"}, association="MEMBER"))
    [run] = check_runs(github)
    assert run["conclusion"] == "success" and run["output"]["title"] == "All commits signed off (0 checked)"


def test_the_same_commits_fail_without_the_exemptions():
    commits = [{"sha": "a" * 40, "parents": [{}], "author": {"login": "maint", "type": "User"},
                "commit": {"message": "x", "author": {"name": "M", "email": "m@x"}}}]
    checked, bad = dco.offences(commits, dco.DcoConfig(), "maint", "MEMBER")
    assert checked == 1 and [o.reason for o in bad] == ["no `Signed-off-by` line"]
    assert dco.offences(commits, dco.DcoConfig(exempt_users=("MAINT",)), "x", "NONE") == (0, [])


def test_the_readme_example_is_a_valid_config():
    from pathlib import Path

    readme = (Path(__file__).parents[1] / "README.md").read_text()
    section = readme[readme.index("## Pull-request automation"):]
    example = section[section.index("```yaml\n# .github/steward.yml") + len("```yaml\n"):]
    config = repo_config.parse(example[:example.index("```")])
    assert isinstance(config, repo_config.RepoConfig), str(config)
    assert sorted(config.sections) == ["dco", "labels", "welcome"]
    assert config.get(labels.LabelsConfig).paths["area/docs"] == ("docs/**", "**/*.md")
