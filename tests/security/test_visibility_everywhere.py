"""Drafts and transcripts in review leave no trace in search counts, facets, API search, the turn
list, a published transcript's API document, or the public export command.

The pages, feed and sitemap are checked in tests/site/test_pages.py, the site's search results in
tests/site/test_search.py, the API's reads in tests/api/test_visibility.py: this file adds what they do not.
"""

from __future__ import annotations

import io
import json
from typing import Any

from django.core.management import call_command
from django.test import TestCase

from archive.models import Transcript
from archive.search import indexer
from tests.fixtures import build_archive

# The review copy of the Chinese briefing has the very same turns as the published one.
SHARED_WORD = "文明对话国际日"
SECRETS = ["secret-draft-briefing", "mfa-briefing-2026-06-10-zh-review", "hidden-person", "draft-only-topic"]


class VisibilityEverywhereTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        build_archive()
        indexer.rebuild()  # inside a TestCase nothing commits, so the outbox is never applied

    def api_search(self, **params: Any) -> dict[str, Any]:
        response = self.client.get("/api/v1/search/", {"page_size": 100, **params})
        self.assertEqual(response.status_code, 200)
        return dict(response.json())

    def assert_no_secret(self, text: str, where: str) -> None:
        for secret in SECRETS:
            self.assertNotIn(secret, text, where)

    def test_search_counts_and_facets_are_those_of_the_published_transcripts_alone(self) -> None:
        queries = [{"q": SHARED_WORD}, {"q": "visible"}, {"q": "never"}, {"q": "", "language": "zh-Hans"}]
        with_drafts = [self.api_search(**query) for query in queries]
        pages_with_drafts = [self.client.get("/search/", query).content.decode() for query in queries]
        Transcript.objects.exclude(status="published").delete()
        indexer.rebuild()
        for query, before, page in zip(queries, with_drafts, pages_with_drafts, strict=True):
            with self.subTest(query=query):
                after = self.api_search(**query)
                self.assertEqual(before["count"], after["count"])
                self.assertEqual(before["facets"], after["facets"])
                self.assert_no_secret(json.dumps(before, ensure_ascii=False), "api")
                self.assert_no_secret(page, "page")
        self.assertGreater(with_drafts[0]["count"], 0)
        self.assertEqual(with_drafts[1]["count"], 0)

    def test_search_filtered_by_a_draft_only_speaker_or_topic_finds_nothing(self) -> None:
        for params in [
            {"speaker": "hidden-person"},
            {"topic": "draft-only-topic"},
            {"q": "speaker:hidden-person"},
        ]:
            with self.subTest(params=params):
                response = self.client.get("/api/v1/search/", params)
                if response.status_code == 200:
                    self.assertEqual(response.json()["count"], 0)
                else:
                    self.assertEqual(response.status_code, 400)
                page = self.client.get("/search/", {"q": "never", **params}).content.decode()
                self.assertNotIn("It must never be.", page)

    def test_the_turn_list_holds_no_turn_of_an_unpublished_transcript(self) -> None:
        response = self.client.get("/api/v1/turns/", {"page_size": 100})
        self.assertEqual(response.status_code, 200)
        body = json.dumps(response.json(), ensure_ascii=False)
        self.assert_no_secret(body, "turns")
        self.assertNotIn("It must never be.", body)

    def test_a_published_transcripts_document_does_not_name_its_review_translation(self) -> None:
        for slug in ["mfa-briefing-2026-06-10", "mfa-briefing-2026-06-10-zh"]:
            with self.subTest(slug=slug):
                response = self.client.get(f"/api/v1/transcripts/{slug}/")
                self.assertEqual(response.status_code, 200)
                self.assert_no_secret(json.dumps(response.json(), ensure_ascii=False), slug)

    def test_the_public_export_command_and_api_dump_leave_unpublished_transcripts_out(self) -> None:
        out = io.StringIO()
        call_command("export_transcripts", "--format", "ndjson", stdout=out)
        slugs = {json.loads(line)["slug"] for line in out.getvalue().splitlines() if line.strip()}
        published = set(Transcript.objects.filter(status="published").values_list("slug", flat=True))
        self.assertEqual(slugs, published)
        response = self.client.get("/api/v1/export/")
        self.assertEqual(response.status_code, 200)
        dump = response.getvalue().decode()  # streamed or not
        self.assertEqual({json.loads(line)["slug"] for line in dump.splitlines() if line.strip()}, published)
