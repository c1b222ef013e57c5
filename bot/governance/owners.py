"""OWNERS files (pure): which approvers each changed file needs, Prow-style.

An ``OWNERS`` file is YAML with ``approvers: [login, …]`` (``reviewers`` and ``labels`` are accepted and
ignored). A changed file belongs to its **nearest** OWNERS file up the tree (``docs/api/x.md`` →
``docs/api/OWNERS``, else ``docs/OWNERS``, else ``OWNERS``); it is approved when one of that file's approvers,
or of an OWNERS file further up (root approvers approve everything, as in Prow), has approved. Files under no
OWNERS file need no OWNERS approval. Logins compare case-insensitively.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import yaml

NAME = "OWNERS"
KNOWN_KEYS = frozenset({"approvers", "reviewers", "labels", "options", "emeritus_approvers"})


class OwnersError(ValueError):
    """An OWNERS file that cannot be read; the message names the file."""


def parse(path: str, text: bytes | str) -> tuple[str, ...]:
    """The approvers (lower-cased, ``@`` stripped) of one OWNERS file."""
    try:
        data = yaml.safe_load(text.decode("utf-8") if isinstance(text, bytes) else text)
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise OwnersError(f"`{path}` is not valid YAML ({type(exc).__name__})") from exc
    if data is None:
        return ()
    if not isinstance(data, dict):
        raise OwnersError(f"`{path}` must be a mapping with an `approvers` list")
    unknown = sorted(str(k) for k in data if k not in KNOWN_KEYS)
    if unknown:
        raise OwnersError(f"`{path}`: unknown key `{unknown[0]}`; expected one of {', '.join(sorted(KNOWN_KEYS))}")
    approvers = data.get("approvers") or []
    if not isinstance(approvers, list) or not all(isinstance(a, str) and a.strip() for a in approvers):
        raise OwnersError(f"`{path}`: `approvers` must be a list of GitHub logins")
    return tuple(dict.fromkeys(a.strip().removeprefix("@").lower() for a in approvers))


def candidates(path: str) -> list[str]:
    """The OWNERS paths that may govern ``path``, nearest first: ``a/b/c`` → a/b/OWNERS, a/OWNERS, OWNERS."""
    parts = path.strip("/").split("/")[:-1]
    return [("/".join(parts[:i]) + "/" if i else "") + NAME for i in range(len(parts), -1, -1)]


@dataclass(frozen=True)
class Group:
    """The changed files whose nearest OWNERS file is ``owners`` (None: no OWNERS file governs them)."""

    owners: str | None
    files: tuple[str, ...]
    approvers: tuple[str, ...]  # of the nearest file: who is asked
    eligible: frozenset[str]  # the nearest file's approvers and those of every OWNERS file above it
    approved_by: tuple[str, ...]  # eligible approvers who approved

    @property
    def approved(self) -> bool:
        return self.owners is None or bool(self.approved_by)


def groups(files: Iterable[str], owners: Mapping[str, tuple[str, ...]], approved: Iterable[str]) -> list[Group]:
    """Group the changed files by their nearest OWNERS file (``owners``: every existing OWNERS path →
    approvers) and say which groups the ``approved`` logins cover. Nearest-first order of first appearance."""
    done = {a.lower() for a in approved}
    by_owner: dict[str | None, list[str]] = {}
    for path in files:
        chain = [c for c in candidates(path) if c in owners]
        by_owner.setdefault(chain[0] if chain else None, []).append(path)
    out = []
    for nearest, paths in by_owner.items():
        chain = [c for c in candidates(paths[0]) if c in owners]
        eligible = frozenset(a for c in chain for a in owners[c])
        out.append(Group(nearest, tuple(paths), owners.get(nearest, ()) if nearest else (), eligible,
                         tuple(sorted(done & eligible))))
    return sorted(out, key=lambda g: (g.owners is None, -(g.owners or "").count("/"), g.owners or ""))


def may_approve(login: str, found: list[Group]) -> bool:
    return any(login.lower() in g.eligible for g in found)
