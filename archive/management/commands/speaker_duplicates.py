"""python manage.py speaker_duplicates [--format text|json] [--min-similarity 0.75]"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from archive.duplicates import MIN_SIMILARITY, find_duplicates


class Command(BaseCommand):
    help = (
        "List people who are likely one person, with the evidence (name similarity, shared "
        "transcripts, same role). Nothing is merged: merge in the admin."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument(
            "--min-similarity",
            type=float,
            default=MIN_SIMILARITY,
            help=f"leave out pairs less alike than this (0 to 1; default {MIN_SIMILARITY})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        found = find_duplicates(min_similarity=options["min_similarity"])
        if options["format"] == "json":
            self.stdout.write(json.dumps([s.as_dict() for s in found], ensure_ascii=False, indent=2))
            return
        for suggestion in found:
            other = suggestion.other
            where = f" ({other['slug']})" if other["slug"] else " (not a speaker yet)"
            self.stdout.write(
                f"{suggestion.speaker['name']} ({suggestion.speaker['slug']}) ~ {other['name']}{where}"
                f"  [{suggestion.similarity}]"
            )
            for line in suggestion.evidence:
                self.stdout.write(f"    {line}")
        self.stderr.write(f"{len(found)} likely duplicate(s)")
