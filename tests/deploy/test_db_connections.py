"""Database connections survive a PostgreSQL restart: with persistent connections
(CONN_MAX_AGE > 0) Django checks a reused connection at the start of each request
(CONN_HEALTH_CHECKS) and opens a new one when the server has dropped it.

A restart is simulated by terminating the web process's backend from a second connection
(pg_terminate_backend), between two requests handled as gunicorn hands them over (WSGI,
with Django's request signals; the test client switches those off).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import unittest
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from wsgiref.util import setup_testing_defaults

import psycopg2
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test import SimpleTestCase, TransactionTestCase

from tests.deploy.test_settings import production_environment
from tests.fixtures import REPO, document, import_document

PATH = "/api/v1/transcripts/peres-weibo-test/"


def discard(data: bytes) -> None:
    """The write() a WSGI start_response returns; Django never calls it."""


def get(handler: WSGIHandler, path: str) -> int:
    """One GET as a WSGI server makes it (request_started and request_finished included)."""
    path_info, _, query = path.partition("?")
    environ: dict[str, Any] = {"PATH_INFO": path_info, "QUERY_STRING": query}
    setup_testing_defaults(environ)
    statuses: list[str] = []

    def start_response(
        status: str, headers: list[tuple[str, str]], exc_info: Any = None
    ) -> Callable[[bytes], object]:
        statuses.append(status)
        return discard  # WSGI's legacy write(), which Django never calls

    response = handler(environ, start_response)
    try:
        b"".join(response)
    finally:
        response.close()  # sends request_finished
    return int(statuses[0].split()[0])


def second_connection(dbname: str | None = None) -> Any:
    """A psycopg2 connection of its own (to the test database by default), in autocommit."""
    settings = connection.settings_dict
    other = psycopg2.connect(
        dbname=dbname or settings["NAME"],
        user=settings["USER"],
        password=settings["PASSWORD"],
        host=settings["HOST"],
        port=settings["PORT"] or None,
    )
    other.autocommit = True
    return other


def terminate_backend(pid: int) -> None:
    """From a second connection, as a server restart would: the first one's backend exits."""
    other = second_connection()
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            assert cursor.fetchone() == (True,)
            for _ in range(100):  # it exits asynchronously
                cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
                row = cursor.fetchone()
                if row is not None and row[0] == 0:
                    return
                time.sleep(0.05)
        raise AssertionError(f"backend {pid} is still there")
    finally:
        other.close()


@contextmanager
def persistent_connections(*, health_checks: bool) -> Iterator[None]:
    """CONN_MAX_AGE=60 as in .env.production.example (the test settings default to 0)."""
    saved = {key: connection.settings_dict[key] for key in ("CONN_MAX_AGE", "CONN_HEALTH_CHECKS")}
    connection.close()
    connection.settings_dict.update(CONN_MAX_AGE=60, CONN_HEALTH_CHECKS=health_checks)
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(saved)


@unittest.skipUnless(connection.vendor == "postgresql", "terminates a PostgreSQL backend: PostgreSQL only")
class PostgresRestartTests(TransactionTestCase):
    def setUp(self) -> None:
        import_document(document())
        self.handler = WSGIHandler()

    def served_after_termination(self) -> int:
        self.assertEqual(get(self.handler, PATH), 200)
        pid = connection.connection.get_backend_pid()  # kept open between requests
        self.assertEqual(get(self.handler, PATH), 200)
        self.assertEqual(connection.connection.get_backend_pid(), pid)  # really reused
        terminate_backend(pid)
        return get(self.handler, PATH)

    def test_with_health_checks_the_next_request_reconnects_and_succeeds(self) -> None:
        with persistent_connections(health_checks=True):
            self.assertEqual(self.served_after_termination(), 200)
            self.assertEqual(get(self.handler, PATH), 200)

    def test_a_search_after_a_restart_reconnects_too(self) -> None:
        # A search reads the index, then the turns: its first query is checked like any other.
        search = "/api/v1/search/?q=wisdom"
        with persistent_connections(health_checks=True):
            self.assertEqual(get(self.handler, search), 200)
            pid = connection.connection.get_backend_pid()
            terminate_backend(pid)
            self.assertEqual(get(self.handler, search), 200)
            self.assertNotEqual(connection.connection.get_backend_pid(), pid)

    def test_while_the_database_refuses_connections_requests_get_a_503_then_succeed(self) -> None:
        # As while PostgreSQL restarts: the backend is gone and no new connection is accepted.
        name = connection.settings_dict["NAME"]
        admin = second_connection("postgres")  # (a database cannot be closed from inside it)
        try:
            with persistent_connections(health_checks=True):
                self.assertEqual(get(self.handler, PATH), 200)
                terminate_backend(connection.connection.get_backend_pid())
                with admin.cursor() as cursor:
                    cursor.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false')
                try:
                    with self.assertLogs("django.request", "ERROR") as logged:
                        statuses = [get(self.handler, PATH), get(self.handler, "/transcripts/")]
                    self.assertEqual(statuses, [503, 503])
                    self.assertIn("Database unavailable: GET /api/v1/transcripts/", logged.output[0])
                    response = self.client_response(PATH)
                    self.assertEqual(response["status"], 503)
                    self.assertEqual(response["headers"]["Retry-After"], "5")
                    self.assertIn("not answering", json.loads(response["body"])["detail"])
                finally:
                    with admin.cursor() as cursor:
                        cursor.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS true')
                self.assertEqual(get(self.handler, PATH), 200)  # and back once it accepts them
        finally:
            admin.close()

    def client_response(self, path: str) -> dict[str, Any]:
        """One GET through the WSGI handler, with its headers and body (logs silenced)."""
        environ: dict[str, Any] = {"PATH_INFO": path}
        setup_testing_defaults(environ)
        started: dict[str, Any] = {}

        def start_response(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Callable[[bytes], object]:
            started.update(status=int(status.split()[0]), headers=dict(headers))
            return discard

        with self.assertLogs("django.request", "ERROR"):
            response = self.handler(environ, start_response)
            try:
                body = b"".join(response)
            finally:
                response.close()
        return {**started, "body": body}

    def test_without_them_the_request_after_a_restart_fails(self) -> None:
        # The control: what CONN_HEALTH_CHECKS prevents (one failed request per worker, a 503
        # as for any database error: config/database_unavailable.py).
        with persistent_connections(health_checks=False), self.assertLogs("django.request", "ERROR"):
            self.assertEqual(self.served_after_termination(), 503)


class ProductionSettingsTests(SimpleTestCase):
    def test_production_keeps_connections_and_checks_them(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            env = production_environment(Path(tmp))
            env["DATABASE_URL"] = "postgres://archive@127.0.0.1:5432/archive"  # parsed, never connected
            code = "import json; from django.conf import settings as s; print(json.dumps(s.DATABASES))"
            result = subprocess.run(
                [sys.executable, "manage.py", "shell", "-c", code],
                cwd=REPO,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
        self.assertEqual(result.returncode, 0, result.stderr)
        database = json.loads(result.stdout.strip().splitlines()[-1])["default"]
        self.assertEqual(database["ENGINE"], "django.db.backends.postgresql")
        self.assertGreater(database["CONN_MAX_AGE"], 0)
        self.assertIs(database["CONN_HEALTH_CHECKS"], True)


@unittest.skipUnless(connection.vendor == "postgresql", "a PostgreSQL session setting: PostgreSQL only")
class ParallelWorkersTests(SimpleTestCase):
    """The site's PostgreSQL sessions start no parallel workers (DATABASE_PARALLEL_WORKERS, 0), and
    keep the session options the database URL names."""

    def session_settings(self, url: str, **env: str) -> list[str]:
        code = (
            "from django.db import connection\n"
            "with connection.cursor() as c:\n"
            "    c.execute(\"SELECT current_setting('max_parallel_workers_per_gather'), "
            "current_setting('work_mem')\")\n"
            "    print(*c.fetchone())\n"
        )
        result = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", code],
            cwd=REPO,
            env={**os.environ, "DATABASE_URL": url, **env},
            capture_output=True,
            text=True,
            timeout=120,
        )
        self.assertEqual(result.returncode, 0, result.stderr)
        return result.stdout.split()[-2:]

    def test_none_by_default_or_as_many_as_set(self) -> None:
        url = connection.settings_dict
        # The server's own database: the session settings do not depend on which one.
        base = f"postgres://{url['USER']}@{url['HOST'] or '127.0.0.1'}:{url['PORT'] or 5432}/postgres"
        self.assertEqual(self.session_settings(base)[0], "0")
        self.assertEqual(self.session_settings(base, DATABASE_PARALLEL_WORKERS="2")[0], "2")
        named = self.session_settings(base + "?options=-c%20work_mem%3D7MB")
        self.assertEqual(named, ["0", "7MB"])
