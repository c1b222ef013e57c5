"""What one process holds: settings, the engine, the session factory, the handler router, intake."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot import inbox, jobs
from bot.db import make_engine, session_factory
from bot.inbox import NewDelivery
from bot.intake import GroupCommitter
from bot.routing import Router
from bot.settings import Settings


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    factory: sessionmaker[Session]
    router: Router
    # inline: handle each delivery in the request right after its commit (tests, replay, a bare WSGI
    # mount). Otherwise the clock process drains pending deliveries (``steward serve``).
    inline_dispatch: bool = True
    committer: GroupCommitter = field(init=False)

    def __post_init__(self) -> None:
        self.committer = GroupCommitter(self.engine, self.settings.ingest_batch)

    @classmethod
    def build(cls, settings: Settings, *, inline_dispatch: bool = True, engine: Engine | None = None) -> Runtime:
        from bot.handlers import router

        jobs.load()  # every job kind registered, whatever this process handles
        engine = engine or make_engine(settings.database_url)
        return cls(settings, engine, session_factory(engine), router, inline_dispatch)

    def receive(self, item: NewDelivery) -> int | None:
        """Store a delivery (and handle it now when inline); its row id, or None for a duplicate."""
        pk = self.committer.submit(item)
        if pk is not None and self.inline_dispatch:
            inbox.dispatch(self.factory, self.router, pk)
            jobs.run_due(self)  # whatever the handlers enqueued, at once
        return pk

    def close(self) -> None:
        self.committer.close()
        self.engine.dispose()
