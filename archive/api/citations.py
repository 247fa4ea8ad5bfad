"""/api/v1/transcripts/<slug>/cite/ and .../turns/<position>/cite/: CSL-JSON (default) or RIS.

Plain Django views rather than DRF ones: DRF reads `?format=` as a renderer name, and these
answer with the citation files themselves, exactly as the site's cite pages do.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from archive import selectors
from archive.models import Transcript
from archive.views.transcripts import citation_response, cited_reference


@require_GET
def transcript_citation(request: HttpRequest, slug: str, position: int | None = None) -> HttpResponse:
    try:
        transcript = selectors.transcript_published(slug)
    except Transcript.DoesNotExist:
        return JsonResponse({"detail": "No published transcript has this slug."}, status=404)
    turn = None
    if position is not None:
        turn = transcript.turns.select_related("speaker").filter(position=position).first()
        if turn is None:
            return JsonResponse({"detail": "This transcript has no turn at that position."}, status=404)
    reference = cited_reference(request, transcript, turn)[0]
    return citation_response(reference, request.GET.get("format") or "csl-json")
