"""The shared query compiler (`archive.search.compiler`) emitting tsquery and SQL parts.

Queries are `tsquery` literals of our own lexemes (schema.py: no text-search configuration is
applied to them), matched through a GIN index; field terms are conditions on the columns.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils.text import slugify

from archive.search import compiler as qc
from archive.search.backends.base import SearchRequest
from archive.search.backends.postgres import suggestions
from archive.search.backends.postgres.conditions import (
    NOTHING,
    Nothing,
    Part,
    Sql,
    Ts,
    join_parts,
    not_part,
)
from archive.search.backends.postgres.facets import language_condition
from archive.search.backends.postgres.schema import (
    CONTEXT_CODES,
    LABELS,
    LABELS_FIELD,
    NAMES,
    NAMES_FIELD,
    TEXT,
    TITLE,
    TRANS,
    SearchField,
    quote,
)
from archive.search.backends.postgres.vocabulary import Vocabulary
from archive.search.query import And, FieldTerm, Node, Not, Or, Phrase, Prefix, Word, answer_statuses
from archive.search.tokens import analyzed

_SCOPE_CODES = {qc.TEXT: TEXT, qc.TRANS: TRANS, qc.TITLE: TITLE, qc.NAMES: NAMES, qc.LABELS: LABELS}


@dataclass
class Built:
    condition: Ts | Sql | Nothing | None  # None: every document
    # tsquery operand (a word's lexemes in one field, or a prefix) -> (documents holding it, boost)
    scored: dict[str, tuple[int, float]] = field(default_factory=dict)
    # the operands of `scored` in a context field (schema.CONTEXT_CODES)
    in_context: frozenset[str] = frozenset()
    excludes: bool = False  # whether the condition excludes anything (NOT)


class QueryBuilder(qc.QueryCompiler[SearchField, Part]):
    """The shared query compiler emitting tsquery and SQL parts."""

    def __init__(self, cursor: Any, request: SearchRequest) -> None:
        super().__init__(request)
        self.cursor = cursor
        self.vocabulary = Vocabulary(cursor)
        self.scored: dict[str, tuple[int, float]] = {}
        self.in_context: set[str] = set()
        self.excludes = False

    def prepare(self) -> None:
        """Look up, in one query each, which lexemes exist and how far each prefix expands."""
        root = self.request.query.root
        if root is None:
            return
        fields = self.fields_for(qc.field_scope(self.request, indexed=self.indexed_keys()))
        words: list[tuple[SearchField, str]] = []
        prefixes: set[str] = set()
        for text, kind in _leaf_texts(root):
            if kind == "prefix":
                for f in fields:
                    groups = analyzed(f.key, text)
                    if len(groups) == 1:
                        prefixes.add(f.lexeme(groups[0][0]))
                continue
            for f in fields if kind == "text" else (NAMES_FIELD, LABELS_FIELD):
                for group in analyzed(f.key, text):
                    words.extend((f, t) for t in group)
        self.load_frequencies(words)
        self.vocabulary.expand(prefixes)
        self.vocabulary.count_documents()

    def build(self, own_only: bool = False) -> Built:
        if self.request.query.root is None:
            return Built(None)
        self.scored = {}
        self.in_context = set()
        self.excludes = False
        condition = self.compile(own_only)
        condition = NOTHING if condition is None else condition
        return Built(condition, self.scored, frozenset(self.in_context), self.excludes)

    def fields_for(self, scope: list[qc.Scope]) -> list[SearchField]:
        return [SearchField(_SCOPE_CODES[s.part], s.key) for s in scope]

    def key_of(self, f: SearchField) -> str:
        return f.key

    def indexed_keys(self) -> frozenset[str] | None:
        """The analyses with any turn text, asked only for a search without a language filter."""
        if self.request.language:
            return None
        return self.vocabulary.indexed_keys()

    def frequency(self, f: SearchField, term: str) -> int:
        return self.vocabulary.frequency(f.lexeme(term))

    def load_frequencies(self, terms: list[tuple[SearchField, str]]) -> None:
        self.vocabulary.load({f.lexeme(t) for f, t in terms})

    def words(self, f: SearchField, groups: list[list[str]], phrase: bool, boost: float = 1.0) -> Part:
        lexemes = [[f.lexeme(t) for t in g] for g in groups]
        parts = [quote(g[0]) if len(g) == 1 else "(" + " | ".join(map(quote, g)) + ")" for g in lexemes]
        if not self.negated:
            for part, group in zip(parts, lexemes, strict=True):
                held = self.scored.get(part)
                self.scored[part] = (
                    max(self.vocabulary.frequencies[lex] for lex in group),
                    boost if held is None else max(boost, held[1]),
                )
                if f.code in CONTEXT_CODES:
                    self.in_context.add(part)
        if len(parts) == 1:
            return Ts(parts[0])
        if phrase and f.positions:
            return Ts(" <-> ".join(parts), loose=" & ".join(parts))
        return Ts(" & ".join(parts))

    def prefix_terms(
        self, f: SearchField, stem: str, budget: int, boost: float = 1.0
    ) -> tuple[int, list[Part]]:
        lexeme = f.lexeme(stem)
        count = self.vocabulary.expansions.get(lexeme, 0)
        if not count:
            return 0, []
        text = f"{quote(lexeme)}:*"
        if not self.negated:
            self.scored[text] = (self.vocabulary.prefix_frequency.get(lexeme, 1), boost)
            if f.code in CONTEXT_CODES:
                self.in_context.add(text)
        return count, [Ts(text)]

    def prefix_sizes(self, prefixes: list[tuple[SearchField, str]]) -> dict[tuple[SearchField, str], int]:
        self.vocabulary.expand({f.lexeme(p) for f, p in prefixes})
        return {(f, p): self.vocabulary.expansions.get(f.lexeme(p), 0) for f, p in prefixes}

    def any_of(self, parts: list[Part]) -> Part:
        live = [p for p in parts if not isinstance(p, Nothing)]
        return join_parts(live, "OR") if live else NOTHING

    def all_of(self, positive: list[Part], negative: list[Part]) -> Part:
        if any(isinstance(p, Nothing) for p in positive):
            return NOTHING
        excluded = [p for p in negative if not isinstance(p, Nothing)]
        parts: list[Ts | Sql] = [p for p in positive if not isinstance(p, Nothing)]
        if excluded:
            self.excludes = True
            parts.append(not_part(join_parts(excluded, "OR")))
        if not parts:  # only excluded words that occur nowhere: every document
            return Sql("TRUE")
        return join_parts(parts, "AND")

    def nothing(self) -> Part:
        return NOTHING

    def field_value(self, node: FieldTerm, value: str) -> Part:
        if node.field == "kind":
            return Sql("d.kind = %s", (value.lower(),))
        if node.field == "answered":
            return Sql("d.answer_status = ANY(%s::text[])", (list(answer_statuses(value)),))
        if node.field == "lang":
            return language_condition(value)
        exact = slugify(value, allow_unicode=True) or value
        if node.field == "speaker":
            return Sql("d.speaker = %s", (exact,))
        return Sql("d.topics @> ARRAY[%s]::text[]", (exact,))

    def close_terms(
        self, tokens: list[tuple[SearchField, str]], limit: int | None
    ) -> list[tuple[SearchField, str, int]]:
        return suggestions.close_terms(self.vocabulary, tokens, limit)

    def surface(self, f: SearchField, term: str, typed: str) -> str:
        return suggestions.surface(self.cursor, f, term, typed)


def _leaf_texts(root: Node | None) -> Iterator[tuple[str, str]]:
    """(text, "text" | "prefix" | "names") of every leaf, excluded ones included."""
    stack: list[Node] = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, And | Or):
            stack.extend(node.children)
        elif isinstance(node, Not):
            stack.append(node.child)
        elif isinstance(node, Word | Phrase):
            yield node.text, "text"
        elif isinstance(node, Prefix):
            yield node.text, "prefix"
        elif isinstance(node, FieldTerm) and node.field in ("speaker", "topic"):
            yield node.value.strip(), "names"
