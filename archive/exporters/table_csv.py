"""CSV out: one row per turn, for spreadsheets and data analysis.

UTF-8 without a byte-order mark, RFC 4180 quoting (fields with commas, quotes or
newlines are quoted; rows end in CRLF), the header once per file. `turn_language` is
the language the turn is in (the transcript's unless the turn says otherwise), so one
column filters by language; `topics` are topic slugs joined by `;`; `start` and `end`
are seconds.
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


class CsvExporter(Exporter):
    name = "csv"
    extension = "csv"
    content_type = "text/csv; charset=utf-8"
    description = "one row per turn (UTF-8 CSV with a header row)"

    def header(self) -> str:
        return _csv_text([COLUMNS])

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


def csv_lines(rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """CSV text one row at a time (RFC 4180, CRLF): streaming callers hold one row in memory.

    The one CSV writer of the project: the export command and the API's CSV both use it.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow(row)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def _csv_text(rows: Iterable[Sequence[Any]]) -> str:
    return "".join(csv_lines(rows))


def _blank_if_none(value: Any) -> Any:
    return "" if value is None else value
