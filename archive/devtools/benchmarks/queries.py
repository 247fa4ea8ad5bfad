"""The searches the benchmarks time: the shared known-item queries and kinds of query beyond them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings

# Queries beyond the known-item ones: phrases, OR, exclusion, fields, prefixes, filters, browsing.
EXTRA_QUERIES: list[dict[str, Any]] = [
    {"q": '"press secretary"'},
    {"q": "economy OR inflation"},
    {"q": "vaccine -covid"},
    {"q": "kind:question ukraine"},
    {"q": "educacion publica"},
    {"q": "sanction*"},
    {"q": "תכניות החינוך"},
    {"q": "經濟 合作"},
    {"q": "オリンピック 準備"},
    {"q": "cooperation", "language": "zh-Hans"},
    {"q": "president", "sort": "-date"},
    {"q": "", "kind": "answer", "language": "es"},
]


def known_item_queries(path: Path | None = None) -> Path:
    """`path`, else the shared known-item queries (SHARED_DATA_DIR/eval/dev.json)."""
    return path or Path(settings.SHARED_DATA_DIR) / "eval" / "dev.json"


def query_mix(path: Path | None) -> list[dict[str, Any]]:
    """EXTRA_QUERIES and each known-item query with its filters (if the file is there)."""
    path = known_item_queries(path)
    mix = list(EXTRA_QUERIES)
    if path.exists():
        for item in json.loads(path.read_text(encoding="utf-8"))["queries"]:
            mix.append({"q": item["q"], **(item.get("filter") or {})})
    return mix


def query_kind(params: dict[str, Any]) -> str:
    """What a query of the mix exercises, for latency per kind."""
    q = str(params.get("q", ""))
    filters = {k for k in params if k != "q"}
    if not q.strip():
        return "browse (filters only)"
    language = str(params.get("language", ""))
    if language and language.split("-")[0] not in ("en", "es") and q.isascii():
        return "cross-language"
    if filters or any(f"{name}:" in q for name in ("kind", "speaker", "topic", "lang")):
        return "filters"
    if '"' in q:
        return "phrase"
    if " OR " in q or q.startswith("-") or " -" in q or "*" in q:
        return "OR, NOT, prefix"
    words = len(q.split())
    return {1: "one word", 2: "two words (AND)"}.get(words, "three+ words (AND)")
