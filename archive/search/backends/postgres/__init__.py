"""The PostgreSQL search backend (`backend.PostgresBackend`), at the dotted path settings name."""

from __future__ import annotations

from archive.search.backends.postgres.backend import PostgresBackend

__all__ = ["PostgresBackend"]
