"""Reads from the archive that more than one caller needs (exports, API, pages)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.db.models import Prefetch, QuerySet

from archive.models import Appearance, Transcript, TranscriptStatus, Turn


def transcripts_for_export(
    *, slugs: Iterable[str] = (), include_drafts: bool = False
) -> QuerySet[Transcript]:
    """Transcripts in a stable order (by slug), with everything an exporter reads prefetched."""
    queryset = Transcript.objects.all()
    if not include_drafts:
        queryset = queryset.filter(status=TranscriptStatus.PUBLISHED)
    slugs = list(slugs)
    if slugs:
        queryset = queryset.filter(slug__in=slugs)
    return queryset.order_by("slug").prefetch_related(
        "topics",
        Prefetch("appearances", queryset=Appearance.objects.select_related("speaker").order_by("position")),
        Prefetch(
            "turns",
            queryset=Turn.objects.select_related("speaker").prefetch_related("topics").order_by("position"),
        ),
    )


def iterate_in_chunks(queryset: QuerySet[Transcript], chunk_size: int = 20) -> Iterator[Transcript]:
    """Stream a prefetched queryset: memory holds one chunk of transcripts at a time."""
    return queryset.iterator(chunk_size=chunk_size)
