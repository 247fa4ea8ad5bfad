"""Limits on what curators can send: upload size, streamed dumps, turn length, web-only source links."""

from __future__ import annotations

import json
import tempfile
import tracemalloc

from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.test import SimpleTestCase, override_settings
from django.urls import reverse

from archive.importers import read_upload
from archive.interchange import DocumentError, validate_document
from archive.models import Transcript
from tests.admin.helpers import CuratorTestCase
from tests.fixtures import PERES_EN, document

IMPORT = reverse("admin:archive_transcript_import")


def upload(name: str, data: object) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, json.dumps(data, ensure_ascii=False).encode(), "application/octet-stream")


def with_turn_text(text: str) -> dict[str, object]:
    doc = document()
    doc["turns"][2]["text"] = text
    return doc


class AdminUploadLimitTests(CuratorTestCase):
    def test_a_file_over_the_cap_is_refused_by_name_and_the_others_still_import(self) -> None:
        big = upload("big-dump.json", document(slug="big", description="x" * 5000))
        small = upload("peres.json", PERES_EN)
        assert big.size is not None
        with override_settings(IMPORT_UPLOAD_MAX_BYTES=big.size - 1):
            response = self.client.post(IMPORT, {"upload": [big, small]})
        self.assertContains(response, "big-dump.json")
        self.assertContains(response, "IMPORT_UPLOAD_MAX_BYTES")
        self.assertContains(response, "imported 1 documents")
        self.assertEqual(list(Transcript.objects.values_list("slug", flat=True)), ["peres-weibo-test"])
        self.assertNotContains(response, "peres.json: is")

    def test_a_turn_over_the_maximum_is_refused_naming_the_file_and_the_turn(self) -> None:
        with override_settings(TURN_TEXT_MAX_CHARS=100):
            response = self.client.post(IMPORT, {"upload": [upload("long.json", with_turn_text("x" * 101))]})
        self.assertContains(response, "long.json")
        self.assertContains(response, "turns[2].text")
        self.assertContains(response, "turn 3 is 101 characters long; a turn holds at most 100")
        self.assertFalse(Transcript.objects.exists())

    def test_a_javascript_source_url_is_refused_in_the_admin_form_too(self) -> None:
        self.client.post(IMPORT, {"upload": [upload("peres.json", PERES_EN)]})
        transcript = Transcript.objects.get()
        transcript.source_url = "javascript:alert(document.cookie)"
        with self.assertRaisesMessage(Exception, "Enter a valid URL"):
            transcript.full_clean()


class TurnAndSourceRuleTests(SimpleTestCase):
    def test_a_turn_of_the_maximum_length_passes_and_one_more_character_does_not(self) -> None:
        with override_settings(TURN_TEXT_MAX_CHARS=50):
            validate_document(with_turn_text("y" * 50))
            with self.assertRaises(DocumentError) as caught:
                validate_document(with_turn_text("y" * 51))
        self.assertEqual(caught.exception.key, "turns[2].text")

    def test_source_url_takes_http_and_https_only(self) -> None:
        for url in ["https://example.org/a", "http://example.org/b?c=d"]:
            self.assertEqual(validate_document(document(source_url=url)).source_url, url)
        for url in [
            "javascript:alert(1)",
            "JAVASCRIPT:alert(1)",
            "data:text/html,<script>",
            "ftp://x.org/f",
            "//x",
        ]:
            with self.subTest(url), self.assertRaises(DocumentError) as caught:
                validate_document(document(source_url=url))
            self.assertEqual(caught.exception.key, "source_url")
            self.assertIn("not an http or https address", str(caught.exception))


class StreamedUploadTests(SimpleTestCase):
    def test_an_ndjson_upload_is_read_a_line_at_a_time_not_whole(self) -> None:
        line = (json.dumps(PERES_EN, ensure_ascii=False) + "\n").encode()
        copies = 8 * 1024 * 1024 // len(line)  # ~8 MB spooled to disk, as Django does above 5 MB
        with tempfile.TemporaryDirectory() as tmp, override_settings(FILE_UPLOAD_TEMP_DIR=tmp):
            spooled = TemporaryUploadedFile("dump.ndjson", "application/x-ndjson", 0, "utf-8")
            for _ in range(copies):
                spooled.write(line)
            spooled.size = spooled.tell()
            tracemalloc.start()
            try:
                count = sum(1 for raw in read_upload(spooled) if raw.data is not None)
                _, peak = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()
                spooled.close()
        self.assertEqual(count, copies)
        # Reading it whole would hold the bytes and the decoded text at once: twice the file.
        self.assertLess(peak, spooled.size // 4, f"peak {peak:,} bytes for a {spooled.size:,}-byte file")

    def test_line_numbers_of_a_streamed_upload_match_the_file(self) -> None:
        content = (json.dumps(PERES_EN) + "\n\nnot json\n").encode()
        raws = list(read_upload(SimpleUploadedFile("dump.ndjson", content)))
        self.assertEqual([(raw.line, raw.error is None) for raw in raws], [(1, True), (3, False)])


class AdminTurnFormLimitTests(CuratorTestCase):
    def test_the_admin_turn_form_refuses_a_turn_over_the_maximum_naming_it(self) -> None:
        from archive.admin.turns import TurnForm
        from archive.models import Speaker

        speaker = Speaker.objects.create(slug="someone", name="Someone")
        data = {"position": "7", "speaker": str(speaker.pk), "kind": "statement", "text": "z" * 101}
        with override_settings(TURN_TEXT_MAX_CHARS=100):
            form = TurnForm(data=data)
            self.assertFalse(form.is_valid())
        self.assertIn("Turn #7 is 101 characters long", form.errors["text"][0])
        with override_settings(TURN_TEXT_MAX_CHARS=101):
            form = TurnForm(data=data)
            self.assertNotIn("text", form.errors)
