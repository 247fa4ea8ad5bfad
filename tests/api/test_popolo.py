"""People as Popolo: /api/v1/speakers/?format=popolo and one speaker's."""

from __future__ import annotations

from tests.api.helpers import ApiTestCase
from tests.fixtures import PERES_ZH, document, import_document


class PopoloTests(ApiTestCase):
    def setUp(self) -> None:
        super().setUp()
        import_document(document())
        import_document(PERES_ZH)

    def test_one_speaker_is_a_popolo_person_with_names_in_every_script(self) -> None:
        response = self.client.get("/api/v1/speakers/shimon-peres/", {"format": "popolo"})
        self.assertEqual(response.status_code, 200)
        person = response.json()
        self.assertEqual(person["id"], "shimon-peres")
        self.assertEqual(person["name"], "Shimon Peres")
        self.assertEqual(
            person["other_names"],
            [
                {"name": "שמעון פרס", "lang": "he", "note": "multilingual"},
                {"name": "西蒙·佩雷斯", "lang": "zh-Hans", "note": "multilingual"},
                {"name": "Peres", "note": "alias"},
            ],
        )
        self.assertEqual(person["identifiers"][0], {"scheme": "qa-archive", "identifier": "shimon-peres"})
        self.assertEqual(
            person["links"], [{"url": "http://testserver/speakers/shimon-peres/", "note": "archive page"}]
        )

    def test_the_list_is_persons_with_page_links(self) -> None:
        data = self.client.get("/api/v1/speakers/", {"format": "popolo", "page_size": "2"}).json()
        self.assertEqual(set(data), {"persons", "count", "next", "previous"})
        self.assertEqual(len(data["persons"]), 2)
        self.assertIn("format=popolo", data["next"])
        self.assertTrue(all({"id", "name", "other_names", "identifiers"} <= set(p) for p in data["persons"]))

    def test_the_plain_json_is_unchanged_and_an_unknown_format_is_400(self) -> None:
        self.assertIn("results", self.client.get("/api/v1/speakers/").json())
        self.assertEqual(self.client.get("/api/v1/speakers/", {"format": "foaf"}).status_code, 400)

    def test_identifiers_come_from_the_one_reader_of_speaker_identifiers(self) -> None:
        from archive.exporters import base
        from archive.models import Speaker

        speaker = Speaker.objects.get(slug="shimon-peres")
        speaker.identifiers = {"wikidata": "Q11621"}  # what the model's field will hold
        self.assertEqual(base.speaker_identifiers(speaker), {"wikidata": "Q11621"})
