"""Export in qa-archive/1, and the round trip export -> empty archive -> export."""

from __future__ import annotations

import json
import tempfile
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.test import TestCase

from archive.importers import import_documents, read_content
from archive.models import Transcript, TranscriptStatus
from tests.fixtures import CORPUS, PERES_ZH, document, import_document, needs_corpus


def export(*args: str) -> str:
    out = StringIO()
    call_command("export_transcripts", *args, stdout=out)
    return out.getvalue()


class NdjsonExportTests(TestCase):
    def test_it_exports_published_transcripts_only_unless_asked(self) -> None:
        import_document(document())
        import_document(document(slug="draft-one", status="draft"))
        self.assertEqual([json.loads(line)["slug"] for line in export().splitlines()], ["peres-weibo-test"])
        slugs = [json.loads(line)["slug"] for line in export("--include-drafts").splitlines()]
        self.assertEqual(slugs, ["draft-one", "peres-weibo-test"])

    def test_the_document_keeps_every_key(self) -> None:
        import_document(document())
        doc = json.loads(export())
        self.assertEqual(doc["event"], "Weibo live Q&A")
        self.assertEqual(doc["speakers"][0]["names"]["he"], "שמעון פרס")
        self.assertEqual(
            doc["turns"][1],
            {
                "speaker": "Shimon Peres",
                "kind": "answer",
                "text": "Our secret is learning.",
                "reply_to": 1,
                "start": 61.0,
                "end": 94.5,
            },
        )

    def test_the_round_trip_is_byte_identical(self) -> None:
        import_document(document())
        import_document(PERES_ZH)
        import_document(document(slug="in-review", status=TranscriptStatus.REVIEW))
        first = export("--include-drafts")
        Transcript.objects.all().delete()
        report = import_documents(read_content(first.encode(), "dump.ndjson"))
        self.assertEqual(report.rejected, 0)
        self.assertEqual(export("--include-drafts"), first)

    def test_narrative_turns_and_sections_survive_the_round_trip(self) -> None:
        doc = document(slug="sitting")
        doc["turns"][0]["section"] = "Questions from the floor"
        doc["turns"][1]["section"] = "Questions from the floor"
        doc["turns"].insert(2, {"speaker": "Weibo user", "kind": "narrative", "text": "(Applause)"})
        import_document(doc)
        first = export()
        turns = json.loads(first)["turns"]
        self.assertEqual(turns[0]["section"], "Questions from the floor")
        self.assertEqual(turns[2], {"speaker": "Weibo user", "kind": "narrative", "text": "(Applause)"})
        Transcript.objects.all().delete()
        report = import_documents(read_content(first.encode(), "dump.ndjson"))
        self.assertEqual(report.rejected, 0)
        self.assertEqual(export(), first)

    def test_json_writes_one_file_per_transcript(self) -> None:
        import_document(document())
        import_document(PERES_ZH)
        folder = Path(tempfile.mkdtemp())
        call_command("export_transcripts", "--format", "json", "--output", str(folder), stderr=StringIO())
        self.assertEqual(
            sorted(p.name for p in folder.iterdir()), ["peres-weibo-test-zh.json", "peres-weibo-test.json"]
        )
        self.assertEqual(json.loads((folder / "peres-weibo-test-zh.json").read_text())["language"], "zh-Hans")


@needs_corpus
class CorpusRoundTripTests(TestCase):
    """All of ../shared/corpus/sample/ imports, and its NDJSON export survives a round trip."""

    def test_the_whole_sample_imports_and_round_trips(self) -> None:
        out = StringIO()
        call_command("import_transcripts", str(CORPUS / "sample"), stdout=out, stderr=StringIO())
        self.assertIn("imported 317 documents", out.getvalue())
        self.assertIn("26856 turns", out.getvalue())
        first = export()
        Transcript.objects.all().delete()
        report = import_documents(read_content(first.encode(), "dump.ndjson"))
        self.assertEqual(report.rejected, 0)
        self.assertEqual(export(), first)
