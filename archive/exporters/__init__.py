"""Export formats, by name. The export command and the API both look formats up here."""

from __future__ import annotations

from archive.exporters.akoma_ntoso import AkomaNtosoExporter
from archive.exporters.base import Exporter
from archive.exporters.plain_text import TextExporter
from archive.exporters.qa_archive import JsonExporter, NdjsonExporter
from archive.exporters.subrip import SrtExporter
from archive.exporters.table_csv import CsvExcelExporter, CsvExporter
from archive.exporters.tei import TeiExporter
from archive.exporters.webvtt import VttExporter

EXPORTERS: dict[str, Exporter] = {
    exporter.name: exporter
    for exporter in [
        NdjsonExporter(),
        JsonExporter(),
        CsvExporter(),
        CsvExcelExporter(),
        TextExporter(),
        VttExporter(),
        SrtExporter(),
        TeiExporter(),
        AkomaNtosoExporter(),
    ]
}


def get_exporter(name: str) -> Exporter:
    try:
        return EXPORTERS[name]
    except KeyError:
        raise KeyError(f"unknown export format {name!r}; known: {', '.join(EXPORTERS)}") from None
