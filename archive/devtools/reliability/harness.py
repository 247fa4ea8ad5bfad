"""Real processes for the reliability runs: a throw-away archive, gunicorn, the indexer, clients.

Everything runs as in production (`make serve`): DEBUG off, gunicorn workers and one
`run_indexer` beside them (SEARCH_INDEXER=worker), behind a "proxy" (the clients send
X-Forwarded-Proto: https). The archive lives in a temporary directory (SQLite) or in a
temporary PostgreSQL database made on the server of DATABASE_URL and dropped afterwards.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import random
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

from django.conf import settings

from archive.devtools.reliability import corpus

MANAGE = Path(settings.BASE_DIR) / "manage.py"
GUNICORN = Path(sys.executable).parent / "gunicorn"
CURATOR = "reliability-curator"
WRITELOCK = "MAIN_WRITELOCK"  # Whoosh's write lock file in an index directory


def is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://", "pgsql://"))


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def latency_line(seconds: list[float]) -> str:
    ms = [s * 1000 for s in seconds]
    return (
        f"p50 {percentile(ms, 50):.0f} ms, p95 {percentile(ms, 95):.0f} ms, "
        f"p99 {percentile(ms, 99):.0f} ms, max {max(ms, default=0):.0f} ms"
    )


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
        self.web = self.spawn(
            "gunicorn",
            str(GUNICORN),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(workers),
            "--chdir",
            str(MANAGE.parent),
        )
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


# -- HTTP clients ---------------------------------------------------------------------------------


@dataclass
class Answer:
    status: int  # 0: no answer (refused, reset, timed out)
    body: bytes
    seconds: float
    started: float

    def json(self) -> Any:
        return json.loads(self.body)


class Client:
    """One request per connection (gunicorn's sync workers close after each answer)."""

    def __init__(self, port: int, token: str = "") -> None:
        self.port = port
        self.token = token

    def request(self, method: str, path: str, data: Any = None, timeout: float = 60) -> Answer:
        headers = {"Host": "127.0.0.1", "X-Forwarded-Proto": "https", "Accept": "application/json"}
        body = None
        if data is not None:
            body = json.dumps(data).encode()
            headers["Content-Type"] = "application/json"
        if self.token:
            headers["Authorization"] = f"Token {self.token}"
        started = time.monotonic()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            content = response.read()
            return Answer(response.status, content, time.monotonic() - started, started)
        except (OSError, http.client.HTTPException) as exc:
            return Answer(0, str(exc).encode(), time.monotonic() - started, started)
        finally:
            conn.close()

    def get(self, path: str) -> Answer:
        return self.request("GET", path)

    def search_count(self, q: str) -> int:
        answer = self.get("/api/v1/search/?" + urlencode({"q": q, "page_size": 1}))
        if answer.status != 200:
            raise RuntimeError(f"search {q!r} answered {answer.status}: {answer.body[:200]!r}")
        return int(answer.json()["count"])


class Searchers:
    """Threads searching the mix in a loop; every answer's status and latency is kept."""

    def __init__(self, port: int, threads: int, paths: list[str]) -> None:
        self.port = port
        self.paths = paths
        self.answers: list[tuple[float, float, int, str]] = []  # (started, seconds, status, path)
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(n,), daemon=True) for n in range(threads)]

    def _run(self, n: int) -> None:
        rng = random.Random(n)
        client = Client(self.port)
        while not self._stop.is_set():
            path = rng.choice(self.paths)
            answer = client.get(path)
            self.answers.append((answer.started, answer.seconds, answer.status, path))

    def start(self) -> Searchers:
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()

    def failures(self, since: float = 0.0) -> list[tuple[float, float, int, str]]:
        return [a for a in self.answers if a[0] >= since and not 200 <= a[2] < 300]

    def summary(self) -> str:
        statuses = Counter(a[2] for a in self.answers)
        shown = ", ".join(f"{s or 'no answer'}: {c}" for s, c in sorted(statuses.items()))
        return f"{len(self.answers)} searches ({shown}); {latency_line([a[1] for a in self.answers])}"


# -- the curator ----------------------------------------------------------------------------------


@dataclass
class Expected:
    """What the curator committed last for one transcript."""

    published: bool
    marker: str
    turns: int
    deleted: bool = False


@dataclass
class Curator:
    """Imports and edits transcripts through the API with a token, remembering what it committed.

    Each transcript carries a made-up marker word in every turn; a PUT changes the marker. After
    the run, searching a marker must find exactly the turns of a published transcript holding it,
    and a replaced marker (or one of an unpublished or deleted transcript) nothing.
    """

    port: int
    token: str
    turns: tuple[int, int] = (5, 30)
    seed: int = 11
    pause: float = 0.0
    expected: dict[str, Expected] = field(default_factory=dict)
    retired: set[str] = field(default_factory=set)  # markers no published transcript holds
    unknown: set[str] = field(default_factory=set)  # slugs whose last write had no answer
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _count: int = 0

    def marker(self) -> str:
        self._count += 1
        # Letters only, no vowels: no segmenter splits it and every field analyzes it one way.
        return f"zq{_letters(self.seed)}x{_letters(self._count)}"

    def run_for(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        self.run(lambda: time.monotonic() >= deadline)

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.run, args=(self._stop.is_set,), daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self._stop.set()

    def run(self, done: Callable[[], bool]) -> None:
        rng = random.Random(self.seed)
        client = Client(self.port, self.token)
        n = 0
        while not done():
            live = [s for s, e in self.expected.items() if not e.deleted and s not in self.unknown]
            roll = rng.random()
            if len(live) < 5 or roll < 0.35:
                n += 1
                self._write(client, "POST", f"curated-{self.seed}-{n:05d}", rng)
            elif roll < 0.6:
                self._write(client, "PUT", rng.choice(live), rng)
            elif roll < 0.9:
                self._patch(client, rng.choice(live))
            else:
                self._delete(client, rng.choice(live))
            if self.pause:
                time.sleep(self.pause)

    def _record(self, op: str, answer: Answer, expected: tuple[int, ...], slug: str) -> bool:
        self.latencies.setdefault(op, []).append(answer.seconds)
        if answer.status in expected:
            return True
        if answer.status == 0:
            self.unknown.add(slug)  # committed or not: nobody knows, so it is not checked
        self.errors.append(f"{op} {slug}: {answer.status} {answer.body[:300]!r}")
        return False

    def _write(self, client: Client, op: str, slug: str, rng: random.Random) -> None:
        marker = self.marker()
        size = rng.randint(*self.turns)
        doc = corpus.transcript(rng, slug, size, marker=marker)
        if op == "POST":
            answer = client.request("POST", "/api/v1/transcripts/", doc)
            ok = self._record(op, answer, (201,), slug)
        else:
            answer = client.request("PUT", f"/api/v1/transcripts/{quote(slug)}/", doc)
            ok = self._record(op, answer, (200,), slug)
        if ok:
            previous = self.expected.get(slug)
            if previous is not None:
                self.retired.add(previous.marker)
            self.expected[slug] = Expected(published=True, marker=marker, turns=size)

    def _patch(self, client: Client, slug: str) -> None:
        current = self.expected[slug]
        status = "draft" if current.published else "published"
        answer = client.request("PATCH", f"/api/v1/transcripts/{quote(slug)}/", {"status": status})
        if self._record("PATCH", answer, (200,), slug):
            current.published = not current.published

    def _delete(self, client: Client, slug: str) -> None:
        answer = client.request("DELETE", f"/api/v1/transcripts/{quote(slug)}/")
        if self._record("DELETE", answer, (204,), slug):
            self.expected[slug].deleted = True

    def summary(self) -> str:
        ops = ", ".join(f"{op} {len(v)}" for op, v in sorted(self.latencies.items()))
        every = [s for v in self.latencies.values() for s in v]
        return f"{len(every)} writes ({ops}), {len(self.errors)} errors; {latency_line(every)}"

    def verify(self, client: Client) -> list[str]:
        """What search and the API disagree with the curator on (empty: every committed change is there)."""
        wrong = []
        for slug, exp in sorted(self.expected.items()):
            if slug in self.unknown:
                continue
            want = exp.turns if exp.published and not exp.deleted else 0
            got = client.search_count(exp.marker)
            if got != want:
                wrong.append(f"{slug}: search for its marker {exp.marker} found {got} turns, expected {want}")
            answer = client.get(f"/api/v1/transcripts/{quote(slug)}/")
            status_wanted = 200 if exp.published and not exp.deleted else 404
            if answer.status != status_wanted:
                wrong.append(f"{slug}: the API answered {answer.status}, expected {status_wanted}")
        for marker in sorted(self.retired):
            if marker in {e.marker for e in self.expected.values()}:
                continue
            if (got := client.search_count(marker)) != 0:
                wrong.append(f"replaced marker {marker} still found in {got} turns")
        return wrong

    def checked(self) -> int:
        return len([s for s in self.expected if s not in self.unknown]) + len(self.retired)


def _letters(n: int) -> str:
    consonants = "bcdfghjklmnpqrtvwxz"
    word = ""
    while True:
        n, r = divmod(n, len(consonants))
        word += consonants[r]
        if not n:
            return word


def kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
