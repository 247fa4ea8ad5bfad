"""python manage.py benchmark_search [--turns N]: build rate, index size and API latency on the real corpus.

The benchmark itself, and what it does step by step: archive/devtools/benchmarks/search.py (and
docs/performance.md). It runs this command again for its child process (--child) and for each
step (--phase), on a throw-away database and index.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from archive.devtools.base import DevToolError
from archive.devtools.benchmarks.options import PHASES, SearchBenchmarkOptions
from archive.devtools.benchmarks.phases import phase_figures
from archive.devtools.benchmarks.search import run_child, run_search_benchmark


def phase_list(value: str) -> tuple[str, ...]:
    """--phases: some of PHASES, comma-separated, kept in PHASES' order."""
    names = {name.strip() for name in value.split(",") if name.strip()}
    unknown = names - set(PHASES)
    if unknown or not names:
        named = ", ".join(sorted(unknown)) or repr(value)
        raise argparse.ArgumentTypeError(
            f"not steps of the benchmark: {named} (they are {', '.join(PHASES)})"
        )
    return tuple(name for name in PHASES if name in names)


class Command(BaseCommand):
    help = "Benchmark index build rate, size and API search latency against a bare Whoosh index."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--turns", type=int, default=None, help="index this many turns (default: all)")
        parser.add_argument("--source", type=Path, help="a folder of qa-archive/1 files (skips normalizing)")
        parser.add_argument("--queries", type=Path, help="known-item queries (default: shared/eval/dev.json)")
        parser.add_argument("--rounds", type=int, default=5, help="times the query mix is run (5)")
        parser.add_argument("--workdir", type=Path, help="keep the database and indexes here")
        parser.add_argument(
            "--backends",
            help="compare search backends side by side instead, e.g. whoosh,postgres (build, size, latency)",
        )
        parser.add_argument(
            "--pg-url",
            help="an empty, throw-away PostgreSQL database for --backends (needed with postgres; the "
            "archive is kept there for every backend compared)",
        )
        parser.add_argument(
            "--clients", type=int, default=16, help="concurrent clients per backend with --backends (16)"
        )
        parser.add_argument(
            "--load-seconds",
            type=float,
            default=30,
            help="how long the concurrent clients search with --backends (30; 0 skips that step)",
        )
        parser.add_argument(
            "--web-workers", type=int, default=3, help="gunicorn workers serving the concurrent clients (3)"
        )
        parser.add_argument("--no-bare", action="store_true", help="skip the bare Whoosh comparison")
        parser.add_argument(
            "--phases",
            type=phase_list,
            default=PHASES,
            help="run only these of import,rebuild,export,serve again in --workdir; the others' figures "
            "are those its last run kept (figures.ndjson)",
        )
        # What the benchmark runs in its own processes: the child on the throw-away database, a step.
        parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
        parser.add_argument("--phase", choices=PHASES, help=argparse.SUPPRESS)

    def handle(self, *args: Any, **options: Any) -> None:
        chosen = SearchBenchmarkOptions.from_options(options)
        try:
            if options["phase"]:
                # The last line of a phase's output is its figures, for the child that started it.
                self.stdout.write(json.dumps(phase_figures(options["phase"], chosen, self.stderr.write)))
            elif options["child"]:
                run_child(chosen, self.stdout.write, self.stderr.write)
            else:
                run_search_benchmark(chosen, self.stdout.write)
        except DevToolError as exc:
            raise CommandError(str(exc)) from exc
