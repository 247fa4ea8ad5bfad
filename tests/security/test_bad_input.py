"""NUL bytes and invalid UTF-8 in a parameter, form field or path are a 400 with a reason, never a 500."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.test import TestCase

from tests.fixtures import document, import_document

PUBLIC_PAGES = [
    "/",
    "/search/",
    "/transcripts/",
    "/speakers/",
    "/topics/",
    "/transcripts/peres-weibo-test/",
    "/feed/",
    "/api/v1/transcripts/",
    "/api/v1/search/",
    "/api/v1/speakers/",
    "/admin/login/",
]
# As a client sends them on the wire (percent-encoded), and one raw NUL.
BAD_QUERIES = ["q=peres%00", "q=%FF%FE", "q=%C3%28", "language=%00en", "page=1%00", "%00=x", "q=\x00"]


class BadInputTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        import_document(document())
        User.objects.create_superuser("root", password="a-long-password-1")

    def test_every_public_page_answers_a_bad_query_parameter_with_400(self) -> None:
        for path in PUBLIC_PAGES:
            for query in BAD_QUERIES:
                with self.subTest(path=path, query=query):
                    response = self.client.get(path, QUERY_STRING=query)
                    self.assertEqual(response.status_code, 400)

    def test_good_parameters_in_any_script_still_pass(self) -> None:
        for query in [
            "q=%E4%BD%A0%E5%A5%BD",
            "q=%D7%A9%D7%9C%D7%95%D7%9D",
            "q=peres",
            "q=caf%C3%A9+%F0%9F%98%80",
        ]:
            with self.subTest(query=query):
                self.assertEqual(self.client.get("/search/", QUERY_STRING=query).status_code, 200)
                self.assertEqual(self.client.get("/api/v1/search/", QUERY_STRING=query).status_code, 200)

    def test_the_api_says_why_in_json(self) -> None:
        response = self.client.get("/api/v1/search/", QUERY_STRING="q=a%00b")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response["Content-Type"], "application/json")
        self.assertIn("NUL", response.json()["detail"])

    def test_a_page_says_why_in_text(self) -> None:
        response = self.client.get("/search/", QUERY_STRING="q=%FF")
        self.assertContains(response, "not UTF-8", status_code=400)

    def test_a_nul_byte_in_the_path_is_400(self) -> None:
        for path in [
            "/transcripts/peres%00/",
            "/speakers/a%00b/",
            "/api/v1/transcripts/x%00/",
            "/admin/%00/",
        ]:
            with self.subTest(path=path):
                self.assertEqual(self.client.get(path).status_code, 400)

    def test_invalid_utf8_in_the_path_is_a_404_not_a_500(self) -> None:
        # Django re-escapes such bytes (%FF stays "%FF"), so no page or slug matches.
        for path in ["/transcripts/%FF%FE/", "/speakers/%C3%28/", "/api/v1/transcripts/%FF/"]:
            with self.subTest(path=path):
                self.assertEqual(self.client.get(path).status_code, 404)

    def test_the_admin_login_form_with_a_nul_byte_or_broken_utf8_is_400(self) -> None:
        for body in [
            "username=root%00&password=x",
            "username=root&password=%FF%FE",
            "user%00name=root&password=x",
        ]:
            with self.subTest(body=body):
                response = self.client.post(
                    "/admin/login/", body, content_type="application/x-www-form-urlencoded"
                )
                self.assertEqual(response.status_code, 400)

    def test_a_multipart_form_field_with_a_nul_byte_is_400(self) -> None:
        response = self.client.post("/admin/login/", {"username": "root\x00", "password": "x"})
        self.assertEqual(response.status_code, 400)
