"""What the subtitle exports (VTT, SRT) share: which turns can be cues, and timecodes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from archive.exporters.base import speaker_label


@dataclass
class TimedTurn:
    position: int  # 1-based, as in the transcript
    speaker: str  # as readers see it
    kind: str
    text: str
    paragraphs: list[str]  # without blank ones and surrounding spaces
    start: float
    end: float


def timed_turns(document: dict[str, Any]) -> list[TimedTurn]:
    """The turns of a `qa-archive/1` document that have both a start and an end time."""
    return [
        TimedTurn(
            position=position,
            speaker=speaker_label(turn["speaker"]),
            kind=turn["kind"],
            text=turn["text"],
            paragraphs=[p.strip() for p in turn["text"].split("\n") if p.strip()],
            start=turn["start"],
            end=turn["end"],
        )
        for position, turn in enumerate(document["turns"], start=1)
        if turn.get("start") is not None and turn.get("end") is not None
    ]


def untimed_notice(document: dict[str, Any], timed: int, extension: str) -> list[str]:
    total = len(document["turns"])
    if timed == total:
        return []
    if timed == 0:
        return [f"{document['slug']}: no turn has start and end times; the {extension} file has no cues"]
    return [
        f"{document['slug']}: {total - timed} of {total} turns have no start and end times "
        f"and are left out of the {extension} file"
    ]


def timecode(seconds: float, *, decimal: str) -> str:
    """HH:MM:SS.mmm (WebVTT, decimal '.') or HH:MM:SS,mmm (SRT, decimal ',')."""
    millis = round(seconds * 1000)
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{decimal}{millis:03d}"
