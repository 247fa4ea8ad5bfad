"""python manage.py check_index [--repair]: compare the search index with the database."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from archive.models import Transcript, Turn
from archive.search import analysis, indexer

SHOWN = 20


class Command(BaseCommand):
    help = (
        "List turns missing from the search index, stale documents and extra ones; exit 1 when any "
        "are found. --repair mends them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--repair", action="store_true", help="re-index what is missing or stale")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        show = not options["no_progress"] and sys.stderr.isatty()
        bar = tqdm(total=indexer.total_turns(), unit="turn", disable=not show, file=sys.stderr)
        report = indexer.check(progress=bar.update)
        bar.close()
        for label, docs in (("missing", report.missing), ("stale", report.stale)):
            for doc in docs[:SHOWN]:
                self.stdout.write(f"{label}: {doc.slug} #{doc.position}")
            if len(docs) > SHOWN:
                self.stdout.write(f"{label}: ... and {len(docs) - SHOWN} more")
        for turn_id in report.extra[:SHOWN]:
            self.stdout.write(f"extra: document of turn id {turn_id} (not a published turn)")
        if len(report.extra) > SHOWN:
            self.stdout.write(f"extra: ... and {len(report.extra) - SHOWN} more")
        self._report_generic_languages()
        summary = (
            f"{len(report.missing)} missing, {len(report.stale)} stale, {len(report.extra)} extra; "
            f"{report.pending} change(s) waiting in the outbox"
        )
        if report.ok:
            self.stdout.write(f"The index matches the database ({summary}).")
            return
        if not options["repair"]:
            raise CommandError(f"The index differs from the database: {summary}. Run with --repair.")
        indexer.repair(report)
        after = indexer.check()
        if not after.ok:
            raise CommandError(
                f"Repair left {len(after.missing)} missing, {len(after.stale)} stale, "
                f"{len(after.extra)} extra (a concurrent change? run again)."
            )
        self.stdout.write(f"Repaired: {summary}. The index now matches the database.")

    def _report_generic_languages(self) -> None:
        """Languages searched with the generic analysis (words as written), so curators know."""
        tags = set(Transcript.objects.values_list("language", flat=True).distinct())
        tags |= set(Turn.objects.exclude(language="").values_list("language", flat=True).distinct())
        for tag in analysis.generic_languages(tags):
            transcripts = Transcript.objects.filter(language=tag).count()
            turns = Turn.objects.filter(language=tag).count()
            self.stdout.write(
                f"generic: language {tag} has no analysis of its own (words as written, no stemming): "
                f"{transcripts} transcript(s), {turns} turn(s) tagged so"
            )
