"""Exports for people and other tools: CSV, plain text, WebVTT and SRT; the VTT round trip."""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
from io import StringIO
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase

from archive.exporters import get_exporter
from archive.exporters.table_csv import COLUMNS
from archive.importers import import_documents, read_content
from archive.models import Transcript
from archive.selectors import transcripts_for_export
from tests.fixtures import CORPUS, PERES_ZH, document, import_document, needs_corpus

CHAIR = 'היו"ר משה גפני'
MEMBER = "מיכל שיר סגמן"
REPORTER = "Reuters correspondent"

# A committee hearing with times on every turn, two turns in a row by one speaker,
# a turn in another language, and text that subtitle and CSV syntax must escape.
HEARING: dict[str, Any] = {
    "slug": "finance-committee-hearing",
    "title": "ועדת הכספים: שאלות ותשובות",
    "date": "2022-11-21",
    "language": "he",
    "place": "ירושלים",
    "source_url": "https://example.org/knesset/finance",
    "topics": ["budget"],
    "speakers": [
        {"name": CHAIR, "role": "יושב-ראש"},
        {"name": MEMBER, "role": "חברת כנסת"},
        {"name": REPORTER, "role": "press"},
    ],
    "turns": [
        {
            "speaker": CHAIR,
            "kind": "moderator",
            "text": "בוקר טוב.\nאני פותח את הישיבה.",
            "start": 0.5,
            "end": 4.0,
        },
        {"speaker": CHAIR, "kind": "statement", "text": "על סדר היום: התקציב.", "start": 4.0, "end": 7.25},
        {
            "speaker": MEMBER,
            "kind": "question",
            "text": 'מתי, "בדיוק", נקבל את החומרים?',
            "start": 7.5,
            "end": 11.0,
        },
        {
            "speaker": CHAIR,
            "kind": "answer",
            "text": "היום, <b>לפני</b> 18:00 & לא יאוחר --> מחר.",
            "topics": ["budget", "schedule"],
            "start": 11.2,
            "end": 13.0,
        },
        {
            "speaker": REPORTER,
            "kind": "question",
            "language": "en",
            "text": "Will the vote be public, as promised?",
            "start": 3600.123,
            "end": 3605.0,
        },
        {"speaker": CHAIR, "kind": "answer", "text": "כן.", "start": 3606.0, "end": 3607.5},
    ],
}


def export(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("export_transcripts", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def render(format_name: str, slug: str) -> str:
    return get_exporter(format_name).render(transcripts_for_export(slugs=[slug]).get())


def blocks(text: str) -> list[list[str]]:
    return [block.split("\n") for block in text.strip("\n").split("\n\n")]


class ExportTestCase(TestCase):
    def setUp(self) -> None:
        import_document(document())  # peres-weibo-test: one timed turn of four
        import_document(PERES_ZH)  # no times at all
        import_document(HEARING)


class CsvExportTests(ExportTestCase):
    def rows(self) -> list[dict[str, str]]:
        text, _ = export("--format", "csv")
        reader = csv.DictReader(io.StringIO(text, newline=""))
        self.assertEqual(reader.fieldnames, COLUMNS)
        return list(reader)

    def test_it_writes_one_row_per_turn_under_one_header(self) -> None:
        rows = self.rows()
        self.assertEqual(len(rows), 4 + 2 + 6)
        self.assertEqual(
            [(r["transcript_slug"], r["position"]) for r in rows][:3],
            [
                ("finance-committee-hearing", "1"),
                ("finance-committee-hearing", "2"),
                ("finance-committee-hearing", "3"),
            ],
        )
        text, _ = export("--format", "csv")
        self.assertEqual(text.count("transcript_slug,"), 1)

    def test_fields_with_commas_quotes_and_newlines_survive(self) -> None:
        rows = {(r["transcript_slug"], r["position"]): r for r in self.rows()}
        self.assertEqual(rows["finance-committee-hearing", "1"]["text"], "בוקר טוב.\nאני פותח את הישיבה.")
        self.assertEqual(rows["finance-committee-hearing", "3"]["text"], 'מתי, "בדיוק", נקבל את החומרים?')
        self.assertEqual(rows["peres-weibo-test", "4"]["text"], "I hope so.\nChina is a friend.")

    def test_each_column_holds_what_its_name_says(self) -> None:
        rows = {(r["transcript_slug"], r["position"]): r for r in self.rows()}
        answer = rows["peres-weibo-test", "2"]
        self.assertEqual(
            {k: answer[k] for k in ("title", "date", "transcript_language", "speaker_name", "speaker_slug")},
            {
                "title": "Shimon Peres answers Weibo users",
                "date": "2014-04-10",
                "transcript_language": "en",
                "speaker_name": "Shimon Peres",
                "speaker_slug": "shimon-peres",
            },
        )
        self.assertEqual(
            (answer["kind"], answer["reply_to"], answer["start"], answer["end"]),
            ("answer", "1", "61.0", "94.5"),
        )
        self.assertEqual(rows["peres-weibo-test", "1"]["topics"], "education")
        self.assertEqual(rows["finance-committee-hearing", "4"]["topics"], "budget;schedule")
        self.assertEqual(rows["finance-committee-hearing", "5"]["turn_language"], "en")
        self.assertEqual(rows["finance-committee-hearing", "6"]["turn_language"], "he")
        translated = rows["peres-weibo-test-zh", "2"]
        self.assertEqual((translated["speaker_name"], translated["original"]), ("西蒙·佩雷斯", "2"))
        self.assertEqual(rows["peres-weibo-test", "3"]["start"], "")

    def test_a_file_output_is_utf8_without_a_byte_order_mark(self) -> None:
        path = Path(tempfile.mkdtemp()) / "turns.csv"
        export("--format", "csv", "--output", str(path))
        content = path.read_bytes()
        self.assertTrue(content.startswith(b"transcript_slug,"))
        self.assertIn("ועדת הכספים".encode(), content)
        self.assertEqual(len(list(csv.reader(io.StringIO(content.decode("utf-8"), newline="")))), 13)


class TextExportTests(ExportTestCase):
    def test_it_shows_particulars_then_speakers_with_roles_and_marks(self) -> None:
        text = render("txt", "peres-weibo-test")
        self.assertTrue(text.startswith("=" * 72 + "\nShimon Peres answers Weibo users\n" + "=" * 72 + "\n"))
        for line in ["Date: 2014-04-10", "Event: Weibo live Q&A", "Place: Beijing", "Language: en"]:
            self.assertIn(f"\n{line}\n", text)
        self.assertIn("\n[Q] Weibo user (audience):\nWhat is the secret of Jewish wisdom?\n", text)
        self.assertIn("\n00:01:01 [A] Shimon Peres (President of Israel):\nOur secret is learning.\n", text)
        self.assertIn("\n[A] Shimon Peres (President of Israel):\nI hope so.\nChina is a friend.\n", text)
        self.assertIn("Marks: [Q] question, [A] answer", text)

    def test_other_languages_moderation_and_sources_are_marked(self) -> None:
        text = render("txt", "finance-committee-hearing")
        self.assertIn(f"\n00:00:00 [M] {CHAIR} (יושב-ראש):\nבוקר טוב.\nאני פותח את הישיבה.\n", text)
        self.assertIn(f"\n00:00:04 {CHAIR} (יושב-ראש):\n", text)
        self.assertIn("\n01:00:00 [Q] Reuters correspondent (press) [en]:\n", text)
        self.assertIn("\nSource: https://example.org/knesset/finance\n", text)

    def test_several_transcripts_follow_one_another_each_under_its_own_rules(self) -> None:
        text, _ = export("--format", "txt")
        titles = re.findall(r"^={72}\n(.+)\n={72}$", text, flags=re.MULTILINE)
        self.assertEqual(
            titles,
            ["ועדת הכספים: שאלות ותשובות", "Shimon Peres answers Weibo users", "佩雷斯回答微博网友提问"],
        )
        self.assertIn("\n\n" + "=" * 72 + "\n佩雷斯回答微博网友提问", text)


class VttExportTests(ExportTestCase):
    def test_it_writes_a_header_a_metadata_note_and_a_cue_per_turn(self) -> None:
        parts = blocks(render("vtt", "finance-committee-hearing"))
        self.assertEqual(parts[0], ["WEBVTT"])
        self.assertEqual(parts[1][0], "NOTE")
        self.assertIn("Title: ועדת הכספים: שאלות ותשובות", parts[1])
        self.assertIn("Slug: finance-committee-hearing", parts[1])
        self.assertIn("Language: he", parts[1])
        cues = parts[2:]
        self.assertEqual([cue[0] for cue in cues], [f"turn-{n}" for n in range(1, 7)])
        self.assertEqual(
            cues[0][1:],
            ["00:00:00.500 --> 00:00:04.000", f"<v.moderator {CHAIR}>בוקר טוב.", "אני פותח את הישיבה."],
        )
        self.assertEqual(cues[1][2], f"<v {CHAIR}>על סדר היום: התקציב.")
        self.assertEqual(
            cues[3][2], f"<v.answer {CHAIR}>היום, &lt;b&gt;לפני&lt;/b&gt; 18:00 &amp; לא יאוחר --&gt; מחר."
        )
        self.assertEqual(cues[4][1], "01:00:00.123 --> 01:00:05.000")
        for cue in cues:
            self.assertRegex(cue[1], r"^\d{2}:\d{2}:\d{2}\.\d{3} --> \d{2}:\d{2}:\d{2}\.\d{3}$")

    def test_turns_without_times_are_left_out_and_a_note_says_so(self) -> None:
        parts = blocks(render("vtt", "peres-weibo-test"))
        self.assertIn(["NOTE 3 of 4 turns have no times and are not cues."], parts)
        self.assertEqual(
            parts[-1],
            ["turn-2", "00:01:01.000 --> 00:01:34.500", "<v.answer Shimon Peres>Our secret is learning."],
        )

    def test_a_transcript_without_times_gives_a_valid_file_without_cues(self) -> None:
        text = render("vtt", "peres-weibo-test-zh")
        self.assertTrue(text.startswith("WEBVTT\n\nNOTE\n"))
        self.assertNotIn("-->", text)
        self.assertIn("Translation-Of: peres-weibo-test", text)


class SrtExportTests(ExportTestCase):
    def test_it_writes_numbered_cues_with_the_speaker_before_the_text(self) -> None:
        cues = blocks(render("srt", "finance-committee-hearing"))
        self.assertEqual([cue[0] for cue in cues], [str(n) for n in range(1, 7)])
        self.assertEqual(
            cues[0], ["1", "00:00:00,500 --> 00:00:04,000", f"{CHAIR}: בוקר טוב.", "אני פותח את הישיבה."]
        )
        self.assertEqual(
            cues[4][1:],
            ["01:00:00,123 --> 01:00:05,000", f"{REPORTER}: Will the vote be public, as promised?"],
        )

    def test_only_timed_turns_become_cues(self) -> None:
        self.assertEqual(
            blocks(render("srt", "peres-weibo-test")),
            [["1", "00:01:01,000 --> 00:01:34,500", "Shimon Peres: Our secret is learning."]],
        )
        self.assertEqual(render("srt", "peres-weibo-test-zh"), "")


class SubtitleRoundTripTests(ExportTestCase):
    def test_a_vtt_export_imports_as_the_same_turns(self) -> None:
        before = Transcript.objects.get(slug="finance-committee-hearing")
        expected = [(t.speaker.name, t.kind, t.text, t.start, t.end) for t in before.turns.all()]
        folder = Path(tempfile.mkdtemp())
        export("--format", "vtt", "--slug", "finance-committee-hearing", "--output", str(folder))
        [path] = folder.iterdir()
        self.assertEqual(path.name, "finance-committee-hearing.he.vtt")
        Transcript.objects.filter(slug="finance-committee-hearing").delete()

        report = import_documents(read_content(path.read_bytes(), str(path)))
        self.assertEqual(report.rejected, 0, [str(e) for e in report.errors])
        after = Transcript.objects.get(slug="finance-committee-hearing")
        self.assertEqual((after.title, after.language, after.place), (before.title, "he", "ירושלים"))
        self.assertEqual(
            [(t.speaker.name, t.kind, t.text, t.start, t.end) for t in after.turns.all()], expected
        )

    def test_an_srt_export_keeps_the_language_in_its_file_name(self) -> None:
        srt_text = render("srt", "peres-weibo-test")
        [raw] = list(
            read_content(
                srt_text.encode(),
                get_exporter("srt").filename(Transcript.objects.get(slug="peres-weibo-test")),
            )
        )
        self.assertIsNone(raw.error)
        self.assertEqual(raw.data["language"], "en")
        self.assertEqual(
            [(t["speaker"], t["text"], t["start"], t["end"]) for t in raw.data["turns"]],
            [("Shimon Peres", "Our secret is learning.", 61.0, 94.5)],
        )


class ExportCommandTests(ExportTestCase):
    def test_csv_and_txt_stream_to_standard_output_or_a_file(self) -> None:
        for format_name, first_line in [("csv", "transcript_slug,title,"), ("txt", "=" * 72)]:
            with self.subTest(format_name):
                out, _ = export("--format", format_name)
                self.assertTrue(out.startswith(first_line))
                path = Path(tempfile.mkdtemp()) / f"all.{format_name}"
                export("--format", format_name, "--output", str(path))
                self.assertEqual(path.read_bytes().decode("utf-8"), out)

    def test_vtt_and_srt_write_one_file_per_transcript_and_say_what_is_left_out(self) -> None:
        for format_name in ["vtt", "srt"]:
            with self.subTest(format_name):
                folder = Path(tempfile.mkdtemp())
                _, err = export("--format", format_name, "--output", str(folder))
                self.assertEqual(
                    sorted(p.name for p in folder.iterdir()),
                    sorted(
                        [
                            f"finance-committee-hearing.he.{format_name}",
                            f"peres-weibo-test.en.{format_name}",
                            f"peres-weibo-test-zh.zh-Hans.{format_name}",
                        ]
                    ),
                )
                no_cues = f"the {format_name} file has no cues"
                self.assertIn(f"note: peres-weibo-test-zh: no turn has start and end times; {no_cues}", err)
                self.assertIn("note: peres-weibo-test: 3 of 4 turns have no start and end times", err)
                self.assertNotIn("finance-committee-hearing", err)
                self.assertIn(f"wrote 3 {format_name} files", err)

    def test_one_subtitle_file_goes_to_standard_output_with_its_note(self) -> None:
        out, err = export("--format", "vtt", "--slug", "peres-weibo-test-zh")
        self.assertTrue(out.startswith("WEBVTT\n"))
        self.assertIn("no cues", err)

    def test_several_subtitle_files_need_a_folder(self) -> None:
        with self.assertRaisesMessage(CommandError, "--format srt writes one file per transcript"):
            export("--format", "srt")


@needs_corpus
class CorpusSubtitleRoundTripTests(TestCase):
    """Real transcripts in five languages, given made-up times, survive VTT export and import."""

    def test_a_vtt_export_of_each_source_imports_as_the_same_turns(self) -> None:
        for prefix in ["amlo-", "knesset-", "mfa-", "tokyo-", "wh-"]:
            path = sorted((CORPUS / "sample").glob(f"{prefix}*.json"))[0]
            with self.subTest(path.name):
                data = json.loads(path.read_text("utf-8"))
                data["slug"] = path.stem
                data.pop("translation_of", None)
                for position, turn in enumerate(data["turns"], start=1):
                    turn["start"], turn["end"] = position * 10.0, position * 10.0 + 9.5
                transcript = import_document(data)
                expected = [(t.speaker.name, t.kind, t.text, t.start, t.end) for t in transcript.turns.all()]
                text = render("vtt", transcript.slug)
                name = get_exporter("vtt").filename(transcript)
                transcript.delete()
                report = import_documents(read_content(text.encode(), name))
                self.assertEqual(report.rejected, 0, [str(e) for e in report.errors])
                after = Transcript.objects.get(slug=path.stem)
                self.assertEqual(
                    [(t.speaker.name, t.kind, t.text, t.start, t.end) for t in after.turns.all()], expected
                )
