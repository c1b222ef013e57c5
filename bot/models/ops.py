"""Operations: the single clock's lease and each process's GitHub API usage (for /metrics)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base, UTCDateTime


class ClockLease(Base):
    __tablename__ = "clock_leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    owner: Mapped[str] = mapped_column(String(255))  # host:pid:token of the holder
    acquired_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class GitHubUsage(Base):
    """One process's GitHub API calls and the rate limits it last saw, flushed every few seconds by the
    process itself (``observability.flush_github_usage``) so that /metrics, served by any web process,
    can add up calls made anywhere."""

    __tablename__ = "github_api_usage"

    process: Mapped[str] = mapped_column(String(255), primary_key=True)  # host:pid:start
    calls: Mapped[dict] = mapped_column(JSON)  # {"GET 2xx": n, "POST 4xx": n, ...} since the process started
    rate_limits: Mapped[dict] = mapped_column(JSON)  # {resource: {"limit", "remaining", "reset"}}
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
