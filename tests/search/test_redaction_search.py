"""A redaction reaches the index at once in every backend: no match, no suggestion, no term left."""

from __future__ import annotations

import io
import unittest
from typing import Any

from django.core.management import call_command
from django.db import connection
from django.test import TestCase
from whoosh import index as wi

from archive.models import Turn
from archive.redaction import redact_turn
from archive.search import SearchParameters, search_turns
from archive.search.backends.whoosh import WhooshBackend
from tests.fixtures import BRIEFING_EN
from tests.search.backend_mixin import BackendFixtures

WORD = "drones"  # turn 1: "Has the administration sanctioned the companies exporting drones?"


class RedactionSearchTests(BackendFixtures):
    def redact(self: Any) -> None:
        turn = Turn.objects.get(transcript__slug="briefing-en", position=1)
        start = turn.text.index(WORD)
        with self.captureOnCommitCallbacks(execute=True):
            redact_turn(turn, start, start + len(WORD), reason="test")

    def index_terms(self: Any) -> set[str]:
        raise NotImplementedError

    def test_the_redacted_word_finds_nothing_and_is_never_suggested(self: Any) -> None:
        self.load(BRIEFING_EN)
        self.assertEqual(search_turns(SearchParameters(q=WORD)).count, 1)
        self.assertIn("drones", search_turns(SearchParameters(q="dronnes")).suggestion or "")
        self.redact()
        self.assertEqual(search_turns(SearchParameters(q=WORD)).count, 0)
        self.assertEqual(search_turns(SearchParameters(q="drone*")).count, 0)
        self.assertNotIn("drone", search_turns(SearchParameters(q="dronnes")).suggestion or "")
        self.assertEqual(
            search_turns(SearchParameters(q="sanctioned exporting")).count, 1
        )  # the rest of the turn stays

    def test_purge_index_leaves_no_term_of_the_redacted_word_in_the_index(self: Any) -> None:
        self.load(BRIEFING_EN)
        self.assertTrue([t for t in self.index_terms() if "drone" in t])
        self.redact()
        call_command("purge_index", stdout=io.StringIO())
        self.assertEqual([t for t in self.index_terms() if "drone" in t], [])
        self.assertEqual(search_turns(SearchParameters(q="sanctioned exporting")).count, 1)


class WhooshRedactionSearchTests(RedactionSearchTests, TestCase):
    backend_path = "archive.search.backends.whoosh.WhooshBackend"
    backend: WhooshBackend

    def index_terms(self) -> set[str]:
        ix = wi.open_dir(str(self.backend.live_dir()))
        with ix.reader() as reader:
            return {text.decode("utf-8", "replace") for _field, text in reader.all_terms()}


@unittest.skipUnless(
    connection.vendor == "postgresql",
    "the PostgreSQL search backend needs a PostgreSQL database (DATABASE_URL=postgres://...)",
)
class PostgresRedactionSearchTests(RedactionSearchTests, TestCase):
    backend_path = "archive.search.backends.postgres.PostgresBackend"

    def index_terms(self) -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT term FROM search_term")
            terms = {row[0] for row in cursor.fetchall()}
            cursor.execute("SELECT word FROM ts_stat('SELECT tsv FROM search_document')")
            return terms | {row[0] for row in cursor.fetchall()}
