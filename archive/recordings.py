"""Recordings: which media types and origins are allowed, and where an uploaded file is.

A recording is a URL on an allowed origin (settings.MEDIA_ALLOWED_ORIGINS, which the
Content-Security-Policy's media-src follows) or a file in the default storage, addressed as
the archive serves it (`/media/recordings/...`). Import, admin and API all check through here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models import Q
from django.urls import reverse

# What browsers' <audio>/<video> play. A parameter (`audio/ogg; codecs=opus`) may follow.
MEDIA_TYPES = (
    "audio/mpeg",
    "audio/mp4",
    "audio/aac",
    "audio/ogg",
    "audio/webm",
    "audio/wav",
    "audio/x-wav",
    "audio/wave",
    "audio/flac",
    "video/mp4",
    "video/webm",
    "video/ogg",
)
# File extensions -> media type, for uploads whose curator left the type empty.
EXTENSION_TYPES = {
    "mp3": "audio/mpeg",
    "m4a": "audio/mp4",
    "aac": "audio/aac",
    "oga": "audio/ogg",
    "ogg": "audio/ogg",
    "opus": "audio/ogg",
    "weba": "audio/webm",
    "wav": "audio/wav",
    "flac": "audio/flac",
    "mp4": "video/mp4",
    "m4v": "video/mp4",
    "webm": "video/webm",
    "ogv": "video/ogg",
}
# Names of stored files: a folder or two and a file name, never `..` or a leading slash.
STORED_NAME = re.compile(r"^(?!.*\.\.)[\w][\w.\- ]*(/[\w][\w.\- ]*)*$")


class RecordingError(ValueError):
    """A recording that may not be used; `field` is `url`, `type` or `file`."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Source:
    """Where a recording is: an outside URL, or the name of a file in the default storage."""

    url: str = ""
    file_name: str = ""


def check_type(value: str) -> str:
    base = value.split(";", 1)[0].strip().lower()
    if base not in MEDIA_TYPES:
        raise RecordingError(
            f"{value!r} is not a media type the player knows (one of {', '.join(MEDIA_TYPES)})", field="type"
        )
    return value.strip()


def type_for_file(name: str) -> str:
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return EXTENSION_TYPES.get(extension, "")


def allowed_origins() -> list[str]:
    return [origin.lower() for origin in settings.MEDIA_ALLOWED_ORIGINS]


def stored_file_prefix() -> str:
    """The path under which the archive serves uploaded files (`/media/`)."""
    return reverse("recording-file", kwargs={"name": "x"})[:-1]


def check_url(url: str) -> Source:
    """An outside URL on an allowed origin, or the archive's own address of a stored file."""
    url = url.strip()
    prefix = stored_file_prefix()
    if url.startswith(prefix):
        name = unquote(url[len(prefix) :])
        if not STORED_NAME.match(name):
            raise RecordingError(f"{url!r} does not name a stored recording", field="url")
        if not default_storage.exists(name):
            raise RecordingError(f"no uploaded recording is stored as {name!r}", field="url")
        return Source(file_name=name)
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise RecordingError(f"{url!r} is not an http(s) URL nor {prefix}... (an uploaded file)", field="url")
    origin = f"{parts.scheme}://{parts.netloc}".lower()
    allowed = allowed_origins()
    if origin not in allowed:
        known = ", ".join(allowed) if allowed else "none: set MEDIA_ALLOWED_ORIGINS"
        raise RecordingError(
            f"{origin} is not an allowed media origin (allowed: {known})",
            field="url",
        )
    return Source(url=url)


def max_upload_bytes() -> int:
    return int(settings.RECORDING_MAX_UPLOAD_MB) * 1024 * 1024


def seconds_text(seconds: float) -> str:
    """Seconds as a URL or citation gives them: 61, 94.5, 3723.25 (milliseconds at most)."""
    text = f"{round(seconds, 3):.3f}".rstrip("0").rstrip(".")
    return text or "0"


def clock_text(seconds: float) -> str:
    """A time as players show it: 1:01, 1:02:03 (whole seconds, rounded down)."""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def parse_time(value: str) -> float | None:
    """A start time from `?t=` or `#t=`: seconds (83, 83.5), media-fragment npt (t=83,90 or
    npt:83) or a clock (1:23, 1:02:03). None when it is none of these."""
    value = value.strip().removeprefix("npt:").split(",", 1)[0]
    if not value or len(value) > 20:
        return None
    parts = value.split(":")
    if len(parts) > 3:
        return None
    try:
        numbers = [float(part) for part in parts]
    except ValueError:
        return None
    if any(n < 0 or n != n or n == float("inf") for n in numbers):
        return None
    total = 0.0
    for number in numbers:
        total = total * 60 + number
    return total


def time_range_text(start: float, end: float | None, *, dash: str = "–") -> str:
    """1:01–1:34 (or 1:01 without an end), for readers and citations."""
    return clock_text(start) + (f"{dash}{clock_text(end)}" if end is not None else "")


def moment_query(start: float, end: float | None) -> str:
    """`t=61,94.5`: a turn's time range as a media fragment (the page plays from the start)."""
    return f"t={seconds_text(start)}" + (f",{seconds_text(end)}" if end is not None else "")


def transcripts_with_recordings(transcripts: list[Any]) -> set[int]:
    """Ids of the transcripts that play a recording: their own, or their original's (one query)."""
    from archive.models import Recording, Transcript

    originals = {t.translation_of_slug for t in transcripts if t.translation_of_slug}
    owners = set(
        Recording.objects.filter(
            Q(transcript__in=[t.pk for t in transcripts])
            | Q(transcript__in=Transcript.objects.filter(slug__in=originals))
        ).values_list("transcript_id", "transcript__slug")
    )
    ids = {pk for pk, _slug in owners}
    slugs = {slug for _pk, slug in owners}
    return {t.pk for t in transcripts if t.pk in ids or t.translation_of_slug in slugs}
