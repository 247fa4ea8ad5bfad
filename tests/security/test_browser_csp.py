"""Under the Content-Security-Policy, the site's, the admin's and Swagger UI's JavaScript still runs
and the browser reports no violation."""

from __future__ import annotations

from django.contrib.auth.models import User

from tests.browser import BrowserTestCase
from tests.fixtures import document, import_document

# Runs before every page's own scripts (injected by the browser, so outside the CSP).
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


class BrowserCspTests(BrowserTestCase):
    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD_VIOLATIONS})

    def setUp(self) -> None:
        super().setUp()
        import_document(document())

    def violations(self) -> list[str]:
        return list(self.js("return window.__cspViolations || ['recorder missing']"))

    def test_the_transcript_page_script_runs_without_violations(self) -> None:
        self.open("/transcripts/peres-weibo-test/")
        # site.js adds the copy buttons: they exist only if the script ran.
        self.wait_for(lambda d: d.execute_script("return document.querySelectorAll('button').length > 0"))
        self.assertEqual(self.violations(), [])

    def test_swagger_ui_renders_the_operations_without_violations(self) -> None:
        self.open("/api/docs/")
        self.wait_for(lambda d: d.execute_script("return document.querySelectorAll('.opblock').length"), 20)
        self.assertGreaterEqual(self.js("return document.querySelectorAll('.opblock').length"), 10)
        self.assertEqual([v for v in self.violations() if not v.startswith("style-src")], [])

    def test_the_admin_signs_in_through_its_form_and_runs_its_scripts_without_violations(self) -> None:
        from selenium.webdriver.common.by import By

        User.objects.create_superuser("root", password="a-long-password-1")
        self.open("/admin/login/")
        self.driver.find_element(By.NAME, "username").send_keys("root")
        self.driver.find_element(By.NAME, "password").send_keys("a-long-password-1")
        self.driver.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
        self.wait_for(lambda d: "/admin/login/" not in d.current_url)
        self.open("/admin/archive/transcript/")
        # actions.js ticks every row when the header box is ticked.
        self.driver.find_element(By.ID, "action-toggle").click()
        self.wait_for(lambda d: d.execute_script("return document.querySelector('.action-select').checked"))
        self.assertEqual(self.violations(), [])
