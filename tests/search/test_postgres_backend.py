"""The PostgreSQL backend held to the shared backend behaviour, plus what is its own.

Runs when the suite's database is PostgreSQL (DATABASE_URL=postgres://...); on SQLite the
backend cannot exist, and these classes are skipped saying so.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import unittest
from contextlib import suppress
from importlib import import_module
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, connections, transaction
from django.test import TestCase, TransactionTestCase, override_settings

from archive.importers import collect_files, import_documents, read_files
from archive.models import SearchOutbox
from archive.search import QueryRefused, SearchParameters, indexer, search_turns
from archive.search.backends.base import SearchRequest
from archive.search.backends.postgres import PostgresBackend, ranking
from archive.search.backends.postgres import backend as postgres_backend
from archive.search.backends.postgres import kept as postgres_kept
from archive.search.backends.postgres.conditions import Ts, join_parts, not_part
from archive.search.backends.postgres.locks import WAITING_LOCK, WRITERS_LOCK, _lock_key
from archive.search.backends.postgres.schema import CONTEXTS, DOCUMENTS, TERMS
from archive.search.backends.postgres.writing import document_vector
from archive.search.documents import transcript_documents
from archive.search.errors import IndexBusy
from archive.search.query import parse_query
from tests.fixtures import BRIEFING_EN, KNESSET_HE, MFA_ZH, REPO, SHARED, doc, needs_corpus
from tests.search.backend_mixin import BackendFixtures, BackendTests, ConcurrentBackendTests
from tests.search.helpers import WHOOSH, temp_search_index

BACKEND = "archive.search.backends.postgres.PostgresBackend"
LZ4_AVAILABLE = import_module("archive.migrations.0016_search_vector_lz4").LZ4_AVAILABLE
on_postgres = unittest.skipUnless(
    connection.vendor == "postgresql",
    "the PostgreSQL search backend needs a PostgreSQL database (DATABASE_URL=postgres://...)",
)


class PostgresFixtures(BackendFixtures):
    backend_path = BACKEND

    def vector(self, slug: str, position: int) -> str:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT d.tsv::text FROM {DOCUMENTS} d JOIN archive_turn t ON t.id = d.turn_id "
                "JOIN archive_transcript s ON s.id = t.transcript_id WHERE s.slug = %s AND t.position = %s",
                [slug, position],
            )
            return str(cursor.fetchone()[0])


@on_postgres
class PostgresBackendTests(PostgresFixtures, BackendTests, TestCase):
    def test_the_vector_holds_our_analyzers_tokens_by_field_with_positions(self) -> None:
        self.load(KNESSET_HE, MFA_ZH)
        hebrew = self.vector("knesset-he", 1)
        # התכניות and its form without the article share position 3; the title is weighted B.
        self.assertIn("'whe:התכניות':3A", hebrew)
        self.assertIn("'whe:תכניות':3A", hebrew)
        self.assertIn("'hhe:החינוך':2B", hebrew)
        chinese = self.vector("mfa-zh", 2)
        # Words in sequence ("经济合作" is a phrase); a sub-word shares its word's position.
        self.assertIn("'wzh:经济':5A", chinese)
        self.assertIn("'wzh:合作':6A", chinese)
        self.assertIn("'wzh:继续加强':4A", chinese)
        self.assertIn("'wzh:加强':4A", chinese)

    def test_the_vector_literal_survives_quotes_and_backslashes(self) -> None:
        self.load(doc("odd-en", "en", [("A", "statement", "O'Brien said \\n and it's fine")]))
        self.assertEqual(search_turns(SearchParameters(q="O'Brien")).count, 1)
        self.assertEqual(search_turns(SearchParameters(q='"it\'s fine"')).count, 1)

    def test_an_apply_failing_midway_rolls_back_its_deletions(self) -> None:
        (briefing,) = self.load(BRIEFING_EN)
        documents = transcript_documents([briefing.pk])
        documents[briefing.pk][0].turn_id = documents[briefing.pk][1].turn_id  # a duplicate key
        with self.assertRaises(Exception):  # noqa: B017 (the database's IntegrityError)
            self.backend.replace_transcripts(documents)
        self.assertEqual(self.backend.count(), 4)
        self.assertEqual(search_turns(SearchParameters(q="tariffs")).count, 2)

    def test_term_counts_follow_additions_and_deletions(self) -> None:
        (briefing,) = self.load(BRIEFING_EN)

        def ndoc(term: str) -> int:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT ndoc FROM {TERMS} WHERE term = %s", [term])
                row = cursor.fetchone()
                return int(row[0]) if row else 0

        self.assertEqual(ndoc("wen:tariff"), 2)
        self.assertEqual(ndoc("hen:trade"), 4)  # the title, on every turn
        self.backend.delete_documents([briefing.turns.get(position=3).pk])
        self.assertEqual(ndoc("wen:tariff"), 1)
        indexer.rebuild()
        self.assertEqual(ndoc("wen:tariff"), 2)

    def test_another_process_writing_leaves_changes_in_the_outbox(self) -> None:
        other = connections.create_connection("default")  # as another host's indexer
        try:
            with other.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_lock(%s)", [_lock_key(DOCUMENTS)])
            self.load(BRIEFING_EN)
            self.assertEqual(search_turns(SearchParameters(q="tariffs")).count, 0)
            self.assertEqual(SearchOutbox.objects.count(), 1)
            with self.assertRaises(IndexBusy):
                self.backend.delete_documents([1], wait=0.2)
        finally:
            # Unlocked explicitly: a closed connection's lock goes only when its server process
            # has exited, which a loaded machine may not have done by the drain below.
            with other.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [_lock_key(DOCUMENTS)])
            other.close()
        self.assertEqual(indexer.drain(), 1)
        self.assertEqual(search_turns(SearchParameters(q="tariffs")).count, 2)

    def test_a_rebuild_that_gives_up_no_longer_holds_back_the_indexer(self) -> None:
        other = connections.create_connection("default")  # as another host's indexer
        try:
            with other.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_lock(%s)", [WRITERS_LOCK])
                with self.assertRaises(IndexBusy):
                    self.backend.clear(wait=0.3)
                # Its waiting lock went with it: left held, the indexers would wait for nothing.
                cursor.execute("SELECT pg_try_advisory_lock(%s)", [WAITING_LOCK])
                self.assertTrue(cursor.fetchone()[0])
                cursor.execute("SELECT pg_advisory_unlock_all()")
        finally:
            other.close()

    def test_a_rebuild_swaps_in_new_tables_with_the_live_names(self) -> None:
        self.load(BRIEFING_EN)
        with connection.cursor() as cursor:
            cursor.execute("SELECT %s::regclass::oid", [DOCUMENTS])
            before = cursor.fetchone()[0]
            indexer.rebuild()
            cursor.execute("SELECT %s::regclass::oid", [DOCUMENTS])
            self.assertNotEqual(cursor.fetchone()[0], before)
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename IN (%s, %s)", [DOCUMENTS, TERMS])
            self.assertEqual(
                sorted(row[0] for row in cursor.fetchall()),
                [
                    "search_document_day_idx",
                    "search_document_kind_idx",
                    "search_document_lang_base_idx",
                    "search_document_lang_tag_idx",
                    "search_document_pkey",
                    "search_document_speaker_idx",
                    "search_document_transcript_id_idx",
                    "search_document_tsv_idx",
                    "search_term_pkey",
                ],
            )
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s", [CONTEXTS])
            self.assertEqual(
                sorted(row[0] for row in cursor.fetchall()), ["search_context_pkey", "search_context_tsv_idx"]
            )
            # The new table's vectors are compressed as the migrated one's were (lz4 where the
            # server has it), and so is what is written to it.
            cursor.execute(LZ4_AVAILABLE)
            expected = "l" if cursor.fetchone() else ""
            cursor.execute(
                "SELECT attcompression FROM pg_attribute WHERE attrelid = %s::regclass AND attname = 'tsv'",
                [DOCUMENTS],
            )
            self.assertEqual(cursor.fetchone()[0], expected)
        self.assertEqual(search_turns(SearchParameters(q="tariffs")).count, 2)

    def test_a_huge_turn_is_indexed_within_postgresqls_limits(self) -> None:
        words = " ".join(f"w{n % 5000}" for n in range(30_000)) + " finalword " + "x" * 3000
        self.load(doc("huge-en", "en", [("A", "statement", words)]))
        self.assertEqual(search_turns(SearchParameters(q="w17")).count, 1)
        self.assertEqual(
            search_turns(SearchParameters(q="finalword")).count, 1
        )  # at the last position PostgreSQL keeps

    def test_it_refuses_to_run_on_another_database(self) -> None:
        vendor = connection.vendor
        try:
            connection.vendor = "sqlite"
            with self.assertRaises(ImproperlyConfigured):
                PostgresBackend("default", {})
        finally:
            connection.vendor = vendor

    def test_the_time_limit_is_a_statement_timeout(self) -> None:
        other = connections.create_connection("default")
        try:
            with other.cursor() as cursor:  # holds the table: our statements wait for it
                cursor.execute("BEGIN")
                cursor.execute(f"LOCK TABLE {TERMS} IN ACCESS EXCLUSIVE MODE")
            started = time.monotonic()
            with self.assertRaises(QueryRefused):
                self.backend.search(SearchRequest(query=parse_query("reporter"), time_limit=0.3))
            self.assertLess(time.monotonic() - started, 5)
        finally:
            with other.cursor() as cursor:  # released now, not when its server process exits
                cursor.execute("ROLLBACK")
            other.close()
        self.assertEqual(self.backend.search(SearchRequest(query=parse_query("reporter"))).total, 0)

    def test_facets_of_a_very_large_result_set_are_estimated_and_said_so(self) -> None:
        # A speaker per turn: counted exactly, each has 1; counted on a sample and scaled, more.
        turns = [(f"Reporter {n}", "question", f"Question {n} on the budget?") for n in range(40)]
        turns += [(f"Spokesperson {n}", "answer", f"Answer {n} on the budget.") for n in range(40)]
        self.load(doc("budget-en", "en", turns))
        exact = search_turns(SearchParameters(q="budget"))
        self.assertFalse(exact.facets_approximate)
        self.assertEqual({f.value: f.count for f in exact.facets["kind"]}, {"question": 40, "answer": 40})

        def afresh() -> Any:  # searched, not answered from what the search before kept
            return mock.patch.object(self.backend, "_kept", postgres_kept.KeptResults())

        with mock.patch.object(postgres_backend, "FACET_EXACT_LIMIT", 20):
            with afresh():
                page = search_turns(SearchParameters(q="budget"))
            with afresh():
                again = search_turns(SearchParameters(q="budget"))
            with afresh():
                response = self.client.get("/api/v1/search/", {"q": "budget"}).json()
        self.assertEqual(page.count, 80)  # the total stays exact
        self.assertTrue(page.facets_approximate)
        self.assertTrue(response["facets_approximate"])
        kinds = {f.value: f.count for f in page.facets["kind"]}
        # About a quarter counted, each count scaled: about the total, not the sample.
        self.assertAlmostEqual(sum(kinds.values()), 80, delta=2)
        # Really a sample (whatever turn ids it draws: an even split of the kinds can be drawn too).
        self.assertEqual({f.count for f in exact.facets["speaker"]}, {1})
        self.assertTrue(all(f.count > 1 for f in page.facets["speaker"]))
        self.assertEqual(kinds, {f.value: f.count for f in again.facets["kind"]})  # the same one

    def searched(self, request: SearchRequest) -> tuple[list[int], int, bool]:
        """(the hits' turn ids, the total, whether the search statement ran) of a search."""
        statements: list[str] = []

        def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            statements.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(record):
            results = self.backend.search(request)
        ran = any(DOCUMENTS in sql for sql in statements)
        return [hit.turn_id for hit in results.hits], results.total, ran

    def test_the_same_search_again_and_its_next_pages_are_answered_from_what_it_kept(self) -> None:
        turns = [("Reporter", "question", f"Question {n} on the budget?") for n in range(30)]
        self.load(doc("budget-en", "en", turns))
        first_page = SearchRequest(query=parse_query("budget"), limit=10)
        second_page = SearchRequest(query=parse_query("budget"), offset=10, limit=10)
        first, total, ran = self.searched(first_page)
        self.assertEqual((len(first), total, ran), (10, 30, True))
        self.assertEqual(self.searched(first_page), (first, 30, False))
        second, _, ran = self.searched(second_page)
        self.assertFalse(ran)
        self.assertEqual(len(set(first + second)), 20)
        # Another sort is another answer; a page past the kept hits is searched each time.
        self.assertTrue(self.searched(SearchRequest(query=parse_query("budget"), sort="date"))[2])
        with mock.patch.object(postgres_kept, "KEPT_HITS", 15):
            deep, _, ran = self.searched(second_page)
            self.assertEqual((deep, ran), (second, True))
            self.assertTrue(self.searched(second_page)[2])

    def test_a_did_you_mean_is_kept_for_the_query_as_typed(self) -> None:
        self.load(doc("budget-en", "en", [("Reporter", "question", "And the budget?")]))
        for typed in ("budgte", "(budgte)", "budgte"):
            request = SearchRequest(query=parse_query(typed), query_text=typed)
            self.assertEqual(self.backend.search(request).corrected, typed.replace("budgte", "budget"))

    def test_no_answer_is_kept_past_a_write_of_the_index(self) -> None:
        (briefing,) = self.load(doc("budget-en", "en", [("Reporter", "question", "And the budget?")]))
        budget = SearchRequest(query=parse_query("budget"))
        self.assertEqual(self.searched(budget)[1], 1)
        self.load(doc("budget-two", "en", [("Reporter", "question", "The budget again?")]))
        self.assertEqual(self.searched(budget)[1:], (2, True))
        self.backend.delete_documents([briefing.turns.get().pk])
        self.assertEqual(self.searched(budget)[1:], (1, True))
        self.assertEqual(self.searched(budget)[1:], (1, False))

    def test_a_rolled_back_write_leaves_no_answer_to_a_later_one(self) -> None:
        # Counted generations would name the state after the rolled-back write and the state
        # after the next one alike: the answer kept in between would be served for the second.
        self.load(doc("budget-one", "en", [("Reporter", "question", "And the budget?")]))
        budget = SearchRequest(query=parse_query("budget"))
        self.assertEqual(self.searched(budget)[1], 1)
        with suppress(RuntimeError), transaction.atomic():
            self.load(doc("budget-en", "en", [("Reporter", "question", "The budget, the budget?")]))
            self.assertEqual(self.searched(budget)[1], 2)
            raise RuntimeError("rolled back")
        self.assertEqual(self.searched(budget)[1:], (1, False))  # the state before: its answer
        self.load(doc("budget-two", "en", [("Reporter", "question", "The budget, twice: budget?")]))
        self.assertEqual(self.searched(budget)[1:], (2, True))
        slugs = {hit.transcript.slug for hit in search_turns(SearchParameters(q="budget")).results}
        self.assertEqual(slugs, {"budget-one", "budget-two"})

    def test_matches_through_their_context_alone_rank_as_when_their_vectors_are_read(self) -> None:
        # Briefings whose title or speaker's name hold the words, most of whose turns say neither;
        # a few turns say them, one as a phrase; one briefing in Spanish.
        def briefing(n: int, title: str, spokesperson: str, language: str = "en") -> dict[str, Any]:
            turns = [("Reporter", "question", f"Question {i} about the harbour?") for i in range(n)]
            said = [f"Answer {i}, the office said. " * (i % 3 + 1) for i in range(n)]
            turns += [(spokesperson, "answer", text) for text in said]
            turns += [(spokesperson, "answer", "The press secretary answers that.")]
            turns += [("Q", "question", "Is the secretary of the press office here?")]
            return doc(f"briefing-{n}", language, turns, title=title, topics=["harbour"])

        self.load(
            briefing(3, "Press briefing by the press secretary", "Press Secretary Jen Psaki"),
            briefing(5, "Briefing by the Secretary of Press", "Karine Jean-Pierre"),
            briefing(8, "Daily briefing", "The Press Secretary"),
            briefing(6, "Harbour briefing", "Press Secretary Jen Psaki"),
            briefing(4, "Harbour briefing", "Secretary for Press Affairs"),
            briefing(2, "Conferencia del secretario de prensa", "Secretario de Prensa", language="es"),
            doc("plain", "en", [("Reporter", "question", "The press secretary and the harbour.")]),
        )
        queries = [
            '"press secretary"',
            "press secretary",
            "press -office",
            "press secretar*",
            '"press secretary" -answers',
            "press OR harbour",
            "secretary harbour",
            "prensa",
            "kind:question press",
        ]

        def answers(split_from: int) -> list[tuple[Any, ...]]:
            found = []
            with mock.patch.object(ranking, "CONTEXT_SPLIT_MIN", split_from):
                for q in queries:
                    for kind in (None, "answer"):
                        request = SearchRequest(query=parse_query(q), limit=100, facets=True, kind=kind)
                        with mock.patch.object(self.backend, "_kept", postgres_kept.KeptResults()):
                            results = self.backend.search(request)
                        hits = [(hit.turn_id, round(hit.score, 6)) for hit in results.hits]
                        found.append((q, kind, results.total, hits, results.facets))
            return found

        statements: list[str] = []

        def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            statements.append(sql)
            return execute(sql, params, many, context)

        read = answers(split_from=10**9)
        with connection.execute_wrapper(record):
            split = answers(split_from=1)
        self.assertEqual(split, read)
        indexer.rebuild()  # the contexts as a rebuild writes them (the turns keep their ids)
        self.assertEqual(answers(split_from=1), read)
        self.assertEqual(sum(1 for _, _, total, _, _ in read if total > 0), 16)  # not answers of nothing
        # Ranked per context in all but the searches that exclude words and the two with a field
        # term (SQL beside the tsquery); `prensa` is in no turn's text, only in a title.
        self.assertEqual(sum("contexts AS MATERIALIZED" in sql for sql in statements), 12)

    def test_a_search_leaves_the_sessions_planner_settings_as_they_were(self) -> None:
        self.load(BRIEFING_EN)
        settings = (
            "SELECT current_setting('enable_seqscan'), current_setting('jit'), current_setting('work_mem')"
        )
        with connection.cursor() as cursor:  # (the test's transaction stays open throughout)
            cursor.execute(settings)
            before = cursor.fetchone()
            self.assertGreater(search_turns(SearchParameters(q="tariffs")).count, 0)
            cursor.execute(settings)
            self.assertEqual(cursor.fetchone(), before)
        self.assertEqual(before[0], "on")


def test_a_phrase_is_loosened_to_its_words_except_under_not() -> None:
    phrase = Ts("'a' <-> 'b'", loose="'a' & 'b'")
    either = join_parts([phrase, Ts("'c'")], "OR")
    assert isinstance(either, Ts)
    assert (either.text, either.loose) == ("('a' <-> 'b') | ('c')", "('a' & 'b') | ('c')")
    # NOT (a and b) excludes more than NOT (a then b): kept as the phrase
    excluded = join_parts([Ts("'c'"), not_part(phrase)], "AND")
    assert isinstance(excluded, Ts)
    assert (excluded.text, excluded.loose) == ("('c') & (!('a' <-> 'b'))", "")
    assert join_parts([Ts("'c'"), Ts("'d'")], "AND") == Ts("('c') & ('d')")


def test_document_vector_needs_no_database() -> None:
    """The vector literal is built in Python from our analyzers (no PostgreSQL configuration)."""
    from datetime import date

    from archive.search.documents import IndexDocument

    vector = document_vector(
        IndexDocument(
            turn_id=1, transcript_id=1, slug="s", position=1, language="es", kind="answer",
            speaker="presidente", speaker_names=["Presidente"], topics=[], topic_labels=[],
            title="Conferencia", title_language="es", date=date(2021, 1, 1),
            text="La educación pública",
        )
    )  # fmt: skip
    # Spanish stems, accents folded, positions from 1; the words with accents also as written
    for lexeme in ("'wes:educ':2A", "'wes:public':3A", "'wes:educación':2A", "'wes:pública':3A"):
        assert lexeme in vector
    assert "'hes:conferent':1B" in vector  # the title
    assert "'s:presidente':1B" in vector  # the speaker's names, generic analysis


@on_postgres
class PostgresConcurrentBackendTests(PostgresFixtures, ConcurrentBackendTests, TransactionTestCase):
    """Commits for real: the tables are emptied before and after (Django's flush leaves them alone)."""

    def setUp(self) -> None:
        super().setUp()
        self.backend.clear()

    def tearDown(self) -> None:
        self.backend.clear()
        super().tearDown()


@needs_corpus
@on_postgres
class PostgresCorpusEvaluationTests(TestCase):
    """The shared dev queries over the imported sample, on both backends: PostgreSQL must reach
    0.95 in every category and score as Whoosh does, within 0.02."""

    scores: dict[str, dict[str, float]]

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        from archive.devtools.evaluation import evaluate

        with override_settings(SEARCH_INDEXER="worker"):
            import_documents(read_files(collect_files([SHARED / "corpus" / "sample"])))
        spec = json.loads((SHARED / "eval" / "dev.json").read_text(encoding="utf-8"))
        cls.scores = {}
        for name, path in (("whoosh", WHOOSH), ("postgres", BACKEND)):
            with temp_search_index(path):
                indexer.rebuild()
                outcomes = evaluate(spec["queries"], int(spec.get("k", 10)))
            cls.scores[name] = {f"{lang}/{cat}": sum(f) / len(f) for (lang, cat), f in outcomes.items()}

    def test_every_category_reaches_0_95(self) -> None:
        low = {k: v for k, v in self.scores["postgres"].items() if v < 0.95}
        self.assertEqual(low, {})

    def test_every_category_scores_as_with_whoosh(self) -> None:
        whoosh, postgres = self.scores["whoosh"], self.scores["postgres"]
        self.assertEqual(set(postgres), set(whoosh))
        apart = {k: (whoosh[k], postgres[k]) for k in whoosh if abs(whoosh[k] - postgres[k]) > 0.02}
        self.assertEqual(apart, {})


def test_postgres_search_on_sqlite_is_refused_at_startup(tmp_path: Path) -> None:
    env = {**os.environ, "SEARCH_BACKEND": "postgres", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=REPO, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DATABASE_URL must name a PostgreSQL database (it names sqlite3)" in result.stderr


def test_benchmark_compares_named_backends_and_needs_a_database_for_postgres() -> None:
    from archive.devtools.base import DevToolError
    from archive.devtools.benchmarks.backends import backends_env

    assert backends_env("whoosh", None) == {}
    url = "postgres://postgres@127.0.0.1:5432/throwaway"
    assert backends_env("whoosh, postgres", url) == {"DATABASE_URL": url}
    assert backends_env("whoosh", url) == {"DATABASE_URL": url}  # the archive an earlier run imported
    with pytest.raises(DevToolError, match="--pg-url"):
        backends_env("whoosh,postgres", None)
    with pytest.raises(DevToolError, match="unknown solr"):
        backends_env("whoosh,solr", url)


def test_benchmark_prints_backends_side_by_side() -> None:
    from archive.devtools.benchmarks.backends import BackendFigures, print_side_by_side

    lines: list[str] = []
    print_side_by_side(
        lines.append,
        [
            BackendFigures("whoosh", 100, 2.0, 1.5, 3.25, [10.0, 30.0], [5.0, 7.0, 9.0]),
            BackendFigures("postgres", 100, 4.0, 0.5, 4.5, [20.0, 40.0], [6.0, 8.0, 10.0]),
        ],
        queries=2,
        rounds=1,
    )
    assert lines[1].split() == ["whoosh", "postgres"]
    assert "50 turns/s" in lines[4] and "25 turns/s" in lines[4]
    assert lines[7].split()[-4:] == ["7.0", "ms", "8.0", "ms"]  # p50 of each backend's timings
