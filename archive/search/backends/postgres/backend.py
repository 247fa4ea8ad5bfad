"""The PostgreSQL search backend: the contract (`archive.search.backends.base`) on the tables of
schema.py, written under the writers' lock (locks.py), searched with the query compiler
(compiler.py), ranked (ranking.py) and counted (facets.py) in one statement per search, whose
answer each process keeps until the index changes (kept.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import OperationalError, connection, connections, transaction

from archive.search import compiler as qc
from archive.search.backends.base import (
    FACET_EXACT_LIMIT,
    FACETS,
    BackendHit,
    BackendResults,
    BaseSearchBackend,
    ProgressCallback,
    SearchRequest,
    StoredDocument,
)
from archive.search.backends.postgres import ranking
from archive.search.backends.postgres.compiler import QueryBuilder
from archive.search.backends.postgres.conditions import Nothing
from archive.search.backends.postgres.facets import FACET_SQL, SAMPLE_SIZE_SQL, SAMPLE_SQL, filter_conditions
from archive.search.backends.postgres.kept import KeptResults, page_of
from archive.search.backends.postgres.locks import WriteLock
from archive.search.backends.postgres.schema import (
    CONTEXTS,
    CURRENT_GENERATION_SQL,
    DOCUMENTS,
    NEXT,
    OLD,
    TERMS,
    table_indexes,
)
from archive.search.backends.postgres.writing import (
    BATCH,
    add_contexts,
    count_terms_of,
    delete_rows,
    document_row,
    insert_rows,
)
from archive.search.documents import IndexDocument
from config.replicas import read_alias

QUERY_CANCELED = "57014"  # SQLSTATE of a statement stopped by statement_timeout
# Set for a search, then restored.
SEARCH_SETTINGS = ("statement_timeout", "enable_seqscan", "jit", "work_mem")
# The matches of a broad search are kept (a CTE) and sorted in memory: with PostgreSQL's default
# 4 MB, a word in 141,658 turns of a million spilled them to temporary files.
SEARCH_WORK_MEM = "64MB"


class PostgresBackend(BaseSearchBackend):
    def __init__(self, alias: str, params: dict[str, Any]) -> None:
        super().__init__(alias, params)
        if connection.vendor != "postgresql":
            raise ImproperlyConfigured(
                "The postgres search backend (SEARCH_BACKEND=postgres) keeps its index in the database: "
                f"DATABASE_URL must name a PostgreSQL database, not {connection.vendor}."
            )
        self._writer = WriteLock()
        self._kept = KeptResults()

    # -- writes -------------------------------------------------------------------------------------------

    def expunge(self, wait: float = 10.0) -> None:
        # A term no document holds any more keeps its row (at ndoc 0) until now.
        with self._writer.cursor(wait) as cursor:
            cursor.execute(f"DELETE FROM {TERMS} WHERE ndoc <= 0")

    def apply(self, fetch: Callable[[], dict[int, list[IndexDocument]]], wait: float = 0.0) -> int:
        with self._writer.cursor(wait) as cursor:
            documents = fetch()
            if not documents:
                return 0
            transcript_ids = list(documents)
            delete_rows(cursor, "transcript_id", transcript_ids)
            rows = [document_row(doc) for docs in documents.values() for doc in docs]
            insert_rows(cursor, DOCUMENTS, rows)
            count_terms_of(cursor, transcript_ids)
            add_contexts(cursor, DOCUMENTS, CONTEXTS, transcript_ids)
            return len(rows)

    def delete_documents(self, turn_ids: Iterable[int], wait: float = 0.0) -> None:
        ids = list(turn_ids)
        if ids:
            with self._writer.cursor(wait) as cursor:
                delete_rows(cursor, "turn_id", ids)

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
        with self._writer.cursor(wait, replacing=True) as cursor:
            for table in (DOCUMENTS, TERMS, CONTEXTS):
                cursor.execute(f"CREATE TABLE {table}{NEXT} (LIKE {table} INCLUDING ALL)")
            # Filling a table, then indexing it, is faster than keeping the GIN index up to date.
            indexes = table_indexes(cursor, DOCUMENTS + NEXT)
            later = {name: sql for name, sql in indexes.items() if not name.endswith("_pkey")}
            for name in later:
                cursor.execute(f"DROP INDEX {name}")
            batch: list[tuple[Any, ...]] = []
            for doc in documents:
                batch.append(document_row(doc))
                if len(batch) >= BATCH:
                    insert_rows(cursor, DOCUMENTS + NEXT, batch)
                    if progress is not None:
                        progress(len(batch))
                    count += len(batch)
                    batch = []
            insert_rows(cursor, DOCUMENTS + NEXT, batch)
            if progress is not None and batch:
                progress(len(batch))
            count += len(batch)
            for sql in later.values():
                cursor.execute(sql)
            cursor.execute(
                f"INSERT INTO {TERMS}{NEXT} (term, ndoc) SELECT word, ndoc FROM ts_stat(%s)",
                [f"SELECT tsv FROM {DOCUMENTS}{NEXT}"],
            )
            add_contexts(cursor, DOCUMENTS + NEXT, CONTEXTS + NEXT)
            for table in (DOCUMENTS, TERMS, CONTEXTS):
                cursor.execute(f"ANALYZE {table}{NEXT}")
            # The live tables at once, in the order searches read them (terms, then contexts and
            # documents): a search between two reads would otherwise deadlock with the renames.
            cursor.execute(f"LOCK TABLE {TERMS}, {CONTEXTS}, {DOCUMENTS} IN ACCESS EXCLUSIVE MODE")
            for table in (DOCUMENTS, TERMS, CONTEXTS):
                cursor.execute(f"ALTER TABLE {table} RENAME TO {table}{OLD}")
                cursor.execute(f"ALTER TABLE {table}{NEXT} RENAME TO {table}")
                cursor.execute(f"DROP TABLE {table}{OLD}")
                for name in table_indexes(cursor, table):
                    if name.startswith(table + NEXT):
                        cursor.execute(f"ALTER INDEX {name} RENAME TO {table}{name[len(table + NEXT) :]}")
        return count

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
        try:
            # Searches read where the request reads: a replica for anonymous readers, if any.
            alias = read_alias()
            with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
                cursor.execute(
                    f"SELECT {', '.join(f'current_setting({name!r})' for name in SEARCH_SETTINGS)}"
                )
                before = cursor.fetchone()
                milliseconds = str(int(seconds * 1000) or 1)
                cursor.execute(
                    "SELECT set_config('statement_timeout', %s, true), set_config('work_mem', %s, true)",
                    [milliseconds, SEARCH_WORK_MEM],
                )
                yield cursor
                # Within an outer transaction (tests) the settings would outlive this block.
                cursor.execute(
                    f"SELECT {', '.join('set_config(%s, %s, true)' for _ in SEARCH_SETTINGS)}",
                    [item for pair in zip(SEARCH_SETTINGS, before, strict=True) for item in pair],
                )
        except OperationalError as exc:
            if getattr(exc.__cause__, "pgcode", None) == QUERY_CANCELED:
                raise qc.too_costly() from None
            raise

    def search(self, request: SearchRequest) -> BackendResults:
        if request.time_limit <= 0:
            raise qc.too_costly()
        key = self._kept.key(request)
        if key is not None:
            # A kept answer costs this one statement: no transaction, no settings to set.
            with connections[read_alias()].cursor() as cursor:
                cursor.execute(f"SELECT {CURRENT_GENERATION_SQL}")
                kept = self._kept.get(cursor.fetchone()[0], key, request)
            if kept is not None:
                return kept
        with self._timed(request.time_limit) as cursor:
            if key is None:
                return self._search(cursor, request)[0]
            results, seen = self._search(cursor, self._kept.asked(request))
        if seen is not None:
            self._kept.put(seen, key, results)
        return page_of(results, request)

    def _search(self, cursor: Any, request: SearchRequest) -> tuple[BackendResults, str | None]:
        """The answer, searched in one statement, and the generation that statement saw (None:
        no statement was needed)."""
        empty_facets: dict[str, list[tuple[str, int]]] = {}
        if request.facets:
            empty_facets = {name: [] for name in FACETS}
        builder = QueryBuilder(cursor, request)
        builder.prepare()
        builder.prepare_typos()
        builder.prepare_widening()
        built = builder.build()
        if isinstance(built.condition, Nothing):
            return BackendResults(0, [], empty_facets), None
        matches = ranking.matches(builder, built, request, filter_conditions(request))
        if built.condition is not None:
            # For a word in many turns the planner reads every row, uncompressing each row's
            # tsvector to test it; the GIN index names the matching rows without that (a
            # million turns, `president`: 1.6 s against 0.4 s). Compiling (JIT) pays nothing back.
            cursor.execute("SELECT set_config('enable_seqscan', 'off', true), set_config('jit', 'off', true)")
        params: list[Any] = [*matches.params]
        sql = f"""
            WITH m AS MATERIALIZED ({matches.expr}), total AS (SELECT count(*) AS n FROM m)
        """
        if request.facets:
            sql += f", s AS MATERIALIZED ({SAMPLE_SQL})"
            params += [FACET_EXACT_LIMIT, FACET_EXACT_LIMIT]
        # The count's row carries the generation this statement's snapshot saw.
        sql += f"SELECT '', {CURRENT_GENERATION_SQL}::text, n, 0.0::float8 FROM total"
        if request.limit > 0:
            order = ranking.order(request)
            sql += f"""
            UNION ALL SELECT '#', turn_id::text, row_number() OVER (ORDER BY {order}), score
            FROM (SELECT * FROM m ORDER BY {order} LIMIT %s OFFSET %s) page
            """
            params += [request.limit, request.offset]
        if request.facets:
            sql += f" UNION ALL {SAMPLE_SIZE_SQL} UNION ALL {FACET_SQL}"
            params.append(request.facet_size)
        cursor.execute(sql, params)
        rows = cursor.fetchall()
        # Said only when something was found (the count is the first row).
        corrected = builder.correction() if builder.fuzzy and rows[0][2] else None
        total = 0
        sampled = 0
        seen: str | None = None
        ranked: list[tuple[int, BackendHit]] = []
        facets = empty_facets
        for facet, value, n, score_value in rows:
            if facet == "":
                total = int(n)
                seen = value
            elif facet == "#":
                ranked.append((int(n), BackendHit(int(value), float(score_value))))
            elif facet == "~":
                sampled = int(n)
            else:
                facets[facet].append((value, int(n)))
        approximate = 0 < sampled < total
        for values in facets.values():
            if approximate:  # counted on a sample: scaled to the total, as the Whoosh backend does
                values[:] = [(value, max(1, round(n * total / sampled))) for value, n in values]
            values.sort(key=lambda item: (-item[1], item[0]))
        hits = [hit for _, hit in sorted(ranked, key=lambda item: item[0])]
        results = BackendResults(
            total,
            hits,
            facets,
            facets_approximate=approximate,
            corrected=corrected,
            widened=builder.widened_prefixes(),
        )
        return results, seen

    def suggest(self, request: SearchRequest) -> str | None:
        with connections[read_alias()].cursor() as cursor:
            return QueryBuilder(cursor, request).suggest()
