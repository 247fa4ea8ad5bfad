"""Fuzzing the TEI and Akoma Ntoso exports: any valid document, in any script, exports valid
against our schemas and survives export -> import -> export unchanged.

Characters XML cannot hold (C0 controls, U+FFFE, U+FFFF) are written as U+FFFD, so a document
with them exports valid but does not round-trip: those documents are only checked for validity.
"""

from __future__ import annotations

import re
from typing import Any

from hypothesis import given
from hypothesis.extra.django import TestCase
from lxml import etree

from archive.importers import import_documents, read_content
from tests.exporters.test_tei_akn import our_schema, render
from tests.fuzz.helpers import as_ndjson, documents, examples

NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in [*strings(k), *strings(v)]]
    if isinstance(value, list):
        return [s for item in value for s in strings(item)]
    return []


class InterchangeExportFuzzTests(TestCase):
    @examples(25)
    @given(data=documents())
    def test_any_document_exports_valid_and_round_trips(self, data: dict[str, Any]) -> None:
        report = import_documents(read_content(as_ndjson(data), "fuzz.ndjson"))
        self.assertEqual(report.rejected, 0, [str(e) for e in report.errors])
        slug = report.slugs[0]
        xml_can_hold_it = not any(NOT_XML.search(text) for text in strings(data))
        for name in ("tei", "akn"):
            first = render(name, slug)
            schema = our_schema(name)
            self.assertTrue(schema.validate(etree.fromstring(first.encode())), str(schema.error_log))
            if not xml_can_hold_it:
                continue
            again = import_documents(read_content(first.encode(), f"again.{name}.xml"))
            self.assertEqual(again.rejected, 0, [str(e) for e in again.errors])
            self.assertEqual(render(name, again.slugs[0]), first, name)
