"""What the PostgreSQL backend keeps of recent searches: their answers, per generation of the index.

A broad search spends its time counting, faceting and ordering every match (`president` newest
first at a million turns: 141,658 rows, about 450 ms); the same search again, its next pages and
its facets are answered from what the first request found, as the Whoosh backend reuses a
searcher's matches and facet counts.

Nothing stale is answered: every write of the index (each transaction under the writers' lock,
locks.py) draws a new generation, a random identifier in the one row of `search_generation`. A
search reads it first, in one statement, and looks for an answer kept at that generation (found,
that statement is all it costs); a search statement reads it again in its own snapshot, and its
answer is kept under what it saw. A replica at generation g holds the index as the primary held it at g, so an
answer kept from either serves both. Random rather than counted, a generation never names two
states of the index: not after a rolled-back write, nor on a replica promoted while behind.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from archive.search.backends.base import BackendResults, BoundedDict, SearchRequest, match_key

# A request for any of the first KEPT_HITS hits asks for all of them (the first five pages of
# twenty), so that its next pages are kept too; deeper pages are searched each time.
KEPT_HITS = 100
KEPT_SEARCHES = 256  # answers a process keeps: about 32 KiB each with full facets


class KeptResults:
    """Answers of recent searches, by (generation, what the request asked but its page)."""

    def __init__(self) -> None:
        self._answers = BoundedDict(KEPT_SEARCHES)

    @staticmethod
    def key(request: SearchRequest) -> tuple[Any, ...] | None:
        """What the answer depends on but the page; None if it is not kept (a deep page)."""
        matches = match_key(request)
        if matches is None or request.offset + request.limit > KEPT_HITS:
            return None
        # The query as typed too: a did-you-mean is written in the reader's own spelling of it.
        facets = (request.facets, request.facet_size)
        return (matches, request.query_text, request.sort, facets, request.limit == 0)

    @staticmethod
    def asked(request: SearchRequest) -> SearchRequest:
        """The request searched for a kept answer: every kept hit (none for a count alone)."""
        return request if request.limit == 0 else replace(request, offset=0, limit=KEPT_HITS)

    def get(
        self, generation: str | None, key: tuple[Any, ...], request: SearchRequest
    ) -> BackendResults | None:
        found: BackendResults | None = self._answers.get((generation, key))
        if found is None:
            return None
        return page_of(found, request)

    def put(self, generation: str, key: tuple[Any, ...], results: BackendResults) -> None:
        self._answers[(generation, key)] = results


def page_of(results: BackendResults, request: SearchRequest) -> BackendResults:
    """The request's page of an answer holding hits from the first; facets copied (callers sort them)."""
    return replace(
        results,
        hits=results.hits[request.offset : request.offset + request.limit],
        facets={name: list(values) for name, values in results.facets.items()},
    )
