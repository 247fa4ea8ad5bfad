"""People: speaker kinds, privacy and identifiers through import, export and the API; role
labels; one person under many spellings."""

from __future__ import annotations

import json
from io import StringIO

from django.core.management import call_command
from django.test import TestCase

from archive.exporters.qa_archive import transcript_document
from archive.importers import import_documents, read_content
from archive.models import Speaker, SpeakerKind, Transcript
from archive.people import (
    is_moderator_label,
    is_question_label,
    is_role_label,
    match_key,
    name_similarity,
    real_names,
)
from archive.search.documents import ROLE_FACET, iter_all_documents
from archive.selectors import speakers_browse, transcripts_for_export
from tests.fixtures import CORPUS, PERES_EN, document, import_document, needs_corpus


def with_speakers(*speakers: dict, turns: list[dict] | None = None, **changes: object) -> dict:
    """The Peres document with other speaker entries (turns by the first two unless given)."""
    names = [s["name"] for s in speakers]
    default_turns = [
        {"speaker": names[-1], "kind": "question", "text": "What is the secret of Jewish wisdom?"},
        {"speaker": names[0], "kind": "answer", "text": "Our secret is learning."},
    ]
    return document(PERES_EN, speakers=list(speakers), turns=turns or default_turns, **changes)


PERES = {"name": "Shimon Peres", "slug": "shimon-peres", "identifiers": {"wikidata": "Q11621"}}


def exported(slug: str, *, curator: bool = True) -> dict:
    with real_names(curator):
        return transcript_document(transcripts_for_export().get(slug=slug))


class InterchangeTests(TestCase):
    def test_kind_private_and_identifiers_survive_import_and_export(self) -> None:
        import_document(
            with_speakers(PERES, {"name": "Q", "kind": "role"}, {"name": "Li Wei", "private": True})
        )
        speakers = {s["name"]: s for s in exported("peres-weibo-test")["speakers"]}
        self.assertEqual(speakers["Shimon Peres"]["identifiers"], {"wikidata": "Q11621"})
        self.assertEqual(speakers["Shimon Peres"]["kind"], "person")
        self.assertEqual(speakers["Q"]["kind"], "role")
        self.assertIs(speakers["Li Wei"]["private"], True)
        self.assertIs(speakers["Shimon Peres"]["private"], False)

    def test_the_round_trip_with_the_new_keys_is_byte_identical(self) -> None:
        import_document(with_speakers(PERES, {"name": "PREGUNTA"}, {"name": "Li Wei", "private": True}))
        out = StringIO()
        call_command("export_transcripts", stdout=out)
        first = out.getvalue()
        Transcript.objects.all().delete()
        Speaker.objects.all().delete()
        report = import_documents(read_content(first.encode(), "dump.ndjson"))
        self.assertEqual(report.rejected, 0)
        again = StringIO()
        call_command("export_transcripts", stdout=again)
        self.assertEqual(again.getvalue(), first)

    def test_it_rejects_a_speaker_kind_it_does_not_know(self) -> None:
        report = import_documents(
            read_content(json.dumps(with_speakers(PERES, {"name": "Q", "kind": "robot"})).encode(), "d.json")
        )
        self.assertEqual(report.rejected, 1)
        self.assertIn("speakers[1].kind", str(report.errors[0]))

    def test_it_rejects_identifiers_that_are_not_a_mapping_of_text(self) -> None:
        bad = with_speakers({**PERES, "identifiers": ["Q11621"]}, {"name": "Q"})
        report = import_documents(read_content(json.dumps(bad).encode(), "d.json"))
        self.assertEqual(report.rejected, 1)
        self.assertIn("speakers[0].identifiers", str(report.errors[0]))


class RoleLabelTests(TestCase):
    def test_role_labels_are_recognised_in_every_language_held(self) -> None:
        labels = ["Q", "Question", "Reporter", "Journalist", "PREGUNTA", "INTERLOCUTOR/A", "INTERLOCUTORA",
                  "MODERADOR", "Host", "記者", "法新社记者", "שאלה", "SENIOR ADMINISTRATION OFFICIAL",
                  "INTERVENCIÓN", "VOZ MUJER"]  # fmt: skip
        for label in labels:
            with self.subTest(label=label):
                self.assertTrue(is_role_label(label))
        for name in ["Shimon Peres", "MS. PSAKI", "林剑", "QUESTIONABLE", "Hostetler"]:
            with self.subTest(name=name):
                self.assertFalse(is_role_label(name))

    def test_question_and_moderator_labels_are_told_apart(self) -> None:
        self.assertTrue(is_question_label("Q."))
        self.assertTrue(is_question_label("REPORTER (off mic)", prefix=True))
        self.assertFalse(is_question_label("REPORTERSHIP", prefix=True))
        self.assertTrue(is_moderator_label("MODERADORA"))
        self.assertFalse(is_question_label("MODERATOR"))

    def test_a_role_label_is_not_linked_across_transcripts(self) -> None:
        import_document(with_speakers(PERES, {"name": "Q"}))
        import_document(with_speakers(PERES, {"name": "Q"}, slug="another-briefing"))
        roles = Speaker.objects.filter(name="Q")
        self.assertEqual(roles.count(), 2)
        self.assertEqual({s.kind for s in roles}, {SpeakerKind.ROLE})
        self.assertEqual(Speaker.objects.filter(slug="shimon-peres").count(), 1)

    def test_reimporting_a_transcript_keeps_its_role_speaker(self) -> None:
        import_document(with_speakers(PERES, {"name": "Q"}))
        first = Speaker.objects.get(name="Q").pk
        import_document(with_speakers(PERES, {"name": "Q"}))
        self.assertEqual(list(Speaker.objects.filter(name="Q").values_list("pk", flat=True)), [first])

    def test_a_document_may_say_a_label_is_a_person(self) -> None:
        import_document(with_speakers(PERES, {"name": "Host", "kind": "person"}))
        self.assertEqual(Speaker.objects.get(name="Host").kind, SpeakerKind.PERSON)


class NameMatchingTests(TestCase):
    def test_spellings_of_one_name_share_a_key(self) -> None:
        self.assertEqual(match_key("CASAUBON"), match_key("CASAUBÓN"))
        self.assertEqual(match_key("MS. PSAKI"), match_key("Psaki"))
        self.assertEqual(match_key("Dr. Fauci"), match_key("DR. FAUCI"))
        self.assertEqual(match_key("Sr. López"), match_key("LOPEZ"))
        self.assertEqual(match_key('היו"ר משה גפני'), match_key("משה גפני"))
        self.assertEqual(
            match_key("PRESIDENTE ANDRÉS MANUEL LÓPEZ OBRADOR"), match_key("Andrés Manuel López Obrador")
        )
        self.assertEqual(match_key("SENATOR SMITH"), match_key("Smith"))

    def test_a_looser_match_is_only_similar(self) -> None:
        self.assertNotEqual(match_key("MS. PSAKI"), match_key("Jen Psaki"))
        self.assertGreater(name_similarity("MS. PSAKI", "Jen Psaki"), 0.8)
        self.assertLess(name_similarity("Jen Psaki", "Mao Ning"), 0.5)

    def test_an_import_links_one_person_across_accents_and_titles(self) -> None:
        import_document(with_speakers({"name": "CASAUBON"}, {"name": "PREGUNTA"}))
        import_document(with_speakers({"name": "SR. CASAUBÓN"}, {"name": "PREGUNTA"}, slug="another"))
        self.assertEqual(Speaker.objects.people().count(), 1)
        person = Speaker.objects.people().get()
        self.assertEqual(
            sorted(person.appearances.values_list("name", flat=True)), ["CASAUBON", "SR. CASAUBÓN"]
        )


@needs_corpus
class SampleCorpusPeopleTests(TestCase):
    """On the shared sample: people only in lists and facets, one Ebrard, Psaki suggested."""

    @classmethod
    def setUpTestData(cls) -> None:
        call_command("import_transcripts", str(CORPUS / "sample"), stdout=StringIO(), stderr=StringIO())

    def test_the_speaker_list_and_facets_hold_people_only(self) -> None:
        labels = {"Q", "PREGUNTA", "MODERADOR", "MODERATOR", "INTERLOCUTOR", "INTERLOCUTORA", "Host",
                  "INTERVENCIÓN", "SENIOR ADMINISTRATION OFFICIAL", "法新社记者"}  # fmt: skip
        listed = set(speakers_browse().values_list("name", flat=True))
        self.assertFalse(listed & labels)
        self.assertIn("MS. PSAKI", listed)
        role_slugs = set(Speaker.objects.filter(kind=SpeakerKind.ROLE).values_list("slug", flat=True))
        self.assertGreater(len(role_slugs), 300)  # one per transcript that has such a label
        facet_values = {doc.speaker for doc in iter_all_documents()}
        self.assertFalse(facet_values & role_slugs)
        self.assertIn(ROLE_FACET, facet_values)

    def test_speaker_duplicates_finds_ebrard_as_one_and_suggests_psaki(self) -> None:
        ebrard = Speaker.objects.filter(name__in=["MARCELO EBRARD CASAUBON", "MARCELO EBRARD CASAUBÓN"])
        self.assertEqual(ebrard.count(), 1)  # one person: the accent no longer splits him
        out = StringIO()
        call_command("speaker_duplicates", "--format", "json", stdout=out, stderr=StringIO())
        pairs = {(s["speaker"]["name"], s["other"]["name"]) for s in json.loads(out.getvalue())}
        self.assertIn(("MS. PSAKI", "Jen Psaki"), pairs)
        self.assertFalse({p for p in pairs if "CASAUBÓN" in p[0] + p[1]})
