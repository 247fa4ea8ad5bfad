"""Every response carries the security headers: a CSP without inline scripts, no framing, nosniff."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.test import TestCase

from tests.fixtures import document, import_document


class SecurityHeadersTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        import_document(document())

    def assert_secure_headers(self, url: str) -> str:
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200, url)
        csp = response["Content-Security-Policy"]
        directives = {part.split()[0]: part.split()[1:] for part in csp.split(";") if part.strip()}
        self.assertEqual(directives["script-src"], ["'self'"], url)
        self.assertNotIn("'unsafe-inline'", directives["script-src"])
        self.assertNotIn("'unsafe-eval'", directives["script-src"])
        self.assertEqual(directives["frame-ancestors"], ["'none'"], url)
        self.assertEqual(directives["object-src"], ["'none'"], url)
        self.assertEqual(response["X-Content-Type-Options"], "nosniff", url)
        self.assertEqual(response["Referrer-Policy"], "strict-origin-when-cross-origin", url)
        self.assertEqual(response["X-Frame-Options"], "DENY", url)
        return response.content.decode()

    def test_a_public_page_has_them(self) -> None:
        self.assert_secure_headers("/")
        self.assert_secure_headers("/transcripts/peres-weibo-test/")

    def test_the_admin_has_them(self) -> None:
        self.assert_secure_headers("/admin/login/")
        self.client.force_login(User.objects.create_superuser("root", password="x-long-password-1"))
        self.assert_secure_headers("/admin/archive/transcript/")

    def test_the_api_has_them(self) -> None:
        self.assert_secure_headers("/api/v1/transcripts/")
        self.assert_secure_headers("/api/v1/search/?q=peres")

    def test_the_api_docs_load_their_script_from_a_url_not_inline(self) -> None:
        html = self.assert_secure_headers("/api/docs/")
        self.assertNotRegex(html, r"<script>\s*\S")
        self.assertIn('<script src="/api/docs/?script="', html)
        script = self.client.get("/api/docs/?script=")
        self.assertEqual(script.status_code, 200)
        self.assertIn("application/javascript", script["Content-Type"])
        self.assertIn("SwaggerUIBundle", script.content.decode())

    def test_no_site_template_has_an_inline_script_or_event_handler(self) -> None:
        html = self.assert_secure_headers("/transcripts/peres-weibo-test/")
        self.assertNotRegex(html, r"<script(?![^>]*\bsrc=)(?![^>]*application/(ld\+)?json)[^>]*>")
        self.assertNotRegex(html, r"\son[a-z]+=")
