"""A transcript's speakers and turns, inline on its change page.

Turns are paged (`?turns_page=N`, 100 a page): a 6,000-turn sitting opens as fast as
a short press conference, and a save posts one page, far below the formset's limit
of 1,000 forms. Each page costs a fixed number of queries whatever its length.
"""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import F, Max, QuerySet
from django.forms.models import BaseInlineFormSet
from django.forms.utils import ErrorDict
from django.http import HttpRequest
from django.urls import NoReverseMatch

from archive.admin.fields import PrimedAutocompleteSelect, PrimedAutocompleteSelectMultiple, prime_widget
from archive.models import Appearance, Transcript, Turn, TurnKind

TURNS_PAGE_VAR = "turns_page"
TURNS_PER_PAGE = 100


def public_url(transcript: Transcript) -> str | None:
    """The transcript's page on the public site, or None while the site has no such route."""
    try:
        return transcript.get_absolute_url()
    except NoReverseMatch:
        return None


class UnchangedRowsMixin:
    """Rows posted back unchanged skip cleaning: a save of a 100-turn page costs what was edited.

    Django cleans every row of a formset (a query for its id, one for each foreign key, one
    per unique constraint) although it only saves the changed ones. An unchanged row
    of an existing object validates as is, with no cleaned data, so the formset's checks
    across rows skip it; an edited row is still checked against the database, which
    holds the unchanged rows.
    """

    def full_clean(self) -> None:
        form = cast(forms.ModelForm, self)
        if form.is_bound and form.instance.pk is not None and not form.has_changed():
            form._errors = ErrorDict()  # type: ignore[attr-defined]
            form.cleaned_data = {}
            return
        super().full_clean()  # type: ignore[misc]


class TurnForm(UnchangedRowsMixin, forms.ModelForm):
    # The answered question by its position in this transcript: no select of every turn.
    reply_to_position = forms.IntegerField(
        label="reply to #",
        required=False,
        min_value=1,
        help_text="Position of the question this turn answers",
    )

    class Meta:
        model = Turn
        fields = [
            "position",
            "speaker",
            "kind",
            "section",
            "answer_status",
            "text",
            "language",
            "start",
            "end",
            "original_position",
            "topics",
        ]
        labels = {"original_position": "original #", "answer_status": "answered?"}

    def __init__(self, *args: Any, next_position: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and self.instance.reply_to_id is not None:
            position = getattr(self.instance, "reply_to_pos", None)
            if position is None and self.instance.reply_to is not None:
                position = self.instance.reply_to.position
            self.initial["reply_to_position"] = position
        elif self.instance.pk is None and next_position is not None:
            self.initial.setdefault("position", next_position)

    def clean_text(self) -> str:
        text = str(self.cleaned_data.get("text") or "")
        limit = settings.TURN_TEXT_MAX_CHARS
        if len(text) > limit:  # the same maximum as every import (TURN_TEXT_MAX_CHARS)
            position = self.data.get(self.add_prefix("position")) or self.instance.position
            raise forms.ValidationError(
                f"Turn #{position} is {len(text)} characters long; a turn holds at most {limit} "
                "(TURN_TEXT_MAX_CHARS): split it into several turns."
            )
        return text

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # Django leaves constraints on the parent's key to the database (an IntegrityError):
        # check the position here, against every turn, including those on other pages.
        position = cleaned.get("position")
        if (
            position is not None
            and self.instance.transcript_id is not None
            and "position" in self.changed_data
        ):
            taken = Turn.objects.filter(transcript_id=self.instance.transcript_id, position=position)
            if taken.exclude(pk=self.instance.pk).exists():
                self.add_error(
                    "position", f"Turn #{position} already exists: move it to a free position first."
                )
        self._check_times(cleaned)
        if cleaned.get("answer_status") and cleaned.get("kind", self.instance.kind) != TurnKind.QUESTION:
            self.add_error("answer_status", "Only a question has an answer status.")
        if "reply_to_position" not in self.changed_data:
            return cleaned
        number = cleaned.get("reply_to_position")
        if number is None:
            self.instance.reply_to = None
        elif self.instance.transcript_id is None:
            self.add_error("reply_to_position", "Save the transcript first, then link replies.")
        elif number == cleaned.get("position"):
            self.add_error("reply_to_position", "A turn cannot reply to itself.")
        else:
            target = Turn.objects.filter(transcript_id=self.instance.transcript_id, position=number).first()
            if target is None:
                self.add_error("reply_to_position", f"This transcript has no turn #{number}.")
            else:
                self.instance.reply_to = target
        return cleaned

    def _check_times(self, cleaned: dict[str, Any]) -> None:
        """An end at or after the start; a start between the starts of the timed turns around it
        (as stored: shift many turns at once with the transcript's time page)."""
        start, end = cleaned.get("start"), cleaned.get("end")
        for name, value in (("start", start), ("end", end)):
            if value is not None and value < 0:
                self.add_error(name, "Seconds from the start of the recording cannot be negative.")
        if start is not None and end is not None and end < start:
            self.add_error("end", f"The end ({end:g} s) is before the start ({start:g} s).")
        position = cleaned.get("position")
        if start is None or position is None or self.instance.transcript_id is None:
            return
        if not {"start", "position"} & set(self.changed_data):
            return
        others = Turn.objects.filter(transcript_id=self.instance.transcript_id, start__isnull=False).exclude(
            pk=self.instance.pk
        )
        before = others.filter(position__lt=position, start__gt=start).order_by("position").first()
        after = others.filter(position__gt=position, start__lt=start).order_by("-position").first()
        for other, word in ((before, "earlier"), (after, "later")):
            if other is not None:
                self.add_error(
                    "start",
                    f"Out of order: the {word} turn #{other.position} starts at {other.start:g} s. "
                    "Times must follow the order of the turns.",
                )


class TurnFormSet(BaseInlineFormSet):
    """One page of a transcript's turns, in position order."""

    page_number: str | None = None
    per_page: int = TURNS_PER_PAGE
    query: dict[str, str] = {}

    def get_queryset(self) -> Any:
        if not hasattr(self, "_page_queryset"):
            turns = super().get_queryset()
            self.paginator = Paginator(turns, self.per_page)
            number = self.paginator.num_pages if self.page_number == "last" else self.page_number
            self.page: Page[Any] = self.paginator.get_page(number)
            self._page_queryset = self.page.object_list
        return self._page_queryset

    def _existing_object(self, pk: Any) -> Any:
        found = super()._existing_object(pk)  # type: ignore[misc]
        if found is None and self.instance.pk is not None and self.queryset is not None:
            # Turns were inserted since the page was shown: its rows moved to another page.
            found = self.queryset.filter(pk=pk).first()
        return found

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        kwargs = super().get_form_kwargs(index)
        if index is None or index >= self.initial_form_count():
            kwargs["next_position"] = self.next_position
        return kwargs

    @property
    def next_position(self) -> int:
        if not hasattr(self, "_next_position"):
            last = None
            if self.instance.pk is not None:
                turns = Turn.objects.filter(transcript=self.instance)
                last = turns.aggregate(last=Max("position"))["last"]
            self._next_position = (last or 0) + 1
        return self._next_position

    def _construct_form(self, i: int, **kwargs: Any) -> Any:
        form = super()._construct_form(i, **kwargs)  # type: ignore[misc]
        form.instance.transcript = self.instance  # str(turn) and its URL need it: no query per row
        prime_widget(form, "speaker", self.labels["speaker"])
        prime_widget(form, "topics", self.labels["topics"])
        return form

    @property
    def labels(self) -> dict[str, dict[str, str]]:
        """Labels of the speakers and topics selected on this page, from one query each."""
        if not hasattr(self, "_labels"):
            speakers: dict[str, str] = {}
            topics: dict[str, str] = {}
            for turn in self.get_queryset():
                speakers[str(turn.speaker_id)] = str(turn.speaker)
                for topic in turn.topics.all():
                    topics[str(topic.pk)] = str(topic)
            self._labels = {"speaker": speakers, "topics": topics}
        return self._labels

    def page_links(self) -> list[dict[str, Any]]:
        """The pager under the turns: numbers with ellipses, each a link keeping other parameters."""
        self.get_queryset()
        if self.paginator.num_pages <= 1:
            return []
        links: list[dict[str, Any]] = []
        for number in self.paginator.get_elided_page_range(self.page.number, on_each_side=2, on_ends=1):
            if number == Paginator.ELLIPSIS:
                links.append({"ellipsis": True})
                continue
            query = {**self.query, TURNS_PAGE_VAR: str(number)}
            links.append(
                {
                    "number": number,
                    "current": number == self.page.number,
                    "url": f"?{urlencode(query)}#turns-group",
                }
            )
        return links


class TurnInline(admin.TabularInline):
    model = Turn
    form = TurnForm
    formset = TurnFormSet
    template = "admin/archive/transcript/turn_inline.html"
    fields = (
        "position",
        "speaker",
        "kind",
        "section",
        "answer_status",
        "text",
        "reply_to_position",
        "language",
        "start",
        "end",
        "original_position",
        "topics",
    )
    extra = 0
    verbose_name_plural = "turns"
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 60, "dir": "auto"})},
        models.CharField: {"widget": forms.TextInput(attrs={"size": 6})},
    }

    def get_queryset(self, request: HttpRequest) -> QuerySet[Turn]:
        return (
            super()
            .get_queryset(request)
            .select_related("speaker")
            .prefetch_related("topics")
            .annotate(reply_to_pos=F("reply_to__position"))
            .order_by("position")
        )

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = cast(type[TurnFormSet], super().get_formset(request, obj, **kwargs))
        formset.page_number = request.GET.get(TURNS_PAGE_VAR)
        formset.query = {k: str(v) for k, v in request.GET.items() if k != TURNS_PAGE_VAR}
        return formset

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "speaker":
            kwargs["widget"] = PrimedAutocompleteSelect(db_field, self.admin_site)
        elif db_field.name == "topics":
            kwargs["widget"] = PrimedAutocompleteSelectMultiple(db_field, self.admin_site)
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and isinstance(field.widget, RelatedFieldWidgetWrapper):
            field.widget = field.widget.widget  # no add/change links on every row
        return field

    def view_on_site(self, obj: Turn) -> str | None:
        url = public_url(obj.transcript)
        return f"{url}#turn-{obj.position}" if url else None


class AppearanceForm(UnchangedRowsMixin, forms.ModelForm):
    class Meta:
        model = Appearance
        fields = ["speaker", "name", "role", "position"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        transcript_id = self.instance.transcript_id
        if transcript_id is None:
            return cleaned
        others = Appearance.objects.filter(transcript_id=transcript_id).exclude(pk=self.instance.pk)
        speaker = cleaned.get("speaker")
        if speaker is not None and "speaker" in self.changed_data and others.filter(speaker=speaker).exists():
            self.add_error("speaker", f"{speaker} is already listed in this transcript.")
        name = cleaned.get("name")
        if name and "name" in self.changed_data and others.filter(name=name).exists():
            self.add_error("name", f"Another speaker of this transcript is already called “{name}”.")
        return cleaned


class AppearanceFormSet(BaseInlineFormSet):
    def _construct_form(self, i: int, **kwargs: Any) -> Any:
        form = super()._construct_form(i, **kwargs)  # type: ignore[misc]
        form.instance.transcript = self.instance  # str(appearance) names it
        if not hasattr(self, "_speaker_labels"):
            self._speaker_labels = {str(a.speaker_id): str(a.speaker) for a in self.get_queryset()}
        prime_widget(form, "speaker", self._speaker_labels)
        return form


class AppearanceInline(admin.TabularInline):
    model = Appearance
    form = AppearanceForm
    formset = AppearanceFormSet
    fields = ("speaker", "name", "role", "position")
    extra = 0
    verbose_name = "speaker"
    verbose_name_plural = "speakers (with the name and role this transcript gives them)"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Appearance]:
        return super().get_queryset(request).select_related("speaker").order_by("position")

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "speaker":
            kwargs["widget"] = PrimedAutocompleteSelect(db_field, self.admin_site)
        return super().formfield_for_dbfield(db_field, request, **kwargs)
