"""The interchange format `qa-archive/1` out: NDJSON (bulk) and JSON (one file each).

`transcript_document` is the inverse of `archive.interchange.validate_document`:
importing what it returns gives back the same transcript. Key order is fixed and
every top-level key is always present, so exports are byte-stable.
"""

from __future__ import annotations

import json
from typing import Any

from archive.exporters.base import Exporter
from archive.interchange import FORMAT_NAME
from archive.models import Speaker, Transcript


def transcript_document(transcript: Transcript) -> dict[str, Any]:
    """The transcript as a `qa-archive/1` document (expects `transcripts_for_export` prefetching)."""
    appearances = list(transcript.appearances.all())
    turns = list(transcript.turns.all())
    name_of: dict[int, str] = {a.speaker_id: a.name for a in appearances}
    speakers = [_speaker_entry(a.speaker, name=a.name, role=a.role) for a in appearances]
    # A curator may give a turn to someone the speaker list does not have yet.
    for turn in turns:
        if turn.speaker_id not in name_of:
            name = turn.speaker.name
            if name in name_of.values():
                name = turn.speaker.slug
            name_of[turn.speaker_id] = name
            speakers.append(_speaker_entry(turn.speaker, name=name, role=""))
    position_of = {turn.pk: turn.position for turn in turns}

    return {
        "format": FORMAT_NAME,
        "slug": transcript.slug,
        "title": transcript.title,
        "date": transcript.date.isoformat() if transcript.date else None,
        "language": transcript.language,
        "event": transcript.event or None,
        "place": transcript.place or None,
        "source_url": transcript.source_url or None,
        "license": transcript.license or None,
        "description": transcript.description or None,
        "status": transcript.status,
        "topics": [topic.slug for topic in transcript.topics.all()],
        "translation_of": transcript.translation_of_slug or None,
        "speakers": speakers,
        "turns": [_turn_entry(turn, name_of, position_of) for turn in turns],
    }


def _speaker_entry(speaker: Speaker, *, name: str, role: str) -> dict[str, Any]:
    return {
        "name": name,
        "slug": speaker.slug,
        "role": role or None,
        "names": dict(speaker.names),
        "aliases": list(speaker.aliases),
    }


def _turn_entry(turn: Any, name_of: dict[int, str], position_of: dict[int, int]) -> dict[str, Any]:
    entry: dict[str, Any] = {"speaker": name_of[turn.speaker_id], "kind": turn.kind, "text": turn.text}
    if turn.language:
        entry["language"] = turn.language
    if turn.reply_to_id is not None and turn.reply_to_id in position_of:
        entry["reply_to"] = position_of[turn.reply_to_id]
    if turn.original_position is not None:
        entry["original"] = turn.original_position
    topics = [topic.slug for topic in turn.topic_list]  # see transcripts_for_export
    if topics:
        entry["topics"] = topics
    if turn.answer_status:
        entry["answer_status"] = turn.answer_status
    if turn.start is not None:
        entry["start"] = turn.start
    if turn.end is not None:
        entry["end"] = turn.end
    return entry


class NdjsonExporter(Exporter):
    name = "ndjson"
    extension = "ndjson"
    content_type = "application/x-ndjson; charset=utf-8"
    description = "qa-archive/1 documents, one per line (the bulk dump)"

    def render(self, transcript: Transcript) -> str:
        return json.dumps(transcript_document(transcript), ensure_ascii=False) + "\n"


class JsonExporter(Exporter):
    name = "json"
    extension = "json"
    content_type = "application/json; charset=utf-8"
    one_file_per_transcript = True
    description = "one qa-archive/1 document per transcript, indented"

    def render(self, transcript: Transcript) -> str:
        return json.dumps(transcript_document(transcript), ensure_ascii=False, indent=2) + "\n"
