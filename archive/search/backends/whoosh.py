"""The default backend: a Whoosh index on local disk.

Layout under PATH: `live` is a symlink to the current generation directory (`gen-<ns>`),
each a complete Whoosh index. A rebuild writes a new generation beside the live one and
swaps the link with one atomic rename, so searches never see a half-built index.

Schema: one text field per analysis key for the turn's own text (`text_<key>`), one for
the aligned translations' text (`trans_<key>`) and one for the title (`title_<key>`),
each with that key's analyzer (`archive.search.analysis`), plus the speaker's names and
topic labels, and keyword/numeric fields for filters, facets and sorting.
"""

from __future__ import annotations

import heapq
import os
import shutil
import threading
import time
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.utils.text import slugify
from whoosh import columns
from whoosh import fields as wf
from whoosh import index as wi
from whoosh import query as wq
from whoosh.collectors import FilterCollector, TimeLimit, TopCollector
from whoosh.index import LockError
from whoosh.scoring import BM25F, BM25FScorer, WeightScorer
from whoosh.searching import Searcher
from whoosh.writing import IndexWriter

from archive.search import analysis
from archive.search.backends.base import (
    FACETS,
    BackendHit,
    BackendResults,
    BaseSearchBackend,
    ProgressCallback,
    SearchRequest,
    StoredDocument,
)
from archive.search.documents import IndexDocument
from archive.search.errors import IndexBusy, QueryRefused
from archive.search.fields import RepeatedText
from archive.search.query import And, FieldTerm, Not, Or, Phrase, Prefix, Word
from archive.search.tokens import analyzed

LIVE = "live"
GENERIC = "generic"
MAX_PREFIX_EXPANSIONS = 300
TITLE_BOOST = 1.2
NAMES_BOOST = 1.2
TRANSLATION_BOOST = 0.8
TEXT_PREFIXES = ("text_", "trans_", "title_")


def build_schema() -> wf.Schema:
    # Few indexed keyword fields (each costs a posting per document at build time); what only
    # sorts or facets is a column.
    schema = wf.Schema(
        turn_id=wf.ID(unique=True),
        transcript_id=wf.ID,
        stored=wf.STORED,  # (turn id, transcript id, fingerprint): what check_index compares
        lang=wf.KEYWORD(lowercase=False, scorable=False),  # "zh-hans zh": exact tag and base language
        kind=wf.ID(sortable=True),
        speaker=wf.ID(sortable=True),
        topic=wf.KEYWORD(commas=True, lowercase=False, scorable=False),
        day=wf.ID,  # YYYYMMDD, for date ranges
        slug=wf.COLUMN(columns.VarBytesColumn()),
        position=wf.COLUMN(columns.NumericColumn("I")),
        date=wf.COLUMN(columns.NumericColumn("I")),  # ordinal day, 0 without a date
        language=wf.COLUMN(columns.RefBytesColumn()),
        year=wf.COLUMN(columns.RefBytesColumn()),
        topic_set=wf.COLUMN(columns.VarBytesColumn()),  # comma-joined slugs: the topic facet reads it
        present_fields=wf.COLUMN(columns.VarBytesColumn()),  # which text fields the document has (scoring)
        # Shared by many turns (a speaker's, a transcript's): analyzed once per value at build time.
        speaker_names=RepeatedText(
            analyzer=analysis.analyzer_for(GENERIC), field_boost=NAMES_BOOST, phrase=True
        ),
        topic_labels=RepeatedText(analyzer=analysis.analyzer_for(GENERIC), phrase=True),
    )
    for key in analysis.ANALYSIS_KEYS:
        analyzer = analysis.analyzer_for(key)
        schema.add(f"text_{key}", wf.TEXT(analyzer=analyzer, phrase=True))
        schema.add(f"trans_{key}", wf.TEXT(analyzer=analyzer, phrase=True, field_boost=TRANSLATION_BOOST))
        schema.add(f"title_{key}", RepeatedText(analyzer=analyzer, phrase=False, field_boost=TITLE_BOOST))
    return schema


def whoosh_fields(doc: IndexDocument) -> dict[str, Any]:
    """The Whoosh document for one IndexDocument."""
    language = doc.language
    tag = language.lower()
    base = tag.split("-")[0]
    fields: dict[str, Any] = {
        "turn_id": str(doc.turn_id),
        "transcript_id": str(doc.transcript_id),
        "stored": (doc.turn_id, doc.transcript_id, doc.fingerprint),
        "lang": tag if tag == base else f"{tag} {base}",
        "kind": doc.kind,
        "speaker": doc.speaker,
        "topic": ",".join(doc.topics),
        "slug": doc.slug.encode("utf-8"),
        "position": doc.position,
        "language": language.encode("utf-8"),
        "topic_set": ",".join(doc.topics).encode("utf-8"),
        "speaker_names": "\n".join([*doc.speaker_names, doc.speaker.replace("-", " ")]),
        "topic_labels": "\n".join(label for _, label in doc.topic_labels),
        f"text_{analysis.analysis_key(language)}": doc.text,
        f"title_{analysis.analysis_key(doc.title_language)}": doc.title,
    }
    translations: dict[str, list[str]] = defaultdict(list)
    for tag_, text in doc.translations:
        translations[analysis.analysis_key(tag_)].append(text)
    for key, texts in translations.items():
        fields[f"trans_{key}"] = "\n".join(texts)
    fields["present_fields"] = ",".join(sorted(f for f in fields if f.startswith(TEXT_PREFIXES))).encode()
    if doc.date is not None:
        fields["date"] = doc.date.toordinal()
        fields["day"] = doc.date.strftime("%Y%m%d")
        fields["year"] = str(doc.date.year).encode("ascii")
    return fields


def field_key(fieldname: str) -> str:
    for head in ("text_", "trans_", "title_"):
        if fieldname.startswith(head):
            return fieldname[len(head) :]
    return GENERIC


class _PerFieldBM25F(BM25F):  # type: ignore[misc]
    """BM25F whose average field length counts only the documents that have the field.

    Whoosh divides a field's total length by every document of the index, so a language with
    few turns (Chinese among 100k Hebrew and English ones) gets a tiny "average" and its turns,
    seemingly very long, score far below the others.
    """

    def __init__(self, docs_with_field: dict[str, int]) -> None:
        super().__init__()
        self.docs_with_field = docs_with_field

    def scorer(self, searcher: Any, fieldname: str, text: Any, qf: int = 1) -> Any:
        if not searcher.schema[fieldname].scorable:
            return WeightScorer.for_(searcher, fieldname, text)
        return _PerFieldBM25FScorer(
            searcher, fieldname, text, self.B, self.K1, qf, self.docs_with_field.get(fieldname)
        )


class _PerFieldBM25FScorer(BM25FScorer):  # type: ignore[misc]
    def __init__(
        self, searcher: Any, fieldname: str, text: Any, B: float, K1: float, qf: int, docs: int | None
    ) -> None:
        parent = searcher.get_parent()
        self.idf = parent.idf(fieldname, text)
        total = parent.field_length(fieldname)
        self.avgfl = (total / docs if docs else parent.avg_field_length(fieldname)) or 1
        self.B = B
        self.K1 = K1
        self.qf = qf
        # After avgfl: setup() computes the maximum score that block skipping relies on.
        self.setup(searcher, fieldname, text)


class _TimedTop(TopCollector):  # type: ignore[misc]
    """Whoosh's top-N collector (with its block-quality skipping) that stops at a deadline."""

    def __init__(self, limit: int, deadline: float) -> None:
        super().__init__(limit, usequality=True)
        self.deadline = deadline
        self.collected = 0

    def _collect(self, global_docnum: int, score: float) -> Any:
        self.collected += 1
        if not self.collected & 255 and time.monotonic() > self.deadline:
            raise TimeLimit
        return super()._collect(global_docnum, score)


class WhooshBackend(BaseSearchBackend):
    def __init__(self, alias: str, params: dict[str, Any]) -> None:
        super().__init__(alias, params)
        self.root = Path(params["PATH"])
        self.limitmb = int(params.get("LIMITMB", 128))
        # Per process. Large enough that a rebuild of the corpus sorts its postings in memory:
        # spilling runs to disk (pickled, then merged) cost a third of the build's CPU.
        self.rebuild_limitmb = int(params.get("REBUILD_LIMITMB", 1024))
        self.procs = max(1, int(params.get("PROCS", min(2, os.cpu_count() or 1))))
        self._local = threading.local()
        self._write_lock = threading.Lock()  # one writer per process; the file lock covers processes

    # -- storage ------------------------------------------------------------------------------------

    def live_dir(self) -> Path | None:
        try:
            return self.root / os.readlink(self.root / LIVE)
        except OSError:
            return None

    def _ensure_live(self) -> Path:
        live = self.live_dir()
        if live is not None and wi.exists_in(str(live)):
            return live
        self.root.mkdir(parents=True, exist_ok=True)
        generation = self._new_generation()
        self._swap(generation)
        return generation

    def _new_generation(self) -> Path:
        generation = self.root / f"gen-{time.time_ns()}"
        generation.mkdir(parents=True)
        wi.create_in(str(generation), build_schema())
        return generation

    def _swap(self, generation: Path) -> None:
        previous = self.live_dir()
        temp_link = self.root / f".live-{os.getpid()}-{threading.get_ident()}"
        temp_link.unlink(missing_ok=True)
        os.symlink(generation.name, temp_link)
        os.replace(temp_link, self.root / LIVE)  # atomic: readers see the old or the new index
        keep = {generation.name, previous.name if previous else ""}
        for old in self.root.glob("gen-*"):
            # The previous generation stays one swap longer for searchers still reading it.
            if old.name not in keep and old.name < generation.name:
                shutil.rmtree(old, ignore_errors=True)

    @contextmanager
    def _writer(self, wait: float, directory: Path | None = None) -> Iterator[IndexWriter]:
        acquired = self._write_lock.acquire(timeout=wait) if wait > 0 else self._write_lock.acquire(False)
        if not acquired:
            raise IndexBusy("another thread of this process is writing the index")
        try:
            deadline = time.monotonic() + wait
            while True:
                target = directory or self._ensure_live()
                ix = wi.open_dir(str(target))
                try:
                    writer = ix.writer(timeout=max(deadline - time.monotonic(), 0), limitmb=self.limitmb)
                except LockError as exc:
                    raise IndexBusy("another process is writing the index") from exc
                # A rebuild swaps the live link before it lets go of the old generation's lock:
                # a writer that waited for that lock must follow the link, or its changes are lost.
                if directory is not None or self.live_dir() == target:
                    break
                writer.cancel()
            try:
                yield writer
            except BaseException:
                writer.cancel()
                raise
            else:
                if not writer.is_closed:
                    writer.commit()
        finally:
            self._write_lock.release()

    # -- writes ---------------------------------------------------------------------------------------

    def apply(self, fetch: Callable[[], dict[int, list[IndexDocument]]], wait: float = 0.0) -> int:
        added = 0
        with self._writer(wait) as writer:
            documents = fetch()
            if not documents:
                writer.cancel()
                return 0
            for transcript_id, docs in documents.items():
                writer.delete_by_term("transcript_id", str(transcript_id))
                for doc in docs:
                    writer.add_document(**whoosh_fields(doc))
                    added += 1
        return added

    def delete_documents(self, turn_ids: Iterable[int], wait: float = 0.0) -> None:
        ids = list(turn_ids)
        if not ids:
            return
        with self._writer(wait) as writer:
            for turn_id in ids:
                writer.delete_by_term("turn_id", str(turn_id))

    def clear(self, wait: float = 10.0) -> None:
        with self._writer(wait, self._ensure_live()) as live_writer:
            self._swap(self._new_generation())
            live_writer.cancel()

    def rebuild(
        self,
        documents: Iterable[IndexDocument],
        progress: ProgressCallback | None = None,
        wait: float = 60.0,
    ) -> int:
        live = self._ensure_live()
        # Holding the live index's write lock keeps the indexer off an index about to be
        # replaced: its changes stay in the outbox and are applied to the new one.
        with self._writer(wait, live) as live_writer:
            generation = self._new_generation()
            count = 0
            try:
                ix = wi.open_dir(str(generation))
                # Analysis is the cost of a build: spread it over the CPUs (one segment per process).
                procs = self.procs
                writer = ix.writer(limitmb=self.rebuild_limitmb, procs=procs, multisegment=procs > 1)
                try:
                    for doc in documents:
                        writer.add_document(**whoosh_fields(doc))
                        count += 1
                        if progress is not None:
                            progress(1)
                except BaseException:
                    writer.cancel()
                    raise
                writer.commit(optimize=True)
            except BaseException:
                shutil.rmtree(generation, ignore_errors=True)
                raise
            self._swap(generation)
            live_writer.cancel()  # nothing was written to the old index
        return count

    # -- reads -----------------------------------------------------------------------------------------

    def searcher(self) -> Searcher | None:
        """This thread's searcher, refreshed when the index changed or was swapped."""
        state = self._local.__dict__
        live = self.live_dir()
        if live is None or not wi.exists_in(str(live)):
            return None
        searcher: Searcher | None = state.get("searcher")
        if searcher is None or state.get("live") != live:
            if searcher is not None:
                searcher.close()
            searcher = wi.open_dir(str(live)).searcher(weighting=BM25F())
            state.update(live=live, searcher=searcher)
        elif not searcher.up_to_date():
            # A new searcher, not searcher.refresh(): Whoosh's refresh reuses segment readers
            # with their old deletion lists, so deleted turns would go on matching.
            searcher.close()
            searcher = wi.open_dir(str(live)).searcher(weighting=BM25F())
            state["searcher"] = searcher
        return searcher

    def close(self) -> None:
        searcher = self._local.__dict__.pop("searcher", None)
        if searcher is not None:
            searcher.close()

    def count(self) -> int:
        searcher = self.searcher()
        return 0 if searcher is None else int(searcher.doc_count())

    def stored_documents(self) -> dict[int, StoredDocument]:
        searcher = self.searcher()
        if searcher is None:
            return {}
        found: dict[int, StoredDocument] = {}
        for stored in searcher.all_stored_fields():
            turn_id, transcript_id, fingerprint = stored["stored"]
            found[turn_id] = StoredDocument(turn_id, transcript_id, fingerprint)
        return found

    def search(self, request: SearchRequest) -> BackendResults:
        searcher = self.searcher()
        if searcher is None:
            return BackendResults(0, [], {name: [] for name in FACETS} if request.facets else {})
        q = _QueryBuilder(searcher, request).build()
        columns = _columns_of(searcher)
        searcher.weighting = columns.weighting()
        deadline = time.monotonic() + request.time_limit
        query_filter = _filter(request)
        key = _match_key(request)
        matched = columns.matches.get(key) if key is not None else None
        if matched is None:
            # Pass 1, unscored: every matching document (the count and the facets need them all).
            matched = _docset(searcher, q, deadline)
            if query_filter is not None:
                matched &= _docset(searcher, query_filter, deadline)
            if key is not None:
                columns.matches.put(key, matched)
        wanted = request.offset + request.limit
        if collector_sorted(request):
            order = columns.array("date_order", desc=request.sort != "date")
            top = heapq.nsmallest(wanted, matched, key=order.__getitem__)
            hits = [BackendHit(columns.turn_id(d), 0.0) for d in top[request.offset :]]
        else:
            # Pass 2, scored: BM25F over the matches, skipping blocks that cannot reach the top.
            timed: Any = _TimedTop(max(1, wanted), deadline)
            if query_filter is not None:
                timed = FilterCollector(timed, allow=matched)
            try:
                searcher.search_with_collector(q, timed)
            except TimeLimit:
                raise _too_costly() from None
            top_scored = timed.results().top_n[request.offset : wanted]
            hits = [BackendHit(columns.turn_id(docnum), float(score)) for score, docnum in top_scored]
        facets: dict[str, list[tuple[str, int]]] = {}
        if request.facets:
            facet_key = (key, request.facet_size) if key is not None else None
            cached = columns.facet_counts.get(facet_key) if facet_key is not None else None
            facets = cached if cached is not None else columns.facets(matched, request.facet_size)
            if facet_key is not None and cached is None:
                columns.facet_counts[facet_key] = facets
        return BackendResults(len(matched), hits, facets)

    def suggest(self, request: SearchRequest) -> str | None:
        searcher = self.searcher()
        if searcher is None or request.query.root is None:
            return None
        reader = searcher.reader()
        fields = _QueryBuilder(searcher, request).text_fields()
        changed = False
        words: dict[str, str] = {}
        for word in request.query.plain_words():
            best: tuple[int, str] | None = None
            known = False
            for fieldname in fields:
                groups = analyzed(field_key(fieldname), word)
                if len(groups) != 1:
                    continue
                token = groups[0][0]
                if reader.doc_frequency(fieldname, token):
                    known = True
                    break
                for candidate in searcher.corrector(fieldname).suggest(token, limit=1, maxdist=2):
                    frequency = reader.doc_frequency(fieldname, candidate)
                    if best is None or frequency > best[0]:
                        best = (frequency, candidate)
            if not known and best is not None:
                words[word] = best[1]
                changed = True
        if not changed:
            return None
        original = request.query_text or " ".join(request.query.plain_words())
        for word, replacement in words.items():
            original = original.replace(word, replacement)
        return original


def _column_value(column: Any, docid: int) -> Any:
    value = column[docid] if column is not None else None
    return value.decode("utf-8") if isinstance(value, bytes) else value


def _match_key(request: SearchRequest) -> tuple[Any, ...] | None:
    """What decides the set of matching documents (not the sort or the page); None if unhashable."""
    key = (
        request.query.root,
        request.language,
        request.speaker,
        request.topic,
        request.kind,
        request.date_from,
        request.date_to,
    )
    try:
        hash(key)
    except TypeError:
        return None
    return key


class _MatchCache:
    """The matching documents of recent searches, for one searcher (one state of the index).

    Counting and faceting need every match, which is what a broad search spends its time on;
    the next page, another sort or the same search again reuse them. A new searcher (any
    commit) starts empty, so nothing stale is ever answered. Bounded by the documents held.
    """

    MAX_DOCUMENTS = 2_000_000

    def __init__(self) -> None:
        self._sets: OrderedDict[tuple[Any, ...], set[int]] = OrderedDict()
        self._held = 0
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> set[int] | None:
        with self._lock:
            found = self._sets.get(key)
            if found is not None:
                self._sets.move_to_end(key)
            return found

    def put(self, key: tuple[Any, ...], matched: set[int]) -> None:
        with self._lock:
            if key in self._sets or len(matched) > self.MAX_DOCUMENTS:
                return
            self._sets[key] = matched
            self._held += len(matched)
            while self._held > self.MAX_DOCUMENTS:
                _, dropped = self._sets.popitem(last=False)
                self._held -= len(dropped)


def _too_costly() -> QueryRefused:
    return QueryRefused("This search matches too much to answer quickly. Please add words or filters.")


def _docset(searcher: Searcher, q: wq.Query, deadline: float) -> set[int]:
    found: set[int] = set()
    add = found.add
    for n, docnum in enumerate(searcher.docs_for_query(q)):
        if not n & 4095 and time.monotonic() > deadline:
            raise _too_costly()
        add(docnum)
    return found


# Per-segment column values as Python lists, keyed by segment: segments never change (only
# their deletion lists do), so after a commit only new segments are read again.
_SEGMENT_VALUES: dict[tuple[str, str, str], list[Any]] = {}
_SEGMENT_VALUES_LOCK = threading.Lock()
FACET_COLUMNS = {
    "speaker": "speaker",
    "topic": "topic_set",
    "language": "language",
    "kind": "kind",
    "year": "year",
}


class _Columns:
    """Column values of the whole index as lists indexed by global document number."""

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher
        self.folder = str(searcher._ix.storage.folder)
        self._weighting: _PerFieldBM25F | None = None
        self.arrays: dict[tuple[str, bool], list[Any]] = {}
        self.matches = _MatchCache()
        # Facet counts per (matches key, facet size), for the same searcher.
        self.facet_counts: _BoundedDict = _BoundedDict(512)

    def _segments(self) -> list[tuple[Any, int]]:
        subs = self.searcher.subsearchers
        return [(s.reader(), offset) for s, offset in subs] if subs else [(self.searcher.reader(), 0)]

    def _values(self, reader: Any, fieldname: str) -> list[Any]:
        segment = reader.segment()
        if segment is None:  # an empty index
            return []
        key = (self.folder, segment.segment_id(), fieldname)
        with _SEGMENT_VALUES_LOCK:
            values = _SEGMENT_VALUES.get(key)
        if values is None:
            known = fieldname in reader.schema  # (an index built before the field existed lacks it)
            column = reader.column_reader(fieldname) if known and reader.has_column(fieldname) else None
            count = reader.doc_count_all()
            values = (
                [_column_value(column, d) for d in range(count)] if column is not None else [None] * count
            )
            with _SEGMENT_VALUES_LOCK:
                if len(_SEGMENT_VALUES) > 2000:
                    _SEGMENT_VALUES.clear()
                _SEGMENT_VALUES[key] = values
        return values

    def array(self, fieldname: str, desc: bool = False) -> list[Any]:
        cached = self.arrays.get((fieldname, desc))
        if cached is not None:
            return cached
        if fieldname == "date_order":
            dates, slugs, positions = (self.array(f) for f in ("date", "slug", "position"))
            sign = -1 if desc else 1
            values = [
                (sign * (d or 0), s or "", p or 0) for d, s, p in zip(dates, slugs, positions, strict=True)
            ]
        else:
            values = []
            for reader, _offset in self._segments():
                values.extend(self._values(reader, fieldname))
        self.arrays[(fieldname, desc)] = values
        return values

    def weighting(self) -> _PerFieldBM25F:
        if self._weighting is None:
            counts: Counter[str] = Counter()
            for reader, _offset in self._segments():
                counts.update(self._field_counts(reader))
            self._weighting = _PerFieldBM25F(dict(counts))
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
            cached = [counts]
            with _SEGMENT_VALUES_LOCK:
                _SEGMENT_VALUES[key] = cached
        return cached[0]  # type: ignore[no-any-return]

    def turn_id(self, docnum: int) -> int:
        return int(self.searcher.stored_fields(docnum)["stored"][0])

    def facets(self, matched: set[int], size: int) -> dict[str, list[tuple[str, int]]]:
        found: dict[str, list[tuple[str, int]]] = {}
        for name, fieldname in FACET_COLUMNS.items():
            values = self.array(fieldname)
            if name == "topic":
                counts: Counter[str] = Counter(
                    t for d in matched if values[d] for t in values[d].split(",") if t
                )
            else:
                counts = Counter(values[d] for d in matched)
            counts = Counter({v: c for v, c in counts.items() if v not in (None, "")})
            ranked = sorted(counts.items(), key=lambda item: (-item[1], str(item[0])))
            found[name] = [(str(v), c) for v, c in ranked[:size]]
        return found


class _BoundedDict(dict[Any, Any]):
    """A dict that forgets everything when it grows past its size (facet counts are small)."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def __setitem__(self, key: Any, value: Any) -> None:
        if len(self) >= self.size:
            self.clear()
        super().__setitem__(key, value)


def _columns_of(searcher: Searcher) -> _Columns:
    columns: _Columns | None = getattr(searcher, "_archive_columns", None)
    if columns is None:
        columns = _Columns(searcher)
        searcher._archive_columns = columns  # type: ignore[attr-defined]
    return columns


def collector_sorted(request: SearchRequest) -> bool:
    return request.sort != "relevance" or request.query.root is None


def _filter(request: SearchRequest) -> wq.Query | None:
    parts: list[wq.Query] = []
    if request.language:
        parts.append(_language_query(request.language))
    if request.speaker:
        parts.append(wq.Term("speaker", request.speaker))
    if request.topic:
        parts.append(wq.Term("topic", request.topic))
    if request.kind:
        parts.append(wq.Term("kind", request.kind))
    if request.date_from or request.date_to:
        start = request.date_from.strftime("%Y%m%d") if request.date_from else None
        end = request.date_to.strftime("%Y%m%d") if request.date_to else None
        parts.append(wq.TermRange("day", start, end))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wq.And(parts)


def _language_query(tag: str) -> wq.Query:
    """An exact tag (zh-Hans) or every tag of a base language (zh: zh-Hans, zh-Hant...)."""
    return wq.Term("lang", tag.strip().lower())


class _QueryBuilder:
    """Translates the parsed query into Whoosh queries, field by field, each with its analysis."""

    def __init__(self, searcher: Searcher, request: SearchRequest) -> None:
        self.searcher = searcher
        self.reader = searcher.reader()
        self.request = request
        self.expansions = 0

    def text_fields(self) -> list[str]:
        """The fields free words are looked for in: text of the languages in scope, everything else."""
        present = _fields_with_content(self.searcher)
        if self.request.language:
            own = f"text_{analysis.analysis_key(self.request.language)}"
            texts = [own] if own in present else []
        else:
            texts = [f for f in present if f.startswith("text_")]
        others = [f for f in present if f.startswith(("trans_", "title_"))]
        return [*texts, *others, "speaker_names", "topic_labels"]

    def build(self) -> wq.Query:
        root = self.request.query.root
        if root is None:
            return wq.Every()
        self.fields = self.text_fields()
        q = self._node(root)
        if q is None:
            return wq.NullQuery
        # Turns that say the words themselves (or in their aligned translation) rank above turns
        # matching some words only through the transcript's title or the speaker's name.
        every_field = self.fields
        self.fields = [f for f in every_field if f.startswith(("text_", "trans_"))]
        self.expansions = 0
        own = self._node(root)
        self.fields = every_field
        if own is None or own is wq.NullQuery:
            return q
        return wq.AndMaybe(q, own)

    def _node(self, node: Any) -> wq.Query | None:
        if isinstance(node, And):
            return self._and(node.children)
        if isinstance(node, Or):
            built = [q for q in (self._node(c) for c in node.children) if q is not None]
            return wq.Or(built) if built else None
        if isinstance(node, Not):
            return self._and((node,))
        if isinstance(node, Word):
            return self._text(node.text, self.fields, phrase=False)
        if isinstance(node, Phrase):
            return self._text(node.text, self.fields, phrase=True)
        if isinstance(node, Prefix):
            return self._prefix(node.text)
        if isinstance(node, FieldTerm):
            return self._field_term(node)
        raise TypeError(f"unknown query node {node!r}")

    def _and(self, children: tuple[Any, ...]) -> wq.Query | None:
        positive = [q for q in (self._node(c) for c in children if not isinstance(c, Not)) if q is not None]
        negative = [q for q in (self._node(c.child) for c in children if isinstance(c, Not)) if q is not None]
        if not positive and not negative:
            return None
        base: wq.Query = wq.And(positive) if len(positive) > 1 else positive[0] if positive else wq.Every()
        if negative:
            return wq.AndNot(base, wq.Or(negative) if len(negative) > 1 else negative[0])
        return base

    def _text(self, text: str, fields: list[str], phrase: bool) -> wq.Query | None:
        per_field: list[wq.Query] = []
        reader = self.reader
        for fieldname in fields:
            groups = analyzed(field_key(fieldname), text)
            # Only terms the field holds: a word is looked for in a dozen fields and most lack it.
            present = [[t for t in g if reader.doc_frequency(fieldname, t)] for g in groups]
            if not present or not all(present):
                continue
            parts = [
                wq.Term(fieldname, g[0]) if len(g) == 1 else wq.Or([wq.Term(fieldname, t) for t in g])
                for g in present
            ]
            if len(parts) == 1:
                per_field.append(parts[0])
            elif phrase and self._has_positions(fieldname):
                per_field.append(wq.Sequence(parts))
            else:
                per_field.append(wq.And(parts))
        if not per_field:
            # Analyzable but found nowhere: matches nothing (None would drop the word from an AND).
            return wq.NullQuery if any(analyzed(field_key(f), text) for f in fields) else None
        return per_field[0] if len(per_field) == 1 else wq.Or(per_field)

    def _has_positions(self, fieldname: str) -> bool:
        return bool(self.searcher.schema[fieldname].format.supports("positions"))

    def _prefix(self, text: str) -> wq.Query | None:
        terms: list[wq.Query] = []
        for fieldname in self.fields:
            groups = analyzed(field_key(fieldname), text)
            if len(groups) != 1:
                continue
            for stem in groups[0][:1]:
                for btext in self.reader.expand_prefix(fieldname, stem):
                    self.expansions += 1
                    if self.expansions > MAX_PREFIX_EXPANSIONS:
                        raise QueryRefused(f"“{text}*” matches too many words. Please type more of the word.")
                    terms.append(wq.Term(fieldname, btext.decode("utf-8")))
        if not terms:
            return wq.NullQuery
        return wq.Or(terms)

    def _field_term(self, node: FieldTerm) -> wq.Query | None:
        value = node.value.strip()
        if node.field == "kind":
            return wq.Term("kind", value.lower())
        if node.field == "lang":
            return _language_query(value)
        exact = "speaker" if node.field == "speaker" else "topic"
        words_field = "speaker_names" if node.field == "speaker" else "topic_labels"
        options: list[wq.Query] = [wq.Term(exact, slugify(value, allow_unicode=True) or value)]
        by_words = self._text(value, [words_field], phrase=True)
        if by_words is not None:
            options.append(by_words)
        return wq.Or(options)


def _fields_with_content(searcher: Searcher) -> list[str]:
    """Fields holding any text in this searcher's index (cached on the searcher)."""
    cached: list[str] | None = getattr(searcher, "_archive_fields", None)
    if cached is None:
        reader = searcher.reader()
        cached = [
            name
            for name in searcher.schema.names()
            if name.startswith(("text_", "trans_", "title_")) and reader.field_length(name)
        ]
        searcher._archive_fields = cached  # type: ignore[attr-defined]
    return cached
