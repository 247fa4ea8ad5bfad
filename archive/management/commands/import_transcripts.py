"""python manage.py import_transcripts PATH... [--dry-run]"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from archive.importers import RawDocument, collect_files, import_documents, read_files, supported_extensions
from archive.interchange import DocumentError


class Command(BaseCommand):
    help = (
        "Import transcripts from files or folders (recursively): "
        f"{', '.join(supported_extensions())}. A re-import replaces the transcript with the same slug."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument("--dry-run", action="store_true", help="validate everything, write nothing")
        parser.add_argument(
            "--strict",
            action="store_true",
            help="reject a document with a key the format does not know (default: warn and ignore it)",
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="no progress bar (it only shows on a terminal)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        files = collect_files(options["paths"])
        if not files:
            raise CommandError("no importable files found in " + ", ".join(options["paths"]))
        show_progress = not options["no_progress"] and sys.stderr.isatty()
        progress = tqdm(total=len(files), unit="file", disable=not show_progress, file=sys.stderr)
        current_source: list[str] = []

        def on_document(raw: RawDocument, error: DocumentError | None) -> None:
            if error is not None and show_progress:
                progress.write(f"rejected: {error}", file=sys.stderr)  # keeps the bar below the message
            elif error is not None:
                self.stderr.write(f"rejected: {error}")
            if not current_source or current_source[-1] != raw.source:
                if current_source:
                    progress.update(1)
                current_source.append(raw.source)

        report = import_documents(
            read_files(files), dry_run=options["dry_run"], strict=options["strict"], on_document=on_document
        )
        progress.update(progress.total - progress.n)
        progress.close()
        for warning in report.warnings:
            self.stderr.write(f"warning: {warning}")
        self.stdout.write(report.summary(dry_run=options["dry_run"]))
        if report.rejected:
            raise CommandError(f"{report.rejected} document(s) rejected", returncode=1)
