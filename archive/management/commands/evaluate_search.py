"""python manage.py evaluate_search QUERIES.json: success@k of known-item queries by language and category.

The evaluation itself: archive/devtools/evaluation.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from archive.devtools.base import DevToolError
from archive.devtools.evaluation import run_evaluation


class Command(BaseCommand):
    help = (
        "Run known-item queries (format: ../shared/eval/README.md) against the current index and print "
        "success@k per (language, category). Imports nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("queries", type=Path, metavar="QUERIES.json")
        parser.add_argument("--k", type=int, default=None, help="cut-off (default: the file's k, else 10)")
        parser.add_argument(
            "--fail-under", type=float, default=None, help="exit 1 if a category scores below this"
        )
        parser.add_argument("--show-failures", action="store_true", help="list the queries that missed")
        parser.add_argument(
            "--copies",
            action="store_true",
            help="count a copy of the target (SLUG-rN, as benchmark_search --turns repeats the corpus) as it",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            run_evaluation(
                options["queries"],
                write=self.stdout.write,
                k=options["k"],
                fail_under=options["fail_under"],
                show_failures=options["show_failures"],
                copies=options["copies"],
            )
        except DevToolError as exc:
            raise CommandError(str(exc)) from exc
