"""Close terms and words as written: what typo tolerance and did-you-mean ask of PostgreSQL.

The choice of words to correct, and of the correction, is the shared compiler's
(`archive.search.compiler`); here are the lookups it builds on.
"""

from __future__ import annotations

from typing import Any

from archive.models import Turn
from archive.search import compiler as qc
from archive.search.backends.postgres.schema import DOCUMENTS, TERMS, SearchField, quote
from archive.search.backends.postgres.vocabulary import Vocabulary
from archive.search.tokens import (
    SURFACE_POSTINGS,
    SURFACE_TURNS,
    edit_distance,
    suggest_distance,
    surface_word,
)


def close_terms(
    vocabulary: Vocabulary, tokens: list[tuple[SearchField, str]], limit: int | None
) -> list[tuple[SearchField, str, int]]:
    """Read from an index range per token: the candidates keep the token's first letter (for a
    typo, its first TYPO_PREFIX letters, and stems beginning it count: compiler.typo_edits).
    The candidates' frequencies join the vocabulary."""
    if not tokens:
        return []
    typo = limit is not None
    shared = qc.TYPO_PREFIX if typo else 1  # letters of the token every candidate begins with
    suffix = qc.TYPO_SUFFIX if typo else 0
    wanted = {f.lexeme(token[:shared]): (f, token) for f, token in tokens}  # range start -> token
    edits = {start: limit or suggest_distance(token) for start, (_, token) in wanted.items()}
    vocabulary.cursor.execute(
        f"""SELECT p.head, t.term, t.ndoc
            FROM unnest(%s::text[], %s::int[], %s::int[]) AS p(head, shortest, longest)
            CROSS JOIN LATERAL (
                SELECT term, ndoc FROM {TERMS}
                WHERE term >= p.head AND term < p.head || %s AND ndoc > 0
                  AND char_length(term) BETWEEN p.shortest AND p.longest
                LIMIT 20000) t""",
        [
            list(wanted),
            [len(f.lexeme(token)) - edits[head] - suffix for head, (f, token) in wanted.items()],
            [len(f.lexeme(token)) + edits[head] for head, (f, token) in wanted.items()],
            "\U0010ffff",
        ],
    )
    found: list[tuple[int, int, str, SearchField]] = []  # (distance, -frequency, term, field)
    for head, lexeme, ndoc in vocabulary.cursor.fetchall():
        f, token = wanted[head]
        term = lexeme[len(f.lexeme("")) :]
        if typo:
            distance: int | None = qc.typo_edits(token, term, edits[head])
        else:
            distance = edit_distance(token, term, edits[head])
            distance = distance if distance <= edits[head] else None
        if distance is not None and term != token:
            found.append((distance, -ndoc, term, f))
            vocabulary.frequencies[lexeme] = ndoc
    return [(f, term, -docs) for _, docs, term, f in sorted(found, key=lambda c: c[:3])]


def surface(cursor: Any, f: SearchField, term: str, typed: str) -> str:
    """`term` as written in the turns that use it most densely (among the first documents holding
    it: short turns are cheap to read back), else the term itself."""
    cursor.execute(
        f"""SELECT turn_id FROM (SELECT turn_id, tsv FROM {DOCUMENTS} WHERE tsv @@ %s::tsquery LIMIT %s) d
            ORDER BY ts_rank(tsv, %s::tsquery, 2) DESC, turn_id LIMIT %s""",
        [quote(f.lexeme(term)), SURFACE_POSTINGS, quote(f.lexeme(term)), SURFACE_TURNS],
    )
    turn_ids = [row[0] for row in cursor.fetchall()]
    texts = Turn.objects.filter(pk__in=turn_ids).values_list("text", flat=True)
    return surface_word(f.key, texts, term, typed) or term
