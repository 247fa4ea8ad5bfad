"""The archive's data model.

A Transcript holds Turns in spoken order. A Speaker is one person across many
transcripts; the role they had in one session lives on their Appearance in it.
Every key of the interchange format `qa-archive/1` has a home here, so an export
followed by an import loses nothing.

Cross-transcript references use stable identities (slugs and 1-based positions),
not row ids: a re-import replaces a transcript's turns, and a translation imported
before its original must still say which original it translates.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.db import models
from django.db.models import Q
from django.urls import reverse


class TranscriptStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    REVIEW = "review", "In review"
    PUBLISHED = "published", "Published"


class TurnKind(models.TextChoices):
    QUESTION = "question", "Question"
    ANSWER = "answer", "Answer"
    STATEMENT = "statement", "Statement"
    MODERATOR = "moderator", "Moderator"


class AnswerStatus(models.TextChoices):
    """Whether a question got an answer: set by curators (and carried by the interchange format)."""

    ANSWERED = "answered", "Answered"
    PARTLY = "partly", "Partly answered"
    UNANSWERED = "unanswered", "Unanswered"
    DEFLECTED = "deflected", "Deflected"


class Topic(models.Model):
    slug = models.SlugField(max_length=200, unique=True, allow_unicode=True)
    # {"en": "Technology", "zh-Hans": "科技", ...}; keys are BCP-47 tags.
    labels = models.JSONField(default=dict, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.label()

    def label(self, language: str | None = None) -> str:
        """The label in `language` (or its base language), else English, else the slug."""
        if language:
            if language in self.labels:
                return str(self.labels[language])
            base = language.split("-")[0].lower()
            for tag, text in self.labels.items():
                if tag.split("-")[0].lower() == base:
                    return str(text)
        return str(self.labels.get("en") or self.slug)


class Speaker(models.Model):
    slug = models.SlugField(max_length=200, unique=True, allow_unicode=True)
    name = models.CharField("display name", max_length=1000)
    # The name in other languages and scripts: {"he": "שמעון פרס", "zh-Hans": "西蒙·佩雷斯"}.
    names = models.JSONField(default=dict, blank=True)
    # Other spellings, in the order they were learnt (export keeps that order).
    aliases = models.JSONField(default=list, blank=True)
    # A standing description ("President of Israel"); the role in one session is on Appearance.
    role = models.CharField(max_length=1000, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def all_names(self) -> list[str]:
        """Every name this person is known by, display name first, without repeats."""
        seen: dict[str, None] = {self.name: None}
        for text in [*self.names.values(), *self.aliases]:
            seen.setdefault(str(text), None)
        return list(seen)

    def save(self, *args: Any, **kwargs: Any) -> None:
        creating = self._state.adding and self.pk is None  # an INSERT of a new row
        super().save(*args, **kwargs)
        self.sync_lookup_names(new=creating)

    def sync_lookup_names(self, *, new: bool = False) -> None:
        keys = {name_key(n) for n in self.all_names()} - {""}
        if new:  # a row just inserted has no names yet: spare an import two queries per new speaker
            SpeakerName.objects.bulk_create([SpeakerName(speaker=self, key=k) for k in sorted(keys)])
            return
        existing = set(self.lookup_names.values_list("key", flat=True))
        if keys != existing:
            self.lookup_names.exclude(key__in=keys).delete()
            SpeakerName.objects.bulk_create(
                [SpeakerName(speaker=self, key=k) for k in sorted(keys - existing)]
            )


def name_key(name: str) -> str:
    """How speaker names are compared: NFKC, case-folded, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())[: SpeakerName.KEY_LENGTH]


class SpeakerName(models.Model):
    """Lookup table of every name a speaker goes by, so imports can link by name or alias."""

    speaker = models.ForeignKey(Speaker, on_delete=models.CASCADE, related_name="lookup_names")
    # Cut to KEY_LENGTH: some real protocols give whole sentences as names, and a
    # btree index entry has a size limit on PostgreSQL.
    key = models.CharField(max_length=200, db_index=True)

    KEY_LENGTH = 200

    def __str__(self) -> str:
        return self.key


class TranscriptQuerySet(models.QuerySet["Transcript"]):
    def published(self) -> TranscriptQuerySet:
        return self.filter(status=TranscriptStatus.PUBLISHED)


class Transcript(models.Model):
    slug = models.SlugField(max_length=200, unique=True, allow_unicode=True)
    title = models.CharField(max_length=1000)
    date = models.DateField(null=True, blank=True, db_index=True)
    language = models.CharField(max_length=35, help_text="BCP-47 tag, e.g. en, zh-Hans, he")
    event = models.CharField(max_length=1000, blank=True)
    place = models.CharField(max_length=1000, blank=True)
    source_url = models.URLField(max_length=2000, blank=True)
    license = models.CharField(max_length=1000, blank=True)
    description = models.TextField(blank=True)
    status = models.CharField(
        max_length=10,
        choices=TranscriptStatus.choices,
        default=TranscriptStatus.PUBLISHED,
        db_index=True,
    )
    topics = models.ManyToManyField(Topic, blank=True, related_name="transcripts")
    # The slug is the reference (the original may be imported later); the foreign key
    # is filled in whenever the original is in the archive.
    translation_of_slug = models.CharField(max_length=200, blank=True, db_index=True)
    translation_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="translations"
    )
    speakers: models.ManyToManyField[Speaker, Appearance] = models.ManyToManyField(
        Speaker, through="Appearance", related_name="transcripts"
    )
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    objects = TranscriptQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "slug"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("transcript-detail", kwargs={"slug": self.slug})

    @property
    def is_published(self) -> bool:
        return self.status == TranscriptStatus.PUBLISHED


class Appearance(models.Model):
    """A speaker in one transcript: the name the transcript uses and their role there."""

    transcript = models.ForeignKey(Transcript, on_delete=models.CASCADE, related_name="appearances")
    speaker = models.ForeignKey(Speaker, on_delete=models.CASCADE, related_name="appearances")
    name = models.CharField(max_length=1000, help_text="The name as this transcript gives it")
    role = models.CharField(max_length=1000, blank=True)
    position = models.PositiveIntegerField(default=0, help_text="Order in the speaker list")

    class Meta:
        ordering = ["transcript", "position"]
        constraints = [
            # (transcript, name) is unique too, but names can be too long for a btree
            # index: the importer's validation checks it instead.
            models.UniqueConstraint(fields=["transcript", "speaker"], name="appearance_once"),
        ]

    def __str__(self) -> str:
        return f"{self.name} in {self.transcript.slug}"


class Turn(models.Model):
    transcript = models.ForeignKey(Transcript, on_delete=models.CASCADE, related_name="turns")
    position = models.PositiveIntegerField(help_text="1-based, in spoken order")
    speaker = models.ForeignKey(Speaker, on_delete=models.PROTECT, related_name="turns")
    kind = models.CharField(
        max_length=10, choices=TurnKind.choices, default=TurnKind.STATEMENT, db_index=True
    )
    text = models.TextField()
    # Empty means "the transcript's language".
    language = models.CharField(max_length=35, blank=True)
    topics = models.ManyToManyField(Topic, blank=True, related_name="turns")
    start = models.FloatField(null=True, blank=True, help_text="Seconds from the start")
    end = models.FloatField(null=True, blank=True, help_text="Seconds from the start")
    reply_to = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replies",
        help_text="The question this answer replies to",
    )
    # In a translation: the 1-based position of the aligned turn in the original.
    original_position = models.PositiveIntegerField(null=True, blank=True)
    # On a question only; empty means "not assessed".
    answer_status = models.CharField(
        max_length=10, choices=AnswerStatus.choices, blank=True, help_text="On a question: was it answered?"
    )

    class Meta:
        ordering = ["transcript", "position"]
        constraints = [
            models.UniqueConstraint(fields=["transcript", "position"], name="turn_position_unique"),
            models.CheckConstraint(condition=Q(position__gte=1), name="turn_position_positive"),
        ]
        indexes = [models.Index(fields=["speaker", "kind"])]

    def __str__(self) -> str:
        return f"{self.transcript.slug} #{self.position}"

    @property
    def effective_language(self) -> str:
        return self.language or self.transcript.language

    def get_absolute_url(self) -> str:
        return f"{self.transcript.get_absolute_url()}#turn-{self.position}"

    def original_turn(self) -> Turn | None:
        """The aligned turn of the original transcript, when both are in the archive."""
        if self.original_position is None or not self.transcript.translation_of_slug:
            return None
        return Turn.objects.filter(
            transcript__slug=self.transcript.translation_of_slug, position=self.original_position
        ).first()


class SearchOutbox(models.Model):
    """A transcript whose search documents must be recomputed.

    Written in the same transaction as the change (archive/search/signals.py), so a rolled-back
    change leaves no row and a committed one is never lost; the single indexer
    (archive/search/indexer.py) applies rows and deletes them only once the index has them.
    """

    transcript_id = models.BigIntegerField(db_index=True)  # not a key: the transcript may be gone
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"reindex transcript {self.transcript_id}"


REDACTED = "[redacted]"  # what a redacted span of a turn reads as, everywhere


class Redaction(models.Model):
    """One redaction of a turn's text, logged without the words removed (that would undo it).

    The turn is kept by reference and by its stable identity (transcript slug and position), so
    the log outlives a re-import or a deletion of the transcript.
    """

    turn = models.ForeignKey(
        Turn, null=True, blank=True, on_delete=models.SET_NULL, related_name="redactions"
    )
    transcript_slug = models.CharField(max_length=200, db_index=True)
    position = models.PositiveIntegerField(help_text="1-based position of the turn")
    curator = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="redactions"
    )
    curator_name = models.CharField(max_length=150, help_text="The curator's username at the time")
    created = models.DateTimeField(auto_now_add=True, db_index=True)
    reason = models.TextField()
    start = models.PositiveIntegerField(help_text="Where the first span removed began (a character offset)")
    characters = models.PositiveIntegerField(help_text="How many characters were removed, in all")
    spans = models.PositiveIntegerField(default=1, help_text="How many spans were removed")
    # The slug of the person erased, when the redaction was part of erasing them.
    erasure_of = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        return f"{self.transcript_slug} #{self.position}: {self.characters} characters"


# The audit trail of curators' changes (archive/history.py): a historical table per model.
# Registered here rather than as model attributes so the models' own definitions stay as they are.
from simple_history import register as _register_history  # noqa: E402

from archive.history import CuratedHistory  # noqa: E402

for _model in (Transcript, Turn, Speaker):
    _register_history(_model, app="archive", records_class=CuratedHistory, excluded_fields=["modified"])
