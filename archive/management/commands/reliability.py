"""manage.py reliability [load] [faults] [pg-restart]: the production reliability runs (make reliability).

The runs themselves: archive/devtools/reliability/runs.py (and docs/reliability.md).
"""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from archive.devtools.base import DevToolError
from archive.devtools.reliability.runs import PG_RESTART, STEPS, ReliabilityOptions, run_reliability


class Command(BaseCommand):
    help = (
        "Load, fault and PostgreSQL-restart runs against gunicorn and the indexer on a throw-away "
        "archive; prints figures and exits non-zero when a check fails."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "steps", nargs="*", help=f"of {', '.join(STEPS)}; default: all (pg-restart: PostgreSQL only)"
        )
        parser.add_argument("--duration", type=float, default=60, help="seconds of load (60)")
        parser.add_argument("--searchers", type=int, default=32, help="concurrent searchers under load (32)")
        parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (3, as make serve)")
        parser.add_argument("--kills", type=int, default=20, help="SIGKILLs per fault phase (20)")
        parser.add_argument("--transcripts", type=int, default=200, help="transcripts in the archive (200)")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--pg-restart-command", default=PG_RESTART)
        parser.add_argument("--keep", action="store_true", help="keep the temp dir (logs, index) afterwards")

    def handle(self, *args: Any, **options: Any) -> None:
        chosen = ReliabilityOptions(
            steps=tuple(options["steps"]),
            duration=options["duration"],
            searchers=options["searchers"],
            workers=options["workers"],
            kills=options["kills"],
            transcripts=options["transcripts"],
            seed=options["seed"],
            pg_restart_command=options["pg_restart_command"],
            keep=options["keep"],
        )
        try:
            run_reliability(chosen, database_url=os.environ.get("DATABASE_URL", ""), say=self.say)
        except DevToolError as exc:
            raise CommandError(str(exc)) from exc

    def say(self, line: str) -> None:
        # Flushed line by line: a run takes tens of minutes and its progress should show as it goes.
        self.stdout.write(line)
        self.stdout.flush()
