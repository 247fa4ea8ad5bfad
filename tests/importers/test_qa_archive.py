"""Import of qa-archive/1 documents: linking, upsert, and rejection of bad documents."""

from __future__ import annotations

import json
import tempfile
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase

from archive.importers import import_documents, read_content, read_files
from archive.interchange import DocumentError, validate_document
from archive.models import Appearance, Speaker, Topic, Transcript, Turn
from tests.fixtures import PERES_EN, PERES_ZH, document, import_document


class ValidationTests(TestCase):
    def assert_rejected(self, data: object, key: str | None, fragment: str) -> None:
        with self.assertRaises(DocumentError) as caught:
            validate_document(data)
        self.assertEqual(caught.exception.key, key)
        self.assertIn(fragment, caught.exception.message)

    def test_it_rejects_a_missing_title(self) -> None:
        self.assert_rejected(document(title=None), "title", "required")

    def test_it_rejects_a_turn_whose_speaker_is_not_listed(self) -> None:
        doc = document()
        doc["turns"][1]["speaker"] = "Nobody"
        self.assert_rejected(doc, "turns[1].speaker", "'Nobody' is not in the document's speakers")

    def test_it_rejects_a_bad_date(self) -> None:
        self.assert_rejected(document(date="2014-13-40"), "date", "YYYY-MM-DD")
        self.assert_rejected(document(date="10/04/2014"), "date", "YYYY-MM-DD")

    def test_it_rejects_reply_to_out_of_range(self) -> None:
        doc = document()
        doc["turns"][1]["reply_to"] = 9
        self.assert_rejected(doc, "turns[1].reply_to", "out of range")

    def test_it_rejects_reply_to_itself(self) -> None:
        doc = document()
        doc["turns"][1]["reply_to"] = 2
        self.assert_rejected(doc, "turns[1].reply_to", "out of range")

    def test_it_rejects_an_unknown_format_value(self) -> None:
        self.assert_rejected(document(format="qa-archive/2"), "format", "unknown format")

    def test_it_rejects_unknown_kind_and_status(self) -> None:
        doc = document()
        doc["turns"][0]["kind"] = "rant"
        self.assert_rejected(doc, "turns[0].kind", "'rant'")
        self.assert_rejected(document(status="secret"), "status", "'secret'")

    def test_it_rejects_duplicate_speaker_names_and_empty_turns(self) -> None:
        doc = document()
        doc["speakers"].append({"name": "Shimon Peres"})
        self.assert_rejected(doc, "speakers[2].name", "listed twice")
        self.assert_rejected(document(turns=[]), "turns", "non-empty")

    def test_it_rejects_times_that_run_backwards(self) -> None:
        doc = document()
        doc["turns"][1]["end"] = 10.0
        self.assert_rejected(doc, "turns[1].end", "before start")

    def test_it_rejects_text_longer_than_its_column(self) -> None:
        doc = document()
        doc["speakers"][1]["name"] = "x" * 1001
        self.assert_rejected(doc, "speakers[1].name", "1001 characters long")
        self.assert_rejected(document(title="t" * 1001), "title", "at most 1000")

    def test_it_accepts_an_unnamed_speaker_as_real_protocols_have_them(self) -> None:
        doc = document(speakers=[{"name": ""}], turns=[{"speaker": "", "text": "(inaudible)"}])
        transcript = import_document(doc)
        self.assertEqual(transcript.turns.get().speaker.slug, "unnamed-speaker")

    def test_it_rejects_something_that_is_not_an_object(self) -> None:
        self.assert_rejected([1, 2], None, "JSON object")

    def test_answers_reply_to_the_nearest_question_by_default(self) -> None:
        spec = validate_document(document())
        self.assertEqual([t.reply_to for t in spec.turns], [None, 1, None, 3])

    def test_a_missing_slug_is_derived_from_date_and_title(self) -> None:
        spec = validate_document(document(slug=None))
        self.assertEqual(spec.slug, "2014-04-10-shimon-peres-answers-weibo-users")


class ImportServiceTests(TestCase):
    def test_it_imports_every_part_of_a_document(self) -> None:
        transcript = import_document(document())
        self.assertEqual(transcript.event, "Weibo live Q&A")
        self.assertEqual([t.slug for t in transcript.topics.all()], ["technology"])
        turns = list(transcript.turns.order_by("position"))
        self.assertEqual([t.position for t in turns], [1, 2, 3, 4])
        self.assertEqual(turns[1].reply_to, turns[0])
        self.assertEqual((turns[1].start, turns[1].end), (61.0, 94.5))
        self.assertEqual([t.slug for t in turns[0].topics.all()], ["education"])
        appearance = Appearance.objects.get(transcript=transcript, speaker__slug="shimon-peres")
        self.assertEqual(appearance.role, "President of Israel")

    def test_a_reimport_replaces_and_never_duplicates(self) -> None:
        import_document(document())
        changed = document(title="Peres on Weibo")
        changed["turns"] = changed["turns"][:2]
        transcript = import_document(changed)
        self.assertEqual(Transcript.objects.count(), 1)
        self.assertEqual(transcript.title, "Peres on Weibo")
        self.assertEqual(Turn.objects.count(), 2)

    def test_speakers_link_across_transcripts_by_name_in_another_script(self) -> None:
        import_document(document())
        translation = import_document(PERES_ZH)
        peres = Speaker.objects.get(slug="shimon-peres")
        self.assertEqual(translation.turns.get(position=2).speaker, peres)
        self.assertEqual(Appearance.objects.get(transcript=translation, speaker=peres).name, "西蒙·佩雷斯")

    def test_speakers_link_by_alias_whatever_the_case(self) -> None:
        import_document(document())
        other = document(slug="another", speakers=[{"name": "PERES"}])
        other["turns"] = [{"speaker": "PERES", "text": "Shalom."}]
        transcript = import_document(other)
        self.assertEqual(transcript.turns.get().speaker.slug, "shimon-peres")

    def test_a_document_links_its_own_speakers_and_an_older_speaker_keeps_a_name(self) -> None:
        # Speakers are resolved from one look-up per document: names learnt within the document
        # count, and a name two people hold goes to the older one, as with a query per name.
        older = Speaker.objects.create(slug="press-office", name="Spokesperson")
        doc = document(
            slug="one-document",
            speakers=[
                {"name": "Ana Ruiz", "slug": "ana-ruiz", "aliases": ["Spokesperson", "A. Ruiz"]},
                {"name": "A. Ruiz"},
                {"name": "Spokesperson"},
            ],
        )
        doc["turns"] = [
            {"speaker": "Ana Ruiz", "text": "Good morning."},
            {"speaker": "A. Ruiz", "text": "One more thing."},
            {"speaker": "Spokesperson", "text": "Thank you."},
        ]
        transcript = import_document(doc)
        speakers = [turn.speaker.slug for turn in transcript.turns.order_by("position")]
        self.assertEqual(speakers, ["ana-ruiz", "ana-ruiz", older.slug])
        self.assertEqual(Speaker.objects.count(), 2)

    def test_a_translation_imported_first_finds_its_original_later(self) -> None:
        translation = import_document(PERES_ZH)
        self.assertIsNone(translation.translation_of)
        original = import_document(document())
        translation.refresh_from_db()
        self.assertEqual(translation.translation_of, original)
        self.assertEqual(translation.turns.get(position=2).original_turn(), original.turns.get(position=2))

    def test_topics_are_found_by_label(self) -> None:
        Topic.objects.create(slug="sino-israeli-relations", labels={"en": "Sino-Israeli relations"})
        transcript = import_document(document(topics=["Sino-Israeli relations"]))
        self.assertEqual([t.slug for t in transcript.topics.all()], ["sino-israeli-relations"])


class ImportPipelineTests(TestCase):
    def test_a_bad_line_of_ndjson_is_rejected_and_the_rest_goes_on(self) -> None:
        bad = document(slug="bad")
        bad["turns"][0]["speaker"] = "Ghost"
        lines = [json.dumps(document()), "{not json", json.dumps(bad), json.dumps(PERES_ZH)]
        report = import_documents(read_content("\n".join(lines).encode(), "batch.ndjson"))
        self.assertEqual(report.documents, 2)
        self.assertEqual(
            [(e.source, e.line) for e in report.errors], [("batch.ndjson", 2), ("batch.ndjson", 3)]
        )
        self.assertEqual(
            str(report.errors[1]),
            "batch.ndjson, line 3, key turns[0].speaker: "
            "speaker 'Ghost' is not in the document's speakers list",
        )
        self.assertFalse(Transcript.objects.filter(slug="bad").exists())

    def test_a_dump_file_is_read_a_line_at_a_time(self) -> None:
        # From disk, NDJSON is streamed: a bad byte rejects its own line, not the whole file,
        # and a raw U+2028 inside a string does not end a line.
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "dump.ndjson"
            first = json.dumps(document(description="one\u2028two"), ensure_ascii=False)
            path.write_bytes(
                b"\xef\xbb\xbf"
                + first.encode()
                + b"\n"
                + b'{"title": "\xff"}\n'
                + json.dumps(PERES_ZH).encode()
            )
            report = import_documents(read_files([path]))
        self.assertEqual(report.documents, 2)
        self.assertEqual([(e.source, e.line) for e in report.errors], [(str(path), 2)])
        self.assertIn("line 2: is not valid UTF-8", str(report.errors[0]))
        self.assertEqual(Transcript.objects.get(slug=PERES_EN["slug"]).description, "one\u2028two")

    def test_a_rejected_reimport_leaves_the_old_version_untouched(self) -> None:
        import_document(document())
        bad = document(title="Changed")
        bad["turns"][3]["reply_to"] = 99
        report = import_documents(read_content(json.dumps(bad).encode(), "bad.json"))
        self.assertEqual(report.rejected, 1)
        transcript = Transcript.objects.get()
        self.assertEqual(transcript.title, PERES_EN["title"])
        self.assertEqual(transcript.turns.count(), 4)

    def test_unknown_formats_and_invalid_utf8_are_reported(self) -> None:
        report = import_documents(read_content(b"x", "notes.docx"))
        self.assertIn("unknown format", str(report.errors[0]))
        report = import_documents(read_content(b'{"title": "\xff"}', "broken.json"))
        self.assertIn("not valid UTF-8", str(report.errors[0]))

    def test_invalid_json_names_the_line(self) -> None:
        report = import_documents(read_content(b'{\n"title": "x",\n}', "broken.json"))
        self.assertEqual(report.errors[0].line, 3)
        self.assertIn("invalid JSON", str(report.errors[0]))


class ImportCommandTests(TestCase):
    def setUp(self) -> None:
        import tempfile

        self.folder = Path(tempfile.mkdtemp())
        self.addCleanup(lambda: __import__("shutil").rmtree(self.folder))

    def test_it_imports_a_folder_recursively_and_summarises(self) -> None:
        (self.folder / "sub").mkdir()
        (self.folder / "a.json").write_text(json.dumps(document()), "utf-8")
        (self.folder / "sub" / "b.ndjson").write_text(json.dumps(PERES_ZH) + "\n", "utf-8")
        out = StringIO()
        call_command("import_transcripts", str(self.folder), stdout=out, stderr=StringIO())
        self.assertIn("imported 2 documents (2 new, 0 replaced), 6 turns", out.getvalue())
        self.assertEqual(Transcript.objects.count(), 2)

    def test_a_dry_run_writes_nothing(self) -> None:
        (self.folder / "a.json").write_text(json.dumps(document()), "utf-8")
        out = StringIO()
        call_command("import_transcripts", str(self.folder), "--dry-run", stdout=out, stderr=StringIO())
        self.assertIn("would import 1 documents", out.getvalue())
        self.assertEqual(Transcript.objects.count(), 0)
        self.assertEqual(Speaker.objects.count(), 0)

    def test_rejections_make_the_exit_status_non_zero(self) -> None:
        (self.folder / "bad.json").write_text(json.dumps(document(title=None)), "utf-8")
        (self.folder / "good.json").write_text(json.dumps(PERES_ZH), "utf-8")
        err = StringIO()
        with self.assertRaises(CommandError) as caught:
            call_command("import_transcripts", str(self.folder), stdout=StringIO(), stderr=err)
        self.assertEqual(caught.exception.returncode, 1)
        self.assertIn("bad.json, key title: is required", err.getvalue())
        self.assertEqual(list(Transcript.objects.values_list("slug", flat=True)), ["peres-weibo-test-zh"])
