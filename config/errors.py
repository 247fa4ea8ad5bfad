"""Errors the middleware answers itself, around the views: JSON under /api/ (shaped like DRF's
own errors), plain text elsewhere."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse


def error_response(request: HttpRequest, status: int, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status)
    return HttpResponse(f"{message}\n", status=status, content_type="text/plain; charset=utf-8")
