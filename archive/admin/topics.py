"""Topics: a slug, labels in every language the archive uses, and a parent."""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from archive.admin.fields import LanguageMapField
from archive.models import Topic, Transcript, Turn
from archive.selectors import count_of


class TopicForm(forms.ModelForm):
    labels = LanguageMapField(label="Labels", example="zh-Hans: 科技")

    class Meta:
        model = Topic
        fields = ("slug", "labels", "parent")


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    form = TopicForm
    list_display = ("slug", "label_list", "parent", "transcript_count", "turn_count")
    list_select_related = ("parent",)
    search_fields = ("slug",)
    search_help_text = "Searches slugs and labels in every language."
    autocomplete_fields = ("parent",)
    list_per_page = 100

    def get_queryset(self, request: HttpRequest) -> QuerySet[Topic]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                transcript_count=count_of(Transcript.topics.through.objects.all(), "topic"),
                turn_count=count_of(Turn.topics.through.objects.all(), "topic"),
            )
        )

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Topic], search_term: str
    ) -> tuple[QuerySet[Topic], bool]:
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if not term:
            return found, may_have_duplicates
        # Labels are JSON text: PostgreSQL shows it as is, SQLite stores non-ASCII as \uXXXX escapes.
        escaped = json.dumps(term)[1:-1]
        return found | queryset.filter(Q(labels__icontains=term) | Q(labels__icontains=escaped)), (
            may_have_duplicates
        )

    @admin.display(description="labels")
    def label_list(self, obj: Topic) -> str:
        return " · ".join(f"{tag}: {text}" for tag, text in obj.labels.items()) or "—"

    @admin.display(description="transcripts", ordering="transcript_count")
    def transcript_count(self, obj: Topic) -> int:
        return getattr(obj, "transcript_count", 0)

    @admin.display(description="turns", ordering="turn_count")
    def turn_count(self, obj: Topic) -> int:
        return getattr(obj, "turn_count", 0)
