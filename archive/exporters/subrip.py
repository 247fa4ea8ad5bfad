"""SubRip (SRT) out: a numbered cue per timed turn, "Speaker: " before its text.

SRT has no place for metadata, so the file name carries the language
(`slug.en.srt`), which is what the importer reads. Turns without times cannot be
cues and are left out; the export command says so.
"""

from __future__ import annotations

from collections.abc import Iterable

from archive.exporters.base import Exporter
from archive.exporters.qa_archive import transcript_document
from archive.exporters.timed_turns import timecode, timed_turns, untimed_notice
from archive.models import Transcript, Turn


class SrtExporter(Exporter):
    name = "srt"
    extension = "srt"
    content_type = "application/x-subrip; charset=utf-8"
    one_file_per_transcript = True
    description = "SubRip subtitles, one file per transcript (turns with times)"

    def filename(self, transcript: Transcript) -> str:
        return f"{transcript.slug}.{transcript.language}.{self.extension}"

    def render(self, transcript: Transcript) -> str:
        lines: list[str] = []
        for number, turn in enumerate(timed_turns(transcript_document(transcript)), start=1):
            text = turn.paragraphs or [""]
            lines += [
                str(number),
                f"{timecode(turn.start, decimal=',')} --> {timecode(turn.end, decimal=',')}",
                f"{turn.speaker}: {text[0]}",
                *text[1:],
                "",
            ]
        return "\n".join(lines)

    def unavailable(self, transcript: Transcript, turns: Iterable[Turn] | None = None) -> str:
        # An SRT file is nothing but cues: without times it would be empty (WebVTT keeps a NOTE).
        if any(turn.start is not None and turn.end is not None for turn in turns or transcript.turns.all()):
            return ""
        return "no turn of this transcript has start and end times, and SubRip holds only timed cues"

    def notices(self, transcript: Transcript) -> list[str]:
        document = transcript_document(transcript)
        return untimed_notice(document, len(timed_turns(document)), self.extension)
