"""Reject requests whose path or parameters hold NUL bytes or invalid UTF-8.

Django replaces broken UTF-8 in parameters with U+FFFD and passes NUL bytes through, and
PostgreSQL refuses a NUL in a string with an exception (a 500). Nothing legitimate sends
either, so the request is refused up front with a 400 that says why.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from django.http import HttpRequest, HttpResponse

from config.errors import error_response

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _bad_bytes(raw: bytes) -> str | None:
    if b"\x00" in raw:
        return "a NUL byte"
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return "bytes that are not UTF-8"
    return None


def _wsgi_bytes(value: str) -> bytes:
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:
        # Some test clients hand over text already decoded, against PEP 3333.
        return value.encode("utf-8", "replace")


def _bad_text(values: list[str]) -> str | None:
    return "a NUL byte" if any("\x00" in value for value in values) else None


def bad_input(request: HttpRequest) -> str | None:
    """What is wrong with the request's input, or None."""
    # WSGI gives the path and query string as bytes decoded as latin-1.
    # Broken UTF-8 in the path Django itself re-escapes (%XX), so such a path is a plain 404.
    if "\x00" in request.META.get("PATH_INFO", ""):
        return "The address contains a NUL byte."
    query = _wsgi_bytes(request.META.get("QUERY_STRING", ""))
    if problem := _bad_bytes(unquote_to_bytes(query.replace(b"+", b" "))):
        return f"A query parameter contains {problem}."
    content_type = request.content_type or ""
    if request.method == "POST" and content_type in FORM_TYPES:
        if content_type == FORM_TYPES[0] and (problem := _bad_bytes(unquote_to_bytes(request.body))):
            return f"A form field contains {problem}."
        fields = [item for key, values in request.POST.lists() for item in (key, *values)]
        if problem := _bad_text(fields):
            return f"A form field contains {problem}."
    return None


class RejectBadInputMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if problem := bad_input(request):
            return error_response(request, 400, f"Bad request: {problem}")
        return self.get_response(request)
