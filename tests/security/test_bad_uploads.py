"""NUL characters and broken UTF-8 inside uploaded files and API bodies: a 400 or a rejected
document naming file, line and key, never a 500, and nothing of the bad document written.

JSON carries a NUL as the escape \\u0000 and a lone surrogate as \\ud800; PostgreSQL cannot store
the first in text or jsonb, UTF-8 cannot encode the second. Runs on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import json
import tempfile
from io import StringIO
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from archive.models import Speaker, Topic, Transcript, Turn
from tests.admin.helpers import CuratorTestCase
from tests.api.helpers import ApiTestCase
from tests.fixtures import PERES_ZH, document, import_document

URL = "/api/v1/transcripts/"
DETAIL = f"{URL}peres-weibo-test/"
IMPORT = reverse("admin:archive_transcript_import")
NUL_MESSAGE = "contains a NUL character (\\u0000), which cannot be stored"


def with_bad_characters() -> list[tuple[dict[str, Any], str, str]]:
    """(document, key at fault, message) for a NUL or a lone surrogate in each kind of place."""
    cases: list[tuple[dict[str, Any], str, str]] = []
    for character, message in [("\x00", NUL_MESSAGE), ("\ud800", "lone surrogate")]:
        doc = document(title=f"Shimon{character} Peres")
        cases.append((doc, "title", message))
        doc = document()
        doc["turns"][2]["text"] = f"Will you visit{character} China again?"
        cases.append((doc, "turns[2].text", message))
        doc = document()
        doc["speakers"][0]["names"]["he"] = f"שמעון{character}"
        cases.append((doc, "speakers[0].names.he", message))
        doc = document()
        doc["speakers"][0]["aliases"] = ["Peres", f"S.{character}Peres"]
        cases.append((doc, "speakers[0].aliases[1]", message))
        doc = document(topics=["technology", f"tech{character}"])
        cases.append((doc, "topics[1]", message))
        doc = document()
        doc["speakers"][0]["names"] = {f"h{character}e": "שמעון פרס"}
        cases.append((doc, "speakers[0].names", message))
    return cases


def counts() -> tuple[int, int, int, int]:
    return (Transcript.objects.count(), Turn.objects.count(), Speaker.objects.count(), Topic.objects.count())


class ApiBodyTests(ApiTestCase):
    def post_json(self, text: str | bytes, method: str = "post", url: str = URL) -> Any:
        return getattr(self.curator_client, method)(url, text, content_type="application/json")

    def test_a_nul_or_lone_surrogate_anywhere_in_the_document_is_400_naming_the_key(self) -> None:
        for doc, key, message in with_bad_characters():
            # json.dumps escapes both (\\u0000, \\ud800): as a client sends them on the wire.
            body = json.dumps(doc)
            with self.subTest(key=key, message=message):
                response = self.post_json(body)
                self.assertEqual(response.status_code, 400, response.content[:300])
                self.assertEqual(response.json()["key"], key)
                self.assertIn(message, response.json()["detail"])
                self.assertEqual(counts(), (0, 0, 0, 0))

    def test_a_put_with_a_nul_leaves_the_transcript_as_it_was(self) -> None:
        import_document(document())
        before = json.dumps(self.client.get(DETAIL).json())
        for doc, key, _ in with_bad_characters():
            with self.subTest(key=key):
                response = self.post_json(json.dumps(doc), "put", DETAIL)
                self.assertEqual(response.status_code, 400)
                self.assertEqual(response.json()["key"], key)
        self.assertEqual(json.dumps(self.client.get(DETAIL).json()), before)

    def test_invalid_utf8_in_the_body_is_400_saying_so(self) -> None:
        body = json.dumps(document(), ensure_ascii=False).encode().replace(b"Beijing", b"Bei\xff\xfejing")
        for method, url in [("post", URL), ("put", DETAIL)]:
            with self.subTest(method=method):
                response = self.post_json(body, method, url)
                self.assertEqual(response.status_code, 400)
                self.assertIn("utf-8", response.json()["detail"])
        self.assertEqual(counts(), (0, 0, 0, 0))

    def test_a_raw_nul_byte_in_the_body_is_400(self) -> None:
        body = json.dumps(document()).encode().replace(b"Beijing", b"Bei\x00jing")
        response = self.post_json(body)
        self.assertEqual(response.status_code, 400)  # a control character inside a JSON string
        self.assertIn("JSON parse error", response.json()["detail"])
        self.assertEqual(counts(), (0, 0, 0, 0))

    def test_json_nested_past_the_recursion_limit_is_400(self) -> None:
        response = self.post_json("[" * 100_000 + "]" * 100_000)
        self.assertEqual(response.status_code, 400)
        self.assertIn("nested too deeply", response.json()["detail"])


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


VTT_WITH_NUL = b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Anna>Hello\x00 there\n"
PUBLISHED_BAD_UTF8 = b"---\nlanguage: en\n---\nMS. PSAKI: Good afternoon.\n\nQ: Caf\xe9?\n"


class AdminImportFormTests(CuratorTestCase):
    def error_lines(self, *files: SimpleUploadedFile) -> list[str]:
        response = self.client.post(IMPORT, {"upload": list(files)})
        self.assertEqual(response.status_code, 200)
        return list(response.context["error_lines"])

    def test_a_nul_escape_in_an_uploaded_json_file_names_file_and_key(self) -> None:
        for doc, key, message in with_bad_characters():
            with self.subTest(key=key):
                lines = self.error_lines(upload("bad.json", json.dumps(doc).encode()))
                self.assertEqual(len(lines), 1)
                self.assertTrue(lines[0].startswith(f"rejected: bad.json, key {key}: "), lines[0])
                self.assertIn(message, lines[0])
        self.assertEqual(counts(), (0, 0, 0, 0))

    def test_a_bad_line_of_an_ndjson_upload_is_named_and_the_rest_imported(self) -> None:
        bad = document(slug="bad-one")
        bad["turns"][1]["text"] = "Our secret\x00 is learning."
        content = "\n".join([json.dumps(PERES_ZH), json.dumps(bad)]).encode() + b"\n"
        lines = self.error_lines(upload("dump.ndjson", content))
        self.assertEqual(lines, [f"rejected: dump.ndjson, line 2, key turns[1].text: {NUL_MESSAGE}"])
        self.assertEqual(list(Transcript.objects.values_list("slug", flat=True)), ["peres-weibo-test-zh"])

    def test_a_raw_nul_byte_in_a_text_file_names_file_and_line(self) -> None:
        lines = self.error_lines(upload("talk.en.vtt", VTT_WITH_NUL))
        self.assertEqual(len(lines), 1)
        self.assertIn("talk.en.vtt, line 4: contains a NUL byte", lines[0])
        self.assertEqual(counts(), (0, 0, 0, 0))

    def test_utf16_is_refused_as_not_utf8(self) -> None:
        content = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Anna>Hello\n".encode("utf-16")
        lines = self.error_lines(upload("talk.en.vtt", content))
        self.assertIn("talk.en.vtt, line 1: is not valid UTF-8", lines[0])

    def test_invalid_utf8_in_a_published_text_names_the_line(self) -> None:
        lines = self.error_lines(upload("briefing.txt", PUBLISHED_BAD_UTF8))
        self.assertEqual(len(lines), 1)
        self.assertIn("briefing.txt, line 6: is not valid UTF-8", lines[0])
        self.assertEqual(counts(), (0, 0, 0, 0))

    def test_a_json_file_nested_too_deeply_is_rejected(self) -> None:
        lines = self.error_lines(upload("deep.json", b"[" * 100_000 + b"]" * 100_000))
        self.assertEqual(lines, ["rejected: deep.json: invalid JSON: arrays or objects nested too deeply"])


class ImportCommandTests(CuratorTestCase):
    def test_the_command_names_file_line_and_key_and_exits_non_zero(self) -> None:
        bad = document(slug="bad-one")
        bad["speakers"][1]["names"] = {"zh-Hans": "微博\x00网友"}
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder, "dump.ndjson")
            path.write_text("\n".join([json.dumps(PERES_ZH), json.dumps(bad)]) + "\n")
            Path(folder, "talk.en.vtt").write_bytes(VTT_WITH_NUL)
            err = StringIO()
            with self.assertRaisesMessage(CommandError, "2 document(s) rejected"):
                call_command("import_transcripts", folder, stdout=StringIO(), stderr=err)
        self.assertEqual(
            err.getvalue().splitlines(),
            [
                f"rejected: {path}, line 2, key speakers[1].names.zh-Hans: {NUL_MESSAGE}",
                f"rejected: {Path(folder, 'talk.en.vtt')}, line 4: contains a NUL byte (byte 51): "
                "not a text file",
            ],
        )
        self.assertEqual(list(Transcript.objects.values_list("slug", flat=True)), ["peres-weibo-test-zh"])
