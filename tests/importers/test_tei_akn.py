"""Import of TEI (Parla-CLARIN / ParlaMint) and Akoma Ntoso debates, and the XML they refuse."""

from __future__ import annotations

import shutil
import tempfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase

from archive.importers import ImportReport, import_documents, read_content, read_files
from archive.models import Speaker, Transcript, TurnKind
from tests.interchange_xml import (
    AKN_DEBATE,
    BILLION_LAUGHS,
    EXTERNAL_ENTITY,
    LIST_PERSON,
    interchange_files,
    tei_sitting,
)


def import_bytes(content: bytes, source: str) -> ImportReport:
    return import_documents(read_content(content, source))


def turns_of(slug: str) -> list[tuple[str, str, str, str, str]]:
    transcript = Transcript.objects.get(slug=slug)
    return [
        (t.speaker.name, t.kind, t.section, t.language, t.text)
        for t in transcript.turns.select_related("speaker").order_by("position")
    ]


class TeiImportTests(TestCase):
    def test_a_sitting_becomes_a_transcript_with_metadata_turns_and_sections(self) -> None:
        report = import_bytes(tei_sitting(), "sitting.xml")
        self.assertEqual(report.rejected, 0, report.errors)
        transcript = Transcript.objects.get(slug="test-sitting-2014-04-10")
        self.assertEqual(transcript.title, "Questions to the President")
        self.assertEqual(transcript.event, "Sitting 12")
        self.assertEqual(str(transcript.date), "2014-04-10")
        self.assertEqual(transcript.language, "en")
        self.assertEqual(transcript.place, "Jerusalem")
        self.assertEqual(transcript.license, "http://creativecommons.org/licenses/by/4.0/")
        self.assertEqual(transcript.source_url, "https://example.org/sitting-12")
        self.assertEqual(
            turns_of(transcript.slug),
            [
                ("Unnamed speaker", TurnKind.NARRATIVE, "Opening", "", "The sitting opened at 10.00."),
                (
                    "Ana Novak",
                    TurnKind.MODERATOR,
                    "Opening",
                    "",
                    "Order, order.\nThe President has the floor.",
                ),
                (
                    "Shimon Peres",
                    TurnKind.STATEMENT,
                    "Questions",
                    "",
                    "Our secret is […] learning.\n(nods)\nWe learn all our lives.",
                ),
                ("Shimon Peres", TurnKind.STATEMENT, "Questions", "he", "תודה רבה."),
                ("Unnamed speaker", TurnKind.NARRATIVE, "Questions", "", "Applause."),
            ],
        )

    def test_speakers_carry_every_name_their_role_and_identifiers(self) -> None:
        [raw] = read_content(tei_sitting(), "sitting.xml")
        peres = next(s for s in raw.data["speakers"] if s["name"] == "Shimon Peres")
        self.assertEqual(peres["names"], {"he": "שמעון פרס", "zh-Hans": "西蒙·佩雷斯"})
        self.assertEqual(peres["role"], "President of Israel")
        self.assertEqual(peres["identifiers"], {"wikidata": "Q11621"})
        import_bytes(tei_sitting(), "sitting.xml")
        speaker = Speaker.objects.get(name="Shimon Peres")
        self.assertEqual(speaker.names, {"he": "שמעון פרס", "zh-Hans": "西蒙·佩雷斯"})

    def test_a_list_person_file_beside_the_sitting_names_the_speakers(self) -> None:
        folder = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, folder)
        (folder / "ParlaMint-XX-listPerson.xml").write_text(LIST_PERSON, encoding="utf-8")
        (folder / "ParlaMint-XX_2014-04-10.xml").write_bytes(tei_sitting(persons=""))
        out = StringIO()
        call_command("import_transcripts", str(folder), stdout=out, stderr=StringIO())
        self.assertIn("imported 1 documents", out.getvalue())
        self.assertEqual(Transcript.objects.get().appearances.get(name="Ana Novak").speaker.name, "Ana Novak")

    def test_without_any_list_person_speakers_are_named_as_printed(self) -> None:
        sitting = tei_sitting(
            persons="",
            **{'<u who="#Chair1"': '<note type="speaker">PREDSEDNIK ANA NOVAK:</note><u who="#Chair1"'},
        )
        import_bytes(sitting, "sitting.xml")
        self.assertEqual(turns_of("test-sitting-2014-04-10")[1][0], "PREDSEDNIK ANA NOVAK")

    def test_tei_is_recognised_by_content_whatever_the_extension(self) -> None:
        report = import_bytes(tei_sitting(), "sitting.txt")
        self.assertEqual((report.documents, report.rejected), (1, 0))

    def test_a_who_naming_no_person_is_rejected_with_file_element_and_line(self) -> None:
        sitting = tei_sitting(**{'who="#Chair1"': 'who="#Nobody"'})
        report = import_bytes(sitting, "sitting.xml")
        [error] = report.errors
        line = sitting.decode().splitlines().index('        <u who="#Nobody" ana="#chair">') + 1
        self.assertEqual(
            str(error), f'sitting.xml, line {line}: <u> who="#Nobody" names no person of the listPerson'
        )
        self.assertFalse(Transcript.objects.exists())
        self.assertFalse(Speaker.objects.exists())

    def test_a_sitting_without_a_date_or_language_is_rejected(self) -> None:
        report = import_bytes(tei_sitting(**{'<date when="2014-04-10"/>': ""}), "nodate.xml")
        self.assertIn("nodate.xml, line 16: <setting> gives no date", str(report.errors[0]))
        sitting = tei_sitting(
            **{
                ' xml:lang="en">\n    <body>': ">\n    <body>",
                'xml:id="test-sitting-2014-04-10" xml:lang="en"': 'xml:id="x"',
            }
        )
        report = import_bytes(sitting, "nolang.xml")
        self.assertIn("nolang.xml, line 32: <text> has no xml:lang", str(report.errors[0]))
        self.assertFalse(Transcript.objects.exists())


class AkomaNtosoImportTests(TestCase):
    def test_a_debate_becomes_a_transcript_with_sections_speakers_and_pairs(self) -> None:
        report = import_bytes(AKN_DEBATE.encode(), "debate.xml")
        self.assertEqual(report.rejected, 0, report.errors)
        transcript = Transcript.objects.get()
        self.assertEqual(
            (transcript.title, str(transcript.date), transcript.language),
            ("Second meeting", "2011-06-10", "en"),
        )
        self.assertEqual(
            turns_of(transcript.slug),
            [
                ("Unnamed speaker", TurnKind.NARRATIVE, "QUESTIONS", "", "[MR. SPEAKER IN THE CHAIR]"),
                ("Mr. Kappa", TurnKind.QUESTION, "QUESTIONS", "", "Why?\nAnd when?"),
                ("Mr. Speaker", TurnKind.STATEMENT, "QUESTIONS", "", "Order!"),
                ("Mr. Eta", TurnKind.ANSWER, "QUESTIONS", "", "Because."),
                ("Unnamed speaker", TurnKind.NARRATIVE, "QUESTIONS", "", "(Applause)"),
            ],
        )
        answer = transcript.turns.get(position=4)
        self.assertEqual(answer.reply_to and answer.reply_to.position, 2)
        [raw] = read_content(AKN_DEBATE.encode(), "debate.xml")
        speakers = {s["name"]: s for s in raw.data["speakers"]}
        self.assertEqual(speakers["Mr. Speaker"].get("kind"), "role")  # a TLCRole
        self.assertNotIn("kind", speakers["Mr. Eta"])
        # `from` is the name as printed: kept as an alias of the person `by` names.
        self.assertEqual(Speaker.objects.get(name="Mr. Speaker").aliases, ["The Speaker"])

    def test_a_by_naming_no_reference_is_rejected_with_its_line(self) -> None:
        report = import_bytes(AKN_DEBATE.replace('by="#eta"', 'by="#nobody"').encode(), "debate.xml")
        self.assertEqual(
            str(report.errors[0]),
            'debate.xml, line 26: <answer> by="#nobody" names no TLCPerson or TLCRole of the references',
        )
        self.assertFalse(Transcript.objects.exists())

    def test_a_debate_without_a_language_is_rejected_unless_its_file_name_gives_one(self) -> None:
        debate = AKN_DEBATE.replace('<FRBRlanguage language="eng"/>', "").encode()
        report = import_bytes(debate, "debate.xml")
        self.assertIn("debate.xml, line 8: <FRBRExpression> gives no language", str(report.errors[0]))
        self.assertEqual(import_bytes(debate, "debate.sw.xml").rejected, 0)
        self.assertEqual(Transcript.objects.get().language, "sw")


class HostileXmlTests(TestCase):
    def test_entity_expansion_and_external_entities_are_refused(self) -> None:
        for content, name in [(BILLION_LAUGHS, "lol.xml"), (EXTERNAL_ENTITY, "xxe.xml")]:
            [error] = import_bytes(content, name).errors
            self.assertEqual(error.source, name)
            self.assertEqual(error.line, 2)
            self.assertIn("DOCTYPE or entities, which are refused", error.message)
        self.assertFalse(Transcript.objects.exists())

    def test_an_xml_file_that_is_neither_standard_is_rejected(self) -> None:
        report = import_bytes(b"<html><body>hi</body></html>", "page.xml")
        self.assertEqual(
            str(report.errors[0]),
            "page.xml, line 1: is neither TEI (<TEI>, <teiCorpus>) nor Akoma Ntoso (<akomaNtoso>)",
        )

    def test_broken_xml_names_its_line(self) -> None:
        report = import_bytes(tei_sitting(**{"</u>\n      </div>": "</div>"}), "broken.xml")
        self.assertIn("broken.xml, line", str(report.errors[0]))
        self.assertIn("is not well-formed XML", str(report.errors[0]))

    def test_the_command_reports_the_rejected_file_and_writes_nothing(self) -> None:
        folder = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, folder)
        (folder / "lol.xml").write_bytes(BILLION_LAUGHS)
        err = StringIO()
        with self.assertRaises(CommandError):
            call_command("import_transcripts", str(folder), stdout=StringIO(), stderr=err)
        self.assertIn("lol.xml, line 2: declares a DOCTYPE", err.getvalue())
        self.assertFalse(Transcript.objects.exists())


# --- The real files of ../shared/corpus/interchange/ (skipped without them) ---

EXPECTED = {
    # file: (turns, speakers with a name, sections, language, date)
    "Parla-CLARIN-Exemplar.xml": (15, 4, {"THIRD AMENDMENT", "BREXIT"}, "en", "2011-06-10"),
    "siParl-KPZONOJFSPD-Redna-021-1998-11-25.xml": (11, 4, None, "sl", "1998-11-25"),
    "siParl-OZKGIP-Redna-025-1998-12-08.xml": (11, 5, {"Pred dnevnim redom"}, "sl", "1998-12-08"),
    "Debate_Bungeni-1995-10-31.xml": (11, 5, {"PAPERS LAID", "ADJOURNMENT"}, "en", "1995-10-31"),
    "Debate_Bungeni_2010-11-12.xml": (4, 0, None, "en", "2010-11-12"),
    "Debate_Bungeni_2011-06-10.xml": (
        24,
        7,
        {"QUORUM", "DIVISION"},
        "en",
        "2011-06-10",
    ),  # Mr. Speaker a role
    "Quiestions_Bungeni-2010.xml": (2, 2, None, "en", "2010-11-07"),
    # SayIt's fixtures have no language: imported as SayIt would, the file name giving one.
    "sayit-test_blank_speakers.xml": (4, 1, None, "en", None),
    "sayit-test_empty_title.xml": (3, 0, {"Conclusions"}, "en", "2014-07-24"),
    "sayit-test_unicode_character.xml": (1, 0, None, "en", None),
}


def _shared_file_ids() -> list[Path]:
    return interchange_files("tei") + interchange_files("akoma-ntoso")


@pytest.mark.django_db
@pytest.mark.skipif(not _shared_file_ids(), reason="../shared/corpus/interchange is absent")
@pytest.mark.parametrize("path", _shared_file_ids(), ids=lambda p: p.name)
def test_each_shared_interchange_file_imports_sensibly(path: Path) -> None:
    turns, named, sections, language, date = EXPECTED[path.name]
    source = path
    if path.name.startswith("sayit-"):
        folder = Path(tempfile.mkdtemp())
        source = folder / path.name.replace(".xml", ".en.xml")
        shutil.copy(path, source)
    report = import_documents(read_files([source]))
    assert report.rejected == 0, report.errors
    transcript = Transcript.objects.get(slug=report.slugs[0])
    assert transcript.language == language
    assert (str(transcript.date) if transcript.date else None) == date
    assert transcript.turns.count() == turns
    assert transcript.appearances.exclude(name="").count() == named
    if sections is not None:
        assert sections <= set(transcript.turns.values_list("section", flat=True))
    if path.name == "sayit-test_unicode_character.xml":
        assert transcript.turns.get().text == "£1,000,000 is thrown into the air"
    if path.name == "sayit-test_blank_speakers.xml":
        assert [t.speaker.name for t in transcript.turns.order_by("position")] == [
            "Unnamed speaker",
            "Speaker",
            "Speaker",
            "Speaker",
        ]
