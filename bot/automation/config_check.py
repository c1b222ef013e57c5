"""The "Steward config" check runs, and the one way automation jobs read the configuration they act on.

* ``config_check`` (job, per PR head): when a pull request changes ``.github/steward.yml``, the HEAD version of
  the file is parsed — only parsed, never acted on — and a check run "Steward config" says whether it is valid:
  success with the sections it turns on, or failure with ``ConfigError.markdown()`` (each wrong key, and what
  was expected).
* ``base_config`` (the reusable function): every automation job reads the configuration of the *base* (the PR's
  base commit, or the default branch's head for issues and discussions). When that file is invalid the job does
  nothing, and a failing check run "Steward config (base)" on the PR head (or on the default branch's head
  commit) says why: enqueued as the ``config_error`` job, deduplicated per (configuration commit, reported
  commit), so the labels, DCO and welcome jobs of one push report it once.
"""

from __future__ import annotations

import logging
from typing import Any

from bot import gh, jobs, repo_config
from bot.db import transaction
from bot.repo_config import CONFIG_PATH, ConfigError, RepoConfig

log = logging.getLogger(__name__)
CHECK_NAME = "Steward config"
BASE_CHECK_NAME = "Steward config (base)"


def api_for(runtime: Any, args: dict[str, Any]) -> gh.InstallationAPI | None:
    """The installation's API for a job's repository, or None (logged) when Steward cannot read GitHub."""
    api = gh.installation_api(runtime, args.get("installation_id"), repository_id=args["repository_id"])
    if api.dry or api.installation_id is None:
        log.info("%s: no GitHub App installation to read %s with; skipped", args.get("kind", "automation"),
                 args["repository"])
        return None
    return api


def base_config(runtime: Any, api: gh.InstallationAPI, args: dict[str, Any], sha: str,
                report_sha: str | None = None) -> RepoConfig | None:
    """The configuration at ``sha`` (never a PR head), or None when it is invalid: then a failing check run on
    ``report_sha`` (default ``sha``) names each problem, once per (sha, report_sha)."""
    result = repo_config.fetch(runtime, args["repository"], sha, installation_id=api.installation_id,
                               repository_id=args["repository_id"])
    if isinstance(result, ConfigError):
        report_sha = report_sha or sha
        with transaction(runtime.factory) as uow:
            jobs.enqueue(uow, "config_error", {
                "repository": args["repository"], "repository_id": args["repository_id"],
                "installation_id": api.installation_id, "sha": sha, "report_sha": report_sha,
                "ref": args.get("base_ref")}, key=f"{args['repository_id']}:{sha}:{report_sha}")
        return None
    return result


def default_branch_sha(api: gh.InstallationAPI, args: dict[str, Any]) -> str | None:
    return api.branch_sha(args["repository"], args.get("default_branch") or "main")


@jobs.kind("config_error")
def config_error(runtime: Any, args: dict[str, Any]) -> None:
    api = api_for(runtime, args)
    if api is None:
        return
    result = repo_config.fetch(runtime, args["repository"], args["sha"], installation_id=api.installation_id,
                               repository_id=args["repository_id"])
    if not isinstance(result, ConfigError):
        return  # nothing to report (a transient read that has since succeeded)
    where = f"on `{args['ref']}`" if args.get("ref") else f"at `{args['sha'][:12]}`"
    count = len(result.problems)
    summary = (f"Steward acts on the configuration of the base branch, and `{CONFIG_PATH}` {where} is invalid, "
               "so Steward's pull-request automation (labels, DCO, welcomes) is off until it is fixed.\n\n"
               + result.markdown(sha=args["sha"]))
    api.create_check_run(args["repository"], args["report_sha"], BASE_CHECK_NAME, status="completed",
                         conclusion="failure",
                         output={"title": f"{count} problem{'s' if count != 1 else ''} in {CONFIG_PATH}",
                                 "summary": summary})


def enabled_summary(config: RepoConfig) -> str:
    """A short Markdown summary of what a valid file turns on."""
    keys = sorted(config.sections)
    if not keys:
        return (f"`{CONFIG_PATH}` is valid and turns no feature on (a section present turns its feature on).\n")
    known = sorted(set(repo_config.sections()) - set(keys))
    lines = [f"`{CONFIG_PATH}` is valid. Enabled: " + ", ".join(f"`{k}`" for k in keys) + "."]
    if known:
        lines.append("Off (no section): " + ", ".join(f"`{k}`" for k in known) + ".")
    lines.append("\nSteward acts on it once it is on the base branch; a pull request's own copy is only checked.")
    return "\n".join(lines) + "\n"


def check_output(result: RepoConfig | ConfigError, head_sha: str) -> tuple[str, dict[str, str]]:
    """(conclusion, output) of the "Steward config" check run for the head's file."""
    if isinstance(result, ConfigError):
        count = len(result.problems)
        return "failure", {"title": f"{count} problem{'s' if count != 1 else ''} in {CONFIG_PATH}",
                           "summary": result.markdown(sha=head_sha)}
    on = len(result.sections)
    return "success", {"title": f"Valid: {on} section{'s' if on != 1 else ''} enabled",
                       "summary": enabled_summary(result)}


@jobs.kind("config_check")
def config_check(runtime: Any, args: dict[str, Any]) -> None:
    api = api_for(runtime, args)
    if api is None:
        return
    repo, head = args["repository"], args["head_sha"]
    if CONFIG_PATH not in api.pull_files(repo, args["number"], head):
        return
    result = repo_config.parse(api.get_file(repo, CONFIG_PATH, head))  # parsed only: never acted on
    conclusion, output = check_output(result, head)
    api.create_check_run(repo, head, CHECK_NAME, status="completed", conclusion=conclusion, output=output)
