"""python manage.py export_transcripts [--format F] [--output PATH] [--slug S ...] [--include-drafts]
[--public]"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from archive.exporters import EXPORTERS, get_exporter
from archive.exporters.base import Exporter
from archive.models import Transcript
from archive.people import real_names
from archive.selectors import iterate_for_export, transcripts_for_export


class Command(BaseCommand):
    help = (
        "Export transcripts (published only unless --include-drafts). "
        "ndjson, csv and txt stream to stdout by default; json, vtt and srt write one file per "
        "transcript into a folder."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", default="ndjson", choices=sorted(EXPORTERS))
        parser.add_argument(
            "--output",
            help="a file (a folder for one-file-per-transcript formats); default: standard output",
        )
        parser.add_argument("--slug", action="append", default=[], help="only this transcript (repeatable)")
        parser.add_argument("--include-drafts", action="store_true", help="drafts and review too")
        parser.add_argument(
            "--public",
            action="store_true",
            help="private speakers under their pseudonyms, as the public sees them (default: real "
            "names, as a curator's export and a backup need them)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with real_names(not options["public"]):
            self._export(options)

    def _export(self, options: dict[str, Any]) -> None:
        exporter = get_exporter(options["format"])
        queryset = transcripts_for_export(slugs=options["slug"], include_drafts=options["include_drafts"])
        if options["slug"]:  # not without: the whole archive's slugs would be a list growing with it
            missing = set(options["slug"]) - set(queryset.values_list("slug", flat=True))
            if missing:
                raise CommandError(f"no such transcript (or not published): {', '.join(sorted(missing))}")
        output = options["output"]

        if exporter.one_file_per_transcript and not (output is None and len(options["slug"]) == 1):
            if output is None:
                raise CommandError(
                    f"--format {exporter.name} writes one file per transcript: give --output DIR"
                )
            folder = Path(output)
            folder.mkdir(parents=True, exist_ok=True)
            count = 0
            for transcript in iterate_for_export(queryset):
                (folder / exporter.filename(transcript)).write_text(exporter.render(transcript), "utf-8")
                self._notify(exporter, transcript)
                count += 1
            self.stderr.write(f"wrote {count} {exporter.extension} files into {folder}")
            return

        chunks = exporter.stream(self._notifying(exporter, iterate_for_export(queryset)))
        if output is None:
            for chunk in chunks:
                self.stdout.write(chunk, ending="")
            self.stdout.flush()
        else:
            with open(output, "w", encoding="utf-8", newline="") as handle:
                for chunk in chunks:
                    handle.write(chunk)

    def _notify(self, exporter: Exporter, transcript: Transcript) -> None:
        for notice in exporter.notices(transcript):
            self.stderr.write(f"note: {notice}")

    def _notifying(self, exporter: Exporter, transcripts: Iterator[Transcript]) -> Iterator[Transcript]:
        for transcript in transcripts:
            self._notify(exporter, transcript)
            yield transcript
