"""Checkouts from GitHub's tarball API: safe extraction of an untrusted archive, deleted afterwards."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from bot import gh
from bot.evaluation import checkout
from bot.evaluation.checkout import CheckoutError, safe_extract
from tests.evaluation import github_repo
from tests.evaluation.github_repo import REPO, SHA_BASE
from tests.fake_github.rest import tarball

as_app, repo = github_repo.as_app, github_repo.repo  # fixtures


def archive(tmp_path: Path, *members: tarfile.TarInfo | tuple[str, bytes]) -> Path:
    path = tmp_path / "a.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        for member in members:
            if isinstance(member, tuple):
                info = tarfile.TarInfo(member[0])
                info.size = len(member[1])
                tar.addfile(info, io.BytesIO(member[1]))
            else:
                tar.addfile(member)
    return path


def link(name: str, target: str, kind: bytes = tarfile.SYMTYPE) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, target
    return info


def test_extracts_without_the_top_folder(tmp_path):
    path = tmp_path / "a.tar.gz"
    path.write_bytes(tarball("o-r-abc1234", {"README.md": b"hi", "models/tiny/config.json": b"{}"}))
    root = safe_extract(path, tmp_path / "out")
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()) == [
        "README.md", "models/tiny/config.json"]
    assert (root / "README.md").read_bytes() == b"hi"


def test_links_inside_the_tree_are_kept(tmp_path):
    root = safe_extract(archive(tmp_path, ("top/a.txt", b"A"), link("top/b.txt", "a.txt"),
                                link("top/c.txt", "top/a.txt", tarfile.LNKTYPE)), tmp_path / "out")
    assert (root / "b.txt").read_bytes() == b"A" and (root / "c.txt").read_bytes() == b"A"


@pytest.mark.parametrize("members, reason", [
    ([("/etc/evil", b"x")], "unsafe path"),
    ([("top/../../evil", b"x")], "unsafe path"),
    ([("top/a", b"x"), ("other/b", b"x")], "more than one top folder"),
    ([("top/a", b"x"), link("top/escape", "../../../etc/passwd")], "could not be unpacked safely"),
    ([("top/a", b"x"), link("top/abs", "/etc/passwd")], "could not be unpacked safely"),
    ([("top/a", b"x"), link("top/hard", "/etc/passwd", tarfile.LNKTYPE)], "outside the repository"),
    ([("top/a", b"x"), link("top/hard", "top/../../x", tarfile.LNKTYPE)], "outside the repository"),
], ids=["absolute", "dotdot", "two-tops", "symlink-out", "symlink-absolute", "hardlink-absolute", "hardlink-dotdot"])
def test_unsafe_archives_are_refused(tmp_path, members, reason):
    with pytest.raises(CheckoutError, match=reason):
        safe_extract(archive(tmp_path, *members), tmp_path / "out")
    assert not (tmp_path / "evil").exists() and not Path("/etc/evil").exists()


def test_devices_and_fifos_are_refused(tmp_path):
    fifo = tarfile.TarInfo("top/fifo")
    fifo.type = tarfile.FIFOTYPE
    with pytest.raises(CheckoutError, match="unsupported entry"):
        safe_extract(archive(tmp_path, ("top/a", b"x"), fifo), tmp_path / "out")


def test_size_and_count_caps(tmp_path):
    big = archive(tmp_path, ("top/a", b"x" * 1000), ("top/b", b"y" * 1000))
    with pytest.raises(CheckoutError, match="more than 1,500 bytes"):
        safe_extract(big, tmp_path / "out1", max_bytes=1500)
    with pytest.raises(CheckoutError, match="more than 1 entries"):
        safe_extract(big, tmp_path / "out2", max_members=1)


def test_not_an_archive(tmp_path):
    path = tmp_path / "a.tar.gz"
    path.write_bytes(b"<html>not a tarball</html>")
    with pytest.raises(CheckoutError, match="could not be unpacked"):
        safe_extract(path, tmp_path / "out")


def test_checkout_downloads_the_commit_and_deletes_it_afterwards(as_app, github, repo):
    repo.trees[SHA_BASE] = {"models/tiny/config.json": b"{}", "README.md": b"base"}
    api = gh.installation_api(as_app, 1)
    with checkout.checkout(api, REPO, SHA_BASE) as root:
        assert (root / "README.md").read_bytes() == b"base"
        assert not list(root.parent.glob("*.tar.gz"))  # the archive is gone once unpacked
        kept = root.parent
    assert not kept.exists()
    [request] = github.requests_to("GET", rf"/repos/{REPO}/tarball/{SHA_BASE}")
    assert request.headers["Authorization"].startswith("token ghs_")


def test_a_missing_commit_is_a_github_error_and_leaves_nothing(as_app, github, repo, tmp_path):
    api = gh.installation_api(as_app, 1)
    with pytest.raises(gh.GitHubError, match="HTTP 404"):
        api.download_tarball(REPO, "f" * 40, tmp_path)
    assert not list(tmp_path.iterdir())


def test_the_download_is_capped(as_app, github, repo, tmp_path):
    repo.trees[SHA_BASE] = {"big.bin": bytes(range(256)) * 4096}
    api = gh.installation_api(as_app, 1)
    with pytest.raises(gh.GitHubError, match="larger than 1,000 bytes"):
        api.download_tarball(REPO, SHA_BASE, tmp_path, max_bytes=1000)
