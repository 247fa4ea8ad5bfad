"""Query-side analysis shared by the backends and the highlighter."""

from __future__ import annotations

from functools import lru_cache

from archive.search import analysis


@lru_cache(maxsize=20_000)
def analyzed(key: str, text: str) -> tuple[tuple[str, ...], ...]:
    """The query-mode tokens of `text` under `key`'s analysis, grouped by position.

    Alternatives at one position (a Hebrew word with and without its prefix letter) form one
    group; a word the analysis splits (Chinese, Japanese) gives several groups.
    """
    groups: dict[int, list[str]] = {}
    for token in analysis.analyzer_for(key)(text, mode="query", positions=True):
        group = groups.setdefault(token.pos, [])
        if token.text not in group:
            group.append(token.text)
    return tuple(tuple(groups[pos]) for pos in sorted(groups))
