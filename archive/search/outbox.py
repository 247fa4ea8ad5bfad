"""The outbox: changes to index, written in the same transaction as the change itself.

`enqueue(transcript_id)` inserts a SearchOutbox row; a rolled-back transaction takes the row
with it, a committed one keeps it until the indexer has applied it, even if every process
dies in between. One row per transcript and transaction: a re-import that deletes 500
turns writes one row, not 500.

After commit, in the default `SEARCH_INDEXER = "inline"` mode, the committing process applies
the outbox itself (one process: runserver, tests, a single worker). With several web
processes set `SEARCH_INDEXER = "worker"` and run `manage.py run_indexer`: web processes
then never write the index.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connection, transaction

from archive.models import SearchOutbox

log = logging.getLogger(__name__)


class _Enqueued:
    """An on-commit callback marking "transcript X is in the outbox in this transaction".

    Django drops on-commit callbacks of a rolled-back savepoint together with the rows written
    in it, so a marker is present exactly when its row is: the dedup stays right under
    savepoint rollbacks. (Call `indexer.drain()` outside transactions: a drain inside one
    consumes rows this dedup still counts on.)
    """

    def __init__(self, transcript_id: int, row_id: int) -> None:
        self.transcript_id = transcript_id
        self.row_id = row_id
        self.done = False  # run already (tests run on-commit callbacks inside a transaction)

    def __call__(self) -> None:
        self.done = True
        # The first marker of a transaction applies every row; the others find theirs done.
        if indexer_mode() == "inline" and SearchOutbox.objects.filter(pk=self.row_id).exists():
            apply_after_commit()


def indexer_mode() -> str:
    return str(getattr(settings, "SEARCH_INDEXER", "inline"))


def enqueue(transcript_id: int | None) -> bool:
    """Put a transcript in the outbox; False when this transaction already did."""
    if transcript_id is None:
        return False
    if connection.in_atomic_block:
        for entry in connection.run_on_commit:  # (savepoint ids, callback, robust)
            func = entry[1]
            if isinstance(func, _Enqueued) and func.transcript_id == transcript_id and not func.done:
                return False
    row = SearchOutbox.objects.create(transcript_id=transcript_id)
    transaction.on_commit(_Enqueued(transcript_id, row.pk), robust=True)
    return True


def enqueue_many(transcript_ids: set[int] | list[int]) -> None:
    for transcript_id in sorted(set(transcript_ids)):
        enqueue(transcript_id)


_applying = False


def apply_after_commit() -> None:
    """Apply the outbox now (inline mode); a failure leaves the rows for the next run."""
    global _applying
    if _applying:  # one callback drains everything; the transaction's other markers find nothing
        return
    from archive.search.indexer import drain

    _applying = True
    try:
        drain(wait=0.0)
    except Exception:  # never fail the request that made the change: the rows stay
        log.exception("search indexing failed; the outbox keeps the changes for the next run")
    finally:
        _applying = False
