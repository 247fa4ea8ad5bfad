"""Recordings: the `media` key in and out, allowed origins and types, uploaded files served with
range requests, and the admin's recordings and time curation."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import wave
from io import StringIO
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import TestCase, override_settings

from archive.importers import import_documents, read_content
from archive.interchange import DocumentError, validate_document
from archive.models import Recording, Transcript, Turn
from archive.timing import TimesError, turns_shift_times, turns_times_from_subtitles
from tests.admin.helpers import CuratorTestCase
from tests.fixtures import REPO, document, import_document

MEDIA_ORIGIN = "https://media.example.org"
MP3 = {"url": f"{MEDIA_ORIGIN}/peres/weibo.mp3", "type": "audio/mpeg", "label": "Full session"}


def wav_bytes(seconds: float = 1.0, rate: int = 8000) -> bytes:
    """A short silent mono WAV, written with the standard library."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(1)
        out.setframerate(rate)
        out.writeframes(bytes([128]) * int(seconds * rate))
    return buffer.getvalue()


def store_recording(name: str = "recordings/session.wav", content: bytes | None = None) -> str:
    if default_storage.exists(name):
        default_storage.delete(name)
    return default_storage.save(name, ContentFile(content if content is not None else wav_bytes()))


def export(*args: str) -> str:
    out = StringIO()
    call_command("export_transcripts", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@override_settings(MEDIA_ALLOWED_ORIGINS=[MEDIA_ORIGIN])
class MediaInterchangeTests(TestCase):
    def test_a_document_with_media_round_trips_byte_identical(self) -> None:
        name = store_recording()
        import_document(document(media=[MP3, {"url": f"/media/{name}", "type": "audio/wav"}]))
        first = export()
        self.assertEqual(
            json.loads(first)["media"],
            [MP3, {"url": "/media/recordings/session.wav", "type": "audio/wav"}],
        )
        Transcript.objects.all().delete()
        report = import_documents(read_content(first.encode(), "dump.ndjson"))
        self.assertEqual(report.rejected, 0)
        self.assertEqual(export(), first)
        self.assertEqual(Recording.objects.get(position=2).file.name, name)

    def test_a_document_without_media_exports_without_the_key(self) -> None:
        import_document(document())
        self.assertNotIn("media", json.loads(export()))

    def test_media_comes_just_after_translation_of(self) -> None:
        import_document(document(media=[MP3]))
        keys = list(json.loads(export()))
        self.assertEqual(keys[keys.index("translation_of") + 1 : keys.index("speakers")], ["media"])

    def assertRejected(self, data: dict[str, object], key: str, words: str) -> None:
        with self.assertRaises(DocumentError) as caught:
            validate_document(data)
        self.assertEqual(caught.exception.key, key)
        self.assertIn(words, caught.exception.message)

    def test_it_rejects_a_url_from_an_origin_not_allowed(self) -> None:
        media = [MP3, {"url": "https://elsewhere.example/a.mp3", "type": "audio/mpeg"}]
        self.assertRejected(
            document(media=media), "media[1].url", "https://elsewhere.example is not an allowed"
        )

    def test_it_rejects_a_url_that_is_no_web_address(self) -> None:
        self.assertRejected(
            document(media=[{"url": "javascript:alert(1)", "type": "audio/mpeg"}]), "media[0].url", ""
        )

    def test_it_rejects_an_unknown_media_type(self) -> None:
        self.assertRejected(
            document(media=[{**MP3, "type": "application/pdf"}]), "media[0].type", "application/pdf"
        )

    def test_it_rejects_a_missing_type_and_a_media_value_that_is_no_list(self) -> None:
        self.assertRejected(document(media=[{"url": MP3["url"]}]), "media[0].type", "required")
        self.assertRejected(document(media={"url": MP3["url"]}), "media", "list")

    def test_it_rejects_a_stored_file_that_is_not_there_or_escapes_the_storage(self) -> None:
        self.assertRejected(
            document(media=[{"url": "/media/recordings/nope.wav", "type": "audio/wav"}]),
            "media[0].url",
            "no uploaded",
        )
        self.assertRejected(
            document(media=[{"url": "/media/../settings.py", "type": "audio/wav"}]),
            "media[0].url",
            "does not name",
        )

    def test_times_out_of_order_are_rejected_naming_the_turn(self) -> None:
        doc = document()
        doc["turns"][2]["start"] = 10.0
        self.assertRejected(doc, "turns[2].start", "before the start of turn 2")

    def test_a_rejected_document_writes_nothing_and_keeps_the_old_recordings(self) -> None:
        import_document(document(media=[MP3]))
        bad = json.dumps(document(media=[{"url": "https://evil.example/x.mp3", "type": "audio/mpeg"}]))
        report = import_documents(read_content(bad.encode(), "bad.json"))
        self.assertEqual(report.rejected, 1)
        self.assertIn("media[0].url", str(report.errors[0]))
        self.assertEqual(list(Recording.objects.values_list("url", flat=True)), [MP3["url"]])

    def test_the_api_carries_media_and_rejects_a_bad_one(self) -> None:
        from tests.api.helpers import make_curator, token_client

        import_document(document(media=[MP3]))
        response = self.client.get("/api/v1/transcripts/peres-weibo-test/")
        self.assertEqual(response.json()["media"], [MP3])
        client = token_client(make_curator("curator"))
        bad = document(media=[{**MP3, "type": "audio/x-nope"}])
        response = client.put("/api/v1/transcripts/peres-weibo-test/", bad, format="json")
        self.assertEqual(response.status_code, 400)
        self.assertIn("media[0].type", json.dumps(response.json()))
        self.assertEqual(Recording.objects.get().type, "audio/mpeg")


class MediaOriginSettingTests(TestCase):
    def settings_with(self, **env: str) -> subprocess.CompletedProcess[str]:
        script = (
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings'; "
            "from django.conf import settings; "
            "print(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['media-src'])"
        )
        return subprocess.run(
            [sys.executable, "-c", script],
            cwd=REPO,
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            check=False,
        )

    def test_the_csp_media_src_follows_the_allowed_origins(self) -> None:
        done = self.settings_with(MEDIA_ALLOWED_ORIGINS="https://media.example.org, https://cdn.example.net/")
        self.assertEqual(
            done.stdout.strip(), "[\"'self'\", 'https://media.example.org', 'https://cdn.example.net']"
        )

    def test_a_bad_origin_fails_loudly_at_start(self) -> None:
        done = self.settings_with(MEDIA_ALLOWED_ORIGINS="media.example.org/path")
        self.assertNotEqual(done.returncode, 0)
        self.assertIn("MEDIA_ALLOWED_ORIGINS: 'media.example.org/path' is not an origin", done.stderr)

    def test_pages_send_media_src(self) -> None:
        response = self.client.get("/")
        self.assertIn("media-src 'self'", response["Content-Security-Policy"])


class RangeRequestTests(TestCase):
    def setUp(self) -> None:
        self.content = bytes(range(256)) * 40  # 10,240 distinct-ish bytes
        self.name = store_recording("recordings/range.wav", self.content)
        transcript = import_document(document())
        Recording.objects.create(transcript=transcript, file=self.name, type="audio/wav")
        self.url = f"/media/{self.name}"

    def get(self, range_header: str | None = None, **extra: Any) -> tuple[int, bytes, object]:
        headers: dict[str, Any] = {"HTTP_RANGE": range_header} if range_header else {}
        response = self.client.get(self.url, **headers, **extra)
        body = response.getvalue()  # streamed or not
        return response.status_code, body, response

    def test_a_range_answers_206_with_exactly_those_bytes(self) -> None:
        status, body, response = self.get("bytes=100-199")
        self.assertEqual(status, 206)
        self.assertEqual(body, self.content[100:200])
        self.assertEqual(response["Content-Range"], "bytes 100-199/10240")  # type: ignore[index]
        self.assertEqual(response["Content-Length"], "100")  # type: ignore[index]
        self.assertEqual(response["Content-Type"], "audio/wav")  # type: ignore[index]

    def test_open_ended_and_suffix_ranges(self) -> None:
        self.assertEqual(self.get("bytes=10000-")[1], self.content[10000:])
        status, body, response = self.get("bytes=-16")
        self.assertEqual((status, body), (206, self.content[-16:]))
        self.assertEqual(response["Content-Range"], "bytes 10224-10239/10240")  # type: ignore[index]
        self.assertEqual(self.get("bytes=10200-99999")[1], self.content[10200:])

    def test_a_range_beyond_the_end_answers_416(self) -> None:
        status, _body, response = self.get("bytes=10240-")
        self.assertEqual(status, 416)
        self.assertEqual(response["Content-Range"], "bytes */10240")  # type: ignore[index]

    def test_no_range_or_one_it_cannot_use_gives_the_whole_file(self) -> None:
        for header in (None, "bytes=5-1", "items=0-1", "bytes=0-1,5-6"):
            with self.subTest(header=header):
                status, body, response = self.get(header)
                self.assertEqual((status, len(body)), (200, len(self.content)))
                self.assertEqual(response["Accept-Ranges"], "bytes")  # type: ignore[index]

    def test_a_stale_if_range_gets_the_whole_file(self) -> None:
        status, body, _ = self.get("bytes=0-9", HTTP_IF_RANGE="Wed, 21 Oct 2015 07:28:00 GMT")
        self.assertEqual((status, len(body)), (200, len(self.content)))

    def test_a_draft_transcripts_file_and_other_files_are_not_served(self) -> None:
        Transcript.objects.update(status="draft")
        self.assertEqual(self.client.get(self.url).status_code, 404)
        store_recording("recordings/stray.wav")
        self.assertEqual(self.client.get("/media/recordings/stray.wav").status_code, 404)
        self.assertEqual(self.client.get("/media/../config/settings.py").status_code, 404)

    @override_settings(DEBUG=False, RECORDINGS_SERVED_BY="storage")
    def test_served_by_storage_redirects_to_the_storages_url(self) -> None:
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].endswith(self.name))


@override_settings(MEDIA_ALLOWED_ORIGINS=[MEDIA_ORIGIN], RECORDING_MAX_UPLOAD_MB=1)
class AdminRecordingTests(CuratorTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.transcript = import_document(document())
        self.url = f"/admin/archive/transcript/{self.transcript.pk}/change/"

    def post_recording(self, **fields: object) -> object:
        from tests.admin.helpers import page_form_data

        data = page_form_data(self.client.get(self.url))
        data.update({f"recordings-0-{name}": value for name, value in fields.items()})
        data.update({"recordings-TOTAL_FORMS": "1", "recordings-0-position": "1"})
        return self.client.post(self.url, data)

    def test_a_curator_uploads_a_recording_and_its_type_follows_the_extension(self) -> None:
        response = self.post_recording(file=SimpleUploadedFile("briefing.wav", wav_bytes()))
        self.assertEqual(response.status_code, 302)  # type: ignore[attr-defined]
        recording = Recording.objects.get()
        self.assertEqual(recording.type, "audio/wav")
        self.assertTrue(recording.file.name.startswith("recordings/briefing"))
        self.assertTrue(default_storage.exists(recording.file.name))

    def test_an_upload_over_the_limit_is_refused_naming_the_field(self) -> None:
        big = SimpleUploadedFile("long.mp3", b"\0" * (1024 * 1024 + 1))
        response = self.post_recording(file=big, type="audio/mpeg")
        self.assertEqual(response.status_code, 200)  # type: ignore[attr-defined]
        self.assertContains(response, "at most 1 MB (RECORDING_MAX_UPLOAD_MB)")  # type: ignore[arg-type]
        self.assertFalse(Recording.objects.exists())

    def test_a_url_from_an_origin_not_allowed_is_refused(self) -> None:
        response = self.post_recording(url="https://elsewhere.example/a.mp3", type="audio/mpeg")
        self.assertContains(response, "https://elsewhere.example is not an allowed media origin")  # type: ignore[arg-type]
        self.assertFalse(Recording.objects.exists())

    def test_an_unknown_type_is_refused(self) -> None:
        response = self.post_recording(url=MP3["url"], type="text/html")
        self.assertContains(response, "is not a media type the player knows")  # type: ignore[arg-type]
        self.assertFalse(Recording.objects.exists())

    def test_an_allowed_url_is_saved(self) -> None:
        self.post_recording(url=MP3["url"], type="audio/mpeg")
        self.assertEqual(Recording.objects.get().url, MP3["url"])


VTT = """WEBVTT

00:00:01.000 --> 00:00:02.500
one

00:00:03.000 --> 00:00:04.000
two

00:00:05.000 --> 00:00:06.000
three

00:00:07.000 --> 00:00:09.000
four
"""


class TimeCurationTests(CuratorTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.transcript = import_document(document())
        self.times_url = f"/admin/archive/transcript/{self.transcript.pk}/times/"

    def times(self) -> list[tuple[float | None, float | None]]:
        return list(
            Turn.objects.filter(transcript=self.transcript).order_by("position").values_list("start", "end")
        )

    def test_an_offset_shifts_every_time(self) -> None:
        response = self.client.post(self.times_url, {"shift": "1", "shift-offset": "-1.5"})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.times(), [(None, None), (59.5, 93.0), (None, None), (None, None)])

    def test_an_offset_before_the_recording_is_refused_and_nothing_moves(self) -> None:
        response = self.client.post(self.times_url, {"shift": "1", "shift-offset": "-100"})
        self.assertContains(response, "turn 2 would start at -39 s, before the recording")
        self.assertEqual(self.times()[1], (61.0, 94.5))

    def test_times_come_from_a_subtitle_file_by_turn_order(self) -> None:
        upload = SimpleUploadedFile("times.vtt", VTT.encode())
        response = self.client.post(self.times_url, {"subtitles": "1", "subtitles-subtitles": upload})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.times(), [(1.0, 2.5), (3.0, 4.0), (5.0, 6.0), (7.0, 9.0)])

    def test_a_subtitle_file_with_another_number_of_cues_is_refused(self) -> None:
        upload = SimpleUploadedFile("times.srt", b"1\n00:00:01,000 --> 00:00:02,000\none\n")
        response = self.client.post(self.times_url, {"subtitles": "1", "subtitles-subtitles": upload})
        self.assertContains(response, "times.srt has 1 cues but the transcript has 4 turns")
        self.assertEqual(self.times()[1], (61.0, 94.5))

    def test_a_malformed_subtitle_file_is_refused_naming_its_line(self) -> None:
        with self.assertRaises(TimesError) as caught:
            turns_times_from_subtitles(
                self.transcript, b"WEBVTT\n\n00:00:01.000 --> 00:00:00.500\nx\n", "bad.vtt"
            )
        self.assertIn("bad.vtt, line 3", caught.exception.message)

    def test_cues_out_of_order_are_refused(self) -> None:
        swapped = VTT.replace("00:00:05.000 --> 00:00:06.000", "00:00:02.000 --> 00:00:06.000")
        with self.assertRaises(TimesError) as caught:
            turns_times_from_subtitles(self.transcript, swapped.encode(), "swapped.vtt")
        self.assertIn("turn 3 starts (2 s) before turn 2 (3 s)", caught.exception.message)
        self.assertEqual(self.times()[0], (None, None))

    def test_the_shift_service_counts_timed_turns(self) -> None:
        self.assertEqual(turns_shift_times(self.transcript, 2), 1)

    def test_one_turns_end_before_its_start_is_refused_in_the_turn_form(self) -> None:
        from tests.admin.helpers import page_form_data

        url = f"/admin/archive/transcript/{self.transcript.pk}/change/"
        data = page_form_data(self.client.get(url))
        data["turns-1-end"] = "50"
        response = self.client.post(url, data)
        self.assertContains(response, "The end (50 s) is before the start (61 s).")
        data["turns-1-end"] = "-3"
        self.assertContains(
            self.client.post(url, data), "Seconds from the start of the recording cannot be negative."
        )
        data["turns-1-end"] = "94.5"
        data["turns-0-start"] = "70"
        response = self.client.post(url, data)
        self.assertContains(response, "Out of order: the later turn #2 starts at 61 s.")
        self.assertEqual(self.times()[:2], [(None, None), (61.0, 94.5)])
