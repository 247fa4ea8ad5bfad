"""Redaction in the admin: redact words of turns, erase a person, and the redaction log.

Turns get a list of their own (search them by text or transcript) whose action redacts words in
the selected turns; speakers get an "erase" action. Both ask for a reason on a page of their
own, and the log (`Redaction`) is read-only: it never shows the words removed.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.text import Truncator
from simple_history.admin import SimpleHistoryAdmin

from archive.models import Redaction, Speaker, Turn, TurnKind
from archive.redaction import RedactionError, erase_person, redact_turn, redact_words


class RedactWordsForm(forms.Form):
    words = forms.CharField(
        required=False,
        label="Words to redact",
        help_text="Exactly as the turn writes them; every occurrence in the selected turns is redacted.",
    )
    start = forms.IntegerField(
        required=False, min_value=0, label="or: from character", help_text="An offset in the text (one turn)"
    )
    end = forms.IntegerField(required=False, min_value=1, label="to character (not included)")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), help_text="Kept in the redaction log")

    def __init__(self, *args: Any, turns: int = 1, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.turns = turns

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        has_words = bool(cleaned.get("words"))
        has_span = cleaned.get("start") is not None or cleaned.get("end") is not None
        if has_words == has_span:
            raise forms.ValidationError("Give either the words to redact, or a span (from and to).")
        if has_span:
            if cleaned.get("start") is None or cleaned.get("end") is None:
                raise forms.ValidationError("A span needs both ends.")
            if self.turns != 1:
                raise forms.ValidationError("A span by characters is for one turn: select only one.")
        return cleaned


class EraseForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), help_text="Kept in the redaction log")


def _action_page(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    *,
    title: str,
    form: forms.Form,
    items: Any,
    intro: str,
) -> TemplateResponse:
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "subtitle": None,
        "opts": modeladmin.model._meta,
        "form": form,
        "items": items,
        "intro": intro,
        "action": request.POST.get("action", ""),
        "select_across": request.POST.get("select_across", "0"),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "media": modeladmin.media,
    }
    return TemplateResponse(request, "admin/archive/redaction_action.html", context)


@admin.action(description="Erase the selected people (redact their names everywhere)", permissions=["change"])
def erase_people(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Speaker]) -> Any:
    """One action: every name the person goes by is redacted in every turn that mentions it."""
    speakers = list(queryset.order_by("name"))
    form = EraseForm(request.POST if "apply" in request.POST else None)
    if form.is_valid():
        for speaker in speakers:
            outcome = erase_person(speaker, reason=form.cleaned_data["reason"], user=request.user)
            modeladmin.log_change(request, speaker, f"Erased: names redacted in {outcome.turns} turn(s).")
            modeladmin.message_user(
                request,
                f"Erased {speaker.slug}: their names were redacted in {outcome.turns} turn(s) "
                f"({outcome.characters} characters).",
                messages.SUCCESS,
            )
        return None
    return _action_page(
        modeladmin,
        request,
        title="Erase people",
        form=form,
        items=speakers,
        intro=(
            "Every name these people go by (display name, names in other languages, aliases, the names "
            "transcripts give them) is replaced by [redacted] in every turn that mentions it, and they "
            "are made private. The removed words are kept nowhere. This cannot be undone."
        ),
    )


class TurnStatusForm(forms.ModelForm):
    """The turn's own page edits only its answer status (the text changes on its transcript's page)."""

    class Meta:
        model = Turn
        fields = ["answer_status"]

    def clean_answer_status(self) -> str:
        status = str(self.cleaned_data.get("answer_status") or "")
        if status and self.instance.kind != TurnKind.QUESTION:
            raise forms.ValidationError("Only a question has an answer status.")
        return status


@admin.register(Turn)
class TurnAdmin(SimpleHistoryAdmin):
    """Turns one by one: find them by their words, redact, set answer statuses in bulk views."""

    list_display = ("__str__", "speaker", "kind", "answer_status", "excerpt")
    list_filter = ("kind", "answer_status")
    search_fields = ("text", "transcript__slug")
    search_help_text = "Searches the turns' text and their transcript's slug."
    list_select_related = ("transcript", "speaker")
    list_per_page = 50
    form = TurnStatusForm
    fields = ("transcript", "position", "speaker", "kind", "answer_status", "text")
    readonly_fields = ("transcript", "position", "speaker", "kind", "text")
    actions = ("redact",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # turns are added on their transcript's page

    @admin.display(description="text")
    def excerpt(self, obj: Turn) -> str:
        return Truncator(obj.text).chars(120)

    @admin.action(description="Redact words in the selected turns", permissions=["change"])
    def redact(self, request: HttpRequest, queryset: QuerySet[Turn]) -> HttpResponse | None:
        turns = list(queryset.select_related("transcript").order_by("transcript__slug", "position"))
        form = RedactWordsForm(request.POST if "apply" in request.POST else None, turns=len(turns))
        if form.is_valid():
            data = form.cleaned_data
            done = 0
            try:
                for turn in turns:
                    if data["words"]:
                        entry = redact_words(turn, data["words"], reason=data["reason"], user=request.user)
                        done += entry.spans if entry is not None else 0
                    else:
                        redact_turn(
                            turn, data["start"], data["end"], reason=data["reason"], user=request.user
                        )
                        done += 1
            except RedactionError as exc:
                form.add_error("end" if exc.field in ("start", "end") else None, f"{turn}: {exc.message}")
            else:
                level = messages.SUCCESS if done else messages.WARNING
                self.message_user(request, f"{done} span(s) redacted.", level)
                return None
        return _action_page(
            self,
            request,
            title="Redact words",
            form=form,
            items=turns,
            intro="The words become [redacted] at once everywhere. The log keeps who, when, why and "
            "how many characters, never the words. This cannot be undone.",
        )


@admin.register(Redaction)
class RedactionAdmin(admin.ModelAdmin):
    """The log: read-only, and without the words (it never had them)."""

    list_display = (
        "created",
        "transcript_slug",
        "position",
        "curator_name",
        "characters",
        "reason",
        "erasure_of",
    )
    list_filter = ("created",)
    search_fields = ("transcript_slug", "curator_name", "reason", "erasure_of")
    date_hierarchy = "created"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
