"""Query-side analysis shared by the backends and the highlighter."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
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


def edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance of a and b, or limit + 1 once it exceeds limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1] if previous[-1] <= limit else limit + 1


def surface_word(key: str, texts: Iterable[str], term: str, typed: str) -> str | None:
    """The word as written in `texts` whose analysis under `key` gives `term`, or None.

    Of several forms (tariff, tariffs, Tariffs) the closest to what the reader typed wins, then
    the commonest; a reader who typed in lower case gets the word in lower case.
    """
    forms: Counter[str] = Counter()
    lower = typed == typed.lower()
    analyzer = analysis.analyzer_for(key)
    for text in texts:
        for token in analyzer(text, chars=True):
            if token.text == term:
                form = text[token.startchar : token.endchar]
                forms[form.lower() if lower else form] += 1
    if not forms:
        return None
    folded = typed.lower()
    return min(
        forms,
        key=lambda form: (edit_distance(folded, form.lower(), len(form) + len(typed)), -forms[form], form),
    )
