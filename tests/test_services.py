"""Services that keep the archive consistent after curators' edits."""

from __future__ import annotations

from django.test import TestCase

from archive.exporters.qa_archive import transcript_document
from archive.models import Speaker
from archive.selectors import transcripts_for_export
from archive.services import turns_renumber, unique_slug
from tests.fixtures import PERES_ZH, document, import_document


class TurnsRenumberTests(TestCase):
    def test_a_deleted_turn_leaves_no_gap_and_translations_stay_aligned(self) -> None:
        original = import_document(document())
        translation = import_document(
            document(
                PERES_ZH,
                turns=[
                    {"speaker": "微博网友", "kind": "question", "text": "还会再来中国吗？", "original": 3},
                    {"speaker": "西蒙·佩雷斯", "kind": "answer", "text": "希望如此。", "original": 4},
                ],
            )
        )
        original.turns.get(position=2).delete()

        self.assertEqual(turns_renumber(original), 2)

        self.assertEqual(list(original.turns.values_list("position", flat=True)), [1, 2, 3])
        self.assertEqual(list(translation.turns.values_list("original_position", flat=True)), [2, 3])
        aligned = translation.turns.get(position=1).original_turn()
        self.assertEqual(aligned.text if aligned else None, "Will you visit China again?")
        doc = transcript_document(transcripts_for_export().get(slug=original.slug))
        self.assertEqual([t.get("reply_to") for t in doc["turns"]], [None, None, 2])

    def test_contiguous_positions_are_left_alone(self) -> None:
        transcript = import_document(document())
        self.assertEqual(turns_renumber(transcript), 0)


class UniqueSlugTests(TestCase):
    def test_the_first_free_number_is_taken_in_one_query(self) -> None:
        for slug in ("q", "q-2", "q-4", "q-and-a", "qq-3"):
            Speaker.objects.create(slug=slug, name=slug)
        with self.assertNumQueries(1):
            self.assertEqual(unique_slug(Speaker, "Q"), "q-3")
        Speaker.objects.create(slug="q-3", name="Q")
        self.assertEqual(unique_slug(Speaker, "Q"), "q-5")
        self.assertEqual(unique_slug(Speaker, "Qq"), "qq")
        self.assertEqual(unique_slug(Speaker, "Q and A"), "q-and-a-2")
