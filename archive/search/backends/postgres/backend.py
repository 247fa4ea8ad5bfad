"""A search backend on PostgreSQL full-text search, for several web hosts sharing one database.

Documents live in the `search_document` table (migration 0004, PostgreSQL only): filter and
facet columns, and a `tsvector` built from OUR analyzers' tokens (`archive.search.analysis`),
never from a PostgreSQL text-search configuration. Each lexeme is tagged with its field and
analysis key (`wen:tariff` is the stem `tariff` in the turn's own English text, `hzh:外交部` a
Chinese title word), so one vector holds what Whoosh keeps in separate fields and a query
looks a word up in each field with that field's analysis, as the Whoosh backend does.
Positions are the analyzers' own: Hebrew prefix forms and accent-folded forms share their
word's position and Chinese words follow each other, so phrases (`<->`) behave as in Whoosh.
Queries are `tsquery` literals of those lexemes (no configuration is applied to them), matched
through a GIN index.

`search_term` holds every lexeme with the number of documents holding it: prefix queries
count their expansions there (refused beyond compiler.MAX_PREFIX_EXPANSIONS), words
absent from a field are left out of the query, and did-you-mean looks for close terms in it.

Only the indexer writes, under a transaction-scoped advisory lock (other processes) and a
thread lock (this process), so one `apply` is one transaction: a failure leaves no trace.
A rebuild waiting for that lock holds a second one meanwhile, and the indexer's batches let
it go first (see `_writer`).
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any, Literal

from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, OperationalError, connection, connections, transaction
from django.utils.text import slugify
from psycopg2.extras import execute_values

from archive.models import Turn
from archive.search import analysis
from archive.search import compiler as qc
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
from archive.search.errors import IndexBusy
from archive.search.query import And, FieldTerm, Node, Not, Or, Phrase, Prefix, Word, answer_statuses
from archive.search.tokens import (
    SURFACE_POSTINGS,
    SURFACE_TURNS,
    analyzed,
    edit_distance,
    suggest_distance,
    surface_word,
)
from config.replicas import read_alias

DOCUMENTS = "search_document"
TERMS = "search_term"
NEXT = "_next"  # the tables a rebuild fills beside the live ones
OLD = "_old"
GENERIC = "generic"
MAX_LEXEME_BYTES = 2046  # PostgreSQL refuses longer lexemes (and nobody searches for them)
MAX_POSITION = 16383  # PostgreSQL's largest position: later words of a very long turn share it
MAX_POSITIONS = 255  # positions kept per lexeme and document (PostgreSQL keeps no more)
BATCH = 500

# Field codes, the first letter of each lexeme, and their weights: Whoosh boosts the title and
# the speaker's names by 1.2 and translations by 0.8; ts_rank takes weights in [0, 1], so all
# are divided by 1.2. The phrase flag: Whoosh keeps no positions for titles (a "phrase" there
# is all its words).
TEXT, TRANS, TITLE, NAMES, LABELS = "w", "t", "h", "s", "c"
WEIGHT_LETTER = {TEXT: "A", LABELS: "A", TITLE: "B", NAMES: "B", TRANS: "C"}
RANK_WEIGHTS = "{0.0, 0.667, 1.0, 0.833}"  # D (unused), C, B, A
RANK_NORMALIZATION = 1  # divide by 1 + log(length): longer turns rank a little lower, as with BM25

QUERY_CANCELED = "57014"  # SQLSTATE of a statement stopped by statement_timeout


@dataclass(frozen=True)
class SearchField:
    code: str
    key: str

    @property
    def positions(self) -> bool:
        return self.code != TITLE

    def lexeme(self, term: str) -> str:
        return f"{self.code}{'' if self.key == GENERIC else self.key}:{term}"


NAMES_FIELD = SearchField(NAMES, GENERIC)
LABELS_FIELD = SearchField(LABELS, GENERIC)


def quote(lexeme: str) -> str:
    """A lexeme as a tsvector/tsquery literal: quoted, quotes and backslashes doubled."""
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def _fits(lexeme: str) -> bool:
    return len(lexeme.encode("utf-8")) <= MAX_LEXEME_BYTES


# -- documents -> rows ------------------------------------------------------------------------------

_analyzers: dict[str, Any] = {}
_REMEMBERED = 64  # titles and names repeat on every turn of a transcript: analyzed once


def _analyzer(key: str) -> Any:
    found = _analyzers.get(key)
    if found is None:
        found = _analyzers[key] = analysis.analyzer_for(key)
    return found


class _VectorBuilder:
    """Lexeme -> positions of one document; remembers the analysis of repeated values."""

    memo: dict[tuple[str, str], list[tuple[str, int]]] = {}

    def __init__(self) -> None:
        self.positions: dict[str, list[int]] = {}

    def add(self, search_field: SearchField, text: str, repeated: bool = False) -> None:
        if not text:
            return
        memo_key = (search_field.lexeme(""), text)
        tokens = self.memo.get(memo_key) if repeated else None
        if tokens is None:
            tokens = [
                (search_field.lexeme(token.text), min(token.pos + 1, MAX_POSITION))
                for token in _analyzer(search_field.key)(text, positions=True)
                if token.text
            ]
            if repeated:
                if len(self.memo) >= _REMEMBERED:
                    self.memo.clear()
                self.memo[memo_key] = tokens
        found = self.positions
        for lexeme, pos in tokens:
            held = found.get(lexeme)
            if held is None:
                found[lexeme] = [pos]
            elif len(held) < MAX_POSITIONS and held[-1] != pos:
                held.append(pos)

    def vector(self) -> str:
        parts = []
        for lexeme, positions in self.positions.items():
            if not _fits(lexeme):
                continue
            letter = WEIGHT_LETTER[lexeme[0]]
            parts.append(f"{quote(lexeme)}:{','.join(f'{p}{letter}' for p in positions)}")
        return " ".join(parts)


def document_vector(doc: IndexDocument) -> str:
    """The tsvector literal of a document: every field's tokens, tagged, with positions and weights."""
    builder = _VectorBuilder()
    builder.add(SearchField(TEXT, analysis.analysis_key(doc.language)), doc.text)
    builder.add(SearchField(TITLE, analysis.analysis_key(doc.title_language)), doc.title, repeated=True)
    translations: dict[str, list[str]] = {}
    for tag, text in doc.translations:
        translations.setdefault(analysis.analysis_key(tag), []).append(text)
    for key, texts in translations.items():
        builder.add(SearchField(TRANS, key), "\n".join(texts))
    names = "\n".join([*doc.speaker_names, doc.speaker.replace("-", " ")])
    builder.add(NAMES_FIELD, names, repeated=True)
    builder.add(LABELS_FIELD, "\n".join(label for _, label in doc.topic_labels), repeated=True)
    return builder.vector()


COLUMNS = (
    "turn_id, transcript_id, fingerprint, slug, position, language, lang_tag, lang_base, kind, speaker, "
    "topics, day, tsv, answer_status"
)
ROW_TEMPLATE = "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s::text[], %s, %s::tsvector, %s)"


def document_row(doc: IndexDocument) -> tuple[Any, ...]:
    tag = doc.language.lower()
    return (
        doc.turn_id,
        doc.transcript_id,
        doc.fingerprint,
        doc.slug,
        doc.position,
        doc.language,
        tag,
        tag.split("-")[0],
        doc.kind,
        doc.speaker,
        list(doc.topics),
        doc.date,
        document_vector(doc),
        doc.answer_status,
    )


# -- queries ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Ts:
    """A tsquery expression over the document's vector."""

    text: str


@dataclass(frozen=True)
class _Sql:
    """A SQL condition over the columns (field terms mix columns and the vector)."""

    expr: str
    params: tuple[Any, ...] = ()


class _Nothing:
    """A part that matches no document (a word found nowhere), as Whoosh's NullQuery."""


NOTHING = _Nothing()
_Part = _Ts | _Sql | _Nothing


def _as_sql(part: _Ts | _Sql) -> _Sql:
    return part if isinstance(part, _Sql) else _Sql("d.tsv @@ %s::tsquery", (part.text,))


def _join_parts(parts: list[_Ts | _Sql], operator: Literal["AND", "OR"]) -> _Ts | _Sql:
    """The parts joined by AND or OR: one tsquery while every part is one, SQL otherwise."""
    if len(parts) == 1:
        return parts[0]
    if all(isinstance(p, _Ts) for p in parts):
        ts_operator = " & " if operator == "AND" else " | "
        return _Ts(ts_operator.join(f"({p.text})" for p in parts if isinstance(p, _Ts)))
    sql = [_as_sql(p) for p in parts]
    return _Sql(
        "(" + f" {operator} ".join(s.expr for s in sql) + ")", tuple(v for s in sql for v in s.params)
    )


def _not_part(part: _Ts | _Sql) -> _Ts | _Sql:
    if isinstance(part, _Ts):
        return _Ts(f"!({part.text})")
    return _Sql(f"NOT {part.expr}", part.params)


_SCOPE_CODES = {qc.TEXT: TEXT, qc.TRANS: TRANS, qc.TITLE: TITLE, qc.NAMES: NAMES, qc.LABELS: LABELS}


@dataclass
class _Built:
    condition: _Ts | _Sql | _Nothing | None  # None: every document
    # tsquery operand (a word's lexemes in one field, or a prefix) -> (documents holding it, boost)
    scored: dict[str, tuple[int, float]] = field(default_factory=dict)


class _QueryBuilder(qc.QueryCompiler[SearchField, _Part]):
    """The shared query compiler emitting tsquery and SQL parts."""

    def __init__(self, cursor: Any, request: SearchRequest) -> None:
        super().__init__(request)
        self.cursor = cursor
        self.frequencies: dict[str, int] = {}
        self.looked_up: set[str] = set()
        self.expansions: dict[str, int] = {}
        self.prefix_frequency: dict[str, int] = {}
        self.scored: dict[str, tuple[int, float]] = {}
        self.documents = 1  # in the index (prepare() counts them)
        self._indexed: frozenset[str] | None = None

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
        prefixes = {p for p in prefixes if _fits(p)}
        if prefixes:
            # One range scan per field, each stopped one past the limit.
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
        # The number of documents, for the words' inverse document frequency (an estimate will do
        # for a large table: the statistics PostgreSQL keeps).
        self.cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [DOCUMENTS])
        estimate = self.cursor.fetchone()[0]
        if estimate < 10_000:
            self.cursor.execute(f"SELECT count(*) FROM {DOCUMENTS}")
            estimate = self.cursor.fetchone()[0]
        self.documents = max(1, int(estimate))

    def build(self, own_only: bool = False) -> _Built:
        if self.request.query.root is None:
            return _Built(None)
        self.scored = {}
        condition = self.compile(own_only)
        return _Built(NOTHING if condition is None else condition, self.scored)

    def fields_for(self, scope: list[qc.Scope]) -> list[SearchField]:
        return [SearchField(_SCOPE_CODES[s.part], s.key) for s in scope]

    def key_of(self, f: SearchField) -> str:
        return f.key

    def indexed_keys(self) -> frozenset[str] | None:
        """The analyses with any turn text in the vocabulary: one index probe per analysis, in one
        query, asked once per search (and only for a search without a language filter)."""
        if self.request.language:
            return None
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

    def frequency(self, f: SearchField, term: str) -> int:
        return self.frequencies.get(f.lexeme(term), 0)

    def load_frequencies(self, terms: list[tuple[SearchField, str]]) -> None:
        """The documents holding each lexeme not yet looked up, in one query."""
        lexemes = {f.lexeme(t) for f, t in terms} - self.looked_up
        lexemes = {lexeme for lexeme in lexemes if _fits(lexeme)}
        if not lexemes:
            return
        self.looked_up |= lexemes
        self.cursor.execute(
            f"SELECT term, ndoc FROM {TERMS} WHERE term = ANY(%s::text[]) AND ndoc > 0", [sorted(lexemes)]
        )
        self.frequencies.update(self.cursor.fetchall())

    def words(self, f: SearchField, groups: list[list[str]], phrase: bool, boost: float = 1.0) -> _Part:
        lexemes = [[f.lexeme(t) for t in g] for g in groups]
        parts = [quote(g[0]) if len(g) == 1 else "(" + " | ".join(map(quote, g)) + ")" for g in lexemes]
        if not self.negated:
            for part, group in zip(parts, lexemes, strict=True):
                held = self.scored.get(part)
                self.scored[part] = (
                    max(self.frequencies[lex] for lex in group),
                    boost if held is None else max(boost, held[1]),
                )
        if len(parts) == 1:
            return _Ts(parts[0])
        if phrase and f.positions:
            return _Ts(" <-> ".join(parts))
        return _Ts(" & ".join(parts))

    def prefix_terms(self, f: SearchField, stem: str, budget: int) -> tuple[int, list[_Part]]:
        lexeme = f.lexeme(stem)
        count = self.expansions.get(lexeme, 0)
        if not count:
            return 0, []
        text = f"{quote(lexeme)}:*"
        if not self.negated:
            self.scored[text] = (self.prefix_frequency.get(lexeme, 1), 1.0)
        return count, [_Ts(text)]

    def any_of(self, parts: list[_Part]) -> _Part:
        live = [p for p in parts if not isinstance(p, _Nothing)]
        return _join_parts(live, "OR") if live else NOTHING

    def all_of(self, positive: list[_Part], negative: list[_Part]) -> _Part:
        if any(isinstance(p, _Nothing) for p in positive):
            return NOTHING
        excluded = [p for p in negative if not isinstance(p, _Nothing)]
        parts: list[_Ts | _Sql] = [p for p in positive if not isinstance(p, _Nothing)]
        if excluded:
            parts.append(_not_part(_join_parts(excluded, "OR")))
        if not parts:  # only excluded words that occur nowhere: every document
            return _Sql("TRUE")
        return _join_parts(parts, "AND")

    def nothing(self) -> _Part:
        return NOTHING

    def field_value(self, node: FieldTerm, value: str) -> _Part:
        if node.field == "kind":
            return _Sql("d.kind = %s", (value.lower(),))
        if node.field == "answered":
            return _Sql("d.answer_status = ANY(%s::text[])", (list(answer_statuses(value)),))
        if node.field == "lang":
            tag = value.lower()
            return _Sql("(d.lang_tag = %s OR d.lang_base = %s)", (tag, tag))
        exact = slugify(value, allow_unicode=True) or value
        if node.field == "speaker":
            return _Sql("d.speaker = %s", (exact,))
        return _Sql("d.topics @> ARRAY[%s]::text[]", (exact,))

    def close_terms(
        self, tokens: list[tuple[SearchField, str]], limit: int | None
    ) -> list[tuple[SearchField, str, int]]:
        """Read from an index range per token: the candidates keep the token's first letter (for a
        typo, its first TYPO_PREFIX letters, and stems beginning it count: compiler.typo_edits)."""
        if not tokens:
            return []
        typo = limit is not None
        shared = qc.TYPO_PREFIX if typo else 1  # letters of the token every candidate begins with
        suffix = qc.TYPO_SUFFIX if typo else 0
        wanted = {f.lexeme(token[:shared]): (f, token) for f, token in tokens}  # range start -> token
        edits = {start: limit or suggest_distance(token) for start, (_, token) in wanted.items()}
        self.cursor.execute(
            f"""SELECT p.head, t.term, t.ndoc
                FROM unnest(%s::text[], %s::int[], %s::int[]) AS p(head, shortest, longest)
                CROSS JOIN LATERAL (
                    SELECT term, ndoc FROM {TERMS}
                    WHERE term >= p.head AND term < p.head || %s AND ndoc > 0
                      AND char_length(term) BETWEEN p.shortest AND p.longest
                    LIMIT 20000) t""",
            [
                list(wanted),
                [len(f.lexeme(token)) - edits[head] - suffix for head, (f, token) in wanted.items()],
                [len(f.lexeme(token)) + edits[head] for head, (f, token) in wanted.items()],
                "\U0010ffff",
            ],
        )
        found: list[tuple[int, int, str, SearchField]] = []  # (distance, -frequency, term, field)
        for head, lexeme, ndoc in self.cursor.fetchall():
            f, token = wanted[head]
            term = lexeme[len(f.lexeme("")) :]
            if typo:
                distance: int | None = qc.typo_edits(token, term, edits[head])
            else:
                distance = edit_distance(token, term, edits[head])
                distance = distance if distance <= edits[head] else None
            if distance is not None and term != token:
                found.append((distance, -ndoc, term, f))
                self.frequencies[lexeme] = ndoc
        return [(f, term, -docs) for _, docs, term, f in sorted(found, key=lambda c: c[:3])]

    def surface(self, f: SearchField, term: str, typed: str) -> str:
        """`term` as written in the turns that use it most densely (among the first documents holding
        it: short turns are cheap to read back), else the term itself."""
        self.cursor.execute(
            f"""SELECT turn_id FROM (SELECT turn_id, tsv FROM {DOCUMENTS} WHERE tsv @@ %s::tsquery LIMIT %s) d
                ORDER BY ts_rank(tsv, %s::tsquery, 2) DESC, turn_id LIMIT %s""",
            [quote(f.lexeme(term)), SURFACE_POSTINGS, quote(f.lexeme(term)), SURFACE_TURNS],
        )
        turn_ids = [row[0] for row in self.cursor.fetchall()]
        texts = Turn.objects.filter(pk__in=turn_ids).values_list("text", flat=True)
        return surface_word(f.key, texts, term, typed) or term


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


def _filters(request: SearchRequest) -> list[_Sql]:
    parts: list[_Sql] = []
    if request.language:
        tag = request.language.strip().lower()
        parts.append(_Sql("(d.lang_tag = %s OR d.lang_base = %s)", (tag, tag)))
    if request.speaker:
        parts.append(_Sql("d.speaker = %s", (request.speaker,)))
    if request.topic:
        parts.append(_Sql("d.topics @> ARRAY[%s]::text[]", (request.topic,)))
    if request.kind:
        parts.append(_Sql("d.kind = %s", (request.kind,)))
    if request.answered:
        parts.append(_Sql("d.answer_status = %s", (request.answered,)))
    if request.date_from:
        parts.append(_Sql("d.day >= %s", (request.date_from,)))
    if request.date_to:
        parts.append(_Sql("d.day <= %s", (request.date_to,)))
    if request.transcripts is not None:
        parts.append(_Sql("d.transcript_id = ANY(%s)", (sorted(request.transcripts),)))
    return parts


def idf(documents: int, frequency: int) -> float:
    """Whoosh's inverse document frequency."""
    return math.log(documents / (frequency + 1)) + 1.0


FACET_SQL = """
    SELECT facet, value, n, 0.0::float8 FROM (
        SELECT facet, value, n,
               row_number() OVER (PARTITION BY facet ORDER BY n DESC, value COLLATE "C") AS r
        FROM (
            SELECT 'kind' AS facet, kind AS value, count(*) AS n FROM m GROUP BY kind
            UNION ALL SELECT 'speaker', speaker, count(*) FROM m GROUP BY speaker
            UNION ALL SELECT 'language', language, count(*) FROM m GROUP BY language
            UNION ALL SELECT 'year', extract(year FROM day)::int::text, count(*) FROM m
                      WHERE day IS NOT NULL GROUP BY 2
            UNION ALL SELECT 'topic', t, count(*) FROM m, unnest(m.topics) AS t GROUP BY t
            UNION ALL SELECT 'answered', answer_status, count(*) FROM m GROUP BY answer_status
        ) counted WHERE value <> ''
    ) ranked WHERE r <= %s OR facet = 'year'
"""


def _lock_key(name: str) -> int:
    """The advisory lock of the index's writers: a signed 64-bit number from the table's name."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)


WRITERS_LOCK = _lock_key(DOCUMENTS)  # held by the writer, for its transaction
WAITING_LOCK = _lock_key(DOCUMENTS + "_waiting")  # held by a rebuild (or clear) waiting for WRITERS_LOCK


class PostgresBackend(BaseSearchBackend):
    def __init__(self, alias: str, params: dict[str, Any]) -> None:
        super().__init__(alias, params)
        if connection.vendor != "postgresql":
            raise ImproperlyConfigured(
                "The postgres search backend (SEARCH_BACKEND=postgres) keeps its index in the database: "
                f"DATABASE_URL must name a PostgreSQL database, not {connection.vendor}."
            )
        self._write_lock = threading.Lock()  # one writer per process; the advisory lock covers processes

    # -- writes -------------------------------------------------------------------------------------------

    @contextmanager
    def _writer(self, wait: float, replacing: bool = False) -> Iterator[Any]:
        """A cursor in a transaction that holds the writers' lock; IndexBusy after `wait` seconds.

        A writer replacing the whole index (rebuild, clear) holds the waiting lock while it polls
        for the writers' lock, and the others leave the writers' lock to it meanwhile: an indexer
        working through a backlog takes it again right after each batch and would starve it.
        """
        acquired = self._write_lock.acquire(timeout=wait) if wait > 0 else self._write_lock.acquire(False)
        if not acquired:
            raise IndexBusy("another thread of this process is writing the index")
        waiting = False
        try:
            deadline = time.monotonic() + wait
            with transaction.atomic(), connection.cursor() as cursor:
                if replacing:
                    waiting = self._wait_first(cursor, deadline)
                while True:
                    if replacing or self._nobody_waits(cursor):
                        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [WRITERS_LOCK])
                        if cursor.fetchone()[0]:
                            break
                    if time.monotonic() >= deadline:
                        raise IndexBusy("another process is writing the index, or a rebuild waits for it")
                    time.sleep(0.05)
                if waiting:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [WAITING_LOCK])
                    waiting = False
                yield cursor
        finally:
            if waiting:  # gave up: the transaction is over, the session's lock is not
                with suppress(DatabaseError), connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [WAITING_LOCK])
            self._write_lock.release()

    @staticmethod
    def _wait_first(cursor: Any, deadline: float) -> bool:
        """Take the waiting lock: a session lock, released once the writers' lock is held (a
        transaction's lock could not be), and with the session if its process dies."""
        while True:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [WAITING_LOCK])
            if cursor.fetchone()[0]:
                return True
            if time.monotonic() >= deadline:
                raise IndexBusy("another rebuild is waiting for the index")
            time.sleep(0.01)  # or an applier was looking: that takes a moment

    @staticmethod
    def _nobody_waits(cursor: Any) -> bool:
        """Whether no rebuild waits for the writers' lock: the waiting lock taken shared, at once let go."""
        cursor.execute(
            "SELECT CASE WHEN pg_try_advisory_lock_shared(%s) "
            "THEN pg_advisory_unlock_shared(%s) ELSE false END",
            [WAITING_LOCK, WAITING_LOCK],
        )
        return bool(cursor.fetchone()[0])

    def expunge(self, wait: float = 10.0) -> None:
        # A term no document holds any more keeps its row (at ndoc 0) until now.
        with self._writer(wait) as cursor:
            cursor.execute(f"DELETE FROM {TERMS} WHERE ndoc <= 0")

    def apply(self, fetch: Callable[[], dict[int, list[IndexDocument]]], wait: float = 0.0) -> int:
        with self._writer(wait) as cursor:
            documents = fetch()
            if not documents:
                return 0
            transcript_ids = list(documents)
            self._delete(cursor, "transcript_id", transcript_ids)
            rows = [document_row(doc) for docs in documents.values() for doc in docs]
            self._insert(cursor, DOCUMENTS, rows)
            # The new documents' lexemes join the vocabulary (or count once more).
            cursor.execute(
                f"""INSERT INTO {TERMS} (term, ndoc)
                    SELECT u.lexeme, count(*) FROM {DOCUMENTS} d, unnest(d.tsv) AS u
                    WHERE d.transcript_id = ANY(%s::bigint[]) GROUP BY u.lexeme
                    ON CONFLICT (term) DO UPDATE SET ndoc = {TERMS}.ndoc + EXCLUDED.ndoc""",
                [transcript_ids],
            )
            return len(rows)

    def _delete(self, cursor: Any, column: str, ids: list[int]) -> None:
        """Delete documents by turn or transcript id; their lexemes count once less."""
        cursor.execute(
            f"""WITH gone AS (DELETE FROM {DOCUMENTS} WHERE {column} = ANY(%s::bigint[]) RETURNING tsv),
                     counted AS (SELECT u.lexeme COLLATE "C" AS term, count(*) AS n
                                 FROM gone, unnest(gone.tsv) AS u GROUP BY u.lexeme)
                UPDATE {TERMS} t SET ndoc = t.ndoc - counted.n FROM counted WHERE t.term = counted.term""",
            [ids],
        )

    @staticmethod
    def _insert(cursor: Any, table: str, rows: list[tuple[Any, ...]]) -> None:
        if rows:
            execute_values(
                cursor.cursor, f"INSERT INTO {table} ({COLUMNS}) VALUES %s", rows, ROW_TEMPLATE, BATCH
            )

    def delete_documents(self, turn_ids: Iterable[int], wait: float = 0.0) -> None:
        ids = list(turn_ids)
        if ids:
            with self._writer(wait) as cursor:
                self._delete(cursor, "turn_id", ids)

    def clear(self, wait: float = 10.0) -> None:
        self.rebuild([], wait=wait)

    def rebuild(
        self,
        documents: Iterable[IndexDocument],
        progress: ProgressCallback | None = None,
        wait: float = 60.0,
    ) -> int:
        """New tables beside the live ones, filled, indexed, then swapped in by renaming.

        All in one transaction: searches read the live tables until the commit (the renames
        hold them only for that instant), a failed rebuild leaves nothing behind, and the
        writers' lock keeps the indexer off meanwhile (the outbox keeps its changes).
        """
        count = 0
        with self._writer(wait, replacing=True) as cursor:
            for table in (DOCUMENTS, TERMS):
                cursor.execute(f"CREATE TABLE {table}{NEXT} (LIKE {table} INCLUDING ALL)")
            # Filling a table, then indexing it, is faster than keeping the GIN index up to date.
            indexes = self._indexes(cursor, DOCUMENTS + NEXT)
            later = {name: sql for name, sql in indexes.items() if not name.endswith("_pkey")}
            for name in later:
                cursor.execute(f"DROP INDEX {name}")
            batch: list[tuple[Any, ...]] = []
            for doc in documents:
                batch.append(document_row(doc))
                if len(batch) >= BATCH:
                    self._insert(cursor, DOCUMENTS + NEXT, batch)
                    if progress is not None:
                        progress(len(batch))
                    count += len(batch)
                    batch = []
            self._insert(cursor, DOCUMENTS + NEXT, batch)
            if progress is not None and batch:
                progress(len(batch))
            count += len(batch)
            for sql in later.values():
                cursor.execute(sql)
            cursor.execute(
                f"INSERT INTO {TERMS}{NEXT} (term, ndoc) SELECT word, ndoc FROM ts_stat(%s)",
                [f"SELECT tsv FROM {DOCUMENTS}{NEXT}"],
            )
            for table in (DOCUMENTS, TERMS):
                cursor.execute(f"ANALYZE {table}{NEXT}")
            # Both live tables at once, in the order searches read them (terms, then documents):
            # a search between the two reads would otherwise deadlock with the renames.
            cursor.execute(f"LOCK TABLE {TERMS}, {DOCUMENTS} IN ACCESS EXCLUSIVE MODE")
            for table in (DOCUMENTS, TERMS):
                cursor.execute(f"ALTER TABLE {table} RENAME TO {table}{OLD}")
                cursor.execute(f"ALTER TABLE {table}{NEXT} RENAME TO {table}")
                cursor.execute(f"DROP TABLE {table}{OLD}")
                for name in self._indexes(cursor, table):
                    if name.startswith(table + NEXT):
                        cursor.execute(f"ALTER INDEX {name} RENAME TO {table}{name[len(table + NEXT) :]}")
        return count

    @staticmethod
    def _indexes(cursor: Any, table: str) -> dict[str, str]:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes "
            "WHERE schemaname = current_schema() AND tablename = %s",
            [table],
        )
        return dict(cursor.fetchall())

    # -- reads ---------------------------------------------------------------------------------------------

    def count(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {DOCUMENTS}")
            return int(cursor.fetchone()[0])

    def stored_documents(self) -> dict[int, StoredDocument]:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT turn_id, transcript_id, fingerprint FROM {DOCUMENTS}")
            return {row[0]: StoredDocument(row[0], row[1], row[2]) for row in cursor.fetchall()}

    @contextmanager
    def _timed(self, seconds: float) -> Iterator[Any]:
        """A cursor whose statements stop after `seconds` in all (QueryRefused then)."""
        if seconds <= 0:
            raise qc.too_costly()
        try:
            # Searches read where the request reads: a replica for anonymous readers, if any.
            alias = read_alias()
            with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
                cursor.execute("SELECT current_setting('statement_timeout')")
                before = cursor.fetchone()[0]
                milliseconds = str(int(seconds * 1000) or 1)
                cursor.execute("SELECT set_config('statement_timeout', %s, true)", [milliseconds])
                yield cursor
                # Within an outer transaction (tests) the setting would outlive this block.
                cursor.execute("SELECT set_config('statement_timeout', %s, true)", [before])
        except OperationalError as exc:
            if getattr(exc.__cause__, "pgcode", None) == QUERY_CANCELED:
                raise qc.too_costly() from None
            raise

    def search(self, request: SearchRequest) -> BackendResults:
        empty_facets: dict[str, list[tuple[str, int]]] = {}
        if request.facets:
            empty_facets = {name: [] for name in FACETS}
        with self._timed(request.time_limit) as cursor:
            builder = _QueryBuilder(cursor, request)
            builder.prepare()
            builder.prepare_typos()
            built = builder.build()
            if isinstance(built.condition, _Nothing):
                return BackendResults(0, [], empty_facets)
            conditions = [_as_sql(built.condition)] if built.condition is not None else []
            conditions += _filters(request)
            where_sql = _as_sql(_join_parts(list(conditions), "AND")) if conditions else _Sql("TRUE")
            score, ranks = _Sql("0.0"), _Sql("(SELECT 1) r")
            if not _sorted_by_date(request):
                score, ranks = self._score(builder, built)
            params: list[Any] = [*score.params, *ranks.params, *where_sql.params]
            sql = f"""
                WITH m AS MATERIALIZED (
                    SELECT d.turn_id, d.kind, d.speaker, d.language, d.day, d.topics, d.slug, d.position,
                           d.answer_status,
                           {score.expr} AS score
                    FROM {DOCUMENTS} d CROSS JOIN {ranks.expr} WHERE {where_sql.expr}
                )
                SELECT '', '', count(*), 0.0::float8 FROM m
            """
            if request.limit > 0:
                sql += f"""
                UNION ALL SELECT '#', turn_id::text, row_number() OVER (ORDER BY {_order(request)}), score
                FROM (SELECT * FROM m ORDER BY {_order(request)} LIMIT %s OFFSET %s) page
                """
                params += [request.limit, request.offset]
            if request.facets:
                sql += "UNION ALL" + FACET_SQL
                params.append(request.facet_size)
            cursor.execute(sql, params)
            rows = cursor.fetchall()
            # Said only when something was found (the count is the first row).
            corrected = builder.correction() if builder.fuzzy and rows[0][2] else None
        total = 0
        ranked: list[tuple[int, BackendHit]] = []
        facets = empty_facets
        for facet, value, n, score_value in rows:
            if facet == "":
                total = int(n)
            elif facet == "#":
                ranked.append((int(n), BackendHit(int(value), float(score_value))))
            else:
                facets[facet].append((value, int(n)))
        for values in facets.values():
            values.sort(key=lambda item: (-item[1], item[0]))
        hits = [hit for _, hit in sorted(ranked, key=lambda item: item[0])]
        return BackendResults(total, hits, facets, corrected=corrected)

    @staticmethod
    def _score(builder: _QueryBuilder, built: _Built) -> tuple[_Sql, _Sql]:
        """(the score, the LATERAL subquery of ranks it reads).

        BM25-like: each word's ts_rank in each field it matches (its frequency there, weighted by
        field, normalized by the turn's length) times that word's inverse document frequency in
        that field; a word common in Japanese titles weighs less than the same characters in
        Chinese text. Turns that say the words themselves (or in their aligned translation) add
        their own-field score again, as the Whoosh backend's AndMaybe does.
        """
        own = builder.build(own_only=True)
        operands = list(dict.fromkeys([*built.scored, *own.scored]))
        if not operands:
            return _Sql("0.0"), _Sql("(SELECT 1) r")
        column = {operand: f"r.r{i}" for i, operand in enumerate(operands)}
        ranks = ", ".join(
            f"ts_rank('{RANK_WEIGHTS}'::float4[], d.tsv, %s::tsquery, {RANK_NORMALIZATION}) AS r{i}"
            for i in range(len(operands))
        )
        lateral = _Sql(f"LATERAL (SELECT {ranks}) r", tuple(operands))

        def weighted(scored: dict[str, tuple[int, float]]) -> str:
            return " + ".join(
                f"{idf(builder.documents, frequency) * boost:.6f} * {column[operand]}"
                for operand, (frequency, boost) in scored.items()
            )

        score = weighted(built.scored) if built.scored else "0.0"
        if own.condition is None or isinstance(own.condition, _Nothing) or not own.scored:
            return _Sql(f"({score})"), lateral
        own_condition = _as_sql(own.condition)
        return (
            _Sql(
                f"({score} + CASE WHEN {own_condition.expr} THEN {weighted(own.scored)} ELSE 0.0 END)",
                own_condition.params,
            ),
            lateral,
        )

    def suggest(self, request: SearchRequest) -> str | None:
        with connections[read_alias()].cursor() as cursor:
            return _QueryBuilder(cursor, request).suggest()


def _sorted_by_date(request: SearchRequest) -> bool:
    return request.sort != "relevance" or request.query.root is None


def _order(request: SearchRequest) -> str:
    if not _sorted_by_date(request):
        return "score DESC, turn_id"
    direction = "ASC" if request.sort == "date" else "DESC"
    return f"COALESCE(day, '0001-01-01'::date) {direction}, slug, position"
