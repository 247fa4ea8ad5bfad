"""Plain text out: transcripts to read or print.

Each transcript opens with its title between rules of '=' and its particulars (date,
event, place, source, language), then one paragraph block per turn under
`SPEAKER (role):`. Questions are marked `[Q]`, answers `[A]` and moderation `[M]`
(a legend says so), a turn in another language than the transcript gets its tag
(`[es]`), and a turn with a start time begins with it (`00:01:01`). Several transcripts
follow one another, each opening with its own rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from archive.exporters.base import Exporter, speaker_label
from archive.exporters.qa_archive import transcript_document
from archive.exporters.timed_turns import timecode
from archive.models import Transcript, TurnKind

RULE = "=" * 72
MARKS = {TurnKind.QUESTION: "[Q]", TurnKind.ANSWER: "[A]", TurnKind.MODERATOR: "[M]"}
LEGEND = {
    TurnKind.QUESTION: "[Q] question",
    TurnKind.ANSWER: "[A] answer",
    TurnKind.MODERATOR: "[M] moderator",
}
PARTICULARS = [
    ("Date", "date"),
    ("Event", "event"),
    ("Place", "place"),
    ("Source", "source_url"),
    ("Language", "language"),
    ("License", "license"),
]


class TextExporter(Exporter):
    name = "txt"
    extension = "txt"
    description = "readable plain text: speakers, roles, questions and answers marked"

    def render(self, transcript: Transcript) -> str:
        document = transcript_document(transcript)
        role_of = {s["name"]: s["role"] for s in document["speakers"]}
        lines = [RULE, document["title"], RULE]
        lines += [f"{label}: {document[key]}" for label, key in PARTICULARS if document.get(key)]
        if document["translation_of"]:
            lines.append(f"Translation of: {document['translation_of']}")
        kinds = {turn["kind"] for turn in document["turns"]}
        legend = [text for kind, text in LEGEND.items() if kind in kinds]
        if legend:
            lines.append("Marks: " + ", ".join(legend))
        if document["description"]:
            lines += ["", document["description"]]
        for turn in document["turns"]:
            lines += ["", _turn_heading(turn, role_of, document["language"]), *turn["text"].split("\n")]
        return "\n".join(lines) + "\n"

    def stream(self, transcripts: Iterable[Transcript]) -> Iterator[str]:
        for index, transcript in enumerate(transcripts):
            yield ("\n" if index else "") + self.render(transcript)


def _turn_heading(turn: dict[str, Any], role_of: dict[str, str | None], language: str) -> str:
    parts = []
    if turn.get("start") is not None:
        parts.append(timecode(turn["start"], decimal=".")[:8])
    if turn["kind"] in MARKS:
        parts.append(MARKS[turn["kind"]])
    name = speaker_label(turn["speaker"])
    role = role_of.get(turn["speaker"])
    parts.append(f"{name} ({role})" if role else name)
    if turn.get("language") and turn["language"] != language:
        parts.append(f"[{turn['language']}]")
    return " ".join(parts) + ":"
