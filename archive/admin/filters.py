"""Changelist filters that scale: speaker and topic are picked by autocomplete, not from a list."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.functional import cached_property
from django.utils.safestring import SafeString

from archive.admin.fields import PrimedAutocompleteSelect
from archive.models import Speaker, Topic, Transcript


class AutocompleteFilter(admin.SimpleListFilter):
    """Filter by one related object chosen in a search box (the admin's select2 autocomplete).

    The box asks the admin autocomplete view for `field_name` of `source_model`, so it
    searches exactly what the related model's admin searches, and only ever renders the
    selected option: an archive with 10,000 speakers still has a light changelist.
    """

    template = "admin/archive/autocomplete_filter.html"
    source_model: type[Model] = Transcript
    field_name: str = ""
    related_model: type[Model]

    def __init__(
        self, request: HttpRequest, params: dict[str, Any], model: type[Model], model_admin: Any
    ) -> None:
        self.admin_site = model_admin.admin_site
        super().__init__(request, params, model, model_admin)

    @cached_property
    def selected(self) -> Model | None:
        value = self.value()
        if not value:
            return None
        try:
            return self.related_model._default_manager.get(pk=int(value))
        except (ValueError, self.related_model.DoesNotExist):  # type: ignore[attr-defined]
            raise IncorrectLookupParameters(f"no such {self.title}: {value!r}") from None

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        # Only the selected value: the search box finds the others.
        return [(str(self.selected.pk), str(self.selected))] if self.selected else []

    def has_output(self) -> bool:
        return True

    def widget_html(self) -> SafeString:
        field = self.source_model._meta.get_field(self.field_name)
        widget = PrimedAutocompleteSelect(field, self.admin_site)  # type: ignore[arg-type]
        widget.choices = forms.ModelChoiceField(queryset=self.related_model._default_manager.none()).choices
        widget.is_required = False
        if self.selected is not None:
            widget.known_labels = {str(self.selected.pk): str(self.selected)}
        return widget.render(
            str(self.parameter_name),
            self.value(),
            attrs={
                "id": f"filter-{self.parameter_name}",
                "class": "archive-autocomplete-filter",
                "data-parameter": self.parameter_name,
                "aria-label": f"Filter by {self.title}",
                "style": "width: 100%",
            },
        )


class SpeakerFilter(AutocompleteFilter):
    title = "speaker"
    parameter_name = "speaker"
    field_name = "speakers"
    related_model = Speaker

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any] | None:
        if self.selected is None:
            return queryset
        # One appearance per speaker and transcript: the join adds no duplicates.
        return queryset.filter(appearances__speaker=self.selected)


class TopicFilter(AutocompleteFilter):
    title = "topic"
    parameter_name = "topic"
    field_name = "topics"
    related_model = Topic

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any] | None:
        if self.selected is None:
            return queryset
        return queryset.filter(topics=self.selected)


class TranslationFilter(admin.SimpleListFilter):
    title = "translation"
    parameter_name = "translation"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("original", "Originals"), ("translation", "Translations")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any] | None:
        if self.value() == "original":
            return queryset.filter(translation_of_slug="")
        if self.value() == "translation":
            return queryset.exclude(translation_of_slug="")
        return queryset
