"""Likely duplicate people, with the evidence, for curators to merge or dismiss.

Imports already link spellings that differ only in case, accents, honorifics and titles
(archive.people.match_key). What is left are looser matches, which are never merged without a
curator: a surname alone against a full name, a name with or without its middle name, a
transcription variant. Two kinds of suggestion come out of `find_duplicates`:

- two speakers whose names are alike (`other` is a speaker);
- a speaker known by a title and surname only ("MS. PSAKI") whose transcripts' titles give a
  fuller name ("Press Briefing by Press Secretary Jen Psaki"): `other` is that name, and the
  speaker of that name when the archive has one.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from archive.models import Appearance, Speaker, SpeakerKind
from archive.people import HONORIFICS, match_key, name_similarity

# Below this, names are too unlike to suggest (0.8 is "every word of one is in the other").
MIN_SIMILARITY = 0.75
# A capitalised word (any Latin script) right before the surname, in a title: "Jen Psaki".
_FULL_NAME = r"\b([A-ZÁÉÍÓÚÑ][\w'’-]+(?:\s+[A-ZÁÉÍÓÚÑ]\.)?)\s+({surname})\b"


@dataclass
class Suggestion:
    speaker: dict[str, Any]  # {"slug", "name"}
    other: dict[str, Any]  # {"slug" (None for a name found in titles), "name"}
    similarity: float
    same_name: bool  # one name once case, accents and titles are set aside: certainly one person
    shared_transcripts: int
    same_role: str  # the standing or session role both had, "" when none
    evidence: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def find_duplicates(*, min_similarity: float = MIN_SIMILARITY) -> list[Suggestion]:
    """Every likely pair among people (roles are never people), most alike first."""
    people = list(Speaker.objects.filter(kind=SpeakerKind.PERSON).order_by("pk"))
    by_id = {s.pk: s for s in people}
    names: dict[int, set[str]] = defaultdict(set)
    roles: dict[int, set[str]] = defaultdict(set)
    transcripts: dict[int, set[int]] = defaultdict(set)
    for speaker in people:
        names[speaker.pk].update(n for n in speaker.all_names() if n)
        if speaker.role:
            roles[speaker.pk].add(speaker.role.casefold())
    for speaker_id, name, role, transcript_id in Appearance.objects.filter(
        speaker__kind=SpeakerKind.PERSON
    ).values_list("speaker_id", "name", "role", "transcript_id"):
        if name:
            names[speaker_id].add(name)
        if role:
            roles[speaker_id].add(role.casefold())
        transcripts[speaker_id].add(transcript_id)

    # Candidates share a word of their names (loosely keyed): no need to compare every pair.
    by_word: dict[str, set[int]] = defaultdict(set)
    for speaker_id, known in names.items():
        for name in known:
            for word in match_key(name, loose=True).split():
                if len(word) >= 3 or not word.isascii():
                    by_word[word].add(speaker_id)
    pairs: set[tuple[int, int]] = set()
    for ids in by_word.values():
        if len(ids) > 200:  # a word that common ("de", "lopez") says nothing on its own
            continue
        ordered = sorted(ids)
        pairs.update((a, b) for i, a in enumerate(ordered) for b in ordered[i + 1 :])

    found: list[Suggestion] = []
    for a, b in sorted(pairs):
        best, name_a, name_b = max(
            ((name_similarity(x, y), x, y) for x in names[a] for y in names[b]), key=lambda t: t[0]
        )
        if best < min_similarity:
            continue
        found.append(_suggestion(by_id[a], by_id[b], best, name_a, name_b, roles, transcripts))
    found.extend(_fuller_names_in_titles(people, names, min_similarity))
    found.sort(key=lambda s: (-s.similarity, s.speaker["name"], s.other["name"]))
    return found


def _suggestion(
    a: Speaker,
    b: Speaker,
    similarity: float,
    name_a: str,
    name_b: str,
    roles: dict[int, set[str]],
    transcripts: dict[int, set[int]],
) -> Suggestion:
    same_name = match_key(name_a) == match_key(name_b)
    shared = len(transcripts[a.pk] & transcripts[b.pk])
    role = sorted(roles[a.pk] & roles[b.pk])
    evidence = [
        f"names {name_a!r} and {name_b!r}: "
        + (
            "the same once case, accents and titles are set aside"
            if same_name
            else f"similarity {similarity}"
        )
    ]
    if shared:
        evidence.append(f"both speak in {shared} transcript(s)")
    if role:
        evidence.append(f"same role: {role[0]}")
    return Suggestion(
        speaker=_brief(a),
        other=_brief(b),
        similarity=round(similarity, 3),
        same_name=same_name,
        shared_transcripts=shared,
        same_role=role[0] if role else "",
        evidence=evidence,
    )


def _fuller_names_in_titles(
    people: list[Speaker], names: dict[int, set[str]], min_similarity: float
) -> list[Suggestion]:
    """A person known by a surname only, and the full name their transcripts' titles give."""
    by_key = {match_key(n): s for s in people for n in names[s.pk]}
    titles: dict[int, list[str]] = defaultdict(list)
    for speaker_id, title in Appearance.objects.filter(speaker__kind=SpeakerKind.PERSON).values_list(
        "speaker_id", "transcript__title"
    ):
        titles[speaker_id].append(title)
    found: list[Suggestion] = []
    for speaker in people:
        key = match_key(speaker.name)
        if " " in key or len(key) < 3 or not key.isascii():
            continue  # a full name already, or a script without capitals to find a name by
        pattern = re.compile(_FULL_NAME.format(surname=re.escape(key)), re.IGNORECASE)
        counts: dict[str, int] = defaultdict(int)
        for title in titles[speaker.pk]:
            for match in pattern.finditer(title):
                first = match.group(1)
                if first[0].isupper() and first.casefold().rstrip(".") not in HONORIFICS:
                    counts[f"{first} {match.group(2)}"] += 1
        if not counts:
            continue
        full, seen = max(counts.items(), key=lambda item: item[1])
        similarity = name_similarity(speaker.name, full)
        if similarity < min_similarity:
            continue
        match_speaker = by_key.get(match_key(full))
        if match_speaker is not None and match_speaker.pk == speaker.pk:
            continue  # already known by that name
        other = _brief(match_speaker) if match_speaker else {"slug": None, "name": full}
        found.append(
            Suggestion(
                speaker=_brief(speaker),
                other=other,
                similarity=round(similarity, 3),
                same_name=False,
                shared_transcripts=0,
                same_role="",
                evidence=[f"{full!r} is named in the title of {seen} of their transcripts"],
            )
        )
    return found


def _brief(speaker: Speaker) -> dict[str, Any]:
    return {"slug": speaker.slug, "name": speaker.name}
