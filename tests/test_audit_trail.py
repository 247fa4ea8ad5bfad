"""The audit trail: curators' changes to transcripts, turns and speakers, shown in the admin, and
never a copy of words that were redacted."""

from __future__ import annotations

from typing import Any

from archive.models import REDACTED, Speaker, Transcript, Turn
from archive.redaction import erase_person, redact_turn
from tests.admin.helpers import CuratorTestCase, page_form_data
from tests.api.helpers import make_curator, token_client
from tests.fixtures import document, import_document
from tests.search.helpers import temp_search_index

HistoricalTurn: Any = Turn.history.model  # type: ignore[attr-defined]


class AuditTrailTests(CuratorTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.enterContext(temp_search_index())
        self.transcript = import_document(document())
        self.url = f"/admin/archive/transcript/{self.transcript.pk}/change/"

    def edit_first_turn(self, text: str) -> None:
        data = page_form_data(self.client.get(self.url))
        field = next(k for k in data if k.endswith("-0-text"))
        data[field] = text
        self.assertEqual(self.client.post(self.url, data).status_code, 302)

    def test_a_reimport_adds_one_entry_for_its_transcript_and_none_per_turn(self) -> None:
        history: Any = Transcript.history  # type: ignore[attr-defined]
        before = history.count()
        import_document(document())  # again: the turns are replaced wholesale
        self.assertEqual(HistoricalTurn.objects.count(), 0)
        self.assertEqual(history.count(), before + 1)

    def test_a_curators_edit_of_a_turn_is_recorded_with_who_and_shown_in_the_admin(self) -> None:
        self.edit_first_turn("What is the secret of your wisdom, Mr President?")
        record = HistoricalTurn.objects.get()
        self.assertEqual((record.history_user, record.history_type), (self.user, "~"))
        turn = Turn.objects.get(transcript=self.transcript, position=1)
        page = self.client.get(f"/admin/archive/turn/{turn.pk}/history/")
        self.assertContains(page, "curator")
        speaker = Speaker.objects.get(slug="shimon-peres")
        speaker_url = f"/admin/archive/speaker/{speaker.pk}/change/"
        data = page_form_data(self.client.get(speaker_url))
        data["role"] = "Former President"
        self.assertEqual(self.client.post(speaker_url, data).status_code, 302)
        self.assertContains(
            self.client.get(f"/admin/archive/speaker/{speaker.pk}/history/"), "Former President"
        )
        self.assertEqual(
            self.client.get(f"/admin/archive/transcript/{self.transcript.pk}/history/").status_code, 200
        )

    def test_a_redaction_is_recorded_without_the_words_and_earlier_copies_are_scrubbed(self) -> None:
        self.edit_first_turn("What is the secret of Jewish wisdom? Asked by Li Wei.")
        self.edit_first_turn("What is the secret of Jewish wisdom? Asked by Li Wei, Beijing.")
        self.assertEqual(HistoricalTurn.objects.filter(text__contains="Li Wei").count(), 2)
        turn = Turn.objects.get(transcript=self.transcript, position=1)
        start = turn.text.index("Li Wei")
        redact_turn(turn, start, start + len("Li Wei"), reason="a private person", user=self.user)
        self.assertFalse(HistoricalTurn.objects.filter(text__contains="Li Wei").exists())
        latest = HistoricalTurn.objects.order_by("-history_id").first()
        self.assertEqual(latest.history_change_reason, "redaction: a private person")
        self.assertIn(REDACTED, latest.text)
        page = self.client.get(f"/admin/archive/turn/{turn.pk}/history/")
        self.assertContains(page, "redaction: a private person")
        self.assertNotContains(page, "Li Wei")

    def test_a_redaction_through_the_api_names_its_curator(self) -> None:
        curator = make_curator("api-curator")
        response = token_client(curator).post(
            f"/api/v1/transcripts/{self.transcript.slug}/turns/1/redactions/",
            {"start": 0, "end": 4, "reason": "test"},
            format="json",
        )
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(HistoricalTurn.objects.get().history_user, curator)

    def test_erasing_a_person_scrubs_their_names_from_every_copy(self) -> None:
        self.edit_first_turn("Shimon Peres was asked: what is the secret of Jewish wisdom?")
        erase_person(Speaker.objects.get(slug="shimon-peres"), reason="erasure", user=self.user)
        self.assertFalse(HistoricalTurn.objects.filter(text__icontains="peres").exists())
        self.assertTrue(HistoricalTurn.objects.filter(text__contains=REDACTED).exists())
