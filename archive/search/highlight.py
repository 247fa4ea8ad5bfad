"""Highlighting that cannot inject markup: the turn's text is escaped first, then marked.

Hits are found by analyzing the turn's text with its own language's analysis and marking
the tokens the query's words, phrases and prefixes analyze to, so `educacion` marks
`educación` and `תכניות` marks `התכניות`.
"""

from __future__ import annotations

import re
from functools import lru_cache

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from archive.search import analysis
from archive.search.query import Phrase, Prefix, Word
from archive.search.tokens import analyzed

EXCERPT_CHARS = 600  # a longer turn is cut to a window around its first hits
CONTEXT_CHARS = 150


def highlight(text: str, language: str, leaves: list[Word | Phrase | Prefix]) -> SafeString:
    key = analysis.analysis_key(language)
    spans = _spans(text, key, leaves)
    start, end = _window(text, spans)
    parts: list[str] = ["…"] if start > 0 else []
    cursor = start
    for a, b in spans:
        if a < start or b > end:
            continue
        parts.append(escape(text[cursor:a]))
        parts.append(f"<mark>{escape(text[a:b])}</mark>")
        cursor = b
    parts.append(escape(text[cursor:end]))
    if end < len(text):
        parts.append("…")
    return mark_safe("".join(parts))


def _spans(text: str, key: str, leaves: list[Word | Phrase | Prefix]) -> list[tuple[int, int]]:
    words: set[str] = set()
    prefixes: list[str] = []
    sequences: list[tuple[tuple[str, ...], ...]] = []
    for leaf in leaves:
        groups = analyzed(key, leaf.text)
        if isinstance(leaf, Prefix):
            prefixes.extend(group[0] for group in groups[:1])
        else:
            for group in groups:
                words.update(group)
            if key in analysis.BIGRAM_KEYS and groups:
                sequences.append(groups)
    if not words and not prefixes:
        return []
    if len(text) <= EXCERPT_CHARS:
        if not _may_mark(text, key, (*words, *prefixes)):
            return []
        return _merged(_hits(text, key, (words, sequences), prefixes, 0, len(text)))
    # A long turn (speeches run to 45,000 characters): look for the terms in the lowercased text
    # (a C-speed search; accents and a stem's last letter left open: `happi` finds `happy`),
    # confirm a hit by analyzing a few words around it, and analyze only the excerpt around the
    # first confirmed one.
    lower = text.lower()
    if key == "zh":
        lower = str(analysis._t2s().convert(lower))  # the analysis reads Traditional as Simplified
    if len(lower) == len(text):  # positions in it are positions in the text
        segmented = key in analysis.SEGMENTED_KEYS
        loose = {t if segmented or len(t) <= 3 else t[:-1] for t in {*words, *prefixes}}
        pattern = _loose_pattern(tuple(sorted(loose, key=len, reverse=True)))
        for tries, match in enumerate(pattern.finditer(lower)):
            if tries == MAX_TRIES:
                break
            first = _hits(
                text, key, (words, sequences), prefixes, *_widened(text, *match.span()), first_only=True
            )
            if first:
                start, end = _window(text, first)
                return _merged(_hits(text, key, (words, sequences), prefixes, *_widened(text, start, end)))
    # No term found as written (a turn found by its title, its speaker or its translation; a
    # form the search cannot see): its beginning, analyzed as far as an excerpt can reach.
    head = min(len(text), FALLBACK_CHARS)
    if not _may_mark(text[:head], key, (*words, *prefixes)):
        return []
    return _merged(_hits(text, key, (words, sequences), prefixes, 0, head))


def _may_mark(text: str, key: str, terms: tuple[str, ...]) -> bool:
    """Whether analysing `text` can mark any of the terms. In a script written without spaces
    every term is a piece of the folded text: a turn found through its translation or its title
    (English words, a Chinese turn) is not analysed only to mark nothing (about a millisecond a
    turn of Chinese or Japanese)."""
    if key not in analysis.SEGMENTED_KEYS:
        return True
    folded = analysis.folded(key, text)
    return any(term in folded for term in terms)


FALLBACK_CHARS = 3000
MAX_TRIES = 20


@lru_cache(maxsize=1000)
def _loose_pattern(terms: tuple[str, ...]) -> re.Pattern[str]:
    """The terms as a pattern that also matches their letters accented (`educacion`, `educación`),
    and Thai ำ as the turn writes it (the analysis reads it as NFKC does: ํ + า)."""
    return re.compile(
        "|".join(
            "".join(_ACCENTED.get(ch, re.escape(ch)) for ch in term).replace(
                "\u0e4d\u0e32", "(?:\u0e4d\u0e32|\u0e33)"
            )
            for term in terms
        )
    )


def _accented() -> dict[str, str]:
    variants: dict[str, set[str]] = {}
    for cp, base in analysis._FOLD.items():
        if isinstance(base, str) and len(base) == 1 and chr(cp).lower() == chr(cp):
            variants.setdefault(base, {base}).add(chr(cp))
    return {base: "[" + "".join(sorted(chars)) + "]" for base, chars in variants.items()}


_ACCENTED = _accented()


def _widened(text: str, start: int, end: int) -> tuple[int, int]:
    """The excerpt with a word on either side, so the analysis sees whole words at its edges."""
    a, b = max(0, start - 40), min(len(text), end + 40)
    space = text.rfind(" ", max(0, a - 60), a)
    a = space + 1 if space >= 0 else a
    space = text.find(" ", b, b + 60)
    return a, (space if space >= 0 else b)


def _hits(
    text: str,
    key: str,
    terms: tuple[set[str], list[tuple[tuple[str, ...], ...]]],
    prefixes: list[str],
    a: int,
    b: int,
    first_only: bool = False,
) -> list[tuple[int, int]]:
    """The spans of text[a:b] to mark: tokens whose term is one of the words' (`terms`: the terms, and
    for bigram analyses the query words as sequences of them) or begins with one of the prefixes."""
    words, sequences = terms
    if sequences:
        found = sorted(_sequence_hits(text, key, sequences, prefixes, a, b))
        return found[:1] if first_only else found
    found = []
    prefix_tuple = tuple(prefixes)
    # The excerpt ends at most EXCERPT_CHARS after the first hit (see _window): a long turn is
    # analyzed only that far, not to its end (the cost of highlighting long speeches).
    stop = len(text) + 1
    analyzer = analysis.analyzer_for(key)
    pieces = [(a, b)]
    if key in analysis.SEGMENTED_KEYS:
        # No term spans two runs of letters: only the runs holding one are analysed (Japanese
        # is cut by MeCab a run at a time, a twentieth of a millisecond each).
        wanted = (*words, *prefixes)
        spans = list(analysis.runs(key, text[a:b]))
        folded = analysis.folded_each(key, [text[a + s : a + e] for s, e in spans])
        pieces = [
            (a + s, a + e) for (s, e), run in zip(spans, folded, strict=True) if any(t in run for t in wanted)
        ]
    for piece_start, piece_end in pieces:
        if piece_start >= stop:
            break
        for token in analyzer(
            text[piece_start:piece_end], mode="index", chars=True, positions=True, start_char=piece_start
        ):
            if token.startchar >= stop:
                break
            if token.text in words or (prefix_tuple and token.text.startswith(prefix_tuple)):
                start, end = token.startchar, token.endchar
                if 0 <= start < end <= len(text):
                    found.append((start, end))
                    if first_only:
                        return found
                    if len(text) > EXCERPT_CHARS:
                        stop = min(stop, start + EXCERPT_CHARS)
    return found


def _sequence_hits(
    text: str, key: str, sequences: list[tuple[tuple[str, ...], ...]], prefixes: list[str], a: int, b: int
) -> list[tuple[int, int]]:
    """Bigrams (Korean, Thai) marked only where they follow each other as in a query word (`학교에서`
    marks itself, not the `에서` of every other word); and the terms beginning with a prefix."""
    at: dict[int, dict[str, tuple[int, int]]] = {}
    found: list[tuple[int, int]] = []
    prefix_tuple = tuple(prefixes)
    for token in analysis.analyzer_for(key)(
        text[a:b], mode="index", chars=True, positions=True, start_char=a
    ):
        at.setdefault(token.pos, {})[token.text] = (token.startchar, token.endchar)
        if prefix_tuple and token.text.startswith(prefix_tuple):
            found.append((token.startchar, token.endchar))
    for pos, here in at.items():
        for groups in sequences:
            first = next((here[t] for t in groups[0] if t in here), None)
            last = first
            for i, group in enumerate(groups[1:], 1):
                there = at.get(pos + i, {})
                last = next((there[t] for t in group if t in there), None)
                if last is None:
                    break
            if first is not None and last is not None:
                found.append((first[0], last[1]))
    return found


def _merged(found: list[tuple[int, int]]) -> list[tuple[int, int]]:
    found.sort()
    merged: list[tuple[int, int]] = []
    for a, b in found:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


def _window(text: str, spans: list[tuple[int, int]]) -> tuple[int, int]:
    if len(text) <= EXCERPT_CHARS:
        return 0, len(text)
    first = spans[0][0] if spans else 0
    start = max(0, first - CONTEXT_CHARS)
    if start:
        space = text.rfind(" ", 0, start + 1)  # start at a word boundary where there is one
        start = space + 1 if space > start - 40 else start
    end = min(len(text), start + EXCERPT_CHARS)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > end - 40 else end
    return start, end
