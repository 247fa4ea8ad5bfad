"""What an importer yields: decoded documents (or the error that stopped one), with their place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from archive.interchange import DocumentError


@dataclass
class RawDocument:
    """One document read from a file, before validation.

    `data` is a `qa-archive/1` dict; when the file could not be read or parsed into
    one, `error` says why and `data` is None.
    """

    source: str
    line: int | None = None
    data: Any = None
    error: DocumentError | None = None

    @property
    def where(self) -> str:
        return f"{self.source}, line {self.line}" if self.line is not None else self.source


def decode_text(content: bytes, source: str) -> str:
    """UTF-8 (with or without BOM), or a DocumentError naming the line of the bad byte."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        raise DocumentError(
            f"is not valid UTF-8 (byte {exc.start} cannot be decoded)", source=source, line=line
        ) from None
    # A NUL byte is no text (PostgreSQL cannot store it): a binary file, or UTF-16 without its BOM.
    if (offset := content.find(b"\x00")) >= 0:
        line = content[:offset].count(b"\n") + 1
        raise DocumentError(f"contains a NUL byte (byte {offset}): not a text file", source=source, line=line)
    return text
