"""``/assign``, ``/unassign``, ``/lgtm`` and ``/hold``: labels and assignees as the visible state.

* ``/assign [@user]`` assigns the commenter (or the user) through the assignees API; GitHub silently skips
  someone it cannot assign (no access to the repository), so the answer is checked and a skip is refused
  with its reason. ``/unassign`` removes the commenter.
* ``/lgtm [cancel]`` adds (removes) the ``lgtm`` label on a pull request; its author may not ``/lgtm`` it.
  A new push drops the label (``bot/handlers/governance.py`` → ``governance_push``).
* ``/hold [cancel]`` adds (removes) ``do-not-merge/hold`` on a pull request.
"""

from __future__ import annotations

from bot.command_jobs import Invocation, Refused, action

LGTM, HOLD = "lgtm", "do-not-merge/hold"


def pull_request(run: Invocation) -> dict:
    """The pull request commented on, or Refused when it is an issue."""
    pr = run.api.get_pull(run.repository, run.number) if not run.api.dry else None
    if pr is None and (run.api.dry and run.args.get("item") == "pull request"):
        return {"user": {}, "head": {}, "base": {}}  # dry: nothing to ask GitHub with
    if pr is None:
        raise Refused(f"`/{run.args['name']}` works only on pull requests.")
    return pr


def cancelled(run: Invocation) -> bool:
    return run.words == ["cancel"]


@action("assign")
def assign(run: Invocation) -> None:
    login = run.words[0] if run.words else run.login
    found = run.api.set_assignees(run.repository, run.number, [login], add=True)
    if found is not None and login.casefold() not in {f.casefold() for f in found}:
        raise Refused(f"GitHub did not assign @{login}: only people with access to this repository (or who "
                      f"commented here) can be assigned.")


@action("unassign")
def unassign(run: Invocation) -> None:
    run.api.set_assignees(run.repository, run.number, [run.login], add=False)


@action("lgtm")
def lgtm(run: Invocation) -> None:
    pr = pull_request(run)
    if cancelled(run):
        run.api.remove_label(run.repository, run.number, LGTM)
        return
    if (pr.get("user") or {}).get("login", "").casefold() == run.login.casefold():
        raise Refused("you cannot `/lgtm` your own pull request; a reviewer has to.")
    run.api.add_labels(run.repository, run.number, [LGTM])


@action("hold")
def hold(run: Invocation) -> None:
    pull_request(run)
    if cancelled(run):
        run.api.remove_label(run.repository, run.number, HOLD)
    else:
        run.api.add_labels(run.repository, run.number, [HOLD])
