"""Throttles that hold across workers: one shared cache by default, and the search page throttled too."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.test import SimpleTestCase, TestCase, override_settings

from config.env import cache_from_url
from tests.fixtures import REPO, build_archive


def rates(**rates: str | None) -> Any:
    return override_settings(REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates})


def redis_is_running() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class SearchPageThrottleTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        build_archive()

    def test_the_search_page_answers_429_with_retry_after_in_the_sites_look(self) -> None:
        with rates(search_page="2/minute"):
            codes = [self.client.get("/search/", {"q": "press"}).status_code for _ in range(2)]
            response = self.client.get("/search/", {"q": "press"})
        self.assertEqual(codes, [200, 200])
        self.assertEqual(response.status_code, 429)
        self.assertGreaterEqual(int(response["Retry-After"]), 1)
        content = response.content.decode()
        self.assertIn('class="site-name"', content)  # the site's header: base.html
        self.assertIn("Too many searches", content)
        self.assertTemplateUsed(response, "base.html")

    def test_forged_x_forwarded_for_does_not_evade_the_search_page_throttle(self) -> None:
        with rates(search_page="2/minute"):
            codes = [
                self.client.get("/search/", {"q": "press"}, HTTP_X_FORWARDED_FOR=f"9.9.9.{n}").status_code
                for n in range(4)
            ]
        self.assertEqual(codes, [200, 200, 429, 429])

    def test_the_empty_search_form_is_not_counted(self) -> None:
        with rates(search_page="1/minute"):
            self.assertEqual({self.client.get("/search/").status_code for _ in range(3)}, {200})


class SharedCacheTests(SimpleTestCase):
    def test_the_default_cache_is_the_database_and_cache_url_picks_redis_or_memcached(self) -> None:
        self.assertEqual(cache_from_url("")["BACKEND"], "django.core.cache.backends.db.DatabaseCache")
        redis = cache_from_url("redis://127.0.0.1:6379/1")
        self.assertEqual(redis["BACKEND"], "django.core.cache.backends.redis.RedisCache")
        self.assertEqual(redis["LOCATION"], "redis://127.0.0.1:6379/1")
        memcached = cache_from_url("memcached://10.0.0.2:11211,10.0.0.3:11211")
        self.assertEqual(memcached["BACKEND"], "django.core.cache.backends.memcached.PyMemcacheCache")
        self.assertEqual(memcached["LOCATION"], ["10.0.0.2:11211", "10.0.0.3:11211"])
        with self.assertRaisesMessage(ValueError, "CACHE_URL='ftp://x'"):
            cache_from_url("ftp://x")

    def test_two_processes_see_one_count_after_a_plain_migrate(self) -> None:
        # Two workers are two processes: what one counts, the other must see.
        with tempfile.TemporaryDirectory() as tmp:
            env = {
                **{k: v for k, v in os.environ.items() if k != "CACHE_URL"},
                "DATABASE_URL": f"sqlite:///{Path(tmp) / 'db.sqlite3'}",
                "VAR_DIR": tmp,
                "SEARCH_INDEX_DIR": str(Path(tmp) / "index"),
            }

            def run(*args: str) -> str:
                result = subprocess.run(
                    [sys.executable, "manage.py", *args], cwd=REPO, env=env, capture_output=True, text=True
                )
                self.assertEqual(result.returncode, 0, result.stderr)
                return result.stdout

            run("migrate", "--no-input", "-v0")
            run(
                "shell",
                "-v",
                "0",
                "-c",
                "from django.core.cache import cache; cache.set('hits', 41); cache.incr('hits')",
            )
            self.assertEqual(
                run(
                    "shell", "-v", "0", "-c", "from django.core.cache import cache; print(cache.get('hits'))"
                ),
                "42\n",
            )


class RedisThrottleTests(TestCase):
    def setUp(self) -> None:
        if not redis_is_running():
            self.skipTest("no Redis on 127.0.0.1:6379")
        self.prefix = f"qa-test-{uuid.uuid4().hex}"
        config = {**cache_from_url("redis://127.0.0.1:6379/15"), "KEY_PREFIX": self.prefix}
        self.enterContext(override_settings(CACHES={"default": config}))

    def tearDown(self) -> None:
        from django.core.cache import cache

        # Only our key: RedisCache.clear() would flush a database others may use.
        cache.delete("throttle_anon_127.0.0.1")
        super().tearDown()

    def test_the_api_throttle_counts_in_redis(self) -> None:
        from django.core.cache import cache

        with rates(anon="2/minute"):
            codes = [self.client.get("/api/v1/topics/").status_code for _ in range(3)]
        self.assertEqual(codes, [200, 200, 429])
        self.assertEqual(len(cache.get("throttle_anon_127.0.0.1") or []), 2)
