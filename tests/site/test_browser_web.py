"""In a real Chromium: language addresses through the switcher, search-hit separators that stay
with their neighbours, and 404 pages that pass the main accessibility rules (axe's core checks)."""

from __future__ import annotations

from typing import Any

from archive.search import indexer
from tests.browser import BrowserTestCase
from tests.fixtures import CIVILIZATIONS_BRIEFING_EN, build_archive, import_document

# The main axe-core rules, checked by hand (axe itself is not vendored here): html-has-lang and
# valid-lang, document-title, page-has-heading-one, landmark-one-main, region (all content in
# landmarks), link-name, image-alt, duplicate-id.
ACCESSIBILITY_PROBLEMS = """
const problems = [];
const lang = document.documentElement.getAttribute('lang') || '';
if (!/^[a-z]{2,3}(-[A-Za-z0-9]+)*$/.test(lang)) problems.push('html-has-lang/valid-lang: ' + lang);
if (!document.title.trim()) problems.push('document-title');
if (document.querySelectorAll('h1').length !== 1) problems.push('page-has-heading-one');
if (document.querySelectorAll('main, [role=main]').length !== 1) problems.push('landmark-one-main');
const landmarks = 'header, main, footer, nav, aside, [role=banner], [role=main], [role=contentinfo], '
  + '[role=navigation], [role=search], [role=region]';
for (const node of document.body.children) {
  const visible = node.getClientRects().length > 0 && node.textContent.trim();
  if (visible && !node.matches(landmarks) && !node.matches('.skip-link, dialog, [role=status]')) {
    problems.push('region: ' + node.outerHTML.slice(0, 80));
  }
}
for (const a of document.querySelectorAll('a[href]')) {
  const name = (a.getAttribute('aria-label') || a.textContent || '').trim();
  if (!name) problems.push('link-name: ' + a.outerHTML.slice(0, 80));
}
for (const img of document.querySelectorAll('img:not([alt])')) problems.push('image-alt');
const ids = [...document.querySelectorAll('[id]')].map(e => e.id);
if (new Set(ids).size !== ids.length) problems.push('duplicate-id');
return problems;
"""

LONE_SEPARATORS = """
const lone = [];
for (const meta of document.querySelectorAll('.result__meta')) {
  // A text node directly in the flex container is a flex item of its own, free to wrap alone.
  for (const node of meta.childNodes) {
    if (node.nodeType === Node.TEXT_NODE && node.textContent.trim()) lone.push(node.textContent.trim());
  }
  // And where it wraps, each separator shares its line with what follows it.
  const walker = document.createTreeWalker(meta, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const text = walker.currentNode;
    const at = text.textContent.indexOf('·');
    if (at < 0) continue;
    const range = document.createRange();
    range.setStart(text, at);
    range.setEnd(text, at + 1);
    const dot = range.getBoundingClientRect();
    const next = text.nextElementSibling || text.parentElement.nextElementSibling;
    if (next && Math.abs(next.getClientRects()[0].top - dot.top) > dot.height) {
      lone.push('wrapped: ' + next.textContent);
    }
  }
}
return lone;
"""


class LanguageAddressBrowserTests(BrowserTestCase):
    def setUp(self) -> None:
        super().setUp()
        build_archive()

    def test_the_switcher_moves_the_reader_to_the_address_of_each_language_and_back(self) -> None:
        self.open("/speakers/")
        self.use_language("he")
        self.assertEqual(self.driver.current_url, f"{self.live_server_url}/he/speakers/")
        self.open("/topics/")  # the choice is remembered at bare addresses
        self.wait_for(lambda d: d.current_url == f"{self.live_server_url}/he/topics/")
        self.use_language("en")
        self.assertEqual(self.driver.current_url, f"{self.live_server_url}/topics/")
        self.assertEqual(self.js("return document.documentElement.lang"), "en")


class SearchHitSeparatorBrowserTests(BrowserTestCase):
    def setUp(self) -> None:
        super().setUp()
        build_archive()
        long_title = {**CIVILIZATIONS_BRIEFING_EN, "slug": "long-title", "title": "A press conference " * 12}
        import_document(long_title)
        indexer.rebuild()

    def test_separators_never_wrap_onto_a_line_of_their_own(self) -> None:
        for width in [1280, 360]:
            self.driver.set_window_size(width, 900)
            self.open("/search/?q=civilization")
            self.assertTrue(self.js("return document.querySelectorAll('.result__meta').length"))
            with self.subTest(width=width):
                self.assertEqual(self.js(LONE_SEPARATORS), [])


class ErrorPageBrowserTests(BrowserTestCase):
    def problems(self, path: str) -> Any:
        self.open(path)
        return self.js(ACCESSIBILITY_PROBLEMS)

    def test_404_pages_pass_the_main_accessibility_rules_in_every_direction(self) -> None:
        for path, lang, direction in [("/no-such-page/", "en", "ltr"), ("/he/no-such-page/", "he", "rtl")]:
            with self.subTest(path=path):
                self.assertEqual(self.problems(path), [])
                self.assertEqual(self.js("return document.documentElement.lang"), lang)
                self.assertEqual(self.js("return document.documentElement.dir"), direction)
                self.assertTrue(self.js("return !!document.querySelector('.site-header .site-name')"))
        self.screenshot("404-he")
