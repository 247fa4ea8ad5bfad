"""Time the public transcript page on a large transcript (`manage.py benchmark_pages`).

The transcript (3,000 turns by default) and an aligned translation, for the side-by-side view,
are written inside a transaction that is rolled back: the archive is left as it was.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from archive.devtools.base import DevToolError, Write
from archive.interchange import validate_document
from archive.services import transcript_import


class _Rollback(Exception):
    pass


def _document(turns: int, *, slug: str, translation_of: str | None = None) -> dict[str, Any]:
    speakers = [{"name": f"Member {n}", "slug": f"bench-member-{n}"} for n in range(1, 21)]
    speakers.append({"name": "Minister", "slug": "bench-minister"})
    body: list[dict[str, Any]] = []
    for position in range(1, turns + 1):
        question = position % 2 == 1
        turn: dict[str, Any] = {
            "speaker": f"Member {position % 20 + 1}" if question else "Minister",
            "kind": "question" if question else "answer",
            "text": (
                f"Question {position} about line {position} of the budget?"
                if question
                else f"Answer {position}. The line is explained in the annex.\nA second paragraph."
            ),
        }
        if translation_of:
            turn["original"] = position
            turn["text"] = f"第{position}段：" + turn["text"]
        body.append(turn)
    return {
        "slug": slug,
        "title": f"Benchmark: {turns} turns",
        "date": "2024-01-15",
        "language": "zh-Hans" if translation_of else "en",
        "translation_of": translation_of,
        "topics": ["benchmark"],
        "speakers": speakers,
        "turns": body,
    }


def run_pages_benchmark(*, turns: int, runs: int, write: Write) -> None:
    """Time the page of a `turns`-turn transcript and its side-by-side view; print one line each."""
    try:
        with transaction.atomic():
            transcript_import(validate_document(_document(turns, slug="benchmark-pages")))
            transcript_import(
                validate_document(
                    _document(turns, slug="benchmark-pages-zh", translation_of="benchmark-pages")
                )
            )
            client = Client()
            for label, url in [
                ("transcript page", "/transcripts/benchmark-pages/"),
                ("side by side", "/transcripts/benchmark-pages/?compare=benchmark-pages-zh"),
            ]:
                _measure(client, label, url, runs, write)
            raise _Rollback
    except _Rollback:
        pass


def _measure(client: Client, label: str, url: str, runs: int, write: Write) -> None:
    client.get(url)  # warm the template cache
    timings = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url)
            timings.append(time.perf_counter() - start)
        if response.status_code != 200:
            raise DevToolError(f"{url} answered {response.status_code}")
    median, best = statistics.median(timings) * 1000, min(timings) * 1000
    write(
        f"{label}: median {median:.0f} ms, best {best:.0f} ms over {runs} runs; "
        f"{len(queries.captured_queries)} queries; {len(response.content) / 1024:.0f} KiB"
    )
