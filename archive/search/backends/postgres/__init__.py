"""A search backend on PostgreSQL full-text search, for several web hosts sharing one database.

The index lives in the database, in a `tsvector` built from our own analyzers' tokens, never
from a PostgreSQL text-search configuration. Its parts, by concern:

- `backend.py`: `PostgresBackend`, the contract of `archive.search.backends.base`;
- `schema.py`: the tables it keeps (migrations 0004, 0006, 0014, 0016) and how their lexemes are spelt;
- `writing.py`: documents -> rows (the vector from our analyzers) and the vocabulary's counts;
- `locks.py`: the writers' lock, one writer at a time across processes;
- `conditions.py` and `compiler.py`: the shared query compiler emitting tsquery and SQL;
- `vocabulary.py`: what `search_term` says of a query's words and prefixes;
- `ranking.py`: the score (BM25-like, as Whoosh's) and the order of the matches;
- `facets.py`: the filters and facet counts on the document's columns;
- `suggestions.py`: close terms and words as written, for typo tolerance and did-you-mean;
- `kept.py`: recent searches' answers, kept per generation of the index (migration 0015).

`PostgresBackend` is re-exported here: settings name it `archive.search.backends.postgres.PostgresBackend`.
"""

from __future__ import annotations

from archive.search.backends.postgres.backend import PostgresBackend

__all__ = ["PostgresBackend"]
