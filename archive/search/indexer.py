"""The single indexer: applies the outbox, rebuilds and checks the index.

Only this module writes the index. `drain()` runs in-process after commit (inline mode)
or in a loop in `manage.py run_indexer` (worker mode); `rebuild()` and `check()` back the
`rebuild_index` and `check_index` commands.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from archive.models import SearchOutbox
from archive.search.backends import get_search_backend
from archive.search.documents import (
    IndexDocument,
    count_published_turns,
    iter_all_documents,
    transcript_documents,
)
from archive.search.errors import IndexBusy

log = logging.getLogger(__name__)

BATCH_TRANSCRIPTS = 100


def drain(wait: float = 0.0, batch: int = BATCH_TRANSCRIPTS) -> int:
    """Apply pending outbox rows to the index; returns how many rows were applied.

    Rows are deleted only after the index committed their documents, so a crash at any point
    leaves them for the next run (applying a row twice is harmless). When another writer
    holds the index, or a rebuild waits for it, past `wait`, this returns and the rows wait.
    """
    backend = get_search_backend()
    applied = 0
    while True:
        taken: list[int] = []

        def fetch(taken: list[int] = taken) -> dict[int, list[IndexDocument]]:
            rows = list(SearchOutbox.objects.order_by("pk").values_list("pk", "transcript_id")[: batch * 4])
            transcript_ids = list(dict.fromkeys(tid for _, tid in rows))[:batch]
            taken.extend(pk for pk, tid in rows if tid in set(transcript_ids))
            return transcript_documents(transcript_ids)

        try:
            backend.apply(fetch, wait=wait)
        except IndexBusy:
            log.info("search index busy; %d outbox rows wait for the next run", len(taken))
            return applied
        if not taken:
            return applied
        SearchOutbox.objects.filter(pk__in=taken).delete()
        applied += len(taken)


def pending() -> int:
    return SearchOutbox.objects.count()


def rebuild(progress: Callable[[int], None] | None = None, wait: float = 60.0) -> int:
    """A fresh index of every published turn, swapped in atomically; then the outbox is applied."""
    backend = get_search_backend()
    # Rows committed before the rebuild reads the database are covered by it: drop them after
    # the swap instead of indexing their transcripts twice. Later rows are applied as usual.
    covered = list(SearchOutbox.objects.values_list("pk", flat=True))
    count = backend.rebuild(iter_all_documents(), progress=progress, wait=wait)
    for start in range(0, len(covered), 5000):
        SearchOutbox.objects.filter(pk__in=covered[start : start + 5000]).delete()
    drain(wait=wait)
    return count


def total_turns() -> int:
    return count_published_turns()


@dataclass
class IndexReport:
    missing: list[IndexDocument] = field(default_factory=list)  # in the database, not the index
    stale: list[IndexDocument] = field(default_factory=list)  # indexed with other content
    extra: list[int] = field(default_factory=list)  # turn ids indexed but not (published) in the database
    pending: int = 0  # outbox rows not yet applied

    @property
    def ok(self) -> bool:
        return not (self.missing or self.stale or self.extra)


def check(progress: Callable[[int], None] | None = None) -> IndexReport:
    """Compare the index with the database, document by document (by content fingerprint)."""
    stored = get_search_backend().stored_documents()
    report = IndexReport(pending=pending())
    seen: set[int] = set()
    for doc in iter_all_documents():
        seen.add(doc.turn_id)
        held = stored.get(doc.turn_id)
        if held is None:
            report.missing.append(doc)
        elif held.fingerprint != doc.fingerprint or held.transcript_id != doc.transcript_id:
            report.stale.append(doc)
        if progress is not None:
            progress(1)
    report.extra = sorted(set(stored) - seen)
    return report


def repair(report: IndexReport, wait: float = 30.0) -> None:
    """Mend what `check` found: re-index the transcripts concerned, drop the extra documents."""
    backend = get_search_backend()
    transcript_ids = {doc.transcript_id for doc in [*report.missing, *report.stale]}
    if transcript_ids:
        backend.apply(lambda: transcript_documents(transcript_ids), wait=wait)
    if report.extra:
        backend.delete_documents(report.extra, wait=wait)
