"""Fuzzing the query language: generated queries (mixed scripts, operators, quotes, parentheses,
field prefixes, stars, control characters, long input) against a real small Whoosh index.

Every query is answered or refused with QueryRefused (a 400 over HTTP), never anything else,
and each is answered within QUERY_BOUND seconds: the issue's behaviour bound, generous on
purpose (the backend gives up collecting after a second), not a speed benchmark.
"""

from __future__ import annotations

import time
from datetime import date

from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from archive.models import TranscriptStatus
from archive.search import SearchParameters, indexer, search_turns
from archive.search.errors import QueryRefused
from archive.search.query import parse_query
from tests.api.helpers import without_throttling
from tests.fixtures import (
    BRIEFING_EN,
    KNESSET_HE,
    MANANERA_ES,
    MFA_EN,
    MFA_ZH,
    MINISTRY_AR,
    OTHERS,
    PERES_EN,
    PERES_ZH,
    TOKYO_JA,
    doc,
    import_document,
)
from tests.fuzz.helpers import examples, filter_values, queries
from tests.search.helpers import temp_search_index

QUERY_BOUND = 2.0  # seconds per query


class FuzzedQueryTests(TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.enterClassContext(temp_search_index())  # removed after tearDownClass
        super().setUpClass()  # setUpTestData: the archive the index is built from
        indexer.rebuild()

    @classmethod
    def setUpTestData(cls) -> None:
        for data in (BRIEFING_EN, MANANERA_ES, KNESSET_HE, MFA_ZH, MFA_EN, TOKYO_JA, MINISTRY_AR, *OTHERS):
            import_document(data)
        import_document(PERES_EN)
        import_document(PERES_ZH)
        # Must never be found.
        import_document(
            doc("secret-draft", "en", [("Reporter", "question", "tariffs steel")], status="draft")
        )

    @examples(500)
    @given(q=queries)
    @example(q="(" * 20 + "tariffs" + ")" * 20)
    @example(q='"' * 501)
    @example(q="a* b* c* *d ?e")
    @example(q=" OR ".join(["tariffs"] * 40))
    def test_the_parser_answers_or_refuses(self, q: str) -> None:
        try:
            parse_query(q)
        except QueryRefused as refused:
            self.assertTrue(str(refused))

    @examples(150)
    @given(
        q=queries,
        language=filter_values,
        speaker=filter_values,
        topic=filter_values,
        kind=filter_values,
        sort=st.sampled_from(["relevance", "date", "-date", "bogus"]),
        page=st.integers(-3, 600),
        page_size=st.integers(-3, 500),
        dates=st.tuples(st.none() | st.dates(), st.none() | st.dates()),
    )
    def test_search_answers_within_the_bound_or_refuses(
        self,
        q: str,
        language: str | None,
        speaker: str | None,
        topic: str | None,
        kind: str | None,
        sort: str,
        page: int,
        page_size: int,
        dates: tuple[date | None, date | None],
    ) -> None:
        started = time.monotonic()
        try:
            found = search_turns(
                SearchParameters(
                    q=q,
                    language=language or "",
                    speaker=speaker or "",
                    topic=topic or "",
                    kind=kind or "",
                    date_from=dates[0],
                    date_to=dates[1],
                    sort=sort,
                    page=page,
                    page_size=page_size,
                )
            )
        except QueryRefused as refused:
            self.assertTrue(str(refused))
        else:
            for hit in found.results:
                self.assertEqual(hit.transcript.status, TranscriptStatus.PUBLISHED)
        elapsed = time.monotonic() - started
        self.assertLess(elapsed, QUERY_BOUND, f"{q!r} took {elapsed:.2f} s")

    @examples(60)
    @given(
        q=queries,
        params=st.dictionaries(
            st.sampled_from(
                ["language", "speaker", "topic", "kind", "sort", "page", "page_size", "date_from"]
            ),
            st.text(max_size=15),
            max_size=3,
        ),
    )
    def test_the_api_and_the_search_page_never_fail(self, q: str, params: dict[str, str]) -> None:
        with without_throttling():
            for url in ("/api/v1/search/", "/search/"):
                started = time.monotonic()
                response = self.client.get(url, {"q": q, **params})
                elapsed = time.monotonic() - started
                self.assertIn(response.status_code, (200, 400), f"{url} {q!r} {params}")
                self.assertLess(elapsed, QUERY_BOUND, f"{url} {q!r} took {elapsed:.2f} s")
                if url.startswith("/api/") and response.status_code == 400:
                    self.assertTrue(response.json())  # says why
