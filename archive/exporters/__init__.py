"""Export formats, by name. The export command and the API both look formats up here."""

from __future__ import annotations

from archive.exporters.base import Exporter
from archive.exporters.qa_archive import JsonExporter, NdjsonExporter

EXPORTERS: dict[str, Exporter] = {
    exporter.name: exporter
    for exporter in [
        NdjsonExporter(),
        JsonExporter(),
    ]
}


def get_exporter(name: str) -> Exporter:
    try:
        return EXPORTERS[name]
    except KeyError:
        raise KeyError(f"unknown export format {name!r}; known: {', '.join(EXPORTERS)}") from None
