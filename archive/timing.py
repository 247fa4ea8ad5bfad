"""Time curation: shift every time of a transcript, or take its times from a subtitle file.

Each check runs before anything is written, and each write is one transaction: a bad offset
or file leaves the transcript as it was. Errors name the field (or file line) at fault.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from archive.importers.base import decode_text
from archive.importers.subtitles import cue_times
from archive.interchange import DocumentError
from archive.models import Transcript, Turn


class TimesError(ValueError):
    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(f"{field}: {message}")
        self.message = message
        self.field = field


def check_turn_times(
    times: Sequence[tuple[int, float | None, float | None]], *, field: str = "times"
) -> None:
    """(position, start, end) in turn order: each end at or after its start, starts in turn order."""
    last: tuple[int, float] | None = None
    for position, start, end in times:
        if start is not None and start < 0:
            raise TimesError(f"turn {position} would start at {start:g} s, before the recording", field=field)
        if start is not None and end is not None and end < start:
            raise TimesError(f"turn {position} ends ({end:g} s) before it starts ({start:g} s)", field=field)
        if start is None:
            continue
        if last is not None and start < last[1]:
            raise TimesError(
                f"turn {position} starts ({start:g} s) before turn {last[0]} ({last[1]:g} s): "
                "times must follow the order of the turns",
                field=field,
            )
        last = (position, start)


def _save(transcript: Transcript, turns: list[Turn]) -> None:
    with transaction.atomic():
        Turn.objects.bulk_update(turns, ["start", "end"], batch_size=500)
        transcript.save(update_fields=["modified"])  # the search index and caches hear of it


def turns_shift_times(transcript: Transcript, offset: float) -> int:
    """Add `offset` seconds to every start and end; returns how many turns have times."""
    turns = list(
        Turn.objects.filter(transcript=transcript).order_by("position").only("pk", "position", "start", "end")
    )
    for turn in turns:
        turn.start = None if turn.start is None else round(turn.start + offset, 3)
        turn.end = None if turn.end is None else round(turn.end + offset, 3)
    check_turn_times([(t.position, t.start, t.end) for t in turns], field="offset")
    timed = [t for t in turns if t.start is not None or t.end is not None]
    _save(transcript, timed)
    return len(timed)


def turns_times_from_subtitles(transcript: Transcript, content: bytes, source: str) -> int:
    """Cue n gives turn n its start and end; the file must have exactly one cue per turn."""
    try:
        text = decode_text(content, source)
        cues = cue_times(text, vtt=source.lower().endswith(".vtt"))
    except DocumentError as exc:
        located = exc.located(source=source)
        raise TimesError(str(located), field="subtitles") from None
    turns = list(
        Turn.objects.filter(transcript=transcript).order_by("position").only("pk", "position", "start", "end")
    )
    if len(cues) != len(turns):
        raise TimesError(
            f"{source} has {len(cues)} cues but the transcript has {len(turns)} turns: "
            "times are taken by turn order, one cue per turn",
            field="subtitles",
        )
    for turn, (_line, start, end) in zip(turns, cues, strict=True):
        turn.start, turn.end = start, end
    check_turn_times([(t.position, t.start, t.end) for t in turns], field="subtitles")
    _save(transcript, turns)
    return len(turns)
