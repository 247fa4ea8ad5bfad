"""Highlighting that cannot inject markup: the turn's text is escaped first, then marked.

Hits are found by analyzing the turn's text with its own language's analysis and marking
the tokens the query's words, phrases and prefixes analyze to, so `educacion` marks
`educación` and `תכניות` marks `התכניות`.
"""

from __future__ import annotations

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
    for leaf in leaves:
        groups = analyzed(key, leaf.text)
        if isinstance(leaf, Prefix):
            prefixes.extend(group[0] for group in groups[:1])
        else:
            for group in groups:
                words.update(group)
    if not words and not prefixes:
        return []
    found: list[tuple[int, int]] = []
    prefix_tuple = tuple(prefixes)
    # The excerpt ends at most EXCERPT_CHARS after the first hit (see _window): a long turn is
    # analyzed only that far, not to its end (the cost of highlighting long speeches).
    stop = len(text) + 1
    for token in analysis.analyzer_for(key)(text, mode="index", chars=True, positions=True):
        if token.startchar >= stop:
            break
        if token.text in words or (prefix_tuple and token.text.startswith(prefix_tuple)):
            a, b = token.startchar, token.endchar
            if 0 <= a < b <= len(text):
                found.append((a, b))
                if len(text) > EXCERPT_CHARS:
                    stop = min(stop, a + EXCERPT_CHARS)
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
