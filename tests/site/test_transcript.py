"""The transcript page: turns, pairing, versions side by side, downloads, and no N+1 queries."""

from __future__ import annotations

import json
import re

from django.test import TestCase

from archive.exporters import EXPORTERS
from archive.models import Transcript
from tests.fixtures import build_archive, import_document, long_document

EN = "/transcripts/mfa-briefing-2026-06-10/"
ZH = "/transcripts/mfa-briefing-2026-06-10-zh/"
HE = "/transcripts/mfa-briefing-2026-06-10-he/"


class TranscriptPageTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        build_archive()

    def test_it_shows_the_metadata_topics_and_speakers(self) -> None:
        response = self.client.get(EN)
        self.assertContains(response, "Foreign Ministry regular press conference")
        self.assertContains(response, '<time datetime="2026-06-10">June 10, 2026</time>', html=True)
        self.assertContains(response, "Regular press conference")
        self.assertContains(response, 'href="https://example.org/mfa/2026-06-10"')
        self.assertContains(response, "CC-BY-4.0")
        self.assertContains(response, '<a href="/topics/diplomacy/"><bdi>Diplomacy</bdi></a>', html=True)
        self.assertContains(response, '<a href="/speakers/bloomberg/"><bdi>Bloomberg</bdi></a>', html=True)

    def test_a_source_that_is_not_a_web_address_is_shown_but_not_linked(self) -> None:
        Transcript.objects.filter(slug="mananera-2020-02-03").update(source_url="javascript:alert(1)")
        response = self.client.get("/transcripts/mananera-2020-02-03/")
        self.assertNotContains(response, 'href="javascript:')
        self.assertContains(response, "javascript:alert(1)")

    def test_every_turn_has_an_anchor_a_linked_speaker_and_a_visible_kind(self) -> None:
        content = self.client.get(EN).content.decode()
        self.assertEqual(re.findall(r'id="turn-(\d+)"', content), ["1", "2", "3", "4", "5", "6"])
        turn = content[content.index('id="turn-2"') : content.index('id="turn-3"')]
        self.assertIn('href="/speakers/xinhua/"', turn)
        self.assertIn('<span class="kind kind--question">Question</span>', turn)
        self.assertIn('lang="en" dir="ltr"', turn)
        # Text is escaped, paragraphs kept.
        five = content[content.index('id="turn-5"') : content.index('id="turn-6"')]
        self.assertIn("restraint &amp; stop fighting {now}", five)
        three = content[content.index('id="turn-3"') : content.index('id="turn-4"')]
        self.assertIn(
            "<p>Three years ago, President Xi put forth the Global Civilization Initiative.<br>", three
        )

    def test_sections_get_a_heading_where_they_change_and_narrative_turns_a_label(self) -> None:
        import_document(
            {
                "slug": "sitting-with-sections",
                "title": "A sitting",
                "language": "en",
                "speakers": [{"name": "Chair"}, {"name": ""}],
                "turns": [
                    {"speaker": "Chair", "kind": "moderator", "text": "Order.", "section": "Opening"},
                    {"speaker": "", "kind": "narrative", "text": "(Applause)", "section": "Opening"},
                    {"speaker": "Chair", "text": "Item one <b>.", "section": "Item <one>"},
                ],
            }
        )
        content = self.client.get("/transcripts/sitting-with-sections/").content.decode()
        self.assertEqual(
            re.findall(r'<h3 class="turn-section"><bdi>(.*?)</bdi></h3>', content),
            ["Opening", "Item &lt;one&gt;"],
        )
        self.assertIn('<article class="turn turn--narrative" id="turn-2"', content)
        self.assertIn('<span class="kind kind--narrative">Narrative</span>', content)

    def test_a_question_and_its_answer_are_grouped(self) -> None:
        blocks = self.client.get(EN).context["blocks"]
        shape = [([row.position for row in block.rows], block.is_exchange) for block in blocks]
        self.assertEqual(shape, [([1], False), ([2, 3], True), ([4, 5], True), ([6], False)])
        content = self.client.get(EN).content.decode()
        self.assertEqual(content.count('<div class="exchange" role="group"'), 2)

    def test_an_answer_far_from_its_question_links_back_to_it(self) -> None:
        doc = long_document(4, slug="far-reply")
        doc["turns"][3]["reply_to"] = 1
        import_document(doc)
        content = self.client.get("/transcripts/far-reply/").content.decode()
        four = content[content.index('id="turn-4"') :]
        self.assertIn('href="#turn-1">In reply to #1</a>', four)

    def test_the_versions_switch_lists_the_original_and_each_published_translation(self) -> None:
        response = self.client.get(ZH)
        versions = response.context["versions"]
        self.assertEqual(
            [(v.transcript.slug, v.is_original, v.is_current) for v in versions],
            [
                ("mfa-briefing-2026-06-10", True, False),
                ("mfa-briefing-2026-06-10-he", False, False),
                ("mfa-briefing-2026-06-10-zh", False, True),
            ],
        )
        self.assertContains(response, f'<a href="{EN}" hreflang="en">English <span class="muted">')
        self.assertContains(response, 'href="?compare=mfa-briefing-2026-06-10-he"')
        versions_box = response.content.decode().split('class="versions"')[1].split("</nav>")[0]
        self.assertNotIn(" lang=", versions_box)  # English words are not marked as Hebrew or Chinese

    def test_the_translation_column_side_by_side_has_cite_links(self) -> None:
        content = self.client.get(EN, {"compare": "mfa-briefing-2026-06-10-zh"}).content.decode()
        self.assertIn(f'<a class="cite-link" href="{EN}cite/3/">', content)
        self.assertIn(f'<a class="cite-link" href="{ZH}cite/3/">', content)

    def test_each_turn_links_to_its_aligned_turn_in_the_other_versions(self) -> None:
        content = self.client.get(EN).content.decode()
        three = content[content.index('id="turn-3"') : content.index('id="turn-4"')]
        # The names are in the interface language: hreflang (the page linked), not lang (the words).
        self.assertIn(f'href="{ZH}#turn-3" hreflang="zh-Hans">Simplified Chinese</a>', three)
        self.assertIn(f'href="{HE}#turn-3" hreflang="he">Hebrew</a>', three)
        # ...and to this page side by side with that version, at this turn.
        self.assertIn(
            'href="?compare=mfa-briefing-2026-06-10-zh#turn-3" class="compare-link">side by side</a>', three
        )
        # The Hebrew translation stops at turn 5: turn 6 has no Hebrew counterpart.
        six = content[content.index('id="turn-6"') :]
        self.assertNotIn(HE, six.split("</article>")[0])

    def test_side_by_side_aligns_turns_by_their_original_position(self) -> None:
        response = self.client.get(EN, {"compare": "mfa-briefing-2026-06-10-zh"})
        rows = response.context["parallel"]
        self.assertEqual(
            [([t.position for t in row.left], [t.position for t in row.right]) for row in rows],
            [([n], [n]) for n in range(1, 7)],
        )
        self.assertEqual(rows[2].right[0].turn.text.split("\n")[0], "三年前，习近平主席提出全球文明倡议。")
        self.assertContains(response, '<td class="parallel__cell"><div class="pturn" id="turn-3">')
        self.assertContains(response, 'lang="zh-Hans" dir="ltr"')

    def test_two_translations_align_with_each_other_through_the_original(self) -> None:
        response = self.client.get(HE, {"compare": "mfa-briefing-2026-06-10-zh"})
        rows = response.context["parallel"]
        pairs = [([t.position for t in row.left], [t.position for t in row.right]) for row in rows]
        # Hebrew has no turn 6: the Chinese closing line gets a row of its own at the end.
        self.assertEqual(pairs, [([n], [n]) for n in range(1, 6)] + [([], [6])])
        self.assertContains(response, 'lang="he" dir="rtl"')

    def test_comparing_with_a_transcript_that_is_not_a_version_is_not_found(self) -> None:
        self.assertEqual(self.client.get(EN, {"compare": "mananera-2020-02-03"}).status_code, 404)

    def test_a_transcript_without_translations_has_no_versions_switch(self) -> None:
        response = self.client.get("/transcripts/mananera-2020-02-03/")
        self.assertNotContains(response, "Versions of this transcript")

    def test_downloads_are_offered_for_every_registered_format(self) -> None:
        import_document(long_document(4, slug="timed-session"))  # its answers have times
        url = "/transcripts/timed-session/"
        response = self.client.get(url)
        for name in EXPORTERS:
            self.assertContains(response, f'href="{url}export.{name}" download')

    def test_a_transcript_without_times_offers_no_srt_file(self) -> None:
        untimed = EN  # no turn has times
        response = self.client.get(untimed)
        self.assertNotContains(response, f'href="{untimed}export.srt"')
        self.assertContains(response, f'href="{untimed}export.vtt" download')
        self.assertEqual(self.client.get(f"{untimed}export.srt").status_code, 404)

    def test_a_download_is_the_exporters_rendering_as_an_attachment(self) -> None:
        response = self.client.get(f"{EN}export.json")
        self.assertEqual(response["Content-Type"], "application/json; charset=utf-8")
        self.assertEqual(
            response["Content-Disposition"], 'attachment; filename="mfa-briefing-2026-06-10.json"'
        )
        self.assertEqual(json.loads(response.content)["turns"][2]["speaker"], "Lin Jian")

    def test_a_download_of_a_unicode_slug_has_an_encoded_file_name(self) -> None:
        import_document({**long_document(2), "slug": "ישיבה-ראשונה"})
        response = self.client.get("/transcripts/ישיבה-ראשונה/export.json")
        self.assertEqual(response.status_code, 200)
        self.assertIn("filename*=utf-8''%D7%99", response["Content-Disposition"])


class TranscriptPageQueriesTests(TestCase):
    """The page costs the same handful of queries whatever the number of turns."""

    @classmethod
    def setUpTestData(cls) -> None:
        build_archive(with_drafts=False)
        import_document(long_document(10, slug="short-session"))
        import_document(long_document(400, slug="long-session"))

    def test_a_transcript_page_makes_a_fixed_number_of_queries(self) -> None:
        # transcript, its topics, its speakers, versions, turns, the turns' topics, the versions'
        # recordings (and a query for speakers missing from the speaker list: none here).
        with self.assertNumQueries(7):
            self.assertEqual(self.client.get("/transcripts/short-session/").status_code, 200)
        with self.assertNumQueries(7):
            response = self.client.get("/transcripts/long-session/")
        self.assertEqual(response.content.decode().count('class="turn turn--'), 400)

    def test_a_translated_transcript_adds_one_query_for_the_alignment(self) -> None:
        with self.assertNumQueries(8):
            self.client.get(EN)

    def test_side_by_side_adds_the_other_versions_turns(self) -> None:
        with self.assertNumQueries(9):
            self.client.get(EN, {"compare": "mfa-briefing-2026-06-10-zh"})

    def test_list_pages_make_a_fixed_number_of_queries(self) -> None:
        for url, queries in [
            ("/", 7),
            ("/transcripts/", 5),
            ("/speakers/", 2),
            ("/topics/", 1),
            ("/speakers/minister/", 13),  # with the timeline (4) and the answer record (2)
            ("/topics/budget/", 6),
            ("/transcripts/long-session/cite/2/", 4),
            ("/feed/", 1),
            ("/sitemap.xml", 3),
        ]:
            with self.subTest(url=url), self.assertNumQueries(queries):
                self.assertEqual(self.client.get(url).status_code, 200)


class ParagraphsTests(TestCase):
    def test_turn_text_is_marked_up_like_djangos_linebreaks(self) -> None:
        from django.utils.html import linebreaks

        from archive.views.transcript_page import paragraphs

        for text in [
            "One line.",
            "First line\nsecond line",
            "Para one.\n\nPara two.\n\n\nPara three\r\nwith a break.",
            "<script>alert('x')</script> & \"quotes\"",
            "  padded \n",
        ]:
            # Leading and trailing blank space is dropped (no empty first line, no trailing <br>).
            self.assertEqual(paragraphs(text), linebreaks(text.strip(), autoescape=True), text)
