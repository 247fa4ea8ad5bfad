"""WhooshBackend: the default search backend, a Whoosh index on local disk.

Its parts, one concern each: `storage.py` (generations, the live link, locks), `schema.py` (fields
and documents), `rebuild.py` (the build workers), `compiler.py` (queries and filters),
`evaluation.py` (matches and BM25F scores a posting list at a time), `columns.py` (sorting and
facets), `suggestions.py` (did-you-mean), and `internals.py`, the only module that touches Whoosh's
private state, checked against the installed Whoosh when a backend is created.
"""

from __future__ import annotations

import heapq
import operator
import os
import shutil
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from whoosh.scoring import BM25F
from whoosh.searching import Searcher

from archive.search.backends.base import (
    FACETS,
    BackendHit,
    BackendResults,
    BaseSearchBackend,
    ProgressCallback,
    SearchRequest,
    StoredDocument,
    match_key,
)
from archive.search.backends.whoosh import internals
from archive.search.backends.whoosh.columns import Matches, columns_of
from archive.search.backends.whoosh.compiler import WhooshQueryCompiler, filter_query
from archive.search.backends.whoosh.evaluation import (
    bulk_scores,
    docset,
    filter_test,
    search_clock,
)
from archive.search.backends.whoosh.rebuild import write_generation
from archive.search.backends.whoosh.schema import whoosh_fields
from archive.search.backends.whoosh.storage import IndexStore, merge_segments_with_deletions, open_index
from archive.search.documents import IndexDocument


class WhooshBackend(BaseSearchBackend):
    def __init__(self, alias: str, params: dict[str, Any]) -> None:
        internals.install()  # refuses a Whoosh the internals were not written for
        super().__init__(alias, params)
        self.root = Path(params["PATH"])
        self.limitmb = int(params.get("LIMITMB", 128))
        # Per process. Large enough that a rebuild of the corpus sorts its postings in memory:
        # spilling runs to disk (pickled, then merged) cost a third of the build's CPU.
        self.rebuild_limitmb = int(params.get("REBUILD_LIMITMB", 1024))
        self.procs = max(1, int(params.get("PROCS", min(2, os.cpu_count() or 1))))
        self._local = threading.local()
        self.store = IndexStore(self.root, self.limitmb)

    def live_dir(self) -> Path | None:
        return self.store.live_dir()

    # -- writes ---------------------------------------------------------------------------------------

    def apply(self, fetch: Callable[[], dict[int, list[IndexDocument]]], wait: float = 0.0) -> int:
        added = 0
        with self.store.writer(wait) as writer:
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
        with self.store.writer(wait) as writer:
            for turn_id in ids:
                writer.delete_by_term("turn_id", str(turn_id))

    def expunge(self, wait: float = 10.0) -> None:
        # A deleted document stays in its segment (and its words in the segment's term list)
        # until the segment is rewritten: rewrite those that hold any.
        with self.store.writer(wait) as writer:
            writer.commit(mergetype=merge_segments_with_deletions)

    def clear(self, wait: float = 10.0) -> None:
        with self.store.writer(wait, self.store.ensure_live()) as live_writer:
            self.store.swap(self.store.new_generation())
            live_writer.cancel()

    def rebuild(
        self,
        documents: Iterable[IndexDocument],
        progress: ProgressCallback | None = None,
        wait: float = 60.0,
    ) -> int:
        live = self.store.ensure_live()
        # Holding the live index's write lock keeps the indexer off an index about to be
        # replaced: its changes stay in the outbox and are applied to the new one.
        with self.store.writer(wait, live) as live_writer:
            generation = self.store.new_generation()
            try:
                count = write_generation(generation, documents, self.procs, self.rebuild_limitmb, progress)
            except BaseException:
                shutil.rmtree(generation, ignore_errors=True)
                raise
            self.store.swap(generation)
            live_writer.cancel()  # nothing was written to the old index
        return count

    # -- reads -----------------------------------------------------------------------------------------

    def searcher(self) -> Searcher | None:
        """This thread's searcher, refreshed when the index changed or was swapped."""
        state = self._local.__dict__
        live = self.store.live_dir()
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

    def warm_up(self) -> None:
        searcher = self.searcher()
        if searcher is not None:
            columns_of(searcher).warm()

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
        builder = WhooshQueryCompiler(searcher, request)
        builder.prepare_typos()
        builder.prepare_widening()
        q = builder.build()
        columns = columns_of(searcher)
        searcher.weighting = columns.weighting()
        deadline = search_clock() + request.time_limit
        query_filter = filter_query(request)
        key = match_key(request)
        matched: Matches | None = columns.matches.get(key) if key is not None else None
        wanted = request.offset + request.limit
        if collector_sorted(request):
            if matched is None:
                # Every matching document (the count and the facets need them all), unscored.
                if request.query.root is None and query_filter is not None:
                    matched = docset(searcher, columns, query_filter, deadline)  # browsing: the filters alone
                else:
                    matched = docset(searcher, columns, q, deadline)
                    if query_filter is not None:
                        test = filter_test(searcher, columns, query_filter, q)
                        if test is not None:
                            matched = {d for d in matched if test(d)}
                        else:
                            matched &= docset(searcher, columns, query_filter, deadline)
            order = columns.date_order(desc=request.sort != "date")
            top = heapq.nsmallest(wanted, matched, key=order.__getitem__)
            hits = [BackendHit(columns.turn_id(d), 0.0) for d in top[request.offset :]]
        else:
            # One pass: BM25F of every matching document (within the filters), so the matches are
            # the scored documents. Ties go to the lower document number, as in Whoosh's collector.
            allow = set(matched) if matched is not None else None  # (kept as an array)
            test = None
            if allow is None and query_filter is not None:
                test = filter_test(searcher, columns, query_filter, q)
                if test is None:
                    allow = docset(searcher, columns, query_filter, deadline)
            scored = bulk_scores(searcher, columns, q, allow, deadline)
            if test is not None:
                scored = {d: score for d, score in scored.items() if test(d)}
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
        return BackendResults(
            len(matched),
            hits,
            facets,
            facets_approximate=approximate,
            corrected=corrected,
            widened=builder.widened_prefixes(),
        )

    def suggest(self, request: SearchRequest) -> str | None:
        searcher = self.searcher()
        if searcher is None:
            return None
        return WhooshQueryCompiler(searcher, request).suggest()


def collector_sorted(request: SearchRequest) -> bool:
    return request.sort != "relevance" or request.query.root is None
