"""Citing one turn: permalink, plain text and BibTeX, on a page that works without JavaScript."""

from __future__ import annotations

import datetime as dt

from django.test import TestCase
from django.utils import timezone

from archive.citations import bibtex_escape, bibtex_key
from archive.models import Transcript
from tests.fixtures import build_archive

CITE = "/transcripts/mfa-briefing-2026-06-10/cite/5/"
PERMALINK = "http://testserver/transcripts/mfa-briefing-2026-06-10/#turn-5"


class CitationTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        build_archive()

    def test_every_turn_links_to_its_citation(self) -> None:
        content = self.client.get("/transcripts/mfa-briefing-2026-06-10/").content.decode()
        self.assertIn(f'<a class="cite-link" href="{CITE}">Cite this turn', content)

    def test_the_citation_page_gives_the_permalink_text_and_bibtex(self) -> None:
        response = self.client.get(CITE)
        citation = response.context["citation"]
        today = timezone.localdate().isoformat()
        self.assertEqual(citation.permalink, PERMALINK)
        self.assertEqual(
            citation.text,
            "Lin Jian (Answer, turn 5). “Foreign Ministry regular press conference”. "
            "Regular press conference, Beijing, 2026-06-10. "
            f"Q&A Transcript Archive. {PERMALINK} (accessed {today}).",
        )
        self.assertEqual(
            citation.bibtex,
            "@misc{mfa-briefing-2026-06-10-turn-5,\n"
            "  author = {{Lin Jian}},\n"
            "  title = {{Foreign Ministry regular press conference}},\n"
            "  howpublished = {Regular press conference, Beijing},\n"
            "  year = {2026},\n"
            "  date = {2026-06-10},\n"
            "  language = {en},\n"
            f"  url = {{{PERMALINK}}},\n"
            f"  urldate = {{{today}}},\n"
            "  note = {Answer, turn 5. Q\\&A Transcript Archive}\n"
            "}\n",
        )
        # Readable and selectable without JavaScript; the copy buttons wait for it.
        self.assertContains(
            response, f'<input id="cite-permalink" type="text" readonly value="{PERMALINK}" dir="ltr">'
        )
        self.assertContains(response, "@misc{mfa-briefing-2026-06-10-turn-5,")
        self.assertContains(response, 'data-copy="cite-bibtex" hidden')

    def test_a_citation_is_the_same_whatever_the_interface_language(self) -> None:
        url = "/transcripts/mfa-briefing-2026-06-10-zh/cite/3/"
        citations = {
            header: self.client.get(url, HTTP_ACCEPT_LANGUAGE=header, follow=True).context["citation"]
            for header in ["en", "zh-CN", "he", "es", "ar"]
        }
        self.assertEqual(len({(c.text, c.bibtex, c.permalink) for c in citations.values()}), 1, citations)
        text = citations["zh-CN"].text
        # The speaker as the turn's language names them; the words and the ISO date the same for all.
        self.assertTrue(text.startswith("林剑 (Answer, turn 3). “外交部例行记者会”."), text)
        self.assertIn("2026-06-10", text)
        self.assertIn("http://testserver/transcripts/mfa-briefing-2026-06-10-zh/#turn-3", text)
        # The page around it is the reader's.
        page = self.client.get(url, HTTP_ACCEPT_LANGUAGE="zh-CN", follow=True).content.decode()
        self.assertIn('lang="zh-Hans"', page[:200])

    def test_tex_specials_are_escaped_and_keys_are_ascii(self) -> None:
        self.assertEqual(
            bibtex_escape("50% & {more} #1 a_b ~x ^y \\z"),
            r"50\% \& \{more\} \#1 a\_b \~{}x \^{}y \textbackslash{}z",
        )
        transcript = Transcript(
            pk=7, slug="הוועדה-המסדרת", title="t", language="he", date=dt.date(2022, 1, 1)
        )
        self.assertEqual(bibtex_key(transcript, 3), "transcript-7-turn-3")
        self.assertEqual(
            bibtex_key(Transcript(slug="amlo-2020", title="t", language="es"), 2), "amlo-2020-turn-2"
        )

    def test_a_bibtex_entry_escapes_what_the_turn_and_transcript_contain(self) -> None:
        Transcript.objects.filter(slug="mananera-2020-02-03").update(title="50% of {budget} & more")
        bibtex = self.client.get("/transcripts/mananera-2020-02-03/cite/2/").context["citation"].bibtex
        self.assertIn(r"title = {{50\% of \{budget\} \& more}},", bibtex)
        self.assertIn("author = {{ANDRÉS MANUEL LÓPEZ OBRADOR}}", bibtex)
