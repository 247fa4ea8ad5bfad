"""People as Popolo persons (`?format=popolo` on /api/v1/speakers/ and one speaker).

A person carries `other_names` in every language and script the archive knows (with `lang`,
as EveryPolitician's Popolo does) and aliases (`note: "alias"`), and `identifiers`: the
archive's own slug first, then the external ones (`archive.exporters.base.speaker_identifiers`).
A list is `{"persons": [...]}` with the usual page links beside it.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request

from archive.api.serializers import absolute
from archive.exporters.base import speaker_identifiers
from archive.models import Speaker
from archive.people import hidden

ARCHIVE_SCHEME = "qa-archive"


class PopoloRenderer(JSONRenderer):
    format = "popolo"
    media_type = "application/json"  # Popolo is JSON; the format parameter says which shape


def is_popolo(request: Request) -> bool:
    renderer = getattr(request, "accepted_renderer", None)
    return getattr(renderer, "format", "") == PopoloRenderer.format


def popolo_person(speaker: Speaker, request: Request | None) -> dict[str, Any]:
    if hidden(speaker):  # a member of the public: the pseudonym only, outside a curator's view
        return {
            "id": speaker.slug,
            "name": speaker.public_name,
            "other_names": [],
            "identifiers": [{"scheme": ARCHIVE_SCHEME, "identifier": speaker.slug}],
            "links": [
                {
                    "url": absolute(request, reverse("speaker-detail", args=[speaker.slug])),
                    "note": "archive page",
                }
            ],
        }
    other_names: list[dict[str, str]] = [
        {"name": str(name), "lang": str(tag), "note": "multilingual"} for tag, name in speaker.names.items()
    ]
    other_names += [
        {"name": str(alias), "note": "alias"} for alias in speaker.aliases if alias != speaker.name
    ]
    identifiers = [{"scheme": ARCHIVE_SCHEME, "identifier": speaker.slug}]
    identifiers += [
        {"scheme": scheme, "identifier": value} for scheme, value in speaker_identifiers(speaker).items()
    ]
    person: dict[str, Any] = {
        "id": speaker.slug,
        "name": speaker.name,
        "other_names": other_names,
        "identifiers": identifiers,
        "links": [
            {"url": absolute(request, reverse("speaker-detail", args=[speaker.slug])), "note": "archive page"}
        ],
    }
    if speaker.role:
        person["summary"] = speaker.role
    return person
