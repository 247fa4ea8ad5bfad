"""Reads from the archive that more than one caller needs (exports, API, pages)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce

from archive.models import (
    Appearance,
    Speaker,
    SpeakerName,
    Topic,
    Transcript,
    TranscriptStatus,
    Turn,
    TurnKind,
    name_key,
)

# Turns held in memory at once by a streamed export (unless one transcript alone has more).
EXPORT_TURNS_PER_BATCH = 1000


def _export_lookups() -> list[str | Prefetch[Any]]:
    """What an exporter reads, in a fixed number of queries per batch of transcripts.

    A turn's speaker is joined, not prefetched: Django prefetches a foreign key with a tuple
    lookup that SQLite gets as one OR per speaker, and past about a thousand speakers in a
    batch (every transcript has its own role speakers) SQLite refuses the expression. A turn's
    topics go to a plain list (`topic_list`): the prefetch then builds no manager and queryset
    per turn (which cost more than writing the JSON).
    """
    return [
        "topics",
        "recordings",
        Prefetch("appearances", queryset=Appearance.objects.select_related("speaker").order_by("position")),
        Prefetch("turns", queryset=Turn.objects.select_related("speaker").order_by("position")),
        Prefetch("turns__topics", queryset=Topic.objects.only("slug"), to_attr="topic_list"),
    ]


def transcripts_for_export(
    *, slugs: Iterable[str] = (), include_drafts: bool = False
) -> QuerySet[Transcript]:
    """Transcripts in a stable order (by slug), with everything an exporter reads prefetched.

    To stream many, pass this to `iterate_for_export` rather than iterating it.
    """
    queryset = Transcript.objects.all()
    if not include_drafts:
        queryset = queryset.filter(status=TranscriptStatus.PUBLISHED)
    slugs = list(slugs)
    if slugs:
        queryset = queryset.filter(slug__in=slugs)
    return queryset.order_by("slug").prefetch_related(*_export_lookups())


def iterate_for_export(
    queryset: QuerySet[Transcript], turns_per_batch: int = EXPORT_TURNS_PER_BATCH
) -> Iterator[Transcript]:
    """Stream `transcripts_for_export(...)` with memory bounded by a batch of turns, not the archive.

    Transcripts are read a row at a time with their turn counts, gathered into batches of at
    most `turns_per_batch` turns (a longer transcript is a batch of its own), and each batch
    gets its turns, speakers and topics in a fixed number of queries. A transcript's turns are
    let go as soon as the next transcript is asked for: hold on to what you need of it.
    """
    rows = queryset.prefetch_related(None).annotate(
        export_turn_count=count_of(Turn.objects.all(), "transcript")
    )
    batch: list[Transcript] = []
    held = 0
    for transcript in rows.iterator(chunk_size=100):
        if batch and held + transcript.export_turn_count > turns_per_batch:
            yield from _prefetched(batch)
            batch, held = [], 0
        batch.append(transcript)
        held += transcript.export_turn_count
    yield from _prefetched(batch)


def _prefetched(batch: list[Transcript]) -> Iterator[Transcript]:
    prefetch_related_objects(batch, *_export_lookups())
    for transcript in batch:
        yield transcript
        # Turns point back at their transcript: drop the cycle so the turns are freed now,
        # not at the garbage collector's next full pass.
        transcript._prefetched_objects_cache.clear()  # type: ignore[attr-defined]
    batch.clear()


# --- The public site -------------------------------------------------------------------------------
# Only published transcripts exist for readers: every selector below filters on status, so
# a draft (and a speaker or topic known only from drafts) never reaches a public page.


def count_of(rows: QuerySet[Any], field: str) -> Coalesce:
    """A correlated COUNT of `rows` whose `field` is the outer row, 0 when there are none.

    A subquery rather than Count() over a join: two counts over joins would multiply each
    other. The one way to annotate counts (site, admin, API).
    """
    counted = rows.filter(**{field: OuterRef("pk")}).order_by().values(field).annotate(n=Count("pk"))
    return Coalesce(Subquery(counted.values("n")[:1], output_field=IntegerField()), Value(0))


def _published_turns() -> QuerySet[Turn]:
    return Turn.objects.filter(transcript__status=TranscriptStatus.PUBLISHED)


def archive_overview() -> dict[str, Any]:
    """What the archive holds: totals and, per language, transcripts and turns."""
    transcripts = Transcript.objects.published()
    by_language: dict[str, dict[str, Any]] = {}
    for row in transcripts.values("language").annotate(n=Count("pk")).order_by("-n", "language"):
        by_language[row["language"]] = {"language": row["language"], "transcripts": row["n"], "turns": 0}
    for row in _published_turns().values("transcript__language").annotate(n=Count("pk")):
        by_language[row["transcript__language"]]["turns"] = row["n"]
    languages = list(by_language.values())
    return {
        "transcripts": sum(entry["transcripts"] for entry in languages),
        "turns": sum(entry["turns"] for entry in languages),
        "speakers": speakers_published().count(),
        "topics": topics_published().count(),
        "languages": languages,
    }


def transcripts_recent(*, limit: int = 8) -> list[Transcript]:
    return list(Transcript.objects.published().order_by("-created", "slug")[:limit])


def transcripts_browse(
    *,
    language: str = "",
    year: int | None = None,
    topic: str = "",
    speaker: str = "",
    q: str = "",
    sort: str = "-date",
) -> QuerySet[Transcript]:
    """Published transcripts for the list page, filtered; each with `turn_count`."""
    queryset = Transcript.objects.published()
    if language:
        queryset = queryset.filter(language__iexact=language)
    if year:
        queryset = queryset.filter(date__year=year)
    if topic:
        queryset = queryset.filter(topics__slug=topic)
    if speaker:
        queryset = queryset.filter(
            Exists(Appearance.objects.filter(transcript=OuterRef("pk"), speaker__slug=speaker))
        )
    if q:
        queryset = queryset.filter(Q(title__icontains=q) | Q(event__icontains=q) | Q(place__icontains=q))
    order = {"-date": ["-date", "slug"], "date": ["date", "slug"], "title": ["title", "slug"]}
    return (
        queryset.annotate(turn_count=count_of(Turn.objects.all(), "transcript"))
        .prefetch_related("topics")
        .order_by(*order.get(sort, order["-date"]))
    )


def transcript_facets() -> dict[str, list[tuple[Any, int]]]:
    """Values to filter the transcript list by, with how many published transcripts have each."""
    transcripts = Transcript.objects.published()
    languages = [
        (row["language"], row["n"])
        for row in transcripts.values("language").annotate(n=Count("pk")).order_by("-n", "language")
    ]
    years: dict[int, int] = {}
    for day in transcripts.exclude(date=None).values_list("date", flat=True):
        if day is not None:
            years[day.year] = years.get(day.year, 0) + 1
    return {"language": languages, "year": sorted(years.items(), reverse=True)}


def transcript_published(slug: str) -> Transcript:
    """One published transcript with its topics and speakers; Transcript.DoesNotExist otherwise."""
    return (
        Transcript.objects.published()
        .prefetch_related(
            "topics",
            Prefetch(
                "appearances", queryset=Appearance.objects.select_related("speaker").order_by("position")
            ),
        )
        .get(slug=slug)
    )


def transcript_turns(transcript: Transcript) -> list[Turn]:
    """All turns in order; speakers (few, shared) and topics are fetched apart, see below."""
    return list(
        Turn.objects.filter(transcript=transcript)
        .only(
            "pk",
            "transcript_id",
            "position",
            "speaker_id",
            "kind",
            "section",
            "text",
            "language",
            "reply_to_id",
            "original_position",
            "start",  # the page offers SRT only when some turn has times
            "end",
            "answer_status",
        )
        .order_by("position")
    )


def transcript_turn_topics(transcript: Transcript) -> dict[int, list[tuple[str, dict[str, str]]]]:
    """Turn id -> its topics as (slug, labels), in one query of plain rows (no model per link)."""
    topics: dict[int, list[tuple[str, dict[str, str]]]] = {}
    rows = (
        Turn.topics.through.objects.filter(turn__transcript=transcript)
        .order_by("turn_id", "topic__slug")
        .values_list("turn_id", "topic__slug", "topic__labels")
    )
    for turn_id, slug, labels in rows:
        topics.setdefault(turn_id, []).append((slug, labels or {}))
    return topics


def speakers_by_id(ids: Iterable[int], known: Iterable[Speaker] = ()) -> dict[int, Speaker]:
    """Speakers by primary key: the `known` ones, plus one query for the rest."""
    found = {speaker.pk: speaker for speaker in known}
    missing = set(ids) - set(found)
    if missing:
        found.update({speaker.pk: speaker for speaker in Speaker.objects.filter(pk__in=missing)})
    return found


def transcript_versions(transcript: Transcript) -> list[Transcript]:
    """The published original and translations of the same text, the original first."""
    root = transcript.translation_of_slug or transcript.slug
    versions = list(
        Transcript.objects.published().filter(Q(slug=root) | Q(translation_of_slug=root)).order_by("language")
    )
    versions.sort(key=lambda version: version.slug != root)
    return versions


def version_alignments(versions: Iterable[Transcript]) -> dict[int, dict[int, int]]:
    """For each version: original position -> its first turn aligned with it.

    The original aligns with itself; a translation through its turns' `original_position`.
    """
    versions = list(versions)
    alignments: dict[int, dict[int, int]] = {version.pk: {} for version in versions}
    rows = (
        Turn.objects.filter(transcript__in=versions)
        .order_by("transcript_id", "position")
        .values_list("transcript_id", "position", "original_position")
    )
    translations = {version.pk for version in versions if version.translation_of_slug}
    for transcript_id, position, original_position in rows:
        key = original_position if transcript_id in translations else position
        if key is not None:
            alignments[transcript_id].setdefault(key, position)
    return alignments


def speakers_published() -> QuerySet[Speaker]:
    """People heard in at least one published transcript (a role such as "Q" is not a person:
    it belongs to its transcript, and has no page, list entry or sitemap entry)."""
    return Speaker.objects.people().filter(
        Exists(_published_turns().filter(speaker=OuterRef("pk")))
        | Exists(
            Appearance.objects.filter(speaker=OuterRef("pk"), transcript__status=TranscriptStatus.PUBLISHED)
        )
    )


def speakers_browse(*, q: str = "", sort: str = "name") -> QuerySet[Speaker]:
    """Published speakers, each with `turn_count`, `answer_count` and `transcript_count`."""
    queryset = speakers_published()
    if q:
        # A private speaker is found by their pseudonym only, never by their name.
        queryset = queryset.filter(
            Q(private=False, pk__in=SpeakerName.objects.filter(key__contains=name_key(q)).values("speaker"))
            | Q(private=True, pseudonym__icontains=q)
        )
    turns = _published_turns()
    appearances = Appearance.objects.filter(transcript__status=TranscriptStatus.PUBLISHED)
    queryset = queryset.annotate(
        turn_count=count_of(turns, "speaker"),
        answer_count=count_of(turns.filter(kind=TurnKind.ANSWER), "speaker"),
        transcript_count=count_of(appearances, "speaker"),
    )
    if sort == "turns":
        return queryset.order_by("-turn_count", "name", "pk")
    return queryset.order_by("name", "pk")


def speaker_published(slug: str) -> Speaker:
    """A speaker heard in a published transcript; Speaker.DoesNotExist otherwise."""
    return speakers_published().get(slug=slug)


def speaker_transcripts(speaker: Speaker) -> QuerySet[Transcript]:
    return (
        Transcript.objects.published()
        .filter(
            Exists(Appearance.objects.filter(transcript=OuterRef("pk"), speaker=speaker))
            | Exists(Turn.objects.filter(transcript=OuterRef("pk"), speaker=speaker))
        )
        .order_by("-date", "slug")
    )


def _without_translated_copies(turns: QuerySet[Turn]) -> QuerySet[Turn]:
    """Leave out turns of translations whose original is published: the same words, said once."""
    return turns.exclude(transcript__translation_of__status=TranscriptStatus.PUBLISHED)


def speaker_turns(
    speaker: Speaker, *, kind: str = TurnKind.ANSWER, originals_only: bool = True
) -> QuerySet[Turn]:
    """The speaker's published turns of one kind, newest first, with their transcript."""
    turns = _published_turns()
    return (
        (_without_translated_copies(turns) if originals_only else turns)
        .filter(speaker=speaker, kind=kind)
        .select_related("transcript")
        .order_by("-transcript__date", "transcript__slug", "position")
    )


def speaker_topics(speaker: Speaker, *, limit: int = 30) -> list[Topic]:
    """Topics of the published transcripts the speaker is in, most frequent first (`transcript_count`)."""
    transcripts = speaker_transcripts(speaker).values("pk")
    return list(
        Topic.objects.filter(transcripts__in=transcripts)
        .annotate(transcript_count=Count("transcripts", distinct=True))
        .order_by("-transcript_count", "slug")[:limit]
    )


def topics_published() -> QuerySet[Topic]:
    """Topics of at least one published transcript or turn."""
    return Topic.objects.filter(
        Exists(
            Transcript.topics.through.objects.filter(
                topic=OuterRef("pk"), transcript__status=TranscriptStatus.PUBLISHED
            )
        )
        | Exists(
            Turn.topics.through.objects.filter(
                topic=OuterRef("pk"), turn__transcript__status=TranscriptStatus.PUBLISHED
            )
        )
    )


def topics_browse(*, sort: str = "transcripts") -> QuerySet[Topic]:
    """Published topics, each with `transcript_count` and `turn_count`."""
    transcripts = Transcript.topics.through.objects.filter(transcript__status=TranscriptStatus.PUBLISHED)
    turns = Turn.topics.through.objects.filter(turn__transcript__status=TranscriptStatus.PUBLISHED)
    queryset = topics_published().annotate(
        transcript_count=count_of(transcripts, "topic"), turn_count=count_of(turns, "topic")
    )
    if sort == "slug":
        return queryset.order_by("slug")
    return queryset.order_by("-transcript_count", "-turn_count", "slug")


def topic_published(slug: str) -> Topic:
    """A topic of published material; Topic.DoesNotExist otherwise."""
    return topics_published().select_related("parent").get(slug=slug)


def topic_transcripts(topic: Topic) -> QuerySet[Transcript]:
    return Transcript.objects.published().filter(topics=topic).order_by("-date", "slug")


def topic_turns(topic: Topic) -> QuerySet[Turn]:
    return (
        _without_translated_copies(_published_turns())
        .filter(topics=topic)
        .select_related("transcript", "speaker")
        .order_by("-transcript__date", "transcript__slug", "position")
    )


def topic_children(topic: Topic) -> list[Topic]:
    return list(topics_published().filter(parent=topic).order_by("slug"))


def speaker_kind_counts(speaker: Speaker, *, originals_only: bool = True) -> dict[str, int]:
    """How many published turns of each kind the speaker has (every kind present, 0 when none)."""
    counts = dict.fromkeys(TurnKind.values, 0)
    turns = _published_turns().filter(speaker=speaker)
    turns = _without_translated_copies(turns) if originals_only else turns
    for row in turns.values("kind").annotate(n=Count("pk")).order_by():
        counts[row["kind"]] = row["n"]
    return counts


def published_turns(*, originals_only: bool = True) -> QuerySet[Turn]:
    """Every published turn (without translated copies of published originals, by default)."""
    return _without_translated_copies(_published_turns()) if originals_only else _published_turns()
