"""Redaction and erasure: the removed words are gone from every public surface at once, the log
keeps no words, and only curators redact.

One test per surface (pages, search, highlights, did-you-mean, exports, feed, API, conditional
GETs), and one that walks every public URL. The index is a real Whoosh index in a temp folder;
tests/search/test_redaction_search.py holds both backends to the index's part.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone
from rest_framework.test import APIClient

from archive.exporters import EXPORTERS
from archive.models import REDACTED, Redaction, Speaker, Transcript, Turn
from archive.redaction import RedactionError, erase_person, redact_turn, redact_words
from archive.search import SearchParameters, search_turns
from tests.admin.helpers import CuratorTestCase
from tests.api.helpers import make_curator, make_user, token_client
from tests.fixtures import PERES_ZH, document, import_document
from tests.search.helpers import temp_search_index

SLUG = "peres-weibo-test"
WORD = "Jewish"  # turn 1: "What is the secret of Jewish wisdom?"


def redact_the_word(user: Any = None) -> Redaction:
    turn = Turn.objects.get(transcript__slug=SLUG, position=1)
    start = turn.text.index(WORD)
    return redact_turn(turn, start, start + len(WORD), reason="asked by the family", user=user)


def body(response: Any) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode()
    return str(response.content.decode())


class RedactionFixture(TestCase):
    def setUp(self) -> None:
        super().setUp()
        self.enterContext(temp_search_index())
        with self.captureOnCommitCallbacks(execute=True):
            import_document(document())
            import_document(PERES_ZH)

    def redact(self, user: Any = None) -> Redaction:
        with self.captureOnCommitCallbacks(execute=True):
            return redact_the_word(user)


class RedactionServiceTests(RedactionFixture):
    def test_the_span_becomes_redacted_in_the_stored_text(self) -> None:
        self.redact()
        self.assertEqual(
            Turn.objects.get(transcript__slug=SLUG, position=1).text,
            f"What is the secret of {REDACTED} wisdom?",
        )

    def test_the_log_keeps_who_when_why_and_how_many_characters_never_the_words(self) -> None:
        user = User.objects.create_user("ana")
        entry = self.redact(user)
        self.assertEqual(
            (entry.curator_name, entry.reason, entry.characters), ("ana", "asked by the family", 6)
        )
        self.assertIsNotNone(entry.created)
        row = Redaction.objects.filter(pk=entry.pk).values().get()
        self.assertFalse([k for k, v in row.items() if WORD.lower() in str(v).lower()])

    def test_it_refuses_a_span_outside_the_text_or_without_a_reason_and_changes_nothing(self) -> None:
        turn = Turn.objects.get(transcript__slug=SLUG, position=1)
        with self.assertRaises(RedactionError) as caught:
            redact_turn(turn, 10, 500, reason="x")
        self.assertIn("not within the turn's text (0 to 36", caught.exception.message)
        with self.assertRaises(RedactionError):
            redact_turn(turn, 5, 5, reason="x")
        with self.assertRaises(RedactionError) as caught:
            redact_turn(turn, 0, 4, reason="  ")
        self.assertEqual(caught.exception.field, "reason")
        self.assertEqual(Redaction.objects.count(), 0)
        self.assertNotIn(REDACTED, Turn.objects.get(pk=turn.pk).text)

    def test_redacting_words_takes_every_occurrence_in_one_entry(self) -> None:
        turn = Turn.objects.get(transcript__slug=SLUG, position=4)  # "I hope so.\nChina is a friend."
        turn.text = "China, China and China."
        turn.save()
        entry = redact_words(turn, "China", reason="test")
        assert entry is not None
        self.assertEqual((entry.spans, entry.characters), (3, 15))
        self.assertEqual(Turn.objects.get(pk=turn.pk).text, f"{REDACTED}, {REDACTED} and {REDACTED}.")


class RedactedWordOnEverySurfaceTests(RedactionFixture):
    def test_the_transcript_page_and_citation_no_longer_show_it(self) -> None:
        for url in (f"/transcripts/{SLUG}/", f"/transcripts/{SLUG}/cite/1/"):
            self.assertIn(WORD, body(self.client.get(url)), url)
        self.redact()
        for url in (f"/transcripts/{SLUG}/", f"/transcripts/{SLUG}/cite/1/"):
            self.assertNotIn(WORD, body(self.client.get(url)), url)

    def test_search_no_longer_finds_the_turn_or_its_translation_by_it(self) -> None:
        # The turn, and its Chinese translation through the English it is aligned with.
        self.assertEqual(search_turns(SearchParameters(q=WORD)).count, 2)
        self.redact()
        self.assertEqual(search_turns(SearchParameters(q=WORD)).count, 0)
        self.assertEqual(search_turns(SearchParameters(q=WORD, language="zh-Hans")).count, 0)

    def test_highlights_show_the_redaction_not_the_word(self) -> None:
        self.redact()
        page = search_turns(SearchParameters(q="wisdom secret", language="en"))
        self.assertEqual(page.count, 1)
        self.assertNotIn(WORD, str(page.results[0].highlight))
        self.assertIn(REDACTED, str(page.results[0].highlight))
        self.assertNotIn(WORD, body(self.client.get("/search/", {"q": "wisdom"})))

    def test_did_you_mean_never_offers_it(self) -> None:
        self.assertIn("jewish", (search_turns(SearchParameters(q="jewissh")).suggestion or "").lower())
        self.redact()
        self.assertNotIn("jewish", (search_turns(SearchParameters(q="jewissh")).suggestion or "").lower())

    def test_every_export_format_and_the_export_command_leave_it_out(self) -> None:
        def exported(name: str) -> str:
            response = self.client.get(f"/api/v1/transcripts/{SLUG}/", {"format": name})
            self.assertEqual(response.status_code, 200, name)
            return body(response)

        # Subtitle formats only hold timed turns (not the question redacted here).
        showing = [name for name in EXPORTERS if WORD in exported(name)]
        self.assertGreaterEqual(len(showing), 4)
        self.redact()
        for name in EXPORTERS:
            self.assertNotIn(WORD, exported(name), name)
        for name in showing:
            self.assertIn(REDACTED, exported(name), name)
        out = io.StringIO()
        call_command("export_transcripts", stdout=out)
        self.assertNotIn(WORD, out.getvalue())
        self.assertNotIn(WORD, body(self.client.get("/api/v1/export/")))

    def test_the_feed_says_the_transcript_changed_and_does_not_carry_it(self) -> None:
        before = body(self.client.get("/feed/"))
        self.redact()
        after = body(self.client.get("/feed/"))
        self.assertNotIn(WORD, after)
        self.assertNotEqual(before, after)  # the entry's <updated> moved

    def test_the_api_documents_turns_and_search_leave_it_out(self) -> None:
        self.redact()
        for url in (
            f"/api/v1/transcripts/{SLUG}/",
            f"/api/v1/transcripts/{SLUG}/turns/",
            "/api/v1/turns/",
            "/api/v1/search/?q=wisdom",
        ):
            self.assertNotIn(WORD, body(self.client.get(url)), url)

    def test_cached_responses_are_not_revalidated_etags_and_dates_change(self) -> None:
        url = f"/api/v1/transcripts/{SLUG}/"
        # Last-Modified counts whole seconds: the import was a while ago.
        Transcript.objects.update(modified=timezone.now() - dt.timedelta(hours=1))
        first = self.client.get(url)
        etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
        self.assertEqual(self.client.get(url, HTTP_IF_NONE_MATCH=etag).status_code, 304)
        self.redact()
        again = self.client.get(url, HTTP_IF_NONE_MATCH=etag)
        self.assertEqual(again.status_code, 200)
        self.assertNotEqual(again.headers["ETag"], etag)
        self.assertEqual(self.client.get(url, HTTP_IF_MODIFIED_SINCE=modified).status_code, 200)

    def test_no_public_url_shows_it(self) -> None:
        """Every public surface at once: pages, feed, sitemap, the API's reads, search and exports."""
        urls = [
            "/",
            "/transcripts/",
            f"/transcripts/{SLUG}/",
            f"/transcripts/{SLUG}/?compare={PERES_ZH['slug']}",
            f"/transcripts/{SLUG}/cite/1/",
            "/speakers/weibo-user/",
            "/speakers/",
            "/topics/education/",
            "/search/?q=wisdom",
            "/feed/",
            "/sitemap.xml",
            f"/api/v1/transcripts/{SLUG}/",
            f"/api/v1/transcripts/{SLUG}/turns/",
            "/api/v1/turns/",
            "/api/v1/search/?q=wisdom",
            "/api/v1/search/?q=jewissh",
            "/api/v1/export/",
            *(f"/api/v1/transcripts/{SLUG}/?format={name}" for name in EXPORTERS),
        ]
        shown = [url for url in urls if WORD.lower() in body(self.client.get(url)).lower()]
        self.assertGreater(len(shown), 8)  # the word was there to begin with
        self.redact()
        for url in urls:
            response = self.client.get(url)
            self.assertLess(response.status_code, 400, url)
            self.assertNotIn(WORD.lower(), body(response).lower(), url)


class RedactionApiTests(RedactionFixture):
    url = f"/api/v1/transcripts/{SLUG}/turns/1/redactions/"

    def test_a_curator_redacts_a_span_and_gets_the_log_entry_back(self) -> None:
        client = token_client(make_curator("cura"))
        with self.captureOnCommitCallbacks(execute=True):
            response = client.post(self.url, {"start": 22, "end": 28, "reason": "privacy"}, format="json")
        self.assertEqual(response.status_code, 201, response.content)
        data = response.json()
        self.assertEqual(
            {k: data[k] for k in ("transcript", "position", "curator", "reason", "start", "characters")},
            {
                "transcript": SLUG,
                "position": 1,
                "curator": "cura",
                "reason": "privacy",
                "start": 22,
                "characters": 6,
            },
        )
        self.assertEqual(data["text"], f"What is the secret of {REDACTED} wisdom?")
        self.assertEqual(search_turns(SearchParameters(q=WORD)).count, 0)

    def test_a_bad_span_is_a_400_naming_the_field_and_nothing_changes(self) -> None:
        client = token_client(make_curator("cura"))
        response = client.post(self.url, {"start": 30, "end": 99, "reason": "x"}, format="json")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["key"], "end")
        response = client.post(self.url, {"start": 1, "end": 2}, format="json")
        self.assertEqual(response.status_code, 400)
        self.assertIn("reason", response.json()["errors"])
        self.assertEqual(Redaction.objects.count(), 0)

    def test_only_curators_may_redact(self) -> None:
        payload = {"start": 22, "end": 28, "reason": "x"}
        self.assertEqual(APIClient().post(self.url, payload, format="json").status_code, 401)
        reader = token_client(make_user("reader", "change_turn"))
        self.assertEqual(reader.post(self.url, payload, format="json").status_code, 403)
        self.assertEqual(Redaction.objects.count(), 0)

    def test_an_unknown_turn_is_a_404(self) -> None:
        client = token_client(make_curator("cura"))
        response = client.post(
            f"/api/v1/transcripts/{SLUG}/turns/99/redactions/",
            {"start": 0, "end": 1, "reason": "x"},
            format="json",
        )
        self.assertEqual(response.status_code, 404)


def mentioning_peres() -> dict[str, Any]:
    doc = document()
    doc["turns"][2]["text"] = "Mr. PERES, will you visit China again? 西蒙·佩雷斯 said yes."
    doc["turns"][0]["text"] = "What did Shimon   Peres say? Not Peresvet."
    return doc


class ErasureTests(TestCase):
    def setUp(self) -> None:
        super().setUp()
        self.enterContext(temp_search_index())
        with self.captureOnCommitCallbacks(execute=True):
            import_document(mentioning_peres())

    def test_erasing_a_person_redacts_every_name_they_go_by_in_every_turn(self) -> None:
        speaker = Speaker.objects.get(slug="shimon-peres")
        with self.captureOnCommitCallbacks(execute=True):
            outcome = erase_person(speaker, reason="erasure request", user=None)
        self.assertEqual(
            (outcome.turns, outcome.characters),
            (2, len("Shimon   Peres") + len("PERES") + len("西蒙·佩雷斯")),
        )
        texts = dict(Turn.objects.filter(transcript__slug=SLUG).values_list("position", "text"))
        self.assertEqual(texts[1], f"What did {REDACTED} say? Not Peresvet.")
        self.assertEqual(texts[3], f"Mr. {REDACTED}, will you visit China again? {REDACTED} said yes.")
        self.assertEqual(set(Redaction.objects.values_list("erasure_of", flat=True)), {"shimon-peres"})
        self.assertEqual(search_turns(SearchParameters(q="peresvet")).count, 1)
        self.assertEqual(search_turns(SearchParameters(q="visit china")).results[0].turn.text, texts[3])


class RedactionAdminTests(CuratorTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.enterContext(temp_search_index())
        with self.captureOnCommitCallbacks(execute=True):
            import_document(mentioning_peres())

    def test_a_curator_redacts_words_of_selected_turns_with_the_turn_action(self) -> None:
        turn = Turn.objects.get(transcript__slug=SLUG, position=3)
        url = "/admin/archive/turn/"
        data = {"action": "redact", "_selected_action": [turn.pk]}
        page = self.client.post(url, data)
        self.assertContains(page, "Words to redact")
        with self.captureOnCommitCallbacks(execute=True):
            done = self.client.post(url, {**data, "apply": "1", "words": "China", "reason": "test"})
        self.assertEqual(done.status_code, 302)
        self.assertNotIn("China", Turn.objects.get(pk=turn.pk).text)
        self.assertEqual(Redaction.objects.get().curator_name, "curator")
        log = self.client.get("/admin/archive/redaction/")
        self.assertContains(log, "test")
        self.assertNotContains(log, "China")

    def test_a_curator_erases_a_person_with_the_speaker_action(self) -> None:
        speaker = Speaker.objects.get(slug="shimon-peres")
        url = "/admin/archive/speaker/"
        data = {"action": "erase_people", "_selected_action": [speaker.pk]}
        self.assertContains(self.client.post(url, data), "Erase people")
        with self.captureOnCommitCallbacks(execute=True):
            done = self.client.post(url, {**data, "apply": "1", "reason": "erasure request"})
        self.assertEqual(done.status_code, 302)
        self.assertFalse(Turn.objects.filter(text__icontains="peres ").exists())
        self.assertEqual(Redaction.objects.count(), 2)
        self.assertEqual(Transcript.objects.count(), 1)
        self.assertEqual(
            json.loads(json.dumps(list(Redaction.objects.values_list("curator_name", flat=True)))),
            ["curator", "curator"],
        )
