"""python manage.py purge_index: remove every trace of deleted documents from the search index.

After a redaction the index no longer finds or suggests the removed words, but the old
documents' terms stay in the index's files until they are rewritten. This rewrites them (Whoosh:
the segments holding deleted documents; PostgreSQL: the terms no document holds). It takes about
as long as a rebuild of those segments: run it off-peak, e.g. nightly, or after redactions.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from archive.search.backends import get_search_backend
from archive.search.errors import IndexBusy


class Command(BaseCommand):
    help = "Remove deleted documents' terms from the search index's files (after redactions)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--wait", type=float, default=60.0, help="seconds to wait for the index")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        try:
            get_search_backend().expunge(wait=options["wait"])
        except IndexBusy as exc:
            raise CommandError(f"the index is busy ({exc}); try again later") from None
        self.stdout.write(f"purged the search index in {time.perf_counter() - started:.1f} s")
