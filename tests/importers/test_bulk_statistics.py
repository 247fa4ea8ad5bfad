"""A bulk import refreshes PostgreSQL's planner statistics, so searches use the indexes at once."""

from __future__ import annotations

from unittest import mock

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from archive import importers
from archive.importers import import_documents
from archive.importers.base import RawDocument
from tests.fixtures import PERES_EN, document


def imported_statements(*, dry_run: bool = False) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        import_documents([RawDocument(source="peres.json", data=document(PERES_EN))], dry_run=dry_run)
    return [query["sql"] for query in queries.captured_queries]


class BulkImportStatisticsTests(TestCase):
    def test_a_bulk_import_analyzes_the_tables_on_postgresql_only(self) -> None:
        with mock.patch.object(importers, "BULK_TURNS", 1):  # this import counts as a bulk one
            statements = imported_statements()
        self.assertEqual("ANALYZE" in statements, connection.vendor == "postgresql")

    def test_a_small_import_or_a_dry_run_does_not(self) -> None:
        self.assertNotIn("ANALYZE", imported_statements())
        with mock.patch.object(importers, "BULK_TURNS", 1):
            self.assertNotIn("ANALYZE", imported_statements(dry_run=True))
