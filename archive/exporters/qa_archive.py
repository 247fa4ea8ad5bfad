"""The interchange format `qa-archive/1` out: NDJSON (bulk) and JSON (one file each).

`transcript_document` is the inverse of `archive.interchange.validate_document`:
importing what it returns gives back the same transcript. Key order is fixed and
every top-level key is always present (but `media`, only with recordings), so exports are
byte-stable. Private speakers appear under their pseudonyms unless the caller is inside
`archive.people.real_names()` (curators' exports and backups), so a public download never holds
their names.
"""

from __future__ import annotations

import json
from typing import Any

from archive.exporters.base import Exporter
from archive.interchange import FORMAT_NAME
from archive.models import Speaker, Transcript
from archive.people import hidden


def transcript_document(transcript: Transcript) -> dict[str, Any]:
    """The transcript as a `qa-archive/1` document (expects `transcripts_for_export` prefetching)."""
    appearances = list(transcript.appearances.all())
    turns = list(transcript.turns.all())
    name_of: dict[int, str] = {a.speaker_id: a.speaker.shown_as(a.name) for a in appearances}
    # An unpublished transcript also gives the names its speakers have not learnt yet.
    pending = not transcript.is_published
    speakers = [
        _speaker_entry(
            a.speaker,
            name=name_of[a.speaker_id],
            role=a.role,
            names=a.names if pending else {},
            aliases=a.aliases if pending else [],
        )
        for a in appearances
    ]
    # A curator may give a turn to someone the speaker list does not have yet.
    for turn in turns:
        if turn.speaker_id not in name_of:
            name = turn.speaker.shown_as(turn.speaker.name)
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
        **_media_entry(transcript),
        "speakers": speakers,
        "turns": [_turn_entry(turn, name_of, position_of) for turn in turns],
    }


def _media_entry(transcript: Transcript) -> dict[str, Any]:
    """`media` only when there are recordings: documents without them export as they always did."""
    items = [
        {
            "url": recording.src,
            "type": recording.type,
            **({"label": recording.label} if recording.label else {}),
        }
        for recording in transcript.recordings.all()
    ]
    return {"media": items} if items else {}


def _speaker_entry(
    speaker: Speaker,
    *,
    name: str,
    role: str,
    names: dict[str, str] | None = None,
    aliases: list[str] | None = None,
) -> dict[str, Any]:
    if hidden(speaker):  # names and aliases of a member of the public are for curators only
        return {
            "name": name,
            "slug": speaker.slug,
            "role": role or None,
            "names": {},
            "aliases": [],
            "kind": speaker.kind,
            "private": True,
            "pseudonym": speaker.pseudonym or None,
            "identifiers": {},
        }
    return {
        "name": name,
        "slug": speaker.slug,
        "role": role or None,
        "names": {**(names or {}), **speaker.names} if names else dict(speaker.names),
        "aliases": list(dict.fromkeys([*speaker.aliases, *(aliases or [])])),
        "kind": speaker.kind,
        "private": speaker.private,
        "pseudonym": speaker.pseudonym or None,
        "identifiers": dict(speaker.identifiers),
    }


def _turn_entry(turn: Any, name_of: dict[int, str], position_of: dict[int, int]) -> dict[str, Any]:
    entry: dict[str, Any] = {"speaker": name_of[turn.speaker_id], "kind": turn.kind, "text": turn.text}
    if turn.section:
        entry["section"] = turn.section
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
