"""`qa-archive/1` in: one document per `.json` file, one per line in `.ndjson`."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path

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
    return parse_ndjson_lines(text.split("\n"), source)


def read_ndjson(path: Path) -> Iterator[RawDocument]:
    """A file's documents, read a line at a time: memory holds one document, whatever the size.

    A line that is not UTF-8 is rejected alone (with its number); the others still import.
    """
    with path.open("rb") as handle:
        yield from parse_ndjson_lines(handle, str(path))


def parse_ndjson_lines(lines: Iterable[str | bytes], source: str) -> Iterator[RawDocument]:
    # Lines end at "\n" only: U+2028 and friends may stand raw inside a JSON string.
    for number, line in enumerate(lines, start=1):
        if isinstance(line, bytes):
            try:
                line = line.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                message = f"is not valid UTF-8 (byte {exc.start} of the line cannot be decoded)"
                yield RawDocument(source, line=number, error=DocumentError(message))
                continue
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
