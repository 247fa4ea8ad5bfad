"""Import of transcripts as published on the web (`.txt`, `.md`): golden files and the tricky rules."""

from __future__ import annotations

import json
import tempfile
from io import StringIO
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import SimpleTestCase, TestCase

from archive.importers import IMPORTERS, import_documents, read_content
from archive.importers.published import parse_published, published_document
from archive.interchange import DocumentError, validate_document
from archive.models import Appearance, Transcript, Turn
from tests.fixtures import DATA

GOLDEN = DATA / "published"
# Front matter for tests of other rules than the language guess (too little text to guess from).
EN = "---\nlanguage: en\n---\n"
ES = "---\nlanguage: es\n---\n"
EN_TITLED = "---\nlanguage: en\ntitle: Briefing\n---\n"  # a first short line is then a place


def kinds(doc: dict[str, Any]) -> list[tuple[str, str, int | None]]:
    return [(t["speaker"], t["kind"], t.get("reply_to")) for t in doc["turns"]]


def rejection(text: str, source: str = "talk.md") -> DocumentError:
    [raw] = list(parse_published(text, source))
    assert raw.error is not None, f"expected a rejection, got {raw.data}"
    return raw.error


class GoldenFileTests(SimpleTestCase):
    """Each document under tests/data/published/ parses to the JSON beside it."""

    def test_every_golden_file_has_its_expected_document(self) -> None:
        sources = sorted(p for p in GOLDEN.iterdir() if p.suffix in (".md", ".txt"))
        self.assertGreaterEqual(len(sources), 6)
        for source in sources:
            with self.subTest(source=source.name):
                expected_path = source.with_name(source.stem + ".expected.json")
                expected = json.loads(expected_path.read_text(encoding="utf-8"))
                document = published_document(source.read_text(encoding="utf-8"), source.name)
                self.assertEqual(document, expected)
                validate_document(document)  # and the format accepts it

    def test_both_extensions_go_to_this_importer(self) -> None:
        self.assertIs(IMPORTERS[".md"], parse_published)
        self.assertIs(IMPORTERS[".txt"], parse_published)


class LabelTests(SimpleTestCase):
    def test_q_is_a_question_and_the_next_officials_turn_answers_it(self) -> None:
        doc = published_document(
            "MS. PSAKI:  Good afternoon.\n\nQ    Thanks, Jen.  Two questions.\n\n"
            "MS. PSAKI:  Sure.\n\nMS. PSAKI:  Go ahead.\n\nQ:  And the budget?\n\nMR. KIRBY:  Yes.\n",
            "b.md",
        )
        self.assertEqual(
            kinds(doc),
            [
                ("MS. PSAKI", "statement", None),
                ("Q", "question", None),
                ("MS. PSAKI", "answer", 2),
                ("MS. PSAKI", "statement", None),  # one label, one turn, as published
                ("Q", "question", None),
                ("MR. KIRBY", "answer", 5),
            ],
        )

    def test_an_answer_after_several_questions_replies_to_the_nearest(self) -> None:
        doc = published_document(
            EN + "Q    Is it true?\n\nQ    And when?\n\nTHE PRESIDENT:  Tomorrow.\n", "b.md"
        )
        self.assertEqual(
            kinds(doc), [("Q", "question", None), ("Q", "question", None), ("THE PRESIDENT", "answer", 2)]
        )

    def test_a_moderator_between_question_and_answer_keeps_the_question_open(self) -> None:
        doc = published_document(
            "**PREGUNTA:** ¿Cuándo empieza el programa?\n\n**MODERADORA:** Un momento, por favor.\n\n"
            "**PRESIDENTE:** El lunes próximo, en todos los estados del país.\n",
            "c.md",
        )
        self.assertEqual(
            kinds(doc),
            [("PREGUNTA", "question", None), ("MODERADORA", "moderator", None), ("PRESIDENTE", "answer", 1)],
        )

    def test_continuation_paragraphs_join_the_turn_and_wrapped_lines_join_the_paragraph(self) -> None:
        doc = published_document(
            "MS. PSAKI:  Good evening, everyone.  Thank you for joining us on this\nhistoric day.\n\n"
            "So we had a very busy\nday today.\n  \n   \nQ    Thanks.\n",
            "b.md",
        )
        self.assertEqual(
            doc["turns"][0]["text"],
            "Good evening, everyone. Thank you for joining us on this historic day.\n"
            "So we had a very busy day today.",
        )

    def test_bold_and_italic_labels_are_labels(self) -> None:
        doc = published_document(
            "**MODERADOR:** Bienvenidos.\n\n**MODERADOR** **:** Damos inicio.\n\n"
            "**_VOZ MUJER:_ ** _El programa llega a las escuelas._\n\n*Q    Can you hear me?*\n",
            "c.md",
        )
        self.assertEqual(
            [(t["speaker"], t["text"]) for t in doc["turns"]],
            [
                ("MODERADOR", "Bienvenidos."),
                ("MODERADOR", "Damos inicio."),
                ("VOZ MUJER", "El programa llega a las escuelas."),
                ("Q", "Can you hear me?"),
            ],
        )

    def test_name_comma_title_gives_the_name_and_the_role(self) -> None:
        doc = published_document(
            ES + "JORGE ALCOCER VARELA, SECRETARIO DE SALUD: Muchas gracias.\n\n"
            "PREGUNTA: ¿Y las vacunas?\n\nJORGE ALCOCER VARELA\u200b: Llegan mañana.\n",
            "c.md",
        )
        self.assertEqual(doc["speakers"][0], {"name": "JORGE ALCOCER VARELA", "role": "SECRETARIO DE SALUD"})
        self.assertEqual([t["speaker"] for t in doc["turns"]][-1], "JORGE ALCOCER VARELA")
        self.assertEqual(len(doc["speakers"]), 2)

    def test_a_note_in_parentheses_after_a_name_goes_to_the_role(self) -> None:
        doc = published_document(
            ES
            + "**JUSTIN TRUDEAU (interpretación del francés al español):** Es un gran placer estar aquí.\n",
            "c.md",
        )
        self.assertEqual(
            doc["speakers"], [{"name": "JUSTIN TRUDEAU", "role": "(interpretación del francés al español)"}]
        )

    def test_misspelt_journalist_labels_still_ask(self) -> None:
        doc = published_document(
            ES
            + "INTELOCUTOR: ¿Y mañana?\n\nPRESIDENTE: Sí.\n\nINTEVENCIÓN: ¿Cuándo?\n\nPRESIDENTE: Luego.\n",
            "c.md",
        )
        self.assertEqual([t["kind"] for t in doc["turns"]], ["question", "answer", "question", "answer"])

    def test_q_before_an_officials_label_is_a_typo_for_that_label(self) -> None:
        doc = published_document(EN + "Q    Is it over?\n\nQ    MR. KIRBY:  So, two thoughts here.\n", "b.md")
        self.assertEqual(kinds(doc), [("Q", "question", None), ("MR. KIRBY", "answer", 1)])
        self.assertEqual(doc["turns"][1]["text"], "So, two thoughts here.")

    def test_q_with_a_wide_gap_is_a_question_but_q_in_a_sentence_is_not(self) -> None:
        doc = published_document(
            "MR. KIRBY:  Hello.\n\nQ and A sessions are on Fridays.\n\nQ    in order to broker this deal?\n",
            "b.md",
        )
        self.assertEqual(kinds(doc), [("MR. KIRBY", "statement", None), ("Q", "question", None)])
        self.assertIn("Q and A sessions", doc["turns"][0]["text"])

    def test_acronyms_and_sentences_before_a_colon_are_not_labels(self) -> None:
        doc = published_document(
            "PRESIDENTE: La votación fue así:\n\nPT: a favor 35.\n\nEl PRI: a favor 39.\n\n"
            "So here is the thing: it passed.\n",
            "c.md",
        )
        self.assertEqual(len(doc["turns"]), 1)
        self.assertEqual(doc["turns"][0]["text"].count("\n"), 3)

    def test_labels_in_scripts_without_case_and_full_width_colons(self) -> None:
        doc = published_document(
            "---\nlanguage: zh-Hans\ntitle: 记者会\n---\n"
            "主持人：欢迎各位记者\n朋友。\n\n记者：请问发言人，这次访问的目的是什么？\n\n"
            "发言人：这次访问是为了加强合作。\n",
            "zh.md",
        )
        self.assertEqual(
            kinds(doc),
            [("主持人", "moderator", None), ("记者", "question", None), ("发言人", "answer", 2)],
        )
        self.assertEqual(doc["turns"][0]["text"], "欢迎各位记者朋友。")  # no space where a CJK line wrapped


class TextCleaningTests(SimpleTestCase):
    def test_time_stamps_end_lines_and_end_marks_are_dropped(self) -> None:
        doc = published_document(
            EN + "7:06 P.M. EST\n\nMS. PSAKI:  Thank you, everyone.\n\n"
            "END\u00a0 7:37 P.M. EST\n\n2:36 PM\n\n\\###\n",
            "b.md",
        )
        self.assertEqual(doc["turns"][0]["text"], "Thank you, everyone.")

    def test_markdown_escapes_links_and_emphasis_become_plain_text(self) -> None:
        doc = published_document(
            "SENIOR ADMINISTRATION OFFICIAL:  Thanks, \\[moderator\\].  See "
            "[www.example.org](https://www.example.org/) and _Diario del Centro_ for\n"
            "**more**.  A snake_case name and 2 * 3 stay.\n",
            "b.md",
        )
        self.assertEqual(
            doc["turns"][0]["text"],
            "Thanks, [moderator]. See www.example.org and Diario del Centro for more. "
            "A snake_case name and 2 * 3 stay.",
        )

    def test_the_gob_mx_header_gives_title_description_date_and_place(self) -> None:
        doc = published_document(
            "#  Versión estenográfica de la conferencia de prensa matutina | Martes 9 de\njunio de 2020 \n\n"
            "##  Acto encabezado por el presidente desde\nPalacio Nacional\n\n"
            "Presidencia de la República | 09 de junio de 2020 \n\n"
            "![Foto\n\nde la conferencia](https://example.org/a.jpeg)\nFoto de la conferencia\n\n"
            "**PRESIDENTE:** Buenos días a todas y a todos, vamos a empezar con el informe de la semana.\n",
            "conferencia.md",
        )
        self.assertEqual(
            {k: doc[k] for k in ("title", "description", "date", "place", "language")},
            {
                "title": (
                    "Versión estenográfica de la conferencia de prensa matutina | Martes 9 de junio de 2020"
                ),
                "description": "Acto encabezado por el presidente desde Palacio Nacional",
                "date": "2020-06-09",
                "place": "Palacio Nacional",
                "language": "es",
            },
        )

    def test_a_stage_note_before_the_first_label_opens_the_first_turn(self) -> None:
        doc = published_document(
            EN_TITLED
            + "James S. Brady Press Briefing Room\n\n(Reporters laughing.)\n\nMS. JEAN-PIERRE:  Hello.\n",
            "b.md",
        )
        self.assertEqual(doc["place"], "James S. Brady Press Briefing Room")
        self.assertEqual(doc["turns"][0]["text"], "(Reporters laughing.)\nHello.")

    def test_place_lines_one_after_another_make_one_place(self) -> None:
        doc = published_document(
            EN_TITLED + "Aboard Air Force One\n\nEn Route Columbus, Ohio\n\nQ    Hi.\n", "b.md"
        )
        self.assertEqual(doc["place"], "Aboard Air Force One, En Route Columbus, Ohio")

    def test_speech_before_the_first_label_is_an_unattributed_opening_turn(self) -> None:
        doc = published_document(
            ES + "# Visita a la presa\n\n… El presidente constitucional de los Estados Unidos Mexicanos.\n\n"
            "Le acompañan el gobernador del estado y la secretaria de Energía.\n\n"
            "MODERADOR: Hace uso de la palabra el gobernador.\n",
            "presa.md",
        )
        self.assertEqual(doc["speakers"][0], {"name": ""})
        self.assertEqual(doc["turns"][0]["text"].count("\n"), 1)
        self.assertNotIn("description", doc)
        validate_document(doc)  # the format's unattributed speaker

    def test_a_short_note_before_the_first_label_is_the_description(self) -> None:
        doc = published_document(
            EN + "\\*\\*Please see below for a correction, marked with an asterisk.\n\nQ    Hi.\n", "b.md"
        )
        self.assertEqual(doc["description"], "**Please see below for a correction, marked with an asterisk.")

    def test_without_a_title_or_heading_the_first_line_is_the_title_and_the_file_name_the_date(self) -> None:
        doc = published_document(
            EN + "Morning interview\n\nHOST: Good morning, Minister, and welcome to the programme today.\n",
            "2023-06-12-interview.txt",
        )
        self.assertEqual((doc["title"], doc["date"]), ("Morning interview", "2023-06-12"))


class FrontMatterTests(SimpleTestCase):
    def test_front_matter_gives_every_document_key_and_ignores_the_publishers_own(self) -> None:
        doc = published_document(
            "---\ntitle: Briefing\ndate: 2021-01-20\nlanguage: en\nslug: briefing-1\nevent: Daily briefing\n"
            "place: Washington\nlicense: Public domain\ndescription: A test.\nstatus: review\n"
            "topics: [economy, health]\ntranslation_of: briefing-0\nsource_url: https://example.org/b\n"
            "tags: press-briefings\nmodified_time: 2021-01-21 19:32:28-05:00\n---\n\nMS. PSAKI:  Hello.\n",
            "b.md",
        )
        self.assertEqual(
            {k: v for k, v in doc.items() if k not in ("speakers", "turns")},
            {
                "format": "qa-archive/1",
                "slug": "briefing-1",
                "title": "Briefing",
                "date": "2021-01-20",
                "language": "en",
                "event": "Daily briefing",
                "place": "Washington",
                "source_url": "https://example.org/b",
                "license": "Public domain",
                "description": "A test.",
                "status": "review",
                "translation_of": "briefing-0",
                "topics": ["economy", "health"],
            },
        )

    def test_the_language_in_front_matter_wins_over_the_guess(self) -> None:
        doc = published_document("---\nlanguage: es\n---\nQ    Thank you very much for this.\n", "b.md")
        self.assertEqual(doc["language"], "es")

    def test_bad_yaml_is_rejected_naming_the_line(self) -> None:
        error = rejection("---\ntitle: Briefing\ndate: [2021\nlanguage: en\n---\nQ    Hi.\n", "b.md")
        self.assertIn("bad YAML front matter", error.message)
        self.assertEqual(error.line, 4)

    def test_front_matter_that_is_never_closed_is_rejected(self) -> None:
        error = rejection("---\ntitle: Briefing\n\nMS. PSAKI:  Hello.\n")
        self.assertEqual(error.line, 1)
        self.assertIn("never closed", error.message)

    def test_a_bad_date_is_rejected_naming_the_key(self) -> None:
        doc = published_document("---\ndate: 2021-13-45\nlanguage: en\n---\nMS. PSAKI:  Hello.\n", "b.md")
        with self.assertRaises(DocumentError) as caught:
            validate_document(doc)
        self.assertEqual(caught.exception.key, "date")


class RejectionTests(TestCase):
    def test_a_file_without_speaker_labels_is_rejected_naming_the_file(self) -> None:
        [raw] = list(read_content("Amigas y amigos del Istmo.\n\nEstamos aquí.\n".encode(), "speech.md"))
        report = import_documents([raw])
        self.assertEqual(report.documents, 0)
        message = str(report.errors[0])
        self.assertIn("speech.md", message)
        self.assertIn("no speaker labels found", message)
        self.assertIn("upper-case speaker label and a colon", message)
        self.assertFalse(Transcript.objects.exists())

    def test_front_matter_errors_name_the_file_with_the_line_or_the_key(self) -> None:
        bad_yaml = "---\ntitle: Briefing\ndate: [2021\nlanguage: en\n---\nQ    Hi.\n"
        bad_date = "---\ntitle: Briefing\ndate: 2021-02-30\nlanguage: en\n---\nMS. PSAKI:  Hello.\n"
        report = import_documents(
            [*read_content(bad_yaml.encode(), "a.md"), *read_content(bad_date.encode(), "b.md")]
        )
        self.assertEqual([str(e).split(": ")[0] for e in report.errors], ["a.md, line 4", "b.md, key date"])
        self.assertFalse(Transcript.objects.exists())

    def test_an_undecidable_language_is_rejected_asking_for_front_matter(self) -> None:
        error = rejection("MS. PSAKI:  Thanks, Jen.\n\nQ    Okay.\n")
        self.assertEqual(error.key, "language")
        self.assertIn("language: es", error.message)

    def test_the_command_reports_what_it_rejects_and_imports_the_rest(self) -> None:
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            (root / "LICENSE.txt").write_text("Creative Commons Legal Code\n\nCC0 1.0 Universal\n")
            (root / "briefing.md").write_text((GOLDEN / "wh-2021-01-20-psaki-briefing.md").read_text())
            out, err = StringIO(), StringIO()
            with self.assertRaises(CommandError):
                call_command("import_transcripts", folder, "--no-progress", stdout=out, stderr=err)
        self.assertIn("imported 1 documents", out.getvalue())
        self.assertIn("LICENSE.txt: no speaker labels found", err.getvalue())


class PipelineTests(TestCase):
    def test_a_reimport_of_the_same_file_replaces_the_transcript(self) -> None:
        content = (GOLDEN / "mananera-2022-03-14.md").read_bytes()
        first = import_documents(read_content(content, "mananera-2022-03-14.md"))
        second = import_documents(read_content(content, "mananera-2022-03-14.md"))
        self.assertEqual((first.created, second.replaced, second.rejected), (1, 1, 0))
        transcript = Transcript.objects.get()
        self.assertEqual(transcript.language, "es")
        self.assertEqual(transcript.turns.count(), 11)
        answer = Turn.objects.get(transcript=transcript, position=9)
        self.assertEqual((answer.kind, answer.reply_to.position if answer.reply_to else None), ("answer", 8))
        role = Appearance.objects.get(transcript=transcript, name="MARÍA FERNANDA RUIZ OCHOA").role
        self.assertEqual(role, "SECRETARIA DE SALUD")
