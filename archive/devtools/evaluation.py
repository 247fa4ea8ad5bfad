"""The search evaluation (`manage.py evaluate_search QUERIES.json`): success@k of known-item queries.

Each query names the turn it should find (format: SHARED_DATA_DIR/eval/README.md); a query succeeds
when that turn is among the first k results of the current index. Scores are printed per
(language, category). Imports nothing.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

from archive.devtools.base import DevToolError, Write
from archive.search import QueryRefused, SearchParameters, search_turns

FILTER_KEYS = ("language", "speaker", "topic", "kind", "date_from", "date_to")
# The slug of a copy that `benchmark_search --turns N` makes when it repeats the corpus.
COPY_SUFFIX = re.compile(r"-r\d+$")
COPIES_PAGE = 100  # results read to find k distinct turns among copies (about ten of each at 1M)


def found_turns(page: Any, k: int, *, copies: bool = False) -> list[tuple[str, int]]:
    """(slug, position) of the first k results; with `copies`, of the first k distinct turns, each
    copy of a repeated corpus read as its original (ten copies of one turn are one result)."""
    if not copies:
        return [(hit.transcript.slug, hit.turn.position) for hit in page.results][:k]
    found = (COPY_SUFFIX.sub("", hit.transcript.slug) for hit in page.results)
    distinct = dict.fromkeys(zip(found, (hit.turn.position for hit in page.results), strict=True))
    return list(distinct)[:k]


def evaluate(
    queries: list[dict[str, Any]],
    k: int,
    *,
    copies: bool = False,
    missed: list[dict[str, Any]] | None = None,
) -> dict[tuple[str, str], list[bool]]:
    """(language, category) -> one success flag per query: its target among the first k results.

    With `copies` (a corpus repeated under varied slugs), the copies of a turn count as one result
    and a copy of the target as the target: the same text, which ties with it in every ranking.
    The queries that missed are appended to `missed`, if given.
    """
    size = COPIES_PAGE if copies else k
    outcomes: dict[tuple[str, str], list[bool]] = defaultdict(list)
    for item in queries:
        filters: dict[str, Any] = {}
        for key, value in (item.get("filter") or {}).items():
            if key not in FILTER_KEYS:
                raise DevToolError(f"query {item.get('id')}: unknown filter {key!r}")
            filters[key] = date.fromisoformat(value) if key.startswith("date_") else value
        target = (item["target"]["slug"], int(item["target"]["position"]))
        try:
            page = search_turns(SearchParameters(q=item["q"], page_size=size, **filters))
            found = found_turns(page, k, copies=copies)
        except QueryRefused:
            found = []
        outcomes[(item.get("language", "?"), item.get("category", "?"))].append(target in found)
        if missed is not None and target not in found:
            missed.append(item)
    return outcomes


def run_evaluation(
    path: Path,
    *,
    write: Write,
    k: int | None = None,
    fail_under: float | None = None,
    show_failures: bool = False,
    copies: bool = False,
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
    missed: list[dict[str, Any]] = []
    outcomes = evaluate(queries, k, copies=copies, missed=missed)
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
        for item in missed:
            target = item["target"]
            write(f"missed: {item.get('id')}: {item['q']!r} -> {target['slug']} #{target['position']}")
    if fail_under is not None and worst < fail_under:
        raise DevToolError(f"a category scored {worst:.2f}, below {fail_under:.2f}")
