"""What the index holds: one document per turn of a published transcript.

Built from the database in batches (a rebuild reads 100k turns), never from a draft. A
document carries everything a reader may search by: the turn's text (analyzed by its own
language), the speaker's names in every script, topic labels in every language, the
transcript's title, and the text of the aligned turns of its translations or original, so
English words find a Chinese turn whose English translation says them.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields
from datetime import date

from django.db.models import Prefetch, Q
from django.utils.translation import gettext_lazy

from archive.models import Appearance, Topic, Transcript, TranscriptStatus, Turn

# The speaker facet's value for every role speaker ("unnamed questioners and moderators"); a slug
# never starts with "_" (slugify strips it), so no person can have it.
ROLE_FACET = "_roles"
ROLE_FACET_LABEL = gettext_lazy("Unnamed (questioners, moderators …)")


@dataclass
class IndexDocument:
    turn_id: int
    transcript_id: int
    slug: str
    position: int
    language: str  # the turn's BCP-47 tag (its own, else the transcript's)
    kind: str
    speaker: str  # slug
    speaker_names: list[str]
    topics: list[str]  # slugs, the turn's and the transcript's
    topic_labels: list[tuple[str, str]]  # (language tag, label); slugs too, tagged ""
    title: str
    title_language: str
    date: date | None
    text: str
    translations: list[tuple[str, str]] = field(default_factory=list)  # (language tag, text)
    answer_status: str = ""  # on questions: archive.models.AnswerStatus, "" when not assessed

    @property
    def fingerprint(self) -> str:
        """Changes whenever anything indexed changes: how check_index spots stale documents."""
        # A shallow dict: asdict() deep-copies every list, and JSON writes tuples as lists anyway.
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["date"] = self.date.isoformat() if self.date else None
        raw = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.blake2b(raw.encode("utf-8"), digest_size=12).hexdigest()


def transcript_documents(transcript_ids: Iterable[int]) -> dict[int, list[IndexDocument]]:
    """The documents of each transcript id; an empty list for one missing or not published."""
    ids = list(dict.fromkeys(transcript_ids))
    found: dict[int, list[IndexDocument]] = {tid: [] for tid in ids}
    transcripts = Transcript.objects.published().filter(pk__in=ids)
    for doc in _documents(transcripts):
        found[doc.transcript_id].append(doc)
    return found


def iter_all_documents(batch_size: int = 50) -> Iterator[IndexDocument]:
    """Every published turn's document, a batch of transcripts at a time."""
    ids = list(Transcript.objects.published().order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch_size):
        yield from _documents(Transcript.objects.filter(pk__in=ids[start : start + batch_size]))


def count_published_turns() -> int:
    return Turn.objects.filter(transcript__status=TranscriptStatus.PUBLISHED).count()


def _documents(transcripts: Iterable[Transcript]) -> Iterator[IndexDocument]:
    transcripts = list(
        Transcript.objects.filter(pk__in=[t.pk for t in transcripts])
        .prefetch_related(
            "topics",
            Prefetch("appearances", queryset=Appearance.objects.all()),
        )
        .order_by("pk")
    )
    if not transcripts:
        return
    aligned = _aligned_texts(transcripts)
    turn_topics = _turn_topics([t.pk for t in transcripts])
    for transcript in transcripts:
        transcript_topics = list(transcript.topics.all())
        names_here = defaultdict(list)
        for appearance in transcript.appearances.all():
            names_here[appearance.speaker_id].append(appearance.name)
        turns = Turn.objects.filter(transcript=transcript).select_related("speaker").order_by("position")
        for turn in turns:
            topics = _unique_topics([*turn_topics.get(turn.pk, []), *transcript_topics])
            speaker = turn.speaker
            if speaker.private:
                # The index is public: a member of the public is in it by pseudonym only.
                names = [speaker.public_name]
            else:
                names = list(dict.fromkeys([*speaker.all_names(), *names_here.get(speaker.pk, [])]))
            yield IndexDocument(
                turn_id=turn.pk,
                transcript_id=transcript.pk,
                slug=transcript.slug,
                position=turn.position,
                language=turn.language or transcript.language,
                kind=turn.kind,
                # Roles ("Q", "PREGUNTA") are no person: one facet value for all of them.
                speaker=ROLE_FACET if speaker.is_role else speaker.slug,
                speaker_names=names,
                topics=[t.slug for t in topics],
                topic_labels=_topic_labels(topics),
                title=transcript.title,
                title_language=transcript.language,
                date=transcript.date,
                text=turn.text,
                translations=aligned.get((transcript.pk, turn.position), []),
                answer_status=turn.answer_status,
            )


def _unique_topics(topics: list[Topic]) -> list[Topic]:
    return list({t.pk: t for t in topics}.values())


def _topic_labels(topics: list[Topic]) -> list[tuple[str, str]]:
    labels: list[tuple[str, str]] = []
    for topic in topics:
        labels.append(("", topic.slug.replace("-", " ")))
        labels.extend((str(tag), str(text)) for tag, text in sorted(topic.labels.items()))
    return labels


def _turn_topics(transcript_ids: list[int]) -> dict[int, list[Topic]]:
    through = Turn.topics.through
    rows = through.objects.filter(turn__transcript_id__in=transcript_ids).select_related("topic")
    found: dict[int, list[Topic]] = defaultdict(list)
    for row in rows:
        found[row.turn_id].append(row.topic)
    return found


def _aligned_texts(transcripts: list[Transcript]) -> dict[tuple[int, int], list[tuple[str, str]]]:
    """(transcript id, position) -> [(language, text)] of the aligned turns in other transcripts.

    An original's turn is aligned with each translation's turn whose `original_position` names
    it; a translation's turn with its original's turn and with the other translations' turns.
    """
    # Every "family" (an original and its translations) is keyed by the original's slug.
    family_of = {t.pk: (t.translation_of_slug or t.slug) for t in transcripts}
    slug_of = {t.pk: t.slug for t in transcripts}
    families = set(family_of.values())
    rows = (
        Turn.objects.filter(transcript__status=TranscriptStatus.PUBLISHED)
        .filter(
            Q(transcript__slug__in=families)
            | Q(transcript__translation_of_slug__in=families, original_position__isnull=False)
        )
        .values_list(
            "transcript_id",
            "transcript__slug",
            "transcript__translation_of_slug",
            "transcript__language",
            "language",
            "position",
            "original_position",
            "text",
        )
    )
    # family -> original position -> [(transcript id, language, text)]
    by_family: dict[str, dict[int, list[tuple[int, str, str]]]] = defaultdict(lambda: defaultdict(list))
    for tid, slug, of_slug, t_lang, lang, position, original_position, text in rows.iterator():
        if of_slug:
            if original_position is not None:
                by_family[of_slug][original_position].append((tid, lang or t_lang, text))
        else:
            by_family[slug][position].append((tid, lang or t_lang, text))
    found: dict[tuple[int, int], list[tuple[str, str]]] = {}
    wanted_positions = Turn.objects.filter(transcript__in=transcripts).values_list(
        "transcript_id", "position", "original_position"
    )
    for tid, position, original_position in wanted_positions:
        family = family_of[tid]
        is_translation = family != slug_of[tid]
        key = original_position if is_translation else position
        if key is None:
            continue
        texts = [(lang, text) for other, lang, text in by_family[family].get(key, []) if other != tid]
        if texts:
            found[(tid, position)] = texts
    return found
