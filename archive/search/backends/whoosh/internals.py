"""Every use of Whoosh's private state, in one place, for the Whoosh versions it was written for.

The backend reads posting lists a block at a time, a segment's term table, column files and the
length column directly, and replaces how segment files are opened: what Whoosh does not offer
publicly and a new Whoosh may change without notice. So nothing else touches a Whoosh attribute
beginning with `_`, and `install()`, called when a WhooshBackend is created, refuses a Whoosh
whose version is not in SUPPORTED_VERSIONS (tests/search/test_whoosh_internals.py checks that
each internal named here exists on the installed one: run it before adding a version).

Segment files read straight from the memory map, without a private copy: Whoosh maps a segment's
compound file (`.seg`) into memory, then opens each file inside it as a `BufferFile`, whose
`io.BytesIO(buffer)` copies the bytes: opening a searcher copies every segment's postings and term
index into the process's own memory. At a million turns that is 740 MiB per web worker, copied
again after every commit (a new searcher), about 0.4 s. Here a file inside the segment is a
buffered reader over the map itself (`MappedBufferFile`): the pages are the operating system's
file cache, shared by every worker, and opening costs nothing per byte. `install()` puts it where
`whoosh.filedb.compound` looks for `BufferFile`.

Posting blocks pickled with protocol 3, not 2: Whoosh pickles each block of 128 postings with
protocol 2, which has no opcode for bytes, so each posting's positions (bytes) come back through a
call to `_codecs.encode`: 58 of the 64 microseconds that unpickling a block takes, and a broad word
scored at thousands of documents reads hundreds of blocks. `install()` makes Whoosh's postings
writer (`whoosh.codec.whoosh3.dumps`) pickle with protocol 3; reading is unchanged, since unpickling
reads any protocol, so an index written before goes on being read, at the old speed until rebuilt.
Everything else of Whoosh's stays as it is.
"""

from __future__ import annotations

import io
import pickle
import threading
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from itertools import accumulate
from typing import Any

import whoosh
from django.core.exceptions import ImproperlyConfigured
from whoosh.codec import whoosh3
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher
from whoosh.filedb import compound
from whoosh.filedb.structfile import BufferFile
from whoosh.multiproc import MpWriter
from whoosh.reading import TermNotFound

# The Whoosh releases whose internals this module was written against (whoosh.versionstring()).
SUPPORTED_VERSIONS = frozenset({"2.7.5"})

_install_lock = threading.Lock()
_installed = False


def installed_version() -> str:
    return str(whoosh.versionstring())


def check_version(version: str | None = None) -> None:
    """Refuse a Whoosh this module was not written for (ImproperlyConfigured, naming both)."""
    version = installed_version() if version is None else version
    if version not in SUPPORTED_VERSIONS:
        raise ImproperlyConfigured(
            f"the Whoosh search backend relies on Whoosh internals written for Whoosh "
            f"{', '.join(sorted(SUPPORTED_VERSIONS))}, but Whoosh {version} is installed: install a "
            f"supported version (requirements.txt) or check archive/search/backends/whoosh/internals.py "
            f"against this one and add it to SUPPORTED_VERSIONS"
        )


def install() -> None:
    """Check the version (every backend created), then read segment files from the memory map and
    pickle posting blocks with protocol 3 (once per process)."""
    global _installed
    check_version()
    with _install_lock:
        if not _installed:
            compound.BufferFile = MappedBufferFile  # type: ignore[attr-defined]
            whoosh3.dumps = postings_dumps  # type: ignore[attr-defined]
            _installed = True


POSTINGS_PICKLE_PROTOCOL = 3


def postings_dumps(obj: Any, protocol: int | None = None) -> bytes:
    """Whoosh's postings writer's `dumps(data, 2)`, pickling with POSTINGS_PICKLE_PROTOCOL instead."""
    return pickle.dumps(obj, POSTINGS_PICKLE_PROTOCOL)


# -- segment files from the memory map ----------------------------------------------------------------


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


# -- the index, its segments and their posting lists ---------------------------------------------------


def index_folder(searcher: Any) -> str:
    """The directory of a searcher's index (a key for what is cached per segment)."""
    return str(searcher._ix.storage.folder)


def raw_postings(reader: Any, fieldname: str, text: str | bytes) -> tuple[Any, Any, bytes] | None:
    """(matcher, field, term bytes) of a term's raw postings in one segment; None if it has none.

    Raw: deletions are subtracted once per segment by the caller, not per posting.
    """
    terms = getattr(reader, "_terms", None)  # a segment's (an empty index has none)
    if terms is None or fieldname not in reader.schema:
        return None
    field = reader.schema[fieldname]
    btext = text if isinstance(text, bytes) else field.to_bytes(text)
    try:
        return terms.matcher(fieldname, btext, field.format), field, btext
    except (KeyError, TermNotFound):
        return None


def posting_blocks(matcher: Any) -> Iterator[tuple[list[int], Any]]:
    """(document numbers, weights: a sequence or one float for all) of each block of a term's postings."""
    if not isinstance(matcher, W3LeafMatcher):  # inlined postings: a few
        ids, weights = [], []
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            matcher.next()
        yield ids, weights
        return
    while True:
        yield _block(matcher)
        if matcher._lastblock:
            return
        matcher._goto(matcher._nextoffset)


def _block(matcher: Any) -> tuple[list[int], Any]:
    """The block a W3 matcher is at: (document numbers, weights: a sequence or one float for all)."""
    matcher._read_data()
    block, weights = matcher._data[0], matcher._data[1]
    ids = list(block) if matcher._byteids else list(accumulate(block))
    return ids, 1.0 if weights is None else weights


def postings_at(matcher: Any, targets: Sequence[int]) -> list[tuple[int, float]]:
    """(document number, weight) of a term's postings at the `targets` (ascending) only.

    A block whose last document comes before the next target is passed over on its header
    alone, never uncompressed: a word in 200,000 turns scored at a hundred of them reads about a
    hundred of its 1,700 blocks. A list, not a generator, and each block's targets looked up in
    one loop: the per-posting Python calls were most of the time of a word scored at thousands.
    """
    found: list[tuple[int, float]] = []
    if not isinstance(matcher, W3LeafMatcher):  # inlined postings: a few
        wanted = set(targets)
        for ids, weights in posting_blocks(matcher):
            found += ((d, _weight(weights, i)) for i, d in enumerate(ids) if d in wanted)
        return found
    t, count = 0, len(targets)
    while t < count:
        while matcher._maxid < targets[t]:
            if matcher._lastblock:
                return found
            matcher._goto(matcher._nextoffset)
        ids, weights = _block(matcher)
        end = bisect_right(targets, matcher._maxid, t)
        size = len(ids)
        for d in targets[t:end]:
            i = bisect_left(ids, d)
            if i < size and ids[i] == d:
                found.append((d, _weight(weights, i)))
        t = end
        if matcher._lastblock:
            return found
        matcher._goto(matcher._nextoffset)
    return found


def _weight(weights: Any, i: int) -> float:
    return weights if isinstance(weights, float) else float(weights[i])


def posting_ids(matcher: Any) -> Iterable[int]:
    """The document numbers of a term's postings, read a block at a time."""
    if not isinstance(matcher, W3LeafMatcher):
        return matcher.all_ids()  # type: ignore[no-any-return]  # inlined postings
    ids: list[int] = []
    for block, _ in posting_blocks(matcher):
        ids += block
    return ids


def expanded_terms(q: Any, reader: Any) -> Iterable[bytes]:
    """The terms (bytes) a multi-term query (prefix, wildcard, range...) stands for in a segment."""
    return q._btexts(reader)  # type: ignore[no-any-return]


# -- columns --------------------------------------------------------------------------------------------


def column_translate(column: Any) -> Any:
    """The field's stored-value conversion of a translating column reader (None for a plain one)."""
    return getattr(column, "_translate", None)


def length_codes(reader: Any, fieldname: str, count: int) -> bytes | tuple[int, ...]:
    """A segment's byte-coded field lengths (Whoosh's length column), one per document."""
    perdoc = getattr(reader, "_perdoc", None)
    column = perdoc._cached_reader(f"_{fieldname}_len", LENGTHS_COLUMN) if perdoc is not None else None
    if column is None:
        return bytes(count)
    if getattr(column, "_fixedlen", None) == 1 and hasattr(column, "_basepos"):
        raw = bytes(column._dbfile.get(column._basepos, column._count)) if column._count else b""
        return raw + bytes(max(0, count - len(raw)))
    return tuple(column[d] or 0 for d in range(count))


# -- the multiprocessing writer ------------------------------------------------------------------------


class TaskWriter(MpWriter):  # type: ignore[misc]
    """Whoosh's multiprocessing writer starting workers of `task_class` (Whoosh's own by default)."""

    task_class: type[Any] | None = None

    def _new_task(self) -> Any:
        if self.task_class is None:
            return super()._new_task()
        task = self.task_class(
            self.storage, self.indexname, self.jobqueue, self.resultqueue, self.subargs, self.multisegment
        )
        self.tasks.append(task)
        task.start()
        return task
