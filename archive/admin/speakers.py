"""Speakers: one person across transcripts, their names in every script, and merging duplicates."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from archive.admin.fields import LanguageMapField, LinesField
from archive.admin.forms import MergeForm
from archive.admin.redactions import erase_people
from archive.duplicates import find_duplicates
from archive.interchange import IDENTIFIER_SCHEME
from archive.models import Appearance, Speaker, SpeakerKind, Turn, name_key
from archive.selectors import count_of
from archive.services import speaker_make_private, speakers_merge, speakers_set_kind


class SpeakerForm(forms.ModelForm):
    names = LanguageMapField(label="Names in other languages", example="he: שמעון פרס")
    aliases = LinesField(
        label="Aliases",
        help_text="Other spellings, one per line. Imports link a speaker by any of these names.",
    )

    identifiers = LanguageMapField(
        label="Identifiers",
        example="wikidata: Q11621",
        key=IDENTIFIER_SCHEME,
        key_name="scheme in lower case (wikidata, viaf, isni, orcid ...)",
    )

    kind = forms.ChoiceField(
        choices=SpeakerKind.choices,
        required=False,
        help_text="A role is a label for whoever held it in one transcript (“Q”, “PREGUNTA”): no page.",
    )

    class Meta:
        model = Speaker
        fields = ("name", "slug", "role", "kind", "private", "names", "aliases", "identifiers")

    def clean_kind(self) -> str:
        return self.cleaned_data.get("kind") or SpeakerKind.PERSON


@admin.register(Speaker)
class SpeakerAdmin(SimpleHistoryAdmin):
    form = SpeakerForm
    list_display = ("name", "slug", "role", "kind", "private", "turn_count", "transcript_count")
    list_filter = ("kind", "private")
    search_fields = ("name", "slug", "role")
    search_help_text = "Searches display names, names in other languages, aliases, slugs and roles."
    list_per_page = 50
    readonly_fields = ("transcripts_link", "pseudonym")
    fieldsets = (
        (None, {"fields": ("name", "slug", "role", "kind")}),
        ("Privacy", {"fields": ("private", "pseudonym")}),
        ("Other names", {"fields": ("names", "aliases", "identifiers")}),
        ("Appears in", {"fields": ("transcripts_link",)}),
    )
    prepopulated_fields = {"slug": ("name",)}
    actions = ("merge", "make_role", "make_person", "make_private", "make_public", erase_people)
    change_list_template = "admin/archive/speaker/change_list.html"

    def save_model(self, request: HttpRequest, obj: Speaker, form: Any, change: bool) -> None:
        becoming_private = obj.private and not (
            change and Speaker.objects.filter(pk=obj.pk, private=True).exists()
        )
        if becoming_private:
            obj.private = False  # speaker_make_private does it: pseudonym, new slug, reindex
        super().save_model(request, obj, form, change)
        if becoming_private:
            speaker_make_private(obj)

    @admin.action(description="Mark as a role (a label such as “Q”, not a person)", permissions=["change"])
    def make_role(self, request: HttpRequest, queryset: QuerySet[Speaker]) -> None:
        self._set_kind(request, queryset, SpeakerKind.ROLE)

    @admin.action(description="Mark as a person", permissions=["change"])
    def make_person(self, request: HttpRequest, queryset: QuerySet[Speaker]) -> None:
        self._set_kind(request, queryset, SpeakerKind.PERSON)

    def _set_kind(self, request: HttpRequest, queryset: QuerySet[Speaker], kind: str) -> None:
        count = speakers_set_kind(queryset, kind)
        self.message_user(request, f"{count} speaker(s) now of kind {kind}.", messages.SUCCESS)

    @admin.action(description="Make private (the public sees a pseudonym)", permissions=["change"])
    def make_private(self, request: HttpRequest, queryset: QuerySet[Speaker]) -> None:
        speakers = [s for s in queryset if not s.private]
        for speaker in speakers:
            speaker_make_private(speaker)
            self.log_change(request, speaker, "Made private.")
        self.message_user(request, f"{len(speakers)} speaker(s) made private.", messages.SUCCESS)

    @admin.action(description="Make public (show the name again)", permissions=["change"])
    def make_public(self, request: HttpRequest, queryset: QuerySet[Speaker]) -> None:
        speakers = [s for s in queryset if s.private]
        for speaker in speakers:
            speaker.private = False  # the pseudonym is kept, should they become private again
            speaker.save(update_fields=["private"])
            for transcript in speaker.transcripts.all():
                transcript.save(update_fields=["modified"])  # the search index hears of it
            self.log_change(request, speaker, "Made public.")
        self.message_user(request, f"{len(speakers)} speaker(s) made public.", messages.SUCCESS)

    def get_urls(self) -> list[URLPattern]:
        urls: list[URLPattern] = [
            path(
                "duplicates/",
                self.admin_site.admin_view(self.duplicates_view),
                name="archive_speaker_duplicates",
            )
        ]
        return urls + super().get_urls()  # type: ignore[operator]

    def duplicates_view(self, request: HttpRequest) -> HttpResponse:
        """Likely duplicates with their evidence; each pair links to the list to merge them."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        changelist = reverse("admin:archive_speaker_changelist")
        found = find_duplicates()
        slugs = [s.speaker["slug"] for s in found] + [s.other["slug"] for s in found if s.other["slug"]]
        ids = dict(Speaker.objects.filter(slug__in=slugs).values_list("slug", "pk"))
        rows = []
        for suggestion in found:
            pair = [ids.get(suggestion.speaker["slug"]), ids.get(suggestion.other["slug"] or "")]
            merge_url = f"{changelist}?id__in={pair[0]},{pair[1]}" if all(p is not None for p in pair) else ""
            rows.append({"suggestion": suggestion, "merge_url": merge_url})
        context = {
            **self.admin_site.each_context(request),
            "title": "Likely duplicate people",
            "subtitle": None,
            "opts": self.model._meta,
            "rows": rows,
            "media": self.media,
        }
        return TemplateResponse(request, "admin/archive/speaker/duplicates.html", context)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Speaker]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                turn_count=count_of(Turn.objects.all(), "speaker"),
                transcript_count=count_of(Appearance.objects.all(), "speaker"),
            )
        )

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Speaker], search_term: str
    ) -> tuple[QuerySet[Speaker], bool]:
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        key = name_key(search_term)
        if not key:
            return found, may_have_duplicates
        # Every name and alias is in the lookup table, normalised like the term (any script).
        by_name = queryset.filter(
            Q(pk__in=Speaker.objects.filter(lookup_names__key__contains=key).values("pk"))
        )
        return found | by_name, may_have_duplicates

    def get_deleted_objects(
        self, objs: Any, request: HttpRequest
    ) -> tuple[list[Any], dict[str, int], set[str], list[Any]]:
        """Speakers with turns cannot go (turns protect them): say so in one line, not one per turn."""
        speakers = list(objs)
        turns = dict(
            Turn.objects.filter(speaker__in=speakers)
            .order_by()
            .values_list("speaker")
            .annotate(n=Count("pk"))
            .values_list("speaker", "n")
        )
        protected = [
            f"{s.name}: {turns[s.pk]} turn(s). Merge this speaker into another instead of deleting."
            for s in speakers
            if turns.get(s.pk)
        ]
        if protected:
            return [], {}, set(), protected
        return super().get_deleted_objects(speakers, request)

    @admin.display(description="turns", ordering="turn_count")
    def turn_count(self, obj: Speaker) -> int:
        return getattr(obj, "turn_count", 0)

    @admin.display(description="transcripts", ordering="transcript_count")
    def transcript_count(self, obj: Speaker) -> int:
        return getattr(obj, "transcript_count", 0)

    @admin.display(description="transcripts")
    def transcripts_link(self, obj: Speaker) -> str:
        if obj.pk is None:
            return "—"
        count = getattr(obj, "transcript_count", None)
        if count is None:
            count = obj.appearances.count()
        url = reverse("admin:archive_transcript_changelist") + f"?speaker={obj.pk}"
        return format_html('<a href="{}">{} transcript(s) with {}</a>', url, count, obj.name)

    @admin.action(description="Merge selected speakers into one", permissions=["change", "delete"])
    def merge(self, request: HttpRequest, queryset: QuerySet[Speaker]) -> HttpResponse | None:
        """A page to choose who to keep; on confirmation the others are folded into them."""
        speakers = queryset.order_by("-turn_count", "name")
        if speakers.count() < 2:
            self.message_user(request, "Select at least two speakers to merge.", messages.WARNING)
            return None
        form = MergeForm(request.POST if "apply" in request.POST else None, speakers=speakers)
        if form.is_valid():
            target = form.cleaned_data["target"]
            others = [s for s in speakers if s.pk != target.pk]
            moved = speakers_merge(target=target, others=others)
            for other in others:
                self.log_deletion(request, other, str(other))
            names = ", ".join(o.name for o in others)
            self.log_change(request, target, f"Merged {names} into it ({moved} turns moved).")
            self.message_user(
                request,
                f"Merged {names} into {target.name}: {moved} turn(s) moved, their names kept as aliases.",
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Merge speakers",
            "subtitle": None,
            "opts": self.model._meta,
            "form": form,
            "speakers": speakers,
            "action": request.POST.get("action", ""),
            "select_across": request.POST.get("select_across", "0"),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        return TemplateResponse(request, "admin/archive/speaker/merge.html", context)
