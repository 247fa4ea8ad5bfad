"""`manage.py benchmark_typos`: exact queries against the same queries with one typo.

Each known-item query of category `exact` (default: shared/eval/dev.json) is searched as
written with typo tolerance off (as before it existed) and on, and with one typing error in its
longest word (a letter dropped); all through
`search_turns`, on the archive and index the settings name (point DATABASE_URL and
SEARCH_INDEX_DIR at a throw-away copy holding the corpus). Prints the latencies of each, their
ratio and how often the typo query still finds its target in the first ten. Quick: a few
seconds on the sample corpus; see docs/search-typos.md.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from archive.devtools.base import DevToolError, Write
from archive.devtools.benchmarks.queries import known_item_queries
from archive.devtools.measure import percentile
from archive.search import QueryRefused, SearchParameters, search_turns
from archive.search.compiler import typo_distance


def with_typo(q: str) -> str | None:
    """`q` with the second-to-last letter of its longest correctable word dropped; None if none."""
    words = q.split()
    candidates = [w for w in words if typo_distance(w) and w.isalpha()]
    if not candidates:
        return None
    longest = max(candidates, key=len)
    typo = longest[:-2] + longest[-1]
    return " ".join(typo if w == longest else w for w in words)


def run_typo_benchmark(*, queries: Path | None, rounds: int, write: Write) -> None:
    """Time each exact known-item query as typed, exact and with a typo; print the figures."""
    path = known_item_queries(queries)
    if not path.exists():
        raise DevToolError(f"{path}: no such queries file")
    pairs: list[tuple[dict[str, Any], str]] = []
    for item in json.loads(path.read_text(encoding="utf-8"))["queries"]:
        typo = with_typo(item["q"]) if item.get("category") == "exact" else None
        if typo is not None:
            pairs.append((item, typo))
    if not pairs:
        raise DevToolError(f"{path}: no exact query with a word typo tolerance corrects")
    search_turns(SearchParameters(q="warm up"))  # opens the index
    # "as typed": the exact query with typo tolerance off, as searched before it existed.
    timings: dict[str, list[float]] = {"as typed": [], "exact": [], "typo": []}
    found = corrected = 0
    for item, typo in pairs:
        filters = item.get("filter") or {}
        for kind, q in (("as typed", item["q"]), ("exact", item["q"]), ("typo", typo)):
            for _ in range(rounds):
                started = time.perf_counter()
                try:
                    page = search_turns(
                        SearchParameters(q=q, page_size=10, typos=kind != "as typed", **filters)
                    )
                except QueryRefused:
                    continue
                timings[kind].append((time.perf_counter() - started) * 1000)
            if kind == "typo":
                target = (item["target"]["slug"], item["target"]["position"])
                hits = [(h.transcript.slug, h.turn.position) for h in page.results]
                found += target in hits
                corrected += page.corrected is not None
    write(f"queries                {len(pairs)} exact, each also with one typo; {rounds} rounds")
    for kind, values in timings.items():
        write(f"  {kind:<9} " + "   ".join(f"p{p} {percentile(values, p):7.1f} ms" for p in (50, 95, 99)))
    ratio = percentile(timings["typo"], 95) / max(percentile(timings["exact"], 95), 1e-9)
    write(f"typo p95 / exact p95   {ratio:.2f}")
    write(f"typo queries corrected {corrected} of {len(pairs)}; target in the first ten {found}")
