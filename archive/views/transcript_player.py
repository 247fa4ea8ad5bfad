"""The transcript page's player: which recording plays, the turns' times, the caption tracks.

A translation plays the recording of its own if it has one, else the original's; its turns
without times of their own take those of the turn of the original they are aligned with. The
page works without JavaScript: each timed turn links to `?t=<start>#turn-N`, and the server
puts that start into the media address as a media fragment (`#t=61`), which browsers honour.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils.http import urlencode

from archive.languages import language_name, text_direction
from archive.models import Recording, Transcript, Turn
from archive.recordings import clock_text, parse_time, seconds_text
from archive.views.transcript_page import TurnRow

Times = dict[int, tuple[float | None, float | None]]  # position -> (start, end)


@dataclass
class Track:
    url: str
    srclang: str
    label: str
    dir: str
    is_current: bool


@dataclass
class Source:
    url: str
    type: str


@dataclass
class Player:
    element: str  # "audio" or "video"
    sources: list[Source]
    recordings: list[Recording]  # every one, as links under the player
    tracks: list[Track] = field(default_factory=list)
    start: float | None = None
    start_text: str = ""  # as in a URL: 61, 94.5
    start_clock: str = ""  # as a player shows it: 1:01


def start_time(query: Mapping[str, Any]) -> float | None:
    """The start asked for with `?t=`, or None."""
    value = query.get("t")
    return parse_time(value) if isinstance(value, str) else None


def recordings_of(transcript: Transcript, versions: list[Transcript]) -> tuple[list[Recording], Transcript]:
    """The recordings the page plays and the version they belong to (one query for all versions)."""
    found = list(Recording.objects.filter(transcript__in=[v.pk for v in versions] or [transcript.pk]))
    own = [r for r in found if r.transcript_id == transcript.pk]
    if own or not transcript.translation_of_slug:
        return own, transcript
    original = next((v for v in versions if not v.translation_of_slug), None)
    if original is None:
        return [], transcript
    return [r for r in found if r.transcript_id == original.pk], original


def build_player(
    recordings: list[Recording], versions: Iterable[Transcript], *, current: Transcript, start: float | None
) -> Player | None:
    if not recordings:
        return None
    first = recordings[0]
    element = "video" if first.is_video else "audio"
    fragment = f"#t={seconds_text(start)}" if start is not None else ""
    sources = [
        Source(url=recording.src + fragment, type=recording.type)
        for recording in recordings
        if recording.is_video == first.is_video
    ]
    tracks = [
        Track(
            url=reverse("transcript-captions", kwargs={"slug": version.slug}),
            srclang=version.language,
            label=language_name(version.language),
            dir=text_direction(version.language),
            is_current=version.pk == current.pk,
        )
        for version in versions
    ]
    return Player(
        element=element,
        sources=sources,
        recordings=recordings,
        tracks=tracks,
        start=start,
        start_text=seconds_text(start) if start is not None else "",
        start_clock=clock_text(start) if start is not None else "",
    )


def original_times(original: Transcript) -> Times:
    return {
        position: (start, end)
        for position, start, end in Turn.objects.filter(transcript=original).values_list(
            "position", "start", "end"
        )
    }


def rows_times(rows: list[TurnRow]) -> Times:
    return {row.position: (row.turn.start, row.turn.end) for row in rows}


def add_times(
    rows: list[TurnRow], *, aligned: Times | None, query: Mapping[str, str], anchor: str = "turn-"
) -> None:
    """Give each row its times (own, else the aligned original turn's) and its play-from-here link."""
    base = {key: value for key, value in query.items() if key != "t"}
    for row in rows:
        start, end = row.turn.start, row.turn.end
        if start is None and aligned is not None and row.key is not None:
            start, end = aligned.get(row.key, (None, None))
        if start is None:
            continue  # shown, not seekable
        row.start, row.end = start, end
        row.play_url = f"?{urlencode({**base, 't': seconds_text(start)})}#{anchor}{row.position}"


def place_times(
    *,
    transcript: Transcript,
    media_owner: Transcript,
    rows: list[TurnRow],
    compared: Transcript | None = None,
    compared_rows: list[TurnRow] | None = None,
) -> None:
    """Times and play links for the page's rows (and the other column's, side by side).

    Times count from the start of the media owner's recording (this text's, or the original's):
    a version that is not the owner takes the owner's times through its alignment, read from
    a column already on the page when there is one, else with one query.
    """
    found: list[Times] = []

    def owner_times() -> Times:
        if not found:
            if compared is not None and compared.pk == media_owner.pk:
                found.append(rows_times(compared_rows or []))
            elif transcript.pk == media_owner.pk:
                found.append(rows_times(rows))
            else:
                found.append(original_times(media_owner))
        return found[0]

    query = {"compare": compared.slug} if compared is not None else {}
    add_times(rows, aligned=None if transcript.pk == media_owner.pk else owner_times(), query=query)
    if compared is not None:
        aligned = None if compared.pk == media_owner.pk else owner_times()
        add_times(compared_rows or [], aligned=aligned, query=query, anchor="compare-turn-")
