"""Helpers of the search tests: a fresh index as the default backend, and an indexer draining a backlog
in a forked child. Their documents are in tests/fixtures.py."""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

from archive.models import SearchOutbox
from archive.search import indexer
from archive.search.backends import reset_backends
from archive.search.documents import IndexDocument

WHOOSH = "archive.search.backends.whoosh.WhooshBackend"


@contextmanager
def temp_search_index(backend: str = WHOOSH, **options: Any) -> Iterator[Path]:
    """A fresh, empty index of `backend` in a new temp folder (yielded) as the default search
    backend for the block; after it the settings are restored and the folder removed.

    In a test: `self.enterContext(temp_search_index())` in setUp, or
    `cls.enterClassContext(...)` in setUpClass for an index shared by the class.
    """
    folder = Path(tempfile.mkdtemp(prefix="search-test-"))
    saved = settings.SEARCH_BACKENDS
    settings.SEARCH_BACKENDS = {"default": {"BACKEND": backend, "PATH": folder, **options}}
    reset_backends()  # the next get_search_backend() opens this index
    try:
        yield folder
    finally:
        reset_backends()
        settings.SEARCH_BACKENDS = saved
        shutil.rmtree(folder, ignore_errors=True)


_inherited: list[Any] = []


def drain_a_backlog_repeatedly(transcript_ids: list[int], draining: Event, stop: Event) -> None:
    """In a forked child: run_indexer working through a backlog, one batch after another, until
    stopped; the outbox is refilled after each pass (on SQLite the child has its own copy of the
    test database, on PostgreSQL it shares the parent's).

    Each batch holds the write lock about a second, as one of 100 real transcripts does.
    """
    if connection.vendor == "postgresql":
        _inherited.append(connection.connection)  # the parent's session: closing it here would end it
        connection.connection = None  # the child opens one of its own
    read = indexer.transcript_documents

    def slow_read(ids: list[int]) -> dict[int, list[IndexDocument]]:
        draining.set()  # holding the write lock
        time.sleep(1)
        return read(ids)

    indexer.transcript_documents = slow_read  # type: ignore[assignment]  # only in this child
    while not stop.is_set():
        SearchOutbox.objects.bulk_create([SearchOutbox(transcript_id=tid) for tid in transcript_ids])
        indexer.drain(wait=60, batch=1)
