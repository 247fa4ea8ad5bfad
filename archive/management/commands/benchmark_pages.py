"""python manage.py benchmark_pages: time the public transcript page on a large transcript.

The benchmark itself: archive/devtools/benchmarks/pages.py (and docs/performance.md).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from archive.devtools.base import DevToolError
from archive.devtools.benchmarks.pages import run_pages_benchmark


class Command(BaseCommand):
    help = "Measure how long the transcript page takes to render for a transcript of many turns."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--turns", type=int, default=3000)
        parser.add_argument("--runs", type=int, default=5)

    def handle(self, *args: Any, turns: int, runs: int, **options: Any) -> None:
        try:
            run_pages_benchmark(turns=turns, runs=runs, write=self.stdout.write)
        except DevToolError as exc:
            raise CommandError(str(exc)) from exc
