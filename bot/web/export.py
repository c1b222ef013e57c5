"""Shared by the read APIs: the ``format`` parameter and flat CSV responses."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from flask import Response

FORMATS = ("json", "csv")


def output_format(raw: str | None) -> str | None:
    """``json`` (the default) or ``csv``; None for anything else."""
    if raw is None:
        return "json"
    return raw if raw in FORMATS else None


def flatten(value, prefix: str = "") -> Iterable[tuple[str, object]]:
    """(dotted key, scalar) pairs of a nested dict/list: ``{"a": {"b": [1]}}`` -> ``("a.b.0", 1)``."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from flatten(item, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from flatten(item, f"{prefix}.{i}" if prefix else str(i))
    else:
        yield prefix, value


def _cell(value) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value  # never a formula when the file is opened in a spreadsheet
    return value


def csv_response(header: Sequence[str], rows: Iterable[Sequence[object]], filename: str) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return Response(buffer.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
