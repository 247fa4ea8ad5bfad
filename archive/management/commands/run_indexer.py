"""python manage.py run_indexer: the production indexer, applying the search outbox as it fills."""

from __future__ import annotations

import signal
import time
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from archive.search import indexer


class Command(BaseCommand):
    help = (
        "Apply search index changes from the outbox, continuously (set SEARCH_INDEXER=worker so web "
        "processes leave them to this worker). Run exactly one."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="apply what is pending, then exit")
        parser.add_argument("--interval", type=float, default=0.5, help="seconds between polls (0.5)")

    def handle(self, *args: Any, **options: Any) -> None:
        stopping = False

        def stop(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True  # finish the batch in hand: its rows are deleted only after the commit

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        if options["once"]:
            applied = indexer.drain(wait=30.0)
            self.stdout.write(f"Applied {applied} change(s); {indexer.pending()} waiting.")
            return
        self.stdout.write("Indexer running (Ctrl-C to stop).")
        while not stopping:
            close_old_connections()
            try:
                applied = indexer.drain(wait=5.0)
            except Exception as exc:  # a database hiccup: report it and go on polling
                self.stderr.write(f"indexing failed, retrying: {exc}")
                applied = 0
            if applied:
                self.stdout.write(f"applied {applied} change(s)")
            elif not stopping:
                time.sleep(options["interval"])
        self.stdout.write("Indexer stopped.")
