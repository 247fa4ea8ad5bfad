"""What the API returns. A whole transcript is a `qa-archive/1` document (what the importer
takes) plus read-only links; lists give summaries, turns and people."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request

from archive.exporters.qa_archive import transcript_document
from archive.interchange import FORMAT_NAME, SLUG_MAX_LENGTH
from archive.models import (
    AnswerStatus,
    Speaker,
    SpeakerKind,
    Topic,
    Transcript,
    TranscriptStatus,
    Turn,
    TurnKind,
)
from archive.people import hidden

# Slugs may be in any script ("微博网友"); OpenAPI regexes are ECMA-262, where \w is ASCII only,
# so the schema describes slugs in words instead of a pattern that would reject them.
SLUG_HELP = "Letters (any script), digits, '-' and '_'"
LANGUAGE_PATTERN = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$"


def absolute(request: Request | None, path: str) -> str:
    return request.build_absolute_uri(path) if request is not None else path


def api_url(request: Request | None, name: str, slug: str) -> str:
    return absolute(request, reverse(f"api:{name}", kwargs={"slug": slug}))


def public_url(request: Request | None, obj: Transcript | Turn) -> str | None:
    """The public page, once the site's `transcript-detail` route exists (None before that).

    The bare (default-language) address, whatever the client's language: API data is the same
    for every client, and the bare address sends a reader to the page in their language."""
    try:
        with translation.override(settings.LANGUAGE_CODE):
            return absolute(request, obj.get_absolute_url())
    except NoReverseMatch:
        return None


# --- The qa-archive/1 document (described field by field for the OpenAPI schema) ---


class DocumentSpeakerSerializer(serializers.Serializer):
    name = serializers.CharField(allow_blank=True, max_length=300)
    slug = serializers.CharField(
        required=False,
        allow_null=True,
        max_length=SLUG_MAX_LENGTH,
        help_text=f"{SLUG_HELP}: the same person everywhere",
    )
    role = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    names = serializers.DictField(child=serializers.CharField(min_length=1), required=False)
    aliases = serializers.ListField(child=serializers.CharField(min_length=1), required=False)
    kind = serializers.ChoiceField(
        choices=SpeakerKind.choices,
        required=False,
        help_text="role: a label for whoever held a role here (Q, PREGUNTA), never linked elsewhere",
    )
    private = serializers.BooleanField(
        required=False, help_text="A member of the public: the public sees a pseudonym"
    )
    identifiers = serializers.DictField(
        child=serializers.CharField(min_length=1), required=False, help_text='e.g. {"wikidata": "Q11621"}'
    )


class DocumentTurnSerializer(serializers.Serializer):
    speaker = serializers.CharField(allow_blank=True, help_text="A name from the document's speakers")
    kind = serializers.ChoiceField(choices=TurnKind.choices, required=False)
    text = serializers.CharField(min_length=1)
    section = serializers.CharField(
        required=False, max_length=1000, help_text="Heading of the agenda item or part of the session"
    )
    language = serializers.RegexField(LANGUAGE_PATTERN, required=False)
    reply_to = serializers.IntegerField(min_value=1, required=False, help_text="Position of the question")
    original = serializers.IntegerField(min_value=1, required=False, help_text="Position in the original")
    topics = serializers.ListField(child=serializers.CharField(min_length=1), required=False)
    start = serializers.FloatField(min_value=0, required=False, help_text="Seconds from the start")
    end = serializers.FloatField(min_value=0, required=False, help_text="Seconds from the start")
    answer_status = serializers.ChoiceField(
        choices=AnswerStatus.choices, required=False, help_text="On a question: was it answered?"
    )


class DocumentMediaSerializer(serializers.Serializer):
    url = serializers.CharField(
        max_length=2000,
        help_text="On an allowed media origin, or the archive's own /media/... address of an uploaded file",
    )
    type = serializers.CharField(max_length=100, help_text="Media type: audio/mpeg, video/mp4, video/webm...")
    label = serializers.CharField(required=False, max_length=1000)


class TranscriptDocumentSerializer(serializers.Serializer):
    """A transcript as a `qa-archive/1` document; `url` and `html_url` are read-only extras."""

    format = serializers.ChoiceField(choices=[FORMAT_NAME], required=False)
    slug = serializers.CharField(required=False, max_length=SLUG_MAX_LENGTH, help_text=SLUG_HELP)
    title = serializers.CharField(min_length=1)
    date = serializers.DateField(required=False, allow_null=True)
    language = serializers.RegexField(LANGUAGE_PATTERN, help_text="BCP-47 tag: en, zh-Hans, he...")
    event = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    place = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    source_url = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    license = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    description = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    status = serializers.ChoiceField(choices=TranscriptStatus.choices, required=False)
    topics = serializers.ListField(child=serializers.CharField(min_length=1), required=False)
    translation_of = serializers.CharField(
        required=False, allow_null=True, max_length=SLUG_MAX_LENGTH, help_text="Slug of the original"
    )
    media = DocumentMediaSerializer(
        many=True, required=False, help_text="Recordings; turn times count from the start of the first"
    )
    speakers = DocumentSpeakerSerializer(many=True, allow_empty=False)
    turns = DocumentTurnSerializer(many=True, allow_empty=False)
    url = serializers.URLField(read_only=True, help_text="This document in the API")
    html_url = serializers.URLField(read_only=True, allow_null=True, help_text="The public page")

    def to_representation(self, instance: Transcript) -> dict[str, Any]:
        request = self.context.get("request")
        return {
            **transcript_document(instance),
            "url": api_url(request, "transcript-detail", instance.slug),
            "html_url": public_url(request, instance),
        }


# --- Lists ---


class SpeakerBriefSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField(help_text="The name this transcript gives")
    role = serializers.CharField(allow_blank=True)


class TranscriptSummarySerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    html_url = serializers.SerializerMethodField()
    turns_url = serializers.SerializerMethodField()
    topics = serializers.SlugRelatedField(many=True, read_only=True, slug_field="slug")
    translation_of = serializers.SerializerMethodField()
    speakers = serializers.SerializerMethodField()
    turn_count = serializers.IntegerField(read_only=True)
    slug = serializers.CharField(read_only=True, help_text=SLUG_HELP)

    class Meta:
        model = Transcript
        fields = [
            "url",
            "html_url",
            "turns_url",
            "slug",
            "title",
            "date",
            "language",
            "event",
            "place",
            "status",
            "topics",
            "translation_of",
            "speakers",
            "turn_count",
            "modified",
        ]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj: Transcript) -> str:
        return api_url(self.context.get("request"), "transcript-detail", obj.slug)

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_html_url(self, obj: Transcript) -> str | None:
        return public_url(self.context.get("request"), obj)

    @extend_schema_field(OpenApiTypes.URI)
    def get_turns_url(self, obj: Transcript) -> str:
        return api_url(self.context.get("request"), "transcript-turns", obj.slug)

    @extend_schema_field({"type": "string", "nullable": True})
    def get_translation_of(self, obj: Transcript) -> str | None:
        return obj.translation_of_slug or None

    @extend_schema_field(SpeakerBriefSerializer(many=True))
    def get_speakers(self, obj: Transcript) -> list[dict[str, str]]:
        return [
            {
                "slug": a.speaker.slug,
                "name": a.speaker.public_name if hidden(a.speaker) else a.name,
                "role": a.role,
            }
            for a in obj.appearances.all()
        ]


class TurnSerializer(serializers.ModelSerializer):
    transcript = serializers.CharField(source="transcript.slug", help_text="Transcript slug")
    transcript_url = serializers.SerializerMethodField()
    html_url = serializers.SerializerMethodField()
    speaker = serializers.CharField(source="speaker.slug", help_text="Speaker slug")
    speaker_name = serializers.SerializerMethodField()
    language = serializers.CharField(source="effective_language", help_text="BCP-47 tag of the turn's text")
    reply_to = serializers.SerializerMethodField()
    original = serializers.IntegerField(source="original_position", allow_null=True)
    topics = serializers.SlugRelatedField(many=True, read_only=True, slug_field="slug")

    class Meta:
        model = Turn
        fields = [
            "transcript",
            "transcript_url",
            "html_url",
            "position",
            "speaker",
            "speaker_name",
            "kind",
            "section",
            "answer_status",
            "language",
            "text",
            "reply_to",
            "original",
            "topics",
            "start",
            "end",
        ]

    @extend_schema_field(OpenApiTypes.URI)
    def get_transcript_url(self, obj: Turn) -> str:
        return api_url(self.context.get("request"), "transcript-detail", obj.transcript.slug)

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_html_url(self, obj: Turn) -> str | None:
        return public_url(self.context.get("request"), obj)

    @extend_schema_field(OpenApiTypes.STR)
    def get_speaker_name(self, obj: Turn) -> str:
        """The name the transcript gives the speaker (a Chinese transcript names Peres in Chinese)."""
        return obj.speaker.shown_as(getattr(obj, "speaker_name_here", None) or obj.speaker.name)

    @extend_schema_field({"type": "integer", "nullable": True})
    def get_reply_to(self, obj: Turn) -> int | None:
        return obj.reply_to.position if obj.reply_to_id is not None and obj.reply_to else None


class SpeakerSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    transcript_count = serializers.IntegerField(read_only=True)
    turn_count = serializers.IntegerField(read_only=True)
    names = serializers.DictField(child=serializers.CharField())
    aliases = serializers.ListField(child=serializers.CharField())
    slug = serializers.CharField(read_only=True, help_text=SLUG_HELP)
    identifiers = serializers.DictField(
        child=serializers.CharField(), help_text='External identities by scheme, e.g. {"wikidata": "Q11621"}'
    )

    class Meta:
        model = Speaker
        fields = [
            "url",
            "slug",
            "name",
            "names",
            "aliases",
            "role",
            "kind",
            "private",
            "identifiers",
            "transcript_count",
            "turn_count",
        ]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj: Speaker) -> str:
        return api_url(self.context.get("request"), "speaker-detail", obj.slug)

    def to_representation(self, instance: Speaker) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        if hidden(instance):  # a member of the public: the pseudonym only
            data.update(name=instance.public_name, names={}, aliases=[], role="", identifiers={})
        return data


class TopicSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    label = serializers.SerializerMethodField()
    labels = serializers.DictField(child=serializers.CharField(), help_text="Label by BCP-47 tag")
    parent = serializers.SlugRelatedField(read_only=True, slug_field="slug", allow_null=True)
    transcript_count = serializers.IntegerField(read_only=True)
    slug = serializers.CharField(read_only=True, help_text=SLUG_HELP)

    class Meta:
        model = Topic
        fields = ["url", "slug", "label", "labels", "parent", "transcript_count"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj: Topic) -> str:
        return api_url(self.context.get("request"), "topic-detail", obj.slug)

    @extend_schema_field(OpenApiTypes.STR)
    def get_label(self, obj: Topic) -> str:
        """The English label, else the slug (all labels are in `labels`)."""
        return obj.label()


class StatusChangeSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=TranscriptStatus.choices)


class ApiErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    key = serializers.CharField(
        required=False, allow_null=True, help_text="The document key at fault, e.g. turns[3].speaker"
    )
    message = serializers.CharField(required=False, help_text="The message without the place")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Bad parameters: each with its messages",
    )
