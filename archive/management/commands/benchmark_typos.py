"""python manage.py benchmark_typos: exact queries against the same queries with one typo.

The benchmark itself: archive/devtools/benchmarks/typos.py (and docs/search-typos.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from archive.devtools.base import DevToolError
from archive.devtools.benchmarks.typos import run_typo_benchmark


class Command(BaseCommand):
    help = "Latency of exact queries against the same queries with one typo (typo tolerance's cost)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--queries", type=Path, help="known-item queries (default: shared/eval/dev.json)")
        parser.add_argument("--rounds", type=int, default=3, help="times each query is timed (3)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            run_typo_benchmark(queries=options["queries"], rounds=options["rounds"], write=self.stdout.write)
        except DevToolError as exc:
            raise CommandError(str(exc)) from exc
