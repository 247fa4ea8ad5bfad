"""A round trip through the API is lossless: GET every transcript, POST them into an empty archive,
GET again: identical documents."""

from __future__ import annotations

from typing import Any

from archive.models import Speaker, Topic, Transcript
from tests.api.helpers import ApiTestCase, import_sample, without_throttling
from tests.fixtures import PERES_ZH, document, import_document, needs_corpus


class ApiRoundTripMixin(ApiTestCase):
    def get_everything(self) -> list[dict[str, Any]]:
        slugs: list[str] = []
        url: str | None = "/api/v1/transcripts/?page_size=100&ordering=slug"
        while url:
            page = self.curator_client.get(url).json()
            slugs += [item["slug"] for item in page["results"]]
            url = page["next"]
        documents = []
        for slug in slugs:
            response = self.curator_client.get(f"/api/v1/transcripts/{slug}/")
            self.assertEqual(response.status_code, 200, slug)
            documents.append(response.json())
        return documents

    def assert_round_trip_is_lossless(self) -> int:
        with without_throttling():
            return self._round_trip()

    def _round_trip(self) -> int:
        before = self.get_everything()
        self.assertEqual(len(before), Transcript.objects.count())
        Transcript.objects.all().delete()
        Speaker.objects.all().delete()
        Topic.objects.all().delete()
        self.assertEqual(self.get_everything(), [])
        for doc in before:  # as returned, read-only extras included
            response = self.curator_client.post("/api/v1/transcripts/", doc, format="json")
            self.assertEqual(response.status_code, 201, response.content[:300])
        after = self.get_everything()
        self.assertEqual(len(after), len(before))
        for old, new in zip(before, after, strict=True):
            self.assertEqual(new, old, old["slug"])
        return len(after)


class ApiRoundTripTests(ApiRoundTripMixin):
    def test_a_round_trip_through_the_api_is_lossless(self) -> None:
        import_document(document())
        import_document(PERES_ZH)
        import_document(document(slug="in-review", status="review", date="2015-01-01"))
        import_document(
            {
                "slug": "knesset-test",
                "title": "שאילתות בעל-פה",
                "language": "he",
                "status": "draft",
                "speakers": [{"name": 'היו"ר'}, {"name": ""}],
                "turns": [
                    {"speaker": 'היו"ר', "kind": "moderator", "text": "שאילתה מספר 1.", "section": "שאילתות"},
                    {
                        "speaker": "",
                        "kind": "narrative",
                        "text": "(קריאות)",
                        "section": "שאילתות",
                        "start": 0,
                    },
                ],
            }
        )
        self.assertEqual(self.assert_round_trip_is_lossless(), 4)


@needs_corpus
class CorpusApiRoundTripTests(ApiRoundTripMixin):
    def test_the_whole_sample_round_trips_through_the_api(self) -> None:
        import_sample()
        self.assertEqual(self.assert_round_trip_is_lossless(), Transcript.objects.count())
