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

from typing import Any

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from archive.people import hidden, match_key

# A transcript's source is a page the site links to: the web's schemes only (no `javascript:`).
WEB_SCHEMES = ["http", "https"]


class TranscriptStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    REVIEW = "review", "In review"
    PUBLISHED = "published", "Published"


class TurnKind(models.TextChoices):
    QUESTION = "question", "Question"
    ANSWER = "answer", "Answer"
    STATEMENT = "statement", "Statement"
    MODERATOR = "moderator", "Moderator"
    # What a record notes but nobody says: applause, "The sitting was suspended".
    NARRATIVE = "narrative", "Narrative"


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


class SpeakerKind(models.TextChoices):
    PERSON = "person", "Person"
    # A label for whoever held a role in one session ("Q", "PREGUNTA", "記者"): see archive/people.py.
    ROLE = "role", "Role"


class SpeakerQuerySet(models.QuerySet["Speaker"]):
    def people(self) -> SpeakerQuerySet:
        return self.filter(kind=SpeakerKind.PERSON)


class Speaker(models.Model):
    slug = models.SlugField(max_length=200, unique=True, allow_unicode=True)
    name = models.CharField("display name", max_length=1000)
    # The name in other languages and scripts: {"he": "שמעון פרס", "zh-Hans": "西蒙·佩雷斯"}.
    names = models.JSONField(default=dict, blank=True)
    # Other spellings, in the order they were learnt (export keeps that order).
    aliases = models.JSONField(default=list, blank=True)
    # A standing description ("President of Israel"); the role in one session is on Appearance.
    role = models.CharField(max_length=1000, blank=True)
    # A role speaker belongs to the one transcript it appears in: no page, never linked by name.
    kind = models.CharField(
        max_length=10, choices=SpeakerKind.choices, default=SpeakerKind.PERSON, db_index=True
    )
    # A member of the public: the public sees `pseudonym`, never the name, names or aliases.
    private = models.BooleanField(default=False, db_index=True)
    pseudonym = models.CharField(
        max_length=200, blank=True, help_text="What the public sees of a private speaker; stable once set"
    )
    # External identities by scheme: {"wikidata": "Q11621"}.
    identifiers = models.JSONField(default=dict, blank=True)

    objects = SpeakerQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_role(self) -> bool:
        return self.kind == SpeakerKind.ROLE

    @property
    def public_name(self) -> str:
        """The name anyone may see: the pseudonym of a private speaker."""
        return (self.pseudonym or "Member of the public") if self.private else self.name

    def shown_as(self, name_here: str) -> str:
        """`name_here` (the name a transcript gives), or the pseudonym where the names are hidden."""
        return self.public_name if hidden(self) else name_here

    def identifier_links(self) -> list[tuple[str, str, str]]:
        """(scheme, identifier, URL or "") for each external identifier, known schemes linked."""
        return [
            (
                scheme,
                str(value),
                IDENTIFIER_URLS.get(scheme, "").format(value) if scheme in IDENTIFIER_URLS else "",
            )
            for scheme, value in sorted(self.identifiers.items())
        ]

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


# Where an identifier of a known scheme lives on the web.
IDENTIFIER_URLS = {
    "wikidata": "https://www.wikidata.org/wiki/{}",
    "viaf": "https://viaf.org/viaf/{}",
    "isni": "https://isni.org/isni/{}",
    "orcid": "https://orcid.org/{}",
    "gnd": "https://d-nb.info/gnd/{}",
    "loc": "https://id.loc.gov/authorities/names/{}",
}


class SpeakerRedirect(models.Model):
    """The slug of a speaker merged into another: its pages and API answer 301 to the kept one."""

    old_slug = models.SlugField(max_length=200, unique=True, allow_unicode=True)
    speaker = models.ForeignKey(Speaker, on_delete=models.CASCADE, related_name="redirects")
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.old_slug} -> {self.speaker.slug}"


def name_key(name: str) -> str:
    """How speaker names are compared for linking: without case, accents, honorifics and titles
    ("MS. PSAKI" = "Psaki", "CASAUBON" = "CASAUBÓN"); see archive.people.match_key."""
    return match_key(name)[: SpeakerName.KEY_LENGTH]


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
    source_url = models.URLField(max_length=2000, blank=True, validators=[URLValidator(schemes=WEB_SCHEMES)])
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
    # When the transcript was first published: what feeds and alerts call "new" (an import of an
    # old sitting is new to the archive's readers; unpublishing and publishing again is not).
    published_at = models.DateTimeField(null=True, blank=True, editable=False, db_index=True)

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

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.is_published and self.published_at is None:
            self.published_at = timezone.now()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "published_at"}
        super().save(*args, **kwargs)


class Recording(models.Model):
    """A recording of the session: a URL on an allowed origin, or a file uploaded by a curator.

    Turn times are seconds from the start of a transcript's first recording. An uploaded file
    lives in the default storage (MEDIA_ROOT, or an object store) and is served by
    `archive.views.recordings`, which answers range requests so players can seek.
    """

    transcript = models.ForeignKey(Transcript, on_delete=models.CASCADE, related_name="recordings")
    position = models.PositiveIntegerField(default=1, help_text="Order in the document's media list")
    url = models.CharField(
        "URL", max_length=2000, blank=True, help_text="On one of the allowed media origins"
    )
    file = models.FileField(upload_to="recordings/", max_length=500, blank=True)
    type = models.CharField(max_length=100, help_text="Media type, e.g. audio/mpeg, video/mp4")
    label = models.CharField(max_length=1000, blank=True)

    class Meta:
        ordering = ["transcript", "position"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(url="") & ~Q(file="")) | (~Q(url="") & Q(file="")),
                name="recording_url_or_file",
            ),
        ]

    def __str__(self) -> str:
        return self.label or self.url or self.file.name

    @property
    def src(self) -> str:
        """Where a player (and the interchange format) finds it: the URL, or the archive's own
        address of the uploaded file (stable whatever storage holds it)."""
        if self.file:
            return reverse("recording-file", kwargs={"name": self.file.name})
        return self.url

    @property
    def is_video(self) -> bool:
        return self.type.startswith("video/")


class Appearance(models.Model):
    """A speaker in one transcript: the name the transcript uses and their role there."""

    transcript = models.ForeignKey(Transcript, on_delete=models.CASCADE, related_name="appearances")
    speaker = models.ForeignKey(Speaker, on_delete=models.CASCADE, related_name="appearances")
    name = models.CharField(max_length=1000, help_text="The name as this transcript gives it")
    role = models.CharField(max_length=1000, blank=True)
    # The other names and aliases this transcript gives. The speaker learns them (and a first
    # role) only once the transcript is published (services.speakers_learn): a draft never
    # changes what the public sees of a person.
    names = models.JSONField(default=dict, blank=True)
    aliases = models.JSONField(default=list, blank=True)
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
    # The heading of the agenda item or part of the session the turn belongs to.
    section = models.CharField(max_length=1000, blank=True)
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


class AlertFrequency(models.TextChoices):
    DAILY = "daily", "Daily"
    WEEKLY = "weekly", "Weekly"


class AlertSubscription(models.Model):
    """A reader's email alert on a search, a speaker, a topic or a language (no account needed).

    `search` holds the search's parameters as the search page takes them (q, language, speaker,
    topic, kind). Nothing but the confirmation is sent before `confirmed_at`. Each digest covers
    the turns of transcripts first published after `covered_until` and up to the moment the
    digest run started, which then becomes `covered_until`: a turn is in exactly one digest.
    """

    email = models.EmailField(max_length=254, db_index=True)
    search = models.JSONField()
    frequency = models.CharField(max_length=10, choices=AlertFrequency.choices, default=AlertFrequency.DAILY)
    language = models.CharField(max_length=35, default="en", help_text="The interface language of its emails")
    created = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    covered_until = models.DateTimeField(null=True, blank=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["email", "pk"]

    def __str__(self) -> str:
        return f"{self.email}: {self.search}"


class CorrectionStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"


class Correction(models.Model):
    """A reader's suggested correction of one turn, waiting in the curators' queue."""

    turn = models.ForeignKey(Turn, on_delete=models.CASCADE, related_name="corrections")
    proposed_text = models.TextField(blank=True)
    proposed_speaker = models.CharField(max_length=1000, blank=True)
    note = models.TextField(blank=True)
    email = models.EmailField(max_length=254, blank=True, help_text="Told the outcome, if given")
    language = models.CharField(max_length=35, default="en", help_text="The reader's interface language")
    # The turn's text when the correction was proposed: the diff a curator reads.
    original_text = models.TextField()
    original_speaker = models.CharField(max_length=1000)
    status = models.CharField(
        max_length=10, choices=CorrectionStatus.choices, default=CorrectionStatus.PENDING, db_index=True
    )
    reason = models.TextField(blank=True, help_text="Why it was rejected (sent to the reader)")
    created = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"correction of {self.turn} ({self.status})"


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

for _model in (Transcript, Turn, Speaker, Correction):
    _register_history(_model, app="archive", records_class=CuratedHistory, excluded_fields=["modified"])
