"""What issues, pull requests and discussions share: item columns, people on them, triage credit."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.handlers import items
from bot.handlers import router as all_handlers
from bot.models import Contribution, Person
from bot.routing import Event
from tests.handlers.conftest import MAINTAINER, at, changed

RECEIVED = datetime(2030, 1, 1, tzinfo=UTC)


@pytest.fixture
def uow(runtime):
    """A session whose writes are rolled back at the end."""
    with runtime.factory() as session:
        yield session
        session.rollback()


def dispatch(uow, name: str, payload: dict) -> list[tuple[str, int, datetime, str]]:
    """Run the real router on one payload; the triage contributions it wrote, with their keys."""
    all_handlers.dispatch(uow, Event(name, payload.get("action"), payload, "delivery", RECEIVED))
    uow.flush()
    rows = uow.scalars(select(Contribution).where(Contribution.kind == "triage")).all()
    return sorted((c.kind, c.person_id, c.occurred_at, c.key) for c in rows)


def test_item_values_maps_columns_people_labels_and_assignees(uow, corpus):
    payload = corpus("issues", "opened")
    issue = changed(payload["issue"], assignees=[MAINTAINER, payload["issue"]["user"], None],
                    labels=[{"name": "zeta"}, {"name": "alpha"}])
    event = Event("issues", "opened", payload, "delivery", RECEIVED)
    values = items.item_values(uow, event, issue, RECEIVED)
    assert values["id"] == 444500041 and values["number"] == 1 and values["repository_id"] == 186853002
    assert values["author_id"] == 21031067 and values["labels"] == ["alpha", "zeta"]
    assert values["assignees"] == sorted([MAINTAINER["id"], 21031067])
    assert values["created_at"] == at("2019-05-15T15:20:18Z")
    assert uow.get(Person, MAINTAINER["id"]).login == "maint"


def test_item_values_leaves_out_what_the_object_lacks(uow, corpus):
    payload = corpus("issues", "opened")
    issue = {key: value for key, value in payload["issue"].items() if key not in {"labels", "assignees", "title"}}
    values = items.item_values(uow, Event("issues", "opened", payload, "d", RECEIVED), issue, RECEIVED)
    assert "labels" not in values and "assignees" not in values and "title" not in values


@pytest.mark.parametrize("action", sorted(items.TRIAGE_ACTIONS))
def test_every_triage_action_on_anothers_issue_is_credited(uow, corpus, action):
    payload = changed(corpus("issues", "labeled"), action=action, sender=MAINTAINER,
                      issue__closed_at="2019-05-15T15:30:00Z")
    when = at("2019-05-15T15:30:00Z") if action == "closed" else at("2019-05-15T15:20:18Z")
    [(kind, person, occurred_at, key)] = dispatch(uow, "issues", payload)
    assert (kind, person, occurred_at) == ("triage", MAINTAINER["id"], when)
    assert key.startswith(f"triage:issue:444500041:{action}:")


@pytest.mark.parametrize("action", ["opened", "edited", "unpinned", "deleted"])
def test_other_actions_are_not_triage(uow, corpus, action):
    payload = changed(corpus("issues", "labeled"), action=action, sender=MAINTAINER)
    assert dispatch(uow, "issues", payload) == []


def test_different_labels_at_the_same_moment_are_separate_acts(uow, corpus):
    labeled = changed(corpus("issues", "labeled"), sender=MAINTAINER)
    dispatch(uow, "issues", labeled)
    found = dispatch(uow, "issues", changed(labeled, label={**labeled["label"], "name": "docs"}))
    assert [key for *_, key in found] == sorted([
        "triage:issue:444500041:labeled:bug:2019-05-15T15:20:18+00:00",
        "triage:issue:444500041:labeled:docs:2019-05-15T15:20:18+00:00"])


def test_triage_without_a_sender_credits_nobody(uow, corpus):
    payload = corpus("issues", "labeled")
    del payload["sender"]
    assert dispatch(uow, "issues", payload) == []


def test_triage_on_a_pull_request_and_a_discussion(uow, corpus):
    dispatch(uow, "pull_request", changed(corpus("pull_request", "unassigned"), sender=MAINTAINER))
    found = dispatch(uow, "discussion", changed(corpus("discussion", "unlabeled"), sender=MAINTAINER))
    assert sorted(key.split(":")[1:4] for *_, key in found) == [["discussion", "3299614", "unlabeled"],
                                                          ["pr", "279147437", "unassigned"]]
