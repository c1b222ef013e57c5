"""A repository at one commit in a temporary directory, from GitHub's tarball, deleted afterwards; never chdir.

The archive comes from a pull request, so extraction trusts nothing in it (``safe_extract``): every member
must lie under the archive's one top folder (GitHub's ``owner-repo-<sha>/``), absolute paths and ``..`` are
refused, links may not point outside the tree (tarfile's ``data`` filter: no devices, no set-uid bits
either), and the total unpacked size and member count are capped. The top folder is stripped, so the
checkout's root is the repository's root.
"""

from __future__ import annotations

import contextlib
import logging
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

log = logging.getLogger(__name__)
MAX_ARCHIVE_BYTES = 2 * 1024**3  # compressed, as downloaded
MAX_UNPACKED_BYTES = 8 * 1024**3
MAX_MEMBERS = 100_000


class CheckoutError(ValueError):
    """An archive Steward will not unpack; ``str()`` says why in one line."""


def safe_extract(archive: str | Path, dest: str | Path, *, max_bytes: int = MAX_UNPACKED_BYTES,
                 max_members: int = MAX_MEMBERS) -> Path:
    """Unpack a gzip tar into ``dest`` without its single top folder; returns ``dest``."""
    dest = Path(dest)
    try:
        with tarfile.open(archive, "r:gz") as tar:
            members, top = _checked(tar, max_bytes, max_members)
            for member in members:
                relative = PurePosixPath(member.name).relative_to(top)
                if not relative.parts:
                    continue  # the top folder itself
                member.name = relative.as_posix()
                if member.islnk():  # hard links name their target by archive path: strip the top folder too
                    member.linkname = PurePosixPath(member.linkname).relative_to(top).as_posix()
                tar.extract(member, dest, filter="data")
    except (tarfile.TarError, OSError, ValueError) as exc:
        if isinstance(exc, CheckoutError):
            raise
        raise CheckoutError(f"the repository archive could not be unpacked safely: {exc}") from None
    return dest


def _checked(tar: tarfile.TarFile, max_bytes: int, max_members: int) -> tuple[list[tarfile.TarInfo], str]:
    members, total, top = [], 0, None
    for member in tar:
        if len(members) >= max_members:
            raise CheckoutError(f"the archive has more than {max_members:,} entries")
        path = PurePosixPath(member.name)
        if member.name.startswith("/") or ".." in path.parts or not path.parts:
            raise CheckoutError(f"unsafe path in the archive: {member.name[:200]!r}")
        if member.type == tarfile.XGLTYPE or member.name == "pax_global_header":
            continue  # git archive's global header (the commit id): not a file
        top = top or path.parts[0]
        if path.parts[0] != top:
            raise CheckoutError("the archive has more than one top folder")
        if not (member.isfile() or member.isdir() or member.issym() or member.islnk()):
            raise CheckoutError(f"unsupported entry in the archive: {member.name[:200]!r}")
        if member.islnk():
            target = PurePosixPath(member.linkname)
            if member.linkname.startswith("/") or ".." in target.parts or not target.parts or target.parts[0] != top:
                raise CheckoutError(f"a link points outside the repository: {member.name[:200]!r}")
        total += member.size
        if total > max_bytes:
            raise CheckoutError(f"the repository unpacks to more than {max_bytes:,} bytes")
        members.append(member)
    if top is None:
        raise CheckoutError("the archive is empty")
    return members, top


@contextlib.contextmanager
def checkout(api: Any, repository: str, sha: str) -> Iterator[Path]:
    """``repository`` at ``sha`` in a fresh temporary directory (through ``api.download_tarball``), removed
    when the block ends, whatever happens in it."""
    with tempfile.TemporaryDirectory(prefix="steward-checkout-") as tmp:
        archive = api.download_tarball(repository, sha, Path(tmp), max_bytes=MAX_ARCHIVE_BYTES)
        root = Path(tmp) / "tree"
        root.mkdir()
        safe_extract(archive, root)
        archive.unlink()
        yield root
