"""The interface in five languages, right to left included, and names in the reader's language."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.test import TestCase
from django.utils import translation

from archive.languages import bcp47, language_name, localized, text_direction
from tests.fixtures import build_archive

KNESSET = "/transcripts/knesset-arrangements-committee/"
EN = "/transcripts/mfa-briefing-2026-06-10/"


def html_tag(content: str) -> str:
    return re.search(r"<html[^>]*>", content).group(0)  # type: ignore[union-attr]


class InterfaceLanguageTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        build_archive()

    def test_accept_language_picks_the_interface_language_at_first(self) -> None:
        expectations = {
            "en": ("Transcripts", 'lang="en" dir="ltr"'),
            "zh-CN,zh;q=0.9": ("记录", 'lang="zh-Hans" dir="ltr"'),
            "he-IL,he;q=0.9,en;q=0.5": ("תמלילים", 'lang="he" dir="rtl"'),
            "es-MX,es;q=0.9": ("Transcripciones", 'lang="es" dir="ltr"'),
            "ar-EG,ar;q=0.9": ("النصوص", 'lang="ar" dir="rtl"'),
        }
        for header, (word, attributes) in expectations.items():
            with self.subTest(header=header):
                response = self.client.get("/transcripts/", HTTP_ACCEPT_LANGUAGE=header, follow=True)
                content = response.content.decode()
                self.assertIn(attributes, html_tag(content))
                self.assertIn(f"<h1>{word}</h1>", content)

    def test_the_switcher_remembers_the_choice_over_accept_language(self) -> None:
        response = self.client.post("/i18n/setlang/", {"language": "he", "next": "/speakers/?page=2"})
        self.assertRedirects(response, "/he/speakers/?page=2", fetch_redirect_response=False)
        cookie = self.client.cookies[settings.LANGUAGE_COOKIE_NAME]
        self.assertEqual(cookie.value, "he")
        self.assertEqual(cookie["max-age"], 365 * 24 * 60 * 60)  # remembered, not just for the session
        # The cookie is honoured at the bare address too, over the browser's language.
        response = self.client.get("/speakers/", HTTP_ACCEPT_LANGUAGE="es")
        self.assertRedirects(response, "/he/speakers/", fetch_redirect_response=False)
        content = self.client.get("/he/speakers/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
        self.assertIn('dir="rtl"', html_tag(content))
        self.assertIn("<h1>דוברים</h1>", content)
        # Back to English: the bare address, and it stays there.
        response = self.client.post("/i18n/setlang/", {"language": "en", "next": "/speakers/"})
        self.assertRedirects(response, "/speakers/", fetch_redirect_response=False)
        self.assertEqual(self.client.get("/speakers/", HTTP_ACCEPT_LANGUAGE="he").status_code, 200)

    def test_every_page_offers_the_switcher_with_the_current_language_selected(self) -> None:
        content = self.client.get("/ar/topics/?page=1").content.decode()
        self.assertIn('action="/i18n/setlang/"', content)
        self.assertIn('<option value="ar" lang="ar" selected>', content)
        # The switcher sends the page's default-language address, which it translates.
        self.assertIn('<input type="hidden" name="next" value="/topics/?page=1">', content)
        for code, _name in settings.LANGUAGES:
            self.assertIn(f'<option value="{code}"', content)

    def test_each_interface_language_has_its_own_address(self) -> None:
        for prefix, word in [
            ("", "Transcripts"),
            ("/zh-hans", "记录"),
            ("/he", "תמלילים"),
            ("/ar", "النصوص"),
        ]:
            with self.subTest(prefix=prefix):
                response = self.client.get(f"{prefix}/transcripts/")
                self.assertEqual(response.status_code, 200)
                self.assertIn(f"<h1>{word}</h1>", response.content.decode())
                self.assertEqual(response["Content-Language"], prefix.strip("/") or "en")
        # English, the default, has no prefix; a prefixed address ignores the browser's language.
        self.assertEqual(self.client.get("/en/transcripts/").status_code, 404)
        content = self.client.get("/he/transcripts/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
        self.assertIn("<h1>תמלילים</h1>", content)
        # Links stay in the page's language.
        self.assertIn('href="/he/speakers/"', content)

    def test_a_bare_address_sends_a_reader_whose_browser_asks_for_another_language_there(self) -> None:
        response = self.client.get("/transcripts/?page=2", HTTP_ACCEPT_LANGUAGE="he-IL,he;q=0.9")
        self.assertRedirects(response, "/he/transcripts/?page=2", fetch_redirect_response=False)
        self.assertIn("Accept-Language", response["Vary"])
        self.assertIn("Cookie", response["Vary"])
        self.assertEqual(self.client.get("/transcripts/", HTTP_ACCEPT_LANGUAGE="en").status_code, 200)
        self.assertEqual(self.client.get("/transcripts/").status_code, 200)  # crawlers: English

    def test_the_api_feed_sitemap_and_admin_keep_one_address(self) -> None:
        for url in ["/api/v1/transcripts/", "/feed/", "/sitemap.xml"]:
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url, HTTP_ACCEPT_LANGUAGE="he").status_code, 200)
                self.assertEqual(self.client.get(f"/he{url}").status_code, 404)
        self.assertEqual(self.client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="he").status_code, 200)

    def test_links_in_the_api_and_the_feed_are_the_bare_addresses_in_every_language(self) -> None:
        page = "http://testserver/transcripts/mfa-briefing-2026-06-10/"
        for header in ["en", "he", "zh-CN"]:
            with self.subTest(header=header):
                api = self.client.get(
                    "/api/v1/transcripts/mfa-briefing-2026-06-10/", HTTP_ACCEPT_LANGUAGE=header
                )
                self.assertEqual(api.json()["html_url"], page)
                feed = self.client.get("/feed/", HTTP_ACCEPT_LANGUAGE=header).content.decode()
                self.assertIn(f'<link href="{page}" rel="alternate"/>', feed)
                self.assertNotIn("http://testserver/he/", feed)

    def test_every_page_lists_its_alternates_and_its_canonical_address(self) -> None:
        content = self.client.get("/he/transcripts/?compare=x&page=1").content.decode()
        head = content[: content.index("</head>")]
        self.assertIn('<link rel="canonical" href="http://testserver/he/transcripts/?page=1">', head)
        for hreflang, href in [
            ("en", "/transcripts/"),
            ("zh-Hans", "/zh-hans/transcripts/"),
            ("he", "/he/transcripts/"),
            ("es", "/es/transcripts/"),
            ("ar", "/ar/transcripts/"),
            ("x-default", "/transcripts/"),
        ]:
            self.assertIn(
                f'<link rel="alternate" hreflang="{hreflang}" href="http://testserver{href}?page=1">', head
            )

    def test_every_interface_string_is_translated_in_each_catalogue(self) -> None:
        for code in ["zh_Hans", "he", "es", "ar"]:
            po = (Path(settings.BASE_DIR) / "locale" / code / "LC_MESSAGES" / "django.po").read_text("utf-8")
            mo = po.replace(".po", ".mo")
            self.assertTrue(
                (Path(settings.BASE_DIR) / "locale" / code / "LC_MESSAGES" / "django.mo").exists()
            )
            entries = po.split("\n\n")[1:]
            # An empty msgstr line followed by quoted lines is a translation written over several lines.
            untranslated = [
                e for e in entries if re.search(r'^msgstr(\[\d\])? ""$(?!\n")', e, re.M) and "#~" not in e
            ]
            self.assertEqual(untranslated, [], f"{code}: untranslated entries")
            self.assertNotIn("#, fuzzy", po, mo)

    def test_dates_and_counts_follow_the_interface_language(self) -> None:
        content = self.client.get(f"/zh-hans{EN}").content.decode()
        self.assertIn("2026年6月10日", content)
        content = self.client.get("/es/").content.decode()
        self.assertIn("6 transcripciones", content)


class RightToLeftTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        build_archive()

    def test_every_turn_carries_its_own_language_and_direction(self) -> None:
        content = self.client.get(KNESSET).content.decode()  # an English interface
        self.assertIn('<html lang="en" dir="ltr">', content)
        texts = re.findall(r'<div class="turn__text" lang="([^"]+)" dir="([^"]+)">', content)
        # Three Hebrew turns read right to left; the closing line in English left to right.
        self.assertEqual(texts, [("he", "rtl"), ("he", "rtl"), ("he", "rtl"), ("en", "ltr")])

    def test_an_english_turn_reads_left_to_right_inside_a_hebrew_page(self) -> None:
        content = self.client.get(f"/he{EN}").content.decode()
        self.assertIn('<html lang="he" dir="rtl">', content)
        self.assertEqual(set(re.findall(r'<div class="turn__text" lang="en" dir="(\w+)">', content)), {"ltr"})

    def test_mixed_direction_text_is_isolated(self) -> None:
        content = self.client.get(KNESSET, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        # Titles in the transcript's own language and direction, isolated from the page's.
        self.assertIn('<span lang="he" dir="rtl">הוועדה המסדרת: ישיבה</span>', content)
        # Speaker names (Latin or Hebrew) in <bdi>, so punctuation around them stays put.
        self.assertIn("<bdi>Yoav Kish</bdi>", content)
        # Search boxes let the browser pick the direction of what is typed.
        home = self.client.get("/").content.decode()
        self.assertIn('name="q" dir="auto"', home)

    def test_direction_comes_from_the_language_or_its_script(self) -> None:
        self.assertEqual(text_direction("he"), "rtl")
        self.assertEqual(text_direction("ar-EG"), "rtl")
        self.assertEqual(text_direction("fa"), "rtl")
        self.assertEqual(text_direction("zh-Hans"), "ltr")
        self.assertEqual(text_direction("az-Arab"), "rtl")
        self.assertEqual(text_direction("ku-Latn"), "ltr")
        self.assertEqual(text_direction(""), "ltr")


class NamesInTheReadersLanguageTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        build_archive()

    def test_speaker_names_follow_the_reader(self) -> None:
        zh = self.client.get(f"/zh-hans{EN}").content.decode()
        self.assertIn('<a class="turn__speaker" href="/zh-hans/speakers/lin-jian/"><bdi>林剑</bdi></a>', zh)
        he = self.client.get(f"/he{EN}").content.decode()
        self.assertIn("<bdi>לין ג&#x27;יאן</bdi>", he)
        # No Spanish name in the archive: the display name, never an empty link.
        es = self.client.get(f"/es{EN}").content.decode()
        self.assertIn('<a class="turn__speaker" href="/es/speakers/lin-jian/"><bdi>Lin Jian</bdi></a>', es)

    def test_topic_labels_follow_the_reader(self) -> None:
        for prefix, label in [
            ("", "Diplomacy"),
            ("/zh-hans", "外交"),
            ("/he", "דיפלומטיה"),
            ("/ar", "الدبلوماسية"),
        ]:
            content = self.client.get(f"{prefix}/topics/").content.decode()
            self.assertIn(f'<a href="{prefix}/topics/diplomacy/"><bdi>{label}</bdi></a>', content)
        # No Arabic label for the Middle East: English, rather than nothing.
        content = self.client.get("/ar/topics/").content.decode()
        self.assertIn("<bdi>Middle East</bdi>", content)

    def test_language_names_are_in_the_readers_language(self) -> None:
        with translation.override("he"):
            self.assertEqual(language_name("zh-Hans"), "סינית פשוטה")
            self.assertEqual(language_name("zh-CN"), "סינית פשוטה")
        with translation.override("es"):
            self.assertEqual(language_name("ja"), "Japonés")
        self.assertEqual(language_name("tlh"), "tlh")  # unknown: the tag, not a guess

    def test_localized_values_match_tags_case_insensitively_then_by_base_language(self) -> None:
        names = {"zh-Hans": "林剑", "he": "לין"}
        self.assertEqual(localized(names, "zh-hans"), "林剑")
        self.assertEqual(localized(names, "zh"), "林剑")
        self.assertEqual(localized(names, "he-IL"), "לין")
        self.assertIsNone(localized(names, "es"))
        self.assertEqual(bcp47("zh-hans"), "zh-Hans")
