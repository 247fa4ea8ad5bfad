"""The PostgreSQL search index's writers' lock.

Only the indexer writes, under a transaction-scoped advisory lock (other processes) and a
thread lock (this process), so one `apply` is one transaction: a failure leaves no trace.
A rebuild waiting for that lock holds a second one meanwhile, and the indexer's batches let
it go first (see `WriteLock.cursor`).
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

from django.db import DatabaseError, connection, transaction

from archive.search.backends.postgres.schema import DOCUMENTS, NEW_GENERATION_SQL
from archive.search.errors import IndexBusy


def _lock_key(name: str) -> int:
    """The advisory lock of the index's writers: a signed 64-bit number from the table's name."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)


WRITERS_LOCK = _lock_key(DOCUMENTS)  # held by the writer, for its transaction
WAITING_LOCK = _lock_key(DOCUMENTS + "_waiting")  # held by a rebuild (or clear) waiting for WRITERS_LOCK


class WriteLock:
    """One writer of the index at a time, in this process and in every other."""

    def __init__(self) -> None:
        self._thread_lock = threading.Lock()  # one writer per process; the advisory lock covers processes

    @contextmanager
    def cursor(self, wait: float, replacing: bool = False) -> Iterator[Any]:
        """A cursor in a transaction that holds the writers' lock; IndexBusy after `wait` seconds.

        A writer replacing the whole index (rebuild, clear) holds the waiting lock while it polls
        for the writers' lock, and the others leave the writers' lock to it meanwhile: an indexer
        working through a backlog takes it again right after each batch and would starve it.
        """
        lock = self._thread_lock
        acquired = lock.acquire(timeout=wait) if wait > 0 else lock.acquire(False)
        if not acquired:
            raise IndexBusy("another thread of this process is writing the index")
        waiting = False
        try:
            deadline = time.monotonic() + wait
            with transaction.atomic(), connection.cursor() as cursor:
                if replacing:
                    waiting = _wait_first(cursor, deadline)
                while True:
                    if replacing or _nobody_waits(cursor):
                        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [WRITERS_LOCK])
                        if cursor.fetchone()[0]:
                            break
                    if time.monotonic() >= deadline:
                        raise IndexBusy("another process is writing the index, or a rebuild waits for it")
                    time.sleep(0.05)
                if waiting:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [WAITING_LOCK])
                    waiting = False
                yield cursor
                # Searches keep their answers per generation: this write starts a new one.
                cursor.execute(NEW_GENERATION_SQL)
        finally:
            if waiting:  # gave up: the transaction is over, the session's lock is not
                with suppress(DatabaseError), connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [WAITING_LOCK])
            lock.release()


def _wait_first(cursor: Any, deadline: float) -> bool:
    """Take the waiting lock: a session lock, released once the writers' lock is held (a
    transaction's lock could not be), and with the session if its process dies."""
    while True:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [WAITING_LOCK])
        if cursor.fetchone()[0]:
            return True
        if time.monotonic() >= deadline:
            raise IndexBusy("another rebuild is waiting for the index")
        time.sleep(0.01)  # or an applier was looking: that takes a moment


def _nobody_waits(cursor: Any) -> bool:
    """Whether no rebuild waits for the writers' lock: the waiting lock taken shared, at once let go."""
    cursor.execute(
        "SELECT CASE WHEN pg_try_advisory_lock_shared(%s) THEN pg_advisory_unlock_shared(%s) ELSE false END",
        [WAITING_LOCK, WAITING_LOCK],
    )
    return bool(cursor.fetchone()[0])
