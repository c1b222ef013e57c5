"""``/approve [cancel]``: OWNERS approval, bound to the pull request's head SHA, shown in ONE status comment.

The OWNERS files are read at the pull request's **base** SHA (the head is untrusted). Each approval is a
``PullApproval`` row for one head SHA; a new push deletes the rows (``bot/handlers/governance.py``) and
``governance_push`` drops the ``approved`` label, so approvals never carry over to code nobody approved
(Prow keeps them across pushes; issue 6 asks for no sticky approvals). The status comment (marker
``approvals``) lists each OWNERS file, its changed files and who may still approve them; when every file is
covered the ``approved`` label is applied.
"""

from __future__ import annotations

from sqlalchemy import delete, select

from bot.command_jobs import Invocation, Refused, action
from bot.db import insert_for, now, transaction
from bot.governance import owners as owners_mod
from bot.governance.actions import cancelled, pull_request
from bot.models import PullApproval

MARKER, LABEL = "approvals", "approved"
MAX_FILES_SHOWN = 20


def read_owners(api, repo: str, files: list[str], base_sha: str) -> dict[str, tuple[str, ...]]:
    """Every OWNERS file that governs a changed file, read at ``base_sha`` (one request per directory)."""
    found: dict[str, tuple[str, ...]] = {}
    for path in dict.fromkeys(c for f in files for c in owners_mod.candidates(f)):
        data = api.get_file(repo, path, base_sha)
        if data is not None:
            try:
                found[path] = owners_mod.parse(path, data)
            except owners_mod.OwnersError as exc:
                raise Refused(f"{exc}; fix it on the base branch and comment `/approve` again.") from exc
    return found


@action("approve")
def approve(run: Invocation) -> None:
    pr = pull_request(run)
    if run.api.dry:
        return  # nothing to read the OWNERS files with; the write would be recorded as dry anyway
    head, base = pr["head"]["sha"], pr["base"]["sha"]
    files = run.api.pull_files(run.repository, run.number, head)
    owners = read_owners(run.api, run.repository, files, base)
    if not owners:
        raise Refused("this repository has no OWNERS file on the base branch of this pull request, so there is "
                      "nobody to approve for; add an OWNERS file with `approvers:` first.")
    login, repo_id = run.login.lower(), run.args["repository_id"]
    key = (PullApproval.repository_id == repo_id, PullApproval.number == run.number)
    with transaction(run.runtime.factory) as uow:
        if cancelled(run):
            uow.execute(delete(PullApproval).where(*key, PullApproval.login == login))
        else:
            if not owners_mod.may_approve(login, owners_mod.groups(files, owners, ())):
                raise Refused(f"@{run.login} is not an approver in any OWNERS file that governs the changed files.")
            uow.execute(insert_for(uow, PullApproval).values(
                repository_id=repo_id, number=run.number, login=login, head_sha=head, created_at=now(),
            ).on_conflict_do_update(index_elements=["repository_id", "number", "login"],
                                    set_={"head_sha": head, "created_at": now()}))
        approved = list(uow.scalars(select(PullApproval.login).where(*key, PullApproval.head_sha == head)))
    found = owners_mod.groups(files, owners, approved)
    run.api.upsert_comment(run.repository, run.number, MARKER, status_body(found, head))
    has_label = any(label.get("name") == LABEL for label in pr.get("labels") or [])
    if all(g.approved for g in found) and not has_label:
        run.api.add_labels(run.repository, run.number, [LABEL])
    elif not all(g.approved for g in found) and has_label:
        run.api.remove_label(run.repository, run.number, LABEL)


def _people(logins) -> str:
    return ", ".join(f"@{login}" for login in logins) or "nobody (the OWNERS file lists no approvers)"


def status_body(found: list[owners_mod.Group], head: str) -> str:
    """The status comment (pure): one row per OWNERS file, missing files listed with who may approve them."""
    governed = [g for g in found if g.owners is not None]
    done = sum(g.approved for g in governed)
    state = "**Approved**" if done == len(governed) else "**Not approved yet**"
    lines = [f"{state}: {done} of {len(governed)} OWNERS files approved for head `{head[:12]}`.", "",
             "| OWNERS | Changed files | Status |", "| --- | --- | --- |"]
    for g in governed:
        status = f"approved by {_people(g.approved_by)}" if g.approved else f"needs one of {_people(g.approvers)}"
        lines.append(f"| `{g.owners}` | {len(g.files)} | {status} |")
    for g in governed:
        if not g.approved:
            shown = ", ".join(f"`{f}`" for f in g.files[:MAX_FILES_SHOWN])
            more = f" and {len(g.files) - MAX_FILES_SHOWN} more" if len(g.files) > MAX_FILES_SHOWN else ""
            lines += ["", f"Still missing for `{g.owners}`: {shown}{more}."]
    free = sum(len(g.files) for g in found if g.owners is None)
    if free:
        lines += ["", f"{free} changed file(s) are under no OWNERS file and need no OWNERS approval."]
    lines += ["", "An approver comments `/approve` (or `/approve cancel`). Approvals hold for this head commit "
              "only: a new push drops them."]
    return "\n".join(lines)


def dropped_body(head: str) -> str:
    return (f"**Not approved**: a new push (head `{head[:12]}`) dropped the earlier approvals. An approver "
            "comments `/approve` again after reviewing the new commits.")
