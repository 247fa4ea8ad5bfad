"""Column values of the whole index held as tuples: sorting, facets and BM25F's length norms.

Facets are counted from those values, on a sample beyond FACET_EXACT_LIMIT matches.
What is kept per searcher (one state of the index) is in a `Columns` found with `columns_of()`;
what is kept per segment (segments never change) is shared by every searcher of the process.
"""

from __future__ import annotations

import threading
import weakref
from array import array as IntArray
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable
from datetime import date
from itertools import chain
from typing import Any, TypeAlias

from whoosh import query as wq
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length

from archive.search.backends.base import FACET_EXACT_LIMIT, BoundedDict
from archive.search.backends.whoosh import internals
from archive.search.backends.whoosh.weighting import PerFieldBM25F


def column_values(column: Any, count: int) -> tuple[Any, ...]:
    """Every document's value in a segment's column, one object per distinct value.

    The stored values are read in one pass and each distinct one is translated (Whoosh's
    field conversion, bytes to text) once: a million documents then share a few thousand
    objects (a speaker, a date, a language...), not a million strings, in about half the time of
    Whoosh's value-by-value translation.
    """
    translate = internals.column_translate(column)
    raw_column = column.raw_column() if translate is not None else column
    stored = list(raw_column)
    if len(stored) != count:  # (a column reader that iterates otherwise: value by value)
        stored = [raw_column[d] for d in range(count)]

    def value(raw: Any) -> Any:
        found = translate(raw) if translate is not None else raw
        return found.decode("utf-8") if isinstance(found, bytes) else found

    shared = {raw: value(raw) for raw in dict.fromkeys(stored)}
    return tuple(map(shared.__getitem__, stored))


# Per-segment column values as Python lists, keyed by segment: segments never change (only
# their deletion lists do), so after a commit only new segments are read again.
_SEGMENT_VALUES: dict[tuple[str, str, str], tuple[Any, ...]] = {}
_SEGMENT_VALUES_LOCK = threading.Lock()
# The whole index's arrays (the segments' values joined, topic sets, date orders), by index folder
# and name, with the segments they were made of: a searcher of the same segments (the next one
# after a commit that only deleted, or every worker forked from a server that read them before it
# forked: `Columns.warm`) takes them as they are, shared rather than joined again.
_INDEX_ARRAYS: dict[tuple[str, str], tuple[tuple[str, ...], Any]] = {}
FACET_COLUMNS = {
    "speaker": "speaker",
    "topic": "topic_set",
    "language": "language",
    "kind": "kind",
    "year": "year",
    "answered": "answered",
}


Matches: TypeAlias = "set[int] | IntArray[int]"  # a search's matching documents: as found, or as kept


class MatchCache:
    """The matching documents of recent searches, for one searcher (one state of the index).

    Counting and faceting need every match, which is what a broad search spends its time on;
    the next page, another sort or the same search again reuse them. A new searcher (any
    commit) starts empty, so nothing stale is ever answered. Bounded by the documents held.
    """

    # Kept as arrays of 4-byte document numbers, in the order the set iterated (the facets'
    # sample is then the same): a set costs about 50 bytes a document, so the few broadest
    # searches of a million turns pushed each other out (`president` and a phrase in 226,125
    # turns). About 12 MiB at most: a web worker's memory stays flat.
    MAX_DOCUMENTS = 3_000_000

    def __init__(self) -> None:
        self._sets: OrderedDict[tuple[Any, ...], IntArray[int]] = OrderedDict()
        self._held = 0
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> IntArray[int] | None:
        with self._lock:
            found = self._sets.get(key)
            if found is not None:
                self._sets.move_to_end(key)
            return found

    def put(self, key: tuple[Any, ...], matched: Matches) -> None:
        if len(matched) > self.MAX_DOCUMENTS:
            return
        kept = matched if isinstance(matched, IntArray) else IntArray("I", matched)
        with self._lock:
            if key in self._sets:
                return
            self._sets[key] = kept
            self._held += len(kept)
            while self._held > self.MAX_DOCUMENTS:
                _, dropped = self._sets.popitem(last=False)
                self._held -= len(dropped)


class Columns:
    """Column values of the whole index, indexed by global document number.

    Tuples of shared strings and integers: the garbage collector stops tracking such a tuple
    after its first collection, so a full collection does not walk a million values again.
    """

    def __init__(self, searcher: Searcher) -> None:
        # A proxy: the Columns is the value of a weak mapping keyed by this searcher, which a
        # strong reference from the value would keep alive for ever.
        self.searcher: Searcher = weakref.proxy(searcher)
        self.folder = internals.index_folder(searcher)
        self._weighting: PerFieldBM25F | None = None
        self.arrays: dict[str, tuple[Any, ...]] = {}
        self.orders: dict[bool, list[int] | IntArray[int]] = {}  # date_order(desc), per desc
        self.matches = MatchCache()
        # Facet counts per (matches key, facet size), for the same searcher.
        self.facet_counts: BoundedDict = BoundedDict(512)
        self.norms: dict[str, list[float]] = {}

    def _segments(self) -> list[tuple[Any, int]]:
        subs = self.searcher.subsearchers
        return [(s.reader(), offset) for s, offset in subs] if subs else [(self.searcher.reader(), 0)]

    def _values(self, reader: Any, fieldname: str) -> tuple[Any, ...]:
        segment = reader.segment()
        if segment is None:  # an empty index
            return ()
        key = (self.folder, segment.segment_id(), fieldname)
        with _SEGMENT_VALUES_LOCK:
            values = _SEGMENT_VALUES.get(key)
        if values is None:
            known = fieldname in reader.schema  # (an index built before the field existed lacks it)
            column = reader.column_reader(fieldname) if known and reader.has_column(fieldname) else None
            count = reader.doc_count_all()
            values = column_values(column, count) if column is not None else (None,) * count
            with _SEGMENT_VALUES_LOCK:
                if len(_SEGMENT_VALUES) > 2000:
                    _SEGMENT_VALUES.clear()
                _SEGMENT_VALUES[key] = values
        return values

    def array(self, fieldname: str) -> tuple[Any, ...]:
        """A column's values for the whole index, one per global document number."""
        cached = self.arrays.get(fieldname)
        if cached is None:
            cached = self.arrays[fieldname] = self._index_array(fieldname, lambda: self._joined(fieldname))
        return cached

    def _joined(self, fieldname: str) -> tuple[Any, ...]:
        parts = [self._values(reader, fieldname) for reader, _offset in self._segments()]
        return parts[0] if len(parts) == 1 else tuple(chain.from_iterable(parts))

    def _index_array(self, name: str, build: Callable[[], Any]) -> Any:
        """`build()`, or the same array made for the same segments before (see _INDEX_ARRAYS)."""
        segments = tuple(
            segment.segment_id() for segment in (r.segment() for r, _ in self._segments()) if segment
        )
        key = (self.folder, name)
        with _SEGMENT_VALUES_LOCK:
            known = _INDEX_ARRAYS.get(key)
        if known is not None and known[0] == segments:
            return known[1]
        made = build()
        with _SEGMENT_VALUES_LOCK:
            _INDEX_ARRAYS[key] = (segments, made)  # the latest segments only: older ones are let go
        return made

    def warm(self) -> None:
        """Read now what the first searches read: the facet columns, topic sets and date orders."""
        for fieldname in FACET_COLUMNS.values():
            self.array(fieldname)
        self.topic_sets()
        for desc in (True, False):
            self.date_order(desc)
        self.weighting()

    def date_order(self, desc: bool) -> list[int] | IntArray[int]:
        """Each document's rank by date (newest first if `desc`), then transcript slug, then position.

        One integer per document, packed from the ranks of the three values, in an array: a
        tuple per document would cost a million objects at a million turns, which the garbage
        collector walks again and again.
        """
        cached = self.orders.get(desc)
        if cached is None:
            cached = self.orders[desc] = self._index_array(
                f"#date-order-{desc}", lambda: self._date_order(desc)
            )
        return cached

    def _date_order(self, desc: bool) -> list[int] | IntArray[int]:
        dates, slugs, positions = (self.array(f) for f in ("date", "slug", "position"))
        date_rank = {d: i for i, d in enumerate(sorted({d or 0 for d in dates}, reverse=desc))}
        slug_rank = {s: i for i, s in enumerate(sorted({s or "" for s in slugs}))}
        position_bits = max((p or 0 for p in positions), default=0).bit_length()
        slug_bits = len(slug_rank).bit_length()
        date_shift = slug_bits + position_bits
        keys = (
            (date_rank[d or 0] << date_shift) | (slug_rank[s or ""] << position_bits) | (p or 0)
            for d, s, p in zip(dates, slugs, positions, strict=True)
        )
        fits = len(date_rank).bit_length() + slug_bits + position_bits <= 64
        return IntArray("Q", keys) if fits else list(keys)  # (beyond 64 bits: Python's integers)

    def weighting(self) -> PerFieldBM25F:
        if self._weighting is None:
            counts: Counter[str] = Counter()
            for reader, _offset in self._segments():
                counts.update(self._field_counts(reader))
            self._weighting = PerFieldBM25F(dict(counts))
        return self._weighting

    def _field_counts(self, reader: Any) -> Counter[str]:
        segment = reader.segment()
        if segment is None:
            return Counter()
        key = (self.folder, segment.segment_id(), "#field-counts")
        with _SEGMENT_VALUES_LOCK:
            cached = _SEGMENT_VALUES.get(key)
        if cached is None:
            counts: Counter[str] = Counter()
            for value in self._values(reader, "present_fields"):
                if value:
                    counts.update(value.split(","))
            cached = (counts,)
            with _SEGMENT_VALUES_LOCK:
                _SEGMENT_VALUES[key] = cached
        return cached[0]  # type: ignore[no-any-return]

    def length_codes(self, reader: Any, fieldname: str) -> bytes | tuple[int, ...]:
        """A segment's byte-coded field lengths (Whoosh's length column), one per document."""
        segment = reader.segment()
        key = (self.folder, segment.segment_id() if segment is not None else "", "#len-" + fieldname)
        with _SEGMENT_VALUES_LOCK:
            cached = _SEGMENT_VALUES.get(key)
        if cached is None:
            count = reader.doc_count_all()
            codes = internals.length_codes(reader, fieldname, count)
            cached = (codes,)
            with _SEGMENT_VALUES_LOCK:
                _SEGMENT_VALUES[key] = cached
        return cached[0]  # type: ignore[no-any-return]

    def length_norms(self, top: Searcher, reader: Any, fieldname: str) -> list[float]:
        """BM25's length normalization, K1 * ((1 - B) + B * length / average), per length byte."""
        norms: list[float] | None = self.norms.get(fieldname)
        if norms is None:
            weighting = self.weighting()
            docs = weighting.docs_with_field.get(fieldname)
            total = top.field_length(fieldname)
            avgfl = (total / docs if docs else top.avg_field_length(fieldname)) or 1
            b, k1 = weighting.B, weighting.K1
            norms = [k1 * ((1 - b) + b * byte_to_length(c) / avgfl) for c in range(256)]
            self.norms[fieldname] = norms
        return norms

    def turn_id(self, docnum: int) -> int:
        return int(self.searcher.stored_fields(docnum)["stored"][0])

    def facets(self, matched: Matches, size: int) -> tuple[dict[str, list[tuple[str, int]]], bool]:
        """The most frequent values of each facet among the matches; True if the counts are estimates.

        Beyond FACET_EXACT_LIMIT matches, the values of an even sample of that many are counted
        and scaled: a broad search's facets then cost the same at 100,000 turns as at a million.
        """
        docs: Iterable[int] = matched
        scale = 1.0
        if len(matched) > FACET_EXACT_LIMIT:
            # A set of document numbers iterates in about their order: every k-th spreads evenly.
            step = -(-len(matched) // FACET_EXACT_LIMIT)
            docs = list(matched)[::step]
            scale = len(matched) / len(docs)
        found: dict[str, list[tuple[str, int]]] = {}
        for name, fieldname in FACET_COLUMNS.items():
            if name == "topic":
                counts: Counter[Any] = Counter(chain.from_iterable(map(self.topic_sets().__getitem__, docs)))
            else:
                counts = Counter(map(self.array(fieldname).__getitem__, docs))
            counts.pop(None, None)
            counts.pop("", None)
            ranked = sorted(counts.items(), key=lambda item: (-item[1], str(item[0])))
            kept = ranked if name == "year" else ranked[:size]  # every year: the hits-by-year histogram
            found[name] = [(str(v), max(1, round(c * scale))) for v, c in kept]
        return found, scale != 1.0

    def column_test(self, q: wq.Query) -> Callable[[int], bool] | None:
        """Whether a (global) document matches `q`, read from the column values; None if `q` is not
        a filter a column holds (kind, answer status, speaker, language, topic, a range of days).

        Testing a few candidates' values costs less than reading a filter's whole posting list:
        `kind:question ukraine` at a million turns read 313,927 questions to keep 4,131.
        """
        if isinstance(q, wq.Term) and isinstance(q.text, str):
            value = q.text
            if q.fieldname in ("kind", "answered", "speaker"):
                values = self.array(q.fieldname)
                return lambda d: values[d] == value
            if q.fieldname == "lang":  # the exact tag or its base language, as the lang field holds both
                languages = self.array("language")
                return lambda d: _language_matches(languages[d], value)
            if q.fieldname == "topic":
                topics = self.topic_sets()
                return lambda d: value in topics[d]
        if isinstance(q, wq.TermRange) and q.fieldname == "day" and not (q.startexcl or q.endexcl):
            first, last = _ordinal(q.start, 1), _ordinal(q.end, date.max.toordinal())
            if first is None or last is None:
                return None
            dates = self.array("date")  # 0 without a date, which no range holds
            return lambda d: first <= (dates[d] or 0) <= last
        if isinstance(q, wq.And) and q.subqueries:
            tests = [self.column_test(child) for child in q.subqueries]
            checks = [test for test in tests if test is not None]
            if len(checks) < len(tests):
                return None
            return lambda d: all(check(d) for check in checks)
        return None

    def topic_sets(self) -> tuple[tuple[str, ...], ...]:
        cached = self.arrays.get("#topics")
        if cached is None:
            cached = self.arrays["#topics"] = self._index_array("#topics", self._topic_sets)
        return cached

    def _topic_sets(self) -> tuple[tuple[str, ...], ...]:
        split: dict[str, tuple[str, ...]] = {}  # one tuple per distinct set of topics
        return tuple(
            split.get(v) or split.setdefault(v, tuple(t for t in v.split(",") if t)) if v else ()
            for v in self.array("topic_set")
        )


def _language_matches(language: str | None, tag: str) -> bool:
    if not language:
        return False
    folded = language.lower()
    return folded == tag or folded.split("-")[0] == tag


def _ordinal(day: str | None, default: int) -> int | None:
    """The ordinal of a YYYYMMDD day (the `day` field's terms), `default` for an open end."""
    if day is None:
        return default
    if len(day) != 8 or not day.isdigit():
        return None
    try:
        return date(int(day[:4]), int(day[4:6]), int(day[6:])).toordinal()
    except ValueError:
        return None


# A searcher's Columns, kept beside the searcher (not on it) and gone with it.
_BY_SEARCHER: weakref.WeakKeyDictionary[Searcher, Columns] = weakref.WeakKeyDictionary()
_BY_SEARCHER_LOCK = threading.Lock()


def columns_of(searcher: Searcher) -> Columns:
    with _BY_SEARCHER_LOCK:
        columns = _BY_SEARCHER.get(searcher)
        if columns is None:
            columns = _BY_SEARCHER[searcher] = Columns(searcher)
    return columns
