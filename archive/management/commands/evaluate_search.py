"""python manage.py evaluate_search QUERIES.json: success@k of known-item queries by language and category."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from archive.search import QueryRefused, SearchParameters, search_turns

FILTER_KEYS = ("language", "speaker", "topic", "kind", "date_from", "date_to")


def evaluate(queries: list[dict[str, Any]], k: int) -> dict[tuple[str, str], list[bool]]:
    """(language, category) -> one success flag per query: its target among the first k results."""
    outcomes: dict[tuple[str, str], list[bool]] = defaultdict(list)
    for item in queries:
        filters: dict[str, Any] = {}
        for key, value in (item.get("filter") or {}).items():
            if key not in FILTER_KEYS:
                raise CommandError(f"query {item.get('id')}: unknown filter {key!r}")
            filters[key] = date.fromisoformat(value) if key.startswith("date_") else value
        target = (item["target"]["slug"], int(item["target"]["position"]))
        try:
            page = search_turns(SearchParameters(q=item["q"], page_size=k, **filters))
            found = [(hit.transcript.slug, hit.turn.position) for hit in page.results]
        except QueryRefused:
            found = []
        outcomes[(item.get("language", "?"), item.get("category", "?"))].append(target in found)
    return outcomes


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

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["queries"]
        try:
            spec = json.loads(path.read_text(encoding="utf-8"))
            queries = spec["queries"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise CommandError(f"{path}: not a queries file ({exc})") from exc
        k = options["k"] or int(spec.get("k", 10))
        outcomes = evaluate(queries, k)
        self.stdout.write(f"{'language':<10} {'category':<10} {'queries':>7} {'success@' + str(k):>10}")
        worst = 1.0
        for (language, category), flags in sorted(outcomes.items()):
            score = sum(flags) / len(flags)
            worst = min(worst, score)
            self.stdout.write(f"{language:<10} {category:<10} {len(flags):>7} {score:>10.2f}")
        everything = [flag for flags in outcomes.values() for flag in flags]
        overall = sum(everything) / max(1, len(everything))
        self.stdout.write(f"{'all':<10} {'':<10} {len(everything):>7} {overall:>10.2f}")
        if options["show_failures"]:
            for item in queries:
                target = (item["target"]["slug"], int(item["target"]["position"]))
                page = search_turns(SearchParameters(q=item["q"], page_size=k, **(item.get("filter") or {})))
                if target not in [(h.transcript.slug, h.turn.position) for h in page.results]:
                    self.stdout.write(f"missed: {item.get('id')}: {item['q']!r} -> {target[0]} #{target[1]}")
        if options["fail_under"] is not None and worst < options["fail_under"]:
            raise CommandError(f"a category scored {worst:.2f}, below {options['fail_under']:.2f}")
