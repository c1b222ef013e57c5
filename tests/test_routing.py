"""bot/routing.py: (event, action) routing, event-wide handlers, composition and dispatch."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.handlers import router as all_handlers
from bot.handlers.context import SUBSCRIBED
from bot.routing import Event, Router


def event(name: str, action: str | None = None) -> Event:
    return Event(name, action, {"action": action}, "delivery", datetime(2024, 1, 1, tzinfo=UTC))


def recorder(calls: list, label: str):
    def handler(uow, ev: Event) -> None:
        calls.append((label, uow, ev.name, ev.action))

    return handler


def test_action_handler_runs_only_for_its_action():
    calls: list = []
    router = Router()
    router.register("issues", "opened")(recorder(calls, "opened"))
    assert router.dispatch("uow", event("issues", "opened")) is True
    assert router.dispatch("uow", event("issues", "closed")) is False
    assert router.dispatch("uow", event("pull_request", "opened")) is False
    assert calls == [("opened", "uow", "issues", "opened")]


def test_event_wide_handler_runs_for_every_action_and_first():
    calls: list = []
    router = Router()
    router.register("issues", "opened")(recorder(calls, "opened"))
    router.register("issues")(recorder(calls, "any"))
    router.dispatch("uow", event("issues", "opened"))
    router.dispatch("uow", event("issues", "closed"))
    router.dispatch("uow", event("issues"))
    assert [c[0] for c in calls] == ["any", "opened", "any", "any"]


def test_stacked_registrations_and_registration_order():
    calls: list = []
    router = Router()
    first = recorder(calls, "first")
    router.register("create")(router.register("delete")(first))
    router.register("create")(recorder(calls, "second"))
    router.dispatch("uow", event("create"))
    router.dispatch("uow", event("delete"))
    assert [(c[0], c[2]) for c in calls] == [("first", "create"), ("second", "create"), ("first", "delete")]


def test_register_returns_the_function_unchanged():
    router = Router()

    def handler(uow, ev):
        return None

    assert router.register("ping")(handler) is handler


def test_composed_routers_keep_the_order_of_the_list():
    calls: list = []
    a, b = Router(), Router()
    a.register("push")(recorder(calls, "a"))
    b.register("push")(recorder(calls, "b"))
    b.register("star", "created")(recorder(calls, "b-star"))
    composed = Router(b, a)
    composed.dispatch("uow", event("push"))
    composed.dispatch("uow", event("star", "created"))
    assert [c[0] for c in calls] == ["b", "a", "b-star"]
    assert composed.routes() == {("push", None), ("star", "created")}
    assert a.routes() == {("push", None)}  # composing copies, it does not share lists


def test_handler_exceptions_propagate():
    router = Router()

    @router.register("ping")
    def boom(uow, ev):
        raise RuntimeError("handler bug")

    with pytest.raises(RuntimeError, match="handler bug"):
        router.dispatch("uow", event("ping"))


def test_the_enabled_handler_list_routes_every_subscribed_event_and_nothing_else():
    routed = {name for name, _ in all_handlers.routes()}
    assert routed == set(SUBSCRIBED)
    for name in SUBSCRIBED:
        assert all_handlers.handlers_for(name, "some-action"), name
    assert all_handlers.handlers_for("deployment_status", "created") == []
