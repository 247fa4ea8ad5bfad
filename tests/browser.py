"""Real headless Chromium (Debian's `chromium` + `chromedriver`) driven by Selenium.

Browser tests skip, saying why, only when Chromium or its driver is not installed
(`make system-deps` installs both).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from django.contrib.staticfiles.testing import StaticLiveServerTestCase

from tests.fixtures import REPO

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver") or (
    "/usr/bin/chromedriver" if Path("/usr/bin/chromedriver").exists() else None
)
SCREENSHOTS = REPO / "var" / "screenshots"

needs_chromium = pytest.mark.skipif(
    CHROMIUM is None or CHROMEDRIVER is None,
    reason="Chromium or chromedriver is not installed (make system-deps installs them): "
    "browser tests skipped",
)

CHROME_ARGUMENTS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1280,900",
]


# axe-core, vendored (MPL 2.0; tests/vendor/axe-core/README.md).
AXE_CORE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"


@needs_chromium
@pytest.mark.browser
class BrowserTestCase(StaticLiveServerTestCase):
    driver: Any
    _profile: str
    # More switches for one test class (a player test lets recordings play without a click).
    extra_arguments: tuple[str, ...] = ()

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        cls._profile = tempfile.mkdtemp(prefix="qa-archive-chromium-")
        options = webdriver.ChromeOptions()
        for argument in [*CHROME_ARGUMENTS, *cls.extra_arguments, f"--user-data-dir={cls._profile}"]:
            options.add_argument(argument)
        options.binary_location = str(CHROMIUM)
        try:
            cls.driver = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
        except Exception:
            super().tearDownClass()
            shutil.rmtree(cls._profile, ignore_errors=True)
            raise
        cls.driver.set_page_load_timeout(30)

    @classmethod
    def tearDownClass(cls) -> None:
        cls.driver.quit()
        shutil.rmtree(cls._profile, ignore_errors=True)
        super().tearDownClass()

    def setUp(self) -> None:
        super().setUp()
        self.driver.set_window_size(1280, 900)
        self.driver.delete_all_cookies()

    def open(self, path: str) -> None:
        self.driver.get(self.live_server_url + path)

    def js(self, script: str, *args: Any) -> Any:
        return self.driver.execute_script(script, *args)

    def wait_for(self, condition: Any, timeout: float = 5) -> Any:
        from selenium.webdriver.support.ui import WebDriverWait

        return WebDriverWait(self.driver, timeout).until(condition)

    def use_language(self, code: str) -> None:
        """Pick the interface language with the switcher, as a reader does."""
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import Select

        if not self.driver.current_url.startswith(self.live_server_url):
            self.open("/")
        Select(self.driver.find_element(By.ID, "language-select")).select_by_value(code)
        self.driver.find_element(By.CSS_SELECTOR, ".language-switch button").click()
        self.wait_for(
            lambda d: d.execute_script("return document.documentElement.lang").lower().startswith(code[:2])
        )

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.driver.save_screenshot(str(path))
        return path

    def axe_violations(self, include: list[str] | None = None) -> list[dict[str, Any]]:
        """axe-core's WCAG 2 A and AA violations on the current page, or in the parts `include`
        selects (axe-core vendored under tests/vendor/axe-core)."""
        self.driver.execute_script(AXE_CORE.read_text(encoding="utf-8"))
        results = self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(arguments[0] || document, arguments[1]).then(done, e => done({error: String(e)}));",
            {"include": [[selector] for selector in include]} if include else None,
            {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}},
        )
        if "error" in results:
            raise AssertionError(f"axe-core failed: {results['error']}")
        return [
            {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]]}
            for v in results["violations"]
        ]
