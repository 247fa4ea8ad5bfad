"""Segment files read from the memory map (archive/search/backends/whoosh/internals.py)."""

from __future__ import annotations

import io
from typing import Any

from django.test import SimpleTestCase, TestCase
from hypothesis import given
from hypothesis import strategies as st
from whoosh.filedb.structfile import BufferFile

from archive.search import SearchParameters, search_turns
from archive.search.backends import get_search_backend
from archive.search.backends.whoosh.internals import MappedBufferFile
from tests.fixtures import BRIEFING_EN, MANANERA_ES, import_document
from tests.search.helpers import temp_search_index

# What Whoosh's readers do with a file: seek (from the start, the current position, the end),
# read a number of bytes or the rest, read structured values, tell.
operations = st.lists(
    st.one_of(
        st.tuples(st.just("seek"), st.integers(0, 300), st.sampled_from([io.SEEK_SET, io.SEEK_CUR])),
        st.tuples(st.just("seek_end"), st.integers(-300, 0)),
        st.tuples(st.just("read"), st.integers(-1, 300)),
        st.tuples(st.just("read_int")),
        st.tuples(st.just("read_varint")),
        st.tuples(st.just("get"), st.integers(0, 300), st.integers(0, 50)),
    ),
    max_size=40,
)


def run(file: Any, steps: list[tuple[Any, ...]], size: int) -> list[Any]:
    """The results of `steps` on `file`; a step that would read past the end records that."""
    results: list[Any] = []
    for name, *args in steps:
        if name == "seek":
            offset, whence = args
            target = offset if whence == io.SEEK_SET else file.tell() + offset
            results.append(file.seek(min(target, size)))
        elif name == "seek_end":
            results.append(file.seek(max(args[0], -size), io.SEEK_END))
        elif name == "read":
            results.append(file.read(args[0]))
        elif name in ("read_int", "read_varint"):
            try:
                results.append(getattr(file, name)())
            except Exception as error:  # past the end: the same error type either way
                results.append(type(error).__name__)
        else:
            position, length = args
            results.append(file.get(min(position, size), length))
        results.append(file.tell())
    return results


class MappedBufferFileTests(SimpleTestCase):
    @given(data=st.binary(max_size=300), steps=operations)
    def test_reads_like_whooshs_copying_buffer_file(self, data: bytes, steps: list[tuple[Any, ...]]) -> None:
        self.assertEqual(
            run(MappedBufferFile(memoryview(data)), steps, len(data)),
            run(BufferFile(memoryview(data)), steps, len(data)),
        )


class MappedSegmentTests(TestCase):
    def setUp(self) -> None:
        self.enterContext(temp_search_index())

    def test_a_searcher_reads_the_postings_from_the_map(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            import_document(BRIEFING_EN)
            import_document(MANANERA_ES)
        backend = get_search_backend()
        searcher = backend.searcher()  # type: ignore[attr-defined]
        subs = searcher.subsearchers
        readers = [sub.reader() for sub, _ in subs] if subs else [searcher.reader()]
        compound = [r for r in readers if r.segment().is_compound()]
        self.assertTrue(compound, "the index has no compound segment to read")
        for reader in compound:
            self.assertIsInstance(reader._terms._postfile, MappedBufferFile)
        # and answers from there: "sanctioned" and "sanctions", the briefing's two turns
        self.assertEqual(search_turns(SearchParameters(q="sanctions")).count, 2)
