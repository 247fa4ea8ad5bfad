"""Speakers in the admin and `speakers_merge`: names in every script, aliases, merging duplicates."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.urls import reverse

from archive.models import Appearance, Speaker, SpeakerName, Transcript, Turn, name_key
from archive.services import speakers_merge
from tests.admin.helpers import CuratorTestCase
from tests.fixtures import PERES_EN, document, import_document

CHANGELIST = reverse("admin:archive_speaker_changelist")

# The same man, imported from a Hebrew source under another name and slug.
PERES_HE = document(
    slug="peres-knesset-test",
    title="שאלות לנשיא",
    language="he",
    topics=None,
    speakers=[
        {"name": "שמעון פרס", "slug": "peres-he", "role": "נשיא המדינה", "names": {"he": "ש. פרס"}},
        {"name": "חבר הכנסת"},
    ],
    turns=[
        {"speaker": "חבר הכנסת", "kind": "question", "text": "מה סוד החכמה?"},
        {"speaker": "שמעון פרס", "kind": "answer", "text": "הסוד הוא הלמידה."},
    ],
)


class MergeServiceTests(CuratorTestCase):
    def setUp(self) -> None:
        super().setUp()
        import_document(PERES_EN)
        import_document(PERES_HE)
        self.peres = Speaker.objects.get(slug="shimon-peres")
        self.duplicate = Speaker.objects.get(slug="peres-he")

    def test_turns_and_appearances_move_and_the_other_speaker_is_gone(self) -> None:
        moved = speakers_merge(target=self.peres, others=[self.duplicate])
        self.assertEqual(moved, 1)
        self.assertFalse(Speaker.objects.filter(slug="peres-he").exists())
        self.assertEqual(Turn.objects.filter(speaker=self.peres).count(), 3)
        appearance = Appearance.objects.get(transcript__slug="peres-knesset-test", speaker=self.peres)
        self.assertEqual((appearance.name, appearance.role), ("שמעון פרס", "נשיא המדינה"))

    def test_names_that_clash_by_language_are_kept_as_aliases(self) -> None:
        speakers_merge(target=self.peres, others=[self.duplicate])
        self.peres.refresh_from_db()
        # Peres already had a Hebrew name: the other's Hebrew name becomes an alias, nothing is lost.
        self.assertEqual(self.peres.names["he"], "שמעון פרס")
        self.assertEqual(self.peres.aliases, ["Peres", "ש. פרס"])
        keys = set(SpeakerName.objects.filter(speaker=self.peres).values_list("key", flat=True))
        self.assertIn(name_key("ש. פרס"), keys)

    def test_a_name_only_a_transcript_used_becomes_an_alias(self) -> None:
        Appearance.objects.filter(speaker=self.duplicate).update(name="הנשיא פרס")
        speakers_merge(target=self.peres, others=[self.duplicate])
        self.peres.refresh_from_db()
        self.assertIn("הנשיא פרס", self.peres.aliases)

    def test_a_speaker_already_in_a_transcript_keeps_one_appearance_there(self) -> None:
        transcript = Transcript.objects.get(slug="peres-weibo-test")
        Appearance.objects.create(
            transcript=transcript, speaker=self.duplicate, name="Peres (dup)", position=9
        )
        Turn.objects.filter(transcript=transcript, position=4).update(speaker=self.duplicate)
        speakers_merge(target=self.peres, others=[self.duplicate])
        self.assertEqual(Appearance.objects.filter(transcript=transcript, speaker=self.peres).count(), 1)
        self.assertEqual(Turn.objects.get(transcript=transcript, position=4).speaker, self.peres)
        self.peres.refresh_from_db()
        self.assertIn("Peres (dup)", self.peres.aliases)

    def test_the_target_and_repeats_among_the_others_are_skipped(self) -> None:
        moved = speakers_merge(target=self.peres, others=[self.duplicate, self.peres, self.duplicate])
        self.assertEqual(moved, 1)
        self.assertTrue(Speaker.objects.filter(pk=self.peres.pk).exists())

    def test_every_transcript_touched_is_saved_so_the_index_hears_of_it(self) -> None:
        saved: list[str] = []

        def receiver(sender: Any, instance: Transcript, **kwargs: Any) -> None:
            saved.append(instance.slug)

        post_save.connect(receiver, sender=Transcript)
        try:
            speakers_merge(target=self.peres, others=[self.duplicate])
        finally:
            post_save.disconnect(receiver, sender=Transcript)
        self.assertEqual(saved, ["peres-knesset-test"])

    def test_a_later_import_under_the_merged_name_links_to_the_kept_speaker(self) -> None:
        speakers_merge(target=self.peres, others=[self.duplicate])
        again = document(PERES_HE, slug="peres-knesset-test-2")
        again["speakers"][0] = {"name": "ש. פרס"}
        again["turns"][1]["speaker"] = "ש. פרס"
        import_document(again)
        self.assertTrue(
            Appearance.objects.filter(transcript__slug="peres-knesset-test-2", speaker=self.peres).exists()
        )


class SpeakerAdminTests(CuratorTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        import_document(PERES_EN)
        import_document(PERES_HE)

    def test_the_list_shows_turn_and_transcript_counts(self) -> None:
        response = self.client.get(CHANGELIST)
        rows = {s.slug: (s.turn_count, s.transcript_count) for s in response.context["cl"].result_list}
        self.assertEqual(rows["shimon-peres"], (2, 1))
        self.assertEqual(rows["peres-he"], (1, 1))

    def test_search_finds_speakers_by_any_name_or_alias_in_any_script(self) -> None:
        for term, expected in [
            ("Peres", {"shimon-peres", "peres-he"}),
            ("西蒙", {"shimon-peres"}),
            ("ש. פרס", {"peres-he"}),
            ("PERES", {"shimon-peres", "peres-he"}),
        ]:
            response = self.client.get(CHANGELIST, {"q": term})
            self.assertEqual({s.slug for s in response.context["cl"].result_list}, expected, term)

    def test_a_curator_edits_names_and_aliases_as_lines(self) -> None:
        peres = Speaker.objects.get(slug="shimon-peres")
        url = reverse("admin:archive_speaker_change", args=[peres.pk])
        page = self.client.get(url)
        self.assertContains(page, "he: שמעון פרס\nzh-Hans: 西蒙·佩雷斯")
        response = self.client.post(
            url,
            {
                "name": "Shimon Peres",
                "slug": "shimon-peres",
                "role": "President of Israel",
                "names": "he: שמעון פרס\nar: شمعون بيريز\n",
                "aliases": "Peres\nShimon\nPeres\n",
            },
        )
        self.assertEqual(response.status_code, 302)
        peres.refresh_from_db()
        self.assertEqual(peres.names, {"he": "שמעון פרס", "ar": "شمعون بيريز"})
        self.assertEqual(peres.aliases, ["Peres", "Shimon"])
        self.assertEqual(Speaker.objects.get(lookup_names__key=name_key("شمعون بيريز")), peres)

    def test_a_bad_names_line_is_reported_with_its_number(self) -> None:
        peres = Speaker.objects.get(slug="shimon-peres")
        url = reverse("admin:archive_speaker_change", args=[peres.pk])
        data = {"name": "Shimon Peres", "slug": "shimon-peres", "names": "he: שמעון פרס\nhebrew name\n"}
        self.assertContains(self.client.post(url, data), "Line 2: write “tag: text”")
        data["names"] = "he: שמעון פרס\nHebrew!: פרס"
        self.assertContains(self.client.post(url, data), "Line 2: “Hebrew!” is not a BCP-47 language tag")
        data["names"] = "he: א\nhe: ב"
        self.assertContains(self.client.post(url, data), "Line 2: “he” is given twice.")

    def test_merge_asks_who_to_keep_then_merges(self) -> None:
        peres = Speaker.objects.get(slug="shimon-peres")
        duplicate = Speaker.objects.get(slug="peres-he")
        selected = {"action": "merge", "_selected_action": [str(peres.pk), str(duplicate.pk)]}
        page = self.client.post(CHANGELIST, selected)
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, "Shimon Peres (shimon-peres) — 2 turns in 1 transcripts")
        self.assertTrue(Speaker.objects.filter(pk=duplicate.pk).exists())
        done = self.client.post(CHANGELIST, {**selected, "apply": "1", "target": str(peres.pk)})
        self.assertEqual(done.status_code, 302)
        self.assertFalse(Speaker.objects.filter(pk=duplicate.pk).exists())
        self.assertEqual(Turn.objects.filter(speaker=peres).count(), 3)
        peres.refresh_from_db()
        self.assertIn("ש. פרס", peres.aliases)

    def test_merge_needs_two_speakers(self) -> None:
        peres = Speaker.objects.get(slug="shimon-peres")
        response = self.client.post(
            CHANGELIST, {"action": "merge", "_selected_action": [str(peres.pk)]}, follow=True
        )
        self.assertContains(response, "Select at least two speakers to merge.")

    def test_the_speaker_page_links_to_their_transcripts(self) -> None:
        peres = Speaker.objects.get(slug="shimon-peres")
        response = self.client.get(reverse("admin:archive_speaker_change", args=[peres.pk]))
        self.assertContains(response, f"?speaker={peres.pk}")

    def test_a_speaker_with_turns_cannot_be_deleted_and_the_page_says_to_merge(self) -> None:
        peres = Speaker.objects.get(slug="shimon-peres")
        url = reverse("admin:archive_speaker_delete", args=[peres.pk])
        self.assertContains(self.client.get(url), "Shimon Peres: 2 turn(s). Merge this speaker into another")
        self.client.post(url, {"post": "yes"})
        self.assertTrue(Speaker.objects.filter(pk=peres.pk).exists())

    def test_a_speaker_without_turns_can_be_deleted(self) -> None:
        lonely = Speaker.objects.create(slug="lonely", name="Lonely", aliases=["L."])
        url = reverse("admin:archive_speaker_delete", args=[lonely.pk])
        self.assertEqual(self.client.post(url, {"post": "yes"}).status_code, 302)
        self.assertFalse(Speaker.objects.filter(slug="lonely").exists())
