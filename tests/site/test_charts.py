"""Server-drawn SVG charts: a speaker's turns by month by topic, their questions' answer record,
and the search's hits by year; each with its numbers as a table, and within the CSP."""

from __future__ import annotations

import re
from typing import Any

from django.test import TestCase

from archive.search import SearchParameters, indexer, search_turns
from tests.browser import BrowserTestCase
from tests.fixtures import document, import_document
from tests.search.helpers import temp_search_index
from tests.security.test_browser_csp import RECORD_VIOLATIONS


def session(
    slug: str, date: str, *, topic: str = "technology", statuses: tuple[str, ...] = ()
) -> dict[str, Any]:
    doc = document(slug=slug, date=date, topics=[topic])
    for turn, status in zip((t for t in doc["turns"] if t["kind"] == "question"), statuses, strict=False):
        turn["answer_status"] = status
    return doc


class SpeakerTimelineTests(TestCase):
    def setUp(self) -> None:
        self.enterContext(temp_search_index())
        import_document(session("one", "2014-04-10", statuses=("answered", "deflected")))
        import_document(session("two", "2014-06-02", topic="economy", statuses=("unanswered",)))

    def test_the_speaker_page_draws_turns_by_month_coloured_by_topic(self) -> None:
        html = self.client.get("/speakers/shimon-peres/").content.decode()
        svg = html[html.index('<svg class="chart"') : html.index("</svg>", html.index('<svg class="chart"'))]
        # Two answers in April (technology), none in May, two in June (economy).
        titles = re.findall(r'<rect class="(chart__\w+)"[^>]*><title>([^<]*)</title>', svg)
        self.assertEqual(
            titles, [("chart__s1", "2014-04: 2 (technology)"), ("chart__s0", "2014-06: 2 (economy)")]
        )
        self.assertIn(">2014-05<", svg)
        self.assertNotIn("style=", svg)

    def test_the_chart_has_its_numbers_as_a_table(self) -> None:
        html = self.client.get("/speakers/shimon-peres/").content.decode()
        table = html[html.index('<table class="data-table">') : html.index("</table>")]
        rows = re.findall(r'<tr><th scope="row">([^<]*)</th>((?:<td>\d+</td>)+)</tr>', table)
        self.assertEqual(
            [(month, re.findall(r"\d+", cells)) for month, cells in rows],
            [("2014-04", ["0", "2", "2"]), ("2014-06", ["2", "0", "2"])],
        )

    def test_a_speaker_page_shows_how_the_questions_they_replied_to_fared(self) -> None:
        response = self.client.get("/speakers/shimon-peres/")
        record = response.context["answer_records"]
        self.assertEqual([r.label for r in record], ["Questions they replied to"])
        self.assertEqual(
            [(status, count) for status, _, count in record[0].counts],
            [("answered", 1), ("partly", 0), ("unanswered", 1), ("deflected", 1)],
        )
        self.assertEqual(record[0].unassessed, 1)
        asker = self.client.get("/speakers/weibo-user/").context["answer_records"]
        self.assertEqual([r.label for r in asker], ["Questions they asked"])


class SearchHistogramTests(TestCase):
    def setUp(self) -> None:
        self.enterContext(temp_search_index())

    def test_the_search_page_shows_hits_by_year_with_empty_years_between(self) -> None:
        import_document(session("one", "2014-04-10"))
        import_document(session("two", "2016-06-02"))
        indexer.rebuild()
        html = self.client.get("/search/", {"q": "secret"}).content.decode()
        svg = html[html.index('<svg class="chart"') : html.index("</svg>", html.index('<svg class="chart"'))]
        self.assertEqual(re.findall(r"<title>([^<]*)</title>", svg), ["2014: 2", "2016: 2"])
        self.assertIn(">2015<", svg)
        self.assertIn('href="?q=secret&amp;year=2014"', svg)

    def test_the_year_facet_holds_every_year_not_only_the_commonest(self) -> None:
        for year in range(1990, 2020):
            import_document(session(f"s{year}", f"{year}-01-01"))
        indexer.rebuild()
        years = [v.value for v in search_turns(SearchParameters(q="secret")).facets["year"]]
        self.assertEqual(sorted(years), [str(y) for y in range(1990, 2020)])


class ChartsUnderTheCspTests(BrowserTestCase):
    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD_VIOLATIONS})

    def test_the_speaker_timeline_renders_coloured_without_violations(self) -> None:
        import_document(session("one", "2014-04-10"))
        self.open("/speakers/shimon-peres/")
        fill = self.js("return getComputedStyle(document.querySelector('svg.chart rect')).fill")
        self.assertEqual(fill, "rgb(11, 79, 156)")  # chart__s0 from site.css
        self.assertEqual(self.js("return window.__cspViolations || ['recorder missing']"), [])
