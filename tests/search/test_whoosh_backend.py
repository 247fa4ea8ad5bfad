"""The Whoosh backend held to the shared backend behaviour, plus what is Whoosh's own."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any
from unittest import mock

from django.test import TestCase, TransactionTestCase
from whoosh import index as wi

from archive.models import SearchOutbox, Transcript
from archive.search import SearchParameters, indexer, search_turns
from archive.search.backends.base import SearchRequest
from archive.search.backends.whoosh import WhooshBackend, evaluation
from archive.search.backends.whoosh import columns as whoosh_columns
from archive.search.backends.whoosh.columns import columns_of
from archive.search.backends.whoosh.compiler import WhooshQueryCompiler
from archive.search.backends.whoosh.evaluation import bulk_scores, docset
from archive.search.query import parse_query
from tests.fixtures import BRIEFING_EN, MANANERA_ES, MFA_EN, MFA_ZH, OTHERS
from tests.search.backend_mixin import BackendTests, ConcurrentBackendTests


class WhooshBackendTests(BackendTests, TestCase):
    backend_path = "archive.search.backends.whoosh.WhooshBackend"
    backend: WhooshBackend

    def test_a_rebuild_swaps_the_live_link_to_a_new_generation(self) -> None:
        self.load(BRIEFING_EN)
        before = self.backend.live_dir()
        indexer.rebuild()
        after = self.backend.live_dir()
        self.assertNotEqual(before, after)
        self.assertTrue(os.path.islink(os.path.join(self.index_dir, "live")))
        self.assertEqual(search_turns(SearchParameters(q="tariffs")).count, 2)

    def test_a_rebuild_that_waited_for_another_rebuild_follows_the_live_link(self) -> None:
        """Two rebuilds at once (two processes: two stores of one folder): the second waits for the
        first's lock, then builds over the index the first swapped in, not the one it replaced
        (whose folder its own swap deletes)."""
        self.load(BRIEFING_EN, MANANERA_ES)
        documents = list(indexer.iter_all_documents())
        other = WhooshBackend("other", {"PATH": self.index_dir})
        inside, go, waiting = threading.Event(), threading.Event(), threading.Event()

        def held_documents() -> Iterator[Any]:
            inside.set()
            go.wait(10)
            yield from documents

        real_waiting = other.store._waiting

        @contextmanager
        def noted_waiting(deadline: float) -> Iterator[None]:
            waiting.set()
            with real_waiting(deadline):
                yield

        other.store._waiting = noted_waiting  # type: ignore[method-assign]
        errors: list[BaseException] = []

        def run(backend: WhooshBackend, docs: Callable[[], Iterable[Any]]) -> None:
            try:
                backend.rebuild(docs(), wait=10)
            except BaseException as exc:  # reported below
                errors.append(exc)

        first = threading.Thread(target=run, args=(self.backend, held_documents))
        first.start()
        self.assertTrue(inside.wait(10))  # the first holds the live index's lock, building
        replaced = self.backend.live_dir()
        second = threading.Thread(target=run, args=(other, lambda: iter(documents)))
        second.start()
        self.assertTrue(waiting.wait(10))  # the second waits for that lock
        go.set()
        first.join(30)
        second.join(30)
        self.assertEqual(errors, [])
        self.assertNotEqual(other.live_dir(), replaced)
        self.assertEqual(search_turns(SearchParameters(q="educacion")).count, 1)
        self.assertEqual(self.backend.count(), len(documents))
        other.close()

    def test_a_writer_holding_the_index_leaves_changes_in_the_outbox(self) -> None:
        self.load(BRIEFING_EN)
        ix = wi.open_dir(str(self.backend.live_dir()))
        other_writer = ix.writer()  # as another process would hold it
        try:
            self.load(MANANERA_ES)
            self.assertEqual(search_turns(SearchParameters(q="educacion")).count, 0)
            self.assertEqual(SearchOutbox.objects.count(), 1)
        finally:
            other_writer.cancel()
        self.assertEqual(indexer.drain(), 1)
        self.assertEqual(search_turns(SearchParameters(q="educacion")).count, 1)
        self.assertEqual(SearchOutbox.objects.count(), 0)

    def test_a_reader_sees_a_commit_on_its_next_search(self) -> None:
        self.load(BRIEFING_EN)
        searcher = self.backend.searcher()
        self.load(MANANERA_ES)
        self.assertIsNot(self.backend.searcher(), searcher)
        self.assertEqual(search_turns(SearchParameters(q="educacion")).count, 1)

    def test_a_searcher_of_the_same_segments_shares_the_columns_read_ahead(self) -> None:
        self.load(BRIEFING_EN)
        self.backend.warm_up()  # as a web server does before it forks its workers
        searcher = self.backend.searcher()
        assert searcher is not None
        speakers = columns_of(searcher).array("speaker")
        self.assertEqual(len(speakers), searcher.doc_count_all())
        self.backend.close()
        again = self.backend.searcher()
        self.assertIsNot(again, searcher)
        assert again is not None
        self.assertIs(columns_of(again).array("speaker"), speakers)  # shared, not read again
        self.load(MANANERA_ES)  # a commit: new segments, read anew
        newer = self.backend.searcher()
        assert newer is not None
        self.assertIsNot(columns_of(newer).array("speaker"), speakers)
        self.assertEqual(len(columns_of(newer).array("speaker")), newer.doc_count_all())

    def test_a_repeated_search_reuses_its_matches_until_the_next_commit(self) -> None:
        (transcript,) = self.load(BRIEFING_EN)
        first = search_turns(SearchParameters(q="tariffs"))
        searcher = self.backend.searcher()
        cache = columns_of(searcher).matches
        self.assertEqual(len(cache._sets), 1)
        again = search_turns(
            SearchParameters(q="tariffs", sort="-date", page_size=1)
        )  # another sort and page: same matches
        self.assertEqual((again.count, again.facets), (first.count, first.facets))
        self.assertEqual(len(cache._sets), 1)
        with self.captureOnCommitCallbacks(execute=True):
            transcript.delete()
        self.assertEqual(search_turns(SearchParameters(q="tariffs")).count, 0)
        self.assertEqual(search_turns(SearchParameters(q="tariffs")).facets["speaker"], [])

    def test_matches_and_scores_are_whooshs_own(self) -> None:
        """The set algebra and the bulk BM25F give what Whoosh's matchers and collector give.

        Each document is its own commit (several segments), and one transcript is deleted
        (deletions within a segment), so segment offsets and deletions are both exercised.
        """
        for document in (BRIEFING_EN, MANANERA_ES, MFA_EN, MFA_ZH, *OTHERS):
            self.load(document)
        with self.captureOnCommitCallbacks(execute=True):
            Transcript.objects.get(slug=MANANERA_ES["slug"]).delete()
        searcher = self.backend.searcher()
        assert searcher is not None
        self.assertGreater(len(searcher.subsearchers or ()), 1)
        columns = columns_of(searcher)
        searcher.weighting = columns.weighting()
        queries = [
            "tariffs",
            "sanctions OR steel",
            '"three companies"',
            "press",
            "trade tariffs",
            "companies -drones",
            "kind:answer tariffs",
            "cooperation",
            "合作",
        ]
        for text in queries:
            q = WhooshQueryCompiler(searcher, SearchRequest(parse_query(text))).build()
            deadline = time.monotonic() + 10
            matched = docset(searcher, columns, q, deadline)
            self.assertEqual(matched, set(searcher.docs_for_query(q)), text)
            ours = bulk_scores(searcher, columns, q, None, deadline)  # no filter
            within = bulk_scores(searcher, columns, q, matched, deadline)
            self.assertEqual(ours, within, text)
            theirs = {hit.docnum: hit.score for hit in searcher.search(q, limit=None)}
            self.assertEqual(ours.keys(), theirs.keys(), text)
            for docnum, score in theirs.items():
                self.assertAlmostEqual(ours[docnum], score, places=9, msg=text)
        self.assertTrue(any(search_turns(SearchParameters(q=text)).count for text in queries))

    def test_parts_looked_up_at_the_narrowed_documents_find_what_whole_posting_lists_find(self) -> None:
        """A filter holding many more turns than the words it narrows is tested on each candidate's
        column value (kind, language, speaker, topic, answer status, days), and a word is scored
        only at the documents the rest of the search narrowed to: the same hits, scores, counts
        and facets as reading whole posting lists."""
        for document in (BRIEFING_EN, MANANERA_ES, MFA_EN, MFA_ZH, *OTHERS):
            self.load(document)
        searches = [
            SearchParameters(q="tariffs", kind="answer"),
            SearchParameters(q="kind:answer tariffs"),
            SearchParameters(q="kind:question lang:en china"),
            SearchParameters(q="cooperation", language="zh"),
            SearchParameters(q="cooperation", language="zh-Hans"),
            SearchParameters(q="tariffs", speaker="press-secretary"),
            SearchParameters(q="tariffs", topic="trade", sort="-date"),
            SearchParameters(q="china", date_from=date(2020, 1, 1), date_to=date(2026, 12, 31)),
            SearchParameters(q="tariffs", date_to=date(2024, 1, 1), kind="answer"),
            SearchParameters(q="", kind="answer", language="en"),
            SearchParameters(q="trade tariffs"),
            SearchParameters(q='"three companies" morning'),
            SearchParameters(q="companies -drones"),
            SearchParameters(q="sanctions OR steel china"),
            SearchParameters(q="press", kind="question", answered="answered"),
        ]

        def answers(ratio: int) -> list[tuple[Any, ...]]:
            self.backend.close()  # a new searcher: no matches kept from the other way
            with mock.patch.object(evaluation, "NARROWING_RATIO", ratio):
                # Twice: the second time the matches are kept, and the words scored only there.
                found = [search_turns(p) for p in searches for _ in range(2)]
            return [(r.count, [(h.turn.pk, round(h.score, 9)) for h in r.results], r.facets) for r in found]

        tested = mock.patch.object(
            whoosh_columns.Columns,
            "column_test",
            autospec=True,
            side_effect=whoosh_columns.Columns.column_test,
        )
        scored_at = mock.patch.object(evaluation, "postings_at", side_effect=evaluation.postings_at)
        with tested as column_test, scored_at as postings_at:
            by_columns = answers(0)  # every part looked up at the narrowed documents
        asked = [call.args[1] for call in column_test.call_args_list]
        tests = [whoosh_columns.Columns.column_test(column_test.call_args.args[0], q) for q in asked]
        self.assertGreater(len([t for t in tests if t is not None]), 5)  # the filters, by their values
        self.assertGreater(postings_at.call_count, 10)  # the words, at the narrowed documents
        by_postings = answers(10**9)  # every filter read as a posting list
        self.assertEqual(by_columns, by_postings)
        self.assertTrue(all(count for count, _, _ in by_postings[:-2]), by_postings)

    def test_facets_of_a_very_large_result_set_are_estimated_and_said_so(self) -> None:
        self.load(BRIEFING_EN, MANANERA_ES)
        exact = search_turns(SearchParameters(q=""))
        self.assertFalse(exact.facets_approximate)
        self.assertEqual({f.value: f.count for f in exact.facets["kind"]}, {"question": 3, "answer": 3})
        with mock.patch.object(whoosh_columns, "FACET_EXACT_LIMIT", 3):
            self.load(MFA_EN)  # a commit: a new searcher, nothing counted yet
            page = search_turns(SearchParameters(q=""))
            response = self.client.get("/api/v1/search/", {"q": ""}).json()
        self.assertEqual(page.count, 6 + len(MFA_EN["turns"]))  # the total stays exact
        self.assertTrue(page.facets_approximate)
        self.assertTrue(response["facets_approximate"])
        kinds = {f.value: f.count for f in page.facets["kind"]}
        # Every other match counted, each count doubled or so: about the total, not the sample.
        self.assertAlmostEqual(sum(kinds.values()), page.count, delta=3)
        self.assertFalse(self.client.get("/api/v1/search/", {"q": "tariffs"}).json()["facets_approximate"])


class WhooshConcurrentBackendTests(ConcurrentBackendTests, TransactionTestCase):
    backend_path = "archive.search.backends.whoosh.WhooshBackend"
