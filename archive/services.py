"""Writes to the archive. Every import path (command, admin form, API) ends here."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Q
from django.utils.text import slugify

from archive.history import history_paused
from archive.interchange import SLUG_MAX_LENGTH, UNNAMED_SPEAKER_SLUG, DocumentSpec, SpeakerSpec
from archive.models import (
    Appearance,
    Recording,
    Speaker,
    SpeakerKind,
    SpeakerName,
    SpeakerRedirect,
    Topic,
    Transcript,
    TranscriptStatus,
    Turn,
    name_key,
)
from archive.people import PSEUDONYM, is_role_label


@dataclass
class ImportOutcome:
    transcript: Transcript
    created: bool  # False: an existing transcript (same slug) was replaced
    turns: int
    speakers_created: int
    speakers_linked: int


def transcript_import(spec: DocumentSpec) -> ImportOutcome:
    """Create or replace (by slug) one transcript, atomically.

    Speakers link to people already in the archive by slug, then by name or alias;
    topics by slug, then by label. Turns are replaced wholesale: positions are the
    turns' identity, so a re-import never duplicates.
    """
    with transaction.atomic():
        transcript, created = Transcript.objects.select_for_update().get_or_create(
            slug=spec.slug, defaults={"title": spec.title, "language": spec.language}
        )
        transcript.title = spec.title
        transcript.date = spec.date
        transcript.language = spec.language
        transcript.event = spec.event
        transcript.place = spec.place
        transcript.source_url = spec.source_url
        transcript.license = spec.license
        transcript.description = spec.description
        transcript.status = spec.status
        transcript.translation_of_slug = spec.translation_of
        transcript.translation_of = (
            Transcript.objects.filter(slug=spec.translation_of).first() if spec.translation_of else None
        )
        transcript.save()
        # Translations imported before this original now find it.
        Transcript.objects.filter(translation_of_slug=transcript.slug, translation_of__isnull=True).update(
            translation_of=transcript
        )
        topic_cache: dict[str, Topic] = {}
        transcript.topics.set(topics_resolve(spec.topics, language=spec.language, cache=topic_cache))

        published = spec.status == TranscriptStatus.PUBLISHED
        roles_here = {
            a.name: a.speaker
            for a in transcript.appearances.select_related("speaker").filter(speaker__kind=SpeakerKind.ROLE)
        }
        speakers_by_name, speakers_created, speakers_linked = _resolve_speakers(
            spec.speakers, published=published, roles_here=roles_here
        )
        transcript.appearances.all().delete()
        appearances: list[Appearance] = []
        for position, speaker_spec in enumerate(spec.speakers, start=1):
            speaker = speakers_by_name[speaker_spec.name]
            first = next((a for a in appearances if a.speaker_id == speaker.pk), None)
            if first is not None:  # two names of the document are one person: keep the first
                _merge_names(first, names=speaker_spec.names, aliases=speaker_spec.aliases)
                continue
            appearances.append(
                Appearance(
                    transcript=transcript,
                    speaker=speaker,
                    name=speaker_spec.name,
                    role=speaker_spec.role,
                    names=dict(speaker_spec.names),
                    aliases=list(speaker_spec.aliases),
                    position=position,
                )
            )
        Appearance.objects.bulk_create(appearances)
        if published:
            speakers_learn(transcript)

        # Rows only: a stored file stays, the document (or the next import) may still name it.
        transcript.recordings.all().delete()
        Recording.objects.bulk_create(
            Recording(
                transcript=transcript,
                position=position,
                url=media.url,
                file=media.file_name,
                type=media.type,
                label=media.label,
            )
            for position, media in enumerate(spec.media, start=1)
        )

        with history_paused():  # the transcript's own history entry records the import
            transcript.turns.all().delete()
        turns = Turn.objects.bulk_create(
            Turn(
                transcript=transcript,
                position=position,
                speaker=speakers_by_name[turn.speaker],
                kind=turn.kind,
                text=turn.text,
                section=turn.section,
                language=turn.language,
                start=turn.start,
                end=turn.end,
                original_position=turn.original,
                answer_status=turn.answer_status,
            )
            for position, turn in enumerate(spec.turns, start=1)
        )
        replies = [
            (turns[turn.reply_to - 1].pk, turn_row.pk)
            for turn_row, turn in zip(turns, spec.turns, strict=True)
            if turn.reply_to is not None
        ]
        if replies:
            # One prepared UPDATE run for every row: bulk_update's CASE expressions cost a sixth
            # of an import's time. Bulk writes send no signals either way (the transcript's save
            # puts it in the search outbox).
            quote = connection.ops.quote_name
            table, column = quote(Turn._meta.db_table), quote(Turn._meta.get_field("reply_to").column)
            with connection.cursor() as cursor:
                cursor.executemany(f"UPDATE {table} SET {column} = %s WHERE {quote('id')} = %s", replies)

        turn_topics = []
        for turn_row, turn in zip(turns, spec.turns, strict=True):
            for topic in topics_resolve(turn.topics, language=spec.language, cache=topic_cache):
                turn_topics.append(Turn.topics.through(turn_id=turn_row.pk, topic_id=topic.pk))
        Turn.topics.through.objects.bulk_create(turn_topics)
        # A role label the new version no longer has belonged to this transcript alone.
        used = {s.pk for s in speakers_by_name.values()}
        Speaker.objects.filter(pk__in=[s.pk for s in roles_here.values() if s.pk not in used]).filter(
            turns__isnull=True
        ).delete()

    return ImportOutcome(
        transcript=transcript,
        created=created,
        turns=len(turns),
        speakers_created=speakers_created,
        speakers_linked=speakers_linked,
    )


def speaker_kind_of(spec: SpeakerSpec) -> str:
    """The kind the document says, else `role` for a role label ("Q", "PREGUNTA"), else `person`."""
    if spec.kind:
        return spec.kind
    return SpeakerKind.ROLE if spec.name and is_role_label(spec.name) else SpeakerKind.PERSON


def _resolve_speakers(
    specs: list[SpeakerSpec], *, published: bool, roles_here: dict[str, Speaker]
) -> tuple[dict[str, Speaker], int, int]:
    """The speaker of each document entry, made where missing. A role belongs to this transcript:
    it is found only among the transcript's own roles (by the name it had here), never by name
    elsewhere. A speaker a draft creates gets only its name and slug: its role, names and aliases
    wait on the draft's appearance (speakers_learn)."""
    by_name: dict[str, Speaker] = {}
    created = linked = 0
    known = _KnownSpeakers(specs)
    for spec in specs:
        kind = speaker_kind_of(spec)
        speaker = None
        if not spec.slug and spec.kind != SpeakerKind.PERSON:
            # This transcript's own role of that name: also one a curator made a role by hand.
            speaker = roles_here.get(spec.name)
            kind = speaker.kind if speaker is not None else kind
        if speaker is None and not (kind == SpeakerKind.ROLE and not spec.slug):
            speaker = known.find(spec)
        if speaker is None:
            unnamed = not spec.name and not spec.slug
            speaker = Speaker(
                slug=spec.slug or (UNNAMED_SPEAKER_SLUG if unnamed else unique_slug(Speaker, spec.name)),
                name=spec.name or "Unnamed speaker",
                role=spec.role if published else "",
                names=dict(spec.names) if published else {},
                aliases=list(spec.aliases) if published else [],
                kind=kind,
                identifiers=dict(spec.identifiers),
                pseudonym=spec.pseudonym,
            )
            speaker.save()
            if spec.private:
                speaker_make_private(speaker)
            created += 1
        else:
            changed = False
            for scheme, value in spec.identifiers.items():
                if speaker.identifiers.get(scheme) != value:
                    speaker.identifiers[scheme] = value
                    changed = True
            if spec.kind and speaker.kind != spec.kind:
                speaker.kind, changed = spec.kind, True
            if changed:
                speaker.save()
            # Privacy is only ever added by an import (a document without the key, or a later
            # version, never makes a private person public); curators lift it in the admin.
            if spec.private:
                speaker_make_private(speaker)
            linked += 1  # the names, aliases and role the entry adds are learnt with the appearances
        if speaker.kind == SpeakerKind.PERSON:
            # Later entries of this document may name the person by what this entry adds, even
            # before the speaker learns it (a draft's names stay on its appearance).
            known.learn(speaker, also=[*spec.names.values(), *spec.aliases])
        by_name[spec.name] = speaker
    return by_name, created, linked


def speaker_make_private(speaker: Speaker) -> Speaker:
    """Mark a saved speaker private: a stable pseudonym, and a slug made from it. The old slug
    (it may spell the name) still finds them on import, but is never answered publicly."""
    if speaker.private:
        return speaker
    with transaction.atomic():
        speaker.private = True
        if not speaker.pseudonym:
            # Never reused: a speaker made public again keeps theirs, should they go private again.
            number = Speaker.objects.exclude(pseudonym="").count() + 1
            while Speaker.objects.filter(pseudonym=PSEUDONYM.format(n=number)).exists():
                number += 1
            speaker.pseudonym = PSEUDONYM.format(n=number)
        old_slug = speaker.slug
        if old_slug != slugify(speaker.pseudonym, allow_unicode=True):
            speaker.slug = unique_slug(Speaker, speaker.pseudonym)
            SpeakerRedirect.objects.update_or_create(old_slug=old_slug, defaults={"speaker": speaker})
        speaker.save()
        for transcript in speaker.transcripts.all():
            transcript.save(update_fields=["modified"])  # the search index hears of it
    return speaker


def speaker_redirect(old_slug: str, *, curator: bool = False) -> Speaker | None:
    """The speaker an old slug (merged away) now means. Not for the public when the old slug was
    given up by a private speaker: it may spell their name, and the answer would tie the two."""
    redirect = SpeakerRedirect.objects.filter(old_slug=old_slug).select_related("speaker").first()
    if redirect is None or (redirect.speaker.private and not curator):
        return None
    return redirect.speaker


def speakers_set_kind(speakers: Iterable[Speaker], kind: str) -> int:
    """Turn speakers into roles (labels such as "Q") or back into people; returns how many changed.
    Each transcript they speak in is saved, so the search index's facets follow."""
    count = 0
    with transaction.atomic():
        for speaker in speakers:
            if speaker.kind != kind:
                speaker.kind = kind
                speaker.save(update_fields=["kind"])
                for transcript in speaker.transcripts.all():
                    transcript.save(update_fields=["modified"])
                count += 1
    return count


def speaker_find(spec: SpeakerSpec) -> Speaker | None:
    """The person a document's speaker entry means: by slug if it has one, else by any name."""
    return _KnownSpeakers([spec]).find(spec)


def _name_keys(spec: SpeakerSpec) -> list[str]:
    """The document's own name first, then its other names, then its aliases."""
    return [
        name_key(spec.name),
        *(name_key(n) for n in spec.names.values()),
        *(name_key(a) for a in spec.aliases),
    ]


class _KnownSpeakers:
    """The speakers a document's entries may mean, fetched with two queries for the whole list.

    One query per name of every entry was a third of an import's time. Speakers the document
    creates or renames are learnt as it goes, with the rule of the per-name queries: the lowest
    speaker id holding a name wins, so an older speaker keeps it over one made just now.
    """

    def __init__(self, specs: list[SpeakerSpec]) -> None:
        slugs = {spec.slug for spec in specs if spec.slug}
        if any(not spec.slug and not spec.name for spec in specs):
            slugs.add(UNNAMED_SPEAKER_SLUG)
        self.by_slug: dict[str, Speaker] = {s.slug: s for s in Speaker.objects.filter(slug__in=slugs)}
        # A slug merged away (or given up for a pseudonym) still means its person.
        for redirect in SpeakerRedirect.objects.filter(old_slug__in=slugs - set(self.by_slug)).select_related(
            "speaker"
        ):
            self.by_slug[redirect.old_slug] = redirect.speaker
        keys = {key for spec in specs if not spec.slug and spec.name for key in _name_keys(spec)}
        self.by_key: dict[str, Speaker] = {}
        rows = (
            SpeakerName.objects.filter(key__in=keys, speaker__kind=SpeakerKind.PERSON)
            .select_related("speaker")
            .order_by("speaker_id")
        )
        for row in rows:
            self.by_key.setdefault(row.key, row.speaker)

    def find(self, spec: SpeakerSpec) -> Speaker | None:
        if spec.slug:
            return self.by_slug.get(spec.slug)
        if not spec.name:
            return self.by_slug.get(UNNAMED_SPEAKER_SLUG)
        for key in _name_keys(spec):
            if key in self.by_key:
                return self.by_key[key]
        return None

    def learn(self, speaker: Speaker, also: Iterable[str] = ()) -> None:
        self.by_slug.setdefault(speaker.slug, speaker)
        for name in [*speaker.all_names(), *also]:
            known = self.by_key.setdefault(name_key(name), speaker)
            if known.pk > speaker.pk:  # an older speaker holds the name first
                self.by_key[name_key(name)] = speaker


def speakers_learn(transcript: Transcript) -> int:
    """A published transcript's speakers learn the names, aliases and (if they have none) the
    role it gives them; returns how many speakers changed. Called whenever a transcript becomes
    published (import, status change): until then a draft's names stay on its appearances."""
    changed = 0
    for appearance in transcript.appearances.select_related("speaker"):
        speaker = appearance.speaker
        learnt = _merge_names(speaker, names=appearance.names, aliases=appearance.aliases)
        if not speaker.role and appearance.role:
            speaker.role = appearance.role
            learnt = True
        if learnt:
            speaker.save()
            changed += 1
    return changed


def _merge_names(speaker: Speaker | Appearance, *, names: dict[str, str], aliases: Iterable[str]) -> bool:
    """Learn a speaker's other names without losing or reordering the known ones."""
    changed = False
    for tag, text in names.items():
        if tag not in speaker.names:
            speaker.names[tag] = text
            changed = True
    for alias in aliases:
        if alias not in speaker.aliases:
            speaker.aliases.append(alias)
            changed = True
    return changed


def speakers_merge(*, target: Speaker, others: Iterable[Speaker]) -> int:
    """Fold `others` into `target`: their turns and appearances move, their names become aliases.

    Every name an other went by (display name, names in other languages, aliases, and
    the names transcripts gave them) stays findable as a name or alias of `target`.
    Turns move with one UPDATE per speaker, which sends no signals: each transcript
    that had a turn or appearance moved is saved afterwards, so whatever follows
    transcript saves (the search index) learns of the change. Returns the turns moved.
    """
    moved = 0
    with transaction.atomic():
        target.refresh_from_db()
        became_private = False
        seen: set[int] = {target.pk}
        touched: set[int] = set()
        for stale in others:
            if stale.pk in seen:
                continue
            seen.add(stale.pk)
            other = Speaker.objects.get(pk=stale.pk)
            turns = Turn.objects.filter(speaker=other).order_by()
            touched.update(turns.values_list("transcript_id", flat=True).distinct())
            moved += Turn.objects.filter(speaker=other).update(speaker=target)
            names_in_transcripts: list[str] = []
            for appearance in Appearance.objects.filter(speaker=other).order_by("pk"):
                touched.add(appearance.transcript_id)
                names_in_transcripts.append(appearance.name)
                if Appearance.objects.filter(transcript=appearance.transcript_id, speaker=target).exists():
                    appearance.delete()
                else:
                    appearance.speaker = target
                    appearance.save(update_fields=["speaker"])
            _merge_other_names(target, other, names_in_transcripts)
            if not target.role and other.role:
                target.role = other.role
            for scheme, value in other.identifiers.items():
                target.identifiers.setdefault(scheme, value)
            became_private = became_private or (other.private and not target.private)
            # The old address keeps working: 301 to the kept speaker, on pages and in the API.
            SpeakerRedirect.objects.filter(speaker=other).update(speaker=target)
            other.delete()
            SpeakerRedirect.objects.update_or_create(old_slug=other.slug, defaults={"speaker": target})
        target.save()
        if became_private:  # one of them was a member of the public: so is the merged person
            speaker_make_private(target)
        for transcript in Transcript.objects.filter(pk__in=touched):
            transcript.save(update_fields=["modified"])
    return moved


def _merge_other_names(target: Speaker, other: Speaker, more: Iterable[str]) -> None:
    """Give `target` the names of `other` it lacks: by language where free, else as aliases."""
    known = set(target.all_names())
    for tag, text in other.names.items():
        if tag not in target.names:
            target.names[tag] = text
            known.add(text)
    for text in [other.name, *other.names.values(), *other.aliases, *more]:
        if text and text not in known:
            target.aliases.append(text)
            known.add(text)


def topics_resolve(
    values: Iterable[str], *, language: str, cache: dict[str, Topic] | None = None
) -> list[Topic]:
    """Topics named by slug or label; unknown ones are created with that label.

    `cache` (value -> topic) spares repeated look-ups within one import.
    """
    cache = {} if cache is None else cache
    topics: list[Topic] = []
    for value in values:
        if value in cache:
            if cache[value] not in topics:
                topics.append(cache[value])
            continue
        topic = Topic.objects.filter(slug=value).first()
        if topic is None:
            slug = slugify(value, allow_unicode=True)[:SLUG_MAX_LENGTH] or "topic"
            topic = Topic.objects.filter(slug=slug).first()
        if topic is None:
            topic = next((t for t in Topic.objects.all() if value in t.labels.values()), None)
        if topic is None:
            labels = {} if value == slug else {language: value}
            topic = Topic.objects.create(slug=slug, labels=labels)
        cache[value] = topic
        if topic not in topics:
            topics.append(topic)
    return topics


def unique_slug(model: type[Speaker] | type[Topic] | type[Transcript], text: str) -> str:
    """slugify(text), with -2, -3 ... appended until no row of `model` has it.

    The slugs taken are read in one query: asking for each in turn cost a query per speaker of
    the same name already there (a million turns hold thousands of speakers named `Q`).
    """
    base = slugify(text, allow_unicode=True)[: SLUG_MAX_LENGTH - 6] or model.__name__.lower()
    taken = set(
        model.objects.filter(Q(slug=base) | Q(slug__startswith=f"{base}-")).values_list("slug", flat=True)
    )
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


def transcripts_set_status(transcripts: Iterable[Transcript], status: TranscriptStatus) -> int:
    """Publish, unpublish or send to review; saves each so signals (search) follow."""
    count = 0
    for transcript in transcripts:
        if transcript.status != status:
            transcript.status = status
            transcript.save(update_fields=["status", "modified"])
            if status == TranscriptStatus.PUBLISHED:
                speakers_learn(transcript)
            count += 1
    return count


def transcripts_add_topic(transcripts: Iterable[Transcript], topic: Topic) -> int:
    """Tag transcripts with `topic`; returns how many did not have it.

    Goes through the relation manager (m2m_changed) and saves each changed transcript
    (post_save), so the search index hears of every change.
    """
    count = 0
    with transaction.atomic():
        for transcript in transcripts:
            if not transcript.topics.filter(pk=topic.pk).exists():
                transcript.topics.add(topic)
                transcript.save(update_fields=["modified"])
                count += 1
    return count


def transcripts_remove_topic(transcripts: Iterable[Transcript], topic: Topic) -> int:
    """Untag transcripts; returns how many had `topic`. Signals as in `transcripts_add_topic`."""
    count = 0
    with transaction.atomic():
        for transcript in transcripts:
            if transcript.topics.filter(pk=topic.pk).exists():
                transcript.topics.remove(topic)
                transcript.save(update_fields=["modified"])
                count += 1
    return count


def turns_renumber(transcript: Transcript) -> int:
    """Close gaps in a transcript's turn positions (1..n in their order) after curators'
    edits, and keep its translations aligned: their `original_position`s follow.

    Returns how many turns moved. Positions are the turns' public identity (permalinks,
    the format's `reply_to` and `original`), so they must stay 1..n.
    """
    # Not transcript.turns: the related manager would fetch each deferred transcript_id.
    turns = list(Turn.objects.filter(transcript_id=transcript.pk).order_by("position").only("pk", "position"))
    mapping = {turn.position: index for index, turn in enumerate(turns, start=1) if turn.position != index}
    if not mapping:
        return 0
    with transaction.atomic():
        moving = [turn for turn in turns if turn.position in mapping]
        # Two steps, so that no intermediate state breaks the unique (transcript, position).
        offset = max(turn.position for turn in turns) + 1
        for turn in moving:
            turn.position += offset
        Turn.objects.bulk_update(moving, ["position"], batch_size=500)
        for turn in moving:
            turn.position = mapping[turn.position - offset]
        Turn.objects.bulk_update(moving, ["position"], batch_size=500)
        aligned = Turn.objects.filter(
            transcript__translation_of_slug=transcript.slug, original_position__in=list(mapping)
        )
        for turn in aligned:
            turn.original_position = mapping[turn.original_position]  # type: ignore[index]
            turn.save(update_fields=["original_position"])
        transcript.save(update_fields=["modified"])  # the search index hears of it
    return len(moving)
