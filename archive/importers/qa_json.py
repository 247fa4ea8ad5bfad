"""`qa-archive/1` in: one document per `.json` file, one per line in `.ndjson`."""

from __future__ import annotations

import json
from collections.abc import Iterator

from archive.importers.base import RawDocument
from archive.interchange import DocumentError


def parse_json(text: str, source: str) -> Iterator[RawDocument]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        yield RawDocument(
            source, error=DocumentError(f"invalid JSON: {exc.msg} (column {exc.colno})", line=exc.lineno)
        )
        return
    yield RawDocument(source, data=data)


def parse_ndjson(text: str, source: str) -> Iterator[RawDocument]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            error = DocumentError(f"invalid JSON: {exc.msg} (column {exc.colno})")
            yield RawDocument(source, line=number, error=error)
            continue
        yield RawDocument(source, line=number, data=data)
