"""Role labels ("Q", "PREGUNTA", "MODERATOR") become role speakers, one per transcript, and
speaker names are keyed the new way (without case, accents and honorifics).

Forward: a person whose display name is a role label is split into one role speaker per
transcript it appears in. Backward: role speakers of one name fold back into one person
(the oldest keeps its slug), and names are keyed as before.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.db import migrations
from django.utils.text import slugify

from archive.people import is_role_label, match_key

KEY_LENGTH = 200


def _unique_slug(Speaker: Any, text: str) -> str:
    base = slugify(text, allow_unicode=True)[:194] or "speaker"
    slug, n = base, 1
    while Speaker.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _rekey(Speaker: Any, SpeakerName: Any, key: Any) -> None:
    SpeakerName.objects.all().delete()
    rows = []
    for speaker in Speaker.objects.all():
        names = [speaker.name, *speaker.names.values(), *speaker.aliases]
        for k in sorted({key(str(n))[:KEY_LENGTH] for n in names} - {""}):
            rows.append(SpeakerName(speaker=speaker, key=k))
    SpeakerName.objects.bulk_create(rows, batch_size=1000)


def _old_key(name: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def forward(apps: Any, schema_editor: Any) -> None:
    Speaker = apps.get_model("archive", "Speaker")
    SpeakerName = apps.get_model("archive", "SpeakerName")
    Appearance = apps.get_model("archive", "Appearance")
    Turn = apps.get_model("archive", "Turn")
    Transcript = apps.get_model("archive", "Transcript")
    for label in [s for s in Speaker.objects.filter(kind="person") if is_role_label(s.name)]:
        transcript_ids = set(Appearance.objects.filter(speaker=label).values_list("transcript_id", flat=True))
        transcript_ids |= set(Turn.objects.filter(speaker=label).values_list("transcript_id", flat=True))
        for index, transcript in enumerate(Transcript.objects.filter(pk__in=transcript_ids).order_by("pk")):
            if index == 0:  # the first transcript keeps the row (and its slug)
                continue
            appearance = Appearance.objects.filter(speaker=label, transcript=transcript).first()
            name = appearance.name if appearance else label.name
            role = Speaker.objects.create(
                slug=_unique_slug(Speaker, f"{transcript.slug} {name}"),
                name=name,
                role=label.role,
                kind="role",
            )
            Turn.objects.filter(speaker=label, transcript=transcript).update(speaker=role)
            Appearance.objects.filter(speaker=label, transcript=transcript).update(speaker=role)
        label.kind = "role"
        label.save(update_fields=["kind"])
    _rekey(Speaker, SpeakerName, match_key)


def backward(apps: Any, schema_editor: Any) -> None:
    Speaker = apps.get_model("archive", "Speaker")
    SpeakerName = apps.get_model("archive", "SpeakerName")
    Appearance = apps.get_model("archive", "Appearance")
    Turn = apps.get_model("archive", "Turn")
    kept: dict[str, Any] = {}
    for role in Speaker.objects.filter(kind="role").order_by("pk"):
        key = _old_key(role.name)
        if key not in kept:
            role.kind = "person"
            role.save(update_fields=["kind"])
            kept[key] = role
            continue
        person = kept[key]
        Turn.objects.filter(speaker=role).update(speaker=person)
        for appearance in Appearance.objects.filter(speaker=role):
            if Appearance.objects.filter(transcript_id=appearance.transcript_id, speaker=person).exists():
                appearance.delete()
            else:
                appearance.speaker = person
                appearance.save(update_fields=["speaker"])
        role.delete()
    _rekey(Speaker, SpeakerName, _old_key)


class Migration(migrations.Migration):
    # After the appearances' own names and aliases: the split writes appearances.
    dependencies = [
        ("archive", "0005_speaker_kind_privacy_identifiers"),
        ("archive", "0006_appearance_names_aliases"),
    ]

    operations = [migrations.RunPython(forward, backward)]
