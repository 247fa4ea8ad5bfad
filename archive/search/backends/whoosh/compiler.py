"""The shared query compiler (`archive.search.compiler`) emitting Whoosh queries, and the filters.

A query is translated into Whoosh queries here but evaluated in `evaluation.py`.
"""

from __future__ import annotations

import threading
import weakref
from itertools import islice

from django.utils.text import slugify
from whoosh import query as wq
from whoosh.searching import Searcher

from archive.search.backends.base import SearchRequest
from archive.search.backends.whoosh import suggestions
from archive.search.backends.whoosh.evaluation import search_clock
from archive.search.backends.whoosh.schema import field_key
from archive.search.compiler import (
    LABELS,
    MAX_PREFIX_EXPANSIONS,
    NAMES,
    TEXT,
    TITLE,
    TRANS,
    QueryCompiler,
    Scope,
)
from archive.search.query import FieldTerm, answer_statuses


def filter_query(request: SearchRequest) -> wq.Query | None:
    parts: list[wq.Query] = []
    if request.language:
        parts.append(language_query(request.language))
    if request.speaker:
        parts.append(wq.Term("speaker", request.speaker))
    if request.topic:
        parts.append(wq.Term("topic", request.topic))
    if request.kind:
        parts.append(wq.Term("kind", request.kind))
    if request.answered:
        parts.append(wq.Term("answered", request.answered))
    if request.date_from or request.date_to:
        start = request.date_from.strftime("%Y%m%d") if request.date_from else None
        end = request.date_to.strftime("%Y%m%d") if request.date_to else None
        parts.append(wq.TermRange("day", start, end))
    if request.transcripts is not None:
        ids = sorted(request.transcripts)
        parts.append(wq.Or([wq.Term("transcript_id", str(i)) for i in ids]) if ids else wq.NullQuery)
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wq.And(parts)


def language_query(tag: str) -> wq.Query:
    """An exact tag (zh-Hans) or every tag of a base language (zh: zh-Hans, zh-Hant...)."""
    return wq.Term("lang", tag.strip().lower())


class WhooshQueryCompiler(QueryCompiler[str, wq.Query]):
    """The shared query compiler emitting Whoosh queries: a field is a Whoosh field name."""

    def __init__(self, searcher: Searcher, request: SearchRequest) -> None:
        super().__init__(request)
        self.searcher = searcher
        self.reader = searcher.reader()
        self.deadline: float | None = None  # of the close-term lookups, set by the first one

    def build(self) -> wq.Query:
        if self.request.query.root is None:
            return wq.Every()
        q = self.compile()
        if q is None:
            return wq.NullQuery
        # Turns that say the words themselves (or in their aligned translation) rank above turns
        # matching some words only through the transcript's title or the speaker's name.
        own = self.compile(own_only=True)
        if own is None or own is wq.NullQuery:
            return q
        return wq.AndMaybe(q, own)

    def fields_for(self, scope: list[Scope]) -> list[str]:
        """Fields holding any text only, the turns' text first (then titles and translations)."""
        wanted = {_SCOPE_FIELDS[s.part].format(key=s.key) for s in scope}
        present = [f for f in _fields_with_content(self.searcher) if f in wanted]
        texts = [f for f in present if f.startswith("text_")]
        others = [f for f in present if f.startswith(("trans_", "title_"))]
        return [*texts, *others, *(f for f in ("speaker_names", "topic_labels") if f in wanted)]

    def key_of(self, f: str) -> str:
        return field_key(f)

    def indexed_keys(self) -> frozenset[str] | None:
        return frozenset(field_key(f) for f in _fields_with_content(self.searcher))

    def frequency(self, f: str, term: str) -> int:
        return int(self.reader.doc_frequency(f, term))

    def words(self, f: str, groups: list[list[str]], phrase: bool, boost: float = 1.0) -> wq.Query:
        parts = [
            wq.Term(f, g[0], boost=boost) if len(g) == 1 else wq.Or([wq.Term(f, t, boost=boost) for t in g])
            for g in groups
        ]
        if len(parts) == 1:
            return parts[0]
        if phrase and self.searcher.schema[f].format.supports("positions"):
            return wq.Sequence(parts)
        return wq.And(parts)

    def prefix_terms(self, f: str, stem: str, budget: int, boost: float = 1.0) -> tuple[int, list[wq.Query]]:
        terms: list[wq.Query] = []
        for btext in self.reader.expand_prefix(f, stem):
            terms.append(wq.Term(f, btext.decode("utf-8"), boost=boost))
            if len(terms) > budget:
                break
        return len(terms), terms

    def prefix_sizes(self, prefixes: list[tuple[str, str]]) -> dict[tuple[str, str], int]:
        return {
            (f, p): sum(1 for _ in islice(self.reader.expand_prefix(f, p), MAX_PREFIX_EXPANSIONS + 1))
            for f, p in prefixes
        }

    def any_of(self, parts: list[wq.Query]) -> wq.Query:
        return parts[0] if len(parts) == 1 else wq.Or(parts)

    def all_of(self, positive: list[wq.Query], negative: list[wq.Query]) -> wq.Query:
        base: wq.Query = wq.And(positive) if len(positive) > 1 else positive[0] if positive else wq.Every()
        if negative:
            return wq.AndNot(base, wq.Or(negative) if len(negative) > 1 else negative[0])
        return base

    def nothing(self) -> wq.Query:
        return wq.NullQuery

    def field_value(self, node: FieldTerm, value: str) -> wq.Query:
        if node.field == "kind":
            return wq.Term("kind", value.lower())
        if node.field == "lang":
            return language_query(value)
        if node.field == "answered":
            statuses = answer_statuses(value)
            return wq.Or([wq.Term("answered", s) for s in statuses]) if statuses else wq.NullQuery
        return wq.Term(node.field, slugify(value, allow_unicode=True) or value)

    def close_terms(self, tokens: list[tuple[str, str]], limit: int | None) -> list[tuple[str, str, int]]:
        if self.deadline is None:
            self.deadline = search_clock() + suggestions.SUGGEST_SECONDS
        return suggestions.close_terms(self.reader, tokens, limit, self.deadline)

    def known_terms(self, candidates: list[tuple[str, str]]) -> list[tuple[str, str, int]]:
        # Frequencies count deleted documents until their segment is rewritten (a redaction).
        known = super().known_terms(candidates)
        return [
            (f, term, docs) for f, term, docs in known if suggestions.has_live_document(self.reader, f, term)
        ]

    def surface(self, f: str, term: str, typed: str) -> str:
        return suggestions.surface(self.searcher, f, term, typed)


_SCOPE_FIELDS = {
    TEXT: "text_{key}",
    TRANS: "trans_{key}",
    TITLE: "title_{key}",
    NAMES: "speaker_names",
    LABELS: "topic_labels",
}


# Per searcher (one state of the index), beside it rather than on it: gone with it.
_FIELDS_WITH_CONTENT: weakref.WeakKeyDictionary[Searcher, list[str]] = weakref.WeakKeyDictionary()
_FIELDS_LOCK = threading.Lock()


def _fields_with_content(searcher: Searcher) -> list[str]:
    """Fields holding any text in this searcher's index (cached per searcher)."""
    with _FIELDS_LOCK:
        cached = _FIELDS_WITH_CONTENT.get(searcher)
    if cached is None:
        reader = searcher.reader()
        cached = [
            name
            for name in searcher.schema.names()
            if name.startswith(("text_", "trans_", "title_")) and reader.field_length(name)
        ]
        with _FIELDS_LOCK:
            _FIELDS_WITH_CONTENT[searcher] = cached
    return cached
