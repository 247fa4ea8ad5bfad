"""The Whoosh internals the backend relies on (archive/search/backends/whoosh/internals.py), each
checked on the installed Whoosh against a real small index, and the version check guarding them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import zlib
from datetime import date
from pathlib import Path
from typing import Any
from unittest import mock

from django.core.exceptions import ImproperlyConfigured
from django.test import SimpleTestCase
from whoosh import index as wi
from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher
from whoosh.filedb import compound
from whoosh.filedb.structfile import BufferFile
from whoosh.multiproc import MpWriter

from archive.search.backends.whoosh import WhooshBackend, internals
from archive.search.backends.whoosh.schema import build_schema, whoosh_fields
from archive.search.documents import IndexDocument

ROOT = Path(__file__).resolve().parents[2]
# More postings than one block holds (Whoosh's blocks hold 128), so block-to-block reading is used.
DOCUMENTS = 300


def document(n: int) -> IndexDocument:
    return IndexDocument(
        turn_id=n,
        transcript_id=n // 10,
        slug=f"transcript-{n // 10}",
        position=n % 10,
        language="en",
        kind="question" if n % 2 else "answer",
        speaker=f"speaker-{n % 3}",
        speaker_names=[f"Speaker {n % 3}"],
        topics=["trade"],
        topic_labels=[("en", "Trade")],
        title="Press briefing",
        title_language="en",
        date=date(2024, 1, 1 + n % 28),
        text=f"tariffs on steel {'and aluminium ' * (n % 5)}",
    )


class WhooshInternalsTests(SimpleTestCase):
    """Each private attribute or method that internals.py uses, present and behaving as it assumes."""

    folder: Path
    ix: Any
    searcher: Any
    reader: Any

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        internals.install()  # as a WhooshBackend does: the blocks are written as the backend writes them
        cls.folder = Path(tempfile.mkdtemp(prefix="whoosh-internals-"))
        cls.addClassCleanup(shutil.rmtree, cls.folder, ignore_errors=True)
        cls.ix = wi.create_in(str(cls.folder), build_schema())
        writer = cls.ix.writer()
        for n in range(DOCUMENTS):
            writer.add_document(**whoosh_fields(document(n)))
        writer.commit()
        cls.searcher = cls.ix.searcher()
        cls.addClassCleanup(cls.searcher.close)
        cls.reader = cls.searcher.reader()

    def test_the_installed_version_is_a_supported_one(self) -> None:
        internals.check_version()
        self.assertIn(internals.installed_version(), internals.SUPPORTED_VERSIONS)

    def test_a_segment_reader_has_its_term_table_with_raw_matchers(self) -> None:
        self.assertTrue(hasattr(self.reader, "_terms"))
        self.assertTrue(callable(self.reader._terms.matcher))
        found = internals.raw_postings(self.reader, "text_en", "tariff")
        assert found is not None
        matcher, field, btext = found
        self.assertIs(field, self.reader.schema["text_en"])
        self.assertEqual(btext, b"tariff")
        self.assertIsInstance(matcher, W3LeafMatcher)

    def test_a_block_matcher_reads_its_blocks_as_the_internals_expect(self) -> None:
        found = internals.raw_postings(self.reader, "text_en", "tariff")
        assert found is not None
        matcher = found[0]
        for name in ("_read_data", "_goto"):
            self.assertTrue(callable(getattr(matcher, name)), name)
        matcher._read_data()
        for name in ("_data", "_byteids", "_lastblock", "_nextoffset"):
            self.assertTrue(hasattr(matcher, name), name)
        self.assertFalse(matcher._lastblock)  # more than one block, so _goto is exercised below

        def fresh() -> W3LeafMatcher:
            postings = internals.raw_postings(self.reader, "text_en", "tariff")
            assert postings is not None
            return postings[0]

        self.assertEqual(list(internals.posting_ids(fresh())), list(range(DOCUMENTS)))
        blocks = list(internals.posting_blocks(fresh()))
        self.assertGreater(len(blocks), 1)
        self.assertEqual([d for ids, _ in blocks for d in ids], list(range(DOCUMENTS)))
        # and with the weights Whoosh's public matcher gives
        aluminium = internals.raw_postings(self.reader, "text_en", "aluminium")
        assert aluminium is not None
        ours: list[tuple[int, float]] = []
        for ids, weights in internals.posting_blocks(aluminium[0]):
            ours += zip(ids, [weights] * len(ids) if isinstance(weights, float) else weights, strict=True)
        public = self.reader.postings("text_en", "aluminium")
        theirs: list[tuple[int, float]] = []
        while public.is_active():
            theirs.append((public.id(), public.weight()))
            public.next()
        self.assertEqual(ours, theirs)

    def test_posting_blocks_are_pickled_with_protocol_3_and_read_back_by_whoosh(self) -> None:
        found = internals.raw_postings(self.reader, "text_en", "aluminium")
        assert found is not None
        matcher = found[0]
        raw = matcher._postfile.get(matcher._dataoffset, matcher._nextoffset - matcher._dataoffset)
        data = zlib.decompress(raw) if matcher._compression else bytes(raw)
        self.assertEqual(data[:2], b"\x80\x03")  # PROTO 3
        # Whoosh's own matcher reads them: ids, weights and the positions a phrase needs.
        public = self.reader.postings("text_en", "aluminium")
        self.assertEqual(public.id(), 1)
        self.assertEqual(public.value_as("positions"), [4])  # tariffs on steel and aluminium
        self.assertEqual(
            self.searcher.search(wq.Phrase("text_en", ["steel", "and"]), limit=None).scored_length(), 240
        )

    def test_postings_at_some_documents_are_those_whoosh_gives_there(self) -> None:
        public = self.reader.postings("text_en", "aluminium")
        everything: dict[int, float] = {}
        while public.is_active():
            everything[public.id()] = public.weight()
            public.next()
        # Documents with and without the word, in the first, middle and last blocks, and past the end.
        targets = [0, 1, 2, 3, 130, 131, 132, 200, 297, 298, 299, 400]
        postings = internals.raw_postings(self.reader, "text_en", "aluminium")
        assert postings is not None
        found = list(internals.postings_at(postings[0], targets))
        self.assertEqual(found, [(d, everything[d]) for d in targets if d in everything])
        self.assertGreater(len(found), 3)
        self.assertLess(len(found), len([d for d in targets if d < DOCUMENTS]))
        self.assertIn("_maxid", vars(postings[0]))

    def test_the_length_column_is_read_as_bytes_where_whoosh_reads_it_per_document(self) -> None:
        perdoc = self.reader._perdoc
        column = perdoc._cached_reader("_text_en_len", LENGTHS_COLUMN)
        for name in ("_fixedlen", "_basepos", "_dbfile", "_count"):
            self.assertTrue(hasattr(column, name), name)
        self.assertEqual(column._fixedlen, 1)
        codes = internals.length_codes(self.reader, "text_en", self.reader.doc_count_all())
        self.assertIsInstance(codes, bytes)
        self.assertEqual(list(codes), [column[d] for d in range(DOCUMENTS)])

    def test_a_translating_column_has_its_conversion(self) -> None:
        column = self.reader.column_reader("kind")
        translate = internals.column_translate(column)
        self.assertTrue(callable(translate))
        raw = column.raw_column()
        self.assertEqual([translate(raw[d]) for d in range(4)], [column[d] for d in range(4)])

    def test_a_searcher_knows_its_index_folder(self) -> None:
        self.assertEqual(Path(internals.index_folder(self.searcher)), self.folder)

    def test_multi_term_queries_expand_to_their_terms(self) -> None:
        for q in (
            wq.Prefix("text_en", "tar"),
            wq.Wildcard("text_en", "tar*"),
            wq.TermRange("day", None, None),
        ):
            self.assertTrue(callable(getattr(q, "_btexts", None)), q)
        self.assertEqual(
            list(internals.expanded_terms(wq.Prefix("text_en", "tar"), self.reader)), [b"tariff"]
        )

    def test_segment_files_are_opened_as_buffer_files_with_the_attributes_mapped_ones_set(self) -> None:
        self.assertTrue(hasattr(compound, "BufferFile"))
        original = BufferFile(b"data", name="x")
        mapped = internals.MappedBufferFile(b"data", name="x")
        self.assertEqual(set(vars(mapped)), set(vars(original)))

    def test_the_multiprocessing_writer_creates_its_workers_in_one_method(self) -> None:
        self.assertTrue(callable(getattr(MpWriter, "_new_task", None)))
        writer = MpWriter(wi.create_in(tempfile.mkdtemp(dir=self.folder), build_schema()), procs=2)
        try:
            for name in (
                "storage",
                "indexname",
                "jobqueue",
                "resultqueue",
                "subargs",
                "multisegment",
                "tasks",
            ):
                self.assertTrue(hasattr(writer, name), name)
        finally:
            writer.cancel()


class WhooshVersionTests(SimpleTestCase):
    def test_an_unknown_whoosh_version_is_refused_when_the_backend_starts(self) -> None:
        with (
            tempfile.TemporaryDirectory() as folder,
            mock.patch("whoosh.versionstring", return_value="2.8.0"),
            self.assertRaises(ImproperlyConfigured) as refused,
        ):
            WhooshBackend("default", {"PATH": folder})
        message = str(refused.exception)
        self.assertIn("Whoosh 2.8.0 is installed", message)
        for version in internals.SUPPORTED_VERSIONS:
            self.assertIn(version, message)

    def test_importing_the_backend_leaves_whoosh_as_it_is_until_a_backend_starts(self) -> None:
        script = (
            "import django; django.setup()\n"
            "from whoosh.filedb import compound\n"
            "from whoosh.filedb.structfile import BufferFile\n"
            "from whoosh.codec import whoosh3\n"
            "from whoosh.compat import dumps\n"
            "import archive.search.backends.whoosh\n"
            "assert compound.BufferFile is BufferFile, 'installed on import'\n"
            "assert whoosh3.dumps is dumps, 'postings pickling changed on import'\n"
            "import tempfile\n"
            "from archive.search.backends.whoosh import WhooshBackend, internals\n"
            "with tempfile.TemporaryDirectory() as folder:\n"
            "    WhooshBackend('default', {'PATH': folder})\n"
            "assert compound.BufferFile is internals.MappedBufferFile, 'not installed at start'\n"
            "assert whoosh3.dumps is internals.postings_dumps, 'postings pickling not changed at start'\n"
        )
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings"),
        }
        done = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=False, cwd=ROOT
        )
        self.assertEqual(done.returncode, 0, done.stderr)
