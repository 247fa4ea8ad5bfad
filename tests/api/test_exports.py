"""Exports through the API: ?format= on a transcript (every registered exporter), CSV turn lists,
the CSV renderer the search endpoint uses, and the streaming bulk dump."""

from __future__ import annotations

import csv
import io
import json
import time
import tracemalloc

from django.core.management import call_command

from archive.api.csv_export import SEARCH_CSV_COLUMNS, TURN_CSV_HEADER, CsvRenderer
from archive.api.renderers import media_type_of
from archive.exporters import EXPORTERS
from archive.models import Transcript
from archive.selectors import transcripts_for_export
from tests.api.helpers import ApiTestCase, import_sample
from tests.fixtures import PERES_ZH, document, import_document, needs_corpus


def read_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


class TranscriptFormatTests(ApiTestCase):
    def setUp(self) -> None:
        super().setUp()
        import_document(document())
        import_document(PERES_ZH)

    def test_every_registered_exporter_is_a_format_of_a_transcript(self) -> None:
        transcript = transcripts_for_export(slugs=["peres-weibo-test"]).get()
        for name, exporter in EXPORTERS.items():
            with self.subTest(format=name):
                response = self.client.get("/api/v1/transcripts/peres-weibo-test/", {"format": name})
                self.assertEqual(response.status_code, 200)
                if name == "json":  # the API's own JSON: the document plus links
                    self.assertEqual(response.json()["slug"], "peres-weibo-test")
                    continue
                self.assertEqual(response["Content-Type"].split(";")[0], media_type_of(exporter))
                self.assertEqual(response.content.decode(), exporter.render(transcript))
                self.assertIn("attachment", response["Content-Disposition"])

    def test_a_format_can_be_asked_for_by_media_type(self) -> None:
        response = self.client.get(
            "/api/v1/transcripts/peres-weibo-test/", HTTP_ACCEPT="application/x-ndjson"
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(json.loads(response.content)["slug"], "peres-weibo-test")

    def test_a_format_that_cannot_hold_the_transcript_is_400_not_500(self) -> None:
        from archive.exporters.base import Exporter

        class NeedsTimings(Exporter):
            name = "timed-test"
            extension = "timed"
            content_type = "text/x-timed; charset=utf-8"

            def render(self, transcript: Transcript) -> str:
                raise ValueError("no turn has start and end times")

        EXPORTERS["timed-test"] = NeedsTimings()
        try:
            response = self.client.get("/api/v1/transcripts/peres-weibo-test-zh/", {"format": "timed-test"})
        finally:
            del EXPORTERS["timed-test"]
        self.assertEqual(response.status_code, 400)
        self.assertIn(
            "cannot be given as timed-test: no turn has start and end times", response.json()["detail"]
        )

    def test_an_srt_of_a_transcript_without_times_is_a_400_that_says_why(self) -> None:
        response = self.client.get("/api/v1/transcripts/peres-weibo-test-zh/", {"format": "srt"})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response["Content-Type"], "application/json")
        self.assertEqual(response.json()["key"], "format")
        self.assertIn(
            "cannot be given as srt: no turn of this transcript has start and end times",
            response.json()["message"],
        )
        # WebVTT keeps the metadata in a NOTE: a file without cues is still a file.
        self.assertEqual(
            self.client.get("/api/v1/transcripts/peres-weibo-test-zh/", {"format": "vtt"}).status_code, 200
        )

    def test_an_unknown_format_is_400_listing_the_known_ones(self) -> None:
        response = self.client.get("/api/v1/transcripts/peres-weibo-test/", {"format": "docx"})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response["Content-Type"], "application/json")
        self.assertEqual(response.json()["key"], "format")
        message = response.json()["message"]
        self.assertIn("unknown format 'docx'", message)
        for name in EXPORTERS:
            self.assertIn(name, message)

    def test_an_unknown_format_on_search_is_the_same_400_as_elsewhere(self) -> None:
        search = self.client.get("/api/v1/search/", {"q": "peres", "format": "docx"})
        transcript = self.client.get("/api/v1/transcripts/peres-weibo-test/", {"format": "docx"})
        self.assertEqual(search.status_code, 400)
        self.assertEqual(search["Content-Type"], "application/json")
        self.assertEqual(search.json()["key"], "format")
        expected = "unknown format 'docx'; choose one of: json, csv, csv-excel"
        self.assertEqual(search.json()["message"], expected)
        self.assertEqual(set(search.json()), set(transcript.json()))

    def test_errors_are_json_even_when_a_text_format_was_asked_for(self) -> None:
        response = self.client.get("/api/v1/transcripts/missing/", {"format": "ndjson"})
        self.assertEqual(response.status_code, 404)
        self.assertEqual(response.json()["detail"], "No Transcript matches the given query.")


class TurnCsvTests(ApiTestCase):
    def setUp(self) -> None:
        super().setUp()
        import_document(document())
        import_document(PERES_ZH)
        import_document(document(slug="hidden-draft", status="draft"))

    def test_a_transcripts_turns_as_csv(self) -> None:
        response = self.client.get("/api/v1/transcripts/peres-weibo-test-zh/turns/", {"format": "csv"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        self.assertIn("peres-weibo-test-zh-turns.csv", response["Content-Disposition"])
        self.assertTrue(response.streaming)
        rows = read_csv(response.getvalue().decode())
        self.assertEqual(rows[0], TURN_CSV_HEADER)
        self.assertEqual(rows[0][2:4], ["speaker_slug", "speaker_name"])  # as in every CSV we write
        self.assertEqual(
            rows[2][:7],
            [
                "peres-weibo-test-zh",
                "2",
                "shimon-peres",
                "西蒙·佩雷斯",
                "answer",
                "zh-Hans",
                "我们的秘诀是学习。",
            ],
        )
        self.assertEqual(len(rows), 3)

    def test_a_turn_list_as_csv_has_every_match_not_a_page(self) -> None:
        response = self.client.get(
            "/api/v1/turns/", {"format": "csv", "page_size": "1", "speaker": "shimon-peres"}
        )
        self.assertTrue(response.streaming)
        rows = read_csv(response.getvalue().decode())
        self.assertEqual(
            [(r[0], r[1]) for r in rows[1:]],
            [("peres-weibo-test", "2"), ("peres-weibo-test", "4"), ("peres-weibo-test-zh", "2")],
        )
        # Newlines inside a turn survive as one quoted cell; the draft's turns are not there.
        self.assertEqual(rows[2][6], "I hope so.\nChina is a friend.")
        self.assertEqual(rows[1][10:], ["61.0", "94.5"])

    def test_the_csv_renderer_renders_search_results_by_their_columns(self) -> None:
        """What GET /api/v1/search/?format=csv gives when its view uses CsvRenderer + SEARCH_CSV_COLUMNS."""
        payload = {
            "count": 1,
            "page": 1,
            "page_size": 20,
            "results": [
                {
                    "transcript": {
                        "slug": "peres-weibo-test-zh",
                        "title": "佩雷斯",
                        "date": "2014-04-10",
                        "language": "zh-Hans",
                    },
                    "turn": {
                        "position": 2,
                        "speaker": "西蒙·佩雷斯",
                        "speaker_slug": "shimon-peres",
                        "kind": "answer",
                        "language": "zh-Hans",
                        "text": "我们的秘诀是学习。",
                    },
                    "highlight": "我们的<mark>秘诀</mark>是学习。",
                    "answer": None,
                    "translations": [],
                    "score": 1.5,
                }
            ],
            "facets": {},
            "suggestion": None,
        }

        class SearchLikeView:
            csv_columns = SEARCH_CSV_COLUMNS

        text = CsvRenderer().render(payload, renderer_context={"view": SearchLikeView()}).decode()
        rows = read_csv(text)
        self.assertEqual(rows[0], [header for header, _ in SEARCH_CSV_COLUMNS])
        self.assertEqual(rows[0][4:6], ["speaker_slug", "speaker_name"])  # as in every CSV we write
        self.assertEqual(
            rows[1],
            [
                "peres-weibo-test-zh",
                "佩雷斯",
                "2014-04-10",
                "2",
                "shimon-peres",
                "西蒙·佩雷斯",
                "answer",
                "zh-Hans",
                "我们的秘诀是学习。",
                "1.5",
            ],
        )
        # Without csv_columns, the result's keys are flattened.
        rows = read_csv(CsvRenderer().render(payload).decode())
        self.assertIn("transcript.slug", rows[0])
        self.assertIn("turn.text", rows[0])


class BulkExportTests(ApiTestCase):
    def setUp(self) -> None:
        super().setUp()
        import_document(document())
        import_document(PERES_ZH)
        import_document(document(slug="hidden-draft", status="draft"))

    def dump(self, client: object = None, **params: str) -> list[dict[str, object]]:
        response = (client or self.client).get("/api/v1/export/", params)  # type: ignore[attr-defined]
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.streaming)
        self.assertEqual(response["Content-Type"], "application/x-ndjson; charset=utf-8")
        return [json.loads(line) for line in response.getvalue().decode().splitlines()]

    def test_it_streams_every_published_transcript_as_the_export_command_does(self) -> None:
        docs = self.dump()
        self.assertEqual([d["slug"] for d in docs], ["peres-weibo-test", "peres-weibo-test-zh"])
        out = io.StringIO()
        call_command("export_transcripts", stdout=out)
        self.assertEqual([json.loads(line) for line in out.getvalue().splitlines()], docs)

    def test_drafts_are_for_curators_only(self) -> None:
        self.assertEqual(self.client.get("/api/v1/export/", {"include_drafts": "true"}).status_code, 403)
        slugs = [d["slug"] for d in self.dump(self.curator_client, include_drafts="true")]
        self.assertEqual(slugs, ["hidden-draft", "peres-weibo-test", "peres-weibo-test-zh"])
        self.assertEqual(self.client.get("/api/v1/export/", {"include_drafts": "maybe"}).status_code, 400)

    def test_formats_that_need_one_file_each_are_refused(self) -> None:
        response = self.client.get("/api/v1/export/", {"format": "json"})
        self.assertEqual(response.status_code, 400)
        self.assertIn("ndjson", response.json()["errors"]["format"][0])


@needs_corpus
class CorpusBulkExportTests(ApiTestCase):
    """The whole sample streams through the API with memory that does not grow with the archive."""

    def test_the_whole_sample_streams_in_constant_memory(self) -> None:
        import_sample()
        published = Transcript.objects.published().count()
        self.assertGreater(published, 300)
        response = self.client.get("/api/v1/export/")
        self.assertTrue(response.streaming)
        total = lines = 0
        tracemalloc.start()
        started = time.monotonic()
        try:
            for chunk in response:  # as the server sends it, chunk by chunk
                total += len(chunk)
                lines += chunk.count(b"\n")
            left, streaming_peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        elapsed = time.monotonic() - started
        self.assertEqual(lines, published)
        # What holding the whole archive at once would cost, for comparison.
        tracemalloc.start()
        try:
            everything = list(transcripts_for_export())
            _, all_at_once_peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        self.assertEqual(len(everything), published)
        print(
            f"\nexport: {lines} transcripts, {total / 1e6:.1f} MB in {elapsed:.1f}s; peak "
            f"{streaming_peak / 1e6:.1f} MB streaming vs {all_at_once_peak / 1e6:.1f} MB all at once"
        )
        # Memory is bounded by one batch of turns (the sample's longest press conference, a batch of
        # its own, takes most of it), not by the archive: well under what holding everything costs.
        self.assertLess(streaming_peak, all_at_once_peak / 2)
        self.assertLess(left, streaming_peak / 2)
