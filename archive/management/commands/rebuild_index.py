"""python manage.py rebuild_index: a fresh search index of every published turn, swapped in atomically."""

from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from archive.models import Transcript, Turn
from archive.search import analysis, indexer
from archive.search.errors import IndexBusy


class Command(BaseCommand):
    help = (
        "Rebuild the search index beside the live one and swap it in atomically; "
        "searches keep answering meanwhile."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")
        parser.add_argument(
            "--wait", type=float, default=60.0, help="seconds to wait for another writer (default 60)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # Lemma dictionaries are unpacked once, here, rather than by each indexing worker at once.
        tags = {*Transcript.objects.values_list("language", flat=True).distinct()}
        tags |= {*Turn.objects.exclude(language="").values_list("language", flat=True).distinct()}
        analysis.prepare_languages(tags)
        total = indexer.total_turns()
        show = not options["no_progress"] and sys.stderr.isatty()
        bar = tqdm(total=total, unit="turn", disable=not show, file=sys.stderr, smoothing=0.1)
        started = time.perf_counter()
        try:
            count = indexer.rebuild(progress=bar.update, wait=options["wait"])
        except IndexBusy as exc:
            raise CommandError(f"the index is busy ({exc}); try again, or stop run_indexer first") from exc
        finally:
            bar.close()
        elapsed = max(time.perf_counter() - started, 1e-9)
        self.stdout.write(
            f"Indexed {count} turns in {elapsed:.1f} s ({count / elapsed:,.0f} turns/s); "
            "the new index is live."
        )
