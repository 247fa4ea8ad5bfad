"""The search evaluation (`manage.py evaluate_search QUERIES.json`): success@k of known-item queries.

Each query names the turn it should find (format: SHARED_DATA_DIR/eval/README.md); a query succeeds
when that turn is among the first k results of the current index. Scores are printed per
(language, category). Imports nothing.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

from archive.devtools.base import DevToolError, Write
from archive.search import QueryRefused, SearchParameters, search_turns

FILTER_KEYS = ("language", "speaker", "topic", "kind", "date_from", "date_to")


def evaluate(queries: list[dict[str, Any]], k: int) -> dict[tuple[str, str], list[bool]]:
    """(language, category) -> one success flag per query: its target among the first k results."""
    outcomes: dict[tuple[str, str], list[bool]] = defaultdict(list)
    for item in queries:
        filters: dict[str, Any] = {}
        for key, value in (item.get("filter") or {}).items():
            if key not in FILTER_KEYS:
                raise DevToolError(f"query {item.get('id')}: unknown filter {key!r}")
            filters[key] = date.fromisoformat(value) if key.startswith("date_") else value
        target = (item["target"]["slug"], int(item["target"]["position"]))
        try:
            page = search_turns(SearchParameters(q=item["q"], page_size=k, **filters))
            found = [(hit.transcript.slug, hit.turn.position) for hit in page.results]
        except QueryRefused:
            found = []
        outcomes[(item.get("language", "?"), item.get("category", "?"))].append(target in found)
    return outcomes


def run_evaluation(
    path: Path,
    *,
    write: Write,
    k: int | None = None,
    fail_under: float | None = None,
    show_failures: bool = False,
) -> None:
    """Print success@k per (language, category) and overall; k defaults to the file's, else 10.

    DevToolError if the file is not a queries file or a category scores below `fail_under`.
    """
    try:
        spec = json.loads(path.read_text(encoding="utf-8"))
        queries = spec["queries"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DevToolError(f"{path}: not a queries file ({exc})") from exc
    k = k or int(spec.get("k", 10))
    outcomes = evaluate(queries, k)
    write(f"{'language':<10} {'category':<10} {'queries':>7} {'success@' + str(k):>10}")
    worst = 1.0
    for (language, category), flags in sorted(outcomes.items()):
        score = sum(flags) / len(flags)
        worst = min(worst, score)
        write(f"{language:<10} {category:<10} {len(flags):>7} {score:>10.2f}")
    everything = [flag for flags in outcomes.values() for flag in flags]
    overall = sum(everything) / max(1, len(everything))
    write(f"{'all':<10} {'':<10} {len(everything):>7} {overall:>10.2f}")
    if show_failures:
        for item in queries:
            target = (item["target"]["slug"], int(item["target"]["position"]))
            page = search_turns(SearchParameters(q=item["q"], page_size=k, **item.get("filter") or {}))
            if target not in [(h.transcript.slug, h.turn.position) for h in page.results]:
                write(f"missed: {item.get('id')}: {item['q']!r} -> {target[0]} #{target[1]}")
    if fail_under is not None and worst < fail_under:
        raise DevToolError(f"a category scored {worst:.2f}, below {fail_under:.2f}")
