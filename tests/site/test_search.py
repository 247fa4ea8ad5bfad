"""The /search/ page: the engine's results rendered for readers (real Whoosh index, real database)."""

from __future__ import annotations

import re

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from archive.search import SearchParameters, indexer, search_turns
from tests.api.helpers import without_throttling
from tests.fixtures import build_archive

EN = "/transcripts/mfa-briefing-2026-06-10/"
ZH = "/transcripts/mfa-briefing-2026-06-10-zh/"


class SearchPageTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        build_archive()
        indexer.rebuild()  # inside a TestCase nothing commits, so the outbox is never applied by itself

    def search(self, **params: str) -> str:
        response = self.client.get("/search/", params)
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def test_without_a_query_it_explains_how_to_search(self) -> None:
        content = self.search()
        self.assertIn("How to search", content)
        self.assertIn('name="q" value="" dir="auto"', content)

    def test_a_chinese_query_finds_the_turn_and_links_to_its_place(self) -> None:
        response = self.client.get("/search/", {"q": "文明"})
        hits = {(item["transcript"].slug, item["turn"].position) for item in response.context["hits"]}
        self.assertIn(("mfa-briefing-2026-06-10-zh", 2), hits)
        content = response.content.decode()
        self.assertIn(f'href="{ZH}#turn-2"', content)
        self.assertIn("<mark>", content)
        self.assertIn('lang="zh-Hans" dir="ltr"', content)
        # The query is kept in the box.
        self.assertIn('name="q" value="文明"', content)

    def test_a_question_hit_shows_its_answer_and_an_answer_hit_its_question(self) -> None:
        response = self.client.get("/search/", {"q": "escalation", "language": "en"})
        item = next(i for i in response.context["hits"] if i["turn"].position == 4)
        self.assertEqual(item["answer"]["turn"].position, 5)
        self.assertIn(f'href="{EN}#turn-5"', response.content.decode())
        response = self.client.get("/search/", {"q": "restraint", "language": "en"})
        item = next(i for i in response.context["hits"] if i["turn"].position == 5)
        self.assertEqual(item["question"]["turn"].position, 4)

    def test_a_hits_translations_are_one_click_away(self) -> None:
        response = self.client.get("/search/", {"q": "restraint", "language": "en"})
        item = next(i for i in response.context["hits"] if i["turn"].position == 5)
        languages = {t["lang"] for t in item["translations"]}
        self.assertEqual(languages, {"zh-Hans", "he"})
        content = response.content.decode()
        self.assertIn(f'href="{ZH}#turn-5"', content)
        self.assertIn(f'href="{EN}?compare=mfa-briefing-2026-06-10-zh#turn-5"', content)
        self.assertIn("中方呼吁各方保持克制，立即停火。", content)

    def test_facets_are_links_with_counts_in_the_readers_language(self) -> None:
        query = {"q": "文明 OR civilizations OR תרבויות"}
        response = self.client.get("/he/search/", query)
        facets = {facet["name"]: facet["values"] for facet in response.context["facets"]}
        self.assertIn("language", facets)
        labels = {value.value: value.label for value in facets["language"]}
        self.assertEqual(labels.get("zh-Hans"), "סינית פשוטה")
        for value in facets["language"]:
            self.assertIn(f"language={value.value}", value.url)
            self.assertGreater(value.count, 0)

    def test_a_facet_filter_narrows_and_can_be_removed(self) -> None:
        response = self.client.get("/search/", {"q": "文明 OR civilizations", "language": "en"})
        self.assertTrue(response.context["hits"])
        self.assertEqual({i["transcript"].language for i in response.context["hits"]}, {"en"})
        remove = response.context["active_filters"][0]["remove"]
        self.assertEqual(remove, "?q=%E6%96%87%E6%98%8E+OR+civilizations")

    def test_the_speaker_filter_searches_within_one_speakers_turns(self) -> None:
        response = self.client.get("/search/", {"q": "", "speaker": "yoav-kish"})
        self.assertTrue(response.context["hits"])
        self.assertEqual({i["speaker_slug"] for i in response.context["hits"]}, {"yoav-kish"})
        self.assertIn("Yoav Kish", response.content.decode())

    def test_sorting_by_date(self) -> None:
        response = self.client.get("/search/", {"q": "", "kind": "answer", "sort": "date"})
        dates = [i["transcript"].date for i in response.context["hits"]]
        self.assertEqual(dates, sorted(dates))
        self.assertIn('aria-current="true">Oldest first</a>', response.content.decode())

    def test_no_result_gives_helpful_advice(self) -> None:
        content = self.search(q="zzzqqqxxx")
        self.assertIn("No turn matches this search.", content)
        self.assertIn("0 turns found", content)

    def test_a_misspelt_query_offers_a_did_you_mean_link_keeping_the_filters(self) -> None:
        response = self.client.get("/search/", {"q": "restrant", "kind": "answer", "typos": "0"})
        suggestion = response.context["results"].suggestion
        self.assertEqual(suggestion, "restraint")
        link = '<a href="?q=restraint&amp;kind=answer&amp;typos=0" dir="auto">restraint</a>'
        self.assertContains(response, link, html=True)

    def test_a_misspelt_query_is_corrected_with_a_link_to_the_words_as_typed_keeping_the_filters(
        self,
    ) -> None:
        response = self.client.get("/search/", {"q": "restrant", "kind": "answer"})
        self.assertEqual(response.context["results"].corrected, {"from": "restrant", "to": "restraint"})
        self.assertGreater(response.context["results"].count, 0)
        self.assertContains(response, "Showing results for <bdi><strong>restraint</strong></bdi>")
        link = (
            '<a href="?q=restrant&amp;kind=answer&amp;typos=0" dir="auto">'
            "Search instead for <bdi>restrant</bdi></a>"
        )
        self.assertContains(response, link, html=True)
        self.assertNotContains(response, "Did you mean")

    def test_a_refused_query_is_explained_not_a_server_error(self) -> None:
        content = self.search(q="a*")
        self.assertIn('role="alert"', content)
        self.assertIn("This search cannot be run:", content)

    def test_odd_input_never_breaks_the_page(self) -> None:
        odd = ['"unbalanced', "((((", "speaker:", "-", "<script>alert(1)</script>", "\u200f\u202e", "OR NOT"]
        for q in odd:
            with self.subTest(q=q):
                content = self.search(q=q)
                self.assertNotIn("<script>alert(1)</script>", content)
        self.search(q="x", page="abc")
        self.search(q="x", year="20x6", kind="nonsense", sort="sideways")
        # Digits that are not decimal ("²") pass str.isdigit() but not int() (found by fuzzing).
        self.search(q="x", page="²", year="²０²⁴")

    def test_drafts_never_appear_in_results(self) -> None:
        for q in ["visible", "审校中", "never"]:
            content = self.search(q=q)
            self.assertNotIn("secret-draft-briefing", content)
            self.assertNotIn("zh-review", content)

    def test_results_are_paginated(self) -> None:
        response = self.client.get("/search/", {"q": "", "language": "zh-Hans"})
        self.assertEqual(response.context["results"].page_size, 20)
        shown = len(re.findall(r'<li class="result">', response.content.decode()))
        self.assertEqual(shown, min(20, response.context["results"].count))

    def test_the_page_adds_two_queries_to_the_engines_whatever_the_number_of_hits(self) -> None:
        # Ours: the speakers and topics of the facets and filters, named in the reader's language.
        for q in ["文明 OR civilizations OR restraint", "restraint", "Dialogue"]:
            with self.subTest(q=q), CaptureQueriesContext(connection) as engine:
                hits = search_turns(SearchParameters(q=q, page_size=20)).count
            # The throttle's cache reads and writes are not the page's: counted without it.
            queries = len(engine.captured_queries) + 2
            with self.subTest(q=q, hits=hits), without_throttling(), self.assertNumQueries(queries):
                self.search(q=q)
