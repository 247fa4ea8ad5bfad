"""Renderers backed by the export registry, and content negotiation that names bad formats.

Each exporter in `archive.exporters.EXPORTERS` becomes a DRF renderer, so a transcript is
available as `?format=<name>` (or by its media type in `Accept`) as soon as the exporter is
registered, and the OpenAPI schema lists it without any change here.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from django.http import Http404
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.settings import api_settings

from archive.exporters import EXPORTERS
from archive.exporters.base import Exporter
from archive.models import Transcript


def media_type_of(exporter: Exporter) -> str:
    """The exporter's content type without parameters ("text/vtt; charset=utf-8" -> "text/vtt")."""
    return exporter.content_type.split(";")[0].strip()


class ExporterRenderer(BaseRenderer):
    """Renders one Transcript with an exporter (or passes on text the view already rendered);
    anything else (never expected: errors are JSON) as JSON."""

    exporter: Exporter
    charset = "utf-8"

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: dict[str, Any] | None = None,
    ) -> bytes:
        if isinstance(data, str):
            return data.encode(self.charset)
        if isinstance(data, Transcript):
            return self.exporter.render(data).encode(self.charset)
        return json.dumps(data, ensure_ascii=False).encode(self.charset)


_RENDERER_CLASSES: dict[str, type[ExporterRenderer]] = {}


def exporter_renderer(exporter: Exporter) -> type[ExporterRenderer]:
    """The renderer class of one exporter (made once, so DRF and the schema see one class)."""
    cls = _RENDERER_CLASSES.get(exporter.name)
    if cls is None or cls.exporter is not exporter:
        attrs = {"exporter": exporter, "format": exporter.name, "media_type": media_type_of(exporter)}
        cls = type(f"{exporter.name.title()}ExportRenderer", (ExporterRenderer,), attrs)
        _RENDERER_CLASSES[exporter.name] = cls
    return cls


def exporter_renderers(*, skip: Sequence[str] = (), streamable_only: bool = False) -> list[BaseRenderer]:
    """Renderers for the registered exporters, in registry order."""
    return [
        exporter_renderer(exporter)()
        for name, exporter in EXPORTERS.items()
        if name not in skip
        and not (streamable_only and exporter.one_file_per_transcript and not exporter.corpus)
    ]


class FormatNegotiation(DefaultContentNegotiation):
    """Like DRF's, but an unknown `?format=` is a 400 that lists the formats, not a bare 404."""

    def select_renderer(
        self, request: Request, renderers: list[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except Http404:
            param = api_settings.URL_FORMAT_OVERRIDE or "format"
            wanted = format_suffix or request.query_params.get(param, "")
            known = ", ".join(dict.fromkeys(str(r.format) for r in renderers))
            raise ValidationError({param: [f"unknown format {wanted!r}; choose one of: {known}"]}) from None
