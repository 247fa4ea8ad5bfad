"""HTTP behaviour of the API: ETag and Last-Modified with 304 answers, and CORS open for GET only."""

from __future__ import annotations

from django.utils.http import http_date

from archive.models import Transcript
from tests.api.helpers import ApiTestCase
from tests.fixtures import document, import_document

DETAIL = "/api/v1/transcripts/peres-weibo-test/"


class ConditionalGetTests(ApiTestCase):
    def setUp(self) -> None:
        super().setUp()
        import_document(document())

    def test_a_matching_etag_is_answered_304_without_a_body(self) -> None:
        first = self.client.get(DETAIL)
        etag = first["ETag"]
        again = self.client.get(DETAIL, HTTP_IF_NONE_MATCH=etag)
        self.assertEqual(again.status_code, 304)
        self.assertEqual(again.content, b"")
        self.assertEqual(again["ETag"], etag)
        self.assertEqual(self.client.get(DETAIL, HTTP_IF_NONE_MATCH='"stale"').status_code, 200)

    def test_the_etag_changes_with_the_content_and_the_format(self) -> None:
        etag = self.client.get(DETAIL)["ETag"]
        self.assertNotEqual(self.client.get(DETAIL, {"format": "ndjson"})["ETag"], etag)
        self.curator_client.patch(DETAIL, {"status": "review"}, format="json")
        self.curator_client.patch(DETAIL, {"status": "published"}, format="json")
        self.curator_client.put(DETAIL, document(title="Retitled"), format="json")
        self.assertEqual(self.client.get(DETAIL, HTTP_IF_NONE_MATCH=etag).status_code, 200)

    def test_last_modified_is_the_transcripts_and_if_modified_since_gets_304(self) -> None:
        response = self.client.get(DETAIL)
        modified = Transcript.objects.get().modified
        self.assertEqual(response["Last-Modified"], http_date(modified.timestamp()))
        later = http_date(modified.timestamp() + 60)
        self.assertEqual(self.client.get(DETAIL, HTTP_IF_MODIFIED_SINCE=later).status_code, 304)
        earlier = http_date(modified.timestamp() - 60)
        self.assertEqual(self.client.get(DETAIL, HTTP_IF_MODIFIED_SINCE=earlier).status_code, 200)

    def test_lists_have_etags_too_and_vary_on_credentials(self) -> None:
        for url in ("/api/v1/transcripts/", "/api/v1/turns/", "/api/v1/speakers/", "/api/v1/topics/"):
            response = self.client.get(url)
            self.assertEqual(self.client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code, 304, url)
            self.assertIn("Authorization", response["Vary"])

    def test_errors_carry_no_etag(self) -> None:
        self.assertFalse(self.client.get("/api/v1/transcripts/missing/").has_header("ETag"))


class CorsTests(ApiTestCase):
    def setUp(self) -> None:
        super().setUp()
        import_document(document())

    def test_any_origin_may_read(self) -> None:
        response = self.client.get(DETAIL, HTTP_ORIGIN="https://notebooks.example.org")
        self.assertEqual(response["Access-Control-Allow-Origin"], "*")
        self.assertIn("ETag", response["Access-Control-Expose-Headers"])

    def test_a_cross_origin_write_is_not_allowed_by_the_preflight(self) -> None:
        response = self.client.options(
            DETAIL,
            HTTP_ORIGIN="https://elsewhere.example.org",
            HTTP_ACCESS_CONTROL_REQUEST_METHOD="DELETE",
        )
        self.assertNotIn("DELETE", response.get("Access-Control-Allow-Methods", ""))
        self.assertIn("GET", response["Access-Control-Allow-Methods"])

    def test_pages_outside_the_api_get_no_cors_headers(self) -> None:
        response = self.client.get("/admin/login/", HTTP_ORIGIN="https://elsewhere.example.org")
        self.assertFalse(response.has_header("Access-Control-Allow-Origin"))


class UnroutedAddressTests(ApiTestCase):
    def test_an_api_address_nothing_answers_is_a_json_404_and_a_page_address_the_site_s_page(self) -> None:
        for method in ("get", "put"):
            response = getattr(self.client, method)("/api/v1/transcripts/500.html/")
            self.assertEqual(response.status_code, 404)
            self.assertEqual(response["Content-Type"], "application/json")
            self.assertIn("detail", response.json())
        page = self.client.get("/no-such-page/")
        self.assertEqual(page.status_code, 404)
        self.assertIn("text/html", page["Content-Type"])
