"""The database side of GitHub writes: the OutboundWrite log, marked comments, and GitHub's size limits.

``bot/gh.py`` sends; this module records what was sent (or, running dry, what would have been) and keeps
the one comment per (repository, issue, marker) that Steward edits in place. Pure text helpers cap
bodies below GitHub's limits with a visible note instead of a 422.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.db import insert_for, now, transaction
from bot.models import MarkedComment, OutboundWrite

COMMENT_LIMIT = 65_536  # GitHub: "Body is too long (maximum is 65536 characters)"
COMMENT_MAX = 65_000  # what we send at most: below the limit, with room for newline normalisation
CHECK_TEXT_MAX = 65_535  # check-run output summary and text
ANNOTATIONS_PER_REQUEST = 50
DRY_RUN, SENT, FAILED = "dry_run", "sent", "failed"


def marker_tag(marker: str) -> str:
    return f"<!-- steward:{marker} -->"


def cap(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, ending with a note saying how much was cut."""
    if len(text) <= limit:
        return text
    note = "\n\n---\n*Cut to fit GitHub's size limit: {:,} characters omitted.*"
    keep = limit - len(note.format(len(text)))
    return text[:keep] + note.format(len(text) - keep)


def comment_body(marker: str, body: str) -> str:
    """The body with its hidden marker first, capped below GitHub's comment limit."""
    tag = marker_tag(marker)
    return cap(body if body.startswith(tag) else f"{tag}\n{body}", COMMENT_MAX)


def wire(value: Any) -> Any:
    """Datetimes as GitHub's ``YYYY-MM-DDTHH:MM:SSZ``, recursively; everything else unchanged."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, dict):
        return {k: wire(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [wire(v) for v in value]
    return value


def check_run_fields(fields: dict[str, Any]) -> tuple[dict[str, Any], list[list[dict]]]:
    """Check-run fields ready to send, plus annotation batches beyond the first 50 (sent as updates)."""
    fields = wire(dict(fields))
    output = fields.get("output")
    batches: list[list[dict]] = []
    if isinstance(output, dict):
        output = dict(output)
        for key in ("summary", "text"):
            if isinstance(output.get(key), str):
                output[key] = cap(output[key], CHECK_TEXT_MAX)
        notes = list(output.get("annotations") or [])
        if len(notes) > ANNOTATIONS_PER_REQUEST:
            output["annotations"] = notes[:ANNOTATIONS_PER_REQUEST]
            batches = [notes[i:i + ANNOTATIONS_PER_REQUEST]
                       for i in range(ANNOTATIONS_PER_REQUEST, len(notes), ANNOTATIONS_PER_REQUEST)]
        fields["output"] = output
    return fields, batches


def record(factory: sessionmaker[Session], *, installation_id: int | None, repository: str, kind: str,
           target: str, payload: dict, status: str, error: str | None = None,
           github_id: int | None = None) -> None:
    with transaction(factory) as uow:
        uow.add(OutboundWrite(installation_id=installation_id, repository=repository[:200], kind=kind,
                              target=target[:255], payload=payload, status=status,
                              error=error[:4000] if error else None, github_id=github_id, created_at=now()))


def recent_writes(factory: sessionmaker[Session], limit: int = 50) -> list[OutboundWrite]:
    """The newest writes first (the operator view)."""
    with factory() as uow:
        return list(uow.scalars(select(OutboundWrite).order_by(OutboundWrite.id.desc()).limit(limit)))


def marked_comment(factory: sessionmaker[Session], repository: str, number: int, marker: str) -> int | None:
    with factory() as uow:
        return uow.scalar(select(MarkedComment.comment_id).where(
            MarkedComment.repository == repository, MarkedComment.issue_number == number,
            MarkedComment.marker == marker))


def remember_comment(factory: sessionmaker[Session], repository: str, number: int, marker: str,
                     comment_id: int) -> None:
    with transaction(factory) as uow:
        stamp = now()
        uow.execute(insert_for(uow, MarkedComment).values(
            repository=repository, issue_number=number, marker=marker, comment_id=comment_id, updated_at=stamp,
        ).on_conflict_do_update(index_elements=["repository", "issue_number", "marker"],
                                set_={"comment_id": comment_id, "updated_at": stamp}))
