"""HTTP clients of a served archive for the reliability runs: searchers and a writing curator.

One request per connection, as gunicorn's sync workers answer; every answer's status and latency
is kept, so a run can say what failed and how long searches and writes took.
"""

from __future__ import annotations

import http.client
import json
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from archive.devtools.measure import rank_percentile
from archive.devtools.reliability import corpus


def latency_line(seconds: list[float]) -> str:
    ms = [s * 1000 for s in seconds]
    return (
        f"p50 {rank_percentile(ms, 50):.0f} ms, p95 {rank_percentile(ms, 95):.0f} ms, "
        f"p99 {rank_percentile(ms, 99):.0f} ms, max {max(ms, default=0):.0f} ms"
    )


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
        """Turns matching `q` as typed: typo tolerance would take a marker no published transcript
        holds any more for a mistyping of another one (one letter apart) and count that one's turns."""
        answer = self.get("/api/v1/search/?" + urlencode({"q": q, "page_size": 1, "typos": "false"}))
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
