"""CSV out of the API: a streaming writer, the turn columns, and a renderer for result lists.

`CsvRenderer` renders a list response (`{"results": [...]}` or a plain list) as CSV, one
row per result, with the columns the view names in `csv_columns` (header, dotted path into
the result) or, failing that, the first result's keys flattened. The search endpoint uses it
with `SEARCH_CSV_COLUMNS`:

    renderer_classes = [JSONRenderer, CsvRenderer]
    csv_columns = SEARCH_CSV_COLUMNS
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import chain
from typing import Any

from django.utils.http import content_disposition_header
from rest_framework.renderers import BaseRenderer

from archive.exporters.table_csv import csv_lines as exporter_csv_lines
from archive.models import Turn

Columns = Sequence[tuple[str, str]]

# Results of GET /api/v1/search/ as the search API shapes them.
SEARCH_CSV_COLUMNS: Columns = [
    ("transcript", "transcript.slug"),
    ("title", "transcript.title"),
    ("date", "transcript.date"),
    ("position", "turn.position"),
    ("speaker_slug", "turn.speaker_slug"),
    ("speaker_name", "turn.speaker"),
    ("kind", "turn.kind"),
    ("language", "turn.language"),
    ("text", "turn.text"),
    ("score", "score"),
]

# Every CSV names the speaker the same way: `speaker_slug` and `speaker_name` (as the export's).
TURN_CSV_HEADER = [
    "transcript",
    "position",
    "speaker_slug",
    "speaker_name",
    "kind",
    "language",
    "text",
    "reply_to",
    "original",
    "topics",
    "start",
    "end",
]


def turn_csv_row(turn: Turn) -> list[Any]:
    """One turn as a CSV row (expects transcript, speaker, reply_to selected and topics prefetched)."""
    return [
        turn.transcript.slug,
        turn.position,
        turn.speaker.slug,
        # The name this transcript uses; a private speaker's pseudonym outside a curator's view.
        turn.speaker.shown_as(getattr(turn, "speaker_name_here", None) or turn.speaker.name),
        turn.kind,
        turn.effective_language,
        turn.text,
        turn.reply_to.position if turn.reply_to_id is not None and turn.reply_to else "",
        turn.original_position if turn.original_position is not None else "",
        ";".join(topic.slug for topic in turn.topics.all()),
        "" if turn.start is None else turn.start,
        "" if turn.end is None else turn.end,
    ]


def csv_lines(header: Sequence[str], rows: Iterable[Sequence[Any]], *, bom: bool = False) -> Iterator[str]:
    """CSV text, one line at a time (for StreamingHttpResponse): memory holds one row."""
    return exporter_csv_lines(chain([header], rows), bom=bom)


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ";".join(str(_cell(v)) for v in value)
    if isinstance(value, Mapping):
        return ";".join(f"{k}={_cell(v)}" for k, v in value.items())
    return value


def _lookup(item: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(item, Mapping):
            return None
        item = item.get(part)
    return item


def _flatten_keys(item: Mapping[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    columns: list[tuple[str, str]] = []
    for key, value in item.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            columns.extend(_flatten_keys(value, prefix=f"{path}."))
        else:
            columns.append((path, path))
    return columns


class CsvRenderer(BaseRenderer):
    """`?format=csv`; a successful answer is a download named by the view's `csv_filename`."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"
    bom = False

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: dict[str, Any] | None = None,
    ) -> bytes:
        rows = data.get("results", [data]) if isinstance(data, Mapping) else list(data or [])
        view = (renderer_context or {}).get("view")
        columns: Columns | None = getattr(view, "csv_columns", None)
        if columns is None:
            columns = _flatten_keys(rows[0]) if rows and isinstance(rows[0], Mapping) else []
        response = (renderer_context or {}).get("response")
        if (
            response is not None
            and response.status_code == 200
            and not response.has_header("Content-Disposition")
        ):
            filename = getattr(view, "csv_filename", "results.csv")
            response["Content-Disposition"] = content_disposition_header(True, filename) or "attachment"
        lines = csv_lines(
            [header for header, _ in columns],
            ([_cell(_lookup(row, path)) for _, path in columns] for row in rows),
            bom=self.bom,
        )
        return "".join(lines).encode(self.charset)


class CsvExcelRenderer(CsvRenderer):
    """`?format=csv-excel`: the same CSV with a UTF-8 byte-order mark first, for Excel."""

    format = "csv-excel"
    bom = True
