"""The transcript page's player as HTML (the browser's part is in test_browser_player.py),
caption tracks, links to a moment in citations and search results."""

from __future__ import annotations

import re

from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext

from archive.models import Recording
from archive.search import indexer
from tests.fixtures import PERES_ZH, document, import_document

ORIGIN = "https://media.example.org"
MP3 = {"url": f"{ORIGIN}/peres.mp3", "type": "audio/mpeg", "label": "Full session"}
PAGE = "/transcripts/peres-weibo-test/"
HEBREW = {
    "slug": "peres-weibo-test-he",
    "title": "פרס עונה לגולשי וייבו",
    "language": "he",
    "translation_of": "peres-weibo-test",
    "speakers": [{"name": "שמעון פרס"}, {"name": "גולש"}],
    "turns": [
        {"speaker": "גולש", "kind": "question", "text": "מה סוד החוכמה היהודית?", "original": 1},
        {"speaker": "שמעון פרס", "kind": "answer", "text": "הסוד שלנו הוא לימוד.", "original": 2},
    ],
}


@override_settings(MEDIA_ALLOWED_ORIGINS=[ORIGIN])
class PlayerPageTests(TestCase):
    def setUp(self) -> None:
        import_document(document(media=[MP3]))
        import_document(PERES_ZH)
        import_document(HEBREW)

    def page(self, url: str = PAGE, **params: str) -> str:
        response = self.client.get(url, params)
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def test_the_page_has_a_native_player_with_its_recording(self) -> None:
        html = self.page()
        self.assertIn('<audio class="player__media" id="player-media" controls preload="metadata">', html)
        self.assertIn(f'<source src="{ORIGIN}/peres.mp3" type="audio/mpeg">', html)
        self.assertIn('src="/static/archive/player.js" defer', html)
        self.assertNotIn("<script>", html)  # nothing inline: the CSP allows none

    def test_a_video_recording_gets_a_video_element(self) -> None:
        import_document(document(media=[{"url": f"{ORIGIN}/peres.mp4", "type": "video/mp4"}]))
        self.assertIn('<video class="player__media"', self.page())

    def test_only_timed_turns_get_a_play_control_and_times(self) -> None:
        html = self.page()
        self.assertIn('id="turn-2" data-key="2" data-start="61" data-end="94.5"', html)
        self.assertIn('<a class="turn__play" href="?t=61#turn-2" data-start="61">', html)
        self.assertIn('<span dir="ltr">1:01</span>', html)
        self.assertEqual(html.count('class="turn__play"'), 1)  # turns 1, 3, 4 have no times
        self.assertIn('id="turn-3" data-key="3">', html)

    def test_without_javascript_t_starts_the_recording_there_through_a_media_fragment(self) -> None:
        html = self.page(t="83")
        self.assertIn(f'<source src="{ORIGIN}/peres.mp3#t=83" type="audio/mpeg">', html)
        self.assertIn("Starts at 1:23.", html)
        self.assertIn(f'{ORIGIN}/peres.mp3#t=83.5"', self.page(t="1:23.5"))
        self.assertNotIn("#t=", self.page(t="soon"))

    def test_a_page_without_recordings_has_no_player(self) -> None:
        import_document(document(slug="silent", title="Silent"))
        html = self.page("/transcripts/silent/")
        self.assertNotIn("player", html)
        self.assertNotIn('class="turn__play"', html)

    def test_a_translation_plays_the_originals_recording_with_the_aligned_times(self) -> None:
        html = self.page("/transcripts/peres-weibo-test-he/")
        self.assertIn(f'<source src="{ORIGIN}/peres.mp3"', html)
        self.assertIn('id="turn-2" data-key="2" data-start="61" data-end="94.5"', html)

    def test_side_by_side_both_columns_carry_times_and_keep_the_comparison(self) -> None:
        html = self.page(compare="peres-weibo-test-he")
        self.assertIn('id="turn-2" data-start="61" data-end="94.5"', html)
        self.assertIn('id="compare-turn-2" data-start="61" data-end="94.5"', html)
        self.assertIn('href="?compare=peres-weibo-test-he&amp;t=61#turn-2"', html)

    def test_there_is_a_caption_track_per_version_with_its_language(self) -> None:
        tracks = re.findall(
            r'<track kind="captions" src="([^"]+)" srclang="([^"]+)" label="([^"]+)" data-dir="(\w+)"',
            self.page(),
        )
        self.assertEqual(
            tracks,
            [
                ("/transcripts/peres-weibo-test/captions.vtt", "en", "English", "ltr"),
                ("/transcripts/peres-weibo-test-he/captions.vtt", "he", "Hebrew", "rtl"),
                ("/transcripts/peres-weibo-test-zh/captions.vtt", "zh-Hans", "Simplified Chinese", "ltr"),
            ],
        )

    def test_track_labels_are_in_the_readers_language(self) -> None:
        labels = re.findall(r'<track [^>]*label="([^"]+)"', self.page(f"/he{PAGE}"))
        self.assertEqual(labels, ["אנגלית", "עברית", "סינית פשוטה"])

    def test_the_players_words_are_in_the_readers_language(self) -> None:
        html = self.page(f"/he{PAGE}")
        self.assertIn('<span class="visually-hidden">הפעלה מ־</span>', html)
        self.assertIn(">כתוביות</label>", html)

    def test_a_translations_captions_take_the_aligned_times(self) -> None:
        response = self.client.get("/transcripts/peres-weibo-test-he/captions.vtt")
        self.assertEqual(response["Content-Type"], "text/vtt; charset=utf-8")
        self.assertIn(
            "turn-2\n00:01:01.000 --> 00:01:34.500\n<v.answer שמעון פרס>הסוד שלנו הוא לימוד.",
            response.content.decode(),
        )

    def test_a_drafts_captions_are_not_public(self) -> None:
        import_document(document(slug="draft-one", status="draft"))
        self.assertEqual(self.client.get("/transcripts/draft-one/captions.vtt").status_code, 404)

    def test_the_player_page_keeps_a_fixed_number_of_queries(self) -> None:
        self.page()
        with CaptureQueriesContext(connection) as plain:
            self.page()
        Recording.objects.all().delete()
        with CaptureQueriesContext(connection) as silent:
            self.page()
        self.assertEqual(len(plain), len(silent))


@override_settings(MEDIA_ALLOWED_ORIGINS=[ORIGIN])
class MomentLinkTests(TestCase):
    def setUp(self) -> None:
        import_document(document(media=[MP3]))
        import_document(HEBREW)
        indexer.rebuild()  # inside a TestCase nothing commits: the outbox is not applied by itself

    def test_a_timed_turns_citation_carries_its_time_range(self) -> None:
        response = self.client.get(f"{PAGE}cite/2/")
        citation = response.context["citation"]
        self.assertEqual(
            citation.permalink, "http://testserver/transcripts/peres-weibo-test/?t=61,94.5#turn-2"
        )
        self.assertIn("Recording, 1:01–1:34.", citation.text)
        self.assertIn("  addendum = {Recording, 1:01--1:34}\n", citation.bibtex)
        self.assertIn(
            "url = {http://testserver/transcripts/peres-weibo-test/?t=61,94.5#turn-2}", citation.bibtex
        )

    def test_an_untimed_turns_citation_is_as_before(self) -> None:
        citation = self.client.get(f"{PAGE}cite/1/").context["citation"]
        self.assertEqual(citation.permalink, "http://testserver/transcripts/peres-weibo-test/#turn-1")
        self.assertNotIn("Recording", citation.text)
        self.assertNotIn("addendum", citation.bibtex)

    def test_a_translated_turn_cites_the_time_of_its_original(self) -> None:
        citation = self.client.get("/transcripts/peres-weibo-test-he/cite/2/").context["citation"]
        self.assertIn("?t=61,94.5#turn-2", citation.permalink)

    def test_a_timed_search_hit_shows_its_time_and_plays_from_there(self) -> None:
        html = self.client.get("/search/", {"q": "secret learning"}).content.decode()
        self.assertIn('<span class="result__time" dir="ltr">1:01–1:34</span>', html)
        self.assertIn(
            '<a href="/transcripts/peres-weibo-test/?t=61#turn-2" class="result__play">Play from 1:01</a>',
            html,
        )

    def test_a_timed_hit_without_a_recording_shows_the_time_but_no_play_link(self) -> None:
        Recording.objects.all().delete()
        html = self.client.get("/search/", {"q": "secret learning"}).content.decode()
        self.assertIn('class="result__time"', html)
        self.assertNotIn("result__play", html)
