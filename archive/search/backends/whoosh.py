"""The default backend: a Whoosh index on local disk.

Layout under PATH: `live` is a symlink to the current generation directory (`gen-<ns>`),
each a complete Whoosh index. A rebuild writes a new generation beside the live one and
swaps the link with one atomic rename, so searches never see a half-built index.

Schema: one text field per analysis key for the turn's own text (`text_<key>`), one for
the aligned translations' text (`trans_<key>`) and one for the title (`title_<key>`),
each with that key's analyzer (`archive.search.analysis`), plus the speaker's names and
topic labels, and keyword/numeric fields for filters, facets and sorting.

Searching: the query is translated into Whoosh queries (`_QueryBuilder`) but evaluated here,
a posting list at a time: the matches as set algebra (`_docset`) and the relevance as BM25F
sums over whole posting lists (`_BulkScorer`), with Whoosh's own scores and order (a test
holds them equal). Whoosh's matchers, a Python call per document, are left the phrase checks.
Facets are counted from column values held as tuples, on a sample beyond FACET_EXACT_LIMIT.
"""

from __future__ import annotations

import ctypes
import fcntl
import heapq
import operator
import os
import shutil
import signal
import threading
import time
from array import array as IntArray
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext
from itertools import accumulate, chain
from pathlib import Path
from typing import Any

from django.utils.text import slugify
from whoosh import columns
from whoosh import fields as wf
from whoosh import index as wi
from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher
from whoosh.index import EmptyIndexError, LockError
from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.reading import TermNotFound
from whoosh.scoring import BM25F, BM25FScorer, WeightScorer
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length
from whoosh.writing import IndexWriter

from archive.models import Turn
from archive.search import analysis
from archive.search.backends import mapped_files
from archive.search.backends.base import (
    FACETS,
    BackendHit,
    BackendResults,
    BaseSearchBackend,
    ProgressCallback,
    SearchRequest,
    StoredDocument,
)
from archive.search.compiler import (
    LABELS,
    NAMES,
    TEXT,
    TITLE,
    TRANS,
    TYPO_PREFIX,
    TYPO_SUFFIX,
    QueryCompiler,
    Scope,
    too_costly,
    typo_edits,
)
from archive.search.documents import IndexDocument
from archive.search.errors import IndexBusy
from archive.search.fields import RepeatedText
from archive.search.query import FieldTerm, answer_statuses
from archive.search.tokens import (
    SURFACE_POSTINGS,
    SURFACE_TURNS,
    edit_distance,
    suggest_distance,
    surface_word,
)

mapped_files.install()  # segment files read from the memory map, not copied (see the module)

LIVE = "live"
WAITING = "waiting.lock"  # under PATH: flock held by a rebuild (or clear) waiting for the write lock
GENERIC = "generic"
TITLE_BOOST = 1.2
NAMES_BOOST = 1.2
TRANSLATION_BOOST = 0.8
TEXT_PREFIXES = ("text_", "trans_", "title_")
SUGGEST_TERMS = 50_000  # terms examined per word and field, at most
SUGGEST_SECONDS = 0.2  # time for a whole suggestion, at most: it is only a hint

# A search's time limits count the CPU time of the thread answering it, not the wall clock: on a
# busy machine (32 searchers on 3 workers) the clock runs while a worker waits for a core, and a
# search refused for that would be refused for the load, not for its cost.
search_clock = time.thread_time


def build_schema() -> wf.Schema:
    # Few indexed keyword fields (each costs a posting per document at build time); what only
    # sorts or facets is a column.
    schema = wf.Schema(
        turn_id=wf.ID(unique=True),
        transcript_id=wf.ID,
        stored=wf.STORED,  # (turn id, transcript id, fingerprint): what check_index compares
        lang=wf.KEYWORD(lowercase=False, scorable=False),  # "zh-hans zh": exact tag and base language
        kind=wf.ID(sortable=True),
        answered=wf.ID(sortable=True),  # a question's answer status; absent when not assessed
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
    if doc.answer_status:
        fields["answered"] = doc.answer_status
    if doc.date is not None:
        fields["date"] = doc.date.toordinal()
        fields["day"] = doc.date.strftime("%Y%m%d")
        fields["year"] = str(doc.date.year).encode("ascii")
    return fields


def _merge_segments_with_deletions(writer: Any, segments: list[Any]) -> list[Any]:
    """A Whoosh merge policy: rewrite every segment that holds deleted documents, keep the others."""
    from whoosh.reading import SegmentReader

    kept = []
    for segment in segments:
        if segment.has_deletions():
            reader = SegmentReader(writer.storage, writer.schema, segment)
            writer.add_reader(reader)
            reader.close()
        else:
            kept.append(segment)
    return kept


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
        if live is not None and open_index(live) is not None:
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
                if directory is None:
                    self._yield_to_waiting(deadline)
                target = directory or self._ensure_live()
                ix = open_index(target)
                if ix is None:
                    raise EmptyIndexError(f"{target} holds no index")
                try:
                    # A writer replacing the whole index says it waits, or it would rarely get the
                    # lock from an indexer working through a backlog: that takes it again at once.
                    with self._waiting(deadline) if directory is not None else nullcontext():
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

    @contextmanager
    def _waiting(self, deadline: float) -> Iterator[None]:
        """Hold the WAITING flock: until this writer has the write lock, the others let it go first.

        A flock, not a file: it goes with its process, so a killed rebuild holds up nobody.
        """
        fd = os.open(self.root / WAITING, os.O_CREAT | os.O_RDWR, 0o644)
        try:
            # Exclusive: taken only while no other process waits or looks (a look takes a moment).
            while not _flock(fd, fcntl.LOCK_EX):
                if time.monotonic() >= deadline:
                    raise IndexBusy("another rebuild is waiting for the index")
                time.sleep(0.01)
            yield
        finally:
            os.close(fd)  # releases the flock

    def _yield_to_waiting(self, deadline: float) -> None:
        """Between batches: while a rebuild waits for the write lock, leave the lock to it."""
        while True:
            try:
                fd = os.open(self.root / WAITING, os.O_RDONLY)
            except FileNotFoundError:
                return
            try:
                if _flock(fd, fcntl.LOCK_SH):  # free: nobody waits
                    return
            finally:
                os.close(fd)
            if time.monotonic() >= deadline:
                raise IndexBusy("a rebuild is waiting for the index")
            time.sleep(0.05)

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

    def expunge(self, wait: float = 10.0) -> None:
        # A deleted document stays in its segment (and its words in the segment's term list)
        # until the segment is rewritten: rewrite those that hold any.
        with self._writer(wait) as writer:
            writer.commit(mergetype=_merge_segments_with_deletions)

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
                limitmb = self.rebuild_limitmb
                if self.procs > 1:
                    writer = _BuildWriter(ix, procs=self.procs, limitmb=limitmb, multisegment=True)
                else:
                    writer = ix.writer(limitmb=limitmb)
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
        if live is None:
            return None
        searcher: Searcher | None = state.get("searcher")
        # A new searcher, not searcher.refresh(): Whoosh's refresh reuses segment readers
        # with their old deletion lists, so deleted turns would go on matching.
        if searcher is None or state.get("live") != live or not searcher.up_to_date():
            ix = open_index(live)
            if ix is None:
                return None
            if searcher is not None:
                searcher.close()
            searcher = ix.searcher(weighting=BM25F())
            state.update(live=live, searcher=searcher)
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
        builder = _QueryBuilder(searcher, request)
        builder.prepare_typos()
        q = builder.build()
        columns = _columns_of(searcher)
        searcher.weighting = columns.weighting()
        deadline = search_clock() + request.time_limit
        query_filter = _filter(request)
        key = _match_key(request)
        matched = columns.matches.get(key) if key is not None else None
        wanted = request.offset + request.limit
        if collector_sorted(request):
            if matched is None:
                # Every matching document (the count and the facets need them all), unscored.
                if request.query.root is None and query_filter is not None:
                    matched = _docset(searcher, query_filter, deadline)  # browsing: the filters alone
                else:
                    matched = _docset(searcher, q, deadline)
                    if query_filter is not None:
                        matched &= _docset(searcher, query_filter, deadline)
            order = columns.date_order(desc=request.sort != "date")
            top = heapq.nsmallest(wanted, matched, key=order.__getitem__)
            hits = [BackendHit(columns.turn_id(d), 0.0) for d in top[request.offset :]]
        else:
            # One pass: BM25F of every matching document (within the filters), so the matches are
            # the scored documents. Ties go to the lower document number, as in Whoosh's collector.
            allow = matched
            if allow is None and query_filter is not None:
                allow = _docset(searcher, query_filter, deadline)
            scored = _scores(searcher, columns, q, allow, deadline)
            if matched is None:
                matched = set(scored)
            # (score, -docnum) pairs compared in C: the highest scores, then the lowest numbers.
            top_scored = heapq.nlargest(wanted, zip(scored.values(), map(operator.neg, scored), strict=True))
            hits = [
                BackendHit(columns.turn_id(-d), float(score)) for score, d in top_scored[request.offset :]
            ]
        if key is not None:
            columns.matches.put(key, matched)
        facets: dict[str, list[tuple[str, int]]] = {}
        approximate = False
        if request.facets:
            facet_key = (key, request.facet_size) if key is not None else None
            cached = columns.facet_counts.get(facet_key) if facet_key is not None else None
            facets, approximate = cached or columns.facets(matched, request.facet_size)
            if facet_key is not None and cached is None:
                columns.facet_counts[facet_key] = (facets, approximate)
        corrected = builder.correction() if builder.fuzzy and matched else None
        return BackendResults(len(matched), hits, facets, facets_approximate=approximate, corrected=corrected)

    def suggest(self, request: SearchRequest) -> str | None:
        searcher = self.searcher()
        if searcher is None:
            return None
        return _QueryBuilder(searcher, request).suggest()


def _has_live_document(reader: Any, fieldname: str, term: str) -> bool:
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


_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


class _BuildWorker(SubWriterTask):  # type: ignore[misc]
    """A Whoosh build worker that dies with the rebuild that started it.

    Workers wait on their job queue: when a rebuild was SIGKILLed they lived on without a
    parent, each holding up to REBUILD_LIMITMB. Now the kernel kills them with it (Linux:
    Whoosh forks them, multiprocessing's default there, so the rebuild is their parent).
    """

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.rebuild_pid = os.getpid()

    def run(self) -> None:
        prctl = getattr(ctypes.CDLL(None, use_errno=True), "prctl", None)  # None: not Linux
        if prctl is not None:
            prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
            if os.getppid() != self.rebuild_pid:  # the rebuild died before that took effect
                os._exit(1)
        super().run()


class _BuildWriter(MpWriter):  # type: ignore[misc]
    """Whoosh's multiprocessing writer with workers that end with the rebuild, killed or failed."""

    def _new_task(self) -> _BuildWorker:
        task = _BuildWorker(
            self.storage, self.indexname, self.jobqueue, self.resultqueue, self.subargs, self.multisegment
        )
        self.tasks.append(task)
        task.start()
        return task

    def cancel(self) -> None:
        # Whoosh's cancel only flags its own copies of the workers: left waiting for jobs, they
        # would outlive a failed build and hang this process's exit (multiprocessing joins them).
        try:
            for task in self.tasks:
                task.kill()
                task.join()
        finally:
            super().cancel()


def _flock(fd: int, operation: int) -> bool:
    """Take a flock without blocking; False when another process holds a conflicting one."""
    try:
        fcntl.flock(fd, operation | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def open_index(directory: Path, attempts: int = 20) -> wi.FileIndex | None:
    """The Whoosh index in `directory` at its latest commit; None if it holds none.

    Whoosh finds the newest table of contents by listing the directory, then opens it: a
    commit in another process landing in between deletes that file (FileNotFoundError, a
    500 under load). The next listing finds the new one, so read again.
    """
    for attempt in range(attempts):
        try:
            return wi.open_dir(str(directory))
        except EmptyIndexError:
            return None
        except FileNotFoundError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.005 * (attempt + 1))
    return None


def _column_values(column: Any, count: int) -> tuple[Any, ...]:
    """Every document's value in a segment's column, one object per distinct value.

    The stored values are read in one pass and each distinct one is translated (Whoosh's
    field conversion, bytes to text) once: a million documents then share a few thousand
    objects (a speaker, a date, a language...), not a million strings, in about half the time of
    Whoosh's value-by-value translation.
    """
    translate = getattr(column, "_translate", None)
    raw_column = column.raw_column() if translate is not None else column
    stored = list(raw_column)
    if len(stored) != count:  # (a column reader that iterates otherwise: value by value)
        stored = [raw_column[d] for d in range(count)]

    def value(raw: Any) -> Any:
        found = translate(raw) if translate is not None else raw
        return found.decode("utf-8") if isinstance(found, bytes) else found

    shared = {raw: value(raw) for raw in dict.fromkeys(stored)}
    return tuple(map(shared.__getitem__, stored))


def _match_key(request: SearchRequest) -> tuple[Any, ...] | None:
    """What decides the set of matching documents (not the sort or the page); None if unhashable."""
    key = (
        request.query.root,
        request.typos,
        request.language,
        request.speaker,
        request.topic,
        request.kind,
        request.answered,
        request.date_from,
        request.date_to,
        request.transcripts,
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


def _docset(searcher: Searcher, q: wq.Query, deadline: float) -> set[int]:
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
        local = _SetEvaluator(sub, reader, deadline).docs(q)
        deleted = reader.deleted_docs_set if reader.has_deletions() else None
        if deleted:
            local -= deleted
        found |= {d + offset for d in local} if offset else local
    return found


def _scores(
    searcher: Searcher, columns: _Columns, q: wq.Query, allow: set[int] | None, deadline: float
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
        scores = _BulkScorer(searcher, sub, columns, local, deadline).scores(q)
        if local is None and reader.has_deletions():
            for d in reader.deleted_docs_set:
                scores.pop(d, None)
        if not offset and not found:
            found = scores
        else:
            found.update({d + offset: v for d, v in scores.items()})
    return found


def _raw_postings(reader: Any, fieldname: str, text: str | bytes) -> tuple[Any, Any, bytes] | None:
    """(matcher, field, term bytes) of a term's raw postings in one segment; None if it has none.

    Raw: deletions are subtracted once per segment by the caller, not per posting.
    """
    terms = getattr(reader, "_terms", None)  # a segment's (an empty index has none)
    if terms is None or fieldname not in reader.schema:
        return None
    field = reader.schema[fieldname]
    btext = text if isinstance(text, bytes) else field.to_bytes(text)
    try:
        return terms.matcher(fieldname, btext, field.format), field, btext
    except (KeyError, TermNotFound):
        return None


class _SetEvaluator:
    """The documents of one segment matching a query, as a set of segment document numbers."""

    def __init__(self, searcher: Searcher, reader: Any, deadline: float) -> None:
        self.searcher = searcher
        self.reader = reader
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
            phrase = self.phrases.get(q)  # a phrase is in the query twice (see _QueryBuilder.build)
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
            for btext in q._btexts(self.reader):
                found |= self.term(q.fieldname, btext)
            return found
        return set(self.searcher.docs_for_query(q))  # anything else: Whoosh's own matching

    def _all(self, queries: Iterable[wq.Query]) -> set[int]:
        found: set[int] | None = None
        for child in queries:
            docs = self.docs(child)
            found = docs if found is None else found & docs
            if not found:
                return set()
        return found or set()

    def term(self, fieldname: str, text: str | bytes) -> set[int]:
        found = _raw_postings(self.reader, fieldname, text)
        return set(_posting_ids(found[0])) if found is not None else set()


class _BulkScorer:
    """BM25F scores of the matching documents of one segment, a posting list at a time.

    The same sums as Whoosh's matchers (a term's BM25F with the per-field average length of
    `_PerFieldBM25F`; OR, AND and a phrase add their parts' scores, AND NOT keeps the first
    part's, AND MAYBE adds the second's where it matches) without their per-document calls,
    whose block-quality skipping could not prune a broad search: every one of 25,000 matches
    was scored through the whole query tree.
    """

    def __init__(
        self, top: Searcher, sub: Searcher, columns: _Columns, allow: set[int] | None, deadline: float
    ) -> None:
        self.top = top
        self.sub = sub
        self.reader = sub.reader()
        self.columns = columns
        self.allow = allow  # this segment's documents within the filters (None: all)
        self.deadline = deadline
        self.weighting = columns.weighting()
        self.sets = _SetEvaluator(sub, self.reader, deadline)
        self.terms: dict[tuple[str, Any], dict[int, float]] = {}

    def scores(self, q: wq.Query) -> dict[int, float]:
        if search_clock() > self.deadline:
            raise too_costly()
        if isinstance(q, wq.Term):
            found = self.term(q.fieldname, q.text)
            return found if q.boost == 1 else {d: v * q.boost for d, v in found.items()}
        if isinstance(q, wq.Or):
            parts = sorted((self.scores(c) for c in q.subqueries), key=len, reverse=True)
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
        for child in queries:
            part = self.scores(child)
            if total is None:
                total = {d: v for d, v in part.items() if d in having} if having is not None else dict(part)
            else:
                total = {d: v + part[d] for d, v in total.items() if d in part}
            if not total:
                return {}
        return total or {}

    def term(self, fieldname: str, text: Any) -> dict[int, float]:
        key = (fieldname, text)
        found = self.terms.get(key)
        if found is not None:
            return dict(found)
        found = {}
        postings = _raw_postings(self.reader, fieldname, text)
        if postings is not None:
            matcher, field, btext = postings
            allow = self.allow
            if field.scorable:
                idf = self.top.idf(fieldname, btext)
                k1 = self.weighting.K1
                norms = self.columns.length_norms(self.top, self.reader, fieldname)
                codes = self.columns.length_codes(self.reader, fieldname)
                scale = idf * (k1 + 1)
                for ids, weights in _posting_blocks(matcher):
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
                for ids, weights in _posting_blocks(matcher):
                    if isinstance(weights, float):
                        kept = ids if allow is None else [d for d in ids if d in allow]
                        found.update(dict.fromkeys(kept, weights))
                    else:
                        found.update(
                            {d: w for d, w in zip(ids, weights, strict=False) if allow is None or d in allow}
                        )
        self.terms[key] = found
        return dict(found)


def _posting_blocks(matcher: Any) -> Iterator[tuple[list[int], Any]]:
    """(document numbers, weights: a sequence or one float for all) of each block of a term's postings."""
    if not isinstance(matcher, W3LeafMatcher):  # inlined postings: a few
        ids, weights = [], []
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            matcher.next()
        yield ids, weights
        return
    while True:
        matcher._read_data()
        block, weights = matcher._data[0], matcher._data[1]
        ids = list(block) if matcher._byteids else list(accumulate(block))
        yield ids, 1.0 if weights is None else weights
        if matcher._lastblock:
            return
        matcher._goto(matcher._nextoffset)


def _posting_ids(matcher: Any) -> Iterable[int]:
    """The document numbers of a term's postings, read a block at a time."""
    if not isinstance(matcher, W3LeafMatcher):
        return matcher.all_ids()  # type: ignore[no-any-return]  # inlined postings
    ids: list[int] = []
    while True:
        matcher._read_data()
        block = matcher._data[0]
        ids.extend(block if matcher._byteids else accumulate(block))
        if matcher._lastblock:
            return ids
        matcher._goto(matcher._nextoffset)


# Per-segment column values as Python lists, keyed by segment: segments never change (only
# their deletion lists do), so after a commit only new segments are read again.
_SEGMENT_VALUES: dict[tuple[str, str, str], tuple[Any, ...]] = {}
_SEGMENT_VALUES_LOCK = threading.Lock()
FACET_EXACT_LIMIT = 30_000
FACET_COLUMNS = {
    "speaker": "speaker",
    "topic": "topic_set",
    "language": "language",
    "kind": "kind",
    "year": "year",
    "answered": "answered",
}


class _Columns:
    """Column values of the whole index, indexed by global document number.

    Tuples of shared strings and integers: the garbage collector stops tracking such a tuple
    after its first collection, so a full collection does not walk a million values again.
    """

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher
        self.folder = str(searcher._ix.storage.folder)
        self._weighting: _PerFieldBM25F | None = None
        self.arrays: dict[str, tuple[Any, ...]] = {}
        self.orders: dict[bool, list[int] | IntArray[int]] = {}  # date_order(desc), per desc
        self.matches = _MatchCache()
        # Facet counts per (matches key, facet size), for the same searcher.
        self.facet_counts: _BoundedDict = _BoundedDict(512)
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
            values = _column_values(column, count) if column is not None else (None,) * count
            with _SEGMENT_VALUES_LOCK:
                if len(_SEGMENT_VALUES) > 2000:
                    _SEGMENT_VALUES.clear()
                _SEGMENT_VALUES[key] = values
        return values

    def array(self, fieldname: str) -> tuple[Any, ...]:
        """A column's values for the whole index, one per global document number."""
        cached = self.arrays.get(fieldname)
        if cached is None:
            parts = [self._values(reader, fieldname) for reader, _offset in self._segments()]
            cached = parts[0] if len(parts) == 1 else tuple(chain.from_iterable(parts))
            self.arrays[fieldname] = cached
        return cached

    def date_order(self, desc: bool) -> list[int] | IntArray[int]:
        """Each document's rank by date (newest first if `desc`), then transcript slug, then position.

        One integer per document, packed from the ranks of the three values, in an array: a
        tuple per document would cost a million objects at a million turns, which the garbage
        collector walks again and again.
        """
        cached = self.orders.get(desc)
        if cached is not None:
            return cached
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
        order = IntArray("Q", keys) if fits else list(keys)  # (beyond 64 bits: Python's integers)
        self.orders[desc] = order
        return order

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
            perdoc = getattr(reader, "_perdoc", None)
            column = (
                perdoc._cached_reader(f"_{fieldname}_len", LENGTHS_COLUMN) if perdoc is not None else None
            )
            if column is None:
                codes: bytes | tuple[int, ...] = bytes(count)
            elif getattr(column, "_fixedlen", None) == 1 and hasattr(column, "_basepos"):
                raw = bytes(column._dbfile.get(column._basepos, column._count)) if column._count else b""
                codes = raw + bytes(max(0, count - len(raw)))
            else:
                codes = tuple(column[d] or 0 for d in range(count))
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

    def facets(self, matched: set[int], size: int) -> tuple[dict[str, list[tuple[str, int]]], bool]:
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

    def topic_sets(self) -> tuple[tuple[str, ...], ...]:
        cached = self.arrays.get("#topics")
        if cached is None:
            split: dict[str, tuple[str, ...]] = {}  # one tuple per distinct set of topics
            cached = tuple(
                split.get(v) or split.setdefault(v, tuple(t for t in v.split(",") if t)) if v else ()
                for v in self.array("topic_set")
            )
            self.arrays["#topics"] = cached
        return cached


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


def _language_query(tag: str) -> wq.Query:
    """An exact tag (zh-Hans) or every tag of a base language (zh: zh-Hans, zh-Hant...)."""
    return wq.Term("lang", tag.strip().lower())


class _QueryBuilder(QueryCompiler[str, wq.Query]):
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

    def prefix_terms(self, f: str, stem: str, budget: int) -> tuple[int, list[wq.Query]]:
        terms: list[wq.Query] = []
        for btext in self.reader.expand_prefix(f, stem):
            terms.append(wq.Term(f, btext.decode("utf-8")))
            if len(terms) > budget:
                break
        return len(terms), terms

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
            return _language_query(value)
        if node.field == "answered":
            statuses = answer_statuses(value)
            return wq.Or([wq.Term("answered", s) for s in statuses]) if statuses else wq.NullQuery
        return wq.Term(node.field, slugify(value, allow_unicode=True) or value)

    def close_terms(self, tokens: list[tuple[str, str]], limit: int | None) -> list[tuple[str, str, int]]:
        if self.deadline is None:
            self.deadline = search_clock() + SUGGEST_SECONDS
        reader = self.reader
        found: list[tuple[int, int, str, str]] = []  # (distance, -frequency, field, term)
        for fieldname, token in tokens:
            edits = suggest_distance(token) if limit is None else limit
            found.extend(
                (distance, -reader.doc_frequency(fieldname, term), fieldname, term)
                for term, distance in _near_terms(
                    reader, fieldname, token, self.deadline, edits, typo=limit is not None
                )
            )
        # A term whose documents were all deleted (a redaction) stays in its segment's term list
        # until the segment is rewritten (`expunge`): never offer it.
        return [
            (fieldname, term, -docs)
            for _, docs, fieldname, term in sorted(found)
            if _has_live_document(reader, fieldname, term)
        ]

    def surface(self, f: str, term: str, typed: str) -> str:
        """`term` as written in the turns that use it most densely (among its first postings: short
        turns are cheap to read back), else the term itself."""
        searcher = self.searcher
        reader = self.reader
        matcher = reader.postings(f, term)
        dense: list[tuple[float, int]] = []
        for _ in range(SURFACE_POSTINGS):
            if not matcher.is_active():
                break
            length = max(1, reader.doc_field_length(matcher.id(), f, 1))
            dense.append((matcher.weight() / length, matcher.id()))
            matcher.next()
        turn_ids = [
            int(searcher.stored_fields(d)["stored"][0]) for _, d in heapq.nlargest(SURFACE_TURNS, dense)
        ]
        texts = Turn.objects.filter(pk__in=turn_ids).values_list("text", flat=True)
        return surface_word(field_key(f), texts, term, typed) or term


_SCOPE_FIELDS = {
    TEXT: "text_{key}",
    TRANS: "trans_{key}",
    TITLE: "title_{key}",
    NAMES: "speaker_names",
    LABELS: "topic_labels",
}


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
