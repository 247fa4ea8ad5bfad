"""Did-you-mean and typo tolerance on Whoosh: the terms of a field close to a typed word.

The shared compiler (`archive.search.compiler`) decides which words to correct and how; here are
the index's terms within a few edits of a word, and the word as the turns write it.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from typing import Any

from whoosh.reading import TermNotFound
from whoosh.searching import Searcher

from archive.models import Turn
from archive.search.backends.whoosh.evaluation import search_clock
from archive.search.backends.whoosh.schema import field_key
from archive.search.compiler import TYPO_PREFIX, TYPO_SUFFIX, typo_edits
from archive.search.tokens import (
    SURFACE_POSTINGS,
    SURFACE_TURNS,
    edit_distance,
    suggest_distance,
    surface_word,
)

SUGGEST_TERMS = 50_000  # terms examined per word and field, at most
SUGGEST_SECONDS = 0.2  # time for a whole suggestion, at most: it is only a hint


def close_terms(
    reader: Any, tokens: list[tuple[str, str]], limit: int | None, deadline: float
) -> list[tuple[str, str, int]]:
    """(field, term, documents) of the terms close to each (field, token), closest and commonest first."""
    found: list[tuple[int, int, str, str]] = []  # (distance, -frequency, field, term)
    for fieldname, token in tokens:
        edits = suggest_distance(token) if limit is None else limit
        found.extend(
            (distance, -reader.doc_frequency(fieldname, term), fieldname, term)
            for term, distance in _near_terms(
                reader, fieldname, token, deadline, edits, typo=limit is not None
            )
        )
    # A term whose documents were all deleted (a redaction) stays in its segment's term list
    # until the segment is rewritten (`expunge`): never offer it.
    return [
        (fieldname, term, -docs)
        for _, docs, fieldname, term in sorted(found)
        if has_live_document(reader, fieldname, term)
    ]


def surface(searcher: Searcher, f: str, term: str, typed: str) -> str:
    """`term` as written in the turns that use it most densely (among its first postings: short
    turns are cheap to read back), else the term itself."""
    reader = searcher.reader()
    matcher = reader.postings(f, term)
    dense: list[tuple[float, int]] = []
    for _ in range(SURFACE_POSTINGS):
        if not matcher.is_active():
            break
        length = max(1, reader.doc_field_length(matcher.id(), f, 1))
        dense.append((matcher.weight() / length, matcher.id()))
        matcher.next()
    turn_ids = [int(searcher.stored_fields(d)["stored"][0]) for _, d in heapq.nlargest(SURFACE_TURNS, dense)]
    texts = Turn.objects.filter(pk__in=turn_ids).values_list("text", flat=True)
    return surface_word(field_key(f), texts, term, typed) or term


def has_live_document(reader: Any, fieldname: str, term: str) -> bool:
    """Whether any document not deleted holds `term` (postings skip deleted documents)."""
    try:
        return bool(reader.postings(fieldname, term).is_active())
    except TermNotFound:
        return False


def _near_terms(
    reader: Any, fieldname: str, token: str, deadline: float, limit: int, typo: bool = False
) -> Iterator[tuple[str, int]]:
    """Terms of the field within `limit` edits of `token` sharing its first letter (most typing
    errors are later in the word), with their distances; at most SUGGEST_TERMS examined. For a
    typo (`typo`): sharing its first TYPO_PREFIX letters (far fewer terms to walk), and the
    stems beginning it too (compiler.typo_edits)."""
    shortest, longest = len(token) - limit - (TYPO_SUFFIX if typo else 0), len(token) + limit
    letters = set(token)
    seen: set[str] = set()
    # Each segment's terms walked on its own: merging the segments' term lists costs more than the
    # few terms found twice.
    leaves = [leaf for leaf, _ in reader.leaf_readers()]
    n = 0
    for leaf in leaves:
        for raw in leaf.expand_prefix(fieldname, token[: TYPO_PREFIX if typo else 1]):
            n += 1
            if n >= SUGGEST_TERMS or (n % 256 == 0 and search_clock() > deadline):
                return
            term = raw.decode("utf-8") if isinstance(raw, bytes) else raw
            # Cheap filters first: an edit changes the length by at most one and the letter set by
            # two (a shorter stem: adds at most one letter the token lacks).
            if not shortest <= len(term) <= longest:
                continue
            if typo:
                if len(set(term) - letters) > limit:
                    continue
                distance = typo_edits(token, term, limit)
            else:
                if len(letters.symmetric_difference(term)) > 2 * limit:
                    continue
                distance = edit_distance(token, term, limit)
            if distance is not None and distance <= limit and term != token and term not in seen:
                seen.add(term)
                yield term, distance
