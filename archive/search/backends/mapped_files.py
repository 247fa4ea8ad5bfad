"""Whoosh segment files read straight from the memory map, without a private copy.

Whoosh maps a segment's compound file (`.seg`) into memory, then opens each file inside it as
a `BufferFile`, whose `io.BytesIO(buffer)` copies the bytes: opening a searcher copies every
segment's postings and term index into the process's own memory. At a million turns that is
740 MiB per web worker, copied again after every commit (a new searcher), about 0.4 s. Here a
file inside the segment is a buffered reader over the map itself: the pages are the operating
system's file cache, shared by every worker, and opening costs nothing per byte.

`install()` puts this class where `whoosh.filedb.compound` looks for `BufferFile`; everything
else of Whoosh's stays as it is.
"""

from __future__ import annotations

import io
from typing import Any

from whoosh.filedb import compound
from whoosh.filedb.structfile import BufferFile


class _MappedRaw(io.RawIOBase):
    """A seekable, read-only raw file over a buffer (a memoryview of the map): no copy."""

    def __init__(self, view: memoryview) -> None:
        super().__init__()
        self._view = view
        self._position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, target: Any) -> int:
        start = self._position
        end = min(start + len(target), len(self._view))
        count = max(end - start, 0)
        target[:count] = self._view[start:end]
        self._position = start + count
        return count

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_CUR:
            offset += self._position
        elif whence == io.SEEK_END:
            offset += len(self._view)
        if offset < 0:
            raise ValueError(f"negative seek position {offset}")
        self._position = offset
        return offset

    def tell(self) -> int:
        return self._position


class MappedBufferFile(BufferFile):  # type: ignore[misc]
    """Whoosh's BufferFile (get(), subset(), get_array() slice the buffer) reading through
    `_MappedRaw` instead of a BytesIO copy of the buffer."""

    def __init__(self, buf: Any, name: str | None = None, onclose: Any = None) -> None:
        self._buf = buf
        self._name = name
        self.file = io.BufferedReader(_MappedRaw(memoryview(buf)))
        self.onclose = onclose
        self.is_real = False
        self.is_closed = False


def install() -> None:
    compound.BufferFile = MappedBufferFile  # type: ignore[attr-defined]
