"""What the index's vocabulary (`search_term`: every lexeme with the number of documents holding
it) tells a search before it runs.

Prefix queries count their expansions there (refused beyond compiler.MAX_PREFIX_EXPANSIONS),
words absent from a field are left out of the query, a word's frequency weighs its score
(ranking.py), and typo tolerance and did-you-mean look for close terms in it (suggestions.py).
"""

from __future__ import annotations

from typing import Any

from archive.search import analysis
from archive.search import compiler as qc
from archive.search.backends.postgres.schema import DOCUMENTS, GENERIC, TERMS, TEXT, fits


class Vocabulary:
    """The lexemes one search asks about, each looked up once, through the search's cursor."""

    def __init__(self, cursor: Any) -> None:
        self.cursor = cursor
        self.frequencies: dict[str, int] = {}  # lexeme -> documents holding it (found ones only)
        self.looked_up: set[str] = set()
        self.expansions: dict[str, int] = {}  # prefix lexeme -> terms it expands to
        self.prefix_frequency: dict[str, int] = {}  # prefix lexeme -> documents of its commonest term
        self.documents = 1  # in the index (count_documents() counts them)
        self._indexed: frozenset[str] | None = None

    def frequency(self, lexeme: str) -> int:
        return self.frequencies.get(lexeme, 0)

    def load(self, lexemes: set[str]) -> None:
        """The documents holding each lexeme not yet looked up, in one query."""
        lexemes = {lexeme for lexeme in lexemes - self.looked_up if fits(lexeme)}
        if not lexemes:
            return
        self.looked_up |= lexemes
        self.cursor.execute(
            f"SELECT term, ndoc FROM {TERMS} WHERE term = ANY(%s::text[]) AND ndoc > 0", [sorted(lexemes)]
        )
        self.frequencies.update(self.cursor.fetchall())

    def expand(self, prefixes: set[str]) -> None:
        """How far each prefix expands, and its commonest term: one range scan per prefix, each
        stopped one past the limit, in one query."""
        prefixes = {p for p in prefixes if fits(p)}
        if not prefixes:
            return
        self.cursor.execute(
            f"""SELECT p.prefix, s.n, s.most FROM unnest(%s::text[]) AS p(prefix)
                CROSS JOIN LATERAL (SELECT count(*) AS n, max(ndoc) AS most FROM (
                    SELECT ndoc FROM {TERMS} t WHERE t.term >= p.prefix AND t.term < p.prefix || %s
                    AND t.ndoc > 0 LIMIT %s) e) s""",
            [sorted(prefixes), "\U0010ffff", qc.MAX_PREFIX_EXPANSIONS + 1],
        )
        for prefix, n, most in self.cursor.fetchall():
            self.expansions[prefix] = n
            self.prefix_frequency[prefix] = most or 0

    def count_documents(self) -> None:
        """The number of documents, for the words' inverse document frequency (an estimate will do
        for a large table: the statistics PostgreSQL keeps)."""
        self.cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [DOCUMENTS])
        estimate = self.cursor.fetchone()[0]
        if estimate < 10_000:
            self.cursor.execute(f"SELECT count(*) FROM {DOCUMENTS}")
            estimate = self.cursor.fetchone()[0]
        self.documents = max(1, int(estimate))

    def indexed_keys(self) -> frozenset[str]:
        """The analyses with any turn text in the vocabulary: one index probe per analysis, in one
        query, asked once per search."""
        if self._indexed is None:
            keys = [key for key in analysis.ANALYSIS_KEYS if key != GENERIC]
            self.cursor.execute(
                f"""SELECT k FROM unnest(%s::text[]) AS k
                    WHERE EXISTS (SELECT 1 FROM {TERMS}
                                  WHERE term >= %s || k || ':' AND term < %s || k || ';' AND ndoc > 0)""",
                [keys, TEXT, TEXT],
            )
            self._indexed = frozenset({GENERIC, *(row[0] for row in self.cursor.fetchall())})
        return self._indexed
