"""Evaluating a Whoosh query a posting list at a time: the matches and their BM25F scores.

The matches are set algebra over whole posting lists (`docset`) and the relevance BM25F sums
over whole posting lists (`BulkScorer`), with Whoosh's own scores and order (a test holds them
equal). Whoosh's matchers, a Python call per document, are left the phrase checks.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterable
from typing import Any

from whoosh import query as wq
from whoosh.searching import Searcher

from archive.search.backends.whoosh.columns import Columns
from archive.search.backends.whoosh.internals import (
    expanded_terms,
    posting_blocks,
    posting_ids,
    postings_at,
    raw_postings,
)
from archive.search.compiler import too_costly

# A search's time limits count the CPU time of the thread answering it, not the wall clock: on a
# busy machine (32 searchers on 3 workers) the clock runs while a worker waits for a core, and a
# search refused for that would be refused for the load, not for its cost.
search_clock = time.thread_time

# A part of a search is looked up at the documents the rest has narrowed to, rather than read
# whole, where it holds more than this many times as many: a filter is tested on each candidate's
# column value (Columns.column_test: a test costs about what two or three postings do), and a
# word is scored only at them (internals.postings_at: blocks holding none of them are passed over
# unread, and no score is computed for the other postings).
NARROWING_RATIO = 3


def docset(searcher: Searcher, columns: Columns, q: wq.Query, deadline: float) -> set[int]:
    """Every (global) document number matching `q`, deletions excluded.

    Evaluated as set algebra over whole posting lists, block by block, rather than by
    Whoosh's matchers a document at a time: a broad search (a word of every White House
    title) has tens of thousands of matches, and the matchers' per-document Python calls
    were most of its time. Phrases are checked by Whoosh, among the documents having all
    their words.
    """
    subs = searcher.subsearchers or [(searcher, 0)]
    found: set[int] = set()
    for sub, offset in subs:
        reader = sub.reader()
        local = SetEvaluator(sub, reader, columns, offset, deadline).docs(q)
        deleted = reader.deleted_docs_set if reader.has_deletions() else None
        if deleted:
            local -= deleted
        found |= {d + offset for d in local} if offset else local
    return found


def bulk_scores(
    searcher: Searcher, columns: Columns, q: wq.Query, allow: set[int] | None, deadline: float
) -> dict[int, float]:
    """Global document number -> BM25F score, for every document matching `q` (and in `allow`)."""
    found: dict[int, float] = {}
    for sub, offset in searcher.subsearchers or [(searcher, 0)]:
        reader = sub.reader()
        local = allow
        if allow is not None and searcher.subsearchers:
            count = reader.doc_count_all()
            local = {d - offset for d in allow if offset <= d < offset + count}
        if local is not None and not local:
            continue
        scores = BulkScorer(searcher, sub, columns, offset, local, deadline).scores(q)
        if local is None and reader.has_deletions():
            for d in reader.deleted_docs_set:
                scores.pop(d, None)
        if not offset and not found:
            found = scores
        else:
            found.update({d + offset: v for d, v in scores.items()})
    return found


def estimated_size(reader: Any, q: wq.Query) -> int:
    """At most how many documents of `reader` (a segment's or the whole index's) match `q`."""
    if isinstance(q, wq.Term):
        return int(reader.doc_frequency(q.fieldname, q.text))
    if isinstance(q, wq.Or):
        return min(sum(estimated_size(reader, c) for c in q.subqueries), reader.doc_count_all())
    if isinstance(q, wq.And | wq.Sequence):
        return min((estimated_size(reader, c) for c in q.subqueries), default=0)
    if isinstance(q, wq.AndNot | wq.AndMaybe):
        return estimated_size(reader, q.a)
    if q is wq.NullQuery or isinstance(q, type(wq.NullQuery)):
        return 0
    return int(reader.doc_count_all())  # a range, a prefix, everything: as broad as can be


def filter_test(
    searcher: Searcher, columns: Columns, query_filter: wq.Query, q: wq.Query
) -> Callable[[int], bool] | None:
    """The request's filters as a column test of each match of `q` (a global document number),
    when they hold many more documents than `q` can match; None to read their posting lists."""
    reader = searcher.reader()
    if estimated_size(reader, query_filter) <= NARROWING_RATIO * estimated_size(reader, q):
        return None
    return columns.column_test(query_filter)


class SetEvaluator:
    """The documents of one segment matching a query, as a set of segment document numbers."""

    def __init__(
        self, searcher: Searcher, reader: Any, columns: Columns, offset: int, deadline: float
    ) -> None:
        self.searcher = searcher
        self.reader = reader
        self.columns = columns
        self.offset = offset  # of the segment's first document in the whole index (the columns')
        self.deadline = deadline
        self.phrases: dict[wq.Query, set[int]] = {}

    def docs(self, q: wq.Query) -> set[int]:
        if search_clock() > self.deadline:
            raise too_costly()
        if isinstance(q, wq.Term):
            return self.term(q.fieldname, q.text)
        if isinstance(q, wq.Or):
            found: set[int] = set()
            for child in q.subqueries:
                found |= self.docs(child)
            return found
        if isinstance(q, wq.Sequence):
            # Documents with every word first (cheap), then Whoosh checks the positions of those.
            phrase = self.phrases.get(q)  # a phrase is in the query twice (see WhooshQueryCompiler.build)
            if phrase is None:
                phrase = set(self.searcher.docs_for_query(q)) if self._all(q.subqueries) else set()
                self.phrases[q] = phrase
            return set(phrase)
        if isinstance(q, wq.And):
            return self._all(q.subqueries)
        if isinstance(q, wq.AndNot):
            positive = self.docs(q.a)
            return positive - self.docs(q.b) if positive else positive
        if isinstance(q, wq.AndMaybe):
            return self.docs(q.a)
        if isinstance(q, wq.Every):
            return set(range(self.reader.doc_count_all()))
        if q is wq.NullQuery or isinstance(q, type(wq.NullQuery)):
            return set()
        if isinstance(q, wq.MultiTerm) and not isinstance(q, wq.Sequence):
            found = set()
            for btext in expanded_terms(q, self.reader):
                found |= self.term(q.fieldname, btext)
            return found
        return set(self.searcher.docs_for_query(q))  # anything else: Whoosh's own matching

    def _all(self, queries: Iterable[wq.Query]) -> set[int]:
        found: set[int] | None = None
        for child in sorted(queries, key=self.size):  # the narrowest first
            if found is not None and (test := self.column_test(child, len(found))) is not None:
                found = {d for d in found if test(d)}
            else:
                docs = self.docs(child)
                found = docs if found is None else found & docs
            if not found:
                return set()
        return found or set()

    def size(self, q: wq.Query) -> int:
        return estimated_size(self.reader, q)

    def column_test(self, q: wq.Query, candidates: int) -> Callable[[int], bool] | None:
        """A test of this segment's documents standing for `q`, when `q` holds many more documents
        than the `candidates` it is to narrow and a column holds its values; else None."""
        if self.size(q) <= NARROWING_RATIO * candidates:
            return None
        test = self.columns.column_test(q)
        if test is None or not self.offset:
            return test
        offset = self.offset
        return lambda d: test(d + offset)

    def term(self, fieldname: str, text: str | bytes) -> set[int]:
        found = raw_postings(self.reader, fieldname, text)
        return set(posting_ids(found[0])) if found is not None else set()


class BulkScorer:
    """BM25F scores of the matching documents of one segment, a posting list at a time.

    The same sums as Whoosh's matchers (a term's BM25F with the per-field average length of
    `PerFieldBM25F`; OR, AND and a phrase add their parts' scores, AND NOT keeps the first
    part's, AND MAYBE adds the second's where it matches) without their per-document calls,
    whose block-quality skipping could not prune a broad search: every one of 25,000 matches
    was scored through the whole query tree.
    """

    def __init__(
        self,
        top: Searcher,
        sub: Searcher,
        columns: Columns,
        offset: int,
        allow: set[int] | None,
        deadline: float,
    ) -> None:
        self.top = top
        self.sub = sub
        self.reader = sub.reader()
        self.columns = columns
        self.allow = allow  # this segment's documents within the filters (None: all)
        self.deadline = deadline
        self.weighting = columns.weighting()
        self.sets = SetEvaluator(sub, self.reader, columns, offset, deadline)
        self.terms: dict[tuple[str, Any], dict[int, float]] = {}

    def scores(self, q: wq.Query, within: Collection[int] | None = None) -> dict[int, float]:
        """Each matching document's score; with `within`, a word may be scored only there (the
        documents an AND has narrowed to), the caller keeping only those."""
        if search_clock() > self.deadline:
            raise too_costly()
        if isinstance(q, wq.Term):
            found = self.term(q.fieldname, q.text, within)
            return found if q.boost == 1 else {d: v * q.boost for d, v in found.items()}
        if isinstance(q, wq.Or):
            parts = sorted((self.scores(c, within) for c in q.subqueries), key=len, reverse=True)
            if not parts:
                return {}
            total = dict(parts[0])
            for part in parts[1:]:
                for d, v in part.items():
                    total[d] = total.get(d, 0.0) + v
            return total
        if isinstance(q, wq.Sequence):
            having = self.sets.docs(q)  # the documents with the phrase; its score is its words'
            return self._sum_all(q.subqueries, having)
        if isinstance(q, wq.And):
            return self._sum_all(q.subqueries, None)
        if isinstance(q, wq.AndNot):
            first = self.scores(q.a)
            excluded = self.sets.docs(q.b) if first else set()
            return {d: v for d, v in first.items() if d not in excluded}
        if isinstance(q, wq.AndMaybe):
            first = self.scores(q.a)
            if not first:
                return first
            for d, v in self.scores(q.b).items():
                if d in first:
                    first[d] += v
            return first
        if q is wq.NullQuery or isinstance(q, type(wq.NullQuery)):
            return {}
        # Anything else (Every, a range): a constant score, as Whoosh gives them.
        allow = self.allow
        return {d: float(q.boost) for d in self.sets.docs(q) if allow is None or d in allow}

    def _sum_all(self, queries: Iterable[wq.Query], having: set[int] | None) -> dict[int, float]:
        total: dict[int, float] | None = None
        for child in sorted(queries, key=self.sets.size):  # the narrowest first
            if total is not None:
                test = self.sets.column_test(child, len(total))
                weight = self.constant_score(child) if test is not None else None
                if test is not None and weight is not None:
                    total = {d: v + weight for d, v in total.items() if test(d)}
                    if not total:
                        return {}
                    continue
            part = self.scores(child, total.keys() if total is not None else None)
            if total is None:
                total = {d: v for d, v in part.items() if d in having} if having is not None else dict(part)
            else:
                total = {d: v + part[d] for d, v in total.items() if d in part}
            if not total:
                return {}
        return total or {}

    def _targets(self, within: Collection[int] | None, fieldname: str, btext: bytes) -> list[int] | None:
        """The documents to score a word at, ascending, when they are few beside its postings;
        None to read the whole posting list."""
        candidates = within if within is not None else self.allow
        if candidates is None:
            return None
        if len(candidates) * NARROWING_RATIO >= self.reader.doc_frequency(fieldname, btext):
            return None
        allow = self.allow
        if within is not None and allow is not None:
            return sorted(d for d in within if d in allow)
        return sorted(candidates)

    def constant_score(self, q: wq.Query) -> float | None:
        """The score `q` gives every document it matches, if it gives all the same (a filter term
        of an unscored field: its postings' weight; a range: its boost); else None."""
        if isinstance(q, wq.TermRange):
            return float(q.boost)
        if not isinstance(q, wq.Term) or q.fieldname not in self.reader.schema:
            return None
        if self.reader.schema[q.fieldname].scorable:
            return None
        postings = raw_postings(self.reader, q.fieldname, q.text)
        return float(postings[0].weight()) * q.boost if postings is not None else None

    def term(self, fieldname: str, text: Any, within: Collection[int] | None = None) -> dict[int, float]:
        key = (fieldname, text)
        found = self.terms.get(key)
        if found is not None:
            return dict(found)
        found = {}
        postings = raw_postings(self.reader, fieldname, text)
        if postings is not None:
            matcher, field, btext = postings
            allow = self.allow
            if field.scorable:
                scale = self.top.idf(fieldname, btext) * (self.weighting.K1 + 1)
                norms = self.columns.length_norms(self.top, self.reader, fieldname)
                codes = self.columns.length_codes(self.reader, fieldname)
            targets = self._targets(within, fieldname, btext)
            if targets is not None:  # a few documents of a long posting list: read only their blocks
                at = postings_at(matcher, targets)
                if not field.scorable:
                    return dict(at)
                return {d: scale * w / (w + norms[codes[d]]) for d, w in at}
            if field.scorable:
                for ids, weights in posting_blocks(matcher):
                    if isinstance(weights, float):  # one weight for the whole block
                        w = weights
                        kept = ids if allow is None else [d for d in ids if d in allow]
                        found.update({d: scale * w / (w + norms[codes[d]]) for d in kept})
                    else:
                        found.update(
                            {
                                d: scale * w / (w + norms[codes[d]])
                                for d, w in zip(ids, weights, strict=False)
                                if allow is None or d in allow
                            }
                        )
            else:
                for ids, weights in posting_blocks(matcher):
                    if isinstance(weights, float):
                        kept = ids if allow is None else [d for d in ids if d in allow]
                        found.update(dict.fromkeys(kept, weights))
                    else:
                        found.update(
                            {d: w for d, w in zip(ids, weights, strict=False) if allow is None or d in allow}
                        )
        self.terms[key] = found
        return dict(found)
