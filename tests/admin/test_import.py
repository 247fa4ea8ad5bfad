"""The admin's import form: same formats, same summary and same error lines as the command."""

from __future__ import annotations

import json
import os
import tempfile
from io import StringIO
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils.html import escape

from archive.importers import supported_extensions
from archive.models import Transcript
from tests.admin.helpers import CuratorTestCase
from tests.fixtures import PERES_EN, PERES_ZH, document
from tests.interchange_xml import AKN_DEBATE, BILLION_LAUGHS, tei_sitting

IMPORT = reverse("admin:archive_transcript_import")


def upload(name: str, data: object | bytes) -> SimpleUploadedFile:
    content = data if isinstance(data, bytes) else json.dumps(data, ensure_ascii=False).encode()
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def bad_document() -> dict[str, object]:
    doc = document()
    doc["turns"][1]["speaker"] = "Nobody"
    return doc


class ImportFormTests(CuratorTestCase):
    def test_the_form_offers_every_registered_format(self) -> None:
        response = self.client.get(IMPORT)
        self.assertContains(response, f'accept="{",".join(supported_extensions())}"')
        self.assertContains(response, ".srt")  # a format registered by its own module
        self.assertContains(response, "Dry run")

    def test_a_good_file_is_imported_and_summarised_like_the_command(self) -> None:
        response = self.client.post(IMPORT, {"upload": [upload("peres.json", PERES_EN)]})
        self.assertEqual(response.status_code, 200)
        self.assertContains(
            response,
            "imported 1 documents (1 new, 0 replaced), 4 turns; speakers: 2 created, 0 linked; rejected: 0",
        )
        transcript = Transcript.objects.get(slug="peres-weibo-test")
        self.assertContains(response, reverse("admin:archive_transcript_change", args=[transcript.pk]))

    def test_tei_and_akoma_ntoso_uploads_are_recognised_by_content(self) -> None:
        files = [upload("sitting.xml", tei_sitting()), upload("debate.akn", AKN_DEBATE.encode())]
        response = self.client.post(IMPORT, {"upload": files})
        self.assertContains(response, "imported 2 documents (2 new, 0 replaced)")
        bomb = self.client.post(IMPORT, {"upload": [upload("lol.xml", BILLION_LAUGHS)]})
        self.assertContains(bomb, "lol.xml, line 2: declares a DOCTYPE or entities")
        self.assertEqual(Transcript.objects.count(), 2)

    def test_several_files_at_once(self) -> None:
        ndjson = (json.dumps(PERES_EN) + "\n" + json.dumps(PERES_ZH) + "\n").encode()
        response = self.client.post(
            IMPORT, {"upload": [upload("dump.ndjson", ndjson), upload("again.json", PERES_EN)]}
        )
        self.assertContains(response, "imported 3 documents (2 new, 1 replaced)")
        self.assertEqual(Transcript.objects.count(), 2)

    def test_a_bad_file_shows_the_error_naming_file_and_key(self) -> None:
        response = self.client.post(IMPORT, {"upload": [upload("bad.json", bad_document())]})
        expected = (
            "rejected: bad.json, key turns[1].speaker: "
            "speaker 'Nobody' is not in the document's speakers list"
        )
        self.assertEqual(response.context["error_lines"], [expected])
        self.assertContains(response, escape(expected))
        self.assertContains(response, "rejected: 1")
        self.assertFalse(Transcript.objects.exists())

    def test_the_error_lines_are_the_commands_lines(self) -> None:
        lines = [json.dumps(PERES_EN), "{not json", json.dumps(bad_document())]
        content = ("\n".join(lines) + "\n").encode()
        with tempfile.TemporaryDirectory() as folder:
            Path(folder, "mixed.ndjson").write_bytes(content)
            Path(folder, "notes.txt").write_bytes(b"hello")
            cwd = os.getcwd()
            os.chdir(folder)  # the command names files as given: same relative names as the upload
            try:
                out, err = StringIO(), StringIO()
                with self.assertRaises(CommandError):
                    call_command(
                        "import_transcripts", "mixed.ndjson", "notes.txt", "--dry-run", stdout=out, stderr=err
                    )
            finally:
                os.chdir(cwd)
        response = self.client.post(
            IMPORT,
            {"upload": [upload("mixed.ndjson", content), upload("notes.txt", b"hello")], "dry_run": "on"},
        )
        self.assertEqual(response.context["error_lines"], err.getvalue().splitlines())
        self.assertEqual(len(response.context["error_lines"]), 3)
        self.assertEqual(response.context["summary"], out.getvalue().strip())
        self.assertIn("mixed.ndjson, line 2", response.context["error_lines"][0])

    def test_a_dry_run_writes_nothing(self) -> None:
        response = self.client.post(IMPORT, {"upload": [upload("peres.json", PERES_EN)], "dry_run": "on"})
        self.assertContains(response, "would import 1 documents (1 new, 0 replaced)")
        self.assertContains(response, "Dry run: nothing was written")
        self.assertFalse(Transcript.objects.exists())

    def test_a_file_that_is_not_utf8_is_reported_not_a_crash(self) -> None:
        response = self.client.post(
            IMPORT, {"upload": [upload("latin1.json", '{"title": "Caf\xe9"}'.encode("latin-1"))]}
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("latin1.json, line 1: is not valid UTF-8", response.context["error_lines"][0])

    def test_no_file_is_a_form_error(self) -> None:
        response = self.client.post(IMPORT, {})
        self.assertContains(response, "This field is required.")

    def test_an_imported_transcript_keeps_its_status(self) -> None:
        self.client.post(IMPORT, {"upload": [upload("draft.json", document(status="draft"))]})
        self.assertEqual(Transcript.objects.get().status, "draft")
