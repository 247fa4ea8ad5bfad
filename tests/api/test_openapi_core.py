"""An independent client reads the API: openapi-core validates real responses of every operation.

The schema is parsed by openapi-core (which validates it as a strict OpenAPI 3.0 document
first); then real requests, successful and failing, are made with the test client and
each response is checked against what the schema says of that operation and status.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from django.test import override_settings
from openapi_core import Config, OpenAPI
from openapi_core.testing import MockRequest, MockResponse

from tests.api.helpers import ApiTestCase
from tests.fixtures import PERES_ZH, document, import_document
from tests.search.helpers import temp_search_index

HOST = "http://testserver"


def utf8(data: bytes, **parameters: str) -> str:
    return data.decode(parameters.get("charset", "utf-8"))


class OpenApiCoreTests(ApiTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.enterContext(temp_search_index())
        with self.captureOnCommitCallbacks(execute=True):
            import_document(document())
            import_document(PERES_ZH)
        schema = self.client.get("/api/schema/?format=json").json()
        self.schema = schema
        # A client reads the text formats (CSV, NDJSON, subtitles) as UTF-8 text; openapi-core
        # knows only text/plain and JSON of its own.
        text_types: dict[str, Callable[[bytes], Any]] = {
            media_type: utf8
            for item in schema["paths"].values()
            for operation in item.values()
            for response in operation["responses"].values()
            for media_type, content in response.get("content", {}).items()
            if content["schema"].get("type") == "string"
        }
        self.openapi = OpenAPI.from_dict(schema, config=Config(extra_media_type_deserializers=text_types))
        self.seen: set[tuple[str, str]] = set()

    def check(self, response: Any, template: str, *, body: bytes = b"") -> Any:
        """Validate one real response against the schema's operation `template`."""
        request = response.wsgi_request
        url = urlsplit(request.get_full_path())
        mock_request = MockRequest(
            HOST,
            request.method,
            url.path,
            path_pattern=template,
            args=dict(parse_qsl(url.query, keep_blank_values=True)),
            view_args=request.resolver_match.kwargs if request.resolver_match else {},
            headers=dict(request.headers),
            data=body,
            content_type=request.META.get("CONTENT_TYPE", ""),
        )
        content = b"".join(response.streaming_content) if response.streaming else response.content
        mock_response = MockResponse(
            content,
            status_code=response.status_code,
            headers=dict(response.headers),
            content_type=response.get("Content-Type", ""),
        )
        self.openapi.validate_response(mock_request, mock_response)
        self.seen.add((request.method.lower(), template))
        return response

    def test_real_responses_of_every_operation_validate(self) -> None:
        slug = "/api/v1/transcripts/{slug}/"
        c, cur = self.client, self.curator_client
        self.check(c.get("/api/v1/transcripts/"), "/api/v1/transcripts/")
        self.check(c.get("/api/v1/transcripts/", {"ordering": "nonsense"}), "/api/v1/transcripts/")
        self.check(c.get("/api/v1/transcripts/peres-weibo-test/"), slug)
        self.check(c.get("/api/v1/transcripts/nothing-here/"), slug)
        for name in ["ndjson", "csv", "txt", "vtt", "srt"]:
            response = self.check(c.get("/api/v1/transcripts/peres-weibo-test/", {"format": name}), slug)
            self.assertEqual(response.status_code, 200, name)
        self.check(c.get("/api/v1/transcripts/peres-weibo-test/", {"format": "nope"}), slug)
        turns = "/api/v1/transcripts/{slug}/turns/"
        self.check(c.get("/api/v1/transcripts/peres-weibo-test/turns/"), turns)
        self.check(c.get("/api/v1/transcripts/peres-weibo-test/turns/", {"format": "csv"}), turns)
        self.check(c.get("/api/v1/transcripts/nothing/turns/"), turns)
        self.check(c.get("/api/v1/turns/", {"kind": "answer"}), "/api/v1/turns/")
        self.check(c.get("/api/v1/turns/", {"kind": "shout"}), "/api/v1/turns/")
        self.check(c.get("/api/v1/speakers/"), "/api/v1/speakers/")
        self.check(c.get("/api/v1/speakers/shimon-peres/"), "/api/v1/speakers/{slug}/")
        self.check(c.get("/api/v1/speakers/nobody/"), "/api/v1/speakers/{slug}/")
        self.check(c.get("/api/v1/topics/"), "/api/v1/topics/")
        self.check(c.get("/api/v1/topics/technology/"), "/api/v1/topics/{slug}/")
        self.check(c.get("/api/v1/export/"), "/api/v1/export/")
        self.check(c.get("/api/v1/export/", {"format": "csv"}), "/api/v1/export/")
        self.check(c.get("/api/v1/export/", {"include_drafts": "true"}), "/api/v1/export/")
        search = "/api/v1/search/"
        # Hits with a question and an answer beside them: `answer` is null on one, `question` on the other.
        hits = self.check(c.get(search, {"q": "secret"}), search).json()["results"]
        self.assertTrue(
            any(hit["answer"] is None for hit in hits) or any(hit["question"] is None for hit in hits)
        )
        self.check(c.get(search, {"q": "secret", "format": "csv"}), search)
        self.check(c.get(search, {"page_size": "0"}), search)
        self.check(c.get(search, {"format": "nope"}), search)

        doc = document(slug="another-one")
        body = c.post("/api/v1/transcripts/", doc, format="json")
        self.check(body, "/api/v1/transcripts/")  # 401
        created = cur.post("/api/v1/transcripts/", doc, format="json")
        self.assertEqual(created.status_code, 201)
        self.check(created, "/api/v1/transcripts/")
        self.check(cur.post("/api/v1/transcripts/", doc, format="json"), "/api/v1/transcripts/")  # 409
        self.check(cur.post("/api/v1/transcripts/", {"slug": 3}, format="json"), "/api/v1/transcripts/")
        self.check(cur.put("/api/v1/transcripts/another-one/", doc, format="json"), slug)
        self.check(cur.patch("/api/v1/transcripts/another-one/", {"status": "draft"}, format="json"), slug)
        self.check(cur.patch("/api/v1/transcripts/another-one/", {"title": "x"}, format="json"), slug)
        self.check(cur.delete("/api/v1/transcripts/another-one/"), slug)
        self.check(cur.delete("/api/v1/transcripts/another-one/"), slug)  # 404

        redactions = "/api/v1/transcripts/{slug}/turns/{position}/redactions/"
        url = "/api/v1/transcripts/peres-weibo-test/turns/1/redactions/"
        span = {"start": 0, "end": 4, "reason": "A private name"}
        self.check(c.post(url, span, format="json"), redactions)  # 401
        made = cur.post(url, span, format="json")
        self.assertEqual(made.status_code, 201)
        self.check(made, redactions)
        self.check(cur.post(url, {"start": 5, "end": 1, "reason": "x"}, format="json"), redactions)  # 400
        missing = "/api/v1/transcripts/peres-weibo-test/turns/99/redactions/"
        self.check(cur.post(missing, span, format="json"), redactions)  # 404

        operations = {
            (method, path)
            for path, item in self.schema["paths"].items()
            for method in item
            if method in {"get", "put", "post", "patch", "delete"}
        }
        self.assertEqual(operations - self.seen, set())

    def test_every_operation_documents_429_and_a_throttled_answer_validates(self) -> None:
        for path, item in self.schema["paths"].items():
            for method, operation in item.items():
                with self.subTest(operation=f"{method} {path}"):
                    self.assertIn("429", operation["responses"])
                    self.assertIn("Retry-After", operation["responses"]["429"]["headers"])
        rates = {"anon": "1/minute", "write": "1/minute"}
        with override_settings(
            REST_FRAMEWORK={**self.settings_rest_framework(), "DEFAULT_THROTTLE_RATES": rates}
        ):
            for url, template in [
                ("/api/v1/search/", "/api/v1/search/"),
                ("/api/v1/transcripts/", "/api/v1/transcripts/"),
            ]:
                self.client.get(url)
                response = self.check(self.client.get(url), template)
                self.assertEqual(response.status_code, 429, url)
                self.assertTrue(response["Retry-After"].isdigit())

    def settings_rest_framework(self) -> dict[str, Any]:
        from django.conf import settings

        return dict(settings.REST_FRAMEWORK)
