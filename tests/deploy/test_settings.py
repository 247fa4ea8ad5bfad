"""The production settings in .env.production.example pass Django's deployment checks."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from django.test import SimpleTestCase

from tests.fixtures import REPO

EXAMPLE = REPO / ".env.production.example"


def production_environment(tmp: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in {"DJANGO_SETTINGS_MODULE"}}
    for line in EXAMPLE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, value = line.partition("=")
            env[name.strip()] = value.strip()
    # The check needs no database server: only the settings are under test.
    env["DATABASE_URL"] = f"sqlite:///{tmp / 'check.sqlite3'}"
    env["VAR_DIR"] = str(tmp)
    env["SEARCH_INDEX_DIR"] = str(tmp / "index")
    return env


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )


class DeployCheckTests(SimpleTestCase):
    def test_the_example_environment_passes_check_deploy_with_warnings_as_failures(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            result = manage(production_environment(Path(tmp)), "check", "--deploy", "--fail-level", "WARNING")
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("no issues", result.stdout)

    def test_without_the_production_settings_check_deploy_fails(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            env = production_environment(Path(tmp))
            env["SECURE_HSTS_SECONDS"] = "0"
            env["SESSION_COOKIE_SECURE"] = "0"
            result = manage(env, "check", "--deploy", "--fail-level", "WARNING")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("security.W004", result.stdout + result.stderr)
        self.assertIn("security.W012", result.stdout + result.stderr)

    def test_with_debug_off_a_missing_secret_key_stops_the_start(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            env = production_environment(Path(tmp))
            del env["SECRET_KEY"]
            result = manage(env, "check")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("SECRET_KEY must be set", result.stderr)

    def test_the_example_runs_several_web_workers_and_the_indexer_worker(self) -> None:
        text = EXAMPLE.read_text(encoding="utf-8")
        self.assertIn("SEARCH_INDEXER=worker", text)
        self.assertIn("DEBUG=0", text)
        makefile = (REPO / "Makefile").read_text(encoding="utf-8")
        self.assertIn("manage.py run_indexer", makefile)
        self.assertIn("gunicorn -c config/gunicorn.conf.py config.wsgi:application", makefile)
        # The workers fork from a master that loaded the application: what it read is shared.
        self.assertIn("preload_app = True", (REPO / "config" / "gunicorn.conf.py").read_text("utf-8"))
        self.assertIn("collectstatic", makefile)


SET_LANGUAGE = """
from django.test import Client
from django.urls import reverse
response = Client().post(
    reverse("set_language"), {"language": "he", "next": "/"}, secure=True, HTTP_HOST="archive.example.org"
)
print(response.cookies["django_language"].output())
"""


class LanguageCookieTests(SimpleTestCase):
    def test_in_production_the_language_cookie_is_secure_and_same_site_lax(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            result = manage(production_environment(Path(tmp)), "shell", "-v", "0", "-c", SET_LANGUAGE)
        self.assertEqual(result.returncode, 0, result.stderr)
        cookie = result.stdout.lower()
        self.assertIn("django_language=he", cookie)
        self.assertIn("secure", cookie)
        self.assertIn("samesite=lax", cookie)
