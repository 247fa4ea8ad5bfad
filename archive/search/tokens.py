"""Query-side analysis shared by the backends and the highlighter."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import TypeVar

from rapidfuzz.distance import OSA

from archive.search import analysis

# Did-you-mean, the same in every backend: close stems of the turns' text, read back as words.
SUGGEST_DISTANCE = 2  # edits a did-you-mean candidate may differ by
SURFACE_CANDIDATES = 3  # closest terms read back as words to pick the suggestion from
SURFACE_POSTINGS = 100  # documents holding a suggested term read to find turns it is written in
SURFACE_TURNS = 3  # of them, the turns read back (the densest: short turns are cheap to analyze)

Where = TypeVar("Where")


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
    """Edits from a to b (insert, delete, replace, or swap two neighbouring letters: a third of
    typing errors are swaps), or limit + 1 once it exceeds limit."""
    return int(OSA.distance(a, b, score_cutoff=limit))


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


def suggest_distance(token: str) -> int:
    """Edits a candidate may differ from `token` by: two edits make any short word another."""
    return 1 if len(token) <= 4 else SUGGEST_DISTANCE


def closest_word(
    word: str, stems: Sequence[tuple[Where, str]], surface: Callable[[Where, str, str], str]
) -> str | None:
    """The suggestion for `word`: of the closest stems (closest first, then commonest), each of the
    first SURFACE_CANDIDATES read back as a word by `surface(where, term, word)`, the one nearest to what
    was typed; None if every one is more than SUGGEST_DISTANCE edits from it.

    Judged again as words: "presidnt" is one edit from the Spanish stem "president" (presidente) but
    from the English word "president"; "tarifs" is two from the stem "trip" but three from the word.
    """
    typed = analysis.normalize(word)
    best: tuple[int, int, str] | None = None
    for rank, (where, term) in enumerate(stems[:SURFACE_CANDIDATES]):
        written = surface(where, term, word)
        distance = edit_distance(typed, analysis.normalize(written), SUGGEST_DISTANCE)
        if distance <= SUGGEST_DISTANCE and (best is None or (distance, rank) < best[:2]):
            best = (distance, rank, written)
    return None if best is None else best[2]
