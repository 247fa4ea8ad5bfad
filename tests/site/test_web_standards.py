"""What browsers, link previews and search engines read: head tags, compression, favicon, error pages."""

from __future__ import annotations

import gzip
import re
from typing import Any

from django.conf.urls.i18n import i18n_patterns
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.test import RequestFactory, TestCase, override_settings
from django.urls import path
from django.utils import translation

from archive.views.errors import server_error
from config import urls as config_urls
from tests.api.helpers import make_user
from tests.fixtures import build_archive

EN = "/transcripts/mfa-briefing-2026-06-10/"


def broken(request: Any) -> Any:
    raise RuntimeError("a page that fails")


# The site's addresses plus one page that fails (ROOT_URLCONF of the 500 test).
urlpatterns = [
    *config_urls.urlpatterns,
    *i18n_patterns(path("broken/", broken), prefix_default_language=False),
]
handler500 = config_urls.handler500


def head_of(content: str) -> str:
    return content[: content.index("</head>")]


def meta(head: str, key: str) -> str:
    found = re.search(rf'<meta (?:name|property)="{re.escape(key)}" content="([^"]*)">', head)
    assert found, f"no {key} in the head"
    return found.group(1)


class HeadTagsTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        build_archive()

    def test_every_page_kind_has_a_description_a_canonical_link_and_open_graph(self) -> None:
        for url in [
            "/",
            "/transcripts/",
            EN,
            f"{EN}cite/3/",
            "/speakers/lin-jian/",
            "/topics/diplomacy/",
            "/search/",
        ]:
            with self.subTest(url=url):
                head = head_of(self.client.get(url).content.decode())
                self.assertTrue(meta(head, "description"))
                self.assertIn(f'<link rel="canonical" href="http://testserver{url}">', head)
                for key in ["og:title", "og:description", "og:type", "og:site_name"]:
                    self.assertTrue(meta(head, key), key)
                self.assertEqual(meta(head, "og:url"), f"http://testserver{url}")

    def test_a_transcript_shows_its_title_and_summary_to_link_previews(self) -> None:
        head = head_of(self.client.get(f"/he{EN}").content.decode())
        self.assertEqual(meta(head, "og:type"), "article")
        self.assertEqual(meta(head, "og:title"), "Foreign Ministry regular press conference")
        self.assertIn("2026-06-10", meta(head, "og:description"))
        self.assertEqual(meta(head, "og:url"), f"http://testserver/he{EN}")

    def test_a_turns_own_page_shows_its_words_to_link_previews(self) -> None:
        head = head_of(self.client.get(f"{EN}cite/3/").content.decode())
        self.assertEqual(meta(head, "og:type"), "article")
        self.assertIn("Lin Jian", meta(head, "og:title"))
        self.assertIn("#3", meta(head, "og:title"))
        words = "Three years ago, President Xi put forth the Global Civilization Initiative."
        self.assertTrue(meta(head, "og:description").startswith(words))
        self.assertTrue(meta(head, "description").startswith(words))

    def test_the_side_by_side_view_names_the_transcript_as_canonical(self) -> None:
        head = head_of(self.client.get(EN, {"compare": "mfa-briefing-2026-06-10-zh"}).content.decode())
        self.assertIn(f'<link rel="canonical" href="http://testserver{EN}">', head)


class CompressionTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        build_archive()

    def test_pages_and_json_are_served_gzipped_to_clients_that_accept_it(self) -> None:
        for url in [EN, "/api/v1/transcripts/mfa-briefing-2026-06-10/"]:
            with self.subTest(url=url):
                plain = self.client.get(url)
                packed = self.client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
                self.assertEqual(packed["Content-Encoding"], "gzip")
                self.assertIn("Accept-Encoding", packed["Vary"])
                self.assertLess(len(packed.content), len(plain.content))
                body = gzip.decompress(packed.content)
                # The same page (the CSRF token of the language switch is masked afresh each time).
                mask = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')
                self.assertEqual(mask.sub(b"", body), mask.sub(b"", plain.content))

    def test_byte_ranges_and_binary_files_are_left_as_they_are(self) -> None:
        from config.compression import PublicGZipMiddleware

        request = RequestFactory().get("/recording.mp3", HTTP_ACCEPT_ENCODING="gzip")
        body = b"x" * 5000
        for status, content_type in [(206, "text/plain"), (200, "audio/mpeg"), (200, "image/png")]:
            with self.subTest(status=status, content_type=content_type):
                answer = HttpResponse(body, status=status, content_type=content_type)
                response = PublicGZipMiddleware(lambda r, answer=answer: answer)(request)
                assert isinstance(response, HttpResponse)  # the middleware's synchronous path
                self.assertNotIn("Content-Encoding", response)
                self.assertEqual(response.content, body)

    def test_the_admin_is_never_compressed(self) -> None:
        self.client.force_login(make_user("staff-reader"))
        response = self.client.get("/admin/login/", HTTP_ACCEPT_ENCODING="gzip")
        self.assertNotIn("Content-Encoding", response)


class FaviconTests(TestCase):
    def test_the_icon_is_linked_from_every_page_and_served_at_favicon_ico(self) -> None:
        head = head_of(self.client.get("/").content.decode())
        self.assertIn('<link rel="icon" href="/static/archive/favicon.svg" type="image/svg+xml">', head)
        response = self.client.get("/favicon.ico")
        self.assertEqual(response.status_code, 301)
        self.assertEqual(response["Location"], "/static/archive/favicon.svg")
        self.assertIsNotNone(finders.find("archive/favicon.svg"))


class ErrorPageTests(TestCase):
    def test_a_missing_page_is_a_404_in_the_sites_look_and_the_readers_language(self) -> None:
        for url, headers, lang, title in [
            ("/no-such-page/", {}, "en", "Page not found"),
            ("/he/no-such-page/", {}, "he", "הדף לא נמצא"),
            ("/transcripts/no-such-transcript/", {}, "en", "Page not found"),
            # An unknown bare address has no language of its own: the reader's.
            ("/no-such-page/", {"Accept-Language": "es"}, "es", "Página no encontrada"),
        ]:
            with self.subTest(url=url, headers=headers):
                response = self.client.get(url, headers=headers)
                self.assertEqual(response.status_code, 404)
                content = response.content.decode()
                self.assertIn(f'<html lang="{lang}"', content)
                self.assertIn(f"<h1>{title}</h1>", content)
                self.assertIn('class="site-header"', content)
                self.assertIn('<main id="main"', content)
                self.assertNotIn('rel="canonical"', content)

    @override_settings(ROOT_URLCONF="tests.site.test_web_standards")
    def test_a_failing_page_answers_the_sites_500_page(self) -> None:
        self.client.raise_request_exception = False
        response = self.client.get("/he/broken/")
        self.assertEqual(response.status_code, 500)
        content = response.content.decode()
        self.assertIn('<html lang="he" dir="rtl"', content)
        self.assertIn("<h1>משהו השתבש</h1>", content)

    def test_a_server_error_is_a_500_in_the_sites_look_and_the_readers_language(self) -> None:
        with translation.override("ar"):
            response = server_error(RequestFactory().get("/ar/transcripts/"))
        self.assertEqual(response.status_code, 500)
        content = response.content.decode()
        self.assertIn('<html lang="ar" dir="rtl"', content)
        self.assertIn('class="site-header"', content)
        self.assertIn("<h1>حدث خطأ ما</h1>", content)
