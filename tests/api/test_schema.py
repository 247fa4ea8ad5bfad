"""The OpenAPI schema, the interactive docs, and schemathesis fuzzing every operation against it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import yaml
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from rest_framework.authtoken.models import Token

from archive.exporters import EXPORTERS
from tests.api.helpers import ApiTestCase, without_throttling
from tests.fixtures import PERES_ZH, document, import_document

# Per operation and client; keeps the whole run well under a minute on a 2-core machine.
EXAMPLES = 12


class SchemaDocumentTests(ApiTestCase):
    def schema(self) -> dict[str, Any]:
        response = self.client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi")
        self.assertEqual(response.status_code, 200)
        return dict(yaml.safe_load(response.content))

    def test_the_schema_is_openapi_3_and_covers_every_endpoint(self) -> None:
        schema = self.schema()
        self.assertTrue(schema["openapi"].startswith("3."))
        for path in (
            "/api/v1/transcripts/",
            "/api/v1/transcripts/{slug}/",
            "/api/v1/transcripts/{slug}/turns/",
            "/api/v1/turns/",
            "/api/v1/speakers/",
            "/api/v1/speakers/{slug}/",
            "/api/v1/topics/",
            "/api/v1/topics/{slug}/",
            "/api/v1/export/",
        ):
            self.assertIn(path, schema["paths"])
        self.assertEqual(
            set(schema["paths"]["/api/v1/transcripts/{slug}/"]), {"get", "put", "patch", "delete"}
        )

    def test_every_export_format_is_documented(self) -> None:
        get = self.schema()["paths"]["/api/v1/transcripts/{slug}/"]["get"]
        formats = next(p for p in get["parameters"] if p["name"] == "format")["schema"]["enum"]
        self.assertEqual(set(formats), set(EXPORTERS))
        media_types = set(get["responses"]["200"]["content"])
        for name, exporter in EXPORTERS.items():
            self.assertIn(exporter.content_type.split(";")[0], media_types, name)

    def test_filters_are_documented(self) -> None:
        params = self.schema()["paths"]["/api/v1/turns/"]["get"]["parameters"]
        names = {p["name"] for p in params}
        self.assertLessEqual(
            {"speaker", "topic", "kind", "language", "transcript", "page", "page_size"}, names
        )
        kind = next(p for p in params if p["name"] == "kind")
        self.assertEqual(
            set(kind["schema"]["enum"]), {"question", "answer", "statement", "moderator", "narrative"}
        )

    def test_anonymous_reads_and_token_writes_are_documented(self) -> None:
        schema = self.schema()
        transcripts = schema["paths"]["/api/v1/transcripts/"]
        self.assertIn({}, transcripts["get"]["security"])
        self.assertNotIn({}, transcripts["post"]["security"])
        self.assertIn("tokenAuth", schema["components"]["securitySchemes"])

    def test_the_docs_are_served_without_a_cdn(self) -> None:
        response = self.client.get("/api/docs/")
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        self.assertNotIn("https://", html)
        self.assertNotIn("http://", html)
        self.assertIn(
            f"{settings.STATIC_URL}drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js", html
        )
        self.assertIsNotNone(finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js"))


@contextmanager
def wsgi_in_this_transaction() -> Iterator[None]:
    """Let the WSGI handler serve requests inside the test's transaction, as Django's test client does:
    it must not close the connection at the start and end of each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


class SchemathesisTests(ApiTestCase):
    """Generated requests for every operation: no 5xx, and every response as the schema says."""

    def test_schemathesis_finds_no_server_error_and_no_schema_violation(self) -> None:
        import schemathesis
        from hypothesis import HealthCheck, given
        from hypothesis import settings as hypothesis_settings
        from schemathesis.checks import not_a_server_error
        from schemathesis.core.result import Ok
        from schemathesis.specs.openapi.checks import (
            content_type_conformance,
            response_headers_conformance,
            response_schema_conformance,
            status_code_conformance,
        )

        from config.wsgi import application

        import_document(document())
        import_document(PERES_ZH)
        import_document(document(slug="a-draft", status="draft"))
        token = Token.objects.get(user=self.curator).key
        checks = [
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
            response_headers_conformance,
        ]
        # Random slugs (mostly 404), then a real one, anonymously and as a curator (who writes).
        # Schemathesis asks for gzip, but its WSGI transport does not decompress (an HTTP client would).
        plain = {"Accept-Encoding": "identity"}
        runs: list[tuple[str, dict[str, str], dict[str, str] | None]] = [
            ("anonymous", plain, None),
            ("anonymous, real slug", plain, {"slug": "peres-weibo-test"}),
            (
                "curator, real slug",
                {**plain, "Authorization": f"Token {token}"},
                {"slug": "peres-weibo-test-zh"},
            ),
        ]
        started = time.monotonic()
        calls = 0
        with without_throttling(), wsgi_in_this_transaction():
            schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
            operations = []
            for result in schema.get_all_operations():
                assert isinstance(result, Ok), result.err()
                operations.append(result.ok())
            self.assertGreaterEqual(len(operations), 13)
            for operation in operations:
                for label, headers, path_parameters in runs:
                    if path_parameters and "{slug}" not in operation.path:
                        continue

                    @hypothesis_settings(
                        max_examples=EXAMPLES,
                        deadline=None,
                        derandomize=True,
                        database=None,
                        suppress_health_check=list(HealthCheck),
                    )
                    @given(case=operation.as_strategy(path_parameters=path_parameters, headers=headers))
                    def check(case: Any) -> None:
                        nonlocal calls
                        calls += 1
                        case.call_and_validate(checks=checks)

                    with self.subTest(operation=operation.label, client=label):
                        check()
        print(f"\nschemathesis: {calls} requests in {time.monotonic() - started:.1f}s")
