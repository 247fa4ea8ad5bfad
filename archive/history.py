"""The audit trail: who changed what among transcripts, turns and speakers (django-simple-history).

Each save by a curator (in the admin, or through the API's redactions) adds a full copy of the
row to a historical table, with the user, the date and a reason; the admin's "History" button
lists them. Imports are recorded by their transcript's entry alone: the turns they replace
wholesale would otherwise add a copy of every turn's text per import (`history_paused`).

Redaction scrubs these copies too (archive/redaction.py), or the history would keep the words.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from simple_history.models import HistoricalRecords

_state = threading.local()


@contextmanager
def history_paused() -> Iterator[None]:
    """No history rows for the saves and deletes in this block (this thread only)."""
    before = getattr(_state, "paused", False)
    _state.paused = True
    try:
        yield
    finally:
        _state.paused = before


def _paused() -> bool:
    return bool(getattr(_state, "paused", False))


class CuratedHistory(HistoricalRecords):  # type: ignore[misc]
    """simple-history's records, silent inside `history_paused()`."""

    def post_save(self, instance: Any, created: bool, using: Any = None, **kwargs: Any) -> None:
        if not _paused():
            super().post_save(instance, created, using=using, **kwargs)

    def post_delete(self, instance: Any, using: Any = None, **kwargs: Any) -> None:
        if not _paused():
            super().post_delete(instance, using=using, **kwargs)

    def m2m_changed(
        self, instance: Any, action: str, attr: Any, pk_set: Any, reverse: bool, **kwargs: Any
    ) -> None:
        if not _paused():
            super().m2m_changed(instance, action, attr, pk_set, reverse, **kwargs)
