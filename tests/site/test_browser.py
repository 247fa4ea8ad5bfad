"""What depends on a real browser: layout direction, the version switch, side by side, copying
a citation, visible keyboard focus, phone width. Screenshots land in var/screenshots/."""

from __future__ import annotations

from archive.search import indexer
from tests.browser import SCREENSHOTS, BrowserTestCase
from tests.fixtures import build_archive, import_document, long_document, long_translation

LONG = "/transcripts/long-session/"
LONG_ZH = "/transcripts/long-session-zh/"


class BrowserPagesTests(BrowserTestCase):
    def setUp(self) -> None:
        super().setUp()
        build_archive(with_drafts=False)
        original = long_document(60, slug="long-session")
        import_document(original)
        import_document(long_translation(original, slug="long-session-zh"))

    def direction(self, selector: str) -> str:
        return self.js("return getComputedStyle(document.querySelector(arguments[0])).direction", selector)

    def box(self, selector: str) -> dict[str, float]:
        return self.js(
            "const r = document.querySelector(arguments[0]).getBoundingClientRect();"
            "return {left: r.left, right: r.right, top: r.top, bottom: r.bottom};",
            selector,
        )

    def test_a_hebrew_interface_is_laid_out_right_to_left(self) -> None:
        self.open("/transcripts/mfa-briefing-2026-06-10/")
        self.assertEqual(self.direction("html"), "ltr")
        english_name = self.box(".site-name")
        self.use_language("he")
        self.assertEqual(self.js("return document.documentElement.getAttribute('dir')"), "rtl")
        self.assertEqual(self.direction("body"), "rtl")
        self.assertEqual(self.direction("main"), "rtl")
        # The layout mirrors: the site name moves from the left edge to the right one.
        hebrew_name = self.box(".site-name")
        self.assertLess(english_name["left"], 200)
        self.assertGreater(hebrew_name["right"], 1280 - 200)
        # An English turn still reads left to right inside the Hebrew page.
        self.assertEqual(self.direction("#turn-3 .turn__text"), "ltr")
        self.screenshot("transcript-en-turns-in-hebrew-ui")

    def test_a_hebrew_turn_reads_right_to_left_in_an_english_page(self) -> None:
        self.open("/transcripts/knesset-arrangements-committee/")
        self.assertEqual(self.direction("html"), "ltr")
        self.assertEqual(self.direction("#turn-2 .turn__text"), "rtl")
        self.assertEqual(self.direction("#turn-4 .turn__text"), "ltr")  # the English closing line
        text = self.box("#turn-2 .turn__text p")
        article = self.box("#turn-2")
        # Right-aligned: the Hebrew line starts at the right edge of its turn.
        self.assertGreater(
            self.js("return document.querySelector('#turn-2 .turn__text p').getClientRects()[0].right"),
            article["right"] - 5,
        )
        self.assertGreater(text["right"], text["left"])

    def test_the_version_switch_and_each_turns_links_keep_the_readers_place(self) -> None:
        from selenium.webdriver.common.by import By

        self.open(LONG)
        self.driver.find_element(By.CSS_SELECTOR, f'.version-switch a[href="{LONG_ZH}"]').click()
        self.wait_for(lambda d: d.current_url.endswith(LONG_ZH))
        self.assertEqual(self.js("return document.documentElement.lang"), "en")
        self.assertEqual(self.js("return document.querySelector('#turn-1 .turn__text').lang"), "zh-Hans")
        # Deep in the text, a turn's own link leads to the same turn in the other version, in view.
        link = self.driver.find_element(By.CSS_SELECTOR, "#turn-41 .turn__versions a")
        self.js("arguments[0].scrollIntoView()", link)
        link.click()
        self.wait_for(lambda d: d.current_url.endswith(LONG + "#turn-41"))
        top = self.box("#turn-41")["top"]
        self.assertGreaterEqual(top, -5)
        self.assertLess(top, 300)
        self.assertIn("Question 41", self.driver.find_element(By.ID, "turn-41").text)

    def test_each_turn_links_to_its_translation_and_side_by_side_aligns_them(self) -> None:
        from selenium.webdriver.common.by import By

        self.open(LONG)
        self.driver.find_element(By.CSS_SELECTOR, "#turn-7 .turn__versions a").click()
        self.wait_for(lambda d: d.current_url.endswith(LONG_ZH + "#turn-7"))
        self.driver.find_element(By.LINK_TEXT, "English").click()  # "Side by side with: English"
        self.wait_for(lambda d: "compare=long-session" in d.current_url)
        rows = self.js(
            "return [...document.querySelectorAll('.parallel__row')].map(row => {"
            " const cells = row.querySelectorAll('td');"
            " return [cells[0].getBoundingClientRect().top, cells[1].getBoundingClientRect().top,"
            "         cells[0].innerText, cells[1].innerText]; });"
        )
        self.assertEqual(len(rows), 60)
        for number, (left_top, right_top, left, right) in enumerate(rows, start=1):
            self.assertAlmostEqual(left_top, right_top, delta=1)
            self.assertIn(f"第{number}段", left)  # the Chinese translation on the left...
            self.assertIn(f" {number}", right)  # ...its English original beside it
        left = self.box("#turn-7")
        right = self.box("#compare-turn-7")
        self.assertAlmostEqual(left["top"], right["top"], delta=1)
        self.assertLess(left["right"], right["left"] + 1)
        self.screenshot("side-by-side-zh-en")

    def test_the_cite_control_opens_a_citation_and_copies_it(self) -> None:
        from selenium.webdriver.common.by import By

        self.driver.execute_cdp_cmd(
            "Browser.grantPermissions",
            {
                "origin": self.live_server_url,
                "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"],
            },
        )
        self.open("/transcripts/mfa-briefing-2026-06-10/")
        self.driver.find_element(By.CSS_SELECTOR, "#turn-5 .cite-link").click()
        self.wait_for(lambda d: d.execute_script("return document.getElementById('cite-dialog').open"))
        bibtex = self.driver.find_element(By.CSS_SELECTOR, "#cite-dialog #cite-bibtex").get_attribute("value")
        self.assertTrue(bibtex.startswith("@misc{mfa-briefing-2026-06-10-turn-5,"))
        button = self.driver.find_element(By.CSS_SELECTOR, '#cite-dialog button[data-copy="cite-bibtex"]')
        self.assertTrue(button.is_displayed())
        self.assertEqual(
            self.driver.switch_to.active_element,
            self.driver.find_element(By.CSS_SELECTOR, '#cite-dialog button[data-copy="cite-permalink"]'),
        )
        button.click()
        self.wait_for(lambda d: d.find_element(By.CSS_SELECTOR, ".copy-status").get_attribute("textContent"))
        self.assertEqual(
            self.driver.find_element(By.CSS_SELECTOR, ".copy-status").get_attribute("textContent"),
            "Copied to the clipboard.",
        )
        clipboard = self.driver.execute_async_script(
            "const done = arguments[0]; navigator.clipboard.readText().then(done, e => done('ERROR ' + e));"
        )
        self.assertEqual(clipboard, bibtex)
        self.screenshot("cite-dialog")
        # Escape closes the dialog and focus returns to the link that opened it.
        from selenium.webdriver.common.keys import Keys

        self.driver.switch_to.active_element.send_keys(Keys.ESCAPE)
        self.wait_for(lambda d: not d.execute_script("return document.getElementById('cite-dialog').open"))
        self.assertEqual(self.driver.switch_to.active_element.get_attribute("class"), "cite-link")

    def test_keyboard_focus_is_visible(self) -> None:
        from selenium.webdriver.common.action_chains import ActionChains
        from selenium.webdriver.common.keys import Keys

        self.open("/")
        ActionChains(self.driver).send_keys(Keys.TAB).perform()
        focused = self.driver.switch_to.active_element
        self.assertEqual(focused.get_attribute("class"), "skip-link")
        self.assertTrue(focused.is_displayed())
        self.assertGreaterEqual(focused.rect["y"], 0)
        ActionChains(self.driver).send_keys(Keys.ENTER).perform()
        self.wait_for(lambda d: d.switch_to.active_element.get_attribute("id") == "main")
        # Every focusable control shows a visible outline when reached by keyboard.
        for _ in range(6):
            ActionChains(self.driver).send_keys(Keys.TAB).perform()
            style = self.js(
                "const s = getComputedStyle(document.activeElement);"
                "return [s.outlineStyle, parseFloat(s.outlineWidth), s.outlineColor,"
                " document.activeElement.tagName];"
            )
            self.assertNotEqual(style[0], "none", style)
            self.assertGreaterEqual(style[1], 2, style)
        self.screenshot("keyboard-focus")

    def test_phone_width_has_no_horizontal_scroll(self) -> None:
        self.driver.set_window_size(375, 812)
        width = self.js("return window.innerWidth")
        self.assertLessEqual(width, 400)
        pages = [
            "/",
            "/transcripts/",
            "/transcripts/mfa-briefing-2026-06-10/",
            "/transcripts/mfa-briefing-2026-06-10/?compare=mfa-briefing-2026-06-10-zh",
            "/transcripts/mfa-briefing-2026-06-10/cite/3/",
            "/speakers/",
            "/speakers/lin-jian/",
            "/topics/",
            "/topics/diplomacy/",
            "/search/",
            "/search/?q=%E6%96%87%E6%98%8E",
            "/search/?q=restraint&language=en",
        ]
        indexer.rebuild()
        for language in ["en", "he"]:
            if language != "en":
                self.use_language(language)
            for page in pages:
                self.open(page)
                overflow = self.js("return document.documentElement.scrollWidth - window.innerWidth")
                self.assertLessEqual(overflow, 0, f"{page} in {language} scrolls sideways by {overflow}px")
        self.open("/transcripts/mfa-briefing-2026-06-10/")
        self.screenshot("phone-transcript-he")

    def test_screenshots_of_the_main_pages_in_english_chinese_and_hebrew(self) -> None:
        pages = {
            "home": "/",
            "transcripts": "/transcripts/",
            "transcript": "/transcripts/mfa-briefing-2026-06-10/",
            "side-by-side": "/transcripts/mfa-briefing-2026-06-10/?compare=mfa-briefing-2026-06-10-he",
            "speaker": "/speakers/lin-jian/",
            "topic": "/topics/diplomacy/",
            "search": "/search/?q=%E6%96%87%E6%98%8E+OR+restraint+OR+%D7%90%D7%99%D7%A4%D7%95%D7%A7",
        }
        indexer.rebuild()
        for language in ["en", "zh-hans", "he"]:
            self.use_language(language)
            for name, page in pages.items():
                self.open(page)
                path = self.screenshot(f"{name}-{language}")
                self.assertGreater(path.stat().st_size, 10_000)
                self.assertEqual(path.read_bytes()[:8], b"\x89PNG\r\n\x1a\n")
        self.assertTrue((SCREENSHOTS / "transcript-he.png").exists())
