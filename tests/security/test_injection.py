"""Script and SQL injection: whatever a curator or importer types is shown as text everywhere.

Every payload fills the title, event, place, speaker names (in every script) and role, a topic's
labels and the turn texts of one published transcript; each public page, the search page's
highlights, the Atom feed, the API's JSON and every export must show it as text.
"""

from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser
from typing import Any
from xml.etree import ElementTree

from django.test import TestCase
from django.utils.html import escape

from archive.models import Speaker, Topic, Transcript, Turn
from archive.search import indexer
from tests.fixtures import document, import_document

XSS_PAYLOADS = [
    "<script>alert('xss')</script>",
    "<img src=x onerror=alert(1)>",
    "<svg/onload=alert(1)>",
    '"><script>alert(2)</script>',
    "' onmouseover='alert(3)' x='",
    '" onfocus="alert(4)" autofocus="',
    "</textarea></title><script>alert(5)</script>",
    '<a href="javascript:alert(6)">click</a>',
    "javascript:alert(7)",
    "<!--",
    "]]></content><script>alert(8)</script>",
]
SQL_PAYLOADS = [
    "'; DROP TABLE archive_transcript; --",
    "' OR '1'='1",
    '" OR 1=1 --',
    "1; UPDATE archive_transcript SET status='published' --",
    "%' UNION SELECT username, password FROM auth_user --",
]
# A word that is in every injected turn, so search finds them (and highlights around the payload).
MARKER = "zanzibar"


def injected_document(index: int, payload: str) -> dict[str, Any]:
    speaker = {
        "name": f"{payload} speaker",
        "slug": f"injected-speaker-{index}",
        "role": payload,
        "names": {"he": f"{payload} דובר", "zh-Hans": f"{payload} 发言人"},
    }
    return document(
        slug=f"injected-{index}",
        title=f"{payload} title",
        event=payload,
        place=payload,
        topics=[f"injected-topic-{index}"],
        speakers=[speaker, {"name": "Reporter", "slug": f"injected-reporter-{index}"}],
        turns=[
            # Timed, so the subtitle exports hold them too.
            {
                "speaker": "Reporter",
                "kind": "question",
                "text": f"{MARKER} question {payload}",
                "start": 1,
                "end": 2,
            },
            {
                "speaker": f"{payload} speaker",
                "kind": "answer",
                "text": f"{MARKER} answer {payload} end",
                "start": 3,
                "end": 4,
            },
        ],
    )


class ActiveMarkup(HTMLParser):
    """Collects what a browser would run or load from a page: scripts, handlers, URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # The site's own charts are inline SVG (archive/charts.py); any other SVG came from data.
        ours = tag == "svg" and dict(attrs).get("class") in {"chart", "chart-key__swatch"}
        if tag in {"img", "svg", "iframe", "object", "embed"} and not ours:
            self.found.append(f"<{tag}>")
        if tag == "script" and dict(attrs).get("src") != "/static/archive/site.js":
            self.found.append(f"<script {attrs}>")
        for name, value in attrs:
            if name.startswith("on") or name == "autofocus":
                self.found.append(f"{tag} {name}={value}")
            if name in {"href", "src", "action"} and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"{tag} {name}={value}")


def active_markup(html: str) -> list[str]:
    parser = ActiveMarkup()
    parser.feed(html)
    parser.close()
    return parser.found


def is_dangerous(payload: str) -> bool:
    return any(character in payload for character in "<>\"'")


class InjectionTestCase(TestCase):
    payloads: list[str] = []

    @classmethod
    def setUpTestData(cls) -> None:
        for index, payload in enumerate(cls.payloads):
            import_document(injected_document(index, payload))
            Topic.objects.filter(slug=f"injected-topic-{index}").update(
                labels={"en": f"{payload} topic", "he": f"{payload} נושא"}
            )
        indexer.rebuild()  # inside a TestCase nothing commits, so the outbox is never applied

    def public_html_pages(self, index: int) -> list[str]:
        slug = f"injected-{index}"
        return [
            "/",
            "/transcripts/",
            f"/transcripts/{slug}/",
            f"/transcripts/{slug}/cite/1/",
            f"/transcripts/{slug}/cite/2/",
            "/speakers/",
            f"/speakers/injected-speaker-{index}/",
            "/topics/",
            f"/topics/injected-topic-{index}/",
            f"/search/?q={MARKER}",
            f"/search/?q={MARKER}&speaker=injected-speaker-{index}",
        ]


class ScriptInjectionTests(InjectionTestCase):
    payloads = XSS_PAYLOADS

    def assert_shown_as_text(self, html: str, payload: str, where: str) -> None:
        if is_dangerous(payload):
            self.assertNotIn(payload, html, where)
        self.assertEqual(active_markup(html), [], where)
        self.assertIsNone(re.search(r"<script>alert|<img src=x|<svg/onload", html), where)

    def test_every_public_page_shows_the_payloads_as_text(self) -> None:
        for index, payload in enumerate(self.payloads):
            for url in self.public_html_pages(index):
                with self.subTest(payload=payload, url=url):
                    response = self.client.get(url)
                    self.assertEqual(response.status_code, 200)
                    html = response.content.decode()
                    self.assert_shown_as_text(html, payload, url)
            # And the page about it does show it, escaped (it is not silently dropped).
            page = self.client.get(f"/transcripts/injected-{index}/").content.decode()
            self.assertIn(escape(f"{MARKER} answer {payload} end"), page)

    def test_search_highlights_escape_the_payload_around_the_mark(self) -> None:
        response = self.client.get("/api/v1/search/", {"q": MARKER, "page_size": "100"})
        self.assertEqual(response.status_code, 200)
        results = response.json()["results"]
        self.assertEqual(len(results), 2 * len(self.payloads))
        for result in results:
            highlight = result["highlight"]
            without_marks = highlight.replace("<mark>", "").replace("</mark>", "")
            with self.subTest(highlight=highlight):
                self.assertIn("<mark>", highlight)
                self.assertNotIn("<", without_marks)
                self.assertNotIn(">", without_marks)

    def test_the_atom_feed_escapes_them(self) -> None:
        response = self.client.get("/feed/")
        self.assertEqual(response.status_code, 200)
        xml = response.content.decode()
        for payload in self.payloads:
            with self.subTest(payload=payload):
                if "<" in payload:
                    self.assertNotIn(payload, xml)
        # The summary is type="text": after XML decoding a reader has the payload as text, never markup.
        from xml.etree import ElementTree

        atom = "{http://www.w3.org/2005/Atom}"
        entries = ElementTree.fromstring(response.content).findall(f"{atom}entry")
        self.assertEqual(len(entries), len(self.payloads))
        for entry in entries:
            title = entry.findtext(f"{atom}title") or ""
            summary = entry.find(f"{atom}summary")
            with self.subTest(title=title):
                self.assertIn(title.removesuffix(" title"), self.payloads)
                self.assertIsNotNone(summary)
                self.assertEqual(summary.get("type"), "text")  # type: ignore[union-attr]

    def test_the_api_json_gives_the_payloads_back_exactly_as_data(self) -> None:
        for index, payload in enumerate(self.payloads):
            with self.subTest(payload=payload):
                response = self.client.get(f"/api/v1/transcripts/injected-{index}/")
                self.assertEqual(response.status_code, 200)
                self.assertEqual(response["Content-Type"], "application/json")
                data = response.json()
                self.assertEqual(data["title"], f"{payload} title")
                self.assertEqual(data["turns"][1]["text"], f"{MARKER} answer {payload} end")
                speaker = next(s for s in data["speakers"] if s["slug"] == f"injected-speaker-{index}")
                self.assertEqual(speaker["names"]["he"], f"{payload} דובר")
                topic = self.client.get(f"/api/v1/topics/injected-topic-{index}/").json()
                self.assertEqual(topic["labels"]["en"], f"{payload} topic")

    def test_every_export_is_served_as_its_own_type_never_as_html(self) -> None:
        from archive.exporters import EXPORTERS

        for index, payload in enumerate(self.payloads):
            for name in EXPORTERS:
                with self.subTest(payload=payload, format=name):
                    response = self.client.get(f"/transcripts/injected-{index}/export.{name}")
                    self.assertEqual(response.status_code, 200)
                    self.assertNotIn("html", response["Content-Type"])
                    self.assertEqual(response["X-Content-Type-Options"], "nosniff")
                    body = response.getvalue()  # streamed or not
                    text = body.decode("utf-8-sig")  # csv-excel starts with a byte-order mark
                    if name in {"json", "ndjson"}:
                        data = json.loads(text.splitlines()[0] if name == "ndjson" else text)
                        self.assertEqual(data["title"], f"{payload} title")
                    elif name in {"csv", "csv-excel"}:  # the Excel variant opens with a byte-order mark
                        rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
                        self.assertEqual({row["title"] for row in rows}, {f"{payload} title"})
                    elif name in {"tei", "akn"}:  # XML: escaped in the markup, as typed in the text
                        self.assertIn(payload, "".join(ElementTree.fromstring(body).itertext()))
                    else:
                        self.assertIn(payload, text)  # a text format keeps the text as typed


class SqlInjectionTests(InjectionTestCase):
    payloads = SQL_PAYLOADS

    def test_sql_in_the_fields_is_stored_and_shown_as_plain_text(self) -> None:
        for index, payload in enumerate(self.payloads):
            with self.subTest(payload=payload):
                transcript = Transcript.objects.get(slug=f"injected-{index}")
                self.assertEqual(transcript.title, f"{payload} title")
                page = self.client.get(f"/transcripts/injected-{index}/")
                self.assertContains(page, escape(f"{MARKER} answer {payload} end"))

    def test_sql_in_every_parameter_changes_nothing(self) -> None:
        counts = (Transcript.objects.count(), Turn.objects.count(), Speaker.objects.count())
        published = set(Transcript.objects.filter(status="published").values_list("slug", flat=True))
        for payload in self.payloads:
            for url, params in [
                ("/search/", {"q": payload}),
                ("/search/", {"q": MARKER, "speaker": payload, "topic": payload, "language": payload}),
                ("/transcripts/", {"language": payload, "year": payload, "speaker": payload}),
                ("/speakers/", {"q": payload}),
                ("/api/v1/search/", {"q": payload}),
                ("/api/v1/transcripts/", {"language": payload, "speaker": payload, "topic": payload}),
                ("/api/v1/turns/", {"speaker": payload, "q": payload}),
            ]:
                with self.subTest(payload=payload, url=url):
                    response = self.client.get(url, params)
                    self.assertIn(response.status_code, {200, 400})
            with self.subTest(payload=payload, url="slug"):
                self.assertEqual(self.client.get(f"/transcripts/{payload}/").status_code, 404)
        self.assertEqual((Transcript.objects.count(), Turn.objects.count(), Speaker.objects.count()), counts)
        self.assertEqual(
            set(Transcript.objects.filter(status="published").values_list("slug", flat=True)), published
        )

    def test_a_filter_that_looks_like_a_tautology_matches_nothing(self) -> None:
        response = self.client.get("/api/v1/transcripts/", {"speaker": "' OR '1'='1"})
        if response.status_code == 200:
            self.assertEqual(response.json()["count"], 0)
        response = self.client.get("/api/v1/search/", {"q": MARKER, "speaker": "' OR '1'='1"})
        if response.status_code == 200:
            self.assertEqual(response.json()["count"], 0)
