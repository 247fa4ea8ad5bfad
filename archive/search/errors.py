"""Errors the search layer raises for callers to show to readers."""

from __future__ import annotations


class QueryRefused(Exception):
    """A query too costly or too broad to run; the message says why, in words a reader understands.

    The API answers 400 with it, the search page shows it. Raised for user input only.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class IndexBusy(Exception):
    """Another writer holds the index; the outbox keeps the change for the next run."""
