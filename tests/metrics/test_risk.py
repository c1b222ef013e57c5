"""M12 Contributor Absence Factor and M13 Elephant Factor: METRICS.md §3's vectors, and deliveries through the
real webhook endpoint on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from bot.metrics.activity import TYPES
from bot.metrics.risk import UNAFFILIATED, absence_factor, contributor_absence_factor, elephant, elephant_factor
from tests.metrics.conftest import NOW
from tests.metrics.test_activity import scenario  # noqa: F401  (the shared fixture)


@pytest.mark.parametrize("counts, expected", [
    ([1000, 433, 343, 332, 202, 90, 42, 33], 2),  # CHAOSS worked example: total 2475, half 1237.5
    ([1000, 202, 90, 33, 332, 343, 42, 433], 2),  # the same counts unsorted
    ([5, 5], 2),  # must exceed 50%
    ([10], 1),
    ([], None),  # no data
    ([0, 0], None),
])
def test_absence_factor_vectors(counts, expected):
    assert absence_factor(counts) == expected


def test_absence_factor_ties_break_by_person_id():
    assert absence_factor({7: 3, 2: 3, 5: 1}) == 2  # 3 + 3 > 3.5 whichever id comes first
    assert absence_factor({9: 4, 1: 2, 3: 2}) == 2


def test_elephant_needs_80_percent_affiliated():
    assert elephant({"acme": 60, "initech": 25, UNAFFILIATED: 15}) == {
        "value": 1, "affiliated_share": 0.85, "n": 100, "organisations": 2, "unaffiliated": 15,
        "by_organisation": [{"organisation": "acme", "count": 60}, {"organisation": "initech", "count": 25}]}
    shown = elephant({"initech": 40, "acme": 40, UNAFFILIATED: 20})  # exactly 80%: shown
    assert (shown["value"], shown["affiliated_share"]) == (2, 0.8)
    assert [o["organisation"] for o in shown["by_organisation"]] == ["acme", "initech"]  # ties: by name
    assert elephant({"acme": 79, UNAFFILIATED: 21})["value"] is None  # unknown
    assert elephant({}) == {"value": None, "affiliated_share": None, "n": 0, "organisations": 0, "unaffiliated": 0,
                            "by_organisation": []}
    many = elephant({f"org{i:02}": 100 - i for i in range(12)})
    assert many["organisations"] == 12 and len(many["by_organisation"]) == 10  # the chart names the largest ten


def test_contributor_absence_factor(db, repo_id, scenario):  # noqa: F811
    got = contributor_absence_factor(db, repo_id, now=NOW, days=30)
    # All: MAINT 4, REGULAR 3, NEWBIE 2, OUTSIDER 1 = 10; 4 + 3 = 7 > 5 → 2. Bots (2) and the ghost never count.
    assert got["all"] == {"value": 2, "n": 10, "people": 4}
    assert got["bots"] == 2
    assert got["by_type"] == {
        "code": {"value": 1, "n": 1, "people": 1},
        "docs": {"value": None, "n": 0, "people": 0},
        "eval": {"value": None, "n": 0, "people": 0},
        "review": {"value": 1, "n": 1, "people": 1},
        "triage": {"value": None, "n": 0, "people": 0},
        "issue": {"value": 2, "n": 2, "people": 2},  # [1, 1]: one is not more than half
        "discussion": {"value": 2, "n": 6, "people": 3},  # MAINT 3 of 6 is exactly half: not enough
        "qa_answer": {"value": None, "n": 0, "people": 0},
    }
    assert set(got["by_type"]) == set(TYPES)
    # 90 days adds OUTSIDER's old issue: MAINT 4, REGULAR 3, OUTSIDER 2, NEWBIE 2 = 11; 4 + 3 = 7 > 5.5 → 2.
    assert contributor_absence_factor(db, repo_id, now=NOW, days=90)["all"] == {"value": 2, "n": 11, "people": 4}


def test_elephant_factor_is_unknown_without_affiliations(db, repo_id, scenario):  # noqa: F811
    assert elephant_factor(db, repo_id, now=NOW, days=30) == {
        "value": None, "affiliated_share": 0.0, "n": 10, "organisations": 0, "unaffiliated": 10, "by_organisation": []}
    assert elephant_factor(db, 1, now=NOW, days=30)["affiliated_share"] is None  # no contributions: no share


def test_elephant_factor_counts_each_contribution_for_its_authors_organisation_then(db, repo_id, scenario):  # noqa: F811
    from datetime import UTC, datetime

    from bot.affiliations import set_from
    from tests.metrics.conftest import MAINT, NEWBIE, REGULAR

    t = datetime(2026, 4, 27, 9, 40, tzinfo=UTC)  # between NEWBIE's issue (09:30) and his pull request (09:45)
    for person, name, since in [(MAINT, "Acme", None), (REGULAR, "ACME", None), (NEWBIE, "Initech", None),
                                (NEWBIE, "Acme", t)]:
        set_from(db, person["id"], name, since, source="maintainer", at=t)
    db.commit()
    # Acme 4 + 3 (ACME: the same name) + 1 = 8, Initech 1, OUTSIDER unaffiliated 1: 9 of 10 affiliated;
    # 8 > 4.5 → 1. Bots and the ghost are no one's.
    assert elephant_factor(db, repo_id, now=NOW, days=30) == {
        "value": 1, "affiliated_share": 0.9, "n": 10, "organisations": 2, "unaffiliated": 1,
        "by_organisation": [{"organisation": "Acme", "count": 8}, {"organisation": "Initech", "count": 1}]}
    set_from(db, NEWBIE["id"], None, t, source="self", at=t)  # no organisation from 09:40 on
    db.commit()
    assert elephant_factor(db, repo_id, now=NOW, days=30)["affiliated_share"] == 0.8  # exactly 80 %: enough
    assert elephant_factor(db, repo_id, now=NOW, days=30)["value"] == 1
    set_from(db, MAINT["id"], None, None, source="self", at=t)
    db.commit()
    assert elephant_factor(db, repo_id, now=NOW, days=30) == {  # 4 of 10: unknown
        "value": None, "affiliated_share": 0.4, "n": 10, "organisations": 2, "unaffiliated": 6,
        "by_organisation": [{"organisation": "ACME", "count": 3}, {"organisation": "Initech", "count": 1}]}
