"""The transcript page's player in a real headless Chromium, with a real recording (a WAV the
test writes): play controls, the highlighted turn following playback, #t= and ?t=, a Hebrew
caption track shown right to left, range requests, and no CSP violation."""

from __future__ import annotations

from typing import Any

from django.contrib.staticfiles.handlers import StaticFilesHandler

from archive.models import Recording
from tests.browser import BrowserTestCase
from tests.fixtures import document
from tests.security.test_browser_csp import RECORD_VIOLATIONS
from tests.test_recordings import store_recording, wav_bytes

# Four turns of 1.5 s each over a 6-second recording; the Hebrew translation has no times of
# its own and takes those of the original's turns.
TIMES = [(0.0, 1.5), (1.5, 3.0), (3.0, 4.5), (4.5, 6.0)]
ORIGINAL: dict[str, Any] = {
    "slug": "player-session",
    "title": "A short recorded session",
    "date": "2024-03-05",
    "language": "en",
    "speakers": [{"name": "Reporter"}, {"name": "Minister"}],
    "turns": [
        {
            "speaker": "Reporter" if n % 2 else "Minister",
            "kind": "question" if n % 2 else "answer",
            "text": f"Turn number {n} of the session.",
            "start": start,
            "end": end,
        }
        for n, (start, end) in enumerate(TIMES, start=1)
    ],
}
HEBREW: dict[str, Any] = {
    "slug": "player-session-he",
    "title": "ישיבה קצרה מוקלטת",
    "language": "he",
    "translation_of": "player-session",
    "speakers": [{"name": "כתב"}, {"name": "שר"}],
    "turns": [
        {"speaker": "כתב" if n % 2 else "שר", "text": f"תור מספר {n} של הישיבה.", "original": n}
        for n in range(1, 5)
    ],
}
PAGE = "/transcripts/player-session/"


def _without_media_shortcut(application: Any) -> StaticFilesHandler:
    """Django's live test server answers MEDIA_URL itself (without range requests) before any
    view; unwrapped, /media/ reaches the archive's own view, as in production."""
    return StaticFilesHandler(getattr(application, "application", application))


class PlayerBrowserTests(BrowserTestCase):
    extra_arguments = ("--autoplay-policy=no-user-gesture-required", "--mute-audio")
    static_handler = staticmethod(_without_media_shortcut)

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD_VIOLATIONS})

    def setUp(self) -> None:
        super().setUp()
        from tests.fixtures import import_document

        name = store_recording("recordings/player-session.wav", wav_bytes(seconds=6.0))
        original = import_document(document(ORIGINAL))
        Recording.objects.create(transcript=original, file=name, type="audio/wav", label="Full session")
        import_document(document(HEBREW))
        self.media_url = f"/media/{name}"

    def open_player(self, path: str = PAGE) -> None:
        self.open(path)
        self.wait_for(
            lambda d: d.execute_script("return document.getElementById('player-media').readyState >= 1")
        )

    def current_time(self) -> float:
        return float(self.js("return document.getElementById('player-media').currentTime"))

    def current_turns(self) -> list[str]:
        return list(self.js("return [...document.querySelectorAll('.is-current')].map(e => e.id)"))

    def test_clicking_a_turns_play_control_moves_the_recording_to_its_start(self) -> None:
        from selenium.webdriver.common.by import By

        self.open_player()
        self.driver.find_element(By.CSS_SELECTOR, "#turn-3 .turn__play").click()
        self.wait_for(lambda d: self.current_time() >= 3.0)
        self.assertLess(self.current_time(), 4.5)
        self.assertIn("turn-3", self.current_turns())
        self.assertEqual(
            self.js("return document.getElementById('turn-3').getAttribute('aria-current')"), "time"
        )

    def test_the_play_control_works_from_the_keyboard(self) -> None:
        from selenium.webdriver.common.by import By
        from selenium.webdriver.common.keys import Keys

        self.open_player()
        self.driver.find_element(By.CSS_SELECTOR, "#turn-4 .turn__play").send_keys(Keys.ENTER)
        self.wait_for(lambda d: self.current_time() >= 4.5)
        self.assertIn("turn-4", self.current_turns())

    def test_during_playback_the_highlighted_turn_follows_the_recording(self) -> None:
        from selenium.webdriver.common.by import By

        self.open_player()
        self.driver.find_element(By.CSS_SELECTOR, "#turn-1 .turn__play").click()
        self.wait_for(lambda d: "turn-1" in self.current_turns())
        # Playing on by itself, timeupdate moves the highlight to turn 2, then turn 3.
        self.wait_for(lambda d: self.current_turns() == ["turn-2"], timeout=8)
        self.assertFalse(self.js("return document.getElementById('player-media').paused"))
        self.wait_for(lambda d: self.current_turns() == ["turn-3"], timeout=8)
        self.assertGreaterEqual(self.current_time(), 3.0)

    def test_a_time_in_the_fragment_starts_playback_there(self) -> None:
        self.open_player(f"{PAGE}#t=4.6")
        self.wait_for(lambda d: self.current_time() >= 4.6)
        self.assertIn("turn-4", self.current_turns())

    def test_a_time_in_the_query_starts_playback_there(self) -> None:
        self.open_player(f"{PAGE}?t=3")
        self.wait_for(lambda d: self.current_time() >= 3.0)
        self.assertIn("turn-3", self.current_turns())

    def test_side_by_side_both_columns_follow(self) -> None:
        self.open_player(f"{PAGE}?compare=player-session-he&t=1.6")
        self.wait_for(lambda d: sorted(self.current_turns()) == ["compare-turn-2", "turn-2"])
        self.assertGreaterEqual(self.current_time(), 1.6)

    def test_a_hebrew_caption_track_is_shown_right_to_left(self) -> None:
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import Select

        self.open_player()
        Select(self.driver.find_element(By.ID, "player-captions-select")).select_by_visible_text("Hebrew")
        self.js("const m = document.getElementById('player-media'); m.currentTime = 2; m.pause();")
        self.wait_for(lambda d: "תור מספר 2" in d.find_element(By.ID, "player-captions").text)
        box = self.driver.find_element(By.ID, "player-captions")
        self.assertEqual(box.get_attribute("dir"), "rtl")
        self.assertEqual(box.get_attribute("lang"), "he")
        self.assertEqual(self.js("return getComputedStyle(arguments[0]).direction", box), "rtl")
        # Right to left on screen: the line's text hugs the right edge of its box.
        edges = self.js(
            "const p = arguments[0].querySelector('p'); const r = document.createRange();"
            "r.selectNodeContents(p); const t = r.getBoundingClientRect(), b = p.getBoundingClientRect();"
            "return [t.left - b.left, b.right - t.right];",
            box,
        )
        self.assertLess(edges[1], 2)
        self.assertGreater(edges[0], 20)
        track = self.js("return [...document.querySelectorAll('track')].map(t => [t.srclang, t.label])")
        self.assertEqual(track, [["en", "English"], ["he", "Hebrew"]])

    def test_range_requests_answer_206_with_the_right_bytes(self) -> None:
        self.open_player()
        result = self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "fetch(arguments[0], {headers: {Range: 'bytes=0-11'}})"
            ".then(async r => done([r.status, r.headers.get('Content-Range'),"
            " [...new Uint8Array(await r.arrayBuffer())]]));",
            self.media_url,
        )
        status, content_range, body = result
        self.assertEqual(status, 206)
        self.assertEqual(content_range, f"bytes 0-11/{len(wav_bytes(seconds=6.0))}")
        self.assertEqual(bytes(body), wav_bytes(seconds=6.0)[:12])
        # And the player itself could seek: the browser knows the whole duration as seekable.
        self.assertAlmostEqual(
            self.js("const m = document.getElementById('player-media'); return m.seekable.end(0)"),
            6.0,
            places=1,
        )

    def test_the_player_page_runs_without_csp_violations(self) -> None:
        self.open_player()
        self.assertEqual(list(self.js("return window.__cspViolations || ['recorder missing']")), [])

    def test_the_player_pages_are_clean_under_axe(self) -> None:
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import Select

        for path in [PAGE, "/transcripts/player-session-he/", f"{PAGE}?compare=player-session-he&t=1.6"]:
            with self.subTest(path=path):
                self.open_player(path)
                Select(self.driver.find_element(By.ID, "player-captions-select")).select_by_index(1)
                self.js("document.getElementById('player-media').currentTime = 2")
                self.wait_for(lambda d: d.find_elements(By.CSS_SELECTOR, ".is-current"))
                # The player and the turns (the page's other parts are as before; the bundled
                # axe-core 3.1 wrongly flags their <div>-grouped <dl>, which HTML allows).
                self.assertEqual(self.axe_violations(include=["#player", ".turns, table.parallel"]), [])
