"""A tiny synchronous router keyed on ``(event, action)``; composed routers form the handler list."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Event:
    """One webhook delivery as handlers see it."""

    name: str
    action: str | None
    payload: dict[str, Any]
    delivery_id: str
    received_at: datetime


Handler = Callable[[Session, Event], None]


class Router:
    def __init__(self, *routers: Router) -> None:
        self._handlers: dict[tuple[str, str | None], list[Handler]] = {}
        for router in routers:
            for route, handlers in router._handlers.items():
                self._handlers.setdefault(route, []).extend(handlers)

    def register(self, event: str, action: str | None = None) -> Callable[[Handler], Handler]:
        """Register for one action, or for every action of the event when ``action`` is None."""

        def decorator(func: Handler) -> Handler:
            self._handlers.setdefault((event, action), []).append(func)
            return func

        return decorator

    def handlers_for(self, event: str, action: str | None) -> list[Handler]:
        found = list(self._handlers.get((event, None), []))
        if action is not None:
            found += self._handlers.get((event, action), [])
        return found

    def routes(self) -> set[tuple[str, str | None]]:
        return set(self._handlers)

    def dispatch(self, uow: Session, event: Event) -> bool:
        """Run every matching handler; False when none matched (the delivery is then ``ignored``)."""
        handlers = self.handlers_for(event.name, event.action)
        for handler in handlers:
            handler(uow, event)
        return bool(handlers)
