"""Searching questions by answer status, in every backend: the filter, the facet and `answered:`."""

from __future__ import annotations

import unittest
from typing import Any

from django.db import connection
from django.test import TestCase

from archive.search import SearchParameters, search_turns
from tests.fixtures import BRIEFING_EN
from tests.search.backend_mixin import BackendFixtures


def briefing_with_statuses() -> dict[str, Any]:
    doc = {**BRIEFING_EN, "turns": [dict(t) for t in BRIEFING_EN["turns"]]}
    doc["turns"][0]["answer_status"] = "answered"
    doc["turns"][2]["answer_status"] = "deflected"
    return doc


class AnswerStatusSearchTests(BackendFixtures):
    def test_the_filter_keeps_questions_with_that_status(self: Any) -> None:
        self.load(briefing_with_statuses())
        page = search_turns(SearchParameters(q="", answered="deflected"))
        self.assertEqual(self.found(page), [("briefing-en", 3)])

    def test_the_facet_counts_questions_by_status(self: Any) -> None:
        self.load(briefing_with_statuses())
        page = search_turns(SearchParameters(q="", kind="question"))
        counts = {v.value: (v.label, v.count) for v in page.facets["answered"]}
        self.assertEqual(counts, {"answered": ("Answered", 1), "deflected": ("Deflected", 1)})

    def test_answered_no_in_the_query_finds_questions_left_without_an_answer(self: Any) -> None:
        self.load(briefing_with_statuses())
        self.assertEqual(self.found(search_turns(SearchParameters(q="answered:no"))), [("briefing-en", 3)])
        self.assertEqual(self.found(search_turns(SearchParameters(q="answered:yes"))), [("briefing-en", 1)])
        self.assertEqual(
            self.found(search_turns(SearchParameters(q="steel answered:no"))), [("briefing-en", 3)]
        )
        self.assertEqual(search_turns(SearchParameters(q="answered:perhaps")).count, 0)
        self.assertEqual(
            search_turns(SearchParameters(q="companies -answered:yes")).count, 1
        )  # the answer, #2


class WhooshAnswerStatusSearchTests(AnswerStatusSearchTests, TestCase):
    backend_path = "archive.search.backends.whoosh.WhooshBackend"


@unittest.skipUnless(
    connection.vendor == "postgresql",
    "the PostgreSQL search backend needs a PostgreSQL database (DATABASE_URL=postgres://...)",
)
class PostgresAnswerStatusSearchTests(AnswerStatusSearchTests, TestCase):
    backend_path = "archive.search.backends.postgres.PostgresBackend"
