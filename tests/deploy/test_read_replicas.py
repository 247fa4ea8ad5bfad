"""Reads on a real streaming replica: which database each request reads, and what happens when the
replica lags, stops or is promoted.

A hot standby of the test server is made for this module (tests/deploy/pg_standby.py) and an archive
database of its own is created on the primary, so the standby streams it. Each check runs requests
in a separate process configured as a web worker (tests/deploy/replica_probe.py) and looks at the
database that served the archive's reads. PostgreSQL only.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import psycopg2
import pytest
from django.conf import settings

from tests.deploy.pg_standby import Standby, hot_standby, wait_until, why_not_possible
from tests.fixtures import PERES_EN, REPO, document

PRIMARY = settings.DATABASES["default"]
pytestmark = [
    pytest.mark.skipif(
        PRIMARY["ENGINE"] != "django.db.backends.postgresql", reason="replicas are PostgreSQL's"
    ),
    pytest.mark.skipif(
        why_not_possible() is not None, reason=f"no standby can be made here: {why_not_possible()}"
    ),
]

SLUG = PERES_EN["slug"]
WORD = "wisdom"  # once in the sample document


def primary_connection(dbname: str) -> Any:
    conn = psycopg2.connect(
        dbname=dbname,
        user=PRIMARY["USER"] or "postgres",
        host=PRIMARY["HOST"] or "127.0.0.1",
        port=PRIMARY["PORT"] or 5432,
    )
    conn.autocommit = True
    return conn


class Archive:
    """A throw-away archive database on the primary, streamed to a hot standby."""

    def __init__(self, standby: Standby, dbname: str, tmp: Path) -> None:
        self.standby, self.dbname, self.tmp = standby, dbname, tmp

    def env(self, **changes: str) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
        user, host, port = (
            PRIMARY["USER"] or "postgres",
            PRIMARY["HOST"] or "127.0.0.1",
            PRIMARY["PORT"] or 5432,
        )
        env.update(
            DATABASE_URL=f"postgres://{user}@{host}:{port}/{self.dbname}",
            DATABASE_REPLICA_URLS=self.standby.url(self.dbname),
            SEARCH_BACKEND="postgres",
            SEARCH_INDEXER="inline",
            VAR_DIR=str(self.tmp),
            DEBUG="1",
            REPLICA_CHECK_SECONDS="0",
            REPLICA_MAX_LAG_SECONDS="5",
            API_THROTTLE_ANON="",
            API_THROTTLE_WRITE="",
        )
        env.update(changes)
        return env

    def manage(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=REPO,
            env=self.env(**env),
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result

    def requests(
        self, requests: list[dict[str, Any]], writer: bool = False, **env: str
    ) -> tuple[list[dict[str, Any]], str]:
        """Each request's status and the aliases that served its archive reads; and the log."""
        result = subprocess.run(
            [sys.executable, "-m", "tests.deploy.replica_probe"],
            cwd=REPO,
            env=self.env(**env),
            input=json.dumps({"requests": requests, "writer": writer}),
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout.strip().splitlines()[-1]), result.stderr

    def import_document(self, data: dict[str, Any]) -> None:
        path = self.tmp / f"{data['slug']}.json"
        path.write_text(json.dumps(data), encoding="utf-8")
        self.manage("import_transcripts", str(path))

    def replica_has(self, slug: str) -> bool:
        with self.standby.connect(self.dbname) as conn, conn.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM archive_transcript WHERE slug = %s", [slug])
            return bool(cursor.fetchone()[0])

    def replica_sql(self, sql: str) -> None:
        conn = self.standby.connect(self.dbname)
        try:
            with conn.cursor() as cursor:
                cursor.execute(sql)
        finally:
            conn.close()


@pytest.fixture(scope="module")
def archive() -> Iterator[Archive]:
    dbname = f"qa_replica_{os.getpid()}"
    admin = primary_connection("postgres")
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{dbname}"')
        cursor.execute(f'CREATE DATABASE "{dbname}"')
    try:
        with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
            try:
                standby = stack.enter_context(hot_standby(PRIMARY))
            except RuntimeError as exc:
                pytest.skip(f"no standby could be made: {exc}")
            made = Archive(standby, dbname, Path(tmp))
            made.manage("migrate", "--no-input", "-v0")
            made.import_document(document(status="published"))
            wait_until(lambda: made.replica_has(SLUG), what="the standby to replay the import")
            yield made
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        admin.close()


PUBLIC_READS = [
    {"path": f"/transcripts/{SLUG}/"},
    {"path": "/api/v1/transcripts/"},
    {"path": f"/api/v1/transcripts/{SLUG}/"},
    {"path": f"/api/v1/search/?q={WORD}"},
    {"path": f"/search/?q={WORD}"},
    {"path": "/feed/"},
]


def test_anonymous_pages_api_search_and_feeds_read_the_replica(archive: Archive) -> None:
    results, _ = archive.requests(PUBLIC_READS)
    for request, result in zip(PUBLIC_READS, results, strict=True):
        assert (result["status"], result["served_by"]) == (200, ["replica1"]), request["path"]


def test_a_search_on_the_replica_finds_what_the_primary_indexed(archive: Archive) -> None:
    results, _ = archive.requests([{"path": f"/api/v1/search/?q={WORD}"}])
    assert results[0]["served_by"] == ["replica1"]
    assert results[0]["count"] == 1


def test_a_writer_writes_on_the_primary_and_reads_its_own_write(archive: Archive) -> None:
    new = document(slug="written-through-the-api", status="published")
    archive.replica_sql("SELECT pg_wal_replay_pause()")  # the replica cannot have it yet
    try:
        results, _ = archive.requests(
            [
                {"method": "POST", "path": "/api/v1/transcripts/", "body": new, "as_writer": True},
                {"path": "/api/v1/transcripts/written-through-the-api/", "as_writer": True},
            ],
            writer=True,
            REPLICA_MAX_LAG_SECONDS="3600",
        )
    finally:
        archive.replica_sql("SELECT pg_wal_replay_resume()")
    assert (results[0]["status"], results[0]["served_by"]) == (201, ["default"])
    assert (results[1]["status"], results[1]["served_by"]) == (200, ["default"])


def test_a_browser_that_just_wrote_reads_the_primary(archive: Archive) -> None:
    # An anonymous unsafe request (here one the API refuses) leaves the cookie that sends the same
    # browser's next reads to the primary.
    results, _ = archive.requests(
        [
            {"method": "POST", "path": "/api/v1/transcripts/", "body": {}},
            {"path": f"/transcripts/{SLUG}/"},
        ]
    )
    assert results[0]["status"] in {401, 403}
    assert (results[1]["status"], results[1]["served_by"]) == (200, ["default"])


def test_a_replica_that_lags_beyond_the_bound_is_skipped(archive: Archive) -> None:
    archive.replica_sql("SELECT pg_wal_replay_pause()")
    try:
        archive.import_document(document(slug="after-the-pause", status="published"))
        time.sleep(1.5)
        within, _ = archive.requests(
            [{"path": "/transcripts/after-the-pause/"}], REPLICA_MAX_LAG_SECONDS="3600"
        )
        beyond, log = archive.requests(
            [{"path": "/transcripts/after-the-pause/"}], REPLICA_MAX_LAG_SECONDS="1"
        )
    finally:
        archive.replica_sql("SELECT pg_wal_replay_resume()")
    # Within a generous bound the paused replica answers, and has not seen the transcript: the
    # reads really are the replica's. Beyond the bound it is skipped and the primary answers.
    assert (within[0]["status"], within[0]["served_by"]) == (404, ["replica1"])
    assert (beyond[0]["status"], beyond[0]["served_by"]) == (200, ["default"])
    assert "replica1 lags" in log


def test_a_replica_that_is_down_is_reported_and_skipped_never_a_500(archive: Archive) -> None:
    archive.standby.stop()
    try:
        results, log = archive.requests(PUBLIC_READS)
    finally:
        archive.standby.start()
    for request, result in zip(PUBLIC_READS, results, strict=True):
        assert (result["status"], result["served_by"]) == (200, ["default"]), request["path"]
    assert "replica1 does not answer" in log


def test_a_promoted_replica_is_no_longer_read(archive: Archive) -> None:
    # Last: a promoted standby leaves the primary's stream for good.
    wait_until(lambda: archive.replica_has("after-the-pause"), what="the standby to catch up")
    archive.standby.ctl("promote", "-w")
    archive.import_document(document(slug="after-the-promotion", status="published"))
    results, log = archive.requests([{"path": "/transcripts/after-the-promotion/"}])
    assert (results[0]["status"], results[0]["served_by"]) == (200, ["default"])
    assert "not in recovery" in log
