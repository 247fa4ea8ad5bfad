"""Transcripts: the list curators work from, the change page with its turns, bulk actions, import."""

from __future__ import annotations

import itertools
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from simple_history.admin import SimpleHistoryAdmin

from archive.admin.filters import SpeakerFilter, TopicFilter, TranslationFilter
from archive.admin.forms import ImportForm, TopicChoiceForm
from archive.admin.recordings import RecordingInline, times_view
from archive.admin.turns import TURNS_PAGE_VAR, AppearanceInline, TurnInline, public_url
from archive.importers import import_documents, read_upload
from archive.models import Appearance, Transcript, TranscriptStatus, Turn
from archive.search.analysis import ANALYSIS_NOTES, analysis_key
from archive.selectors import count_of
from archive.services import (
    speakers_learn,
    transcripts_add_topic,
    transcripts_remove_topic,
    transcripts_set_status,
    turns_renumber,
)


def curation_media(admin_site: admin.AdminSite) -> forms.Media:
    """select2 as the admin's own autocomplete widgets load it (minified unless DEBUG), plus ours."""
    autocomplete = AutocompleteSelect(Transcript._meta.get_field("topics"), admin_site)  # type: ignore[arg-type]
    media = autocomplete.media
    # Listed after select2 and jquery.init.js, so merging media keeps them before ours.
    return forms.Media(
        js=[*media._js, "archive/admin/autocomplete_filter.js"],  # type: ignore[attr-defined]
        css={"screen": [*media._css.get("screen", []), "archive/admin/curation.css"]},  # type: ignore[attr-defined]
    )


class TranscriptForm(forms.ModelForm):
    class Meta:
        model = Transcript
        fields = (
            "title",
            "slug",
            "status",
            "language",
            "date",
            "event",
            "place",
            "description",
            "source_url",
            "license",
            "topics",
            "translation_of",
            "translation_of_slug",
        )
        help_texts = {
            "translation_of_slug": (
                "The original's slug. Filled in when you choose the original above; type it yourself "
                "when the original is not in the archive yet."
            )
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        original = cleaned.get("translation_of")
        slug = cleaned.get("translation_of_slug", "")
        if original is not None:
            cleaned["translation_of_slug"] = original.slug
        elif slug and "translation_of_slug" in self.changed_data:
            cleaned["translation_of"] = Transcript.objects.filter(slug=slug).first()
        own = cleaned.get("slug")
        if own and cleaned.get("translation_of_slug") == own:
            self.add_error("translation_of", "A transcript cannot be a translation of itself.")
        return cleaned


@admin.register(Transcript)
class TranscriptAdmin(SimpleHistoryAdmin):
    form = TranscriptForm
    list_display = ("title", "date", "language", "status", "turn_count", "original")
    list_select_related = ("translation_of",)
    list_filter = (
        "status",
        ("language", admin.AllValuesFieldListFilter),
        SpeakerFilter,
        TopicFilter,
        TranslationFilter,
    )
    date_hierarchy = "date"
    search_fields = ("title", "slug", "event", "place")
    search_help_text = "Searches titles, slugs, events and places."
    list_per_page = 50
    autocomplete_fields = ("translation_of", "topics")
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = ("created", "modified", "time_curation", "search_analysis")
    fieldsets = (
        (None, {"fields": ("title", "slug", "status", "language", "search_analysis", "date")}),
        ("Event", {"fields": ("event", "place", "description")}),
        ("Source", {"fields": ("source_url", "license")}),
        ("Topics", {"fields": ("topics",)}),
        ("Translation", {"fields": ("translation_of", "translation_of_slug")}),
        ("Times", {"fields": ("time_curation",)}),
        ("Record", {"fields": ("created", "modified"), "classes": ("collapse",)}),
    )
    inlines = (AppearanceInline, TurnInline, RecordingInline)
    actions = ("publish", "unpublish", "send_to_review", "add_topic", "remove_topic")
    save_on_top = True

    @property
    def media(self) -> forms.Media:
        return super().media + curation_media(self.admin_site)

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "source_url":
            kwargs["assume_scheme"] = "https"
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Transcript]:
        return super().get_queryset(request).annotate(turn_count=count_of(Turn.objects.all(), "transcript"))

    @admin.display(description="search analysis")
    def search_analysis(self, obj: Transcript) -> str:
        """How search reads this language; `generic` tells curators it has no analysis of its own."""
        key = analysis_key(obj.language)
        if key == "generic" and obj.language:
            return f"generic: {obj.language} has no analysis of its own (words as written, no stemming)"
        return ANALYSIS_NOTES[key]

    @admin.display(description="turns", ordering="turn_count")
    def turn_count(self, obj: Transcript) -> int:
        return getattr(obj, "turn_count", 0)

    @admin.display(description="translation of", ordering="translation_of_slug")
    def original(self, obj: Transcript) -> str:
        if obj.translation_of is not None:
            url = reverse("admin:archive_transcript_change", args=[obj.translation_of.pk])
            return format_html('<a href="{}">{}</a>', url, obj.translation_of.title)
        return obj.translation_of_slug or "—"

    def view_on_site(self, obj: Transcript) -> str | None:
        return public_url(obj)

    @admin.display(description="time curation")
    def time_curation(self, obj: Transcript) -> str:
        if obj.pk is None:
            return "Save the transcript first."
        url = reverse("admin:archive_transcript_times", args=[obj.pk])
        return format_html('<a href="{}">Shift all times, or take them from a WebVTT/SRT file</a>', url)

    def get_deleted_objects(
        self, objs: Any, request: HttpRequest
    ) -> tuple[list[Any], dict[str, int], set[str], list[Any]]:
        """One line per transcript, not one per turn: a sitting of 6,000 turns deletes on one page."""
        transcripts = list(objs)
        turns = dict(
            Turn.objects.filter(transcript__in=transcripts)
            .order_by()
            .values_list("transcript")
            .annotate(n=Count("pk"))
            .values_list("transcript", "n")
        )
        appearances = dict(
            Appearance.objects.filter(transcript__in=transcripts)
            .order_by()
            .values_list("transcript")
            .annotate(n=Count("pk"))
            .values_list("transcript", "n")
        )
        lines = [
            format_html(
                "Transcript: {} ({} turns, {} speakers listed)",
                t.title,
                turns.get(t.pk, 0),
                appearances.get(t.pk, 0),
            )
            for t in transcripts
        ]
        counts = {
            "transcripts": len(transcripts),
            "turns": sum(turns.values()),
            "speaker appearances": sum(appearances.values()),
        }
        perms_needed = {
            label
            for label, perm in (
                ("turns", "archive.delete_turn"),
                ("appearances", "archive.delete_appearance"),
            )
            if not request.user.has_perm(perm)
        }
        return lines, counts, perms_needed, []

    def save_model(self, request: HttpRequest, obj: Transcript, form: Any, change: bool) -> None:
        old_slug = form.initial.get("slug") if change else None
        super().save_model(request, obj, form, change)
        if obj.status == TranscriptStatus.PUBLISHED and "status" in form.changed_data:
            speakers_learn(obj)  # the draft's names and aliases become the speakers' now
        if old_slug and old_slug != obj.slug:
            # Translations name their original by slug: follow the rename (saved one by one).
            for translation in Transcript.objects.filter(translation_of_slug=old_slug):
                translation.translation_of_slug = obj.slug
                translation.translation_of = obj
                translation.save(update_fields=["translation_of_slug", "translation_of", "modified"])

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # Deleted or moved turns would leave gaps; positions are the turns' identity.
        turns_renumber(form.instance)

    def response_change(self, request: HttpRequest, obj: Transcript) -> HttpResponse:
        response = super().response_change(request, obj)
        page = request.GET.get(TURNS_PAGE_VAR)
        if page and "_continue" in request.POST and isinstance(response, HttpResponseRedirect):
            joiner = "&" if "?" in response["Location"] else "?"
            response["Location"] += f"{joiner}{urlencode({TURNS_PAGE_VAR: page})}#turns-group"
        return response

    # Bulk actions. All go through archive.services, which saves each transcript, so
    # post_save / m2m_changed receivers (the search index) see every change.

    def _set_status(self, request: HttpRequest, queryset: QuerySet[Transcript], status: str) -> None:
        transcripts = list(queryset)
        changing = [t for t in transcripts if t.status != status]
        transcripts_set_status(changing, TranscriptStatus(status))
        for transcript in changing:
            self.log_change(request, transcript, [{"changed": {"fields": ["Status"]}}])
        label = TranscriptStatus(status).label.lower()
        unchanged = len(transcripts) - len(changing)
        note = f" ({unchanged} already were)" if unchanged else ""
        self.message_user(request, f"{len(changing)} transcript(s) set to “{label}”{note}.", messages.SUCCESS)

    @admin.action(description="Publish selected transcripts", permissions=["change"])
    def publish(self, request: HttpRequest, queryset: QuerySet[Transcript]) -> None:
        self._set_status(request, queryset, TranscriptStatus.PUBLISHED)

    @admin.action(description="Unpublish selected transcripts (back to draft)", permissions=["change"])
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Transcript]) -> None:
        self._set_status(request, queryset, TranscriptStatus.DRAFT)

    @admin.action(description="Send selected transcripts to review", permissions=["change"])
    def send_to_review(self, request: HttpRequest, queryset: QuerySet[Transcript]) -> None:
        self._set_status(request, queryset, TranscriptStatus.REVIEW)

    @admin.action(description="Add a topic to selected transcripts", permissions=["change"])
    def add_topic(self, request: HttpRequest, queryset: QuerySet[Transcript]) -> HttpResponse | None:
        return self._topic_action(request, queryset, remove=False)

    @admin.action(description="Remove a topic from selected transcripts", permissions=["change"])
    def remove_topic(self, request: HttpRequest, queryset: QuerySet[Transcript]) -> HttpResponse | None:
        return self._topic_action(request, queryset, remove=True)

    def _topic_action(
        self, request: HttpRequest, queryset: QuerySet[Transcript], *, remove: bool
    ) -> HttpResponse | None:
        """First call: a page to choose the topic. Second call (with `apply`): do it."""
        form = TopicChoiceForm(request.POST if "apply" in request.POST else None, admin_site=self.admin_site)
        if form.is_valid():
            topic = form.cleaned_data["topic"]
            transcripts = list(queryset)
            service = transcripts_remove_topic if remove else transcripts_add_topic
            changed = service(transcripts, topic)
            verb = "removed from" if remove else "added to"
            for transcript in transcripts:
                self.log_change(request, transcript, f"Topic {topic.slug} {verb} it (bulk action).")
            self.message_user(request, f"Topic “{topic}” {verb} {changed} transcript(s).", messages.SUCCESS)
            return None
        count = queryset.count()
        context = {
            **self.admin_site.each_context(request),
            "title": "Remove a topic" if remove else "Add a topic",
            "subtitle": None,
            "opts": self.model._meta,
            "form": form,
            "remove": remove,
            "count": count,
            "shown": queryset[:50],
            "selected_ids": queryset.values_list("pk", flat=True),
            "action": request.POST.get("action", ""),
            "select_across": request.POST.get("select_across", "0"),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/archive/transcript/topic_action.html", context)

    # Import: the same pipeline, formats and messages as `manage.py import_transcripts`.

    def get_urls(self) -> list[URLPattern]:
        urls: list[URLPattern] = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="archive_transcript_import",
            ),
            path(
                "<path:object_id>/times/",
                self.admin_site.admin_view(lambda request, object_id: times_view(self, request, object_id)),
                name="archive_transcript_times",
            ),
        ]
        return urls + super().get_urls()  # type: ignore[operator]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        report = None
        dry_run = False
        imported: list[Transcript] = []
        form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
        if form.is_valid():
            dry_run = form.cleaned_data["dry_run"]
            files = form.cleaned_data["upload"]
            documents = itertools.chain.from_iterable(read_upload(f) for f in files)
            report = import_documents(documents, dry_run=dry_run)
            if not dry_run:
                imported = list(Transcript.objects.filter(slug__in=report.slugs).order_by("slug"))
                for transcript in imported:
                    self.log_change(request, transcript, "Imported through the import form.")
        context = {
            **self.admin_site.each_context(request),
            "title": "Import transcripts",
            "subtitle": None,
            "opts": self.model._meta,
            "form": form,
            "report": report,
            "summary": report.summary(dry_run=dry_run) if report else "",
            "error_lines": [f"rejected: {error}" for error in report.errors] if report else [],
            "imported": imported,
            "dry_run": dry_run,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/archive/transcript/import.html", context)
