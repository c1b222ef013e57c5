"""OWNERS files (pure): parsing, nearest-file resolution, coverage and the approvals status comment."""

from __future__ import annotations

import pytest

from bot.governance import owners
from bot.governance.approve import status_body
from bot.governance.owners import OwnersError, candidates, groups, may_approve, parse

TREE = {"OWNERS": ("root",), "docs/OWNERS": ("alice", "bob"), "docs/api/OWNERS": ("carol",)}


def test_candidates_are_nearest_first_up_to_the_root():
    assert candidates("docs/api/x.md") == ["docs/api/OWNERS", "docs/OWNERS", "OWNERS"]
    assert candidates("README.md") == ["OWNERS"]
    assert candidates("/a/b") == ["a/OWNERS", "OWNERS"]


def test_parse_reads_approvers_lower_cased_without_at_and_duplicates():
    text = b"approvers:\n  - Alice\n  - '@bob'\n  - alice\nreviewers: [dave]\noptions: {}\n"
    assert parse("docs/OWNERS", text) == ("alice", "bob")
    assert parse("OWNERS", "") == ()
    assert parse("OWNERS", "reviewers: [x]") == ()


@pytest.mark.parametrize(("text", "message"), [
    ("approvers: [a, [b]]", "`x/OWNERS`: `approvers` must be a list of GitHub logins"),
    ("approvers: alice", "`x/OWNERS`: `approvers` must be a list of GitHub logins"),
    ("- alice", "`x/OWNERS` must be a mapping with an `approvers` list"),
    ("approvers: [a]\napprover: [b]", "`x/OWNERS`: unknown key `approver`"),
    ("approvers: [a\n", "`x/OWNERS` is not valid YAML (ParserError)"),
    (b"\xff\xfe", "`x/OWNERS` is not valid YAML (UnicodeDecodeError)"),
])
def test_parse_rejects_bad_files_naming_the_file(text, message):
    with pytest.raises(OwnersError) as caught:
        parse("x/OWNERS", text)
    assert str(caught.value).startswith(message)


def test_each_file_belongs_to_its_nearest_owners_file():
    found = groups(["docs/api/ref.md", "docs/guide.md", "src/main.py", "docs/api/v2/x.md"], TREE, [])
    assert [(g.owners, g.files, g.approvers) for g in found] == [
        ("docs/api/OWNERS", ("docs/api/ref.md", "docs/api/v2/x.md"), ("carol",)),
        ("docs/OWNERS", ("docs/guide.md",), ("alice", "bob")),
        ("OWNERS", ("src/main.py",), ("root",)),
    ]
    assert not any(g.approved for g in found)


def test_an_approver_higher_up_covers_the_files_below_but_not_the_other_way():
    found = {g.owners: g for g in groups(["docs/api/ref.md", "docs/guide.md", "src/main.py"], TREE, ["Alice"])}
    assert found["docs/api/OWNERS"].approved_by == ("alice",)  # docs/OWNERS is above docs/api/OWNERS
    assert found["docs/OWNERS"].approved
    assert not found["OWNERS"].approved  # alice is not a root approver
    root = groups(["docs/api/ref.md", "src/main.py"], TREE, ["root"])
    assert all(g.approved for g in root)
    carol = {g.owners: g.approved for g in groups(["docs/api/ref.md", "docs/guide.md"], TREE, ["carol"])}
    assert carol == {"docs/api/OWNERS": True, "docs/OWNERS": False}


def test_files_under_no_owners_file_need_no_approval():
    found = groups(["docs/guide.md", "tools/x.sh"], {"docs/OWNERS": ("alice",)}, [])
    assert [(g.owners, g.approved) for g in found] == [("docs/OWNERS", False), (None, True)]


def test_may_approve_only_eligible_people():
    found = groups(["docs/guide.md"], TREE, [])
    assert may_approve("BOB", found) and may_approve("root", found)
    assert not may_approve("carol", found) and not may_approve("mallory", found)


def test_status_body_lists_what_is_missing_and_by_whom():
    found = groups(["docs/api/ref.md", "docs/guide.md", "src/main.py", "tools/x"],
                   {**TREE, "OWNERS": ("root",)}, ["carol"])
    body = status_body(found, "a" * 40)
    assert body.splitlines()[0] == "**Not approved yet**: 1 of 3 OWNERS files approved for head `aaaaaaaaaaaa`."
    assert "| `docs/api/OWNERS` | 1 | approved by @carol |" in body
    assert "| `docs/OWNERS` | 1 | needs one of @alice, @bob |" in body
    assert "| `OWNERS` | 2 | needs one of @root |" in body
    assert "Still missing for `OWNERS`: `src/main.py`, `tools/x`." in body
    done = status_body(groups(["x"], {"OWNERS": ("root",)}, ["root"]), "b" * 40)
    assert done.startswith("**Approved**: 1 of 1 OWNERS files approved") and "Still missing" not in done


def test_status_body_caps_the_listed_files():
    files = [f"f{i}" for i in range(25)]
    body = status_body(groups(files, {"OWNERS": ()}, []), "c" * 40)
    assert "needs one of nobody (the OWNERS file lists no approvers)" in body
    assert "`f19` and 5 more." in body and "`f20`" not in body
    assert owners.NAME == "OWNERS"
