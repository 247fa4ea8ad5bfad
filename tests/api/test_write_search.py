"""Writes through the API reach the search index: POST, PATCH status, PUT and DELETE."""

from __future__ import annotations

from tests.api.helpers import ApiTestCase
from tests.fixtures import document
from tests.search.helpers import temp_search_index

URL = "/api/v1/transcripts/"
SEARCH = "/api/v1/search/"


class ApiWritesFollowedBySearchTests(ApiTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.enterContext(temp_search_index())

    def hits(self, q: str) -> list[str]:
        results = self.client.get(SEARCH, {"q": q}).json()["results"]
        return [f"{r['transcript']['slug']}#{r['turn']['position']}" for r in results]

    def test_every_kind_of_write_is_reflected_in_search(self) -> None:
        slug_url = f"{URL}peres-weibo-test/"
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(self.curator_client.post(URL, document(), format="json").status_code, 201)
        self.assertEqual(self.hits("Jewish wisdom"), ["peres-weibo-test#1"])

        with self.captureOnCommitCallbacks(execute=True):
            response = self.curator_client.patch(slug_url, {"status": "draft"}, format="json")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.hits("Jewish wisdom"), [])

        changed = document(status="published")
        changed["turns"][0]["text"] = "What is the secret of Israeli innovation?"
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(self.curator_client.put(slug_url, changed, format="json").status_code, 200)
        self.assertEqual(self.hits("Jewish wisdom"), [])
        self.assertEqual(self.hits("Israeli innovation"), ["peres-weibo-test#1"])

        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(self.curator_client.delete(slug_url).status_code, 204)
        self.assertEqual(self.hits("Israeli innovation"), [])
