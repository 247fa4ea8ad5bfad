"""WebVTT out: a cue per timed turn, the speaker in a voice span, metadata in a NOTE.

The file re-imports (`archive.importers.subtitles`) as the same transcript: the NOTE
holds title, slug, language and the other one-line keys; each cue is identified
`turn-N` so turns of one speaker in a row stay apart; the voice class carries the
kind (`<v.question Weibo user>`); a turn's paragraphs are the cue's lines, spaces and
all, so the text comes back exactly (a paragraph of nothing but spaces comes back empty). Turns
without times cannot be cues and are left out (a NOTE and the export command say so).
Speaker roles, topics of turns and `reply_to` are not in the file.
"""

from __future__ import annotations

import html
from typing import Any

from archive.exporters.base import Exporter
from archive.exporters.qa_archive import transcript_document
from archive.exporters.timed_turns import timecode, timed_turns, untimed_notice
from archive.models import Transcript, TurnKind

# NOTE key -> qa-archive/1 key, in the order written; the importer reads these names.
METADATA = [
    ("Title", "title"),
    ("Slug", "slug"),
    ("Language", "language"),
    ("Date", "date"),
    ("Event", "event"),
    ("Place", "place"),
    ("Source", "source_url"),
    ("License", "license"),
    ("Status", "status"),
    ("Translation-Of", "translation_of"),
]


class VttExporter(Exporter):
    name = "vtt"
    extension = "vtt"
    content_type = "text/vtt; charset=utf-8"
    one_file_per_transcript = True
    description = "WebVTT captions, one file per transcript (turns with times)"

    def filename(self, transcript: Transcript) -> str:
        return f"{transcript.slug}.{transcript.language}.{self.extension}"

    def render(self, transcript: Transcript) -> str:
        return render_document(transcript_document(transcript))

    def notices(self, transcript: Transcript) -> list[str]:
        document: dict[str, Any] = transcript_document(transcript)
        return untimed_notice(document, len(timed_turns(document)), self.extension)


def caption_track(
    transcript: Transcript, aligned: dict[int, tuple[float | None, float | None]] | None
) -> str:
    """The WebVTT of a player's caption track: turns without times take those of the aligned turn
    of the original (`aligned`: original position -> start, end), so a translation has captions too."""
    document = transcript_document(transcript)
    if aligned:
        for turn in document["turns"]:
            if turn.get("start") is None and turn.get("original") in aligned:
                start, end = aligned[turn["original"]]
                if start is not None and end is not None:
                    turn["start"], turn["end"] = start, end
    return render_document(document)


def render_document(document: dict[str, Any]) -> str:
    lines = ["WEBVTT", "", "NOTE"]
    for label, key in METADATA:
        if document.get(key):
            lines.append(f"{label}: {_note_text(document[key])}")
    if document["topics"]:
        lines.append(f"Topics: {_note_text('; '.join(document['topics']))}")
    lines.append("")
    turns = timed_turns(document)
    if len(turns) < len(document["turns"]):
        missing = len(document["turns"]) - len(turns)
        lines += [f"NOTE {missing} of {len(document['turns'])} turns have no times and are not cues.", ""]
    for turn in turns:
        classes = "" if turn.kind == TurnKind.STATEMENT else f".{turn.kind}"
        # Lines exactly as the turn's paragraphs; an empty one becomes a line of one
        # space, which in WebVTT does not end the cue (an empty line would).
        text = [_cue_text(p) or " " for p in turn.text.split("\n")]
        lines += [
            f"turn-{turn.position}",
            f"{timecode(turn.start, decimal='.')} --> {timecode(turn.end, decimal='.')}",
            f"<v{classes} {_cue_text(turn.speaker)}>{text[0] if text else ''}",
            *text[1:],
            "",
        ]
    return "\n".join(lines)


def _note_text(value: str) -> str:
    # One line, and never the '-->' that would end a NOTE.
    return " ".join(str(value).split()).replace("-->", "->")


def _cue_text(value: str) -> str:
    return html.escape(value, quote=False)  # '&', '<', '>' as entities; so '-->' cannot occur
