"""CSV out: one row per turn, for spreadsheets and data analysis.

UTF-8 without a byte-order mark, RFC 4180 quoting (fields with commas, quotes or
newlines are quoted; rows end in CRLF), the header once per file. A text cell that a
spreadsheet would run as a formula (it starts with = + - @, a tab or a carriage return)
is written with a leading `'` (OWASP's CSV injection rule), in `csv_lines`, the one CSV
writer. `csv-excel` is the same file with a UTF-8 byte-order mark first, which Excel
needs to read UTF-8 (Chinese, Hebrew, Arabic) instead of guessing a legacy code page.
`turn_language` is the language the turn is in (the transcript's unless the turn says
otherwise), so one column filters by language; `topics` are topic slugs joined by `;`;
`start` and `end` are seconds.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from archive.exporters.base import Exporter
from archive.exporters.qa_archive import transcript_document
from archive.models import Transcript

COLUMNS = [
    "transcript_slug",
    "title",
    "date",
    "transcript_language",
    "position",
    "speaker_name",
    "speaker_slug",
    "kind",
    "turn_language",
    "text",
    "reply_to",
    "original",
    "topics",
    "start",
    "end",
]


# What a spreadsheet reads as the start of a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


class CsvExporter(Exporter):
    name = "csv"
    extension = "csv"
    content_type = "text/csv; charset=utf-8"
    description = "one row per turn (UTF-8 CSV with a header row)"

    bom = False

    def header(self) -> str:
        return _csv_text([COLUMNS], bom=self.bom)

    def render(self, transcript: Transcript) -> str:
        return self.header() + self.rows(transcript)

    def stream(self, transcripts: Iterable[Transcript]) -> Iterator[str]:
        yield self.header()
        for transcript in transcripts:
            yield self.rows(transcript)

    def rows(self, transcript: Transcript) -> str:
        document = transcript_document(transcript)
        slug_of = {speaker["name"]: speaker["slug"] for speaker in document["speakers"]}
        return _csv_text(
            [
                document["slug"],
                document["title"],
                document["date"] or "",
                document["language"],
                position,
                turn["speaker"],
                slug_of[turn["speaker"]],
                turn["kind"],
                turn.get("language") or document["language"],
                turn["text"],
                _blank_if_none(turn.get("reply_to")),
                _blank_if_none(turn.get("original")),
                ";".join(turn.get("topics", [])),
                _blank_if_none(turn.get("start")),
                _blank_if_none(turn.get("end")),
            ]
            for position, turn in enumerate(document["turns"], start=1)
        )


class CsvExcelExporter(CsvExporter):
    """The same CSV with a UTF-8 byte-order mark first: Excel then reads it as UTF-8."""

    name = "csv-excel"
    description = "one row per turn (UTF-8 CSV with a byte-order mark, for Excel)"
    bom = True


def neutralize(value: Any) -> Any:
    """A text a spreadsheet would run as a formula gets a leading `'` (shown, never run)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_lines(rows: Iterable[Sequence[Any]], *, bom: bool = False) -> Iterator[str]:
    """CSV text one row at a time (RFC 4180, CRLF): streaming callers hold one row in memory.

    The one CSV writer of the project: the exporters and the API's CSV all use it, so every
    cell passes `neutralize`; `bom` puts Excel's byte-order mark before the first row.
    """
    if bom:
        yield BOM
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([neutralize(value) for value in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def _csv_text(rows: Iterable[Sequence[Any]], *, bom: bool = False) -> str:
    return "".join(csv_lines(rows, bom=bom))


def _blank_if_none(value: Any) -> Any:
    return "" if value is None else value
