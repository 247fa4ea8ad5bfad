"""Fuzzing the importers: generated qa-archive/1 documents (valid and mutated: keys gone, wrong
types, huge strings, odd unicode, NULs, lone surrogates), published-text and subtitle files, and
raw bytes under every extension.

Each document is either imported or rejected with a DocumentError that names the file (and the
line in NDJSON); nothing else escapes, and a rejected document leaves no row behind. An imported
one survives export -> import -> export unchanged (the format's round-trip promise).
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from archive.exporters.qa_archive import transcript_document
from archive.importers import ImportReport, import_documents, read_content, supported_extensions
from archive.interchange import DocumentError
from archive.models import Appearance, SearchOutbox, Speaker, Topic, Transcript, Turn
from archive.selectors import transcripts_for_export
from tests.fixtures import PERES_EN, document, import_document
from tests.fuzz.helpers import (
    as_ndjson,
    documents,
    examples,
    mutated_documents,
    published_texts,
    subtitle_files,
)

MODELS = (Transcript, Turn, Speaker, Topic, Appearance, SearchOutbox)


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def exported(slug: str) -> str:
    return json.dumps(transcript_document(transcripts_for_export(slugs=[slug], include_drafts=True).get()))


class ImporterFuzzTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        import_document(PERES_EN)  # a speaker and topics for generated documents to link to

    def import_file(self, name: str, content: bytes) -> ImportReport:
        """Import one file; checks what holds for any input and returns the report."""
        before = row_counts()
        report = import_documents(read_content(content, name))  # must not raise
        for error in report.errors:
            self.assertIsInstance(error, DocumentError)
            self.assertTrue(str(error).startswith(name), str(error))
            self.assertTrue(error.message.strip())
        if report.documents == 0:
            self.assertEqual(row_counts(), before, "a rejected document left rows behind")
        for slug in report.slugs:
            self.assertTrue(Transcript.objects.filter(slug=slug).exists())
        return report


class QaArchiveFuzzTests(ImporterFuzzTestCase):
    @examples(100)
    @given(data=mutated_documents(), name=st.sampled_from(["fuzz.ndjson", "fuzz.json"]))
    @example(data=document(title="x" * 1001), name="fuzz.ndjson")
    @example(data=document(title="\x00"), name="fuzz.ndjson")
    @example(data=[[[[]]]], name="fuzz.json")
    def test_a_document_is_imported_or_rejected_naming_file_and_line(self, data: Any, name: str) -> None:
        report = self.import_file(name, as_ndjson(data))
        self.assertEqual(report.documents + report.rejected, 1)
        if report.rejected and name.endswith(".ndjson"):
            self.assertTrue(str(report.errors[0]).startswith(f"{name}, line 1"), str(report.errors[0]))

    @examples(60)
    @given(data=documents())
    def test_a_valid_document_is_imported_and_round_trips(self, data: dict[str, Any]) -> None:
        report = self.import_file("fuzz.ndjson", as_ndjson(data))
        self.assertEqual(report.rejected, 0, [str(e) for e in report.errors])
        slug = report.slugs[0]
        self.assertEqual(Turn.objects.filter(transcript__slug=slug).count(), len(data["turns"]))
        first = exported(slug)
        again = self.import_file("again.ndjson", first.encode() + b"\n")
        self.assertEqual(again.rejected, 0, [str(e) for e in again.errors])
        self.assertEqual(exported(slug), first)

    @examples(30)
    @given(lines=st.lists(mutated_documents(), min_size=2, max_size=4))
    def test_in_a_batch_each_line_stands_alone(self, lines: list[Any]) -> None:
        content = b"".join(as_ndjson(data) for data in lines)
        report = self.import_file("batch.ndjson", content)
        self.assertEqual(report.documents + report.rejected, len(lines))
        rejected_lines = [error.line for error in report.errors]
        self.assertEqual(len(set(rejected_lines)), len(rejected_lines))
        self.assertTrue(all(line is not None and 1 <= line <= len(lines) for line in rejected_lines))


class TextFileFuzzTests(ImporterFuzzTestCase):
    @examples(150)
    @given(file=published_texts())
    def test_a_published_text_is_imported_or_rejected(self, file: tuple[str, bytes]) -> None:
        report = self.import_file(*file)
        self.assertEqual(report.documents + report.rejected, 1)

    @examples(100)
    @given(file=subtitle_files())
    def test_a_subtitle_file_is_imported_or_rejected(self, file: tuple[str, bytes]) -> None:
        report = self.import_file(*file)
        self.assertEqual(report.documents + report.rejected, 1)

    @examples(150)
    @given(content=st.binary(max_size=3000), extension=st.sampled_from([*supported_extensions(), ".pdf"]))
    @example(content=b"\xef\xbb\xbf", extension=".vtt")
    @example(content=b"\x00" * 10, extension=".json")
    @example(content=b"\xff\xfe{\x00}\x00", extension=".json")
    def test_any_bytes_under_any_extension(self, content: bytes, extension: str) -> None:
        self.import_file(f"fuzz{extension}", content)


class FoundByFuzzingTests(ImporterFuzzTestCase):
    """Regressions: inputs that crashed or corrupted an import before they were fixed."""

    def test_a_line_separator_in_a_text_does_not_split_an_ndjson_line(self) -> None:
        data = document(slug="separators")
        data["turns"][0]["text"] = "before\u2028after\u0085end\u2029"
        content = json.dumps(data, ensure_ascii=False).encode() + b"\n"  # as the exporter writes it
        report = self.import_file("dump.ndjson", content)
        self.assertEqual(report.rejected, 0, [str(e) for e in report.errors])
        self.assertEqual(
            Turn.objects.get(transcript__slug="separators", position=1).text, data["turns"][0]["text"]
        )

    def test_yaml_front_matter_nested_past_the_recursion_limit_is_rejected(self) -> None:
        content = ("---\ntitle: " + "[" * 1000 + "\n---\nQ: Hello?\n").encode()
        report = self.import_file("deep.md", content)
        self.assertEqual(
            [str(e) for e in report.errors], ["deep.md, line 1: bad YAML front matter: nested too deeply"]
        )

    def test_yaml_aliases_that_multiply_are_not_walked_out(self) -> None:
        # "Billion laughs": 9**9 list items by reference; checking the text must not visit each.
        lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
        for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
            lines.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]")
        content = "\n".join(["---", *lines, "topics: *i", "language: en", "---", "Q: Hello?", "", "A: Hi."])
        report = self.import_file("laughs.md", content.encode())
        self.assertEqual(report.rejected, 1)
        self.assertIn("key topics: must be a list of non-empty strings", str(report.errors[0]))
