"""The search backend contract, in the style of wagtail's backends.

A backend stores `IndexDocument`s and answers `SearchRequest`s. Only the indexer
(`archive.search.indexer`) writes: web processes read. Backends are configured like
Django's CACHES in `settings.SEARCH_BACKENDS` and shared per process
(`archive.search.backends.get_search_backend`). A new backend subclasses
`BaseSearchBackend` and mixes `tests/search/backend_mixin.py` into its tests.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from archive.search.documents import IndexDocument
from archive.search.query import ParsedQuery

FACETS = ("speaker", "topic", "language", "kind", "year", "answered")
# Facets of more matches than this are counted on an even sample of about this many, scaled to
# the total (`BackendResults.facets_approximate`): a broad search's facets cost the same at a
# hundred thousand turns as at a million. The total itself stays exact.
FACET_EXACT_LIMIT = 30_000
SORTS = ("relevance", "date", "-date")


@dataclass
class SearchRequest:
    query: ParsedQuery
    query_text: str = ""  # as the reader typed it (for did-you-mean)
    language: str | None = None
    speaker: str | None = None
    topic: str | None = None
    kind: str | None = None
    answered: str | None = None  # an answer status (archive.models.AnswerStatus)
    date_from: date | None = None
    date_to: date | None = None
    # Only turns of these transcripts (by id): what feeds and alerts ask of newly published ones.
    transcripts: frozenset[int] | None = None
    sort: str = "relevance"
    offset: int = 0
    limit: int = 20
    facets: bool = True
    facet_size: int = 20
    time_limit: float = 1.0  # seconds of collection before the query is refused (Whoosh: CPU seconds)
    typos: bool = True  # also look for close terms of words found nowhere (or hardly anywhere)
    # Also look for each word as the terms beginning as it does (compiler.prepare_widening): the
    # second try of a search that found nothing with every word as typed.
    widen: bool = False

    def with_words_replaced(self, words: dict[str, str]) -> str | None:
        """The query as the reader typed it with `words` replaced (a did-you-mean); None if none."""
        if not words:
            return None
        text = self.query_text or " ".join(self.query.plain_words())
        for word, replacement in words.items():
            text = text.replace(word, replacement)
        return text


@dataclass
class BackendHit:
    turn_id: int
    score: float


@dataclass
class BackendResults:
    total: int
    hits: list[BackendHit]
    # facet name -> [(value, count)], most frequent first
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    # True when the counts are estimates (a backend may count a sample of a very large result set).
    facets_approximate: bool = False
    # The query as typed with its corrected words as written in the archive, when typo tolerance
    # searched close terms of some of its words (None: searched as typed).
    corrected: str | None = None
    # The beginnings of words the search also looked for (SearchRequest.widen), as typed but folded.
    widened: tuple[str, ...] = ()


@dataclass
class StoredDocument:
    turn_id: int
    transcript_id: int
    fingerprint: str


ProgressCallback = Callable[[int], None]


class BaseSearchBackend(ABC):
    def __init__(self, alias: str, params: dict[str, Any]) -> None:
        self.alias = alias
        self.params = params

    # -- writes (the single indexer) --------------------------------------------------------------

    @abstractmethod
    def apply(self, fetch: Callable[[], dict[int, list[IndexDocument]]], wait: float = 0.0) -> int:
        """Under the write lock: call `fetch`, then in one commit drop every document of each
        transcript id it returns and add the documents given (an empty list removes the
        transcript). Returns the number of documents added.

        Reading the database inside the lock keeps two indexers from writing an older state
        over a newer one. Raises `IndexBusy` when another writer holds the index for longer
        than `wait` seconds.
        """

    def replace_transcripts(self, documents: dict[int, list[IndexDocument]], wait: float = 0.0) -> int:
        return self.apply(lambda: documents, wait=wait)

    @abstractmethod
    def delete_documents(self, turn_ids: Iterable[int], wait: float = 0.0) -> None:
        """Remove single documents by turn id (check_index --repair drops extras with it)."""

    @abstractmethod
    def expunge(self, wait: float = 10.0) -> None:
        """Drop from the index's files and term lists every trace of documents already removed
        (after a redaction: no search or did-you-mean may bring the removed words back)."""

    @abstractmethod
    def clear(self, wait: float = 10.0) -> None:
        """An empty index (swapped in like a rebuild)."""

    @abstractmethod
    def rebuild(
        self,
        documents: Iterable[IndexDocument],
        progress: ProgressCallback | None = None,
        wait: float = 60.0,
    ) -> int:
        """Build a new index from `documents` beside the live one and swap it in atomically.

        Searches keep answering from the old index until the swap. Writers are held off for
        the whole rebuild (they raise IndexBusy; the outbox keeps their changes). Returns the
        number of documents indexed.
        """

    # -- reads --------------------------------------------------------------------------------------

    @abstractmethod
    def search(self, request: SearchRequest) -> BackendResults:
        """Hits of one page, the total and the facet counts. Raises QueryRefused when costly."""

    @abstractmethod
    def suggest(self, request: SearchRequest) -> str | None:
        """A did-you-mean query for a request that found nothing, or None."""

    @abstractmethod
    def stored_documents(self) -> dict[int, StoredDocument]:
        """Turn id -> what the index holds for it (check_index compares it with the database)."""

    @abstractmethod
    def count(self) -> int:
        """Documents in the live index."""

    # -- lifetime -----------------------------------------------------------------------------------

    def warm_up(self) -> None:  # noqa: B027 (a no-op default on purpose: see below)
        """Read ahead what the first searches would, before a web server forks its workers.

        The workers then share it (config/wsgi.py) instead of each reading its own copy. Nothing
        to do for a backend whose data lives in the database.
        """

    def close(self) -> None:  # noqa: B027 (a no-op default on purpose: see below)
        """Let go of what the backend keeps open between requests (reset_backends calls it).

        A no-op by default rather than abstract: a backend in the database holds nothing of its
        own (Django owns the connections), only one that keeps files open (Whoosh's searcher)
        has anything to close.
        """


def match_key(request: SearchRequest) -> tuple[Any, ...] | None:
    """What decides the set of matching documents (not the sort or the page); None if unhashable."""
    key = (
        request.query.root,
        request.typos,
        request.widen,
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


class BoundedDict(dict[Any, Any]):
    """A dict that forgets everything when it grows past its size: what a backend keeps of recent
    searches (their facet counts, their answers), for small values."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def __setitem__(self, key: Any, value: Any) -> None:
        if len(self) >= self.size:
            self.clear()
        super().__setitem__(key, value)
