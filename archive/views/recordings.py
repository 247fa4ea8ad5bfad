"""Uploaded recordings, served by the archive with HTTP range requests (RFC 9110, section 14).

A player seeks by asking for a byte range; without 206 answers Chromium cannot seek at
all. WhiteNoise serves static files only, and Django's FileResponse ignores Range, so this
view answers `Range: bytes=a-b`, `bytes=a-` and `bytes=-n` itself: 206 with those bytes,
416 when the range lies outside the file, the whole file (200) for anything else (several
ranges, another unit, a malformed header: the RFC lets a server ignore Range).

Only files of recordings are served, and a draft transcript's only to curators. With
RECORDINGS_SERVED_BY=storage the view redirects to the storage's own URL instead (an
object store or CDN that answers range requests itself).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import IO

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from archive.models import Recording, TranscriptStatus
from archive.recordings import STORED_NAME

CHUNK = 64 * 1024
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def byte_range(header: str, size: int) -> tuple[int, int] | None | bool:
    """(first, last) byte of a single satisfiable range; None to send the whole file; False: 416."""
    match = _RANGE.match(header.replace(" ", ""))
    if match is None:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # the last n bytes
        length = int(last)
        if length == 0 or size == 0:
            return False
        return max(size - length, 0), size - 1
    start = int(first)
    end = int(last) if last else size - 1
    if last and end < start:
        return None  # invalid: ignored, as the RFC says
    if start >= size:
        return False
    return start, min(end, size - 1)


def _chunks(handle: IO[bytes], start: int, length: int) -> Iterator[bytes]:
    try:
        handle.seek(start)
        while length > 0:
            data = handle.read(min(CHUNK, length))
            if not data:
                break
            length -= len(data)
            yield data
    finally:
        handle.close()


@require_safe
def recording_file(request: HttpRequest, name: str) -> HttpResponseBase:
    if not STORED_NAME.match(name):
        raise Http404("No such recording.")
    recording = Recording.objects.select_related("transcript").filter(file=name).first()
    if recording is None:
        raise Http404("No such recording.")
    visible = recording.transcript.status == TranscriptStatus.PUBLISHED or request.user.is_staff
    if not visible:
        raise Http404("No such recording.")
    if settings.RECORDINGS_SERVED_BY == "storage":
        return HttpResponseRedirect(default_storage.url(name))
    try:
        size = default_storage.size(name)
        modified = default_storage.get_modified_time(name)
    except (FileNotFoundError, NotImplementedError):
        raise Http404("The recording's file is missing from storage.") from None

    headers = {
        "Accept-Ranges": "bytes",
        "Last-Modified": http_date(modified.timestamp()),
        # Private: a draft's file must not sit in a shared cache once it is unpublished.
        "Cache-Control": "private, max-age=3600",
    }
    requested = request.headers.get("Range", "")
    # If-Range: the range applies only if the file is the one the client has part of.
    if requested and request.headers.get("If-Range", headers["Last-Modified"]) != headers["Last-Modified"]:
        requested = ""
    span = byte_range(requested, size) if requested else None
    if span is False:
        return HttpResponse(
            status=416, headers={**headers, "Content-Range": f"bytes */{size}"}, content_type="text/plain"
        )
    start, end = span if isinstance(span, tuple) else (0, size - 1)
    length = end - start + 1 if size else 0
    status = 206 if isinstance(span, tuple) else 200
    if status == 206:
        headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    headers["Content-Length"] = str(length)
    # HEAD: the headers only, without opening the file.
    body = [] if request.method == "HEAD" else _chunks(default_storage.open(name, "rb"), start, length)
    return StreamingHttpResponse(body, status=status, headers=headers, content_type=recording.type)
