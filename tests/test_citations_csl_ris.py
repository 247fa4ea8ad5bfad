"""CSL-JSON and RIS for every transcript and turn: the cite page, the API and the link Zotero reads;
rendered by a CSL processor (citeproc-py) and read back by a RIS parser (rispy)."""

from __future__ import annotations

import json
import os
from typing import Any

import citeproc
import rispy
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from django.test import TestCase

from archive.models import Turn
from tests.fixtures import build_archive

SLUG = "mfa-briefing-2026-06-10"
TURN = f"/transcripts/{SLUG}/cite/5/"
WHOLE = f"/transcripts/{SLUG}/cite/"
# A timed turn's permalink plays its time range (?t=start,end), as the cite page gives it.
PERMALINK = f"http://testserver/transcripts/{SLUG}/?t=61,94.5#turn-5"
HARVARD = os.path.join(os.path.dirname(citeproc.__file__), "data", "styles", "harvard-cite-them-right.csl")


def render_bibliography(items: list[dict[str, Any]]) -> str:
    """The entry as citeproc-py formats it in the Harvard style it ships with."""
    source = CiteProcJSON(items)
    bibliography = CitationStylesBibliography(
        CitationStylesStyle(HARVARD, validate=False), source, formatter.plain
    )
    bibliography.register(Citation([CitationItem(items[0]["id"])]))
    return str(bibliography.bibliography()[0])


class CitationFormatTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        build_archive()
        Turn.objects.filter(transcript__slug=SLUG, position=5).update(start=61.0, end=94.5)

    def test_a_turn_as_csl_json_carries_the_permalink_and_time_range(self) -> None:
        response = self.client.get(TURN, {"format": "csl-json"})
        self.assertEqual(response["Content-Type"], "application/vnd.citationstyles.csl+json; charset=utf-8")
        [item] = response.json()
        self.assertEqual(item["id"], f"{SLUG}-turn-5")
        self.assertEqual(item["type"], "speech")
        self.assertEqual(item["author"], [{"literal": "Lin Jian"}])
        self.assertEqual(item["title"], "Foreign Ministry regular press conference")
        self.assertEqual(item["issued"], {"date-parts": [[2026, 6, 10]]})
        self.assertEqual(item["URL"], PERMALINK)
        self.assertEqual(item["genre"], "Answer, turn 5, 00:01:01–00:01:34")
        self.assertEqual(item["locator"], "5")

    def test_csl_json_renders_with_a_csl_processor(self) -> None:
        items = self.client.get(TURN, {"format": "csl-json"}).json()
        text = render_bibliography(items)
        self.assertIn("Lin Jian", text)
        self.assertIn("2026", text)
        self.assertIn("Foreign Ministry regular press conference", text)
        self.assertIn(PERMALINK, text)
        whole = render_bibliography(self.client.get(WHOLE, {"format": "csl-json"}).json())
        self.assertIn("Foreign Ministry regular press conference", whole)

    def test_ris_parses_with_a_ris_reader(self) -> None:
        response = self.client.get(TURN, {"format": "ris"})
        self.assertEqual(response["Content-Type"], "application/x-research-info-systems; charset=utf-8")
        [entry] = rispy.loads(response.content.decode())
        self.assertEqual(entry["type_of_reference"], "GEN")
        self.assertEqual(entry["authors"], ["Lin Jian"])
        self.assertEqual(entry["title"], "Foreign Ministry regular press conference")
        self.assertEqual(entry["urls"], [PERMALINK])
        self.assertEqual(entry["date"], "2026/06/10")
        self.assertEqual(entry["type_of_work"], "Answer, turn 5, 00:01:01–00:01:34")

    def test_the_entries_are_the_same_for_every_reader(self) -> None:
        bodies = set()
        for prefix in ("", "/zh-hans", "/he"):  # the cite page in each interface language
            for fmt in ("csl-json", "ris"):
                response = self.client.get(f"{prefix}{TURN}", {"format": fmt})
                self.assertEqual(response.status_code, 200)
                bodies.add((fmt, response.content))
        self.assertEqual(len(bodies), 2)

    def test_the_pages_link_the_csl_json_for_zotero_and_show_both_formats(self) -> None:
        link = (
            '<link rel="alternate" type="application/vnd.citationstyles.csl+json" href="{}?format=csl-json">'
        )
        self.assertContains(self.client.get(f"/transcripts/{SLUG}/"), link.format(WHOLE), html=True)
        page = self.client.get(TURN)
        self.assertContains(page, link.format(TURN), html=True)
        self.assertEqual(
            json.loads(page.context["csl_json"]), self.client.get(TURN, {"format": "csl-json"}).json()
        )
        self.assertContains(page, "TY  - GEN")
        whole = self.client.get(WHOLE)
        self.assertContains(whole, "Cite this transcript")
        self.assertNotIn("author", json.loads(whole.context["csl_json"])[0])

    def test_the_api_gives_the_same_entries(self) -> None:
        api = self.client.get(f"/api/v1/transcripts/{SLUG}/turns/5/cite/")
        self.assertEqual(api.json(), self.client.get(TURN, {"format": "csl-json"}).json())
        ris = self.client.get(f"/api/v1/transcripts/{SLUG}/cite/", {"format": "ris"})
        self.assertEqual(ris.content, self.client.get(WHOLE, {"format": "ris"}).content)

    def test_unknown_formats_and_missing_turns_are_clear_errors(self) -> None:
        response = self.client.get(TURN, {"format": "docx"})
        self.assertEqual(response.status_code, 400)
        self.assertIn(b"format=csl-json or format=ris", response.content)
        self.assertEqual(self.client.get(f"/api/v1/transcripts/{SLUG}/turns/999/cite/").status_code, 404)
        self.assertEqual(self.client.get("/api/v1/transcripts/missing/cite/").status_code, 404)
