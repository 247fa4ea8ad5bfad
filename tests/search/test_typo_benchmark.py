"""benchmark_typos on a tiny archive: it times the three kinds of query and says what it found.

The timings' values are not checked (speed is measured, not asserted).
"""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path

from django.core.management import call_command
from django.test import TestCase

from archive.devtools.benchmarks.typos import with_typo
from tests.fixtures import BRIEFING_EN, import_document
from tests.search.helpers import temp_search_index


class TypoBenchmarkTests(TestCase):
    def test_a_typo_drops_a_letter_of_the_longest_word_typo_tolerance_corrects(self) -> None:
        self.assertEqual(with_typo("tariffs on steel"), "tarifs on steel")
        self.assertEqual(with_typo("2024 budget"), "2024 budgt")
        self.assertIsNone(with_typo("on it 2024"))

    def test_it_times_exact_and_typo_queries_and_counts_the_targets_found(self) -> None:
        self.enterContext(temp_search_index())
        with self.captureOnCommitCallbacks(execute=True):
            import_document(BRIEFING_EN)
        with tempfile.TemporaryDirectory(prefix="typos-test-") as tmp:
            queries = Path(tmp) / "queries.json"
            query = {
                "q": "tariffs steel",
                "category": "exact",
                "target": {"slug": "briefing-en", "position": 3},
            }
            queries.write_text(json.dumps({"queries": [query, {**query, "category": "variant"}]}), "utf-8")
            out = io.StringIO()
            call_command("benchmark_typos", "--queries", str(queries), "--rounds", "1", stdout=out)
        text = out.getvalue()
        for row in ("as typed", "exact", "typo", "typo p95 / exact p95"):
            self.assertIn(row, text)
        self.assertIn("queries                1 exact", text)
        self.assertIn("typo queries corrected 1 of 1; target in the first ten 1", text)
