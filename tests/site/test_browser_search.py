"""The reader's journey in a real browser, search included: from a Chinese query to a hit, to its
place in the transcript, to its English original side by side, to a citation, without typing a URL."""

from __future__ import annotations

from archive.search import indexer
from tests.browser import BrowserTestCase
from tests.fixtures import build_archive


class SearchJourneyTests(BrowserTestCase):
    def setUp(self) -> None:
        super().setUp()
        build_archive()
        indexer.rebuild()

    def test_from_a_chinese_query_to_a_citation_of_the_english_original(self) -> None:
        from selenium.webdriver.common.by import By
        from selenium.webdriver.common.keys import Keys

        self.open("/")
        self.use_language("zh-hans")
        box = self.driver.find_element(By.ID, "home-q")
        box.send_keys("文明对话")
        box.send_keys(Keys.ENTER)
        self.wait_for(lambda d: "/search/" in d.current_url)
        marked = self.driver.find_elements(By.CSS_SELECTOR, ".result__text mark")
        self.assertTrue(marked)
        self.assertIn("文明", marked[0].text)
        self.screenshot("search-zh")

        # The hit in the Chinese text leads to its place in the transcript.
        result = next(
            r
            for r in self.driver.find_elements(By.CSS_SELECTOR, ".result")
            if "mfa-briefing-2026-06-10-zh/#turn-"
            in r.find_element(By.CSS_SELECTOR, ".result__open").get_attribute("href")
        )
        result.find_element(By.CSS_SELECTOR, ".result__open").click()
        self.wait_for(lambda d: "/transcripts/mfa-briefing-2026-06-10-zh/#turn-" in d.current_url)
        anchor = self.driver.current_url.rsplit("#", 1)[1]
        turn = self.driver.find_element(By.ID, anchor)
        self.assertTrue(self.js("return arguments[0].matches(':target')", turn))

        # From that turn, its English original side by side.
        english = turn.find_element(By.CSS_SELECTOR, ".turn__versions a.compare-link")
        self.js("arguments[0].scrollIntoView({block: 'center'})", english)
        english.click()
        self.wait_for(lambda d: "compare=mfa-briefing-2026-06-10" in d.current_url)
        self.wait_for(lambda d: d.current_url.endswith("#" + anchor))
        row = self.driver.find_element(By.ID, anchor).find_element(By.XPATH, "ancestor::tr")
        cells = row.find_elements(By.TAG_NAME, "td")
        self.assertEqual(cells[1].find_element(By.CSS_SELECTOR, ".turn__text").get_attribute("lang"), "en")
        self.assertIn("Civilization", cells[1].text)
        self.screenshot("journey-side-by-side-zh-en")

        # And a citation of that turn.
        cells[0].find_element(By.CSS_SELECTOR, ".cite-link").click()
        self.wait_for(lambda d: d.execute_script("return document.getElementById('cite-dialog').open"))
        bibtex = self.driver.find_element(By.CSS_SELECTOR, "#cite-dialog #cite-bibtex").get_attribute("value")
        self.assertIn(f"mfa-briefing-2026-06-10-zh/#{anchor}", bibtex)
        self.assertIn("language = {zh-Hans}", bibtex)
        self.screenshot("journey-citation-zh")
