"""Real processes for the reliability runs: a throw-away archive, gunicorn and the indexer.

Everything runs as in production (`make serve`): DEBUG off, gunicorn workers and one
`run_indexer` beside them (SEARCH_INDEXER=worker), behind a "proxy" (the clients send
X-Forwarded-Proto: https). The archive lives in a temporary directory (SQLite) or in a
temporary PostgreSQL database made on the server of DATABASE_URL and dropped afterwards.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings

from archive.devtools.reliability import corpus
from archive.devtools.reliability.clients import Client

MANAGE = Path(settings.BASE_DIR) / "manage.py"
GUNICORN = Path(sys.executable).parent / "gunicorn"


def gunicorn_command(port: int, workers: int) -> list[str]:
    """gunicorn serving the archive on 127.0.0.1:`port` with its settings, as `make serve` runs it."""
    base = Path(settings.BASE_DIR)
    return [
        str(GUNICORN),
        "-c",
        str(base / "config" / "gunicorn.conf.py"),
        "config.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--chdir",
        str(base),
    ]


CURATOR = "reliability-curator"
WRITELOCK = "MAIN_WRITELOCK"  # Whoosh's write lock file in an index directory


def is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://", "pgsql://"))


# -- the sandbox ----------------------------------------------------------------------------------


class Sandbox:
    """A temporary archive and the processes serving it; `close()` stops them and removes it all."""

    def __init__(self, database_url: str, log: Callable[[str], None], keep: bool = False) -> None:
        self.log = log
        self.keep = keep
        self.root = Path(tempfile.mkdtemp(prefix="reliability-"))
        self.logs = self.root / "logs"
        self.logs.mkdir()
        self.index_dir = self.root / "index"
        self.admin_url = database_url if is_postgres(database_url) else ""
        self.pg_name = ""
        if self.admin_url:
            self.pg_name = f"reliability_{os.getpid()}_{secrets.token_hex(3)}"
            self._pg_admin(f'CREATE DATABASE "{self.pg_name}"')
            parts = urlsplit(self.admin_url)
            self.database_url = urlunsplit(parts._replace(path="/" + self.pg_name))
        else:
            self.database_url = f"sqlite:///{self.root / 'archive.sqlite3'}"
        self.env = {
            **os.environ,
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "BEHIND_PROXY": "1",
            "VAR_DIR": str(self.root),
            "SEARCH_INDEX_DIR": str(self.index_dir),
            "DATABASE_URL": self.database_url,
            "CONN_MAX_AGE": "60",
            "SEARCH_INDEXER": "worker",
            # One client address makes every request: a throttle would answer 429s, not measure.
            "API_THROTTLE_ANON": "",
            "API_THROTTLE_WRITE": "",
            "SEARCH_PAGE_THROTTLE": "",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
        self.processes: list[subprocess.Popen[bytes]] = []
        self.port = 0
        self.token = ""

    # -- database -----------------------------------------------------------------------------------

    def _pg_admin(self, sql: str) -> None:
        import psycopg2

        conn = psycopg2.connect(self.admin_url)
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                cur.execute(sql)
        finally:
            conn.close()

    def outbox_count(self) -> int:
        """Outbox rows waiting, read straight from the database (no Django in this process)."""
        if self.pg_name:
            import psycopg2

            conn = psycopg2.connect(self.database_url, connect_timeout=5)
            try:
                with conn.cursor() as cur:
                    cur.execute("SELECT count(*) FROM archive_searchoutbox")
                    return int(cur.fetchone()[0])
            finally:
                conn.close()
        with sqlite3.connect(self.root / "archive.sqlite3", timeout=30) as conn:
            return int(conn.execute("SELECT count(*) FROM archive_searchoutbox").fetchone()[0])

    def wait_drained(self, timeout: float = 300.0) -> float:
        """Seconds until the outbox is empty (the indexer has applied every committed change)."""
        started = time.monotonic()
        while self.outbox_count():
            if time.monotonic() - started > timeout:
                raise RuntimeError(f"the outbox did not drain in {timeout:.0f} s")
            time.sleep(0.2)
        return time.monotonic() - started

    # -- commands and processes ---------------------------------------------------------------------

    def manage(
        self, *args: str, check: bool = True, timeout: float = 1800
    ) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, str(MANAGE), *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check and done.returncode:
            command = " ".join(args)
            raise RuntimeError(f"manage.py {command} failed ({done.returncode}):\n{done.stderr[-3000:]}")
        return done

    def spawn(self, name: str, *argv: str) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}.log").open("ab")
        process = subprocess.Popen(argv, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        self.processes.append(process)
        return process

    def spawn_manage(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        return self.spawn(name, sys.executable, str(MANAGE), *args)

    def setup(self, transcripts: int, turns: tuple[int, int]) -> str:
        """Migrate, collect static files, import a generated archive, index it, make a curator token."""
        started = time.monotonic()
        self.manage("migrate", "--no-input", "-v0")
        self.manage("collectstatic", "--no-input", "-v0")
        archive = self.root / "archive.ndjson"
        total = corpus.write_archive(archive, transcripts, turns)
        self.manage("import_transcripts", "--no-progress", str(archive))
        rebuilt = self.manage("rebuild_index", "--no-progress").stdout.strip()
        self.manage("shell", "-c", _MAKE_CURATOR)
        self.token = self.manage("create_api_token", CURATOR).stdout.strip()
        return (
            f"{transcripts} transcripts, {total} turns in {len(corpus.LANGUAGES)} languages "
            f"({'PostgreSQL' if self.pg_name else 'SQLite'}); {rebuilt} "
            f"[setup {time.monotonic() - started:.0f} s]"
        )

    def start_web(self, workers: int) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.web = self.spawn("gunicorn", *gunicorn_command(self.port, workers))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.web.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.logs / 'gunicorn.log'}")
            if self.client().get("/api/v1/transcripts/?page_size=1").status == 200:
                return
            time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer within 60 s")

    def start_indexer(self) -> subprocess.Popen[bytes]:
        return self.spawn_manage("run_indexer", "run_indexer", "--interval", "0.2")

    def stop(self, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def client(self, token: str = "") -> Client:
        return Client(self.port, token)

    def live_dir(self) -> Path | None:
        try:
            return self.index_dir / os.readlink(self.index_dir / "live")
        except OSError:
            return None

    def generations(self) -> list[str]:
        return sorted(p.name for p in self.index_dir.glob("gen-*"))

    def close(self) -> None:
        for process in reversed(self.processes):
            self.stop(process)
        if self.pg_name:
            try:
                self._pg_admin(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')
            except Exception as exc:  # the report matters more than the clean-up
                self.log(f"could not drop the database {self.pg_name}: {exc}")
        if self.keep:
            self.log(f"kept {self.root}")
        else:
            shutil.rmtree(self.root, ignore_errors=True)


_MAKE_CURATOR = f"""
from django.contrib.auth import get_user_model
get_user_model().objects.create_superuser("{CURATOR}", "", None)
"""


def holds_lock(pid: int, directory: Path | None) -> bool:
    """Whether process `pid` holds the Whoosh write lock of `directory` (an flock in /proc/locks)."""
    if directory is None:
        return False
    try:
        inode = (directory / WRITELOCK).stat().st_ino
        locks = Path("/proc/locks").read_text()
    except OSError:
        return False
    # "1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF" (a waiter's line has "->" after the number)
    return any(
        len(parts) >= 6 and parts[1] == "FLOCK" and parts[4] == str(pid) and parts[5].endswith(f":{inode}")
        for parts in (line.split() for line in locks.splitlines())
    )


def children_of(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found += [int(c) for c in (task / "children").read_text().split()]
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
