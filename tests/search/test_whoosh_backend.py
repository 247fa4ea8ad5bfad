"""The Whoosh backend held to the shared backend behaviour, plus what is Whoosh's own."""

from __future__ import annotations

import os

from django.test import TestCase
from whoosh import index as wi

from archive.models import SearchOutbox
from archive.search import indexer, search_turns
from tests.search.backend_mixin import BackendTests, ConcurrentBackendTests
from tests.search.helpers import BRIEFING_EN, MANANERA_ES


class WhooshBackendTests(BackendTests, ConcurrentBackendTests, TestCase):
    backend_path = "archive.search.backends.whoosh.WhooshBackend"

    def test_a_rebuild_swaps_the_live_link_to_a_new_generation(self) -> None:
        self.load(BRIEFING_EN)
        before = self.backend.live_dir()
        indexer.rebuild()
        after = self.backend.live_dir()
        self.assertNotEqual(before, after)
        self.assertTrue(os.path.islink(os.path.join(self._index_dir, "live")))
        self.assertEqual(search_turns("tariffs").count, 2)

    def test_a_writer_holding_the_index_leaves_changes_in_the_outbox(self) -> None:
        self.load(BRIEFING_EN)
        ix = wi.open_dir(str(self.backend.live_dir()))
        other_writer = ix.writer()  # as another process would hold it
        try:
            self.load(MANANERA_ES)
            self.assertEqual(search_turns("educacion").count, 0)
            self.assertEqual(SearchOutbox.objects.count(), 1)
        finally:
            other_writer.cancel()
        self.assertEqual(indexer.drain(), 1)
        self.assertEqual(search_turns("educacion").count, 1)
        self.assertEqual(SearchOutbox.objects.count(), 0)

    def test_a_reader_sees_a_commit_on_its_next_search(self) -> None:
        self.load(BRIEFING_EN)
        searcher = self.backend.searcher()
        self.load(MANANERA_ES)
        self.assertIsNot(self.backend.searcher(), searcher)
        self.assertEqual(search_turns("educacion").count, 1)

    def test_a_repeated_search_reuses_its_matches_until_the_next_commit(self) -> None:
        (transcript,) = self.load(BRIEFING_EN)
        first = search_turns("tariffs")
        searcher = self.backend.searcher()
        cache = searcher._archive_columns.matches  # type: ignore[union-attr]
        self.assertEqual(len(cache._sets), 1)
        again = search_turns("tariffs", sort="-date", page_size=1)  # another sort and page: same matches
        self.assertEqual((again.count, again.facets), (first.count, first.facets))
        self.assertEqual(len(cache._sets), 1)
        with self.captureOnCommitCallbacks(execute=True):
            transcript.delete()
        self.assertEqual(search_turns("tariffs").count, 0)
        self.assertEqual(search_turns("tariffs").facets["speaker"], [])
