"""`qa-archive/1` in: one document per `.json` file, one per line in `.ndjson`."""

from __future__ import annotations

import json
from collections.abc import Iterator

from archive.importers.base import RawDocument
from archive.interchange import DocumentError

# Python's json gives up on arrays or objects nested about a thousand deep with RecursionError.
TOO_DEEP = "invalid JSON: arrays or objects nested too deeply"


def parse_json(text: str, source: str) -> Iterator[RawDocument]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        yield RawDocument(
            source, error=DocumentError(f"invalid JSON: {exc.msg} (column {exc.colno})", line=exc.lineno)
        )
        return
    except RecursionError:
        yield RawDocument(source, error=DocumentError(TOO_DEEP))
        return
    yield RawDocument(source, data=data)


def parse_ndjson(text: str, source: str) -> Iterator[RawDocument]:
    # Lines end at "\n" only: str.splitlines() also splits at U+2028, U+0085 and others, which
    # json.dumps(ensure_ascii=False) leaves raw inside strings (a turn's text may hold them).
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            error = DocumentError(f"invalid JSON: {exc.msg} (column {exc.colno})")
            yield RawDocument(source, line=number, error=error)
            continue
        except RecursionError:
            yield RawDocument(source, line=number, error=DocumentError(TOO_DEEP))
            continue
        yield RawDocument(source, line=number, data=data)
