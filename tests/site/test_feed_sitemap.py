"""The Atom feed of new transcripts and the sitemap."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import feedparser
from django.test import TestCase

from tests.fixtures import build_archive, document, import_document

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


class FeedTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        build_archive()

    def test_every_page_links_the_feed_from_its_head(self) -> None:
        for url in [
            "/",
            "/transcripts/",
            "/speakers/lin-jian/",
            "/topics/diplomacy/",
            "/transcripts/mananera-2020-02-03/",
        ]:
            content = self.client.get(url).content.decode()
            head = content[: content.index("</head>")]
            self.assertIn('<link rel="alternate" type="application/atom+xml"', head, url)
            self.assertIn('href="/feed/"', head, url)

    def test_the_feed_lists_published_transcripts_newest_first(self) -> None:
        response = self.client.get("/feed/")
        self.assertEqual(response["Content-Type"], "application/atom+xml; charset=utf-8")
        feed = ET.fromstring(response.content)
        entries = feed.findall(f"{ATOM}entry")
        links = [entry.find(f"{ATOM}link").get("href") for entry in entries]  # type: ignore[union-attr]
        self.assertEqual(len(entries), 6)
        self.assertIn("http://testserver/transcripts/mfa-briefing-2026-06-10-zh/", links)
        titles = [entry.findtext(f"{ATOM}title") for entry in entries]
        self.assertIn("外交部例行记者会", titles)
        self.assertIn("הוועדה המסדרת: ישיבה", titles)

    def test_entries_come_in_order_of_publication_not_of_import(self) -> None:
        import_document(document(slug="old-but-imported-last", date="2001-05-01"))
        feed = feedparser.parse(self.client.get("/feed/").content)
        published = [entry.published_parsed for entry in feed.entries]
        self.assertEqual(published, sorted(published, reverse=True))
        self.assertEqual(feed.entries[-1].link, "http://testserver/transcripts/old-but-imported-last/")
        self.assertEqual(feed.entries[-1].published[:10], "2001-05-01")

    def test_feedparser_reads_an_author_each_entrys_language_and_summaries_escaped_once(self) -> None:
        description = 'Tom & Jerry say <b>1 < 2</b> & "quotes"'
        import_document(document(slug="markup-in-text", description=description, date="2030-01-01"))
        feed = feedparser.parse(self.client.get("/feed/").content)
        self.assertFalse(feed.bozo, feed.get("bozo_exception"))
        self.assertEqual(feed.feed.author, "Q&A Transcript Archive")
        languages = {entry.link.rsplit("/", 2)[-2]: entry.title_detail.language for entry in feed.entries}
        self.assertEqual(languages["mfa-briefing-2026-06-10-zh"], "zh-Hans")
        self.assertEqual(languages["knesset-arrangements-committee"], "he")
        self.assertEqual(languages["mananera-2020-02-03"], "es")
        entry = feed.entries[0]
        self.assertEqual(entry.link, "http://testserver/transcripts/markup-in-text/")
        self.assertEqual(entry.summary_detail.type, "text/plain")
        self.assertEqual(entry.summary.splitlines()[-1], description)

    def test_the_feed_speaks_the_readers_language(self) -> None:
        feed = ET.fromstring(self.client.get("/feed/", HTTP_ACCEPT_LANGUAGE="es").content)
        self.assertEqual(feed.findtext(f"{ATOM}title"), "Archivo de transcripciones: transcripciones nuevas")


class SitemapTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        build_archive()

    def test_the_sitemap_lists_published_pages_only(self) -> None:
        response = self.client.get("/sitemap.xml")
        self.assertEqual(response.status_code, 200)
        locations: set[str] = set()
        for element in ET.fromstring(response.content).iter(f"{SITEMAP}loc"):
            assert element.text, "an empty <loc>"
            locations.add(element.text)
        expected = {
            "http://testserver/",
            "http://testserver/transcripts/",
            "http://testserver/speakers/",
            "http://testserver/topics/",
            "http://testserver/transcripts/mfa-briefing-2026-06-10/",
            "http://testserver/transcripts/mfa-briefing-2026-06-10-zh/",
            "http://testserver/speakers/lin-jian/",
            "http://testserver/topics/diplomacy/",
            "http://testserver/topics/civilizations/",  # a topic of one turn only
        }
        self.assertLessEqual(expected, locations)
        for prefix in ["", "/zh-hans", "/he", "/es", "/ar"]:  # every page in every interface language
            pages = [
                loc
                for loc in locations
                if re.fullmatch(rf"http://testserver{prefix}/transcripts/[^/]+/", loc)
            ]
            self.assertEqual(len(pages), 6, prefix)
        # Each entry lists its versions in the other interface languages, and the default for the rest.
        sitemap = ET.fromstring(response.content)
        first = sitemap.find(f"{SITEMAP}url")
        alternates = {
            link.get("hreflang"): link.get("href")
            for link in first.findall("{http://www.w3.org/1999/xhtml}link")  # type: ignore[union-attr]
        }
        self.assertEqual(set(alternates), {"en", "zh-hans", "he", "es", "ar", "x-default"})
        for location in locations:
            self.assertNotIn("draft", location)
            self.assertNotIn("review", location)
            self.assertNotIn("hidden-person", location)
