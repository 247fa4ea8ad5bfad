"""django-filter filter sets of the API's lists. Every ordering ends on a unique key (stable pages)."""

from __future__ import annotations

from typing import Any

import django_filters as filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django_filters.fields import BaseCSVField

from archive.api.permissions import can_see_unpublished, visible_statuses
from archive.models import (
    AnswerStatus,
    Appearance,
    Speaker,
    SpeakerKind,
    SpeakerName,
    Topic,
    Transcript,
    TranscriptStatus,
    Turn,
    TurnKind,
    name_key,
)


def language_q(field: str, tag: str) -> Q:
    """A BCP-47 tag or any tag under it: `zh` matches `zh`, `zh-Hans`, `zh-TW`; case does not matter."""
    return Q(**{f"{field}__iexact": tag}) | Q(**{f"{field}__istartswith": f"{tag}-"})


class OrderingField(BaseCSVField):
    """A comma-separated ordering whose every item names a field: `?ordering=,`, `?ordering=date,`
    or a blank `?ordering=` are a 400, never an empty name handed to the database."""

    def clean(self, value: Any) -> Any:
        if value is not None and (not value or any(not item.strip() for item in value)):
            raise forms.ValidationError(
                "an ordering is one or more field names separated by commas, none of them empty",
                code="empty",
            )
        return super().clean(value)


class StableOrderingFilter(filters.OrderingFilter):
    """Ordering by the client's choice, then by `tiebreak` so equal values never swap between pages."""

    base_field_class = OrderingField

    def __init__(self, *args: Any, tiebreak: tuple[str, ...] = ("pk",), **kwargs: Any) -> None:
        self.tiebreak = tiebreak
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet[Any], value: list[str] | None) -> QuerySet[Any]:
        fields = [self.get_ordering_value(v) for v in value or []]
        if not fields:
            return qs
        return qs.order_by(*fields, *(t for t in self.tiebreak if t.lstrip("-") not in fields))


class TranscriptFilter(filters.FilterSet):
    q = filters.CharFilter(
        method="filter_q", label="Words in the title, event, place, description or any turn's text"
    )
    language = filters.CharFilter(method="filter_language", label="BCP-47 tag (zh matches zh-Hans too)")
    speaker = filters.CharFilter(method="filter_speaker", label="Speaker slug")
    topic = filters.CharFilter(field_name="topics__slug", label="Topic slug", distinct=True)
    date_from = filters.DateFilter(field_name="date", lookup_expr="gte", label="On or after (YYYY-MM-DD)")
    date_to = filters.DateFilter(field_name="date", lookup_expr="lte", label="On or before (YYYY-MM-DD)")
    status = filters.ChoiceFilter(
        choices=TranscriptStatus.choices, label="Status (curators see drafts and review too)"
    )
    translation_of = filters.CharFilter(
        field_name="translation_of_slug", label="Slug of the original: its translations"
    )
    ordering = StableOrderingFilter(
        fields=(("date", "date"), ("title", "title"), ("slug", "slug")), tiebreak=("slug",)
    )

    class Meta:
        model = Transcript
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[Transcript], name: str, value: str) -> QuerySet[Transcript]:
        value = value.strip()
        if not value:
            return queryset
        in_turns = Exists(Turn.objects.filter(transcript=OuterRef("pk"), text__icontains=value))
        return queryset.filter(
            Q(title__icontains=value)
            | Q(event__icontains=value)
            | Q(place__icontains=value)
            | Q(description__icontains=value)
            | in_turns
        )

    def filter_language(self, queryset: QuerySet[Transcript], name: str, value: str) -> QuerySet[Transcript]:
        return queryset.filter(language_q("language", value.strip()))

    def filter_speaker(self, queryset: QuerySet[Transcript], name: str, value: str) -> QuerySet[Transcript]:
        return queryset.filter(
            Exists(Appearance.objects.filter(transcript=OuterRef("pk"), speaker__slug=value))
            | Exists(Turn.objects.filter(transcript=OuterRef("pk"), speaker__slug=value))
        )


class TurnFilter(filters.FilterSet):
    transcript = filters.CharFilter(field_name="transcript__slug", label="Transcript slug")
    speaker = filters.CharFilter(field_name="speaker__slug", label="Speaker slug")
    topic = filters.CharFilter(method="filter_topic", label="Topic slug (of the turn or of its transcript)")
    kind = filters.ChoiceFilter(choices=TurnKind.choices)
    answer_status = filters.ChoiceFilter(choices=AnswerStatus.choices, label="On questions: was it answered?")
    language = filters.CharFilter(
        method="filter_language", label="BCP-47 tag of the turn's language (zh matches zh-Hans too)"
    )
    date_from = filters.DateFilter(field_name="transcript__date", lookup_expr="gte", label="On or after")
    date_to = filters.DateFilter(field_name="transcript__date", lookup_expr="lte", label="On or before")

    class Meta:
        model = Turn
        fields: list[str] = []

    def filter_topic(self, queryset: QuerySet[Turn], name: str, value: str) -> QuerySet[Turn]:
        return queryset.filter(
            Exists(Turn.topics.through.objects.filter(turn_id=OuterRef("pk"), topic__slug=value))
            | Exists(
                Transcript.topics.through.objects.filter(
                    transcript_id=OuterRef("transcript_id"), topic__slug=value
                )
            )
        )

    def filter_language(self, queryset: QuerySet[Turn], name: str, value: str) -> QuerySet[Turn]:
        # An empty turn language means "the transcript's language".
        value = value.strip()
        return queryset.filter(
            language_q("language", value) | (Q(language="") & language_q("transcript__language", value))
        )


class SpeakerFilter(filters.FilterSet):
    q = filters.CharFilter(method="filter_q", label="Part of any of the speaker's names")
    transcript = filters.CharFilter(method="filter_transcript", label="Transcript slug: who speaks in it")
    kind = filters.ChoiceFilter(
        choices=SpeakerKind.choices,
        label="person or role (without it, and without transcript, the list holds people only)",
    )

    class Meta:
        model = Speaker
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[Speaker], name: str, value: str) -> QuerySet[Speaker]:
        key = name_key(value)
        if not key:
            return queryset
        by_name = Exists(SpeakerName.objects.filter(speaker=OuterRef("pk"), key__contains=key)) | Q(
            name__icontains=value.strip()
        )
        if can_see_unpublished(getattr(self.request, "user", None)):
            return queryset.filter(by_name)
        # The public finds a member of the public by pseudonym only, never by name.
        return queryset.filter(
            (Q(private=False) & by_name) | Q(private=True, pseudonym__icontains=value.strip())
        )

    def filter_transcript(self, queryset: QuerySet[Speaker], name: str, value: str) -> QuerySet[Speaker]:
        # Only transcripts this client may see: a draft's cast stays hidden like the draft.
        statuses = visible_statuses(getattr(self.request, "user", None))
        transcripts = {"transcript__slug": value, "transcript__status__in": statuses}
        return queryset.filter(
            Exists(Appearance.objects.filter(speaker=OuterRef("pk"), **transcripts))
            | Exists(Turn.objects.filter(speaker=OuterRef("pk"), **transcripts))
        )


class TopicFilter(filters.FilterSet):
    parent = filters.CharFilter(field_name="parent__slug", label="Slug of the parent topic")

    class Meta:
        model = Topic
        fields: list[str] = []
